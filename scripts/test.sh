#!/usr/bin/env bash
# The test command (README, CI): the whole workspace's tests in release mode, then Go Cannon's
# conformance vectors through the CLI when ../shared/vectors is present (it is in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --bins
cargo test --release --workspace
vectors=../shared/vectors/check.sh
if [ -x "$vectors" ] || [ -f "$vectors" ]; then
  bash "$vectors" target/release/cannonball -j 2
else
  echo "note: $vectors not found; conformance vectors not run" >&2
fi
