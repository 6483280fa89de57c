#!/usr/bin/env bash
# The compiled scoring core (libs/detection/native, issue #29) into a virtualenv: maturin
# (from that environment's lock) builds the wheel from the crate's locked Cargo.lock —
# crates.io checksums verified by cargo — and uv installs it without dependencies.
# Cargo's build directory is shared (.cache/cargo), so a rebuild only recompiles what
# changed.
#
#   scripts/build-scoring.sh VENV
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 VENV" >&2
  exit 2
fi
venv=$1
uv=${UV:?UV must name the uv binary}
root=$(cd "$(dirname "$0")/.." && pwd)
wheels=$root/.cache/wheels/scoring
rm -rf "$wheels"
CARGO_TARGET_DIR=$root/.cache/cargo "$venv/bin/maturin" build --quiet --release --locked \
  --manifest-path "$root/libs/detection/native/Cargo.toml" \
  --interpreter "$venv/bin/python" --out "$wheels"
"$uv" pip install --quiet --python "$venv/bin/python" --no-deps --reinstall "$wheels"/*.whl
