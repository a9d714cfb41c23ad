import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Probe,
  V1TopologySpreadConstraint,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import type { BuildContext } from "../../context.ts";
import { credentialKeys, ports } from "../../context.ts";
import { childLabels, childNames, childMetadata, selectorLabels } from "../../names.ts";
import { tenantUrl } from "../ingress/ingress.ts";
import { previousDatabasePassword } from "../secret/credentials.ts";
import { credentialsRevision, credentialsRevisionAnnotation } from "../../credentials-rotation.ts";
import { appRuntimeAnnotations } from "../../postgres-upgrade.ts";
import { withDefaults } from "../resources.ts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../security.ts";

/** The uid and gid the app image is built to run as. */
const appUser = 10001;

/** Where the app reads its file-based secrets; the paths are part of the app's contract. */
const secretsDir = "/var/run/secrets/fintrack";
const secretFiles = { sessionSecret: "session-secret", adminPassword: "admin-password" } as const;

/** Small enough to pack a few tenants per node; memory is capped, CPU may burst. */
const defaultResources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "512Mi" },
};

const volumes = { tmp: "tmp", secrets: "secrets" } as const;

/**
 * The app Deployment: migrations run in an init container before each pod serves, rollouts never
 * drop below the desired count, and pods spread over zones and nodes.
 */
export function buildAppDeployment(tracker: FinanceTracker, ctx: BuildContext): V1Deployment {
  const name = tracker.metadata.name;
  const names = childNames(name);
  const autoscaled = tracker.spec.app.autoscaling !== undefined;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: childMetadata(tracker, "app", names.app),
    spec: {
      // With autoscaling the HPA owns the count; setting it here would fight it on every apply.
      ...(autoscaled ? {} : { replicas: tracker.spec.app.replicas }),
      revisionHistoryLimit: 5,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      selector: { matchLabels: selectorLabels(name, "app") },
      template: {
        metadata: {
          labels: childLabels(name, "app"),
          // A rotation's new passwords reach running pods only by a rollout: env is read at start.
          ...templateAnnotations(ctx),
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(),
          securityContext: restrictedPodSecurityContext(appUser, appUser),
          initContainers: [
            { name: "migrate", ...sharedFields(tracker, ctx), command: ["npm", "run", "migrate"] },
          ],
          containers: [appContainer(tracker, ctx)],
          volumes: podVolumes(tracker),
          topologySpreadConstraints: spread(name),
        },
      },
    },
  };
}

/**
 * How a terminating app pod stops, in seconds. kube-proxy and ingress controllers learn of a
 * removed endpoint within a few seconds and send it traffic until then: a rolling update under
 * load fails requests unless the pod keeps answering meanwhile.
 * - preStopSleep: the kubelet runs the preStop hook before SIGTERM, so the app serves as usual
 *   while endpoints drop the pod (the native sleep action: no binary in the image).
 * - delay (SHUTDOWN_DELAY_SECONDS): on SIGTERM the app fails readiness and still accepts new
 *   connections, for endpoint updates that lag behind the sleep, and in place of it where the
 *   sleep action is unavailable (Kubernetes before 1.30 drops the field).
 * - drain (SHUTDOWN_DRAIN_SECONDS): then it stops accepting, and in-flight requests (a long
 *   import commit) get this long to finish.
 * - abort: the app's own bound (its ABORT_MS) on ending what outlasted the drain: those requests'
 *   database sessions are terminated, they roll back and answer 503.
 * - headroom: closing the pools and exiting, before SIGKILL.
 * The kubelet counts the preStop hook inside the grace period, so the grace period is the sum of
 * all five: 5 + 5 + 25 + 5 + 5 = 45 s. (The app's own backstop exits 2 s after delay + drain +
 * abort, at 42 s counting the sleep.)
 */
const shutdown = { preStopSleep: 5, delay: 5, drain: 25, abort: 5, headroom: 5 } as const;

function terminationGracePeriodSeconds(): number {
  return (
    shutdown.preStopSleep + shutdown.delay + shutdown.drain + shutdown.abort + shutdown.headroom
  );
}

/** What the migrate and app containers share: image, environment, mounts, resources, security. */
type SharedFields = Pick<
  V1Container,
  "image" | "env" | "volumeMounts" | "resources" | "securityContext"
>;

function sharedFields(tracker: FinanceTracker, ctx: BuildContext): SharedFields {
  return {
    image: tracker.spec.app.image ?? ctx.images.app,
    env: appEnv(tracker),
    volumeMounts: volumeMounts(),
    resources: withDefaults(tracker.spec.app.resources, defaultResources),
    securityContext: restrictedContainerSecurityContext(),
  };
}

function appContainer(tracker: FinanceTracker, ctx: BuildContext): V1Container {
  return {
    name: "app",
    ...sharedFields(tracker, ctx),
    ports: [
      { name: "http", containerPort: ports.appHttp, protocol: "TCP" },
      { name: "metrics", containerPort: ports.appMetrics, protocol: "TCP" },
    ],
    // Up to 60 s to start (the first boot may be slow) before liveness takes over.
    startupProbe: httpProbe("/healthz", { periodSeconds: 2, failureThreshold: 30 }),
    livenessProbe: httpProbe("/healthz"),
    readinessProbe: httpProbe("/readyz"),
    lifecycle: { preStop: { sleep: { seconds: shutdown.preStopSleep } } },
  };
}

function httpProbe(
  path: string,
  timing: Pick<V1Probe, "periodSeconds" | "failureThreshold"> = {},
): V1Probe {
  return { httpGet: { path, port: "http" }, ...timing };
}

/** The environment the app reads; passwords arrive as Secret references or files, never inline. */
function appEnv(tracker: FinanceTracker): V1EnvVar[] {
  const credentials = childNames(tracker.metadata.name).credentialsSecret;
  const fromSecret = (key: string): V1EnvVar["valueFrom"] => ({
    secretKeyRef: { name: credentials, key },
  });
  return [
    { name: "DATABASE_URL", valueFrom: fromSecret(credentialKeys.databaseUrl) },
    previousDatabasePassword(credentials),
    { name: "REDIS_URL", valueFrom: fromSecret(credentialKeys.redisUrl) },
    { name: "SESSION_SECRET_FILE", value: `${secretsDir}/${secretFiles.sessionSecret}` },
    { name: "FINTRACK_ADMIN_PASSWORD_FILE", value: `${secretsDir}/${secretFiles.adminPassword}` },
    { name: "FINTRACK_ADMIN_EMAIL", value: tracker.spec.app.adminEmail },
    { name: "FINTRACK_BASE_CURRENCY", value: tracker.spec.app.baseCurrency },
    { name: "FINTRACK_SIGNUP", value: tracker.spec.app.signup },
    { name: "FINTRACK_LOCALE", value: tracker.spec.app.locale },
    ...exchangeRatesEnv(tracker.spec.app.exchangeRates),
    { name: "PORT", value: String(ports.appHttp) },
    { name: "METRICS_PORT", value: String(ports.appMetrics) },
    { name: "BASE_URL", value: tenantUrl(tracker) },
    // Behind an Ingress the client address and scheme come from X-Forwarded-*; without one,
    // trusting those headers would let any in-cluster caller forge them.
    { name: "TRUST_PROXY", value: String(tracker.spec.ingress !== undefined) },
    { name: "LOG_LEVEL", value: "info" },
    { name: "NODE_ENV", value: "production" },
    { name: "SHUTDOWN_DELAY_SECONDS", value: String(shutdown.delay) },
    { name: "SHUTDOWN_DRAIN_SECONDS", value: String(shutdown.drain) },
  ];
}

/**
 * Where the app fetches reference rates, and whether it does so by itself. Set even when off, so
 * the app answers "fetching is off" at once instead of waiting out a connection the tenant's
 * NetworkPolicy drops.
 */
function exchangeRatesEnv(rates: FinanceTracker["spec"]["app"]["exchangeRates"]): V1EnvVar[] {
  const fetch = rates?.fetch ?? "Never";
  if (fetch === "Never") return [{ name: "FINTRACK_FX_SOURCE_URL", value: "off" }];
  return [
    ...(rates?.source ? [{ name: "FINTRACK_FX_SOURCE_URL", value: rates.source }] : []),
    { name: "FINTRACK_FX_FETCH_DAILY", value: String(fetch === "Daily") },
  ];
}

function templateAnnotations(ctx: BuildContext): { annotations?: Record<string, string> } {
  const revision = credentialsRevision(ctx.credentials);
  const annotations = {
    ...(revision ? { [credentialsRevisionAnnotation]: revision } : {}),
    // A new server (an upgrade, a rollback) rolls the app onto it: the upgrade's proof.
    ...appRuntimeAnnotations(ctx.postgresRuntime),
  };
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}

function volumeMounts(): V1VolumeMount[] {
  return [
    { name: volumes.tmp, mountPath: "/tmp" },
    { name: volumes.secrets, mountPath: secretsDir, readOnly: true },
  ];
}

function podVolumes(tracker: FinanceTracker): V1Volume[] {
  return [
    // The root filesystem is read-only; /tmp is the one writable place.
    { name: volumes.tmp, emptyDir: {} },
    {
      name: volumes.secrets,
      secret: {
        secretName: childNames(tracker.metadata.name).credentialsSecret,
        // Only the two files the app reads: the database and Redis passwords stay out of the
        // filesystem. Group-readable through fsGroup, since the files are owned by root.
        items: [
          { key: credentialKeys.sessionSecret, path: secretFiles.sessionSecret },
          { key: credentialKeys.adminPassword, path: secretFiles.adminPassword },
        ],
        defaultMode: 0o440,
      },
    },
  ];
}

function spread(trackerName: string): V1TopologySpreadConstraint[] {
  return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selectorLabels(trackerName, "app") },
  }));
}
