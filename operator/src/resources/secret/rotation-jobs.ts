import type { V1Container, V1EnvVar, V1Job } from "@kubernetes/client-node";
import { postgresVersions, type FinanceTracker } from "../../api/v1alpha1.ts";
import { credentialKeys, database, ports, type BuildContext } from "../../context.ts";
import { rotationSecretAnnotations, type RotationJobStep } from "../../credentials-rotation.ts";
import { childLabels, childMetadata, childNames, rotationJobName } from "../../names.ts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../security.ts";
import { finishedJobTtlSeconds } from "../backup/job.ts";

/**
 * The Jobs of a credentials rotation (see credentials-rotation.ts). Each step is idempotent, so a
 * retried pod, or a Job run again after an operator restart, does no harm. Passwords reach the
 * scripts only through the environment (Secret references) and stdin, never the command line.
 * POSIX sh: the official -alpine images have no bash.
 */

const fail = String.raw`fail() { printf '%s\n' "$*" >/dev/termination-log; printf '%s\n' "$*" >&2; exit 1; }`;

/**
 * A new pod's first connections may be dropped until the NetworkPolicy enforcer has seen its
 * address (seconds with kube-router): each step waits for its server to answer, any answer, for
 * up to a minute before it starts.
 */
const redisCli = String.raw`redis() { REDISCLI_AUTH="$1" redis-cli --no-auth-warning -h "$REDIS_HOST" -p "$REDIS_PORT"; }
${fail}
for i in $(seq 1 60); do
  case "$(echo PING | redis "$REDIS_CURRENT" 2>&1)" in PONG | *NOAUTH* | *WRONGPASS*) break ;; esac
  [ "$i" -lt 60 ] || fail "Redis at $REDIS_HOST:$REDIS_PORT did not answer for a minute"
  sleep 1
done`;

/** Adds the new password to Redis' default user, which then accepts the old and the new. */
const prepareRedisScript = String.raw`set -eu
${redisCli}
reply=$(printf 'ACL SETUSER default >%s\n' "$REDIS_NEXT" | redis "$REDIS_CURRENT") || true
[ "$reply" = OK ] || fail "Redis did not take the new password: $reply"
echo "Redis accepts the old and the new password" | tee /dev/termination-log`;

/**
 * Makes the new password Redis' only one (resetpass rather than removing the old one, which
 * fails once it is gone: the step must be safe to run twice). Authenticates with the new password, else the old (a
 * Redis restarted since the first step knows only what the Secret held when it started).
 */
const finishRedisScript = String.raw`set -eu
${redisCli}
auth="$REDIS_CURRENT"
[ "$(echo PING | redis "$auth")" = PONG ] || auth="$REDIS_PREVIOUS"
reply=$(printf 'ACL SETUSER default resetpass >%s\n' "$REDIS_CURRENT" | redis "$auth") || true
[ "$reply" = OK ] || fail "Redis did not switch to the new password: $reply"
[ "$(echo PING | redis "$REDIS_PREVIOUS")" != PONG ] || fail "Redis still accepts the old password"
echo "Redis accepts only the new password" | tee /dev/termination-log`;

/**
 * Sets the new PostgreSQL password as its SCRAM verifier. Signs in with the old password, else
 * the new (the step ran before), and proves the new one opens the database.
 */
const finishPostgresScript = String.raw`set -eu
${fail}
for i in $(seq 1 60); do
  pg_isready -q -t 2 && break
  [ "$i" -lt 60 ] || fail "PostgreSQL at $PGHOST:$PGPORT did not answer for a minute"
  sleep 1
done
opens() { PGPASSWORD="$1" psql -X -q -At -c 'select 1' >/dev/null 2>/tmp/error; }
if opens "$PG_PREVIOUS"; then export PGPASSWORD="$PG_PREVIOUS"
elif opens "$PG_CURRENT"; then export PGPASSWORD="$PG_CURRENT"
else fail "PostgreSQL accepts neither the old nor the new password: $(tail -n 1 /tmp/error)"
fi
psql -X -q -v ON_ERROR_STOP=1 >/tmp/alter.log 2>&1 <<'SQL' || fail "PostgreSQL did not take the new password: $(tail -n 1 /tmp/alter.log)"
\getenv verifier PG_VERIFIER
\getenv role PGUSER
ALTER ROLE :"role" PASSWORD :'verifier';
SQL
opens "$PG_CURRENT" || fail "the new password does not open PostgreSQL: $(tail -n 1 /tmp/error)"
echo "PostgreSQL accepts only the new password" | tee /dev/termination-log`;

/** The Job for one step of the rotation `request`. */
export function buildRotationJob(
  tracker: FinanceTracker,
  ctx: BuildContext,
  request: string,
  step: RotationJobStep,
): V1Job {
  const name = tracker.metadata.name;
  const names = childNames(name);
  const fromSecret = (envName: string, key: string): V1EnvVar => ({
    name: envName,
    valueFrom: { secretKeyRef: { name: names.credentialsSecret, key } },
  });
  const container = (
    containerName: string,
    image: string,
    script: string,
    env: V1EnvVar[],
  ): V1Container => ({
    name: containerName,
    image,
    command: ["sh", "-c", script],
    env: [{ name: "HOME", value: "/tmp" }, ...env],
    resources: {
      requests: { cpu: "10m", memory: "32Mi" },
      limits: { memory: "64Mi" },
    },
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  });
  const redisEnv = [
    { name: "REDIS_HOST", value: names.redis },
    { name: "REDIS_PORT", value: String(ports.redis) },
    fromSecret("REDIS_CURRENT", credentialKeys.redisPassword),
  ];
  const containers =
    step === "prepare"
      ? [
          container("redis", ctx.images.redis, prepareRedisScript, [
            ...redisEnv,
            fromSecret("REDIS_NEXT", credentialKeys.redisPasswordNext),
          ]),
        ]
      : [
          container("redis", ctx.images.redis, finishRedisScript, [
            ...redisEnv,
            fromSecret("REDIS_PREVIOUS", credentialKeys.redisPasswordPrevious),
          ]),
          // The newest major's psql: it talks to every supported server, and the Job's image
          // must not depend on a version that may change while the Job exists.
          container("postgres", ctx.images.postgres(newestMajor), finishPostgresScript, [
            { name: "PGHOST", value: names.postgres },
            { name: "PGPORT", value: String(ports.postgres) },
            { name: "PGUSER", value: database.user },
            { name: "PGDATABASE", value: database.name },
            { name: "PGCONNECT_TIMEOUT", value: "10" },
            fromSecret("PG_CURRENT", credentialKeys.postgresPassword),
            fromSecret("PG_PREVIOUS", credentialKeys.postgresPasswordPrevious),
            fromSecret("PG_VERIFIER", credentialKeys.postgresPasswordVerifier),
          ]),
        ];
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: childMetadata(tracker, "credentials", rotationJobName(name, request, step), {
      annotations: { [rotationSecretAnnotations.request]: request },
    }),
    spec: {
      // A few tries ride out a PostgreSQL or Redis restart; then the failure is reported.
      backoffLimit: 3,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: finishedJobTtlSeconds,
      template: {
        metadata: { labels: childLabels(name, "credentials") },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(rotationUserId, rotationUserId),
          containers,
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
        },
      },
    },
  };
}

const newestMajor = postgresVersions[postgresVersions.length - 1] ?? 18;

/** Any unprivileged id: the scripts write only to /tmp, an emptyDir. */
const rotationUserId = 70;
