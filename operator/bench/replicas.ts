// The operator replicas a benchmark runs: one (leader election off, as a lone replica works), or
// several sharing the tenants with --shards=auto. Each runs what the image runs, with the
// inspector open so its live heap can be measured, and its RSS sampled from /proc.
import { liveHeapBytes, inspectFlag } from "./live-heap.ts";
import { RssSampler, procStatusKiB, writeCounts, type WriteCounts } from "./support.ts";
import {
  metricValue,
  startOperatorProcess,
  type OperatorProcess,
} from "../test/harness/operator.ts";

export interface ReplicaOptions {
  count: number;
  watchNamespaces: string[];
  entry: string;
  nodeOptions: string;
  /** Names the shards' ring (their Leases); used only with more than one replica. */
  ring: string;
  env?: Record<string, string>;
}

/** Several operator processes seen as one: metrics summed, memory per process. */
export class Replicas {
  readonly processes: OperatorProcess[];
  readonly #samplers: RssSampler[];

  private constructor(processes: OperatorProcess[]) {
    this.processes = processes;
    this.#samplers = processes.map((p) => new RssSampler(p.pid));
  }

  /** Starts them all and waits until every one is ready (its caches synced). */
  static async start(options: ReplicaOptions): Promise<Replicas> {
    const sharded = options.count > 1;
    const processes = await Promise.all(
      Array.from({ length: options.count }, (_, i) =>
        startOperatorProcess({
          watchNamespaces: options.watchNamespaces,
          entry: options.entry,
          ...(sharded ? { leaseName: options.ring } : {}),
          env: {
            ...options.env,
            NODE_OPTIONS: `${options.nodeOptions} ${inspectFlag}`,
            ...(sharded ? { FINTRACK_SHARDS: "auto", POD_NAME: `${options.ring}-${i}` } : {}),
          },
        }),
      ),
    );
    const replicas = new Replicas(processes);
    for (const p of processes) {
      while (!(await fetch(`${p.healthUrl}/readyz`)).ok) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return replicas;
  }

  /** A metric summed over every replica. */
  async sum(name: string, labels: Record<string, string> = {}): Promise<number> {
    const values = await Promise.all(
      this.processes.map((p) => metricValue(p.metricsUrl, name, labels)),
    );
    return values.reduce((a, b) => a + b, 0);
  }

  /** A metric of each replica, in order. */
  each(name: string, labels: Record<string, string> = {}): Promise<number[]> {
    return Promise.all(this.processes.map((p) => metricValue(p.metricsUrl, name, labels)));
  }

  /** API writes of all replicas together (the sharder's label writes included). */
  async writes(): Promise<WriteCounts> {
    const all = await Promise.all(this.processes.map((p) => writeCounts(p.metricsUrl)));
    return all.reduce((a, b) => ({
      PATCH: a.PATCH + b.PATCH,
      POST: a.POST + b.POST,
      DELETE: a.DELETE + b.DELETE,
      total: a.total + b.total,
    }));
  }

  /** Each replica's RSS now, in KiB. */
  rssKiB(): (number | undefined)[] {
    return this.processes.map((p) =>
      p.pid === undefined ? undefined : procStatusKiB(p.pid, "VmRSS"),
    );
  }

  /** Each replica's peak RSS so far, in KiB; stops sampling. */
  peakRssKiB(): (number | undefined)[] {
    return this.#samplers.map((s) => s.stop());
  }

  /** Each replica's heap in use right after full collections, in bytes. */
  liveHeapBytes(): Promise<number[]> {
    return Promise.all(this.processes.map((p) => liveHeapBytes(p)));
  }

  /** The last lines each replica logged, for a failure report. */
  logTails(chars = 4000): string {
    return this.processes
      .map((p, i) => `--- replica ${i} ---\n${p.logs().slice(-chars)}`)
      .join("\n");
  }

  /** SIGTERM to all, SIGKILL to any that takes longer than 30 s. */
  async stop(): Promise<void> {
    for (const s of this.#samplers) s.stop();
    await Promise.all(
      this.processes.map(async (p) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => {
            resolve("timeout");
          }, 30_000);
        });
        const stopped = await Promise.race([p.stop(), timeout]);
        clearTimeout(timer);
        if (stopped === "timeout") await p.kill();
      }),
    );
  }
}
