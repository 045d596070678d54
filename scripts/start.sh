#!/usr/bin/env bash
# Install Lokus into .venv (first run only needs the package registry) and serve the
# dashboard on the embedded Kabupaten Sumedang data at http://127.0.0.1:8050
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python app.py "$@"
