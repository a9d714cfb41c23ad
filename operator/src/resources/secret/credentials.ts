import type { V1EnvVar, V1Secret } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import {
  credentialKeys,
  database,
  ports,
  type Credentials,
  type CredentialsRotation,
} from "../../context.ts";
import { rotationSecretAnnotations } from "../../credentials-rotation.ts";
import { childMetadata, childNames } from "../../names.ts";

/**
 * The tenant's credentials Secret. Passwords are generated once, written here, and read back on
 * every later reconcile (`readStoredCredentials`): the database keeps the password it was initialised
 * with, so regenerating would lock the app out.
 *
 * Values go in `data` (base64), never `stringData`: the API server folds `stringData` into `data`,
 * so a server-side apply of `stringData` never matches what it reads back.
 */

/** Fresh credentials from a source of random bytes (in production, `crypto.randomBytes`). */
export function generateCredentials(randomBytes: (n: number) => Buffer): Credentials {
  return {
    postgresPassword: randomBytes(32).toString("base64url"),
    redisPassword: randomBytes(32).toString("base64url"),
    sessionSecret: randomBytes(48).toString("base64url"),
    // 18 bytes are 24 characters: strong enough, and short enough for a person to type once.
    adminPassword: randomBytes(18).toString("base64url"),
  };
}

/** The credentials Secret: the passwords plus the URLs and names the app connects with. */
export function buildCredentialsSecret(
  tracker: FinanceTracker,
  credentials: Credentials,
): V1Secret {
  const names = childNames(tracker.metadata.name);
  const postgresPassword = encodeURIComponent(credentials.postgresPassword);
  const redisPassword = encodeURIComponent(credentials.redisPassword);
  const values: Partial<Record<(typeof credentialKeys)[keyof typeof credentialKeys], string>> = {
    [credentialKeys.postgresUser]: database.user,
    [credentialKeys.postgresPassword]: credentials.postgresPassword,
    [credentialKeys.postgresDatabase]: database.name,
    [credentialKeys.databaseUrl]: `postgres://${database.user}:${postgresPassword}@${names.postgres}:${ports.postgres}/${database.name}`,
    [credentialKeys.redisPassword]: credentials.redisPassword,
    [credentialKeys.redisUrl]: `redis://:${redisPassword}@${names.redis}:${ports.redis}`,
    [credentialKeys.sessionSecret]: credentials.sessionSecret,
    [credentialKeys.adminEmail]: tracker.spec.app.adminEmail,
    [credentialKeys.adminPassword]: credentials.adminPassword,
    ...rotationValues(credentials.rotation),
  };
  // No owner reference: garbage collection must never take the passwords the data volume was
  // initialised with. A foreground deletion (what Argo CD's prune does) deletes dependents while
  // our finalizer still runs, too early to spare them; the finalizer deletes this Secret itself
  // when deletionPolicy is Delete.
  const { name, namespace, labels } = childMetadata(tracker, "app", names.credentialsSecret);
  const annotations = rotationAnnotations(credentials);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels, ...(annotations ? { annotations } : {}) },
    type: "Opaque",
    data: Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
    ),
  };
}

function rotationValues(
  rotation: CredentialsRotation | undefined,
): Partial<Record<(typeof credentialKeys)[keyof typeof credentialKeys], string>> {
  if (!rotation) return {};
  const preparing = rotation.stage === "preparing";
  return {
    [preparing ? credentialKeys.postgresPasswordNext : credentialKeys.postgresPasswordPrevious]:
      rotation.postgresPassword,
    [preparing ? credentialKeys.redisPasswordNext : credentialKeys.redisPasswordPrevious]:
      rotation.redisPassword,
    [credentialKeys.postgresPasswordVerifier]: rotation.postgresVerifier,
  };
}

function rotationAnnotations(credentials: Credentials): Record<string, string> | undefined {
  const { rotation, rotated } = credentials;
  if (!rotation && !rotated) return undefined;
  return {
    ...(rotation ? { [rotationSecretAnnotations.request]: rotation.request } : {}),
    ...(rotated
      ? {
          [rotationSecretAnnotations.rotated]: rotated.request,
          [rotationSecretAnnotations.rotatedAt]: rotated.at,
        }
      : {}),
  };
}

/**
 * Whatever credentials an existing Secret holds (undefined when there is no Secret). A value
 * someone deleted by hand is simply absent: judgeCredentials decides whether it may be replaced.
 */
export function readStoredCredentials(
  secret: V1Secret | undefined,
): Partial<Credentials> | undefined {
  if (!secret) return undefined;
  const data = secret.data ?? {};
  const read = (key: string): string | undefined => {
    const encoded = data[key];
    const value = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
    return value === "" ? undefined : value;
  };
  const stored: Partial<Credentials> = {};
  const postgresPassword = read(credentialKeys.postgresPassword);
  const redisPassword = read(credentialKeys.redisPassword);
  const sessionSecret = read(credentialKeys.sessionSecret);
  const adminPassword = read(credentialKeys.adminPassword);
  if (postgresPassword) stored.postgresPassword = postgresPassword;
  if (redisPassword) stored.redisPassword = redisPassword;
  if (sessionSecret) stored.sessionSecret = sessionSecret;
  if (adminPassword) stored.adminPassword = adminPassword;
  const rotation = readRotation(secret.metadata?.annotations ?? {}, read);
  if (rotation) stored.rotation = rotation;
  const annotations = secret.metadata?.annotations ?? {};
  const rotated = annotations[rotationSecretAnnotations.rotated];
  if (rotated) {
    stored.rotated = {
      request: rotated,
      at: annotations[rotationSecretAnnotations.rotatedAt] ?? "",
    };
  }
  return stored;
}

/** The rotation a Secret records, if its request and every value it needs are there. */
function readRotation(
  annotations: Record<string, string>,
  read: (key: string) => string | undefined,
): CredentialsRotation | undefined {
  const request = annotations[rotationSecretAnnotations.request];
  const postgresVerifier = read(credentialKeys.postgresPasswordVerifier);
  if (!request || !postgresVerifier) return undefined;
  const next = [read(credentialKeys.postgresPasswordNext), read(credentialKeys.redisPasswordNext)];
  const previous = [
    read(credentialKeys.postgresPasswordPrevious),
    read(credentialKeys.redisPasswordPrevious),
  ];
  const [stage, [postgresPassword, redisPassword]] = previous[0]
    ? (["switching", previous] as const)
    : (["preparing", next] as const);
  if (!postgresPassword || !redisPassword) return undefined;
  return { request, stage, postgresPassword, redisPassword, postgresVerifier };
}

/**
 * During a credentials rotation, the password PostgreSQL holds until the rotation's last step:
 * the app opens connections with it when the URL's new one is refused. Optional: the key exists
 * only while a rotation needs it.
 */
export function previousDatabasePassword(secretName: string): V1EnvVar {
  return {
    name: "DATABASE_PASSWORD_PREVIOUS",
    valueFrom: {
      secretKeyRef: {
        name: secretName,
        key: credentialKeys.postgresPasswordPrevious,
        optional: true,
      },
    },
  };
}
