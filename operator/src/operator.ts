import { randomBytes } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { Settings } from "./config.ts";
import { Controller } from "./controller.ts";
import { KubeApi } from "./kube/api.ts";
import { LeaderElector } from "./kube/leader-election.ts";
import { createMetrics, defaultMetrics, type Metrics } from "./metrics.ts";
import { startProbeServers, type ProbeServers } from "./server.ts";

/** A running operator: probe servers, and the controller once this replica leads. */
export interface RunningOperator {
  metrics: Metrics;
  registry: Registry;
  servers: ProbeServers;
  isLeader: () => boolean;
  /** Resolves when leadership is lost or the operator stopped: the process should then exit. */
  done: Promise<void>;
  /** Graceful stop: finish in-flight reconciles, release the Lease for a fast hand-over. */
  stop: () => Promise<void>;
}

/**
 * Wires the operator from its settings and a KubeConfig: metrics -> API client -> probe
 * servers -> leader election -> controller. Never reads the environment itself.
 */
export async function startOperator(
  settings: Settings,
  kubeConfig: KubeConfig,
  log: Logger,
  hooks: { onWrite?: (what: string) => void } = {},
): Promise<RunningOperator> {
  const registry = new Registry();
  defaultMetrics(registry);
  const metrics = createMetrics(registry);
  const host = new URL(kubeConfig.getCurrentCluster()?.server ?? "https://unknown").host;
  const api = new KubeApi(kubeConfig, (method, code) => {
    metrics.restClientRequestsTotal.inc({ method, code: String(code), host });
  });

  let controller: Controller | undefined;
  let leading = !settings.FINTRACK_LEADER_ELECTION;
  const servers = await startProbeServers({
    metricsPort: settings.FINTRACK_METRICS_PORT,
    healthPort: settings.FINTRACK_HEALTH_PORT,
    registry,
    // A standby replica is ready (it serves probes and waits); the leader once its caches synced.
    ready: () => !leading || (controller?.hasSynced() ?? false),
  });

  const startController = async () => {
    controller = new Controller({ kubeConfig, api, settings, metrics, log, ...hooks });
    await controller.start();
  };

  let elector: LeaderElector | undefined;
  let done: Promise<void>;
  if (settings.FINTRACK_LEADER_ELECTION) {
    const identity = `${settings.POD_NAME}_${randomBytes(4).toString("hex")}`;
    elector = new LeaderElector({
      kubeConfig,
      namespace: settings.FINTRACK_LEADER_ELECTION_NAMESPACE,
      name: settings.FINTRACK_LEADER_ELECTION_NAME,
      identity,
      metrics,
      onStartedLeading: () => {
        leading = true;
        log.info({ identity }, "became leader; starting the controller");
        startController().catch((error: unknown) => {
          log.fatal({ err: error }, "the controller failed to start");
          process.exitCode = 1;
          void elector?.release();
        });
      },
      onStoppedLeading: async () => {
        log.info({ identity }, "stopped leading");
        await controller?.stop();
      },
      onNewLeader: (leader) => {
        if (leader !== identity) log.info({ leader }, "another replica leads");
      },
      onError: (error) => {
        log.warn({ err: error }, "leader election attempt failed");
      },
    });
    done = elector.run();
  } else {
    await startController();
    done = new Promise(() => undefined);
  }

  return {
    metrics,
    registry,
    servers,
    isLeader: () => leading && (elector?.isLeader() ?? true),
    done,
    stop: async () => {
      if (elector) await elector.release();
      else await controller?.stop();
      await servers.close();
    },
  };
}
