#!/bin/sh
# The official redis image's entrypoint, with setpriv where it uses gosu.
set -e
# An option or a configuration file: run them under redis-server.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
# Started as root (docker run without --user): hand /data to redis and drop to it.
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
um="$(umask)"
if [ "$um" = 0022 ]; then
  umask 0077
fi
exec "$@"
