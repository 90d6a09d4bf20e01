#!/usr/bin/env bash
# Provisions the real control-plane binaries the harness runs, built from their Go modules:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  from k8s.io/kubernetes  (test/go/kube)
#   etcd                                                               from go.etcd.io/etcd/server/v3 (test/go/etcd)
# The versions are the ones pinned in those modules' go.mod (committed with go.sum); nothing is fetched but
# modules through the Go module proxy. Prints "name=path" lines on stdout; progress goes to stderr, with a line
# at least every 30 s while a build runs and the time each step took.
#
# Order of preference: $KUBEBUILDER_ASSETS (kube-apiserver, etcd, kubectl when it has them), else the cache,
# else built into the cache. The cache lives outside the repo ($CLUSTERSET_CACHE, default
# ~/.cache/clusterset-apiserver), keyed by version, with one shared Go module and build cache under it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
gomods="$here/../go"
CACHE=${CLUSTERSET_CACHE:-$HOME/.cache/clusterset-apiserver}
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" CGO_ENABLED=0 GOFLAGS=-mod=readonly
export PATH="/usr/local/go/bin:$PATH"

say() { printf '[provision] %s\n' "$*" >&2; }

# The version a module pins: `require <path> vX` in its go.mod.
pinned() { sed -nE "s#^(require )?\s*$2 (v[^ ]+).*#\2#p" "$gomods/$1/go.mod" | head -n1; }
K8S=$(pinned kube k8s.io/kubernetes)
ETCD=$(pinned etcd go.etcd.io/etcd/server/v3)
[ -n "$K8S" ] && [ -n "$ETCD" ] || { say "cannot read the pinned versions from test/go/*/go.mod"; exit 1; }
KUBE_BIN="$CACHE/k8s-$K8S/bin"
ETCD_BIN="$CACHE/etcd-$ETCD/bin"

check_go() {
  command -v go >/dev/null 2>&1 || { say "no Go toolchain: install Go >= 1.26 at /usr/local/go"; exit 1; }
  local want have
  want=$(sed -nE 's/^go ([0-9.]+).*/\1/p' "$gomods/kube/go.mod")
  have=$(go env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
    say "Go $have is older than the $want that k8s.io/kubernetes $K8S needs (PATH: $(command -v go))"
    exit 1
  fi
}

# Runs "$@" with a progress line every 30 s, then says how long it took.
timed() {
  local what=$1; shift
  local t0=$SECONDS
  say "$what ..."
  ( while sleep 30; do say "  still $what ($((SECONDS - t0)) s)"; done ) &
  local ticker=$!
  local rc=0
  "$@" >&2 || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  [ "$rc" = 0 ] || { say "$what failed after $((SECONDS - t0)) s"; exit "$rc"; }
  say "$what: done in $((SECONDS - t0)) s"
}

# Builds into a temporary folder and renames it into place, so an interrupted build is never taken for a cache.
# build_into DEST MODULE OUT PACKAGE...: OUT is "" (one binary per command, named by Go) or a file name.
build_into() {
  local dest=$1 mod=$2 out=$3; shift 3
  local tmp="$dest.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$gomods/$mod" && timed "downloading the $mod module's dependencies" go mod download)
  (cd "$gomods/$mod" && timed "go build ($mod: $*)" go build -trimpath -ldflags "${LDFLAGS:-}" -o "$tmp/$out" "$@")
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp" "$dest"
  say "cached in $dest"
}

have_kb() { [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ]; }

kube_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
kube_cached=1
for c in "${kube_cmds[@]}"; do [ -x "$KUBE_BIN/$c" ] || kube_cached=0; done
if [ "$kube_cached" = 0 ]; then
  check_go
  # Without these, /version says v0.0.0-master, and that would land in status.version.kubernetes.
  minor=$(echo "$K8S" | cut -d. -f2)
  LDFLAGS="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LDFLAGS="$LDFLAGS -X $p.gitVersion=$K8S -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  say "building Kubernetes $K8S from its Go module (a cold build takes 15-30 minutes on 2 cores)"
  LDFLAGS=$LDFLAGS build_into "$KUBE_BIN" kube "" "${kube_cmds[@]/#/k8s.io/kubernetes/cmd/}"
fi

if ! have_kb etcd && [ ! -x "$ETCD_BIN/etcd" ]; then
  check_go
  LDFLAGS="-s -w" build_into "$ETCD_BIN" etcd etcd go.etcd.io/etcd/server/v3
fi

from() { if have_kb "$1"; then echo "$1=$KUBEBUILDER_ASSETS/$1"; else echo "$1=$2/$1"; fi; }
from kube-apiserver "$KUBE_BIN"
echo "kube-controller-manager=$KUBE_BIN/kube-controller-manager"
echo "kube-scheduler=$KUBE_BIN/kube-scheduler"
from kubectl "$KUBE_BIN"
from etcd "$ETCD_BIN"
