#!/usr/bin/env bash
# One virtualenv, exactly its lock (ADR 0015): uv makes the environment hold the
# lock's pins and nothing else (hashes required, no resolution at install time),
# then, with --with-project, this repository's package in editable mode without
# dependencies. uv instead of pip: parallel downloads and a global cache that
# links files into the environment, so a fresh clone on a warm machine builds
# its five environments in seconds (issue #25).
#
#   scripts/venv.sh DIR LOCK [--with-project]
#
# UV names the uv binary (the Makefile's, installed from locks/bootstrap.txt).
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DIR LOCK [--with-project]" >&2
  exit 2
fi
dir=$1 lock=$2 project=${3:-}
uv=${UV:?UV must name the uv binary}
[ -x "$dir/bin/python" ] || "$uv" venv --quiet --python "${PYTHON:-python3}" "$dir"
"$uv" pip sync --quiet --python "$dir/bin/python" --require-hashes "$lock"
if [ "$project" = "--with-project" ]; then
  "$uv" pip install --quiet --python "$dir/bin/python" --no-deps \
    --config-setting editable_mode=compat -e .
fi
