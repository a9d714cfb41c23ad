import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, resetCsrf, setReauthenticateHandler } from "./api.ts";

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ status, code, detail: code }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** A fetch answering /auth/csrf, then each of `answers` in turn for every other request. */
function stubFetch(answers: Response[]) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? "GET"} ${url}`);
      if (url.endsWith("/auth/csrf")) return Promise.resolve(json({ token: "t" }));
      const next = answers.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error("unexpected request"));
    }),
  );
  return calls;
}

describe("the api client and reauthentication_required", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setReauthenticateHandler(undefined);
    resetCsrf();
  });

  it("asks for the password once and sends the request again with a fresh CSRF token", async () => {
    const calls = stubFetch([problem(403, "reauthentication_required"), json({ id: "7" }, 201)]);
    const ask = vi.fn(() => {
      resetCsrf();
      return Promise.resolve(true);
    });
    setReauthenticateHandler(ask);
    await expect(api.post("/invitations", { role: "member" })).resolves.toEqual({ id: "7" });
    expect(ask).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([
      "GET /api/v1/auth/csrf",
      "POST /api/v1/invitations",
      "GET /api/v1/auth/csrf",
      "POST /api/v1/invitations",
    ]);
  });

  it("gives the refusal to the screen when the user cancels, or when the retry is refused too", async () => {
    stubFetch([problem(403, "reauthentication_required")]);
    setReauthenticateHandler(() => Promise.resolve(false));
    const cancelled = await api.post("/tokens", {}).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(ApiError);
    expect((cancelled as ApiError).code).toBe("reauthentication_required");

    stubFetch([
      problem(403, "reauthentication_required"),
      problem(403, "reauthentication_required"),
    ]);
    const ask = vi.fn(() => Promise.resolve(true));
    setReauthenticateHandler(ask);
    const again = await api.post("/tokens", {}).catch((e: unknown) => e);
    expect((again as ApiError).code).toBe("reauthentication_required");
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it("never asks for a plain 403", async () => {
    stubFetch([problem(403, "forbidden")]);
    const ask = vi.fn(() => Promise.resolve(true));
    setReauthenticateHandler(ask);
    const error = await api.patch("/users/2", { role: "owner" }).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe("forbidden");
    expect(ask).not.toHaveBeenCalled();
  });
});

describe("the api client and edits of a version", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetCsrf();
  });

  it("sends the version as If-Match and explains a 412 as a change made elsewhere", async () => {
    stubFetch([problem(412, "precondition_failed")]);
    const error = await api
      .patch("/transactions/5", { payee: "x" }, { version: "3" })
      .catch((e: unknown) => e);
    const sent = vi
      .mocked(fetch)
      .mock.calls.find(([url]) => typeof url === "string" && url.endsWith("/5"));
    expect((sent?.[1]?.headers as Record<string, string>)["If-Match"]).toBe('"3"');
    expect((error as ApiError).status).toBe(412);
    expect((error as ApiError).message).toMatch(/changed elsewhere.*Reload/);
  });
});
