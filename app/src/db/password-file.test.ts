import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { databaseUrlFromEnv, readSecretText, withPassword } from "./password-file.ts";

describe("withPassword", () => {
  it("replaces the URL's password, keeping user, host, port and database", () => {
    expect(withPassword("postgres://fintrack:old@db:5432/fintrack", "new")).toBe(
      "postgres://fintrack:new@db:5432/fintrack",
    );
    expect(withPassword("redis://redis:6379", "pw")).toBe("redis://:pw@redis:6379");
  });

  it("percent-encodes characters that would otherwise end the password", () => {
    const url = withPassword("postgres://fintrack@db/fintrack", "a@b:c/d%e#f");
    expect(decodeURIComponent(new URL(url).password)).toBe("a@b:c/d%e#f");
    expect(new URL(url).hostname).toBe("db");
  });
});

describe("readSecretText", () => {
  const dir = mkdtempSync(join(tmpdir(), "fintrack-secret-"));

  it("drops the one trailing newline an editor or echo adds", () => {
    writeFileSync(join(dir, "pw"), "s3cret \n");
    expect(readSecretText(join(dir, "pw"))).toBe("s3cret ");
  });

  it("refuses an empty file, which would otherwise mean no password", () => {
    writeFileSync(join(dir, "empty"), "\n");
    expect(() => readSecretText(join(dir, "empty"))).toThrow(/is empty/);
  });
});

describe("databaseUrlFromEnv", () => {
  const read = (path: string) => {
    if (path === "/run/secrets/postgres-password") return "from-file";
    throw new Error(`ENOENT: ${path}`);
  };

  it("is DATABASE_URL as given without a password file", () => {
    const url = "postgres://fintrack:inline@db/fintrack";
    expect(databaseUrlFromEnv({ DATABASE_URL: url }, read)).toBe(url);
    expect(databaseUrlFromEnv({}, read)).toBeUndefined();
  });

  it("puts the file's password into the URL", () => {
    const env = {
      DATABASE_URL: "postgres://fintrack@postgres:5432/fintrack",
      DATABASE_PASSWORD_FILE: "/run/secrets/postgres-password",
    };
    expect(databaseUrlFromEnv(env, read)).toBe(
      "postgres://fintrack:from-file@postgres:5432/fintrack",
    );
  });

  it("names the variable and file that failed, never the URL's password", () => {
    const env = {
      DATABASE_URL: "postgres://fintrack:inline-secret@postgres/fintrack",
      DATABASE_PASSWORD_FILE: "/run/secrets/missing",
    };
    expect(() => databaseUrlFromEnv(env, read)).toThrow(
      /DATABASE_PASSWORD_FILE.*\/run\/secrets\/missing/,
    );
    expect(() => databaseUrlFromEnv(env, read)).not.toThrow(/inline-secret/);
  });
});
