//! Assembling instruction words: the inverse of [`crate::decode`]. [`encode`] turns an [`Op`]
//! and its fields into a word that decodes back to that op (a test checks every op both ways);
//! the named helpers cover the mnemonics tests and fixtures write by hand, operands in
//! assembler order. Tests across the workspace use this one encoder.

use crate::decode::Op;

/// Where an operation's selector lives in the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SPECIAL (opcode 0), selected by funct.
    Special(u32),
    /// REGIMM (opcode 1), selected by the rt field.
    Regimm(u32),
    /// SPECIAL2 (opcode 0x1C), selected by funct.
    Special2(u32),
    /// A primary opcode of its own (I- or J-type).
    Opcode(u32),
}

/// The encoding of `op`; `None` for [`Op::Invalid`]. [`Op::RegimmNop`] uses REGIMM rt = 2.
pub fn format(op: Op) -> Option<Format> {
    use Format::*;
    use Op::*;
    Some(match op {
        Sll => Special(0x00),
        Srl => Special(0x02),
        Sra => Special(0x03),
        Sllv => Special(0x04),
        Srlv => Special(0x06),
        Srav => Special(0x07),
        Jr => Special(0x08),
        Jalr => Special(0x09),
        Movz => Special(0x0A),
        Movn => Special(0x0B),
        Syscall => Special(0x0C),
        Sync => Special(0x0F),
        Mfhi => Special(0x10),
        Mthi => Special(0x11),
        Mflo => Special(0x12),
        Mtlo => Special(0x13),
        Dsllv => Special(0x14),
        Dsrlv => Special(0x16),
        Dsrav => Special(0x17),
        Mult => Special(0x18),
        Multu => Special(0x19),
        Div => Special(0x1A),
        Divu => Special(0x1B),
        Dmult => Special(0x1C),
        Dmultu => Special(0x1D),
        Ddiv => Special(0x1E),
        Ddivu => Special(0x1F),
        Add => Special(0x20),
        Addu => Special(0x21),
        Sub => Special(0x22),
        Subu => Special(0x23),
        And => Special(0x24),
        Or => Special(0x25),
        Xor => Special(0x26),
        Nor => Special(0x27),
        Slt => Special(0x2A),
        Sltu => Special(0x2B),
        Dadd => Special(0x2C),
        Daddu => Special(0x2D),
        Dsub => Special(0x2E),
        Dsubu => Special(0x2F),
        Dsll => Special(0x38),
        Dsrl => Special(0x3A),
        Dsra => Special(0x3B),
        Dsll32 => Special(0x3C),
        Dsrl32 => Special(0x3E),
        Dsra32 => Special(0x3F),
        Bltz => Regimm(0x00),
        Bgez => Regimm(0x01),
        RegimmNop => Regimm(0x02),
        Bltzal => Regimm(0x10),
        Bgezal => Regimm(0x11),
        Mul => Special2(0x02),
        Clz => Special2(0x20),
        Clo => Special2(0x21),
        Dclz => Special2(0x24),
        Dclo => Special2(0x25),
        J => Opcode(0x02),
        Jal => Opcode(0x03),
        Beq => Opcode(0x04),
        Bne => Opcode(0x05),
        Blez => Opcode(0x06),
        Bgtz => Opcode(0x07),
        Addi => Opcode(0x08),
        Addiu => Opcode(0x09),
        Slti => Opcode(0x0A),
        Sltiu => Opcode(0x0B),
        Andi => Opcode(0x0C),
        Ori => Opcode(0x0D),
        Xori => Opcode(0x0E),
        Lui => Opcode(0x0F),
        Daddi => Opcode(0x18),
        Daddiu => Opcode(0x19),
        Ldl => Opcode(0x1A),
        Ldr => Opcode(0x1B),
        Lb => Opcode(0x20),
        Lh => Opcode(0x21),
        Lwl => Opcode(0x22),
        Lw => Opcode(0x23),
        Lbu => Opcode(0x24),
        Lhu => Opcode(0x25),
        Lwr => Opcode(0x26),
        Lwu => Opcode(0x27),
        Sb => Opcode(0x28),
        Sh => Opcode(0x29),
        Swl => Opcode(0x2A),
        Sw => Opcode(0x2B),
        Sdl => Opcode(0x2C),
        Sdr => Opcode(0x2D),
        Swr => Opcode(0x2E),
        Ll => Opcode(0x30),
        Lld => Opcode(0x34),
        Ld => Opcode(0x37),
        Sc => Opcode(0x38),
        Scd => Opcode(0x3C),
        Sd => Opcode(0x3F),
        Invalid => return None,
    })
}

/// Every operation the decoder produces (besides [`Op::Invalid`]), found by decoding every
/// selector value of every format.
pub fn all_ops() -> Vec<Op> {
    let mut words = Vec::new();
    for k in 0..64u32 {
        words.extend([k, (0x1C << 26) | k, k << 26]);
    }
    words.extend((0..32u32).map(|rt| (1 << 26) | (rt << 16)));
    let mut ops = Vec::new();
    for w in words {
        let op = crate::decode::decode(w, true).op;
        if op != Op::Invalid && !ops.contains(&op) {
            ops.push(op);
        }
    }
    ops
}

fn base(f: Format) -> u32 {
    match f {
        Format::Special(funct) => funct,
        Format::Regimm(rt) => (1 << 26) | (rt << 16),
        Format::Special2(funct) => (0x1C << 26) | funct,
        Format::Opcode(op) => op << 26,
    }
}

/// Encodes `op` with register fields `rs`, `rt`, `rd`, shift amount `sa` and the 16-bit
/// immediate (or, for `j`/`jal`, the 26-bit jump index) `imm`; fields an operation does not
/// have must be 0. Panics on [`Op::Invalid`].
pub fn encode(op: Op, rs: u32, rt: u32, rd: u32, sa: u32, imm: u32) -> u32 {
    let f = format(op).expect("Op::Invalid has no encoding");
    let regs = (rs & 31) << 21 | (rt & 31) << 16 | (rd & 31) << 11 | (sa & 31) << 6;
    match f {
        Format::Opcode(_) if matches!(op, Op::J | Op::Jal) => base(f) | (imm & 0x03FF_FFFF),
        Format::Opcode(_) => base(f) | (rs & 31) << 21 | (rt & 31) << 16 | (imm & 0xFFFF),
        Format::Regimm(_) => base(f) | (rs & 31) << 21 | (imm & 0xFFFF),
        Format::Special(_) | Format::Special2(_) => base(f) | regs,
    }
}

/// R-type word (SPECIAL) with the given funct and fields.
pub const fn r(funct: u32, rs: u32, rt: u32, rd: u32, sa: u32) -> u32 {
    (rs & 31) << 21 | (rt & 31) << 16 | (rd & 31) << 11 | (sa & 31) << 6 | (funct & 63)
}

/// I-type word; `imm` is truncated to 16 bits (negative offsets allowed).
pub const fn i(op: u32, rs: u32, rt: u32, imm: i32) -> u32 {
    (op & 63) << 26 | (rs & 31) << 21 | (rt & 31) << 16 | (imm as u32 & 0xFFFF)
}

/// J-type word jumping to byte address `target` (its bits 27..2 go into the instruction).
pub const fn j(op: u32, target: u64) -> u32 {
    (op & 63) << 26 | ((target >> 2) as u32 & 0x03FF_FFFF)
}

/// SPECIAL2 word.
pub const fn special2(funct: u32, rs: u32, rt: u32, rd: u32) -> u32 {
    0x1C << 26 | (rs & 31) << 21 | (rt & 31) << 16 | (rd & 31) << 11 | (funct & 63)
}

/// REGIMM word with the given rt selector.
pub const fn regimm(rt_field: u32, rs: u32, imm: i32) -> u32 {
    i(1, rs, rt_field, imm)
}

/// `nop` (`sll $0, $0, 0`).
pub const NOP: u32 = 0;
/// `syscall`.
pub const SYSCALL: u32 = 0x0000_000C;

macro_rules! named {
    ($($(#[$m:meta])* $name:ident($($a:ident),*) = $body:expr;)*) => {
        $( $(#[$m])* #[allow(missing_docs)] pub const fn $name($($a: u32),*) -> u32 { $body } )*
    };
}

named! {
    sll(rd, rt, sa) = r(0x00, 0, rt, rd, sa);
    jr(rs) = r(0x08, rs, 0, 0, 0);
    jalr(rd, rs) = r(0x09, rs, 0, rd, 0);
    mfhi(rd) = r(0x10, 0, 0, rd, 0);
    mflo(rd) = r(0x12, 0, 0, rd, 0);
    mult(rs, rt) = r(0x18, rs, rt, 0, 0);
    div(rs, rt) = r(0x1A, rs, rt, 0, 0);
    addu(rd, rs, rt) = r(0x21, rs, rt, rd, 0);
    subu(rd, rs, rt) = r(0x23, rs, rt, rd, 0);
    or(rd, rs, rt) = r(0x25, rs, rt, rd, 0);
    slt(rd, rs, rt) = r(0x2A, rs, rt, rd, 0);
    daddu(rd, rs, rt) = r(0x2D, rs, rt, rd, 0);
    mul(rd, rs, rt) = special2(0x02, rs, rt, rd);
    clz(rd, rs) = special2(0x20, rs, rd, rd);
}

/// `beq rs, rt, off` (`off` in instructions, relative to the delay slot).
pub const fn beq(rs: u32, rt: u32, off: i32) -> u32 {
    i(0x04, rs, rt, off)
}
/// `bne rs, rt, off`.
pub const fn bne(rs: u32, rt: u32, off: i32) -> u32 {
    i(0x05, rs, rt, off)
}
/// `bltz rs, off`.
pub const fn bltz(rs: u32, off: i32) -> u32 {
    regimm(0x00, rs, off)
}
/// `bgezal rs, off`.
pub const fn bgezal(rs: u32, off: i32) -> u32 {
    regimm(0x11, rs, off)
}
/// `j target`.
pub const fn j_(target: u64) -> u32 {
    j(0x02, target)
}
/// `jal target`.
pub const fn jal(target: u64) -> u32 {
    j(0x03, target)
}
/// `addiu rt, rs, imm`.
pub const fn addiu(rt: u32, rs: u32, imm: i32) -> u32 {
    i(0x09, rs, rt, imm)
}
/// `ori rt, rs, imm`.
pub const fn ori(rt: u32, rs: u32, imm: i32) -> u32 {
    i(0x0D, rs, rt, imm)
}
/// `lui rt, imm`.
pub const fn lui(rt: u32, imm: i32) -> u32 {
    i(0x0F, 0, rt, imm)
}
/// `daddiu rt, rs, imm`.
pub const fn daddiu(rt: u32, rs: u32, imm: i32) -> u32 {
    i(0x19, rs, rt, imm)
}
/// `lw rt, off(base)`.
pub const fn lw(rt: u32, off: i32, base: u32) -> u32 {
    i(0x23, base, rt, off)
}
/// `sw rt, off(base)`.
pub const fn sw(rt: u32, off: i32, base: u32) -> u32 {
    i(0x2B, base, rt, off)
}
/// `ll rt, off(base)`.
pub const fn ll(rt: u32, off: i32, base: u32) -> u32 {
    i(0x30, base, rt, off)
}
/// `sc rt, off(base)`.
pub const fn sc(rt: u32, off: i32, base: u32) -> u32 {
    i(0x38, base, rt, off)
}
/// `ld rt, off(base)`.
pub const fn ld(rt: u32, off: i32, base: u32) -> u32 {
    i(0x37, base, rt, off)
}
/// `sd rt, off(base)`.
pub const fn sd(rt: u32, off: i32, base: u32) -> u32 {
    i(0x3F, base, rt, off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    /// `encode` is the decoder's inverse for every op, with any field values.
    #[test]
    fn encode_inverts_decode() {
        let ops = all_ops();
        assert!(ops.iter().all(|&op| format(op).is_some()));
        let mut x = 0x1234_5678_9abc_def0u64;
        for &op in &ops {
            for _ in 0..64 {
                x = crate::vm::splitmix64(x);
                let f = |k: u32| (x >> (k * 5)) as u32 & 31;
                let imm = (x >> 32) as u32;
                let (rs, rt, rd, sa) = (f(0), f(1), f(2), f(3));
                let w = match format(op).expect("encodable") {
                    Format::Special(_) | Format::Special2(_) => encode(op, rs, rt, rd, sa, 0),
                    Format::Regimm(_) => encode(op, rs, 0, 0, 0, imm),
                    Format::Opcode(_) => encode(op, rs, rt, 0, 0, imm),
                };
                assert_eq!(decode(w, true).op, op, "{w:08x}");
            }
        }
    }

    /// The encoders agree with hand-checked words (from the instruction tables).
    #[test]
    fn encoder_matches_hand_checked_words() {
        assert_eq!(addu(3, 1, 2), 0x0022_1821);
        assert_eq!(r(0x3C, 0, 2, 3, 31), 0x0002_1ffc); // dsll32 $3, $2, 31
        assert_eq!(addiu(5, 0, 1), 0x2405_0001);
        assert_eq!(i(0x23, 1, 2, -8), 0x8c22_fff8); // lw $2, -8($1)
        assert_eq!(beq(1, 2, -2), 0x1022_fffe);
        assert_eq!(regimm(0x10, 1, 4), 0x0430_0004); // bltzal $1, +4
        assert_eq!(j(0x03, 0x2000), 0x0c00_0800); // jal 0x2000
        assert_eq!(jalr(31, 1), 0x0020_f809);
        assert_eq!(special2(0x20, 1, 3, 3), 0x7023_1820); // clz $3, $1
        assert_eq!(sc(2, 4, 1), 0xe022_0004);
    }

    /// The named helpers agree with `encode`.
    #[test]
    fn named_helpers_agree() {
        assert_eq!(addu(3, 1, 2), encode(Op::Addu, 1, 2, 3, 0, 0));
        assert_eq!(addiu(5, 0, -1), encode(Op::Addiu, 0, 5, 0, 0, 0xFFFF));
        assert_eq!(sc(2, 4, 1), encode(Op::Sc, 1, 2, 0, 0, 4));
        assert_eq!(jal(0x2000), encode(Op::Jal, 0, 0, 0, 0, 0x800));
        assert_eq!(clz(3, 1), encode(Op::Clz, 1, 3, 3, 0, 0));
        assert_eq!(bgezal(1, 4), encode(Op::Bgezal, 1, 0, 0, 0, 4));
    }
}
