// The whole product end to end, in real containers: the scenario `make e2e` runs on the real node
// (hack/e2e.sh) and `make kind-test` on kind (hack/kind-test.sh). Steps run in order and later
// ones build on earlier ones; the first failure stops the run (vitest.config.ts: bail), and
// hack/e2e.sh then prints the cluster's diagnostics.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { labelKeys } from "../../src/names.ts";
import {
  describeTracker,
  e2e,
  getJson,
  kubectl,
  kubectlAsync,
  helm,
  patchTracker,
  patchTrackerJson,
  portForward,
  restrictedNamespace,
  rolloutStatus,
  runNodePod,
  tcpProbeScript,
  tracker,
  waitReady,
} from "./harness.ts";
import {
  apply,
  bookLedger,
  captureLedger,
  expectStatus,
  ownerLogin,
  sample,
  signedIn,
} from "./tenant.ts";
import {
  alertNames,
  monitoring,
  panelQueries,
  prometheusApi,
  prometheusObjects,
} from "./monitoring.ts";
import { runTraffic } from "./traffic.ts";
import { bookAndReportInBrowser } from "./ui.ts";

const operatorNamespace = "fintrack-system";
// Namespaces the app's NetworkPolicy admits by default (FINTRACK_INGRESS/MONITORING_NAMESPACE_LABELS).
const ingressNamespace = "ingress-nginx";
const monitoringNamespace = "monitoring";
const strangerNamespace = "e2e-stranger";
const storageNamespace = "storage";
const fullNamespace = "e2e-full";
const tenantNamespace = "e2e-acme";
const upgradeNamespace = "e2e-upgrade";

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { nodeName?: string };
    status: {
      phase?: string;
      podIP?: string;
      containerStatuses?: {
        name: string;
        ready: boolean;
        restartCount: number;
        state?: Record<string, unknown>;
      }[];
    };
  }[];
}

function pods(namespace: string, selector: string): PodList["items"] {
  return getJson<PodList>(["pods", "-n", namespace, "-l", selector]).items;
}

function podIp(namespace: string, selector: string): string {
  const ip = pods(namespace, selector).find((p) => p.status.phase === "Running")?.status.podIP;
  if (!ip) throw new Error(`no running pod ${selector} in ${namespace}`);
  return ip;
}

/**
 * Probes TCP targets from one pod with `labels` in `namespace`, all at once; returns "open" or
 * "closed: why" for each, in order.
 */
async function reach(
  namespace: string,
  targets: readonly (readonly [host: string, port: number])[],
  labels: Record<string, string> = {},
): Promise<string[]> {
  const name = `probe-${namespace}-${String(Date.now() % 100000)}`;
  const outcome = await runNodePod(namespace, name, tcpProbeScript(targets), { labels });
  const results = outcome.logs.trim().split("\n").slice(-targets.length);
  if (results.length !== targets.length) throw new Error(`probe printed: ${outcome.logs}`);
  return results;
}

/** What later steps need of the minimal tenant: the ledger's account, a separate account the
 * traffic pods book into (so the ledger keeps adding up), an API token and the owner's login. */
const state: {
  accountId?: string;
  trafficAccountId?: string;
  token?: string;
  login?: { email: string; password: string };
} = {};

describe("the operator", () => {
  it("installs with helm from the images just built: 2 replicas, one of which leads", async () => {
    // The chart brings the CRDs (crds/) and the restricted namespace, as config/default does.
    await helm([
      "install",
      operatorRelease,
      operatorChart,
      "--namespace",
      operatorNamespace,
      "--create-namespace",
      "--take-ownership",
      ...operatorValues(),
    ]);
    rolloutStatus(operatorNamespace, "fintrack-operator");
    const running = pods(operatorNamespace, "app.kubernetes.io/name=fintrack-operator").filter(
      (p) => p.status.containerStatuses?.every((c) => c.ready),
    );
    expect(running).toHaveLength(2);
    const holder = await eventually("the operator's Lease to have a holder", leaderPod);
    expect(running.map((p) => p.metadata.name)).toContain(holder);
    for (const ns of [ingressNamespace, monitoringNamespace, strangerNamespace, storageNamespace])
      restrictedNamespace(ns);
    if (monitoring.enabled) {
      // Prometheus starts now and scrapes all along; the step "monitoring" below asks it.
      kubectl(
        ["apply", "-f", "-"],
        JSON.stringify({
          apiVersion: "v1",
          kind: "List",
          items: prometheusObjects([operatorNamespace, tenantNamespace], [operatorNamespace]),
        }),
      );
    }
  });
});

describe("an S3 server in the cluster", () => {
  it("serves the bucket the tenants back up to", async () => {
    apply(
      storageNamespace,
      readFileSync(join(repoRoot, "hack/e2e/s3.yaml"), "utf8").replaceAll(
        "@S3_IMAGE@",
        e2e.images.s3,
      ),
    );
    rolloutStatus(storageNamespace, "minio");
    const bucket = await runNodePod(
      storageNamespace,
      "create-bucket",
      `
    // A Service created a moment ago may not be routed on the node yet: retry for a minute.
    (async () => {
      for (let i = 0; ; i++) {
        try {
          const r = await fetch("http://minio.storage.svc:9000/acme-fintrack-backups", { method: "PUT", signal: AbortSignal.timeout(5000) });
          console.log(r.status, await r.text());
          process.exit(r.ok ? 0 : 1);
        } catch (error) {
          if (i >= 12) throw error;
          await new Promise((r) => setTimeout(r, 5000));
        }
      }
    })();
  `,
    );
    expect(bucket.exitCode, bucket.logs).toBe(0);
  });
});

/** The major upgrades of the `ledger` tenant, run beside the steps that follow. */
let upgrades: Promise<UpgradeRecord[]> | undefined;

describe("a tenant on PostgreSQL 15", () => {
  it("is created, and upgraded to 16, 17 and 18 while the steps below run", () => {
    restrictedNamespace(upgradeNamespace);
    kubectl([
      "create",
      "secret",
      "generic",
      "ledger-s3",
      "-n",
      upgradeNamespace,
      "--from-literal=AWS_ACCESS_KEY_ID=e2e",
      "--from-literal=AWS_SECRET_ACCESS_KEY=e2e-secret",
    ]);
    apply(upgradeNamespace, ledgerTenant(15));
    upgrades = upgradeLedger();
    // Awaited (and its failure reported) by the step "PostgreSQL major upgrades" below.
    upgrades.catch(() => undefined);
  });
});

describe("samples/full.yaml", () => {
  it("runs to Ready in a restricted namespace (adapted: no cert-manager, the bucket in the cluster)", async () => {
    restrictedNamespace(fullNamespace);
    // Adapted where the sample names infrastructure this cluster lacks: there is no cert-manager
    // (so no TLS block), and its bucket is the scenario's S3 server.
    apply(
      fullNamespace,
      sample("full.yaml", (doc) => {
        const spec = doc.spec as {
          ingress: { tls?: unknown };
          backup: { destination: { s3: { endpoint: string } } };
        };
        delete spec.ingress.tls;
        spec.backup.destination.s3.endpoint = "http://minio.storage.svc:9000";
      }),
    );
    await waitReady(fullNamespace, "acme-full");
    const ingress = getJson<{ spec: { rules: { host: string }[] } }>([
      "ingress",
      "acme-full-app",
      "-n",
      fullNamespace,
    ]);
    expect(ingress.spec.rules[0]?.host).toBe("money.acme.example");
    // Ready means every part serves; the rollout completes when the HPA's minimum of 3 runs.
    await eventually(
      "3 ready app pods (the HPA's minimum) and the rollout complete",
      () => {
        const app = pods(
          fullNamespace,
          "app.kubernetes.io/instance=acme-full,app.kubernetes.io/component=app",
        ).filter((p) => p.status.containerStatuses?.every((c) => c.ready));
        const progressing = tracker(fullNamespace, "acme-full").status?.conditions?.find(
          (c) => c.type === "Progressing",
        );
        if (app.length < 3 || progressing?.status !== "False") {
          throw new Error(`${app.length} ready; ${describeTracker(fullNamespace, "acme-full")}`);
        }
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
  });

  it("serves its UI at its host name: the owner signs in, books transactions and sees them in a report", async () => {
    const login = ownerLogin(fullNamespace, "acme-full", "finance@acme.example");
    await bookAndReportInBrowser({
      namespace: fullNamespace,
      name: "acme-full",
      host: "money.acme.example",
      login,
    });
  });

  it("is deleted with its namespace", () => {
    kubectl(["delete", "namespace", fullNamespace, "--wait=true", "--timeout=5m"]);
  });
});

describe("a tenant whose parts cannot run says why", () => {
  it("names a pending pod's scheduling problem and a crash-looping container's last termination", async () => {
    const ns = "e2e-broken";
    restrictedNamespace(ns);
    apply(
      ns,
      sample("minimal.yaml", (doc) => {
        (doc.metadata as { name: string }).name = "unschedulable";
        (doc.spec as Record<string, unknown>).app = {
          adminEmail: "owner@acme.example",
          replicas: 1,
          resources: { requests: { cpu: "64" } },
        };
      }),
    );
    apply(
      ns,
      sample("minimal.yaml", (doc) => {
        (doc.metadata as { name: string }).name = "crashing";
        // An image without the app in it: its migrate container cannot start.
        (doc.spec as Record<string, unknown>).app = {
          adminEmail: "owner@acme.example",
          replicas: 1,
          image: "postgres:18-alpine",
        };
      }),
    );
    await eventually(
      "the unschedulable tenant to name the scheduler's reason",
      () => {
        const text = describeTracker(ns, "unschedulable");
        if (!text.includes("Insufficient cpu")) throw new Error(text);
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    await eventually(
      "the crashing tenant to name its container's failure",
      () => {
        const text = describeTracker(ns, "crashing");
        if (!text.includes("migrate") || !text.includes("npm")) throw new Error(text);
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    expect(
      tracker(ns, "crashing").status?.conditions?.find((c) => c.type === "Ready")?.status,
    ).toBe("False");
    kubectl(["delete", "namespace", ns, "--wait=false"]);
  });
});

describe("samples/minimal.yaml", () => {
  it("runs to Ready in a restricted namespace, every container real and running", async () => {
    restrictedNamespace(tenantNamespace);
    apply(tenantNamespace, sample("minimal.yaml"));
    await waitReady(tenantNamespace, "acme");
    // Ready means every part serves, which one app replica of two already does: the rollout
    // completes a moment later.
    rolloutStatus(tenantNamespace, "acme-app");
    const all = pods(tenantNamespace, "app.kubernetes.io/instance=acme");
    const running = all.filter((p) => p.status.phase === "Running");
    expect(running.map((p) => p.metadata.labels?.["app.kubernetes.io/component"]).sort()).toEqual([
      "app",
      "app",
      "postgres",
      "redis",
    ]);
    if (e2e.substrate === "real-node") {
      for (const p of running) expect(p.spec.nodeName, p.metadata.name).toBe("fintrack-node");
    }
  });

  it("lets its owner sign in and book a ledger through the API", async () => {
    state.login = ownerLogin(tenantNamespace, "acme", "owner@acme.example");
    const { api, forward } = await signedIn(tenantNamespace, "acme", state.login);
    try {
      state.accountId = await bookLedger(api);
      await captureLedger(api, state.accountId);
      const traffic = await expectStatus(
        api.post<{ id: string }>("/accounts", {
          name: "Traffic",
          type: "cash",
          currency: "EUR",
          openingDate: "2026-01-01",
        }),
        201,
      );
      state.trafficAccountId = traffic.id;
      const created = await expectStatus(
        api.post<{ token: string }>("/tokens", { name: "e2e traffic", scope: "write" }),
        201,
      );
      state.token = created.token;
    } finally {
      forward.close();
    }
  });
});

describe("NetworkPolicies, enforced", () => {
  const db = `acme-postgres.${tenantNamespace}.svc`;
  const cache = `acme-redis.${tenantNamespace}.svc`;
  const app = `acme-app.${tenantNamespace}.svc`;

  it("let the tenant's app reach its PostgreSQL and Redis", () => {
    const appPod = pods(
      tenantNamespace,
      "app.kubernetes.io/instance=acme,app.kubernetes.io/component=app",
    )[0];
    if (!appPod) throw new Error("no app pod");
    for (const [host, port] of [
      [db, 5432],
      [cache, 6379],
    ] as const) {
      const out = kubectl([
        "exec",
        "-n",
        tenantNamespace,
        appPod.metadata.name,
        "-c",
        "app",
        "--",
        "node",
        "-e",
        tcpProbeScript([[host, port]]),
      ]);
      expect(out.trim(), `${host}:${port} from the app`).toBe("open");
    }
  });

  it("keep a pod of another namespace away from PostgreSQL, Redis and the app", async () => {
    const postgresIp = podIp(
      tenantNamespace,
      "app.kubernetes.io/instance=acme,app.kubernetes.io/component=postgres",
    );
    // By pod address too: a policy must not depend on the Service.
    const results = await reach(strangerNamespace, [
      [db, 5432],
      [cache, 6379],
      [app, 8080],
      [postgresIp, 5432],
    ]);
    for (const [i, target] of ["PostgreSQL", "Redis", "app", "PostgreSQL's pod"].entries()) {
      expect(results[i], target).toMatch(/^closed/);
    }
  });

  it("admit the ingress controller's namespace to the app, and monitoring to its metrics only", async () => {
    const appIp = podIp(
      tenantNamespace,
      "app.kubernetes.io/instance=acme,app.kubernetes.io/component=app",
    );
    const [fromIngress, fromMonitoring] = await Promise.all([
      reach(ingressNamespace, [
        [app, 8080],
        [db, 5432],
      ]),
      reach(monitoringNamespace, [
        [appIp, 9090],
        [appIp, 8080],
      ]),
    ]);
    expect(fromIngress[0], "the app from the ingress controller's namespace").toBe("open");
    expect(fromIngress[1], "PostgreSQL from the ingress controller's namespace").toMatch(/^closed/);
    expect(fromMonitoring[0], "metrics from monitoring").toBe("open");
    expect(fromMonitoring[1], "the app's HTTP port from monitoring").toMatch(/^closed/);
  });
});

// Day 2, on the tenant samples/minimal.yaml made: faults, autoscaling, backups, deletion.
describe("faults with real pods", () => {
  it("keeps serving while PostgreSQL is deleted: 503 with Retry-After meanwhile, no acknowledged write lost", async () => {
    const { token, trafficAccountId: accountId } = requireState();
    const traffic = runTraffic({
      fromNamespace: ingressNamespace,
      podName: "traffic-db",
      service: "acme-app",
      namespace: tenantNamespace,
      token,
      accountId,
      seconds: 65,
    });
    await sleep(20_000);
    await kubectlAsync(["delete", "pod", "acme-postgres-0", "-n", tenantNamespace, "--wait=false"]);
    const report = await traffic;
    expect(report.transportErrors, "requests without an HTTP answer").toEqual([]);
    expect(report.unavailableWithoutRetryAfter).toBe(0);
    expect(
      Object.keys(report.statuses).every((s) => ["200", "201", "503"].includes(s)),
      JSON.stringify(report.statuses),
    ).toBe(true);
    await waitReady(tenantNamespace, "acme");
    await expectAcknowledgedOnce(report.acknowledged);
  });

  it("signs people out, and nothing else, when Redis is deleted", async () => {
    const { login } = requireState();
    const { api, forward } = await signedIn(tenantNamespace, "acme", login);
    try {
      expect((await api.get("/accounts")).status).toBe(200);
      kubectl([
        "delete",
        "pod",
        "-n",
        tenantNamespace,
        "-l",
        "app.kubernetes.io/instance=acme,app.kubernetes.io/component=redis",
        "--wait=true",
      ]);
      rolloutStatus(tenantNamespace, "acme-redis");
      const after = await eventually(
        "the app to answer again after Redis came back",
        async () => {
          const response = await api.get("/accounts");
          if (response.status === 503) throw new Error("503");
          return response.status;
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      expect(after).toBe(401);
    } finally {
      forward.close();
    }
    const again = await signedIn(tenantNamespace, "acme", login);
    try {
      await captureLedger(again.api, requireState().accountId);
    } finally {
      again.forward.close();
    }
  });

  it("rolls the app out under steady traffic with zero failed requests, the operator leader killed midway", async () => {
    const { token, trafficAccountId: accountId } = requireState();
    const traffic = runTraffic({
      fromNamespace: ingressNamespace,
      podName: "traffic-rollout",
      service: "acme-app",
      namespace: tenantNamespace,
      token,
      accountId,
      seconds: 80,
      intervalMs: 50,
    });
    await sleep(20_000);
    // A spec change that rolls every app pod: a new pod template annotation through the image.
    patchTracker(tenantNamespace, "acme", { spec: { app: { image: e2e.images.appRollout } } });
    await sleep(3_000);
    await kubectlAsync([
      "delete",
      "pod",
      leaderPod(),
      "-n",
      operatorNamespace,
      "--grace-period=0",
      "--force",
    ]);
    const report = await traffic;
    expect(report.transportErrors, "requests without an HTTP answer").toEqual([]);
    expect(report.statuses, "every request answered 200 or 201").toEqual(
      Object.fromEntries(
        Object.entries(report.statuses).filter(([s]) => s === "200" || s === "201"),
      ),
    );
    await waitReady(tenantNamespace, "acme");
    const images = pods(
      tenantNamespace,
      "app.kubernetes.io/instance=acme,app.kubernetes.io/component=app",
    ).map(
      (p) =>
        getJson<{ spec: { containers: { image: string }[] } }>([
          "pod",
          p.metadata.name,
          "-n",
          tenantNamespace,
        ]).spec.containers[0]?.image,
    );
    expect(new Set(images)).toEqual(new Set([e2e.images.appRollout]));
    await expectAcknowledgedOnce(report.acknowledged);
  });

  it("rotates its PostgreSQL and Redis passwords on request under steady traffic with zero failed requests", async () => {
    const { token, trafficAccountId: accountId } = requireState();
    interface Credentials {
      data: Record<string, string>;
    }
    const secret = () =>
      getJsonAsync<Credentials>(["secret", "acme-credentials", "-n", tenantNamespace]);
    const decoded = (s: Credentials, key: string) =>
      Buffer.from(s.data[key] ?? "", "base64").toString("utf8");
    const before = await secret();
    const redisPod = () =>
      pods(
        tenantNamespace,
        "app.kubernetes.io/instance=acme,app.kubernetes.io/component=redis",
      ).map((p) => p.metadata.name);
    const redisBefore = redisPod();
    const started = Date.now();
    const rotated = (async () => {
      await sleep(10_000);
      await kubectlAsync([
        "annotate",
        "financetracker",
        "acme",
        "-n",
        tenantNamespace,
        "--overwrite",
        "fintrack.dev/rotate-credentials=e2e-first",
      ]);
      await eventually(
        "the rotation done",
        async () => {
          const tracker = await getJsonAsync<{
            status?: {
              credentials?: { rotation?: { phase: string }; lastRotation?: { request: string } };
            };
          }>(["financetracker", "acme", "-n", tenantNamespace]);
          const credentials = tracker.status?.credentials;
          if (credentials?.lastRotation?.request !== "e2e-first") {
            throw new Error(JSON.stringify(credentials));
          }
        },
        { timeoutMs: 420_000, intervalMs: 2_000 },
      );
      // A few more seconds of traffic on the new passwords alone.
      await sleep(5_000);
    })();
    const traffic = runTraffic({
      fromNamespace: ingressNamespace,
      podName: "traffic-rotation",
      service: "acme-app",
      namespace: tenantNamespace,
      token,
      accountId,
      seconds: 480,
      intervalMs: 50,
      stop: rotated,
    });
    await rotated;
    const report = await traffic;
    console.log(
      `credentials rotation: ${String(Math.round((Date.now() - started) / 1000))} s, ${String(report.total)} requests, ${JSON.stringify(report.statuses)}`,
    );
    expect(report.transportErrors, "requests without an HTTP answer").toEqual([]);
    expect(report.statuses, "every request answered 200 or 201").toEqual(
      Object.fromEntries(
        Object.entries(report.statuses).filter(([s]) => s === "200" || s === "201"),
      ),
    );
    await expectAcknowledgedOnce(report.acknowledged);

    const after = await secret();
    for (const key of ["postgres-password", "redis-password"]) {
      expect(decoded(after, key), key).not.toBe(decoded(before, key));
    }
    expect(Object.keys(after.data).filter((k) => /previous|next|verifier/.test(k))).toEqual([]);
    // From an app pod: the new passwords open PostgreSQL and Redis, the old ones nothing.
    const appPod = pods(
      tenantNamespace,
      "app.kubernetes.io/instance=acme,app.kubernetes.io/component=app",
    )[0];
    if (!appPod) throw new Error("no app pod");
    const check = `
      const pg = require("pg");
      const db = new URL(process.env.DATABASE_URL);
      const cache = new URL(process.env.REDIS_URL);
      async function postgres(password) {
        const client = new pg.Client({ host: db.hostname, port: Number(db.port), user: db.username,
          database: db.pathname.slice(1), password, connectionTimeoutMillis: 5000 });
        try { await client.connect(); await client.end(); return "opens"; }
        catch (e) { return e.code === "28P01" ? "refused" : "error: " + e.message; }
      }
      // One AUTH in Redis' own protocol: "+OK" or "-WRONGPASS", nothing a client library
      // might turn into a closed connection.
      function redis(password) {
        return new Promise((resolve) => {
          const socket = require("net").connect(Number(cache.port), cache.hostname);
          let answer = "";
          socket.setTimeout(5000, () => { socket.destroy(); resolve("error: timeout"); });
          socket.on("error", (e) => resolve("error: " + e.message));
          socket.on("data", (chunk) => {
            answer += chunk;
            if (!answer.includes("\\r\\n")) return;
            socket.destroy();
            resolve(answer.startsWith("+OK") ? "opens" : /WRONGPASS/.test(answer) ? "refused" : "error: " + answer);
          });
          socket.write("*2\\r\\n$4\\r\\nAUTH\\r\\n$" + Buffer.byteLength(password) + "\\r\\n" + password + "\\r\\n");
        });
      }
      (async () => console.log(JSON.stringify({
        postgres: [await postgres(decodeURIComponent(db.password)), await postgres(${JSON.stringify(decoded(before, "postgres-password"))})],
        redis: [await redis(decodeURIComponent(cache.password)), await redis(${JSON.stringify(decoded(before, "redis-password"))})],
      })))();`;
    const opened = JSON.parse(
      await kubectlAsync([
        "exec",
        "-n",
        tenantNamespace,
        appPod.metadata.name,
        "-c",
        "app",
        "--",
        "node",
        "-e",
        check,
      ]),
    ) as unknown;
    expect(opened).toEqual({ postgres: ["opens", "refused"], redis: ["opens", "refused"] });
    // Redis was never restarted: nobody was signed out by the rotation.
    expect(redisPod()).toEqual(redisBefore);
    await waitReady(tenantNamespace, "acme");
  });
});

describe("autoscaling on real CPU metrics", () => {
  it("hands the replica count to the HPA without dropping below the running replicas, then scales up under load", async () => {
    const { token, trafficAccountId: accountId } = requireState();
    const seen: number[] = [];
    const watching = { on: true };
    const watcher = (async () => {
      while (watching.on) {
        const out = await kubectlAsync([
          "get",
          "deployment",
          "acme-app",
          "-n",
          tenantNamespace,
          "-o",
          "jsonpath={.spec.replicas}",
        ]);
        seen.push(Number(out));
        await sleep(250);
      }
    })();
    patchTracker(tenantNamespace, "acme", {
      spec: {
        app: {
          autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 20 },
        },
      },
    });
    await waitReady(tenantNamespace, "acme");
    // Load until the HPA has scaled (at most 4 minutes), not a fixed window.
    let scaledUp = (): void => undefined;
    const load = runTraffic({
      fromNamespace: ingressNamespace,
      podName: "traffic-load",
      service: "acme-app",
      namespace: tenantNamespace,
      token,
      accountId,
      seconds: 240,
      workers: 16,
      intervalMs: 0,
      writes: false,
      stop: new Promise<void>((resolve) => {
        scaledUp = resolve;
      }),
    });
    const scaled = await eventually(
      "the HPA to scale the app above 2 replicas",
      () => {
        const hpa = getJson<{
          status?: { desiredReplicas?: number; currentMetrics?: unknown[] };
        }>(["hpa", "acme-app", "-n", tenantNamespace]);
        if ((hpa.status?.desiredReplicas ?? 0) <= 2) throw new Error(JSON.stringify(hpa.status));
        return hpa.status?.desiredReplicas ?? 0;
      },
      { timeoutMs: 240_000, intervalMs: 5_000 },
    );
    scaledUp();
    watching.on = false;
    await watcher;
    const report = await load;
    expect(report.total, "requests sent under load").toBeGreaterThan(0);
    expect(scaled).toBeGreaterThan(2);
    expect(Math.min(...seen), `replicas seen: ${seen.join(",")}`).toBeGreaterThanOrEqual(2);
    patchTrackerJson(tenantNamespace, "acme", [{ op: "remove", path: "/spec/app/autoscaling" }]);
    await waitReady(tenantNamespace, "acme");
  });
});

describe("backups", () => {
  it("backs up to the in-cluster S3 server, verified, and restores into a second tenant with the same ledger", async () => {
    const { accountId, login } = requireState();
    kubectl([
      "create",
      "secret",
      "generic",
      "acme-s3",
      "-n",
      tenantNamespace,
      "--from-literal=AWS_ACCESS_KEY_ID=e2e",
      "--from-literal=AWS_SECRET_ACCESS_KEY=e2e-secret",
    ]);
    const patch = parse(
      readFileSync(join(repoRoot, "hack/kind/acme-backup.yaml"), "utf8"),
    ) as unknown;
    patchTracker(tenantNamespace, "acme", patch);
    await waitReady(tenantNamespace, "acme");
    apply(tenantNamespace, readFileSync(join(repoRoot, "samples/backup-on-demand.yaml"), "utf8"));
    await eventually(
      "the on-demand backup to complete, verified",
      () => {
        const backup = getJson<{
          status?: { phase?: string; message?: string; verification?: { verified?: boolean } };
        }>(["financetrackerbackup", "acme-before-upgrade", "-n", tenantNamespace]);
        const phase = backup.status?.phase;
        if (phase === "Failed" || phase === "VerificationFailed")
          throw new Error(`fatal: ${phase}: ${backup.status?.message ?? ""}`);
        if (phase !== "Completed" || backup.status?.verification?.verified !== true)
          throw new Error(JSON.stringify(backup.status));
      },
      { timeoutMs: 600_000, intervalMs: 5_000 },
    );

    const source = await signedIn(tenantNamespace, "acme", login);
    const before = await captureLedger(source.api, accountId).finally(() => {
      source.forward.close();
    });

    apply(
      tenantNamespace,
      sample("restore-from-backup.yaml", (doc) => {
        (doc.spec as { restore: { from: { backup: string } } }).restore.from.backup =
          "acme-before-upgrade";
      }),
    );
    await waitReady(tenantNamespace, "acme-restored");
    rolloutStatus(tenantNamespace, "acme-restored-app");
    const restored = await signedIn(tenantNamespace, "acme-restored", login);
    const after = await captureLedger(restored.api, accountId).finally(() => {
      restored.forward.close();
    });
    expect(after).toEqual(before);

    // A pod with the backup Jobs' labels reaches its bucket and PostgreSQL, nothing else.
    const backupLabels = {
      "app.kubernetes.io/name": "fintrack",
      "app.kubernetes.io/instance": "acme",
      "app.kubernetes.io/component": "backup",
    };
    const fromBackup = await reach(
      tenantNamespace,
      [
        ["minio.storage.svc", 9000],
        [`acme-postgres.${tenantNamespace}.svc`, 5432],
        [`acme-app.${tenantNamespace}.svc`, 8080],
        [`acme-redis.${tenantNamespace}.svc`, 6379],
      ],
      backupLabels,
    );
    expect(fromBackup.slice(0, 2), "the bucket and PostgreSQL from a backup pod").toEqual([
      "open",
      "open",
    ]);
    expect(fromBackup[2], "the app from a backup pod").toMatch(/^closed/);
    expect(fromBackup[3], "Redis from a backup pod").toMatch(/^closed/);
    kubectl(["delete", "financetracker", "acme-restored", "-n", tenantNamespace, "--timeout=5m"]);
  });
});

describe("PostgreSQL major upgrades", () => {
  it("carried a ledger from PostgreSQL 15 through 16 and 17 to 18, a verified backup before the last", async () => {
    if (!upgrades) throw new Error("the upgrades never started");
    const records = await upgrades;
    for (const { version, ms } of records) {
      console.log(`e2e: PostgreSQL ${String(version)}: upgraded and proven in ${String(ms)} ms`);
    }
    expect(records.map((r) => r.version)).toEqual([16, 17, 18]);
    const backup = getJson<{ status?: { phase?: string; verification?: { verified?: boolean } } }>([
      "financetrackerbackup",
      "ledger-before-postgres-18",
      "-n",
      upgradeNamespace,
    ]);
    expect(backup.status?.phase).toBe("Completed");
    expect(backup.status?.verification?.verified).toBe(true);
    // The old majors' data folders go once the upgrade is proven.
    await eventually(
      "only PostgreSQL 18's data folder left",
      () => {
        const folders = kubectl([
          "exec",
          "-n",
          upgradeNamespace,
          "ledger-postgres-0",
          "--",
          "ls",
          "/var/lib/postgresql/data",
        ]).trim();
        expect(folders.split(/\s+/).filter((f) => f.startsWith("pgdata"))).toEqual(["pgdata-18"]);
      },
      { timeoutMs: 120_000, intervalMs: 3_000 },
    );
    kubectl(["delete", "namespace", upgradeNamespace, "--wait=false"]);
  });
});

describe.runIf(monitoring.enabled)("monitoring, by a real Prometheus", () => {
  it("scrapes the operator and the tenant, evaluates every alert rule, and has data for every dashboard panel", async () => {
    const { login } = requireState();
    await eventually(
      "Prometheus to run",
      () => {
        const ready = pods(monitoringNamespace, "app.kubernetes.io/name=prometheus").filter((p) =>
          p.status.containerStatuses?.every((c) => c.ready),
        );
        if (ready.length !== 1) throw new Error(`${String(ready.length)} Prometheus pods ready`);
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
    // What the sign-in and import panels count, on the app pods running now (earlier steps'
    // counts went with the pods they replaced): a sign-in, a failed one and an import upload
    // (refused, having no file: the panel counts uploads whatever their outcome).
    const { api, forward: app } = await signedIn(tenantNamespace, "acme", login);
    try {
      expect((await api.post("/imports", {})).status).toBeGreaterThanOrEqual(400);
      const stranger = await api.post("/auth/login", {
        email: "nobody@acme.example",
        password: "not-the-password",
      });
      expect(stranger.status).toBe(401);
    } finally {
      app.close();
    }

    const forward = await portForward(monitoringNamespace, monitoring.service, 9090);
    try {
      const prometheus = prometheusApi(forward.url);
      const targets = await eventually(
        "every target up, the operator's two replicas and the tenant's app among them",
        async () => {
          const active = await prometheus.targets();
          const down = active.filter((t) => t.health !== "up");
          if (down.length > 0)
            throw new Error(
              down.map((t) => `${t.scrapePool}: ${t.health} ${t.lastError}`).join("; "),
            );
          const pools = active.map((t) => t.scrapePool);
          const operator = pools.filter((p) =>
            p.startsWith(`serviceMonitor/${operatorNamespace}/`),
          );
          const tenant = pools.filter((p) =>
            p.startsWith(`serviceMonitor/${tenantNamespace}/acme`),
          );
          if (operator.length !== 2 || tenant.length < 1) throw new Error(pools.join(", "));
          return active;
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      console.log(
        `e2e: ${String(targets.length)} targets up: ${targets.map((t) => `${t.scrapePool} ${t.labels.pod ?? ""}`).join(", ")}`,
      );

      const alerts = alertNames();
      const rules = await eventually(
        "every alert rule of config/alerts evaluated without error",
        async () => {
          const loaded = await prometheus.rules();
          const ours = loaded.filter((r) => alerts.includes(r.name));
          expect(ours.map((r) => r.name).sort()).toEqual([...alerts].sort());
          const unhealthy = ours.filter((r) => r.health !== "ok");
          if (unhealthy.length > 0)
            throw new Error(
              unhealthy.map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`).join("; "),
            );
          return ours;
        },
        { timeoutMs: 120_000, intervalMs: 5_000 },
      );
      console.log(`e2e: ${String(rules.length)} alert rules evaluated, health ok`);

      // The tenant dashboard's namespace variable offers the tenant.
      expect(
        await prometheus.labelValues("namespace", "http_request_duration_seconds_count"),
      ).toContain(tenantNamespace);
      const queries = panelQueries(tenantNamespace);
      const asked = queries.filter((q) => !(q.panel in panelsWithoutData));
      const empty = await eventually(
        "every dashboard panel's query to return data for the tenant",
        async () => {
          const counts = await Promise.all(asked.map((q) => prometheus.seriesCount(q.expr)));
          const none = asked.filter((_, i) => counts[i] === 0);
          if (none.length > 0)
            throw new Error(none.map((q) => `${q.dashboard} "${q.panel}": ${q.expr}`).join("\n"));
          return none;
        },
        { timeoutMs: 150_000, intervalMs: 10_000 },
      );
      expect(empty).toEqual([]);
      console.log(
        `e2e: ${String(asked.length)} of ${String(queries.length)} panel queries return data for ${tenantNamespace} (exempt: ${Object.keys(panelsWithoutData).join(", ")})`,
      );
    } finally {
      forward.close();
    }
  });
});

describe("the operator upgraded with helm", () => {
  it("rolls out a changed value (log level debug), every tenant Ready throughout", async () => {
    const before = pods(operatorNamespace, "app.kubernetes.io/name=fintrack-operator").map(
      (p) => p.metadata.name,
    );
    const tenants = readyTenants();
    expect(tenants.map((t) => t.id)).toContain(`${tenantNamespace}/acme`);
    // Polled while Helm upgrades and the Deployment rolls: a tenant that stops being Ready, or
    // whose status the operator stops keeping, is a broken upgrade.
    const lapses: string[] = [];
    const upgrade = { done: false };
    const watching = (async () => {
      while (!upgrade.done) {
        const now = JSON.parse(
          await kubectlAsync(["get", "financetrackers", "-A", "-o", "json"]),
        ) as TrackerList;
        for (const t of tenants) {
          const current = now.items.find((i) => trackerId(i) === t.id);
          const ready = current?.status?.conditions?.find((c) => c.type === "Ready");
          if (ready?.status !== "True") lapses.push(`${t.id}: Ready ${ready?.status ?? "missing"}`);
        }
        await sleep(1_000);
      }
    })();
    try {
      await helm([
        "upgrade",
        operatorRelease,
        operatorChart,
        "--namespace",
        operatorNamespace,
        ...operatorValues(["operator.logLevel=debug"]),
      ]);
      await kubectlAsync([
        "rollout",
        "status",
        "deployment/fintrack-operator",
        "-n",
        operatorNamespace,
        "--timeout=5m",
      ]);
      // A moment more for the new leader to take over and resync.
      await sleep(10_000);
    } finally {
      upgrade.done = true;
      await watching;
    }
    expect(lapses).toEqual([]);
    const after = pods(operatorNamespace, "app.kubernetes.io/name=fintrack-operator").filter((p) =>
      p.status.containerStatuses?.every((c) => c.ready),
    );
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p.metadata.name))).toEqual([]);
    const env = getJson<{
      spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
    }>(["deployment", "fintrack-operator", "-n", operatorNamespace]).spec.template.spec
      .containers[0]?.env;
    expect(env?.find((e) => e.name === "LOG_LEVEL")?.value).toBe("debug");
    const holder = await eventually("a new pod to lead", leaderPod, { timeoutMs: 60_000 });
    expect(after.map((p) => p.metadata.name)).toContain(holder);
    const history = JSON.parse(
      await helm(["history", operatorRelease, "--namespace", operatorNamespace, "-o", "json"]),
    ) as { revision: number; status: string }[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([
      [1, "superseded"],
      [2, "deployed"],
    ]);
    // The new leader keeps them (the next step has it delete one).
    for (const t of tenants) await waitReady(t.namespace, t.name, 120_000);
  });
});

describe("deleting a tenant", () => {
  it("with deletionPolicy Retain (foreground cascade) keeps data and credentials; re-created, it signs in to the same ledger", async () => {
    const { accountId, login } = requireState();
    kubectl([
      "delete",
      "financetracker",
      "acme",
      "-n",
      tenantNamespace,
      "--cascade=foreground",
      "--timeout=5m",
    ]);
    kubectl([
      "wait",
      "--for=delete",
      "statefulset/acme-postgres",
      "deployment/acme-app",
      "-n",
      tenantNamespace,
      "--timeout=3m",
    ]);
    kubectl(["get", "pvc/data-acme-postgres-0", "secret/acme-credentials", "-n", tenantNamespace]);
    apply(tenantNamespace, sample("minimal.yaml"));
    await waitReady(tenantNamespace, "acme");
    expect(ownerLogin(tenantNamespace, "acme", login.email).password).toBe(login.password);
    const back = await signedIn(tenantNamespace, "acme", login);
    await captureLedger(back.api, accountId).finally(() => {
      back.forward.close();
    });
  });

  it("with deletionPolicy Delete leaves nothing behind", async () => {
    patchTracker(tenantNamespace, "acme", { spec: { deletionPolicy: "Delete" } });
    await waitReady(tenantNamespace, "acme");
    kubectl(["delete", "financetracker", "acme", "-n", tenantNamespace, "--timeout=5m"]);
    await eventually(
      "every object of acme to be gone",
      () => {
        const left = kubectl([
          "get",
          "all,pvc,secret,networkpolicy,ingress,configmap,serviceaccount",
          "-n",
          tenantNamespace,
          "-l",
          "app.kubernetes.io/instance=acme",
          "-o",
          "name",
        ]).trim();
        const named = kubectl(["get", "pvc,secret", "-n", tenantNamespace, "-o", "name"])
          .split("\n")
          .filter((n) => n.includes("acme-credentials") || n.includes("data-acme-postgres"));
        if (left || named.length > 0) throw new Error(`${left} ${named.join(" ")}`);
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
  });
});

interface UpgradeRecord {
  version: number;
  ms: number;
}

async function getJsonAsync<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlAsync(["get", ...args, "-o", "json"])) as T;
}

/**
 * Books a ledger on the PostgreSQL 15 tenant, then raises its version one major at a time: after
 * each, the upgrade must be proven (status), the ledger read back byte for byte through the API,
 * and the server must run the pinned image of that major on its own data folder. Only
 * non-blocking kubectl: it runs beside steps that measure traffic.
 */
async function upgradeLedger(): Promise<UpgradeRecord[]> {
  const ledgerTracker = () =>
    getJsonAsync<UpgradeState>(["financetracker", "ledger", "-n", upgradeNamespace]);
  await eventually(
    "ledger on PostgreSQL 15 to be Ready",
    async () => {
      const ready = (await ledgerTracker()).status?.conditions?.find((c) => c.type === "Ready");
      if (ready?.status !== "True") throw new Error(JSON.stringify(ready));
    },
    { timeoutMs: 600_000, intervalMs: 3_000 },
  );
  const password = Buffer.from(
    (
      await getJsonAsync<{ data: Record<string, string> }>([
        "secret",
        "ledger-credentials",
        "-n",
        upgradeNamespace,
      ])
    ).data["admin-password"] ?? "",
    "base64",
  ).toString("utf8");
  const login = { email: "owner@ledger.example", password };
  const first = await signedIn(upgradeNamespace, "ledger", login);
  const accountId = await bookLedger(first.api);
  const before = await captureLedger(first.api, accountId).finally(() => {
    first.forward.close();
  });
  const records: UpgradeRecord[] = [];
  for (const version of [16, 17, 18]) {
    const started = Date.now();
    // 17 also changes PostgreSQL's memory in the same patch: other changes keep working.
    const patch = JSON.stringify(parse(ledgerTenant(version, { withBackup: version === 18 })));
    await kubectlAsync([
      "patch",
      "financetracker",
      "ledger",
      "-n",
      upgradeNamespace,
      "--type",
      "merge",
      "-p",
      patch,
    ]);
    await eventually(
      `ledger on PostgreSQL ${String(version)}, its upgrade proven`,
      async () => {
        const t = await ledgerTracker();
        const postgres = t.status?.postgres;
        if (postgres?.upgrade?.phase === "Failed") {
          throw new Error(`fatal: ${postgres.upgrade.message ?? ""}`);
        }
        const ready = t.status?.conditions?.find((c) => c.type === "Ready")?.status;
        if (postgres?.version !== version || postgres.upgrade || postgres.rollbackVersion) {
          throw new Error(JSON.stringify(postgres));
        }
        if (ready !== "True") throw new Error(`not Ready: ${JSON.stringify(t.status?.conditions)}`);
      },
      { timeoutMs: 600_000, intervalMs: 2_000 },
    );
    records.push({ version, ms: Date.now() - started });
    await kubectlAsync([
      "rollout",
      "status",
      "deployment/ledger-app",
      "-n",
      upgradeNamespace,
      "--timeout=5m",
    ]);
    // The upgrade rolled the app onto the new server. A port-forward to the Service picks any of
    // its pods, a terminating one too (out of the Service's endpoints, still in preStop), which
    // would close the connection mid-capture: wait until only the new pods are left.
    await eventually(
      "the app's pods from before the upgrade to be gone",
      async () => {
        const pods = await getJsonAsync<{ items: { metadata: { deletionTimestamp?: string } }[] }>([
          "pods",
          "-n",
          upgradeNamespace,
          "-l",
          `${labelKeys.component}=app`,
        ]);
        const leaving = pods.items.filter((p) => p.metadata.deletionTimestamp !== undefined);
        if (leaving.length > 0) throw new Error(`${String(leaving.length)} still terminating`);
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    const session = await signedIn(upgradeNamespace, "ledger", login);
    const after = await captureLedger(session.api, accountId).finally(() => {
      session.forward.close();
    });
    expect(after, `the ledger on PostgreSQL ${String(version)}`).toEqual(before);
    await expectServerOn(version);
  }
  return records;
}

/** The StatefulSet runs `version`'s pinned image on its own folder; each step had its Event. */
async function expectServerOn(version: number): Promise<void> {
  const sts = await getJsonAsync<{
    spec: {
      template: {
        spec: {
          containers: {
            image: string;
            env: { name: string; value?: string }[];
            resources: { limits?: { memory?: string } };
          }[];
        };
      };
    };
  }>(["statefulset", "ledger-postgres", "-n", upgradeNamespace]);
  const container = sts.spec.template.spec.containers[0];
  expect(container?.image).toMatch(new RegExp(`postgres:${String(version)}\\.\\d+-alpine$`));
  expect(container?.env.find((e) => e.name === "PGDATA")?.value).toBe(
    `/var/lib/postgresql/data/pgdata-${String(version)}`,
  );
  if (version >= 17) expect(container?.resources.limits?.memory).toBe("768Mi");
  const events = await kubectlAsync([
    "get",
    "events",
    "-n",
    upgradeNamespace,
    "--field-selector",
    "involvedObject.name=ledger",
    "-o",
    "jsonpath={range .items[*]}{.reason}{'\\n'}{end}",
  ]);
  expect(events).toContain("PostgresUpgradeCopying");
  expect(events).toContain("PostgresUpgraded");
  // Nothing was cancelled: deleting a finished copy Job once proven is no rollback.
  expect(events).not.toContain("PostgresUpgradeRollingBack");
}

interface UpgradeState {
  status?: {
    conditions?: { type: string; status: string }[];
    postgres?: {
      version?: number;
      rollbackVersion?: number;
      upgrade?: { phase?: string; message?: string };
    };
  };
}

/**
 * The upgrade test's tenant: minimal, on `version`; from 17 on with more PostgreSQL memory, and
 * with backups to the in-cluster bucket when asked.
 */
function ledgerTenant(version: number, { withBackup = false } = {}): string {
  const backup = withBackup
    ? `
  backup:
    schedule: "0 3 1 1 *"
    destination:
      s3:
        bucket: acme-fintrack-backups
        prefix: tenants/ledger
        endpoint: http://minio.storage.svc:9000
        region: us-east-1
        forcePathStyle: true
        credentialsSecretRef:
          name: ledger-s3
          accessKeyIdKey: AWS_ACCESS_KEY_ID
          secretAccessKeyKey: AWS_SECRET_ACCESS_KEY`
    : "";
  const memory = version >= 17 ? "\n    resources:\n      limits:\n        memory: 768Mi" : "";
  return `apiVersion: fintrack.dev/v1alpha1
kind: FinanceTracker
metadata:
  name: ledger
spec:
  app:
    adminEmail: owner@ledger.example
    replicas: 1
  postgres:
    version: ${String(version)}
    storage:
      size: 1Gi${memory}${backup}
`;
}

/** The operator's Helm release: config/default's names, so its Lease, Service and pods are the same. */
const operatorRelease = "fintrack-operator";
const operatorChart = join(repoRoot, "config/helm/fintrack-operator");

/**
 * The chart's values for the scenario's images, as `--set` flags, and `extra` ones (`key=value`).
 * With monitoring, the chart's ServiceMonitor and PrometheusRule too (config/prometheus, config/alerts).
 */
function operatorValues(extra: string[] = []): string[] {
  const image = e2e.images.operator;
  const colon = image.lastIndexOf(":");
  if (colon <= image.lastIndexOf("/")) throw new Error(`the operator image ${image} has no tag`);
  const values = [
    "namespace.create=true",
    `image.repository=${image.slice(0, colon)}`,
    `image.tag=${image.slice(colon + 1)}`,
    `operator.appImage=${e2e.images.app}`,
    `operator.backupImage=${e2e.images.backup}`,
    ...(monitoring.enabled ? ["serviceMonitor.enabled=true", "prometheusRule.enabled=true"] : []),
    ...extra,
  ];
  return values.flatMap((v) => ["--set", v]);
}

/**
 * Panels whose series exist only after an event the scenario does not cause on the pods running
 * at the monitoring step, by panel title, with the reason.
 */
const panelsWithoutData: Record<string, string> = {
  "5xx ratio":
    "its numerator counts 5xx responses: the faults step's 503s were served by app pods that later steps replaced",
};

interface TrackerList {
  items: {
    metadata: { namespace: string; name: string; deletionTimestamp?: string };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

function trackerId(t: TrackerList["items"][number]): string {
  return `${t.metadata.namespace}/${t.metadata.name}`;
}

/** Every FinanceTracker of the scenario's namespaces that is Ready and not being deleted. */
function readyTenants(): { id: string; namespace: string; name: string }[] {
  const active = getJson<{ items: { metadata: { name: string }; status?: { phase?: string } }[] }>([
    "namespaces",
    "-l",
    "fintrack.dev/e2e=true",
  ])
    .items.filter((n) => n.status?.phase === "Active")
    .map((n) => n.metadata.name);
  return getJson<TrackerList>(["financetrackers", "-A"])
    .items.filter(
      (t) =>
        active.includes(t.metadata.namespace) &&
        !t.metadata.deletionTimestamp &&
        t.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    )
    .map((t) => ({ id: trackerId(t), namespace: t.metadata.namespace, name: t.metadata.name }));
}

/** The operator pod holding the Lease (its identity is `<pod>_<random>`). */
function leaderPod(): string {
  const lease = getJson<{ spec?: { holderIdentity?: string } }>([
    "lease",
    "fintrack-operator",
    "-n",
    operatorNamespace,
  ]);
  const pod = lease.spec?.holderIdentity?.split("_")[0];
  if (!pod) throw new Error("the operator's Lease has no holder");
  return pod;
}

function requireState(): {
  accountId: string;
  trafficAccountId: string;
  token: string;
  login: { email: string; password: string };
} {
  const { accountId, trafficAccountId, token, login } = state;
  if (!accountId || !trafficAccountId || !token || !login)
    throw new Error("an earlier step did not book the ledger");
  return { accountId, trafficAccountId, token, login };
}

/** Every acknowledged write is in the ledger exactly once. */
async function expectAcknowledgedOnce(acknowledged: string[]): Promise<void> {
  const { login, trafficAccountId: accountId } = requireState();
  const { api, forward } = await signedIn(tenantNamespace, "acme", login);
  try {
    const payees = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await expectStatus(
        api.get<{ data: { payee: string }[]; nextCursor?: string | null }>(
          `/transactions?accountId=${accountId}&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
        ),
        200,
      );
      for (const t of page.data) payees.set(t.payee, (payees.get(t.payee) ?? 0) + 1);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const lost = acknowledged.filter((p) => !payees.has(p));
    const twice = [...payees].filter(([p, n]) => p.startsWith("traffic-") && n > 1).map(([p]) => p);
    expect(lost, "acknowledged writes missing from the ledger").toEqual([]);
    expect(twice, "writes booked twice").toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(0);
  } finally {
    forward.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
