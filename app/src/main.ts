// The app's entry point: config -> logger -> servers; SIGTERM -> fail readiness and drain.
// With neither DATABASE_URL nor REDIS_URL it runs the demo (`make demo`): an embedded PostgreSQL
// under .data/ seeded with a demo household, and in-memory stores instead of Redis.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { demoEnvironment, localToday, runMode } from "./demo/mode.ts";
import { ABORT_MS, startServer, type RunningServer } from "./server.ts";

const mode = runMode(process.env);
if (mode.kind === "invalid") {
  console.error(mode.message);
  process.exit(2);
}
const demo = mode.kind === "demo";
if (demo) process.env.NODE_ENV = "development"; // for the libraries that read it themselves

const loaded = (() => {
  try {
    return loadConfig(demo ? demoEnvironment(process.env) : process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const log = pino({
  level: loaded.logLevel,
  base: { component: "fintrack-app" },
  redact: {
    paths: ["req.headers.cookie", "req.headers.authorization", "*.password", "*.token", "*.secret"],
    censor: "[redacted]",
  },
});

let database: { stop: () => Promise<void> } | undefined;
let running: RunningServer | undefined;
let stopping: Promise<void> | undefined;
const stop = (signal: string) => {
  stopping ??= (async () => {
    log.info(
      { signal },
      "draining: readiness fails, new requests are still answered for SHUTDOWN_DELAY_SECONDS, in-flight ones get SHUTDOWN_DRAIN_SECONDS to finish",
    );
    // The drain is bounded step by step; this bounds the whole, should a close itself hang (a
    // frozen dependency), so the process still ends before the pod's grace period does.
    const backstop = loaded.shutdownDelayMs + loaded.shutdownDrainMs + ABORT_MS + 2000;
    setTimeout(() => {
      log.error({ afterMs: backstop }, "unclean shutdown: the drain did not end in time");
      process.exit(1);
    }, backstop).unref();
    const { abandoned } = (await running?.shutdown()) ?? { abandoned: 0 };
    await database?.stop();
    return abandoned;
  })().then(
    (abandoned) => {
      if (abandoned > 0) log.error({ abandoned }, "unclean shutdown: work was still running");
      process.exit(abandoned > 0 ? 1 : 0);
    },
    (error: unknown) => {
      log.error({ err: error }, "unclean shutdown");
      process.exit(1);
    },
  );
};
const signals: NodeJS.Signals[] = demo ? ["SIGTERM", "SIGINT", "SIGHUP"] : ["SIGTERM", "SIGINT"];
for (const signal of signals) {
  process.on(signal, () => {
    stop(signal);
  });
}

/** Exits with `message` on stderr, stopping the demo's PostgreSQL first. */
async function fail(message: string): Promise<never> {
  console.error(message);
  await database?.stop();
  process.exit(1);
}

/** Reads the demo's session secret, creating it (readable by us alone) on the first run. */
function demoSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const secret = randomBytes(32).toString("hex");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

let config: Config = loaded;
const dataDir = join(fileURLToPath(new URL("../../", import.meta.url)), ".data", "postgres");
if (demo) {
  try {
    const { startDemoDatabase } = await import("./demo/start.ts");
    const db = await startDemoDatabase({ dataDir, today: localToday(), log });
    database = db;
    // The secret also seals two-factor secrets stored in the database, so it must outlive the
    // process: kept beside the demo's data, created on the first run.
    config = {
      ...config,
      databaseUrl: db.url,
      sessionSecret: config.sessionSecret ?? demoSecret(join(dataDir, "..", "session-secret")),
    };
  } catch (error) {
    await fail(
      `the demo could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

try {
  running = await startServer(config, log, { stores: demo ? "memory" : "redis" });
} catch (error) {
  const inUse = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
  if (!inUse) throw error;
  const port = "port" in error ? String(error.port) : "";
  await fail(
    `port ${port} is already in use: set PORT (the app) or METRICS_PORT (metrics) to a free one`,
  );
}
log.info(
  {
    host: config.host ?? "all interfaces",
    port: config.port,
    metricsPort: config.metricsPort,
    demo,
  },
  "fintrack app listening",
);
if (demo) {
  const { demoBanner } = await import("./demo/start.ts");
  // After the log lines written so far, so the banner is the last thing on the screen.
  await new Promise<void>((resolve) => {
    log.flush(() => {
      resolve();
    });
  });
  process.stdout.write(`${demoBanner({ appUrl: `http://localhost:${config.port}`, dataDir })}\n`);
}
