#!/usr/bin/env bash
# Provisions the real control-plane binaries the harness runs: kube-apiserver, kube-controller-manager, etcd.
# Prints "name=path" lines for each binary on stdout; progress goes to stderr so a caller can show it.
#
# Order of preference:
#   kube-apiserver, etcd:      $KUBEBUILDER_ASSETS, else the cache, else built (kube) / Debian's etcd-server
#   kube-controller-manager:   the cache, else built (envtest does not ship it)
# The cache lives outside the repo ($CLUSTERSET_CACHE, default ~/.cache/clusterset-apiserver) so a fresh clone
# reuses a build made by an earlier clone on the same machine.
set -euo pipefail

K8S_VERSION=1.20.2
CACHE=${CLUSTERSET_CACHE:-$HOME/.cache/clusterset-apiserver}
BIN="$CACHE/k8s-v$K8S_VERSION/bin"
say() { printf '[provision] %s\n' "$*" >&2; }

need_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then
    say "apt-get update (enabling deb-src for the kubernetes source package)"
    local src=/etc/apt/sources.list.d/debian.sources
    if [ -f "$src" ] && ! grep -q 'deb-src' "$src"; then need_sudo sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"; fi
    need_sudo apt-get update -qq >&2
    apt_ready=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive need_sudo apt-get install -y -qq "$@" >&2
}

have_kb() { [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ]; }

build_kube() {
  apt_install golang-go jq rsync etcd-server golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev dpkg-dev
  local work="$CACHE/build"
  rm -rf "$work" && mkdir -p "$work"
  say "apt-get source kubernetes (v$K8S_VERSION)"
  (cd "$work" && apt-get source -qq kubernetes >&2)
  local src
  src=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  [ -n "$src" ] || { say "kubernetes source not found after apt-get source"; exit 1; }
  # Go 1.19 + the vendored reflect2/json-iterator segfault when encoding maps: use Debian's patched copies.
  say "swapping vendored reflect2 and json-iterator for Debian's copies"
  rm -rf "$src/vendor/github.com/modern-go/reflect2" "$src/vendor/github.com/json-iterator/go"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/json-iterator/go "$src/vendor/github.com/json-iterator/go"
  say "building kube-apiserver and kube-controller-manager (about 4 minutes on 2 cores)"
  (cd "$src" && make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2)
  mkdir -p "$BIN"
  local out="$src/_output/bin"
  [ -x "$out/kube-apiserver" ] || out=$(dirname "$(find "$src/_output" -type f -name kube-apiserver | head -n1)")
  cp "$out/kube-apiserver" "$out/kube-controller-manager" "$BIN/"
  rm -rf "$work"
  say "cached in $BIN"
}

if { ! have_kb kube-apiserver && [ ! -x "$BIN/kube-apiserver" ]; } || [ ! -x "$BIN/kube-controller-manager" ]; then
  build_kube
fi

etcd_bin=""
if have_kb etcd; then etcd_bin="$KUBEBUILDER_ASSETS/etcd"
elif command -v etcd >/dev/null 2>&1; then etcd_bin=$(command -v etcd)
else apt_install etcd-server; etcd_bin=$(command -v etcd); fi

if have_kb kube-apiserver; then echo "kube-apiserver=$KUBEBUILDER_ASSETS/kube-apiserver"; else echo "kube-apiserver=$BIN/kube-apiserver"; fi
echo "kube-controller-manager=$BIN/kube-controller-manager"
echo "etcd=$etcd_bin"
