#!/usr/bin/env bash
# `npm run test:compat`: the smoke suite against an older hub, KUBE_VERSION=1.34.x (hub, members, their
# controller-managers and kubectl all of that release, built from test/go/kube-1.34 as `npm test` builds 1.37):
#   harness (the hub says its version), spine (registration, RBAC, authentication, health),
#   kubectl (get/apply/edit/explain/wait/delete with that release's kubectl and older ones),
#   go-clients (the client-go informer in both modes, across a restart of our server).
# A first run builds that Kubernetes release (15-30 minutes on 2 cores); extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[compat] %s\n' "$*" >&2; }
: "${KUBE_VERSION:?set KUBE_VERSION to the hub release to test against, e.g. KUBE_VERSION=1.34.x}"
export KUBE_VERSION

bash test/provision/node-deps.sh
say "provisioning Kubernetes $KUBE_VERSION (test/provision/kube.sh)"
npx tsx test/harness/binaries.ts
npx tsx test/harness/go-tools.ts
exec npx vitest run --project e2e test/e2e/harness.test.ts test/e2e/spine.test.ts test/e2e/kubectl.test.ts test/e2e/go-clients.test.ts "$@"
