import { describe, expect, it } from "vitest";
import { kubectlConnectionArgs } from "./cluster.ts";

describe("kubectlConnectionArgs", () => {
  it("points a spawned kubectl at the same kubeconfig, context and namespace", () => {
    expect(kubectlConnectionArgs({ kubeconfig: "/k", context: "prod" }, "tenant-acme")).toEqual([
      "--kubeconfig",
      "/k",
      "--context",
      "prod",
      "--namespace",
      "tenant-acme",
    ]);
  });

  it("leaves kubectl's own defaults alone when no flag was given", () => {
    expect(kubectlConnectionArgs({}, "default")).toEqual(["--namespace", "default"]);
  });
});
