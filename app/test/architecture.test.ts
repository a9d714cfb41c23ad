import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { appBoundaries, appLayers } from "../architecture.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The layers in an order where each imports only earlier ones; throws on a loop. */
function layerOrder(layers: Readonly<Record<string, readonly string[]>>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (layer: string, path: readonly string[]) => {
    if (order.includes(layer)) return;
    if (visiting.has(layer)) throw new Error(`loop: ${[...path, layer].join(" -> ")}`);
    visiting.add(layer);
    for (const below of layers[layer] ?? []) if (below !== layer) visit(below, [...path, layer]);
    order.push(layer);
  };
  for (const layer of Object.keys(layers)) visit(layer, []);
  return order;
}

/**
 * Lints one made-up file at `path` with only the layer rules (no type information needed):
 * the rule's verdicts on the import `source`, as ESLint reports them.
 */
async function importVerdicts(path: string, source: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } },
      appBoundaries,
    ],
  });
  const [result] = await eslint.lintText(`import { x } from "${source}";\nexport { x };\n`, {
    filePath: `${root}${path}`,
  });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "parse"}: ${m.message}`);
}

describe("the app's layers", () => {
  it("form no loop, and only the composition root imports itself", () => {
    expect(() => layerOrder(appLayers)).not.toThrow();
    for (const [layer, allowed] of Object.entries(appLayers))
      if (layer !== "composition") expect(allowed).not.toContain(layer);
    expect(() => layerOrder({ a: ["b"], b: ["c"], c: ["a"] })).toThrow("loop: a -> b -> c -> a");
  });

  it("let no layer import the composition root, and put shared leaves below everything", () => {
    for (const [layer, allowed] of Object.entries(appLayers)) {
      if (layer !== "composition") expect(allowed).not.toContain("composition");
      if (layer !== "shared") expect(allowed).toContain("shared");
    }
  });

  it.each([
    ["a route folder importing another", "app/src/routes/budgets/probe.ts", "../reports/router.ts"],
    ["a route importing the composition root", "app/src/routes/budgets/probe.ts", "../../api.ts"],
    ["the domain importing the database", "app/src/domain/probe.ts", "../db/transaction.ts"],
    ["http importing a route", "app/src/http/probe.ts", "../routes/accounts/router.ts"],
    ["auth importing http", "app/src/auth/probe.ts", "../http/route.ts"],
    [
      "the read model importing the write model",
      "app/src/read-model/probe.ts",
      "../write-model/audit-context.ts",
    ],
    [
      "the write model importing a route",
      "app/src/write-model/probe.ts",
      "../routes/rules/service.ts",
    ],
    [
      "a layer importing a file outside every layer",
      "app/src/domain/probe.ts",
      "../../test/harness/ledger.ts",
    ],
  ])("refuses %s", async (_, path, source) => {
    const verdicts = await importVerdicts(path, source);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatch(/^boundaries\/dependencies: /);
  });

  it.each([
    ["a route's own files", "app/src/routes/budgets/probe.ts", "./service.ts"],
    [
      "a route using the write model",
      "app/src/routes/budgets/probe.ts",
      "../../write-model/audit-context.ts",
    ],
    [
      "the write model using the read model",
      "app/src/write-model/probe.ts",
      "../read-model/conversion.ts",
    ],
    ["http using auth", "app/src/http/probe.ts", "../auth/principal.ts"],
    ["the domain using the shared errors", "app/src/domain/probe.ts", "../errors.ts"],
    ["the composition root using a route", "app/src/api.ts", "./routes/accounts/router.ts"],
  ])("allows %s", async (_, path, source) => {
    expect(await importVerdicts(path, source)).toEqual([]);
  });
});
