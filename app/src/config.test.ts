import { describe, expect, it } from "vitest";
import { CONFIG_LOCALES, ConfigError, loadConfig } from "./config.ts";
import { STARTER_LOCALES } from "./domain/default-categories.ts";

const secret = "s".repeat(40);
const files: Record<string, string> = {
  "/run/secrets/session": `${secret}\n`,
  "/run/secrets/admin": "correct horse battery staple\n",
  "/run/secrets/short": "tooshort\n",
};
const fakeRead = (path: string, variable: string, problems: string[]) => {
  const value = files[path];
  if (value === undefined) problems.push(`${variable}: cannot read ${path} (ENOENT)`);
  return value?.replace(/\n$/, "");
};

describe("loadConfig", () => {
  it("has production defaults for everything but the secrets", () => {
    const c = loadConfig({}, fakeRead);
    expect(c).toMatchObject({
      nodeEnv: "production",
      port: 8080,
      metricsPort: 9090,
      trustProxy: false,
      validateResponses: false,
      signup: "closed",
    });
    expect(c.baseCurrency).toBe("EUR");
    expect(c.admin).toBeUndefined();
  });

  it("binds every interface unless HOST names an address", () => {
    expect(loadConfig({}, fakeRead).host).toBeUndefined();
    expect(loadConfig({ HOST: "127.0.0.1" }, fakeRead).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "::" }, fakeRead).host).toBe("::");
    expect(() => loadConfig({ HOST: "example.com; rm" }, fakeRead)).toThrow(/HOST: must be an IP/);
  });

  it("bounds every wait for PostgreSQL and Redis, with defaults a deployment can raise", () => {
    expect(loadConfig({}, fakeRead).timeouts).toEqual({
      statementMs: 30_000,
      idleInTransactionMs: 60_000,
      databaseConnectMs: 5_000,
      redisCommandMs: 2_000,
      redisConnectMs: 5_000,
    });
    const raised = loadConfig(
      { DATABASE_STATEMENT_TIMEOUT_SECONDS: "120", REDIS_COMMAND_TIMEOUT_MS: "500" },
      fakeRead,
    );
    expect(raised.timeouts).toMatchObject({ statementMs: 120_000, redisCommandMs: 500 });
    // 0 would mean "no limit" to PostgreSQL: the very hang these settings exist to prevent.
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: "0" }, fakeRead)).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_SECONDS/,
    );
  });

  it("reads the configured household's starter language, English unless told, refusing others", () => {
    expect(loadConfig({}, fakeRead).locale).toBe("en");
    expect(loadConfig({ FINTRACK_LOCALE: "de" }, fakeRead).locale).toBe("de");
    expect(() => loadConfig({ FINTRACK_LOCALE: "pt" }, fakeRead)).toThrow(/FINTRACK_LOCALE/);
    // The list is repeated (config sits below the domain): it must stay the starter tree's.
    expect(CONFIG_LOCALES).toEqual(STARTER_LOCALES);
  });

  it("revokes tokens on a password change unless told to keep them", () => {
    expect(loadConfig({}, fakeRead).passwordChangeRevokesTokens).toBe(true);
    const keep = { FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS: "false" };
    expect(loadConfig(keep, fakeRead).passwordChangeRevokesTokens).toBe(false);
    expect(() => loadConfig({ FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS: "no" }, fakeRead)).toThrow(
      /FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS/,
    );
  });

  it("reads reference rates from the ECB's daily feed unless told another source or off", () => {
    const defaults = loadConfig({}, fakeRead);
    expect(defaults.fxSourceUrl?.href).toBe(
      "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
    );
    expect(defaults.fxFetchDaily).toBe(false);
    const local = loadConfig(
      { FINTRACK_FX_SOURCE_URL: "http://127.0.0.1:9/hist.xml", FINTRACK_FX_FETCH_DAILY: "true" },
      fakeRead,
    );
    expect([local.fxSourceUrl?.href, local.fxFetchDaily]).toEqual([
      "http://127.0.0.1:9/hist.xml",
      true,
    ]);
    const off = loadConfig(
      { FINTRACK_FX_SOURCE_URL: "off", FINTRACK_FX_FETCH_DAILY: "1" },
      fakeRead,
    );
    expect([off.fxSourceUrl, off.fxFetchDaily]).toEqual([undefined, false]);
    expect(() => loadConfig({ FINTRACK_FX_SOURCE_URL: "ftp://x/y.xml" }, fakeRead)).toThrow(
      /FINTRACK_FX_SOURCE_URL: must be an http\(s\) URL/,
    );
  });

  it("reads secrets from files, as Kubernetes mounts them, without their trailing newline", () => {
    const c = loadConfig(
      {
        SESSION_SECRET_FILE: "/run/secrets/session",
        FINTRACK_ADMIN_EMAIL: "owner@acme.example",
        FINTRACK_ADMIN_PASSWORD_FILE: "/run/secrets/admin",
        DATABASE_URL: "postgres://fintrack:pw@acme-postgres:5432/fintrack",
        REDIS_URL: "redis://:pw@acme-redis:6379",
        TRUST_PROXY: "true",
      },
      fakeRead,
    );
    expect(c.sessionSecret).toBe(secret);
    expect(c.admin).toEqual({
      email: "owner@acme.example",
      password: "correct horse battery staple",
    });
    expect(c.trustProxy).toBe(true);
  });

  it("lists every problem at once and never echoes a secret", () => {
    const run = () =>
      loadConfig(
        {
          DATABASE_URL: "mysql://x",
          PORT: "eighty",
          SESSION_SECRET: "hunter2-is-too-short",
          FINTRACK_BASE_CURRENCY: "euro",
          FINTRACK_SIGNUP: "maybe",
        },
        fakeRead,
      );
    expect(run).toThrow(ConfigError);
    let message = "";
    try {
      run();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const field of [
      "DATABASE_URL",
      "PORT",
      "SESSION_SECRET",
      "FINTRACK_BASE_CURRENCY",
      "FINTRACK_SIGNUP",
    ]) {
      expect(message).toContain(field);
    }
    expect(message).not.toContain("hunter2");
  });

  it("refuses unreadable or too short secret files and contradictory settings", () => {
    expect(() => loadConfig({ SESSION_SECRET_FILE: "/run/secrets/missing" }, fakeRead)).toThrow(
      /SESSION_SECRET_FILE: cannot read \/run\/secrets\/missing/,
    );
    expect(() => loadConfig({ SESSION_SECRET_FILE: "/run/secrets/short" }, fakeRead)).toThrow(
      /at least 32/,
    );
    expect(() =>
      loadConfig({ SESSION_SECRET: secret, SESSION_SECRET_FILE: "/run/secrets/session" }, fakeRead),
    ).toThrow(/not both/);
    expect(() =>
      loadConfig({ FINTRACK_ADMIN_PASSWORD_FILE: "/run/secrets/admin" }, fakeRead),
    ).toThrow(/FINTRACK_ADMIN_EMAIL: is required/);
    expect(() => loadConfig({ FINTRACK_ADMIN_EMAIL: "owner@acme.example" }, fakeRead)).toThrow(
      /FINTRACK_ADMIN_PASSWORD_FILE: is required when FINTRACK_ADMIN_EMAIL is set/,
    );
  });
});

describe("loadConfig with passwords in files (Compose secrets)", () => {
  const withFiles = (path: string, variable: string, problems: string[]) =>
    ({ "/run/secrets/postgres": "p@ss:word/1", "/run/secrets/redis": "r3dis" })[path] ??
    fakeRead(path, variable, problems);
  const base = { SESSION_SECRET_FILE: "/run/secrets/session" };

  it("puts each file's password into its URL", () => {
    const c = loadConfig(
      {
        ...base,
        DATABASE_URL: "postgres://fintrack@postgres:5432/fintrack",
        DATABASE_PASSWORD_FILE: "/run/secrets/postgres",
        REDIS_URL: "redis://redis:6379",
        REDIS_PASSWORD_FILE: "/run/secrets/redis",
      },
      withFiles,
    );
    const database = new URL(c.databaseUrl ?? "");
    expect(decodeURIComponent(database.password)).toBe("p@ss:word/1");
    expect([database.username, database.host, database.pathname]).toEqual([
      "fintrack",
      "postgres:5432",
      "/fintrack",
    ]);
    expect(c.redisUrl).toBe("redis://:r3dis@redis:6379");
  });

  it("keeps the URLs as given without password files", () => {
    const url = "postgres://fintrack:inline@db/fintrack";
    expect(loadConfig({ ...base, DATABASE_URL: url }, withFiles).databaseUrl).toBe(url);
  });

  it("lists a missing file or URL among the problems, never a password", () => {
    let message = "";
    try {
      loadConfig(
        {
          ...base,
          DATABASE_URL: "postgres://fintrack:hunter2@db/fintrack",
          DATABASE_PASSWORD_FILE: "/run/secrets/missing",
          REDIS_PASSWORD_FILE: "/run/secrets/redis",
        },
        withFiles,
      );
    } catch (error) {
      message = error instanceof ConfigError ? error.message : "";
    }
    expect(message).toContain("DATABASE_PASSWORD_FILE: cannot read /run/secrets/missing");
    expect(message).toContain("REDIS_PASSWORD_FILE: set REDIS_URL too");
    expect(message).not.toContain("hunter2");
  });
});
