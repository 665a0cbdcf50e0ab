#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis the tests use are answering, starting them when
# they are installed here but stopped. Safe to run any number of times.
set -euo pipefail

pg_host=127.0.0.1
pg_port=5432
redis_host=127.0.0.1
redis_port=6379

wait_until() { # seconds, command...
  local tries=$(( $1 * 5 )); shift
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

pg_up() { pg_isready -q -h "$pg_host" -p "$pg_port"; }
redis_up() { [ "$(redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null)" = PONG ]; }

if ! command -v pg_isready >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "ensure-services: pg_isready or redis-cli is missing; assuming the services are managed elsewhere" >&2
  exit 0
fi

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  wait_until 30 pg_up || { echo "ensure-services: PostgreSQL is not answering on $pg_host:$pg_port (try: docker compose up -d postgres)" >&2; exit 1; }
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "ensure-services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  wait_until 30 redis_up || { echo "ensure-services: Redis is not answering on $redis_host:$redis_port (try: docker compose up -d redis)" >&2; exit 1; }
fi

echo "ensure-services: PostgreSQL and Redis are up"
