#!/usr/bin/env bash
# Creates .venv (if needed) and installs confkg into it, with the test tools when asked.
# pip's output goes to .venv/install.log and is shown only when the install fails.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv" >&2
  python3 -m venv .venv
fi
echo "Installing confkg${extras:+ with [$extras]} into .venv (first run: a few minutes)" >&2
if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras:+[$extras]}" > .venv/install.log 2>&1; then
  grep -v "^WARNING: Location" .venv/install.log >&2
  echo "Error: installing confkg failed (log: .venv/install.log)" >&2
  exit 1
fi
