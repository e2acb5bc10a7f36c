#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1:55432 for the store and server tests, and exports
# QUADRANT_TEST_PG (a connection URL). Source it: `source .ci/postgres.sh`.
# Debian's postgresql package; the cluster lives in a temporary folder owned by an unprivileged
# user (initdb refuses to run as root), and is stopped when the sourcing shell exits.
# The sourcing shell's options are restored at the end.
PG_SAVED_OPTS="$(set +o)"
PG_HAD_E=0
case $- in *e*) PG_HAD_E=1 ;; esac
set -euo pipefail

PGPORT_CI=55432
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"

# initdb and the server run as a non-root user: `postgres` (created by the package) when
# running as root, else the current user.
if [ "$(id -u)" = 0 ]; then
    PGUSER_CI=postgres
    as_pg() { su postgres -s /bin/sh -c "$*"; }
else
    PGUSER_CI="$(id -un)"
    as_pg() { sh -c "$*"; }
fi

PGDATA_CI="$(mktemp -d /tmp/quadrant-pg.XXXXXX)"
chown "$PGUSER_CI" "$PGDATA_CI"
as_pg "'$PGBIN/initdb' -D '$PGDATA_CI/data' -U '$PGUSER_CI' --auth=trust -E UTF8 >'$PGDATA_CI/initdb.log' 2>&1"
as_pg "'$PGBIN/pg_ctl' -D '$PGDATA_CI/data' -l '$PGDATA_CI/server.log' -w -t 60 \
    -o \"-h 127.0.0.1 -p $PGPORT_CI -k '$PGDATA_CI'\" start >/dev/null"
as_pg "'$PGBIN/createdb' -h 127.0.0.1 -p $PGPORT_CI -U '$PGUSER_CI' quadrant_test"

export QUADRANT_TEST_PG="postgres://$PGUSER_CI@127.0.0.1:$PGPORT_CI/quadrant_test"
# Stopped when the shell that sourced this exits, whatever the tests did.
trap "$(declare -f as_pg); as_pg \"'$PGBIN/pg_ctl' -D '$PGDATA_CI/data' -m fast stop >/dev/null 2>&1\"; rm -rf '$PGDATA_CI'" EXIT
echo "PostgreSQL on 127.0.0.1:$PGPORT_CI: QUADRANT_TEST_PG=$QUADRANT_TEST_PG"
eval "$PG_SAVED_OPTS"
if [ "$PG_HAD_E" = 1 ]; then set -e; fi
