#!/usr/bin/env bash
# Builds the derive and gotools guests (fixtures/src/go/{derive,gotools}) for linux/amd64 into
# fixtures/native/{derive,gotools}-amd64: the same Go sources as fixtures/elf/go64-derive.elf and
# go64-gotools.elf, run natively
# by the benchmark harness (bench/src/bin/harness.rs, engine "native") as the physical limit.
# The binary is committed, so the harness needs no Go; rebuilding with the same toolchain gives
# the same bytes (fixtures/native/SHA256SUMS).
#
#   scripts/install-fixture-toolchains.sh     # once (go1.23.9 under /opt/fixture-go)
#   scripts/build-native-derive.sh
#
# GO123 overrides the toolchain path; FIXTURES_ANY_TOOLS=1 accepts another Go version.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO123=${GO123:-/opt/fixture-go/go1.23.9/go/bin/go}
OUT=$ROOT/fixtures/native
[[ -x $GO123 ]] || { echo "build-native-derive: GO123=$GO123 is not executable (run scripts/install-fixture-toolchains.sh)" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= GOWORK=off GOOS=linux GOARCH=amd64 GOAMD64=v1
v=$("$GO123" env GOVERSION)
if [[ $v != go1.23.9 ]]; then
  if [[ ${FIXTURES_ANY_TOOLS:-0} == 1 ]]; then
    echo "build-native-derive: warning: GO123 is $v, the committed binary was built with go1.23.9" >&2
  else
    echo "build-native-derive: GO123 is $v, expected go1.23.9 (set FIXTURES_ANY_TOOLS=1 to build anyway)" >&2
    exit 1
  fi
fi
mkdir -p "$OUT"
# the flags of the mips64 guests in scripts/build-fixtures.sh (-buildvcs=false: no git stamp)
for g in derive gotools; do
  (cd "$ROOT/fixtures/src/go/$g" && "$GO123" build -trimpath -buildvcs=false -ldflags=-w -o "$OUT/$g-amd64" .)
done
(cd "$OUT" && sha256sum derive-amd64 gotools-amd64 >SHA256SUMS && echo "$v $GOOS/$GOARCH GOAMD64=$GOAMD64" >TOOLCHAINS)
ls -l "$OUT/derive-amd64" "$OUT/gotools-amd64"
