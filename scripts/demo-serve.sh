#!/usr/bin/env bash
# Serve the demo: the task worker in the background, the site on HOST:PORT.
# Both stop together (Ctrl-C, kill, or an error in either start).
set -euo pipefail

HOST="${DEMO_HOST:-127.0.0.1}"
PORT="${DEMO_PORT:-8000}"
# The venv's Python directly, not `uv run`: the trap must reach the real processes.
PY=".venv/bin/python"

# Links in the demo's e-mails point at this server; the mails land as files in var/mail/.
export ANLAUFSTELLE_SITE_URL="${ANLAUFSTELLE_SITE_URL:-http://$HOST:$PORT}"
MAIL_DIR="${EMAIL_FILE_PATH:-${ANLAUFSTELLE_VAR_DIR:-var}/mail}"
# The demo shows what visitors see: the site's German 404 and 500 pages, never Django's
# technical pages (they list every URL pattern). DEBUG=true still opts in for developers.
export DEBUG="${DEBUG:-false}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost,$HOST}"
# The same static files as production: hashed names (cached for a year) and their
# Brotli/gzip copies, written by the collectstatic below (docs/performance.md).
export ANLAUFSTELLE_COLLECTED_STATIC="${ANLAUFSTELLE_COLLECTED_STATIC:-true}"

pids=()
stop_all() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
# Ctrl-C and kill are the normal way to end the demo: stop everything, exit 0 (no
# "make: *** Error 130/143").
trap 'exit 0' INT TERM

if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    echo "error: something already listens on $HOST:$PORT; stop it or set DEMO_PORT" >&2
    exit 1
fi

# A database behind the code (e.g. `git pull`, then `make serve`) would answer pages with
# 500s ("no such table"): say what to do instead of serving it.
if ! "$PY" manage.py migrate --check >/dev/null 2>&1; then
    echo "error: the database lacks migrations of this code (or cannot be reached);" \
        "run \`make db\` (or \`make demo\`) first" >&2
    exit 1
fi

# No autoreloader: it would fork a child that outlives a TERM to its parent.
# One log line per task would bury the server's output, so the worker logs to a file.
mkdir -p var
# With DEBUG off, WhiteNoise serves the collected files only: collect them, so `make serve`
# on an old database shows today's styles. Hashing and compressing take a while, so only
# when a static file (or a dependency, uv.lock) is newer than the last run's manifest.
manifest="${STATIC_ROOT:-${ANLAUFSTELLE_VAR_DIR:-var}/static}/staticfiles.json"
if [ "$ANLAUFSTELLE_COLLECTED_STATIC" != "true" ] || [ ! -f "$manifest" ] \
    || [ -n "$(find uv.lock src/anlaufstelle -newer "$manifest" \( -name uv.lock -o -path '*/static/*' \) -print -quit)" ]; then
    "$PY" manage.py collectstatic --noinput --verbosity 0
fi
"$PY" manage.py db_worker --queue-name '*' --no-reload >>var/demo-worker.log 2>&1 &
pids+=("$!")
# The daily jobs (retention, reminders, clean-up): checks once a minute.
"$PY" manage.py run_periodic_jobs >>var/demo-scheduler.log 2>&1 &
pids+=("$!")

network_urls="$("$PY" manage.py shell --no-imports -c '
from anlaufstelle.networks.models import Network
for n in Network.objects.public():
    print(f"  {n.name}\n      http://'"$HOST:$PORT"'/n/{n.slug}/")
' 2>/dev/null || true)"

echo
# A database without the demo content (`make serve` on one's own data) has no demo logins.
"$PY" manage.py load_demo --logins-only 2>/dev/null \
    || echo "  No demo logins in this database (\`make db\` loads the demo content)."

cat <<MSG

  Anlaufstelle demo: http://$HOST:$PORT/
$network_urls
  Back office (staff login): http://$HOST:$PORT/admin/
  API and its OpenAPI schema: http://$HOST:$PORT/api/v1/docs
  Health:                     http://$HOST:$PORT/healthz

  Server log (JSON, as in production): var/demo-server.log
  The task worker runs in the background (pid ${pids[0]}, log: var/demo-worker.log),
  and so do the daily jobs (pid ${pids[1]}, log: var/demo-scheduler.log).
  E-mails the demo sends (confirmations, reminders, invitations) are files in $MAIL_DIR/.
  Ctrl-C stops all of them.

MSG

# Background + wait (not exec) so this shell stays to stop the worker afterwards.
# The server's JSON log lines go whole to var/demo-server.log and short to the terminal.
# uvicorn serves the ASGI application as in production: the pages through Django, the
# direct chat's WebSockets through Channels (docs/chat.md). Its own records go through
# the site's JSON logging (scripts/uvicorn-logging.json); the site logs each request.
"$PY" -m uvicorn anlaufstelle.asgi:application --host "$HOST" --port "$PORT" \
    --ws websockets-sansio --lifespan off --no-access-log \
    --log-config scripts/uvicorn-logging.json \
    > >(tee -a var/demo-server.log | "$PY" -u scripts/demo-log.py) 2>&1 &
pids+=("$!")
wait "${pids[2]}"
