#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster and Redis server on loopback, and
# stops both whatever happens. PostgreSQL refuses to run as root, so as root the cluster runs
# as the unprivileged "postgres" user (created if missing).
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d /tmp/pact-services.XXXXXX)
chmod 755 "$work"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$work"
  as_pg=(runuser -u postgres --)
fi

stop() {
  status=$?
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$work/redis.pid" ]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
  exit $status
}
trap stop EXIT INT TERM

pg_port=$(free_port)
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U pact -A trust --no-sync -E UTF8 >/dev/null
# Durability settings off: this cluster lives for one test run.
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o \
  "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U pact pact
# The application's role, which owns nothing (scripts/db-roles.sql); the tests run the
# production processes as it, and check what it cannot do.
app_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
"$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U pact -d pact -v ON_ERROR_STOP=1 \
  -v owner_role=pact -v app_role=pact_app -v app_password="$app_password" -v dbname=pact \
  -f "$(dirname "$0")/db-roles.sql" >/dev/null

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --dir "$work" --logfile "$work/redis.log"
for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

export DATABASE_URL="postgres://pact@127.0.0.1:$pg_port/pact"
export DATABASE_APP_URL="postgres://pact_app:$app_password@127.0.0.1:$pg_port/pact"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
"$@"
