#!/usr/bin/env bash
# The loopback production deployment: nginx (TLS), app servers, task workers and the
# daily jobs against PostgreSQL and Redis, configured from ONE environment file.
#
# Usage: scripts/prod.sh up|down|check|status|start|manage ARGS...
#   up     check, migrate, collect static files, start everything that is not running
#   start  only start what is not running (after a crash; no checks)
#   PROD_ENV=FILE  the environment file (default var/prod/prod.env, copied from
#                  deploy/prod.env.example with a fresh SECRET_KEY on first use)
#
# Everything it writes lives under ANLAUFSTELLE_VAR_DIR (var/prod/): conf/, tls/, run/
# (pid files), log/, nginx/ (nginx's temporary files), static/, media/, mail/. Nothing
# system-wide apart from the Debian packages nginx and openssl (installed when missing).
# Every process runs in its own session, so `kill -- -PID` ends it with its children.
set -euo pipefail

cd "$(dirname "$0")/.."
PROJECT_DIR="$(pwd)"
PY="$PROJECT_DIR/.venv/bin/python"
EXAMPLE="deploy/prod.env.example"
PROD_ENV="${PROD_ENV:-var/prod/prod.env}"

say() { printf '%s\n' "prod: $*"; }
die() { printf '%s\n' "prod: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------- configuration

# KEY=value lines, read verbatim as systemd's EnvironmentFile= does (no quotes, no
# expansion), so the same file serves both.
load_env() {
    if [ ! -f "$PROD_ENV" ]; then
        [ "$PROD_ENV" = "var/prod/prod.env" ] || die "no environment file $PROD_ENV"
        mkdir -p var/prod
        local secret
        secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        sed "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" "$EXAMPLE" >"$PROD_ENV"
        chmod 600 "$PROD_ENV"
        say "created $PROD_ENV from $EXAMPLE (fresh SECRET_KEY); edit it to taste"
    fi
    local line key
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in '' | '#'*) continue ;; esac
        key="${line%%=*}"
        [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$PROD_ENV: not KEY=value: $line"
        export "$key=${line#*=}"
    done <"$PROD_ENV"
    : "${ANLAUFSTELLE_VAR_DIR:=var/prod}"
    # Absolute, so that nginx and every process agree whatever their directory.
    case "$ANLAUFSTELLE_VAR_DIR" in /*) ;; *) ANLAUFSTELLE_VAR_DIR="$PROJECT_DIR/$ANLAUFSTELLE_VAR_DIR" ;; esac
    export ANLAUFSTELLE_VAR_DIR
    PROD_DIR="$ANLAUFSTELLE_VAR_DIR"
    export STATIC_ROOT="${STATIC_ROOT:-$PROD_DIR/static}"
    export MEDIA_ROOT="${MEDIA_ROOT:-$PROD_DIR/media}"
    RUN_DIR="$PROD_DIR/run"
    LOG_DIR="$PROD_DIR/log"
    CONF_DIR="$PROD_DIR/conf"
    TLS_DIR="$PROD_DIR/tls"
    : "${PROD_LISTEN:=127.0.0.1}" "${PROD_HTTPS_PORT:=8443}" "${PROD_HTTP_PORT:=8106}"
    : "${PROD_SERVER_NAME:=localhost}" "${PROD_MAX_BODY:=20m}"
    : "${PROD_WEB_PORTS:=8161 8162}" "${PROD_WEB_PROCESSES:=2}" "${PROD_WEB_MAX_REQUESTS:=5000}"
    : "${PROD_ASGI:=auto}" "${PROD_ASGI_PORTS:=8163 8164}"
    : "${PROD_WORKERS:=2}" "${PROD_MAIL_SINK:=false}" "${PROD_DEMO_DATA:=false}"
}

asgi_enabled() {
    case "$PROD_ASGI" in
        true | yes | 1) return 0 ;;
        false | no | 0) return 1 ;;
        # auto: once asgi.py routes WebSockets (Channels' ProtocolTypeRouter).
        *) grep -q "websocket" src/anlaufstelle/asgi.py ;;
    esac
}

# ---------------------------------------------------------------- processes

pid_alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# start NAME COMMAND...: in its own session, output appended to log/NAME.log.
start() {
    local name="$1"
    shift
    if pid_alive "$name"; then
        say "$name runs already (pid $(cat "$RUN_DIR/$name.pid"))"
        return 0
    fi
    setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    echo "$!" >"$RUN_DIR/$name.pid"
    say "started $name (pid $!, log ${LOG_DIR#"$PROJECT_DIR"/}/$name.log)"
}

# stop NAME: TERM (finish the current request or task), then KILL the session after 30 s.
stop() {
    local name="$1" pid
    [ -f "$RUN_DIR/$name.pid" ] || return 0
    pid="$(cat "$RUN_DIR/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name did not stop in 30 s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        # Children left in its session (a gunicorn worker whose master was killed).
        kill -KILL -- "-$pid" 2>/dev/null || true
        say "stopped $name"
    fi
    rm -f "$RUN_DIR/$name.pid"
}

components() {
    local i=0 port
    [ "$PROD_MAIL_SINK" = true ] && echo mail-sink
    for port in $PROD_WEB_PORTS; do i=$((i + 1)); echo "web-$i"; done
    if asgi_enabled; then
        i=0
        for port in $PROD_ASGI_PORTS; do i=$((i + 1)); echo "asgi-$i"; done
    fi
    for i in $(seq 1 "$PROD_WORKERS"); do echo "worker-$i"; done
    echo scheduler
    echo nginx
}

# ---------------------------------------------------------------- pieces of `up`

ensure_packages() {
    local missing=()
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    command -v openssl >/dev/null || missing+=(openssl)
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (apt-get install them as root)"
    say "installing ${missing[*]} from Debian ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
    # Debian's package starts a system nginx on port 80 where it can: not ours to run.
    if [ -f /run/nginx.pid ]; then
        /usr/sbin/nginx -s quit 2>/dev/null || true
    fi
}

ensure_certificate() {
    [ -f "$TLS_DIR/cert.pem" ] && [ -f "$TLS_DIR/key.pem" ] && return 0
    mkdir -p "$TLS_DIR"
    local san="" name
    for name in $PROD_SERVER_NAME; do
        if [[ "$name" =~ ^[0-9.]+$ ]]; then san+="IP:$name,"; else san+="DNS:$name,"; fi
    done
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -sha256 \
        -subj "/CN=${PROD_SERVER_NAME%% *}" -addext "subjectAltName=${san%,}" \
        -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null
    chmod 600 "$TLS_DIR/key.pem"
    say "made a self-signed certificate: ${TLS_DIR#"$PROJECT_DIR"/}/cert.pem (${san%,})"
}

render_nginx() {
    mkdir -p "$CONF_DIR" "$PROD_DIR/nginx" "$STATIC_ROOT" "$MEDIA_ROOT"
    local web="" asgi="" ws="" port
    for port in $PROD_WEB_PORTS; do
        web+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
    done
    if asgi_enabled; then
        asgi="    upstream anlaufstelle_asgi {"$'\n'
        for port in $PROD_ASGI_PORTS; do
            asgi+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
        done
        asgi+="    }"
        ws="$(grep -v '^#' deploy/nginx-ws.conf.template)"
    fi
    WEB="$web" ASGI="$asgi" WS="$ws" python3 - "$CONF_DIR/nginx.conf" <<PYEOF
import os, sys
text = open("deploy/nginx.conf.template").read()
values = {
    "RUN_DIR": "$RUN_DIR", "LOG_DIR": "$LOG_DIR", "PROD_DIR": "$PROD_DIR",
    "TLS_DIR": "$TLS_DIR", "STATIC_ROOT": "$STATIC_ROOT", "MEDIA_ROOT": "$MEDIA_ROOT",
    "LISTEN": "$PROD_LISTEN", "HTTP_PORT": "$PROD_HTTP_PORT", "HTTPS_PORT": "$PROD_HTTPS_PORT",
    "SERVER_NAME": "$PROD_SERVER_NAME", "MAX_BODY": "$PROD_MAX_BODY",
    "WEB_SERVERS": os.environ["WEB"].rstrip("\n"), "ASGI_UPSTREAM": os.environ["ASGI"],
    "WS_LOCATION": os.environ["WS"],
}
for key, value in values.items():
    text = text.replace(f"@{key}@", value)
open(sys.argv[1], "w").write(text)
PYEOF
    /usr/sbin/nginx -t -q -p "$PROD_DIR" -c "$CONF_DIR/nginx.conf" -g "error_log stderr;" \
        || die "nginx rejects ${CONF_DIR#"$PROJECT_DIR"/}/nginx.conf"
    # The test leaves an empty pid file behind.
    pid_alive nginx || rm -f "$RUN_DIR/nginx.pid"
}

manage() { "$PY" manage.py "$@"; }

start_mail_sink() {
    [ "$PROD_MAIL_SINK" = true ] || return 0
    pid_alive mail-sink && return 0
    mkdir -p "$PROD_DIR/mail"
    start mail-sink "$PY" -m aiosmtpd -n -l "$EMAIL_HOST:$EMAIL_PORT" \
        -c aiosmtpd.handlers.Mailbox "$PROD_DIR/mail"
    sleep 1
}

# The loopback deployment's own database: created on the local PostgreSQL when it is
# missing (a fresh machine has none; `make prod-up` promises to set everything up). A
# database on another host is the operator's (docs/deployment.md) and never created here.
ensure_local_database() {
    "$PY" - <<'PYEOF'
import os
import sys
from urllib.parse import urlsplit

import psycopg

url = urlsplit(os.environ.get("DATABASE_URL", ""))
name = url.path.lstrip("/")
if url.scheme not in ("postgres", "postgresql") or url.hostname not in ("127.0.0.1", "localhost"):
    sys.exit(0)
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
        conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        print(f"prod: created the database {name} on {url.hostname}", file=sys.stderr)
PYEOF
}

prepare_database() {
    manage migrate --noinput -v 0
    # Collected files are post-processed (hashed, compressed) each time: only when a
    # static file is newer than the last collection.
    local manifest="$STATIC_ROOT/staticfiles.json"
    if [ ! -f "$manifest" ] || [ -n "$(find src -path '*/static/*' -type f -newer "$manifest" \
        -print -quit)" ]; then
        manage collectstatic --noinput -v 0
    fi
    if [ "$PROD_DEMO_DATA" = true ] && [ "$(manage shell --no-imports -c '
from django_scopes import scopes_disabled
from anlaufstelle.networks.models import Network
with scopes_disabled():
    print(Network.objects.count())' 2>/dev/null | tail -n 1)" = 0 ]; then
        say "empty database: loading the demo networks and building the search index ..."
        # The demo's own recipe (every app's demo content), against this environment.
        LOG_LEVEL=WARNING make --no-print-directory db >/dev/null
    fi
}

wait_app_servers() {
    local port
    for port in $PROD_WEB_PORTS; do
        for _ in $(seq 1 240); do
            curl -s -o /dev/null -H "Host: localhost" -H "X-Forwarded-Proto: https" \
                "http://127.0.0.1:$port/healthz" && break
            sleep 0.5
        done
    done
}

wait_ready() {
    local url="https://127.0.0.1:$PROD_HTTPS_PORT/healthz"
    for _ in $(seq 1 120); do
        if curl -fsS --cacert "$TLS_DIR/cert.pem" --resolve "localhost:$PROD_HTTPS_PORT:127.0.0.1" \
            "https://localhost:$PROD_HTTPS_PORT/healthz" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    die "no answer from $url after 60 s (see ${LOG_DIR#"$PROJECT_DIR"/}/)"
}

# ---------------------------------------------------------------- commands

cmd_check() {
    if [ "$PROD_MAIL_SINK" = true ] && ! pid_alive mail-sink; then
        say "note: the local mail sink (PROD_MAIL_SINK) starts with \`make prod-up\`; until then the mail check fails"
    fi
    manage check_deployment
}

cmd_up() {
    ensure_packages
    mkdir -p "$RUN_DIR" "$LOG_DIR" "$PROD_DIR/mail"
    ensure_certificate
    render_nginx
    start_mail_sink
    ensure_local_database || die "cannot create the local database (DATABASE_URL)"
    manage check_deployment || die "the configuration fails its check (above); nothing started"
    prepare_database
    cmd_start
}

# Start whatever is not running (no checks, no migrations): after a crash or a kill.
cmd_start() {
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    start_mail_sink
    local i=0 port
    for port in $PROD_WEB_PORTS; do
        i=$((i + 1))
        # Each app server sums its own workers' metrics (lib/metrics.py) in its own
        # directory, emptied when it starts (not while it runs).
        if ! pid_alive "web-$i"; then
            rm -rf "$RUN_DIR/metrics-$port" && mkdir -p "$RUN_DIR/metrics-$port"
        fi
        PROMETHEUS_MULTIPROC_DIR="$RUN_DIR/metrics-$port" \
            start "web-$i" "$PROJECT_DIR/.venv/bin/gunicorn" anlaufstelle.wsgi:application \
            --config "$PROJECT_DIR/deploy/gunicorn.conf.py" \
            --bind "127.0.0.1:$port" --workers "$PROD_WEB_PROCESSES" --timeout 30 \
            --graceful-timeout 20 --max-requests "$PROD_WEB_MAX_REQUESTS" \
            --max-requests-jitter "$((PROD_WEB_MAX_REQUESTS / 10))" \
            --access-logfile - --logger-class anlaufstelle.lib.gunicorn_logging.RedactingLogger
    done
    if asgi_enabled; then
        i=0
        for port in $PROD_ASGI_PORTS; do
            i=$((i + 1))
            start "asgi-$i" "$PROJECT_DIR/.venv/bin/uvicorn" anlaufstelle.asgi:application \
                --host 127.0.0.1 --port "$port" --proxy-headers --forwarded-allow-ips 127.0.0.1 \
                --no-access-log --timeout-graceful-shutdown 20
        done
    fi
    for i in $(seq 1 "$PROD_WORKERS"); do
        start "worker-$i" "$PY" manage.py db_worker --queue-name '*' \
            --worker-id "$(hostname)-prod-$i" --no-startup-delay
    done
    start scheduler "$PY" manage.py run_periodic_jobs
    # nginx only once the app servers listen: a refused first request would mark them
    # failed, and nginx then lets only one probe through per server for a while.
    wait_app_servers
    start nginx /usr/sbin/nginx -p "$PROD_DIR" -c "$CONF_DIR/nginx.conf" -g "daemon off;"
    wait_ready
    say "up: https://localhost:$PROD_HTTPS_PORT/ (self-signed: ${TLS_DIR#"$PROJECT_DIR"/}/cert.pem)"
}

cmd_down() {
    local name file
    # nginx first (no new requests), the mail sink last (workers may still send); every
    # pid file counts, also of a part switched off in the environment file since.
    stop nginx
    for file in "$RUN_DIR"/*.pid; do
        [ -e "$file" ] || continue
        name="$(basename "$file" .pid)"
        [ "$name" = mail-sink ] || stop "$name"
    done
    stop mail-sink
}

cmd_status() {
    local name status=0
    for name in $(components); do
        if pid_alive "$name"; then
            say "$name: running (pid $(cat "$RUN_DIR/$name.pid"))"
        else
            say "$name: not running"
            status=1
        fi
    done
    return "$status"
}

[ -x "$PY" ] || die "no .venv: run \`make sync\` first"
load_env
case "${1:-}" in
    up) cmd_up ;;
    start) cmd_start ;;
    down) cmd_down ;;
    check) cmd_check ;;
    status) cmd_status ;;
    # Any management command with the deployment's environment, e.g. `manage backup`.
    manage) shift; manage "$@" ;;
    *) die "usage: scripts/prod.sh up|down|check|status|manage ARGS..." ;;
esac
