#!/usr/bin/env bash
# `npm test`: everything a fresh machine needs, then every test (unit and e2e).
#   1. npm ci when node_modules is missing or older than package-lock.json
#   2. the real binaries: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl 1.37 and etcd, built from
#      their Go modules (test/go/) and cached on first run (20-30 minutes on 2 cores)
#   3. the Go test programs (test/go/clients, access, controllers, helm, and KWOK from test/go/kwok: GO_TOOLS in
#      test/harness/go-tools.ts), built into the same cache
#   4. vitest run (both projects); extra arguments go to vitest, e.g. `npm test -- --project unit`
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[run-all] %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none)); Debian 12 ships 18: install 20 or 22 first"
  exit 1
fi

bash test/provision/node-deps.sh

say "provisioning binaries (test/provision/kube.sh; a first run builds Kubernetes and etcd: 20-30 minutes)"
# Runs kube.sh with its progress shown.
npx tsx test/harness/binaries.ts
say "building the Go test programs (test/go/*; cached by their sources)"
npx tsx test/harness/go-tools.ts

say "vitest run"
exec npx vitest run "$@"
