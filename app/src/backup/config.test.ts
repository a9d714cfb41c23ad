import { describe, expect, it } from "vitest";
import { databaseUrl, parseBackupEnv, storeConfig } from "./config.ts";

const bucket = { BACKUP_S3_BUCKET: "household" };

describe("parseBackupEnv", () => {
  it("takes an empty endpoint for none (AWS S3 itself), as Compose passes an unset one", () => {
    expect(storeConfig(parseBackupEnv({ ...bucket, BACKUP_S3_ENDPOINT: "" })).endpoint).toBe(
      undefined,
    );
    expect(() => parseBackupEnv({ ...bucket, BACKUP_S3_ENDPOINT: "not a url" })).toThrow(
      /BACKUP_S3_ENDPOINT/,
    );
  });
});

describe("databaseUrl", () => {
  const read = (path: string) => {
    if (path === "/run/secrets/postgres-password") return "from:file";
    throw new Error(`ENOENT: ${path}`);
  };

  it("puts DATABASE_PASSWORD_FILE's password into DATABASE_URL", () => {
    const env = parseBackupEnv({
      ...bucket,
      DATABASE_URL: "postgres://fintrack@postgres:5432/fintrack",
      DATABASE_PASSWORD_FILE: "/run/secrets/postgres-password",
    });
    expect(databaseUrl(env, read)).toBe("postgres://fintrack:from%3Afile@postgres:5432/fintrack");
  });

  it("builds the URL from the libpq variables without DATABASE_URL", () => {
    const env = parseBackupEnv({ ...bucket, PGHOST: "db", PGDATABASE: "fintrack", PGUSER: "u" });
    expect(databaseUrl(env, read)).toBe("postgres://u@db/fintrack");
  });
});
