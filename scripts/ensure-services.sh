#!/usr/bin/env bash
# Start the local services the tests need when they are down (as DEVELOPERS.md says).
#
# Usage: scripts/ensure-services.sh postgres|redis|chromium ...
# PostgreSQL and Redis come from Debian's packages on the development machines and in
# CI; chromium is installed from Debian on first use (we are root there). A machine
# with its own PostgreSQL elsewhere sets DATABASE_URL and skips "postgres".
set -euo pipefail

PG_HOST="${PGHOST:-127.0.0.1}"
PG_PORT="${PGPORT:-5432}"

ensure_postgres() {
    if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
        return 0
    fi
    echo "PostgreSQL is down: starting it ..." >&2
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
        sleep 1
    done
    echo "error: PostgreSQL did not come up on $PG_HOST:$PG_PORT" >&2
    return 1
}

ensure_redis() {
    if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        return 0
    fi
    echo "Redis is down: starting it ..." >&2
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 20); do
        redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "error: Redis did not come up on 127.0.0.1:6379" >&2
    return 1
}

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    echo "Debian's chromium is missing: installing it ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
    test -x /usr/bin/chromium
}

for service in "$@"; do
    case "$service" in
        postgres) ensure_postgres ;;
        redis) ensure_redis ;;
        chromium) ensure_chromium ;;
        *) echo "unknown service: $service" >&2; exit 2 ;;
    esac
done
