//! The primitive-operations vocabulary that instruction semantics are written in
//! ([`crate::semantics`]). The interpreter implements [`Ops`] on concrete `u64` words
//! ([`crate::vm::CoreOps`]), evaluating each primitive with the `eval_*` functions below (which a
//! compiler also uses to fold constants); a compiler implements it on IR values. Nothing
//! MIPS-specific lives in an implementation: it only needs word-width arithmetic, register and
//! memory access, and a way to refuse an instruction ([`Ops::trap_if`]).
//!
//! All values are words of the VM's width (`A::BITS`); results are truncated to it. Shift amounts
//! are always below the width (the semantics guarantee it).

use crate::arch::Arch;
use crate::error::Fault;

/// Binary operations at word width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    /// Wrapping addition.
    Add,
    /// Wrapping subtraction.
    Sub,
    /// Wrapping multiplication (low word of the product).
    Mul,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise xor.
    Xor,
    /// Logical shift left; amount < width.
    Shl,
    /// Logical shift right; amount < width.
    Shr,
    /// Arithmetic shift right; amount < width.
    Sar,
    /// 1 if equal, else 0.
    Eq,
    /// 1 if different, else 0.
    Ne,
    /// 1 if a < b as signed words, else 0.
    LtS,
    /// 1 if a < b as unsigned words, else 0.
    LtU,
}

/// Unary operations at word width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Un {
    /// Bitwise not.
    Not,
    /// Sign-extend from bit 7.
    Sext8,
    /// Sign-extend from bit 15.
    Sext16,
    /// Sign-extend from bit 31 (identity on the 32-bit VM).
    Sext32,
    /// Keep the low 8 bits.
    Zext8,
    /// Keep the low 16 bits.
    Zext16,
    /// Keep the low 32 bits.
    Zext32,
    /// Count leading zeros of the whole word.
    Clz,
    /// Count leading zeros of the low 32 bits.
    Clz32,
}

/// Where an instruction goes next. The caller applies it: `PC ← NextPC`, then `NextPC ← NextPC + 4`
/// for [`Flow::Seq`], `NextPC ← target` when a branch is taken or for a jump.
#[derive(Debug, Clone, Copy)]
pub enum Flow<V> {
    /// Fall through.
    Seq,
    /// Conditional branch: taken when `cond` is non-zero.
    Branch {
        /// Non-zero when taken.
        cond: V,
        /// Branch target.
        target: V,
    },
    /// Unconditional jump.
    Jump {
        /// Jump target.
        target: V,
    },
}

/// Primitive operations over a value domain `V`.
pub trait Ops {
    /// A word value.
    type V: Copy;

    /// A constant (truncated to the word width).
    fn konst(&mut self, x: u64) -> Self::V;
    /// Reads a general-purpose register.
    fn reg(&mut self, r: u8) -> Self::V;
    /// Writes a general-purpose register; the semantics never pass 0.
    fn set_reg(&mut self, r: u8, v: Self::V);
    /// Reads HI.
    fn hi(&mut self) -> Self::V;
    /// Reads LO.
    fn lo(&mut self) -> Self::V;
    /// Writes HI.
    fn set_hi(&mut self, v: Self::V);
    /// Writes LO.
    fn set_lo(&mut self, v: Self::V);
    /// Address of the current instruction.
    fn pc(&mut self) -> Self::V;
    /// Address of the next instruction (PC + 4 unless in a delay slot).
    fn next_pc(&mut self) -> Self::V;

    /// A binary operation.
    fn bin(&mut self, op: Bin, a: Self::V, b: Self::V) -> Self::V;
    /// A unary operation.
    fn un(&mut self, op: Un, a: Self::V) -> Self::V;
    /// `c != 0 ? t : f`.
    fn select(&mut self, c: Self::V, t: Self::V, f: Self::V) -> Self::V;
    /// Full product of two words: `(high word, low word)`.
    fn mul_wide(&mut self, signed: bool, a: Self::V, b: Self::V) -> (Self::V, Self::V);
    /// Quotient and remainder, truncating toward zero, wrapping for MIN / -1. The semantics trap
    /// on a zero divisor before calling this.
    fn div_rem(&mut self, signed: bool, a: Self::V, b: Self::V) -> (Self::V, Self::V);

    /// Loads the naturally aligned word at `addr` (already aligned by the semantics). This is the
    /// step's data access.
    fn load(&mut self, addr: Self::V) -> Self::V;
    /// Stores the naturally aligned word at `addr` (the address just loaded).
    fn store(&mut self, addr: Self::V, v: Self::V);

    /// Refuses the instruction with `fault` when `c` is non-zero. Called before any side effect.
    fn trap_if(&mut self, c: Self::V, fault: Fault) -> Result<(), Fault>;
}

/// Word-width evaluation of [`Bin`] (shared with anything that needs concrete semantics of a
/// primitive, e.g. primitive-parity tests of a compiler).
#[inline(always)]
pub fn eval_bin<A: Arch>(op: Bin, a: u64, b: u64) -> u64 {
    A::mask(match op {
        Bin::Add => a.wrapping_add(b),
        Bin::Sub => a.wrapping_sub(b),
        Bin::Mul => a.wrapping_mul(b),
        Bin::And => a & b,
        Bin::Or => a | b,
        Bin::Xor => a ^ b,
        Bin::Shl => a << (b & 63),
        Bin::Shr => A::mask(a) >> (b & 63),
        Bin::Sar => (A::signed(a) >> (b & 63)) as u64,
        Bin::Eq => (A::mask(a) == A::mask(b)) as u64,
        Bin::Ne => (A::mask(a) != A::mask(b)) as u64,
        Bin::LtS => (A::signed(a) < A::signed(b)) as u64,
        Bin::LtU => (A::mask(a) < A::mask(b)) as u64,
    })
}

/// Word-width evaluation of [`Un`].
#[inline(always)]
pub fn eval_un<A: Arch>(op: Un, a: u64) -> u64 {
    match op {
        Un::Not => A::mask(!a),
        Un::Sext8 => A::sext(a, 8),
        Un::Sext16 => A::sext(a, 16),
        Un::Sext32 => A::sext(a, 32),
        Un::Zext8 => a & 0xFF,
        Un::Zext16 => a & 0xFFFF,
        Un::Zext32 => a & 0xFFFF_FFFF,
        Un::Clz => {
            if A::IS_64 {
                u64::from(a.leading_zeros())
            } else {
                u64::from((a as u32).leading_zeros())
            }
        }
        Un::Clz32 => u64::from((a as u32).leading_zeros()),
    }
}

/// Word-width full product.
#[inline(always)]
pub fn eval_mul_wide<A: Arch>(signed: bool, a: u64, b: u64) -> (u64, u64) {
    if A::IS_64 {
        let p = if signed {
            (i128::from(a as i64) * i128::from(b as i64)) as u128
        } else {
            u128::from(a) * u128::from(b)
        };
        ((p >> 64) as u64, p as u64)
    } else {
        let p = if signed {
            (A::signed(a) * A::signed(b)) as u64
        } else {
            A::mask(a) * A::mask(b)
        };
        (A::mask(p >> 32), A::mask(p))
    }
}

/// Word-width quotient and remainder (0, 0 for a zero divisor, which the semantics trap first).
#[inline(always)]
pub fn eval_div_rem<A: Arch>(signed: bool, a: u64, b: u64) -> (u64, u64) {
    if A::mask(b) == 0 {
        return (0, 0);
    }
    if signed {
        let (x, y) = (A::signed(a), A::signed(b));
        (
            A::mask(x.wrapping_div(y) as u64),
            A::mask(x.wrapping_rem(y) as u64),
        )
    } else {
        let (x, y) = (A::mask(a), A::mask(b));
        (x / y, x % y)
    }
}
