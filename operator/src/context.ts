import type { PostgresVersion } from "./api/v1alpha1.ts";
import type { PostgresRuntime } from "./postgres-upgrade.ts";

/**
 * Everything a pure builder may know besides the FinanceTracker: operator settings and facts
 * observed from the cluster. Builders read nothing else (no environment, clock or randomness).
 */
export interface BuildContext {
  images: {
    /** The app image used when spec.app.image is empty. */
    app: string;
    /** The PostgreSQL image for a major version. */
    postgres: (version: PostgresVersion) => string;
    redis: string;
    /** The backup program's image, for backup, verify and restore Jobs. */
    backup: string;
  };
  /** Namespaces allowed to reach the app's HTTP port (the ingress controller's). */
  ingressNamespaceSelector: LabelSelector;
  /** Namespaces allowed to scrape the app's metrics port (Prometheus'). */
  monitoringNamespaceSelector: LabelSelector;
  /** Whether the monitoring.coreos.com ServiceMonitor CRD is installed. */
  serviceMonitorAvailable: boolean;
  /** True while spec.restore's Job has not succeeded: the app is withheld until it has. */
  awaitingRestore?: boolean;
  /** The tenant's credentials: read from the existing Secret, or freshly generated once. */
  credentials: Credentials;
  /** Which major on which data folder the app runs against (the upgrade plan's); unset: the first. */
  postgresRuntime?: PostgresRuntime;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
  }[];
}

/** The generated secrets of one tenant. Never logged. */
export interface Credentials {
  postgresPassword: string;
  redisPassword: string;
  sessionSecret: string;
  adminPassword: string;
  /** The rotation in progress (see credentials-rotation.ts). */
  rotation?: CredentialsRotation;
  /** The last rotation done. */
  rotated?: { request: string; at: string };
}

/**
 * A rotation's other passwords: while `preparing`, the new ones (the current ones still in use);
 * while `switching`, the old ones (the current ones are new, and PostgreSQL may not know them
 * yet). `postgresVerifier` is always the new PostgreSQL password's SCRAM verifier.
 */
export interface CredentialsRotation {
  request: string;
  stage: "preparing" | "switching";
  postgresPassword: string;
  redisPassword: string;
  postgresVerifier: string;
}

/** Keys of the credentials Secret; the app and the platform team read them by these names. */
export const credentialKeys = {
  postgresUser: "postgres-user",
  postgresPassword: "postgres-password",
  postgresDatabase: "postgres-database",
  databaseUrl: "database-url",
  redisPassword: "redis-password",
  redisUrl: "redis-url",
  sessionSecret: "session-secret",
  adminEmail: "admin-email",
  adminPassword: "admin-password",
  // Only while a rotation is in progress (see CredentialsRotation).
  postgresPasswordNext: "postgres-password-next",
  redisPasswordNext: "redis-password-next",
  postgresPasswordPrevious: "postgres-password-previous",
  redisPasswordPrevious: "redis-password-previous",
  postgresPasswordVerifier: "postgres-password-verifier",
} as const;

/** Ports of the tenant's services. */
export const ports = {
  postgres: 5432,
  redis: 6379,
  appHttp: 8080,
  appMetrics: 9090,
} as const;

/** The database name and role the app uses. */
export const database = { name: "fintrack", user: "fintrack" } as const;
