import { describe, expect, it } from "vitest";
import { financeTrackerCrd } from "./crd.ts";
import { apiReference, type CrdForReference } from "./reference.ts";

const tiny: CrdForReference = {
  spec: {
    group: "example.dev",
    scope: "Namespaced",
    names: { kind: "Widget", plural: "widgets", shortNames: ["wd"] },
    versions: [
      {
        name: "v1",
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                description: "What the widget should be.",
                required: ["size"],
                properties: {
                  size: {
                    type: "integer",
                    minimum: 1,
                    maximum: 9,
                    default: 3,
                    description: "How big.",
                  },
                  mode: { type: "string", enum: ["a", "b"], description: "A | B." },
                  tags: { type: "array", items: { type: "string", maxLength: 20 }, maxItems: 4 },
                  parts: {
                    type: "array",
                    items: { type: "object", properties: { name: { type: "string" } } },
                  },
                },
                "x-kubernetes-validations": [
                  { rule: "self.size > 0", message: "size must be positive" },
                ],
              },
            },
          },
        },
      },
    ],
  },
};

describe("apiReference", () => {
  const text = apiReference([tiny]);

  it("heads each kind with its group, version, scope and short name", () => {
    expect(text).toContain("## Widget");
    expect(text).toContain("`example.dev/v1`, namespaced, `kubectl get widgets` (short name wd).");
  });

  it("lists every field with its type, requirement, default, limits and description", () => {
    expect(text).toContain("| `spec.size` | integer | yes | `3` | 1 to 9 | How big. |");
    // A pipe inside a cell is escaped so the table keeps its columns.
    expect(text).toContain("| `spec.mode` | string |  |  | one of `a`, `b` | A \\| B. |");
    expect(text).toContain("| `spec.tags` | array of string |  |  | 0 to 4 items |  |");
    expect(text).toContain("| `spec.parts[].name` | string |");
  });

  it("states the object's rules in words", () => {
    expect(text).toContain("What the widget should be.");
    expect(text).toContain("Rules: size must be positive.");
  });

  it("covers every field of the FinanceTracker spec", () => {
    const crd = financeTrackerCrd() as unknown as CrdForReference;
    const reference = apiReference([crd]);
    const walk = (node: { properties?: Record<string, unknown> }, path: string): string[] =>
      Object.entries(node.properties ?? {}).flatMap(([name, child]) => [
        `${path}.${name}`,
        ...walk(child as { properties?: Record<string, unknown> }, `${path}.${name}`),
      ]);
    const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec ?? {};
    const fields = walk(spec, "spec");
    expect(fields.length).toBeGreaterThan(30);
    for (const field of fields) expect(reference).toContain(`| \`${field}\` |`);
  });
});
