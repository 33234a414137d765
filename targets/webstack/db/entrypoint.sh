#!/bin/sh
# One image, three roles: `etcd`, `patroni` (db1..db3) and `shard` (a plain PostgreSQL node).
set -eu
role="${1:-patroni}"
node="${NODE_NAME:-$(hostname)}"
# setpriv execs (runuser would stay as PID 1 between Docker and the server).
as_postgres() { HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql

case "$role" in
etcd)
  # A one-member etcd for Patroni's leader key; data lives and dies with the container.
  exec etcd --name "$node" --data-dir /tmp/etcd \
    --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://${node}:2379" \
    --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://${node}:2380" \
    --initial-cluster "${node}=http://${node}:2380" --initial-cluster-state new \
    --enable-v2=true
  ;;
patroni)
  mkdir -p "$PGDATA" && chown -R postgres:postgres /var/lib/postgresql && chmod 700 "$PGDATA"
  export PATRONI_NAME="$node"
  export PATRONI_RESTAPI_CONNECT_ADDRESS="${node}:8008"
  export PATRONI_POSTGRESQL_CONNECT_ADDRESS="${node}:5432"
  export PATRONI_ETCD3_HOSTS="${ETCD_HOSTS:-etcd:2379}"
  as_postgres patroni /etc/patroni/patroni.yml
  ;;
shard)
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA" && chown -R postgres:postgres /var/lib/postgresql && chmod 700 "$PGDATA"
    echo "${POSTGRES_PASSWORD:-postgres}" > /tmp/pwfile && chown postgres /tmp/pwfile
    runuser -u postgres -- initdb -D "$PGDATA" -U postgres --pwfile=/tmp/pwfile -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f /tmp/pwfile
    echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
    runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE ${APP_DB_USER:-app} LOGIN PASSWORD '${APP_DB_PASSWORD:-app}';
CREATE DATABASE ${APP_DB_NAME:-webstack} OWNER ${APP_DB_USER:-app};
SQL
    runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  as_postgres postgres -D "$PGDATA" -c listen_addresses='*' -c shared_buffers=32MB \
    -c max_connections=200
  ;;
*)
  echo "webstack-db: unknown role '$role' (expected etcd, patroni or shard)" >&2
  exit 2
  ;;
esac
