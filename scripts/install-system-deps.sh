#!/usr/bin/env bash
# System packages the tests need, from Debian: a PostgreSQL server (initdb,
# pg_ctl), a JDK (Kafka broker, later PyFlink) and Maven (resolves Kafka's jars).
# Installs only what is missing; needs root (CI and sessions run as root).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's postgresql package starts a cluster of its own; the tests start theirs.
echo "system deps: $(ls -d /usr/lib/postgresql/*/bin | tail -1), $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1)"
