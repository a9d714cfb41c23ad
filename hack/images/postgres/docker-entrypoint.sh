#!/usr/bin/env bash
# The postgres stand-ins' entrypoint, keeping the official image's behaviour: on an empty PGDATA,
# initdb with POSTGRES_USER and POSTGRES_PASSWORD, host connections by scram-sha-256 (or
# POSTGRES_HOST_AUTH_METHOD), POSTGRES_DB created, /docker-entrypoint-initdb.d run against a
# temporary server that listens on a Unix socket only; then postgres in the foreground.
set -Eeuo pipefail

# Options go to postgres; any other command (psql, pg_dump, sh) runs as given.
if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi
if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi

# Started as root (docker run without --user): give the data folder to postgres and drop to it.
if [[ "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 00700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# initdb needs a user name for its uid; a runAsUser without a passwd entry gets one.
if ! getent passwd "$(id -u)" >/dev/null; then
  NSS_WRAPPER_PASSWD="$(mktemp)"
  NSS_WRAPPER_GROUP="$(mktemp)"
  printf 'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\n' "$(id -u)" "$(id -g)" "$PGDATA" \
    >"$NSS_WRAPPER_PASSWD"
  printf 'postgres:x:%s:\n' "$(id -g)" >"$NSS_WRAPPER_GROUP"
  export NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
  export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so
fi

# The official image's file_env: VAR_FILE names a file holding VAR's value (a Compose or Docker
# secret), so the password need not sit in the container's environment.
file_env() {
  local var="$1" file_var="${1}_FILE"
  if [[ -n "${!var:-}" && -n "${!file_var:-}" ]]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  if [[ -n "${!file_var:-}" ]]; then
    export "$var"="$(<"${!file_var}")"
  fi
  unset "$file_var"
}

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  for var in POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB POSTGRES_INITDB_ARGS; do file_env "$var"; done
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  : "${POSTGRES_PASSWORD:=}"
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  if [[ -z "$POSTGRES_PASSWORD" && "$POSTGRES_HOST_AUTH_METHOD" != trust ]]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" 2>/dev/null || :
  if [[ -n "$(ls -A "$PGDATA")" ]]; then
    echo "error: PGDATA ($PGDATA) holds files but no database; initdb needs it empty" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, split as the official image does.
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
  # initdb writes its compiled-in socket folder (/tmp) into postgresql.conf; the official images
  # use /var/run/postgresql. Both, so clients with either default connect.
  sed -ri "s!^#?(unix_socket_directories)\s*=.*!\1 = '/var/run/postgresql,/tmp'!" \
    "$PGDATA/postgresql.conf"

  # The temporary server: a socket in the first writable folder, no TCP, so nothing outside sees
  # a half-initialised database (the operator's probes use TCP on purpose).
  socket_dir=/tmp
  [[ -w /var/run/postgresql ]] && socket_dir=/var/run/postgresql
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$socket_dir -p 5432" start
  export PGHOST="$socket_dir" PGPORT=5432 PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD"
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname postgres --set db="$POSTGRES_DB" \
      <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "running $f"; bash "$f" ;;
      *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$POSTGRES_DB" ;;
      *) [[ -e "$f" ]] && echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGHOST PGPORT PGUSER PGPASSWORD
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
