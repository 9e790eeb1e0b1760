#!/usr/bin/env bash
# Start the whole deployment locally: PostgreSQL, N app processes and nginx in front (see docs/deploy.md).
#
#   scripts/serve_cluster.sh [N=3] [PORT=8600]
#
#   DATABASE_URL   a PostgreSQL URL; without it a local server is started with pgserver (pip: pgserver)
#   SECRETS        the secrets file every process shares (accounts, session secret); default .streamlit/secrets.toml
#   STATE_DIR      logs, nginx config, pgserver data; default a new folder under /tmp
#   PYTHON         default .venv/bin/python, else python3
#
# nginx (Debian: apt-get install nginx) listens on PORT and the app processes on PORT+1 … PORT+N. Without nginx
# the processes are started all the same and the script says so. Prints "ready: …" when every process answers
# /_stcore/health; Ctrl-C (or SIGTERM) stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-3}
PORT=${2:-8600}
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
SECRETS=${SECRETS:-.streamlit/secrets.toml}
STATE_DIR=${STATE_DIR:-$(mktemp -d /tmp/mobility-cluster-XXXXXX)}
mkdir -p "$STATE_DIR"
chmod 755 "$STATE_DIR"
PIDS=()

cleanup() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "${PGSERVER_DIR:-}" ]; then
        "$PYTHON" -c "import pgserver, sys; pgserver.get_server(sys.argv[1], cleanup_mode='stop').cleanup()" \
            "$PGSERVER_DIR" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -z "${DATABASE_URL:-}" ]; then
    PGSERVER_DIR="$STATE_DIR/pg"
    DATABASE_URL=$("$PYTHON" - "$PGSERVER_DIR" <<'EOF'
import sys

import pgserver
from sqlalchemy import create_engine, text

server = pgserver.get_server(sys.argv[1], cleanup_mode=None)  # keeps running until cleanup() above
admin = create_engine(server.get_uri().replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = 'mobility'")).scalar():
        conn.execute(text("CREATE DATABASE mobility"))
print(server.get_uri(database="mobility"))
EOF
)
    echo "postgresql: pgserver in $PGSERVER_DIR"
    echo "database: $DATABASE_URL"  # a local socket, no password
fi
export DATABASE_URL

# Migrate and seed once, before the processes start, so they do not race each other to do it.
"$PYTHON" -m mobility init >/dev/null

for i in $(seq 1 "$N"); do
    "$PYTHON" -m streamlit run app.py --server.headless=true --server.address=127.0.0.1 \
        --server.port=$((PORT + i)) --secrets.files="$SECRETS" >"$STATE_DIR/app-$i.log" 2>&1 &
    PIDS+=($!)
done

NGINX=$(command -v nginx || true)
if [ -z "$NGINX" ] && [ -x /usr/sbin/nginx ]; then NGINX=/usr/sbin/nginx; fi
if [ -n "$NGINX" ]; then
    mkdir -p "$STATE_DIR/nginx"
    {
        echo "pid $STATE_DIR/nginx/nginx.pid;"
        echo "error_log $STATE_DIR/nginx/error.log warn;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log $STATE_DIR/nginx/access.log;"
        for d in client_body proxy fastcgi uwsgi scgi; do echo "    ${d}_temp_path $STATE_DIR/nginx/$d;"; done
        echo "    upstream mobility_backends {"
        echo "        hash \$mobility_node consistent;"
        for i in $(seq 1 "$N"); do echo "        server 127.0.0.1:$((PORT + i)) max_fails=3 fail_timeout=10s;"; done
        echo "    }"
        # The documented site config with this run's port and processes (its own upstream block is replaced).
        sed -e "s/listen 80;/listen 127.0.0.1:$PORT;/" -e "s/server_name .*;/server_name localhost;/" \
            -e '/^upstream /,/^}/d' docs/nginx-mobility.conf | sed 's/^/    /'
        echo "}"
    } >"$STATE_DIR/nginx/nginx.conf"
    "$NGINX" -p "$STATE_DIR/nginx" -c "$STATE_DIR/nginx/nginx.conf" -g "daemon off;" \
        >"$STATE_DIR/nginx/stdout.log" 2>&1 &
    PIDS+=($!)
fi

for i in $(seq 1 "$N"); do
    for _ in $(seq 1 120); do
        if [ "$(curl -fs "http://127.0.0.1:$((PORT + i))/_stcore/health" 2>/dev/null)" = ok ]; then break; fi
        if ! kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null; then
            echo "app process $i stopped; see $STATE_DIR/app-$i.log" >&2
            tail -5 "$STATE_DIR/app-$i.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "app $i: http://127.0.0.1:$((PORT + i))"
done
if [ -n "$NGINX" ]; then
    for _ in $(seq 1 40); do
        [ "$(curl -fs "http://127.0.0.1:$PORT/_stcore/health" 2>/dev/null)" = ok ] && break
        sleep 0.25
    done
    echo "ready: http://127.0.0.1:$PORT (nginx in front of $N processes; state in $STATE_DIR)"
else
    echo "ready: no nginx installed (apt-get install nginx); $N processes on ports $((PORT + 1))-$((PORT + N)); state in $STATE_DIR"
fi
wait
