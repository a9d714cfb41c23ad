// The app's entry point: config -> logger -> servers; SIGTERM -> fail readiness and drain.
import { pino } from "pino";
import { ConfigError, loadConfig } from "./config.ts";
import { startServer } from "./server.ts";

const config = (() => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const log = pino({
  level: config.logLevel,
  base: { component: "fintrack-app" },
  redact: {
    paths: ["req.headers.cookie", "req.headers.authorization", "*.password", "*.token", "*.secret"],
    censor: "[redacted]",
  },
});

const running = await startServer(config, log);
log.info({ port: config.port, metricsPort: config.metricsPort }, "fintrack app listening");

const state = { stopping: false };
const stop = (signal: string) => {
  if (state.stopping) return;
  state.stopping = true;
  log.info({ signal }, "draining: readiness fails, in-flight requests finish (25 s at most)");
  running.shutdown().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error({ err: error }, "unclean shutdown");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", () => {
  stop("SIGTERM");
});
process.on("SIGINT", () => {
  stop("SIGINT");
});
