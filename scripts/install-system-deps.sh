#!/usr/bin/env bash
# System packages the tests need, from Debian: a PostgreSQL server (initdb,
# pg_ctl), a JDK (Kafka broker, later PyFlink), Maven (resolves Kafka's jars) and
# a Prometheus server (the live metric-contract and alert tests), etcd and openssl
# (the kube-apiserver gate of `validate --server`), shellcheck (actionlint checks the
# workflows' run: scripts with it).
# Installs only what is missing; needs root (CI and sessions run as root).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's postgresql (and prometheus) packages start servers of their own where an
# init system runs; the tests start theirs on free ports.
postgres_bins=(/usr/lib/postgresql/*/bin)
echo "system deps: ${postgres_bins[-1]}, $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1)"
