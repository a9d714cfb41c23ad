import { describe, expect, it } from "vitest";
import { openApiProblems } from "../test/harness/openapi.ts";
import { offlineRoutes } from "./api-document.ts";
import { openApiDocument } from "./http/openapi.ts";

const doc = openApiDocument(offlineRoutes(), {
  title: "fintrack API",
  version: "0",
  serverUrl: "/api/v1",
});
const paths = doc.paths as Record<string, Record<string, unknown>>;

describe("the app's whole API", () => {
  it("documents every route as a valid OpenAPI 3.1 document", () => {
    expect(openApiProblems(doc)).toEqual([]);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("states the shape of every path parameter, so an id that can exist is one a client can form", () => {
    const shapeless: string[] = [];
    for (const [path, item] of Object.entries(paths))
      for (const [method, operation] of Object.entries(item)) {
        const parameters = (operation as { parameters?: Record<string, unknown>[] }).parameters;
        for (const p of parameters ?? []) {
          const schema = p.schema as { pattern?: unknown; enum?: unknown } | undefined;
          if (p.in === "path" && schema?.pattern === undefined && schema?.enum === undefined)
            shapeless.push(`${method} ${path} ${String(p.name)}`);
        }
      }
    expect(shapeless).toEqual([]);
  });

  it.each([
    ["post", "/auth/register"],
    ["post", "/auth/login"],
    ["post", "/auth/logout"],
    ["get", "/auth/csrf"],
    ["get", "/me"],
    ["post", "/tokens"],
    ["get", "/tokens"],
    ["get", "/accounts"],
    ["post", "/accounts"],
    ["patch", "/accounts/{id}"],
    ["get", "/categories"],
    ["post", "/categories"],
    ["get", "/transactions"],
    ["post", "/transactions"],
    ["delete", "/transactions/{id}"],
    ["get", "/transactions/summary"],
    ["post", "/transactions/bulk"],
    ["post", "/transactions/{id}/attachments"],
    ["get", "/reports/net-worth"],
    ["get", "/openapi.json"],
    ["get", "/budgets"],
    ["put", "/budgets"],
    ["get", "/reports/budget"],
    ["get", "/reports/spending"],
    ["get", "/reports/cashflow"],
    ["get", "/recurring"],
    ["get", "/recurring/upcoming"],
    ["get", "/rules"],
    ["post", "/rules/apply"],
    ["post", "/rules/preview"],
    ["get", "/exchange-rates"],
    ["get", "/audit"],
    ["post", "/imports"],
    ["post", "/imports/{id}/commit"],
    ["delete", "/imports/{id}"],
    ["get", "/imports"],
    ["get", "/exports/transactions.csv"],
    ["get", "/exports/full.json"],
    ["post", "/imports/full"],
  ])("keeps the contract route %s %s", (method, path) => {
    expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
