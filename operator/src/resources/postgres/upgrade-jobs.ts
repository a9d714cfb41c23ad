import type { V1Container, V1EnvVar, V1Job, V1PodSpec, V1Volume } from "@kubernetes/client-node";
import type { FinanceTracker, PostgresVersion } from "../../api/v1alpha1.ts";
import { credentialKeys, database, type BuildContext } from "../../context.ts";
import {
  childLabels,
  childMetadata,
  childNames,
  selectorLabels,
  postgresCopyJobName,
  postgresPruneJobName,
} from "../../names.ts";
import { upgradeTargetAnnotation, type PostgresRuntime } from "../../postgres-upgrade.ts";
import { finishedJobTtlSeconds } from "../backup/job.ts";
import { restrictedContainerSecurityContext } from "../security.ts";
import { dataMountPath, postgresPodSecurityContext, postgresResources } from "./statefulset.ts";

/**
 * The copy: the old major's server runs as a native sidecar on the old data directory, listening
 * on loopback only (nothing outside the pod can write to it while it is copied); the new major's
 * image initialises the new directory with the same encoding, locale, superuser and password,
 * copies every database and role with pg_dumpall, then compares every table's row count and an
 * order-independent checksum of its rows on both servers. Any difference fails the Job, and the
 * old directory is never written to. POSIX sh: the official -alpine images have no bash.
 */
const copyScript = String.raw`set -eu
fail() { printf '%s\n' "$*" >/dev/termination-log; printf '%s\n' "$*" >&2; exit 1; }
sock=/tmp/new-server
mkdir -p "$sock"
old_psql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" "$@"; }
new_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p 5433 -U "$POSTGRES_USER" "$@"; }
settings=$(old_psql -d postgres -At -F ' ' -c "select pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = 'template1'") \
  || fail "PostgreSQL $OLD_MAJOR does not answer on its data directory $OLD_PGDATA"
set -- $settings
rm -rf "$NEW_PGDATA"
(umask 077 && printf '%s' "$PGPASSWORD" >/tmp/password)
initdb -D "$NEW_PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/password -E "$1" --lc-collate="$2" --lc-ctype="$3" \
  --auth-local=trust --auth-host=scram-sha-256 >/tmp/initdb.log 2>&1 \
  || fail "initdb of PostgreSQL $NEW_MAJOR failed: $(tail -n 3 /tmp/initdb.log)"
rm -f /tmp/password
cp "$OLD_PGDATA/pg_hba.conf" "$NEW_PGDATA/pg_hba.conf"
pg_ctl -D "$NEW_PGDATA" -w -t 300 -l /tmp/new-server.log \
  -o "-c listen_addresses='' -c unix_socket_directories=$sock -p 5433" start >/dev/null \
  || fail "PostgreSQL $NEW_MAJOR did not start: $(tail -n 3 /tmp/new-server.log)"
# The superuser exists already (initdb made it with the same password); everything else comes
# from the dump, role passwords included. dash has no pipefail: the dump's status goes via a file.
{ pg_dumpall -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER"; echo $? >/tmp/dump.status; } \
  | sed "/^CREATE ROLE $POSTGRES_USER;\$/d" \
  | new_psql -d postgres -f - >/tmp/restore.log 2>&1 \
  || fail "restoring into PostgreSQL $NEW_MAJOR failed: $(tail -n 3 /tmp/restore.log)"
[ "$(cat /tmp/dump.status)" = 0 ] || fail "pg_dumpall from PostgreSQL $OLD_MAJOR failed"
sums="select format('select %L, count(*), coalesce(sum((''x'' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) from %I.%I t', n.nspname || '.' || c.relname, n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%' order by 1"
databases=0
tables=0
old_psql -d postgres -At -c "select datname from pg_database where datallowconn and not datistemplate order by 1" >/tmp/databases
while IFS= read -r db; do
  printf '%s\n\\gexec\n' "$sums" | old_psql -d "$db" -At -F '|' -f - >/tmp/old.sums
  printf '%s\n\\gexec\n' "$sums" | new_psql -d "$db" -At -F '|' -f - >/tmp/new.sums
  cmp -s /tmp/old.sums /tmp/new.sums \
    || fail "database $db differs after the copy: $(diff /tmp/old.sums /tmp/new.sums | sed -n 2p)"
  databases=$((databases + 1))
  tables=$((tables + $(wc -l </tmp/old.sums)))
done </tmp/databases
# A dump carries no planner statistics: gather them before the app's first query.
vacuumdb -h "$sock" -p 5433 -U "$POSTGRES_USER" --all --analyze-only -q
pg_ctl -D "$NEW_PGDATA" -m fast -w stop >/dev/null
printf 'copied %s databases from PostgreSQL %s to %s; each of their %s tables has the same rows on both\n' \
  "$databases" "$OLD_MAJOR" "$NEW_MAJOR" "$tables" | tee /dev/termination-log
`;

/** Removes every data directory but the one in use; refuses when that one is not a database. */
const pruneScript = String.raw`set -eu
cd "$DATA"
[ -s "$KEEP/PG_VERSION" ] || { echo "$KEEP holds no database: nothing removed" >/dev/termination-log; exit 1; }
removed=""
for dir in pgdata pgdata-*; do
  if [ -d "$dir" ] && [ "$dir" != "$KEEP" ]; then
    rm -rf -- "$dir"
    removed="$removed $dir"
  fi
done
[ -n "$removed" ] || removed=" nothing"
echo "kept $KEEP; removed:$removed" | tee /dev/termination-log
`;

function passwordEnv(tracker: FinanceTracker, name: string): V1EnvVar {
  return {
    name,
    valueFrom: {
      secretKeyRef: {
        name: childNames(tracker.metadata.name).credentialsSecret,
        key: credentialKeys.postgresPassword,
      },
    },
  };
}

function dataClaimVolume(tracker: FinanceTracker): V1Volume {
  const names = childNames(tracker.metadata.name);
  return {
    name: "data",
    persistentVolumeClaim: {
      claimName: names.postgresDataClaim,
    },
  };
}

const scratch = (name: string): V1Volume => ({ name, emptyDir: {} });

function podSpec(tracker: FinanceTracker, spec: Partial<V1PodSpec>): V1PodSpec {
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: postgresPodSecurityContext(),
    containers: [],
    ...spec,
    volumes: [dataClaimVolume(tracker), ...(spec.volumes ?? [])],
  };
}

/** The Job that copies the tenant's databases from one major's data directory into another's. */
export function buildPostgresCopyJob(
  tracker: FinanceTracker,
  ctx: BuildContext,
  from: PostgresRuntime,
  to: PostgresRuntime,
): V1Job {
  const name = tracker.metadata.name;
  const labels = childLabels(name, "postgres-upgrade");
  const resources = postgresResources(tracker);
  const oldServer: V1Container = {
    name: "old-server",
    image: ctx.images.postgres(from.major as PostgresVersion),
    // A native sidecar: it starts first, and is stopped once the copy has finished.
    restartPolicy: "Always",
    args: ["postgres", "-c", "listen_addresses=127.0.0.1"],
    env: [
      { name: "PGDATA", value: `${dataMountPath}/${from.dataDirectory}` },
      { name: "POSTGRES_USER", value: database.user },
      passwordEnv(tracker, "POSTGRES_PASSWORD"),
    ],
    resources,
    securityContext: restrictedContainerSecurityContext(),
    startupProbe: {
      exec: { command: ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", database.user] },
      periodSeconds: 2,
      failureThreshold: 150,
    },
    volumeMounts: [
      { name: "data", mountPath: dataMountPath },
      { name: "old-run", mountPath: "/var/run/postgresql" },
      { name: "old-tmp", mountPath: "/tmp" },
      { name: "shm", mountPath: "/dev/shm" },
    ],
  };
  const copy: V1Container = {
    name: "copy",
    image: ctx.images.postgres(to.major as PostgresVersion),
    command: ["sh", "-c", copyScript],
    env: [
      { name: "OLD_MAJOR", value: String(from.major) },
      { name: "NEW_MAJOR", value: String(to.major) },
      { name: "OLD_PGDATA", value: `${dataMountPath}/${from.dataDirectory}` },
      { name: "NEW_PGDATA", value: `${dataMountPath}/${to.dataDirectory}` },
      { name: "POSTGRES_USER", value: database.user },
      passwordEnv(tracker, "PGPASSWORD"),
      // Both servers print rows the same way, whatever their own defaults.
      { name: "PGTZ", value: "UTC" },
      { name: "PGDATESTYLE", value: "ISO, YMD" },
    ],
    resources,
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "FallbackToLogsOnError",
    volumeMounts: [
      { name: "data", mountPath: dataMountPath },
      { name: "new-run", mountPath: "/var/run/postgresql" },
      { name: "new-tmp", mountPath: "/tmp" },
      { name: "shm", mountPath: "/dev/shm" },
    ],
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: childMetadata(tracker, "postgres-upgrade", postgresCopyJobName(name), {
      annotations: { [upgradeTargetAnnotation]: String(to.major) },
    }),
    spec: {
      // A failed copy is reported and tried again only when someone asks (deletes the Job).
      backoffLimit: 0,
      activeDeadlineSeconds: 6 * 3600,
      template: {
        metadata: { labels },
        spec: podSpec(tracker, {
          initContainers: [oldServer],
          containers: [copy],
          volumes: [
            scratch("old-run"),
            scratch("old-tmp"),
            scratch("new-run"),
            scratch("new-tmp"),
            { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } },
          ],
        }),
      },
    },
  };
}

/**
 * The Job that removes the data directories other than `keep`. It shares the volume with the
 * running server, so it must land on that server's node: a ReadWriteOnce volume is attached to
 * one node, not one pod.
 */
export function buildPostgresPruneJob(
  tracker: FinanceTracker,
  ctx: BuildContext,
  runtime: PostgresRuntime,
): V1Job {
  const name = tracker.metadata.name;
  const labels = childLabels(name, "postgres-upgrade");
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: childMetadata(
      tracker,
      "postgres-upgrade",
      postgresPruneJobName(name, runtime.dataDirectory),
    ),
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: finishedJobTtlSeconds,
      template: {
        metadata: { labels },
        spec: podSpec(tracker, {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: selectorLabels(name, "postgres") },
                  topologyKey: "kubernetes.io/hostname",
                },
              ],
            },
          },
          containers: [
            {
              name: "prune",
              image: ctx.images.postgres(runtime.major as PostgresVersion),
              command: ["sh", "-c", pruneScript],
              env: [
                { name: "DATA", value: dataMountPath },
                { name: "KEEP", value: runtime.dataDirectory },
              ],
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
              securityContext: restrictedContainerSecurityContext(),
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "FallbackToLogsOnError",
              volumeMounts: [{ name: "data", mountPath: dataMountPath }],
            },
          ],
        }),
      },
    },
  };
}
