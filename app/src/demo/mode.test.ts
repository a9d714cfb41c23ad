import { describe, expect, it } from "vitest";
import { demoEnvironment, localToday, runMode } from "./mode.ts";

describe("runMode", () => {
  it("runs against the services when both URLs are set", () => {
    expect(runMode({ DATABASE_URL: "postgres://db/x", REDIS_URL: "redis://r" })).toEqual({
      kind: "services",
    });
  });

  it("runs the demo when neither URL is set, empty counting as unset", () => {
    expect(runMode({})).toEqual({ kind: "demo" });
    expect(runMode({ DATABASE_URL: "", REDIS_URL: "" })).toEqual({ kind: "demo" });
  });

  it.each([
    [{ DATABASE_URL: "postgres://db/x" }, "REDIS_URL is not set but DATABASE_URL is"],
    [{ REDIS_URL: "redis://r", DATABASE_URL: "" }, "DATABASE_URL is not set but REDIS_URL is"],
  ])("names the missing URL when only one is set (%o)", (env, message) => {
    const mode = runMode(env);
    expect(mode.kind).toBe("invalid");
    expect(mode.kind === "invalid" && mode.message).toContain(message);
  });
});

describe("demoEnvironment", () => {
  it("runs in development without service URLs, keeping the rest", () => {
    const env = demoEnvironment({
      NODE_ENV: "production",
      DATABASE_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "warn",
    });
    expect(env).toEqual({
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      BASE_URL: "http://localhost:8080",
      HOST: "127.0.0.1",
    });
  });

  it("listens on loopback only unless HOST opts into more", () => {
    expect(demoEnvironment({}).HOST).toBe("127.0.0.1");
    expect(demoEnvironment({ HOST: "" }).HOST).toBe("127.0.0.1");
    expect(demoEnvironment({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
  });

  it("derives the base URL from PORT unless BASE_URL is given", () => {
    expect(demoEnvironment({ PORT: "3000" }).BASE_URL).toBe("http://localhost:3000");
    expect(demoEnvironment({ PORT: "3000", BASE_URL: "http://demo.test" }).BASE_URL).toBe(
      "http://demo.test",
    );
    expect(demoEnvironment({ PORT: "eighty" }).BASE_URL).toBeUndefined();
  });
});

describe("localToday", () => {
  it("formats the local calendar date with zero padding", () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });
});
