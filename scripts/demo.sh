#!/usr/bin/env bash
# Sets everything up, builds the bundled corpus into .kg/ and prints the recurring-tools report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kg build corpus/ --quiet
.venv/bin/kg report recurring-tools
