#!/usr/bin/env bash
# Installs what Wharf needs on a fresh Debian machine, idempotently and quickly when done:
# npm dependencies, the TypeScript build, and (with --test / --bench) the Debian packages and
# tools the test suites and benchmarks use. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0; want_bench=0
for a in "$@"; do
  case "$a" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
  esac
done

say() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then say "please install as root: apt-get install ${missing[*]}"; return 1; fi
  if [ $apt_updated -eq 0 ]; then say "apt-get update"; apt-get update -qq >/dev/null; apt_updated=1; fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Debian's docker-registry; its own service would hold :5000, Wharf's default registry port, so
# it is stopped and disabled (tests and benchmarks start their own instances).
install_docker_registry() {
  dpkg -s docker-registry >/dev/null 2>&1 && return 0
  apt_install docker-registry || return 1
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
  if [ -x /etc/init.d/docker-registry ]; then /etc/init.d/docker-registry stop >/dev/null 2>&1 || true; fi
}

# npm dependencies: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# The build is incremental: tsc -b does nothing when dist/ is up to date.
npx tsc -b packages/cli packages/testing >&2
# The web console (packages/console/dist, served by `wharf up`): built when missing or older than its sources.
console_dist=packages/console/dist/index.html
if [ ! -f "$console_dist" ] || [ -n "$(find packages/console/src packages/console/index.html packages/console/vite.config.ts -newer "$console_dist" -print -quit)" ]; then
  say "building the console"
  npm run build --silent -w packages/console >&2
fi

# Node agents run pods with runc and the CNI plugins; Services route through iptables. Without
# root these cannot be installed and `wharf up --nodes N` falls back to the process runtime.
if [ "$(id -u)" -eq 0 ]; then
  apt_install runc conmon containernetworking-plugins iptables iproute2 || say "runc/CNI could not be installed: node agents will use the process runtime"
fi

if [ $want_test -eq 1 ]; then
  command -v kubectl >/dev/null || apt_install kubectl || true
  # The console's browser suite drives Debian's Chromium headless (playwright-core, no browser download); CJK fonts for zh-CN screenshots.
  apt_install chromium fonts-noto-cjk
  # Registry clients the image suites push and pull with.
  apt_install skopeo podman buildah zip
  # The LDAP sign-in's integration test runs a real directory (its own slapd on loopback).
  apt_install slapd ldap-utils || say "slapd could not be installed: the LDAP integration test will be skipped"
  # The etcd store's integration and e2e tests run real etcd members on loopback (etcdctl reads them).
  apt_install etcd-server etcd-client
  # Debian's JDK (javac, jar): the M+N suites compile their .war artifacts as a CI step would.
  apt_install openjdk-17-jdk-headless
  # promtool checks the metrics exposition; Debian ships it in prometheus, whose own service the
  # tests never use (they start their own instances).
  if ! dpkg -s prometheus >/dev/null 2>&1; then
    apt_install prometheus
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
  fi
  # The notification suite runs Debian's Alertmanager on loopback; its packaged service is not used.
  if ! dpkg -s prometheus-alertmanager >/dev/null 2>&1; then
    apt_install prometheus-alertmanager
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true; fi
  fi
  # The monitoring benchmark's reference stack runs Debian's node-exporter on loopback.
  if ! dpkg -s prometheus-node-exporter >/dev/null 2>&1; then
    apt_install prometheus-node-exporter
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus-node-exporter >/dev/null 2>&1 || true; fi
  fi
  # A second registry for the pull-secret suite: the CNCF registry, with htpasswd -B Basic auth.
  install_docker_registry
  apt_install apache2-utils
  # kubectl 1.20 from Debian's kubernetes-client, unpacked beside the project (not over /usr/bin/kubectl).
  if [ ! -x .tools/kubectl-1.20/usr/bin/kubectl ]; then
    apt_install dpkg-dev >/dev/null 2>&1 || true
    mkdir -p .tools/debs
    if ! ls .tools/debs/kubernetes-client_*.deb >/dev/null 2>&1; then
      if [ $apt_updated -eq 0 ]; then apt-get update -qq >/dev/null || true; apt_updated=1; fi
      (cd .tools/debs && apt-get download -o APT::Sandbox::User=root kubernetes-client >/dev/null)
    fi
    dpkg -x .tools/debs/kubernetes-client_*.deb .tools/kubectl-1.20
    say "kubectl 1.20 at .tools/kubectl-1.20/usr/bin/kubectl"
  fi
fi

if [ $want_bench -eq 1 ]; then
  apt_install etcd-server etcd-client
  # bench/registry.mjs: Debian's docker-registry as the reference (it starts its own instance),
  # skopeo as the client.
  install_docker_registry
  apt_install skopeo
fi
