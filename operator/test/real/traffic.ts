import { kubectlAsync, runNodePod } from "./harness.ts";

/** What a traffic pod saw: answers by status, and the payees of writes that were acknowledged. */
export interface TrafficReport {
  total: number;
  statuses: Record<string, number>;
  /** 503 answers that lacked a Retry-After header (must be none). */
  unavailableWithoutRetryAfter: number;
  /** Requests that got no HTTP answer at all (connection refused or reset, timeout). */
  transportErrors: string[];
  acknowledged: string[];
}

/**
 * Runs steady API traffic from a pod in `fromNamespace` (one the app's NetworkPolicy admits, like
 * an ingress controller's) against `http://<service>.<namespace>.svc:8080` for `seconds`: reads,
 * and writes that book a transaction each with a unique payee, every `intervalMs` per worker.
 */
export async function runTraffic(options: {
  fromNamespace: string;
  podName: string;
  service: string;
  namespace: string;
  token: string;
  accountId: string;
  seconds: number;
  workers?: number;
  intervalMs?: number;
  /** Reads only (e.g. while Redis is away), or reads and writes. */
  writes?: boolean;
  /** Ends the traffic early once this settles (the report covers what was sent until then). */
  stop?: Promise<unknown>;
}): Promise<TrafficReport> {
  const { fromNamespace, podName, service, namespace, token, accountId, seconds } = options;
  const script = `
    const base = "http://${service}.${namespace}.svc:8080/api/v1";
    const headers = { authorization: "Bearer " + process.env.TOKEN, "content-type": "application/json" };
    const report = { total: 0, statuses: {}, unavailableWithoutRetryAfter: 0, transportErrors: [], acknowledged: [] };
    // Wait until the app answers this new pod (a NetworkPolicy enforcer admits its address once
    // it has seen the pod), then start the clock.
    async function warmUp() {
      for (let i = 0; i < 60; i++) {
        try { if ((await fetch(base + "/accounts", { headers })).status === 200) return; } catch {}
        await new Promise((r) => setTimeout(r, 500));
      }
      console.error("the app never answered this pod");
      process.exit(1);
    }
    let until = 0;
    let seq = 0;
    // runTraffic's stop: the workers finish their request in flight, and the report is printed.
    let stopped = false;
    process.on("SIGTERM", () => { stopped = true; until = 0; });
    async function worker(id) {
      while (Date.now() < until) {
        const write = ${options.writes !== false} && seq % 2 === 0;
        const payee = "traffic-" + process.env.RUN + "-" + id + "-" + (seq++);
        try {
          const response = write
            ? await fetch(base + "/transactions", { method: "POST", headers, signal: AbortSignal.timeout(15000),
                body: JSON.stringify({ accountId: process.env.ACCOUNT, date: "2026-02-01", amount: "-1.00", payee }) })
            : await fetch(base + "/accounts", { headers, signal: AbortSignal.timeout(15000) });
          await response.arrayBuffer();
          report.total++;
          report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
          if (response.status === 503 && !response.headers.get("retry-after")) report.unavailableWithoutRetryAfter++;
          if (write && response.status === 201) report.acknowledged.push(payee);
        } catch (error) {
          report.total++;
          report.transportErrors.push(String(error.cause?.code ?? error.name ?? error));
        }
        await new Promise((r) => setTimeout(r, ${options.intervalMs ?? 100}));
      }
    }
    warmUp().then(() => {
      until = stopped ? 0 : Date.now() + ${seconds * 1000};
      return Promise.all(Array.from({ length: ${options.workers ?? 4} }, (_, i) => worker(i)));
    }).then(() => {
      console.log(JSON.stringify(report));
    });
  `;
  void options.stop?.then(() =>
    // node is the container's PID 1, which gets no default SIGTERM handling: the script's own
    // handler is what ends it.
    kubectlAsync([
      "exec",
      "-n",
      fromNamespace,
      podName,
      "--",
      "node",
      "-e",
      "process.kill(1, 'SIGTERM')",
    ]).catch(() => undefined),
  );
  const outcome = await runNodePod(fromNamespace, podName, script, {
    env: { TOKEN: token, ACCOUNT: accountId, RUN: podName },
    timeoutMs: (seconds + 180) * 1000,
  });
  const line = outcome.logs.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as TrafficReport;
  } catch {
    throw new Error(
      `the traffic pod printed no report (exit ${outcome.exitCode}): ${outcome.logs.slice(-2000)}`,
    );
  }
}
