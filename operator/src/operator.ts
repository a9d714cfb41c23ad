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
import { withShardLabel } from "./sharding/labels.ts";
import { shardLeaseName } from "./sharding/members.ts";
import { Sharder } from "./sharding/sharder.ts";

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
  const countRequest = (method: string, code: number) => {
    metrics.restClientRequestsTotal.inc({ method, code: String(code), host });
  };
  const kubeApi = new KubeApi(kubeConfig, countRequest);

  let controller: Controller | undefined;
  let leading = !settings.FINTRACK_LEADER_ELECTION;
  const sharded = settings.FINTRACK_SHARDS === "auto";
  const servers = await startProbeServers({
    metricsPort: settings.FINTRACK_METRICS_PORT,
    healthPort: settings.FINTRACK_HEALTH_PORT,
    registry,
    // A standby replica is ready (it serves probes and waits); the leader once its caches synced.
    // A shard member is ready once its own tenants' caches synced.
    ready: () =>
      sharded ? (controller?.hasSynced() ?? false) : !leading || (controller?.hasSynced() ?? false),
  });

  const startController = async (shardMember?: string) => {
    const api = shardMember === undefined ? kubeApi : shardApi(shardMember);
    controller = new Controller({
      kubeConfig,
      api,
      settings,
      metrics,
      log,
      ...hooks,
      ...(shardMember === undefined ? {} : { shardMember }),
    });
    await controller.start();
  };
  // A shard's writes are logged (debug) with their path: who wrote which tenant, and when.
  const shardApi = (member: string) =>
    new KubeApi(
      kubeConfig,
      (method, code, path) => {
        countRequest(method, code);
        if (method !== "GET" && method !== "LIST")
          log.debug({ shard: member, method, code, path }, "shard write");
      },
      (o) => withShardLabel(o, member),
    );

  const identity = `${settings.POD_NAME}_${randomBytes(4).toString("hex")}`;
  const electors: LeaderElector[] = [];
  const elect = (
    name: string,
    what: string,
    start: () => Promise<void>,
    stop: () => Promise<void>,
  ): LeaderElector => {
    const elector: LeaderElector = new LeaderElector({
      kubeConfig,
      namespace: settings.FINTRACK_LEADER_ELECTION_NAMESPACE,
      name,
      identity,
      metrics,
      onStartedLeading: () => {
        log.info({ identity, lease: name }, `acquired the Lease; starting ${what}`);
        start().catch((error: unknown) => {
          log.fatal({ err: error }, `${what} failed to start`);
          process.exitCode = 1;
          void elector.release();
        });
      },
      onStoppedLeading: async () => {
        log.info({ identity, lease: name }, `lost or released the Lease; stopping ${what}`);
        await stop();
      },
      onNewLeader: (holder) => {
        if (holder !== identity)
          log.info({ holder, lease: name }, "another replica holds the Lease");
      },
      onError: (error) => {
        log.warn({ err: error, lease: name }, "Lease attempt failed");
      },
    });
    electors.push(elector);
    return elector;
  };

  let done: Promise<void>;
  let leader: LeaderElector | undefined;
  if (sharded) {
    // Every replica works on the tenants labelled with its name while it holds its own Lease;
    // the one that also holds the leader Lease assigns the tenants (sharding/sharder.ts).
    const ring = settings.FINTRACK_LEADER_ELECTION_NAME;
    let sharder: Sharder | undefined;
    const member = elect(
      shardLeaseName(ring, settings.POD_NAME),
      "the shard's controller",
      () => startController(settings.POD_NAME),
      async () => controller?.stop(),
    );
    leader = elect(
      ring,
      "the sharder",
      async () => {
        sharder = new Sharder({
          kubeConfig,
          api: kubeApi,
          namespaces: settings.FINTRACK_WATCH_NAMESPACES,
          leaseNamespace: settings.FINTRACK_LEADER_ELECTION_NAMESPACE,
          ring,
          metrics,
          log,
          silenceMs: settings.FINTRACK_WATCH_SILENCE_SECONDS * 1000,
        });
        await sharder.start();
      },
      async () => sharder?.stop(),
    );
    leading = true;
    // Either Lease lost ends the process, as losing leadership does unsharded.
    done = Promise.race([member.run(), leader.run()]);
  } else if (settings.FINTRACK_LEADER_ELECTION) {
    leader = elect(
      settings.FINTRACK_LEADER_ELECTION_NAME,
      "the controller",
      async () => {
        leading = true;
        await startController();
      },
      async () => controller?.stop(),
    );
    done = leader.run();
  } else {
    await startController();
    done = new Promise(() => undefined);
  }

  return {
    metrics,
    registry,
    servers,
    isLeader: () => leading && (leader?.isLeader() ?? true),
    done,
    stop: async () => {
      // The member's Lease goes last: its tenants move only once its controller has stopped.
      for (const elector of electors.reverse()) await elector.release();
      if (electors.length === 0) await controller?.stop();
      await servers.close();
    },
  };
}
