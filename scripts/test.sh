#!/usr/bin/env bash
# Install Lokus with its test extras into .venv and run every test, browser tests included.
# Browser tests use Debian's chromium + chromium-driver and the database tests run on SQLite
# and on PostgreSQL: as root, the Debian packages are installed here and a throwaway
# PostgreSQL cluster is started for the run (unless DATABASE_URL is already set).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
missing=()
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if ((${#missing[@]})) && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the browser and database tests: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
run=(.venv/bin/python -m pytest --headless "$@")
if [ -z "${DATABASE_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  run=(bash scripts/with_postgres.sh "${run[@]}")
fi
set +e
"${run[@]}"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a broken suite, not a pass." >&2
  exit 1
fi
exit "$rc"
