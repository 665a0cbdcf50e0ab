#!/usr/bin/env bash
# Everything the tests need besides npm packages: the local PostgreSQL and Redis answering
# (started when installed here but stopped) and promtool, which checks the alert rules
# (installed from Debian's prometheus package when missing). `npm test` runs this first, so the
# README's test command needs no step done by hand. Safe to run any number of times.
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

# promtool comes with Debian's prometheus package. Its post-install may fail to start a service
# where there is no init system; what counts is the promtool binary.
if ! command -v promtool >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt=(apt-get)
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt=(sudo -n apt-get)
  else
    echo "ensure-services: promtool is missing; install Debian's prometheus package" \
      "(apt-get install -y --no-install-recommends prometheus) or put promtool on PATH" >&2
    exit 1
  fi
  echo "ensure-services: installing promtool (Debian package prometheus)"
  apt_log=$(mktemp)
  { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y \
      --no-install-recommends prometheus; } >"$apt_log" 2>&1 || true
  if ! command -v promtool >/dev/null; then
    cat "$apt_log" >&2
    echo "ensure-services: promtool could not be installed" >&2
    exit 1
  fi
  rm -f "$apt_log"
fi
echo "ensure-services: promtool $(promtool --version 2>&1 | head -n 1 | awk '{print $3}') is installed"
