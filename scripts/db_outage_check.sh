#!/usr/bin/env bash
# Database outage drill: serve the site with gunicorn on a throwaway PostgreSQL cluster, stop the cluster,
# expect plain 503 pages and an honest /readyz (while /healthz, liveness, stays 200), start it again, expect the site to recover by itself.
#
# The cluster is private to this script (its own data directory and port), so the shared PostgreSQL that
# tests and other services use is never touched. Usage: scripts/db_outage_check.sh   (exit code 0 = passed)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
# Ports chosen at run time (the system picks a free one for a socket bound to port 0), so that two runs, or
# other services on the machine, never collide; PG_PORT / WEB_PORT still choose them by hand.
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PG_PORT=${PG_PORT:-$(free_port)}
WEB_PORT=${WEB_PORT:-$(free_port)}
PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
WORK=$(mktemp -d /tmp/cso-outage-XXXXXX)
DATA="$WORK/data"
WEB_PID=""

as_postgres() {
    # initdb and postgres refuse to run as root.
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg() { as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$WORK/postgres.log" -w "$@" >/dev/null; }

cleanup() {
    [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null || true
    pg stop -m immediate 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; echo "--- gunicorn log" >&2; tail -20 "$WORK/web.log" >&2 || true; exit 1; }

status_of() { curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$WEB_PORT$1" || echo 000; }

expect() {
    local url=$1 want=$2 text=${3:-}
    local got
    got=$(status_of "$url")
    [ "$got" = "$want" ] || fail "$url answered $got, expected $want"
    if [ -n "$text" ]; then grep -q "$text" "$WORK/body" || fail "$url does not contain: $text"; fi
    if grep -q "Traceback" "$WORK/body"; then fail "$url shows a traceback"; fi
    echo "ok  $url -> $got"
}

[ "$(id -u)" = 0 ] && chown postgres "$WORK"
as_postgres "$PG_BIN/initdb" -D "$DATA" -A trust -U postgres >/dev/null
pg start -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1"

export DJANGO_SETTINGS_MODULE=cso_press.settings.test
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# Persistent connections are the hard case: each worker holds one that dies with the server.
export DJANGO_DB_CONN_MAX_AGE=${DJANGO_DB_CONN_MAX_AGE:-60}
"$PY" manage.py migrate --noinput -v 0
# Some releases, so that the lists have rows to read: an empty list can be answered entirely from the small
# values kept in the cache per content version (its total, its menus), and would not need the database.
"$PY" manage.py generate_events --count 40 --years 1 >/dev/null

.venv/bin/gunicorn cso_press.wsgi --bind "127.0.0.1:$WEB_PORT" --workers 2 --timeout 30 >"$WORK/web.log" 2>&1 &
WEB_PID=$!
for _ in $(seq 50); do [ "$(status_of /healthz)" = 200 ] && break; sleep 0.2; done

echo "== database up"
expect /readyz 200 '"database": {"ok": true'
expect /en/events/ 200

echo "== database stopped"
pg stop -m fast
expect /en/events/ 503 "Service temporarily unavailable"
expect /en/ 503 "Service temporarily unavailable"
expect /readyz 503 '"database": {"ok": false'
grep -q '"cache": {"ok": true' "$WORK/body" || fail "/readyz should still report the cache as working"
expect /healthz 200 '"status": "ok"'

echo "== database started again (no restart of the web server)"
pg start -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1"
for _ in 1 2 3 4; do expect /en/events/ 200; done
expect /readyz 200 '"database": {"ok": true'

echo "PASSED: the site answered 503 during the outage and recovered by itself."
