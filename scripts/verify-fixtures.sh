#!/usr/bin/env bash
# Runs the fixtures natively: every case of fixtures/fixtures.json under qemu-user (status and
# output must match), and the asm cases under fixtures/scripts/cannon_ref.py (a Python model of
# Cannon's semantics: exit 0, expected output, step count). No Cannon needed. Takes a few seconds.
#   scripts/verify-fixtures.sh [--no-qemu] [--no-ref] [--case NAME]... [--count] [--record]
# (see fixtures/scripts/verify.py). Ends with "N passed, M failed"; exit status 0 iff all passed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec python3 "$ROOT/fixtures/scripts/verify.py" "$@"
