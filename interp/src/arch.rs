//! Word-size parameters of the two MIPS flavours Cannon runs (32-bit single-threaded, 64-bit
//! multithreaded). Everything that differs by word size is a constant here; instruction semantics
//! are written once over [`Arch`]. Register values are carried as `u64` on both; on the 32-bit VM the
//! upper 32 bits are always zero (every primitive masks its result with [`Arch::mask`]).
//!
//! Constants: cannon-spec §6.2 (`arch/arch32.go`, `arch/arch64.go`).

/// A MIPS word size.
pub trait Arch: 'static + Copy + Send + Sync + std::fmt::Debug {
    /// True for cannon64.
    const IS_64: bool;
    /// Bits per word (32 or 64).
    const BITS: u32;
    /// Bytes per word (4 or 8).
    const BYTES: u64;
    /// Initial heap pointer and mmap base.
    const HEAP_START: u64;
    /// mmap limit.
    const HEAP_END: u64;
    /// Value returned by brk.
    const PROGRAM_BREAK: u64;
    /// Initial stack pointer.
    const STACK_TOP: u64;
    /// Depth of the memory merkle tree (27 or 59).
    const TREE_DEPTH: u32;
    /// Highest address bit a loaded ELF segment may use (32 or 48).
    const ELF_ADDR_BITS: u32;
    /// Human name.
    const NAME: &'static str;

    /// Truncates to the word width.
    #[inline(always)]
    fn mask(v: u64) -> u64 {
        if Self::IS_64 {
            v
        } else {
            v & 0xFFFF_FFFF
        }
    }
    /// Mask that aligns an address down to a word boundary.
    #[inline(always)]
    fn align(v: u64) -> u64 {
        v & !(Self::BYTES - 1)
    }
    /// Sign-extends the low `bits` bits of `v` to the word width.
    #[inline(always)]
    fn sext(v: u64, bits: u32) -> u64 {
        Self::mask(sext64(v, bits))
    }
    /// Bytes per instruction.
    const INSN_BYTES: u64 = 4;
    /// Address of the instruction after the one at `pc` (sequential flow, at word width).
    #[inline(always)]
    fn next_insn(pc: u64) -> u64 {
        next_insn(pc, Self::IS_64)
    }
    /// Interprets a word as a signed integer.
    #[inline(always)]
    fn signed(v: u64) -> i64 {
        sext64(v, Self::BITS) as i64
    }
}

/// Address of the instruction after the one at `pc` on the 64-bit (`is64`) or 32-bit VM:
/// `pc + 4` at the word width.
#[inline(always)]
pub const fn next_insn(pc: u64, is64: bool) -> u64 {
    let n = pc.wrapping_add(4);
    if is64 {
        n
    } else {
        n & 0xFFFF_FFFF
    }
}

/// Sign-extends the low `bits` bits of `v` to 64 bits.
#[inline(always)]
pub const fn sext64(v: u64, bits: u32) -> u64 {
    if bits >= 64 {
        v
    } else {
        let s = 64 - bits;
        (((v << s) as i64) >> s) as u64
    }
}

/// 32-bit MIPS (single-threaded Cannon).
#[derive(Debug, Clone, Copy)]
pub struct Mips32;
/// 64-bit MIPS (cannon64, multithreaded).
#[derive(Debug, Clone, Copy)]
pub struct Mips64;

impl Arch for Mips32 {
    const IS_64: bool = false;
    const BITS: u32 = 32;
    const BYTES: u64 = 4;
    const HEAP_START: u64 = 0x0500_0000;
    const HEAP_END: u64 = 0x6000_0000;
    const PROGRAM_BREAK: u64 = 0x4000_0000;
    const STACK_TOP: u64 = 0x7FFF_D000;
    const TREE_DEPTH: u32 = 27;
    const ELF_ADDR_BITS: u32 = 32;
    const NAME: &'static str = "mips32";
}

impl Arch for Mips64 {
    const IS_64: bool = true;
    const BITS: u32 = 64;
    const BYTES: u64 = 8;
    const HEAP_START: u64 = 0x0000_1000_0000_0000;
    const HEAP_END: u64 = 0x0000_6000_0000_0000;
    const PROGRAM_BREAK: u64 = 0x0000_4000_0000_0000;
    const STACK_TOP: u64 = 0x0000_7FFF_FFFF_F000;
    const TREE_DEPTH: u32 = 59;
    const ELF_ADDR_BITS: u32 = 48;
    const NAME: &'static str = "mips64";
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sign_extension() {
        assert_eq!(sext64(0x8000, 16), 0xFFFF_FFFF_FFFF_8000);
        assert_eq!(sext64(0x7FFF, 16), 0x7FFF);
        assert_eq!(Mips32::sext(0x8000, 16), 0xFFFF_8000);
        assert_eq!(Mips64::sext(0x8000_0000, 32), 0xFFFF_FFFF_8000_0000);
        assert_eq!(Mips32::signed(0xFFFF_FFFF), -1);
        assert_eq!(Mips64::signed(0xFFFF_FFFF), 0xFFFF_FFFF);
    }
}
