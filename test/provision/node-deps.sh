#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x node_modules/.bin/tsx ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[provision] npm ci (node_modules missing or older than package-lock.json)" >&2
  npm ci --no-audit --no-fund >&2
fi
