#!/usr/bin/env bash
# Install pinned Go tools into .tools/bin through a cache of built binaries.
#
#   scripts/go-tool.sh NAME [NAME ...] -- go install ARGS...
#
# The `go install` command runs with GOBIN pointed at a fresh directory; the
# binaries it leaves there are kept under
# $STREAMFLOW_CACHE/go-tools/<key>/ (default ~/.cache/streamflow), where <key>
# digests the Go version, the platform, the command line and the files named by
# GO_TOOL_KEY_FILES (a wrapper module's go.mod and go.sum). A fresh clone on a
# machine that built the same tools before copies them in a second instead of
# relinking kube-apiserver (issue #25); anything that changes the build changes
# the key. Go's own module and build caches still serve a changed tool.
set -euo pipefail
names=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do names+=("$1"); shift; done
if [ ${#names[@]} -eq 0 ] || [ $# -lt 2 ]; then
  echo "usage: $0 NAME [NAME ...] -- go install ARGS..." >&2
  exit 2
fi
shift
bin=$(pwd)/.tools/bin
cache_root=${STREAMFLOW_CACHE:-$HOME/.cache/streamflow}/go-tools
key=$({
  go env GOVERSION GOOS GOARCH
  printf '%s\n' "$@"
  for file in ${GO_TOOL_KEY_FILES:-}; do sha256sum "$file"; done
} | sha256sum | cut -c1-16)
cached=$cache_root/${names[0]}-$key
if [ ! -d "$cached" ]; then
  mkdir -p "$cache_root"
  staging=$(mktemp -d "$cache_root/.${names[0]}-XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  GOBIN=$staging "$@"
  for name in "${names[@]}"; do
    [ -x "$staging/$name" ] || { echo "$0: the build made no $name" >&2; exit 1; }
  done
  mv -T "$staging" "$cached" 2>/dev/null || true  # a concurrent build may have won
fi
mkdir -p "$bin"
for name in "${names[@]}"; do
  cp -f "$cached/$name" "$bin/$name.tmp.$$"
  mv -f "$bin/$name.tmp.$$" "$bin/$name"
done
echo "${names[*]}: $cached"
