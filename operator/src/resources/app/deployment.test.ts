import type { V1Container, V1Deployment, V1EnvVar } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { expectRestrictedPodSpec } from "../../../test/fixtures/restricted.ts";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { selectorLabels } from "../../names.ts";
import { appPostgresAnnotation } from "../../postgres-upgrade.ts";
import { buildAppDeployment } from "./deployment.ts";

function container(deployment: V1Deployment, name: string): V1Container {
  const spec = deployment.spec?.template.spec;
  const found = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find(
    (c) => c.name === name,
  );
  if (!found) {
    throw new Error(`no container ${name}`);
  }
  return found;
}

function env(deployment: V1Deployment, name: string): V1EnvVar | undefined {
  return container(deployment, "app").env?.find((e) => e.name === name);
}

const build = (overrides: Parameters<typeof aTracker>[0] = {}): V1Deployment =>
  buildAppDeployment(aTracker(overrides), aContext());

describe("buildAppDeployment", () => {
  it("runs spec.app.replicas pods when autoscaling is off", () => {
    expect(build({ spec: { app: { replicas: 3 } } }).spec?.replicas).toBe(3);
  });

  it("omits replicas when autoscaling is on, leaving the count to the HPA", () => {
    const deployment = build({ spec: { app: { replicas: 3, autoscaling: { maxReplicas: 6 } } } });

    expect(deployment.spec).not.toHaveProperty("replicas");
  });

  it("never drops below the desired count during a rollout", () => {
    expect(build().spec?.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
  });

  it("selects its pods by the app's selector labels, which the pods carry", () => {
    const deployment = build();
    const selector = selectorLabels("acme", "app");

    expect(deployment.spec?.selector.matchLabels).toEqual(selector);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject(selector);
  });

  it("the app pod passes the restricted profile", () => {
    const spec = build().spec?.template.spec;
    if (!spec) {
      throw new Error("no pod spec");
    }
    expectRestrictedPodSpec(spec);
    expect(spec.securityContext?.runAsUser).toBe(10001);
    expect(spec.securityContext?.runAsGroup).toBe(10001);
  });

  it("gives the read-only containers a writable /tmp", () => {
    const deployment = build();
    const tmp = deployment.spec?.template.spec?.volumes?.find((v) => v.emptyDir);

    for (const name of ["migrate", "app"]) {
      const c = container(deployment, name);
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(c.volumeMounts).toContainEqual({ name: tmp?.name, mountPath: "/tmp" });
    }
  });

  it("mounts only the two secret files the app reads, readable by its group only", () => {
    const deployment = build();
    const podSpec = deployment.spec?.template.spec;
    const volume = podSpec?.volumes?.find((v) => v.secret);

    expect(volume?.secret?.secretName).toBe("acme-credentials");
    expect(volume?.secret?.items).toEqual([
      { key: "session-secret", path: "session-secret" },
      { key: "admin-password", path: "admin-password" },
    ]);
    expect(volume?.secret?.defaultMode).toBe(0o440);
    expect(podSpec?.securityContext?.fsGroup).toBe(10001);
    expect(container(deployment, "app").volumeMounts).toContainEqual({
      name: volume?.name,
      mountPath: "/var/run/secrets/fintrack",
      readOnly: true,
    });
    expect(env(deployment, "SESSION_SECRET_FILE")?.value).toBe(
      "/var/run/secrets/fintrack/session-secret",
    );
    expect(env(deployment, "FINTRACK_ADMIN_PASSWORD_FILE")?.value).toBe(
      "/var/run/secrets/fintrack/admin-password",
    );
  });

  it("reads the database and Redis URLs from the credentials Secret, never inline", () => {
    const deployment = build();

    expect(env(deployment, "DATABASE_URL")).toEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "acme-credentials", key: "database-url" } },
    });
    expect(env(deployment, "REDIS_URL")).toEqual({
      name: "REDIS_URL",
      valueFrom: { secretKeyRef: { name: "acme-credentials", key: "redis-url" } },
    });
  });

  it("passes the tenant's settings to the app", () => {
    const deployment = build({
      spec: {
        app: {
          adminEmail: "boss@globex.example",
          baseCurrency: "USD",
          signup: "open",
          locale: "nl",
        },
      },
    });

    expect(env(deployment, "FINTRACK_ADMIN_EMAIL")?.value).toBe("boss@globex.example");
    expect(env(deployment, "FINTRACK_BASE_CURRENCY")?.value).toBe("USD");
    expect(env(deployment, "FINTRACK_SIGNUP")?.value).toBe("open");
    expect(env(deployment, "FINTRACK_LOCALE")?.value).toBe("nl");
    expect(env(deployment, "PORT")?.value).toBe("8080");
    expect(env(deployment, "METRICS_PORT")?.value).toBe("9090");
    expect(env(deployment, "NODE_ENV")?.value).toBe("production");
    expect(env(deployment, "LOG_LEVEL")?.value).toBe("info");
  });

  it("turns exchange-rate fetching off unless spec.app.exchangeRates turns it on", () => {
    const withRates = (exchangeRates?: object) => {
      const deployment = build(exchangeRates ? { spec: { app: { exchangeRates } } } : undefined);
      return [
        env(deployment, "FINTRACK_FX_SOURCE_URL"),
        env(deployment, "FINTRACK_FX_FETCH_DAILY"),
      ].map((e) => e?.value);
    };
    expect(withRates()).toEqual(["off", undefined]);
    expect(withRates({ fetch: "Never", source: "https://rates.example/x.xml" })).toEqual([
      "off",
      undefined,
    ]);
    expect(withRates({ fetch: "OnRequest" })).toEqual([undefined, "false"]);
    expect(withRates({ fetch: "Daily", source: "https://rates.example/x.xml" })).toEqual([
      "https://rates.example/x.xml",
      "true",
    ]);
  });

  it("gives the household English starter categories unless spec.app.locale says otherwise", () => {
    expect(env(build(), "FINTRACK_LOCALE")?.value).toBe("en");
  });

  it("serves https URLs when TLS is configured, and trusts the proxy behind an Ingress", () => {
    const deployment = build({
      spec: { ingress: { host: "money.acme.example", tls: { secretName: "acme-cert" } } },
    });

    expect(env(deployment, "BASE_URL")?.value).toBe("https://money.acme.example");
    expect(env(deployment, "TRUST_PROXY")?.value).toBe("true");
  });

  it("uses the in-cluster URL and trusts no proxy without an Ingress", () => {
    const deployment = build();

    expect(env(deployment, "BASE_URL")?.value).toBe("http://acme-app.tenant-acme.svc:8080");
    expect(env(deployment, "TRUST_PROXY")?.value).toBe("false");
  });

  it("uses the operator's app image unless the spec names one", () => {
    expect(container(build(), "app").image).toBe("ghcr.io/fintrack/app:0.1.0");
    expect(
      container(build({ spec: { app: { image: "registry.acme/app:pinned" } } }), "app").image,
    ).toBe("registry.acme/app:pinned");
  });

  it("migrates the database first, with the app's image, environment and security", () => {
    const deployment = build({ spec: { app: { image: "registry.acme/app:pinned" } } });
    const migrate = container(deployment, "migrate");
    const app = container(deployment, "app");

    expect(deployment.spec?.template.spec?.initContainers?.map((c) => c.name)).toEqual(["migrate"]);
    expect(migrate.command).toEqual(["npm", "run", "migrate"]);
    expect(migrate.image).toBe("registry.acme/app:pinned");
    expect(migrate.env).toEqual(app.env);
    expect(migrate.securityContext).toEqual(app.securityContext);
    expect(migrate).not.toHaveProperty("livenessProbe");
  });

  it("probes liveness and readiness on the http port, allowing a slow start", () => {
    const app = container(build(), "app");

    expect(app.ports).toEqual([
      expect.objectContaining({ name: "http", containerPort: 8080 }),
      expect.objectContaining({ name: "metrics", containerPort: 9090 }),
    ]);
    expect(app.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(app.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(app.startupProbe).toMatchObject({
      httpGet: { path: "/healthz", port: "http" },
      failureThreshold: 30,
      periodSeconds: 2,
    });
  });

  it("requests modest resources by default, letting the user override key by key", () => {
    expect(container(build(), "app").resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "512Mi" },
    });
    const custom = build({ spec: { app: { resources: { requests: { cpu: "250m" } } } } });
    expect(container(custom, "app").resources).toEqual({
      requests: { cpu: "250m", memory: "128Mi" },
      limits: { memory: "512Mi" },
    });
  });

  it("spreads app pods over zones and nodes without blocking scheduling", () => {
    const constraints = build().spec?.template.spec?.topologySpreadConstraints;

    expect(constraints?.map((c) => c.topologyKey)).toEqual([
      "topology.kubernetes.io/zone",
      "kubernetes.io/hostname",
    ]);
    for (const c of constraints ?? []) {
      expect(c).toMatchObject({
        maxSkew: 1,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selectorLabels("acme", "app") },
      });
    }
  });

  it("runs as the app's ServiceAccount with no API token or service links", () => {
    const spec = build().spec?.template.spec;

    expect(spec?.serviceAccountName).toBe("acme-app");
    expect(spec?.automountServiceAccountToken).toBe(false);
    expect(spec?.enableServiceLinks).toBe(false);
  });

  it("keeps a terminating replica answering while endpoints drop it, within its grace period", () => {
    const deployment = build();
    const delay = Number(env(deployment, "SHUTDOWN_DELAY_SECONDS")?.value);
    const drain = Number(env(deployment, "SHUTDOWN_DRAIN_SECONDS")?.value);
    const preStop = container(deployment, "app").lifecycle?.preStop?.sleep?.seconds ?? 0;

    expect(delay).toBeGreaterThanOrEqual(3);
    expect(drain).toBeGreaterThanOrEqual(20);
    // The kubelet counts the preStop sleep inside the grace period; after it the app's delay,
    // its drain and its 5 s bound on ending what outlasted the drain must end before SIGKILL.
    expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThan(
      preStop + delay + drain + 5,
    );
  });

  it("sleeps in preStop before SIGTERM, with the native sleep action and no command", () => {
    const lifecycle = container(build(), "app").lifecycle;

    expect(lifecycle?.preStop?.sleep?.seconds).toBeGreaterThanOrEqual(3);
    expect(lifecycle?.preStop?.exec).toBeUndefined();
    expect(container(build(), "migrate").lifecycle).toBeUndefined();
  });

  it("rolls onto a new PostgreSQL server: its template names the server once one was upgraded to", () => {
    const on = (dataDirectory: string, major: number) =>
      buildAppDeployment(aTracker(), { ...aContext(), postgresRuntime: { major, dataDirectory } })
        .spec?.template.metadata?.annotations ?? {};
    // Never upgraded: nothing to name, so existing tenants roll nothing.
    expect(on("pgdata", 16)).not.toHaveProperty([appPostgresAnnotation]);
    expect(build().spec?.template.metadata?.annotations ?? {}).not.toHaveProperty([
      appPostgresAnnotation,
    ]);
    expect(on("pgdata-17", 17)).toMatchObject({ [appPostgresAnnotation]: "17/pgdata-17" });
    expect(on("pgdata-18", 18)[appPostgresAnnotation]).not.toBe(
      on("pgdata-17", 17)[appPostgresAnnotation],
    );
  });
});
