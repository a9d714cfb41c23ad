import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bookLedger,
  captureLedger,
  expectStatus,
  type LedgerCapture,
} from "../../../operator/test/real/tenant.ts";
import { ApiClient } from "../harness/client.ts";
import { freePort } from "../harness/process.ts";

/**
 * samples/compose/compose.yaml as a household runs it, against a real Docker engine: up, the
 * owner signs in and books, `restart` and `down` + `up` keep the ledger, the one-off backup
 * service stores a verified dump, `down -v` removes everything. hack/compose-test.sh builds the
 * images, starts the engine and passes COMPOSE_BIN, FINTRACK_APP_IMAGE and FINTRACK_BACKUP_IMAGE.
 */

const composeFile = resolve(import.meta.dirname, "../../../samples/compose/compose.yaml");
const project = "fintrack-compose-test";
const compose = requiredEnv("COMPOSE_BIN");
const owner = { email: "owner@household.example", password: randomBytes(18).toString("base64url") };
const bucket = "household-backups";

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through hack/compose-test.sh`);
  return value;
}

/** The household's folder: .env, ./secrets and the test's own additions beside compose.yaml. */
const dir = mkdtempSync(join(tmpdir(), "fintrack-compose-"));
let appUrl = "";
let s3Url = "";

/** Runs `docker compose` on the sample (and the test's S3 server), failing with its output. */
function run(args: string[], options: { allowFailure?: boolean } = {}) {
  const result = spawnSync(
    compose,
    [
      "--project-name",
      project,
      "--project-directory",
      dir,
      "--file",
      composeFile,
      "--file",
      join(dir, "compose.test.yaml"),
      "--progress",
      "plain",
      ...args,
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(
      `docker compose ${args.join(" ")} exited ${String(result.status)}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** Starts (or updates) the stack and returns once every service is healthy or has completed. */
function upAndWait(): void {
  const up = run(["up", "--detach", "--wait", "--wait-timeout", "300"], { allowFailure: true });
  if (up.status === 0) return;
  const logs = run(["logs", "--no-color", "--tail", "40"], { allowFailure: true });
  throw new Error(`the stack did not come up:\n${up.stderr}\n${logs.stdout}${logs.stderr}`);
}

/**
 * Retries a request once: the first after a restart may go out on a kept-alive connection that
 * the restart closed (fetch pools connections per origin).
 */
async function afterRestart<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch {
    return request();
  }
}

async function signIn(): Promise<ApiClient> {
  const api = new ApiClient(appUrl);
  await expectStatus(api.post("/auth/login", owner), 200);
  return api;
}

/** Each service's state and health, as `docker compose ps` reports them. */
function states(): Record<string, string> {
  const lines = run(["ps", "--all", "--format", "json"]).stdout.trim().split("\n");
  return Object.fromEntries(
    lines
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { Service: string; State: string; Health: string })
      .map((s) => [s.Service, s.Health ? `${s.State}/${s.Health}` : s.State]),
  );
}

/** Creates the bucket once the S3 server answers (it has no health check: up returns earlier). */
async function createBucket(): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return (await fetch(`${s3Url}/${bucket}`, { method: "PUT" })).status;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}

function writeSecret(name: string, value: string): void {
  const path = join(dir, "secrets", name);
  writeFileSync(path, `${value}\n`);
  // As the README says: readable by the containers' users, inside a folder only we can open.
  chmodSync(path, 0o644);
}

beforeAll(async () => {
  const [appPort, s3Port] = [await freePort(), await freePort()];
  appUrl = `http://127.0.0.1:${appPort}`;
  s3Url = `http://127.0.0.1:${s3Port}`;
  mkdirSync(join(dir, "secrets"), { mode: 0o700 });
  writeSecret("postgres-password", randomBytes(24).toString("hex"));
  writeSecret("redis-password", randomBytes(24).toString("hex"));
  writeSecret("session-secret", randomBytes(48).toString("base64url"));
  writeSecret("admin-password", owner.password);
  writeSecret(
    "s3-credentials",
    "[default]\naws_access_key_id = household\naws_secret_access_key = household-secret",
  );
  writeFileSync(
    join(dir, ".env"),
    [
      `FINTRACK_ADMIN_EMAIL=${owner.email}`,
      `FINTRACK_APP_IMAGE=${requiredEnv("FINTRACK_APP_IMAGE")}`,
      `FINTRACK_BACKUP_IMAGE=${requiredEnv("FINTRACK_BACKUP_IMAGE")}`,
      `FINTRACK_PORT=127.0.0.1:${appPort}`,
      `FINTRACK_BASE_URL=${appUrl}`,
      `BACKUP_S3_BUCKET=${bucket}`,
      "BACKUP_S3_ENDPOINT=http://s3:5000",
      "BACKUP_S3_FORCE_PATH_STYLE=true",
      "",
    ].join("\n"),
  );
  // The test's S3 server (moto), standing in for the household's bucket; not part of the sample.
  writeFileSync(
    join(dir, "compose.test.yaml"),
    [
      "services:",
      "  s3:",
      `    image: ${requiredEnv("S3_IMAGE")}`,
      "    profiles: [backup]",
      `    ports: ["127.0.0.1:${s3Port}:5000"]`,
      "  backup:",
      "    depends_on: [s3]",
      "",
    ].join("\n"),
  );
});

afterAll(() => {
  run(["--profile", "backup", "down", "--volumes", "--remove-orphans"], { allowFailure: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("samples/compose", () => {
  let ledger: LedgerCapture | undefined;
  let accountId = "";

  it("comes up: migrations done, PostgreSQL, Redis and the app healthy", () => {
    upAndWait();
    expect(states()).toEqual({
      postgres: "running/healthy",
      redis: "running/healthy",
      migrate: "exited",
      app: "running/healthy",
    });
  });

  it("lets the configured owner sign in and book a ledger through the API", async () => {
    const api = await signIn();
    accountId = await bookLedger(api);
    ledger = await captureLedger(api, accountId);
  });

  it("keeps the ledger across `docker compose restart`, which signs people out", async () => {
    const before = await signIn();
    run(["restart"]);
    upAndWait();
    // Redis keeps sessions in memory only: the old session is gone, the data is not.
    expect((await afterRestart(() => before.get("/accounts"))).status).toBe(401);
    const after = await signIn();
    expect(await captureLedger(after, accountId)).toEqual(ledger);
  });

  it("keeps the ledger across `down` and `up` (containers removed, the volume kept)", async () => {
    run(["down"]);
    expect(states()).toEqual({});
    upAndWait();
    expect(await captureLedger(await afterRestart(signIn), accountId)).toEqual(ledger);
  });

  it("stores a verified backup with the one-off backup service", async () => {
    run(["--profile", "backup", "up", "--detach", "--wait", "s3"]);
    expect(await createBucket()).toBe(200);
    const backup = run(["--profile", "backup", "run", "--rm", "backup"]);
    const result = JSON.parse(backup.stdout.trim().split("\n").at(-1) ?? "{}") as {
      key?: string;
      size?: number;
      verified?: boolean;
    };
    expect(result.key).toMatch(/^fintrack\/.+\.dump$/);
    expect(result.size).toBeGreaterThan(0);
    expect(result.verified).toBe(true);
    // The dump is in the bucket, under the prefix the sample sets.
    const listing = await (await fetch(`${s3Url}/${bucket}?list-type=2&prefix=fintrack/`)).text();
    expect(listing).toContain(`<Key>${result.key}</Key>`);
  });

  it("restores the backup into a new, empty volume, as the README's steps do", async () => {
    // The household's stack goes, its data volume too; the bucket (the test's S3 server) stays.
    run(["rm", "--stop", "--force", "app", "migrate", "redis", "postgres"]);
    const volume = `${project}_postgres-data`;
    expect(spawnSync("docker", ["volume", "rm", volume], { encoding: "utf8" }).status).toBe(0);
    run(["up", "--detach", "--wait", "postgres"]);
    const restore = run([
      "--profile",
      "backup",
      "run",
      "--rm",
      "backup",
      "restore",
      "--name",
      "latest",
    ]);
    expect(restore.stdout).toContain('"phase":"Restored"');
    upAndWait();
    expect(await captureLedger(await afterRestart(signIn), accountId)).toEqual(ledger);
  });

  it("removes containers, network and data with `down -v`", () => {
    run(["--profile", "backup", "down", "--volumes"]);
    expect(states()).toEqual({});
    const volumes = spawnSync("docker", ["volume", "ls", "--quiet"], { encoding: "utf8" }).stdout;
    expect(volumes).not.toContain(`${project}_postgres-data`);
  });
});
