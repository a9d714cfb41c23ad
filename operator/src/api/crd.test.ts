import { describe, expect, it } from "vitest";
import { financeTrackerBackupCrd, financeTrackerCrd } from "./crd.ts";
import { financeTrackerSpec } from "./v1alpha1.ts";

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every schema node below `node`, with the path of keys that leads to it. */
function* walk(node: unknown, path: string[] = []): Generator<[string[], Node]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, [...path, String(i)]);
    return;
  }
  if (!isNode(node)) return;
  yield [path, node];
  for (const [key, value] of Object.entries(node)) yield* walk(value, [...path, key]);
}

/** The FinanceTracker spec schema node at a spec path; map keys lead to additionalProperties. */
function specNode(path: string[]): Node {
  let node: unknown = walkTo(financeTrackerCrd(), [
    "spec",
    "versions",
    "0",
    "schema",
    "openAPIV3Schema",
    "properties",
    "spec",
  ]);
  for (const key of path) {
    if (!isNode(node)) break;
    const properties = node.properties;
    node = isNode(properties) ? properties[key] : node.additionalProperties;
  }
  if (!isNode(node)) throw new Error(`no schema at spec.${path.join(".")}`);
  return node;
}

function walkTo(node: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((n, key) => {
    if (Array.isArray(n)) return n[Number(key)] as unknown;
    return isNode(n) ? n[key] : undefined;
  }, node);
}

/** The message of the first CEL rule on a spec field: the one that checks its format. */
function formatMessage(path: string[]): unknown {
  const rules = specNode(path)["x-kubernetes-validations"];
  return Array.isArray(rules) && isNode(rules[0]) ? rules[0].message : undefined;
}

const adminEmail = "owner@acme.example";
const host = "money.acme.example";

describe("the FinanceTracker CRD", () => {
  it("has no OpenAPI pattern, which the API server would show users as a raw regex", () => {
    const patterned = [financeTrackerCrd(), financeTrackerBackupCrd()].flatMap((crd) =>
      [...walk(crd)].filter(([, node]) => "pattern" in node).map(([path]) => path.join(".")),
    );
    expect(patterned).toEqual([]);
  });

  it.each([
    ["an image with a space", { app: { adminEmail, image: "ghcr.io/acme/app 1.0" } }],
    ["the currency euro", { app: { adminEmail, baseCurrency: "euro" } }],
    ["an adminEmail without @", { app: { adminEmail: "owner.acme.example" } }],
    ["the host Bad_Host", { app: { adminEmail }, ingress: { host: "Bad_Host" } }],
    ["the ingress class Nginx", { app: { adminEmail }, ingress: { host, className: "Nginx" } }],
    [
      "a TLS Secret My_TLS",
      { app: { adminEmail }, ingress: { host, tls: { secretName: "My_TLS" } } },
    ],
    ["a 10GB volume", { app: { adminEmail }, postgres: { storage: { size: "10GB" } } }],
    [
      "the storage class Fast_SSD",
      { app: { adminEmail }, postgres: { storage: { storageClassName: "Fast_SSD" } } },
    ],
    ["a cpu request of lots", { app: { adminEmail, resources: { requests: { cpu: "lots" } } } }],
    [
      "a 1.5GB memory limit",
      { app: { adminEmail }, redis: { resources: { limits: { memory: "1.5GB" } } } },
    ],
  ])("and the operator refuse %s in the same words", (_what, spec) => {
    const parsed = financeTrackerSpec.safeParse(spec);
    const issues = parsed.error?.issues ?? [];
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(issue?.message).toBe(formatMessage(issue?.path.map(String) ?? []));
  });

  it("and the operator accept the sizes, quantities, names and hosts people write", () => {
    const parsed = financeTrackerSpec.safeParse({
      app: {
        adminEmail,
        image: "ghcr.io/acme/fintrack@sha256:0123abcd",
        baseCurrency: "USD",
        resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: 2 } },
      },
      ingress: { host: "*.app.example.com", className: "nginx", tls: { secretName: "app-tls" } },
      postgres: { storage: { size: "10Gi", storageClassName: "fast-ssd" } },
      redis: { resources: { limits: { memory: "1.5Gi" } } },
    });
    expect(parsed.error?.issues).toBeUndefined();
  });
});
