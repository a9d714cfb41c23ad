import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { V1Container } from "@kubernetes/client-node";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  query,
  startPostgres,
  type PostgresServer,
} from "../../../../app/test/harness/postgres.ts";
import { freePort } from "../../../../app/test/harness/process.ts";
import { startRedis, type RedisServer } from "../../../../app/test/harness/redis.ts";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import type { Credentials } from "../../context.ts";
import { applySecretChange, newRotation } from "../../credentials-rotation.ts";
import { buildCredentialsSecret } from "./credentials.ts";
import { buildRotationJob } from "./rotation-jobs.ts";

/**
 * The rotation Jobs' scripts, run as their containers would run them (sh, psql, redis-cli, the
 * Secret's values as environment) against a real PostgreSQL that checks passwords and a real
 * Redis. The real node's end-to-end scenario runs them in their images, under traffic.
 */
describe("credentials rotation Jobs", () => {
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const work = mkdtempSync(join(tmpdir(), "fintrack-rotation-"));
  const tracker = aTracker();
  const started = () => {
    if (!postgres || !redis) throw new Error("the servers did not start");
    return { postgres, redis, redisPort: new URL(redis.url).port };
  };

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([
      startPostgres(undefined, { passwordAuth: true }),
      startRedis(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), redis?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs one container of the Job with the Secret's values; returns its exit code and message. */
  async function run(
    container: V1Container,
    secret: Record<string, string>,
    overrides: Record<string, string> = {},
  ) {
    const { postgres: pgServer, redisPort } = started();
    const local: Record<string, string> = {
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: redisPort,
      PGHOST: "127.0.0.1",
      PGPORT: String(pgServer.port),
      ...overrides,
    };
    const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
    for (const variable of container.env ?? []) {
      const key = variable.valueFrom?.secretKeyRef?.key;
      const value = local[variable.name] ?? (key ? secret[key] : variable.value);
      if (value === undefined) throw new Error(`${variable.name}: the Secret has no ${key ?? "?"}`);
      env[variable.name] = value;
    }
    const log = join(work, `${container.name}-${randomBytes(4).toString("hex")}.log`);
    const script = (container.command?.at(-1) ?? "").replaceAll("/dev/termination-log", log);
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn("sh", ["-c", script], { env: { ...env, HOME: work } });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (status) => {
        resolve({ status, stderr });
      });
    });
    let message = "";
    try {
      message = readFileSync(log, "utf8").trim();
    } catch {
      // The script wrote no message.
    }
    return { code: result.status, message, stderr: result.stderr };
  }

  const secretValues = (credentials: Credentials) =>
    Object.fromEntries(
      Object.entries(buildCredentialsSecret(tracker, credentials).data ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v, "base64").toString("utf8"),
      ]),
    );

  const redisAccepts = async (password: string) => {
    const client = new Redis({
      host: "127.0.0.1",
      port: Number(started().redisPort),
      password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const postgresAccepts = async (password: string) => {
    const client = new pg.Client({
      host: "127.0.0.1",
      port: started().postgres.port,
      user: "fintrack",
      database: "fintrack",
      password,
    });
    try {
      await client.connect();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "28P01") return false;
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it("adds, switches and retires passwords in PostgreSQL and Redis, and may run again", async () => {
    const { postgres: pgServer, redis: redisServer } = started();
    const oldRedis = decodeURIComponent(new URL(redisServer.url).password);
    const current: Credentials = {
      postgresPassword: randomBytes(24).toString("base64url"),
      redisPassword: oldRedis,
      sessionSecret: "s".repeat(48),
      adminPassword: "a".repeat(24),
    };
    await query(
      pgServer,
      "postgres",
      `create role fintrack login password '${current.postgresPassword}'`,
    );
    await query(pgServer, "postgres", "create database fintrack owner fintrack");
    const preparing: Credentials = { ...current, rotation: newRotation("r1", randomBytes) };
    const next = preparing.rotation;
    if (!next) throw new Error("no rotation");
    const ctx = aContext({ credentials: preparing });

    const prepare =
      buildRotationJob(tracker, ctx, "r1", "prepare").spec?.template.spec?.containers ?? [];
    expect(prepare.map((c) => c.name)).toEqual(["redis"]);
    for (const container of prepare) {
      // Redis reachable only after 3 s, as from a new pod the NetworkPolicy enforcer has not
      // seen yet (on the real node every first attempt failed): the step waits for it.
      const port = await freePort();
      const late = createServer((socket) => {
        const upstream = connect(Number(started().redisPort), "127.0.0.1");
        socket.pipe(upstream).pipe(socket);
        upstream.on("error", () => socket.destroy());
        socket.on("error", () => upstream.destroy());
      });
      const opening = setTimeout(() => late.listen(port, "127.0.0.1"), 3_000);
      const outcome = await run(container, secretValues(preparing), { REDIS_PORT: String(port) });
      clearTimeout(opening);
      late.close();
      expect(outcome, outcome.stderr).toMatchObject({
        code: 0,
        message: "Redis accepts the old and the new password",
      });
    }
    expect([await redisAccepts(oldRedis), await redisAccepts(next.redisPassword)]).toEqual([
      true,
      true,
    ]);

    const switched = applySecretChange(preparing, "switch", () => next, new Date());
    const finish =
      buildRotationJob(tracker, { ...ctx, credentials: switched }, "r1", "finish").spec?.template
        .spec?.containers ?? [];
    expect(finish.map((c) => c.name).sort()).toEqual(["postgres", "redis"]);
    // Twice: a retried pod (or a Job run again after an operator restart) must do no harm.
    for (const attempt of [1, 2]) {
      for (const container of finish) {
        const outcome = await run(container, secretValues(switched));
        expect(outcome, `attempt ${attempt}: ${outcome.stderr}`).toMatchObject({ code: 0 });
      }
    }
    expect(await redisAccepts(oldRedis)).toBe(false);
    expect(await redisAccepts(next.redisPassword)).toBe(true);
    expect(await postgresAccepts(current.postgresPassword)).toBe(false);
    expect(await postgresAccepts(next.postgresPassword)).toBe(true);
    // The plain password never reached PostgreSQL: it stores the verifier the operator computed.
    const { rows } = await query(
      pgServer,
      "postgres",
      "select rolpassword from pg_authid where rolname = 'fintrack'",
    );
    expect(rows[0]).toEqual({ rolpassword: next.postgresVerifier });

    // A PostgreSQL that knows neither password: the step fails and says so.
    await query(pgServer, "postgres", `alter role fintrack password 'something-else'`);
    const postgresStep = finish.find((c) => c.name === "postgres");
    if (!postgresStep) throw new Error("no postgres container");
    const failed = await run(postgresStep, secretValues(switched));
    expect(failed.code).toBe(1);
    expect(failed.message).toMatch(
      /^PostgreSQL accepts neither the old nor the new password: .*password authentication failed/,
    );
  });
});
