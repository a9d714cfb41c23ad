import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { headerAuthenticate, serveApp, type ServedApp } from "../../test/harness/serve.ts";
import { route } from "./route.ts";

// The harnesses serve with validateResponses on: a handler that answers off its declared schema
// fails the test that called it, naming the route, the status and each mismatch.
describe("answers checked against their declared schemas", () => {
  let app: ServedApp;
  const Thing = z.object({ id: z.string(), name: z.string() });
  beforeAll(async () => {
    app = await serveApp({
      authenticate: headerAuthenticate,
      routes: [
        route({
          method: "get",
          path: "/things/:kind",
          operationId: "getThing",
          summary: "A thing",
          tag: "test",
          access: "public",
          params: z.object({ kind: z.enum(["right", "extra", "wrong"]) }),
          responses: { 200: { description: "The thing", schema: Thing } },
          handler: ({ params }) =>
            Promise.resolve(
              params.kind === "right"
                ? { id: "t1", name: "Thing" }
                : params.kind === "extra"
                  ? { id: "t1", name: "Thing", secret: "s" }
                  : { id: 1, name: "Thing" },
            ),
        }),
      ],
    });
  });
  afterAll(() => app.close());

  it("lets an answer that matches its schema through", async () => {
    const res = await fetch(`${app.base}/api/v1/things/right`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "t1", name: "Thing" });
  });

  it("answers 500 naming a field the schema does not declare", async () => {
    const res = await fetch(`${app.base}/api/v1/things/extra`);
    expect(res.status).toBe(500);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe("response_schema_drift");
    expect(problem.detail).toContain("GET /things/:kind (getThing) answered 200");
    expect(problem.detail).toContain("secret: not in the schema");
  });

  it("answers 500 naming a field of the wrong type", async () => {
    const res = await fetch(`${app.base}/api/v1/things/wrong`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/id: .*expected string/);
  });
});
