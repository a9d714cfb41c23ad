import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { selectorLabels } from "../../../src/names.ts";
import { choosePostgresPod, labelSelector, psqlArgs } from "./psql.ts";

function aPod(name: string, phase: string, ready: boolean, deleting = false): V1Pod {
  return {
    metadata: { name, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

describe("psqlArgs", () => {
  it("execs into the postgres container and runs psql as the app's role on its database", () => {
    expect(
      psqlArgs({ kubeconfig: "/k", context: "prod" }, "tenant-acme", "acme-postgres-0", {
        tty: true,
        psqlArgs: [],
      }),
    ).toEqual([
      "exec",
      "-it",
      "--kubeconfig",
      "/k",
      "--context",
      "prod",
      "--namespace",
      "tenant-acme",
      "acme-postgres-0",
      "-c",
      "postgres",
      "--",
      "psql",
      "-U",
      "fintrack",
      "-d",
      "fintrack",
    ]);
  });

  it("asks for no terminal when ours is none, and passes psql's own arguments on", () => {
    const args = psqlArgs({}, "t", "p-0", { tty: false, psqlArgs: ["-c", "select 1"] });

    expect(args.slice(0, 2)).toEqual(["exec", "-i"]);
    expect(args.slice(-2)).toEqual(["-c", "select 1"]);
  });
});

describe("choosePostgresPod", () => {
  it("prefers a ready running pod, then any running one, and never a terminating one", () => {
    expect(choosePostgresPod([aPod("a", "Running", false), aPod("b", "Running", true)])).toBe("b");
    expect(choosePostgresPod([aPod("a", "Pending", false), aPod("b", "Running", false)])).toBe("b");
    expect(choosePostgresPod([aPod("a", "Running", true, true)])).toBeUndefined();
    expect(choosePostgresPod([])).toBeUndefined();
  });
});

describe("labelSelector", () => {
  it("selects the tenant's PostgreSQL pods by the labels names.ts gives them", () => {
    expect(labelSelector(selectorLabels("acme", "postgres"))).toBe(
      "app.kubernetes.io/name=fintrack,app.kubernetes.io/instance=acme,app.kubernetes.io/component=postgres",
    );
  });
});
