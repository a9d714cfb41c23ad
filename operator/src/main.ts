// The operator's entry point: settings -> logger -> kubeconfig -> startOperator; SIGTERM -> stop.
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { loadSettings } from "./config.ts";
import { startOperator } from "./operator.ts";

const settings = (() => {
  try {
    return loadSettings(process.env, process.argv.slice(2));
  } catch (error) {
    // Configuration mistakes get a plain message, not a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
})();
const log = pino({
  level: settings.LOG_LEVEL,
  base: { component: "fintrack-operator", pod: settings.POD_NAME },
  redact: {
    paths: ["*.password", "*.token", "*.data", "*.stringData", "*.authorization"],
    censor: "[redacted]",
  },
});
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();

const operator = await startOperator(settings, kubeConfig, log);
log.info(
  { metricsPort: operator.servers.metricsPort, healthPort: operator.servers.healthPort },
  "operator started",
);

const state = { stopping: false };
const shutdown = (signal: string) => {
  if (state.stopping) return;
  state.stopping = true;
  log.info({ signal }, "shutting down: finishing in-flight work and releasing leadership");
  operator.stop().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      log.error({ err: error }, "unclean shutdown");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", () => {
  shutdown("SIGTERM");
});
process.on("SIGINT", () => {
  shutdown("SIGINT");
});
await operator.done;
if (!state.stopping) {
  log.error("lost leadership; exiting so a fresh process campaigns again");
  process.exit(1);
}
