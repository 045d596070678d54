#!/usr/bin/env bash
# Install Lokus with its test extras into .venv, check the code and run every test, browser
# tests included:
#   ruff check .                       lint
#   mypy                               types of geo/ (config: [tool.mypy] in pyproject.toml)
#   pytest --doctest-modules geo       the examples in the docstrings
#   pytest --headless "$@"             the suite (tests/), arguments passed through
# Every step runs; the script fails if any failed. The fast layer while developing:
#   bash scripts/test.sh -m "not e2e and not slow"
# Browser tests use Debian's chromium + chromium-driver and the database tests run on SQLite
# and on PostgreSQL: as root, the Debian packages are installed here and a throwaway
# PostgreSQL cluster is started for the run (unless DATABASE_URL is already set).
# Property tests use the hypothesis profile "ci" here (HYPOTHESIS_PROFILE overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# (re)install only when the project's metadata changed since the last install
stamp=.venv/.lokus-test-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  touch "$stamp"
fi
missing=()
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if ((${#missing[@]})) && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the browser and database tests: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"

failed=()
step() {  # run a check, remember its name when it fails
  local name=$1
  shift
  echo "== $name"
  "$@" || failed+=("$name")
}
step "ruff" .venv/bin/ruff check .
step "mypy" .venv/bin/python -m mypy
step "doctests" .venv/bin/python -m pytest -q -p no:cacheprovider --doctest-modules geo \
  --ignore=geo/store/migrations

# one pytest-xdist worker per core (LOKUS_TEST_WORKERS=0: one process); each worker serves
# its browser-test apps on its own ports (tests/conftest.py); the 30 slowest tests are listed
run=(.venv/bin/python -m pytest --headless -n "${LOKUS_TEST_WORKERS:-auto}" --durations=30 "$@")
if [ -z "${DATABASE_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  run=(bash scripts/with_postgres.sh "${run[@]}")
fi
echo "== pytest"
set +e
"${run[@]}"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a broken suite, not a pass." >&2
  rc=1
fi
[ "$rc" -eq 0 ] || failed+=("pytest")
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
