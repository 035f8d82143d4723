//! Instruction decoding: one 32-bit word to a typed [`Insn`]. Opcode and funct literals live only
//! here (cannon-spec §9.1, `exec/mips_instructions.go`, `MIPS64Instructions.sol`). Decoding depends
//! on the word size only: 64-bit-only encodings decode to [`Op::Invalid`] on the 32-bit VM.

use std::fmt;

/// Operation of a decoded instruction. Names are MIPS mnemonics.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    // jumps and branches
    J,
    Jal,
    Jr,
    Jalr,
    Beq,
    Bne,
    Blez,
    Bgtz,
    Bltz,
    Bgez,
    Bltzal,
    Bgezal,
    /// REGIMM with an rt value Cannon does not know: a branch that is never taken.
    RegimmNop,
    // register ALU
    Sll,
    Srl,
    Sra,
    Sllv,
    Srlv,
    Srav,
    Movz,
    Movn,
    /// `sync` (SPECIAL funct 0x0F): Cannon writes rs into rd.
    Sync,
    Add,
    Addu,
    Sub,
    Subu,
    And,
    Or,
    Xor,
    Nor,
    Slt,
    Sltu,
    Dadd,
    Daddu,
    Dsub,
    Dsubu,
    Dsll,
    Dsrl,
    Dsra,
    Dsll32,
    Dsrl32,
    Dsra32,
    // HI/LO group
    Mfhi,
    Mthi,
    Mflo,
    Mtlo,
    Dsllv,
    Dsrlv,
    Dsrav,
    Mult,
    Multu,
    Div,
    Divu,
    Dmult,
    Dmultu,
    Ddiv,
    Ddivu,
    // immediates
    Addi,
    Addiu,
    Slti,
    Sltiu,
    Andi,
    Ori,
    Xori,
    Lui,
    Daddi,
    Daddiu,
    // SPECIAL2
    Mul,
    Clz,
    Clo,
    Dclz,
    Dclo,
    // loads and stores
    Lb,
    Lh,
    Lwl,
    Lw,
    Lbu,
    Lhu,
    Lwr,
    Lwu,
    Ld,
    Ldl,
    Ldr,
    Sb,
    Sh,
    Swl,
    Sw,
    Swr,
    Sd,
    Sdl,
    Sdr,
    // read-modify-write
    Ll,
    Sc,
    Lld,
    Scd,
    Syscall,
    Invalid,
}

/// A decoded instruction: the operation and the raw fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    /// The operation.
    pub op: Op,
    /// The instruction word.
    pub raw: u32,
}

impl Insn {
    /// rs field (bits 25..21).
    #[inline(always)]
    pub fn rs(&self) -> u8 {
        ((self.raw >> 21) & 31) as u8
    }
    /// rt field (bits 20..16).
    #[inline(always)]
    pub fn rt(&self) -> u8 {
        ((self.raw >> 16) & 31) as u8
    }
    /// rd field (bits 15..11).
    #[inline(always)]
    pub fn rd(&self) -> u8 {
        ((self.raw >> 11) & 31) as u8
    }
    /// shamt field (bits 10..6).
    #[inline(always)]
    pub fn sa(&self) -> u32 {
        (self.raw >> 6) & 31
    }
    /// 16-bit immediate, raw.
    #[inline(always)]
    pub fn imm(&self) -> u16 {
        self.raw as u16
    }
    /// 26-bit jump index.
    #[inline(always)]
    pub fn target(&self) -> u32 {
        self.raw & 0x03FF_FFFF
    }
    /// True for stores to memory (not counting sc/scd, which are not straight code).
    #[inline]
    pub fn is_store(&self) -> bool {
        use Op::*;
        matches!(self.op, Sb | Sh | Swl | Sw | Swr | Sd | Sdl | Sdr)
    }
    /// True for branches and jumps (instructions with a delay slot).
    pub fn is_control(&self) -> bool {
        use Op::*;
        matches!(
            self.op,
            J | Jal
                | Jr
                | Jalr
                | Beq
                | Bne
                | Blez
                | Bgtz
                | Bltz
                | Bgez
                | Bltzal
                | Bgezal
                | RegimmNop
        )
    }
}

/// A set of registers as a bit mask: bit `r` for general-purpose register `r`, [`REG_HI`] and
/// [`REG_LO`] for HI and LO.
pub type RegSet = u64;
/// Bit of HI in a [`RegSet`].
pub const REG_HI: u32 = 32;
/// Bit of LO in a [`RegSet`].
pub const REG_LO: u32 = 33;
/// The link register (`$ra`), written by `jal`, `bltzal`, `bgezal`.
pub const REG_RA: u8 = 31;

/// Where control can go after a basic block that ends with this instruction (and its delay
/// slot), as far as the instruction word alone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Successors {
    /// Not a control instruction: the next instruction.
    Next,
    /// `j`/`jal`: one fixed target.
    Jump(u64),
    /// A conditional branch: its target when taken, the instruction after the delay slot when
    /// not.
    Branch {
        /// Target when taken.
        taken: u64,
        /// The instruction after the delay slot.
        not_taken: u64,
    },
    /// `jr`/`jalr`: a target computed at run time.
    Indirect,
}

/// What kind of step a step is (profiles' instruction-class histogram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Register and immediate arithmetic, logic, shifts, moves.
    Alu,
    /// Loads and stores.
    LoadStore,
    /// Branches and jumps.
    Branch,
    /// Multiply, divide and HI/LO moves.
    MulDiv,
    /// LL/SC read-modify-write.
    Atomic,
    /// Syscalls.
    Syscall,
    /// Scheduler steps (thread pop, preemption, stack swap): no instruction executes.
    Scheduler,
    /// Invalid instructions.
    Invalid,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 8] = [
        Class::Alu,
        Class::LoadStore,
        Class::Branch,
        Class::MulDiv,
        Class::Atomic,
        Class::Syscall,
        Class::Scheduler,
        Class::Invalid,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::Alu => "alu",
            Class::LoadStore => "load_store",
            Class::Branch => "branch",
            Class::MulDiv => "mul_div",
            Class::Atomic => "atomic",
            Class::Syscall => "syscall",
            Class::Scheduler => "scheduler",
            Class::Invalid => "invalid",
        }
    }
}

/// A call or a return, as call-stack trackers (profiles, tracebacks) see control transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// A linking jump or a taken linking branch: a call of the destination.
    Call,
    /// `jr $ra`: a return.
    Return,
}

impl Insn {
    /// The instruction's class.
    pub fn class(&self) -> Class {
        use Op::*;
        match self.op {
            J | Jal | Jr | Jalr | Beq | Bne | Blez | Bgtz | Bltz | Bgez | Bltzal | Bgezal
            | RegimmNop => Class::Branch,
            Mfhi | Mthi | Mflo | Mtlo | Mult | Multu | Div | Divu | Dmult | Dmultu | Ddiv
            | Ddivu | Mul => Class::MulDiv,
            Lb | Lh | Lwl | Lw | Lbu | Lhu | Lwr | Lwu | Ld | Ldl | Ldr | Sb | Sh | Swl | Sw
            | Swr | Sd | Sdl | Sdr => Class::LoadStore,
            Ll | Sc | Lld | Scd => Class::Atomic,
            Syscall => Class::Syscall,
            Invalid => Class::Invalid,
            _ => Class::Alu,
        }
    }

    /// Where control goes after a block ending with this instruction at `pc` (see
    /// [`Successors`]); targets are computed as the semantics compute them, with NextPC =
    /// PC + 4 (a control instruction is never in a delay slot of a valid block).
    pub fn successors(&self, pc: u64, is64: bool) -> Successors {
        use Op::*;
        let mask = |v: u64| if is64 { v } else { v & 0xFFFF_FFFF };
        let next = crate::arch::next_insn(pc, is64);
        match self.op {
            J | Jal => {
                let region = mask(crate::arch::sext64(0xF000_0000, 32));
                Successors::Jump((next & region) | (u64::from(self.target()) << 2))
            }
            Jr | Jalr => Successors::Indirect,
            Beq | Bne | Blez | Bgtz | Bltz | Bgez | Bltzal | Bgezal | RegimmNop => {
                let off = crate::arch::sext64(u64::from(self.imm()), 16) << 2;
                Successors::Branch {
                    taken: mask(next.wrapping_add(off)),
                    not_taken: crate::arch::next_insn(next, is64),
                }
            }
            _ => Successors::Next,
        }
    }

    /// Whether the control transfer of this instruction at `pc`, which sent control to `dest`
    /// after its delay slot, is a call or a return.
    pub fn linkage(&self, pc: u64, dest: u64) -> Option<Linkage> {
        use Op::*;
        match self.op {
            Jal => Some(Linkage::Call),
            Jalr if self.rd() != 0 => Some(Linkage::Call),
            Bltzal | Bgezal if dest != pc.wrapping_add(8) => Some(Linkage::Call),
            Jr if self.rs() == REG_RA => Some(Linkage::Return),
            _ => None,
        }
    }

    /// True for the instructions that use HI and LO.
    fn uses_hilo(&self) -> bool {
        use Op::*;
        matches!(
            self.op,
            Mfhi | Mthi | Mflo | Mtlo | Mult | Multu | Div | Divu | Dmult | Dmultu | Ddiv | Ddivu
        )
    }

    /// A superset of the registers the instruction reads or writes.
    pub fn regs_used(&self) -> RegSet {
        let mut m = (1 << self.rs()) | (1 << self.rt()) | (1 << self.rd()) | (1 << REG_RA);
        if self.uses_hilo() {
            m |= (1 << REG_HI) | (1 << REG_LO);
        }
        m
    }

    /// A superset of the registers the instruction writes (never `$0`).
    pub fn regs_written(&self) -> RegSet {
        use Op::*;
        let mut m = (1 << self.rt()) | (1 << self.rd()) | (1 << REG_RA);
        if self.uses_hilo() && !matches!(self.op, Mfhi | Mflo) {
            m |= (1 << REG_HI) | (1 << REG_LO);
        }
        m & !1
    }
}

/// The basic block at `pc` as the engines cut straight code: decoded core instructions from
/// `pc`, ending after a branch or jump and its delay slot (when the slot holds a core,
/// non-control instruction; otherwise before the branch), before a syscall, LL/SC or invalid
/// word, or after `max` instructions.
pub fn basic_block(
    mem: &crate::memory::Memory,
    pc: u64,
    is64: bool,
    max: usize,
) -> Vec<(u64, Insn)> {
    let next = |a: u64| crate::arch::next_insn(a, is64);
    let straight = |i: &Insn| crate::semantics::is_core(i.op) && i.op != Op::Invalid;
    let mut out = Vec::new();
    let mut a = pc;
    while out.len() < max {
        let insn = decode(mem.read_u32(a), is64);
        if !straight(&insn) {
            break;
        }
        if insn.is_control() {
            let slot_pc = next(a);
            let slot = decode(mem.read_u32(slot_pc), is64);
            if straight(&slot) && !slot.is_control() {
                out.push((a, insn));
                out.push((slot_pc, slot));
            }
            break;
        }
        out.push((a, insn));
        a = next(a);
    }
    out
}

/// Decodes one instruction word for a VM of the given word size.
#[inline]
pub fn decode(raw: u32, is64: bool) -> Insn {
    Insn {
        op: decode_op(raw, is64),
        raw,
    }
}

#[inline]
fn decode_op(raw: u32, is64: bool) -> Op {
    use Op::*;
    let opcode = raw >> 26;
    let funct = raw & 0x3F;
    let only64 = |op: Op| if is64 { op } else { Invalid };
    match opcode {
        0x00 => match funct {
            0x00 => Sll,
            0x02 => Srl,
            0x03 => Sra,
            0x04 => Sllv,
            0x06 => Srlv,
            0x07 => Srav,
            0x08 => Jr,
            0x09 => Jalr,
            0x0A => Movz,
            0x0B => Movn,
            0x0C => Syscall,
            0x0F => Sync,
            0x10 => Mfhi,
            0x11 => Mthi,
            0x12 => Mflo,
            0x13 => Mtlo,
            0x14 => only64(Dsllv),
            0x16 => only64(Dsrlv),
            0x17 => only64(Dsrav),
            0x18 => Mult,
            0x19 => Multu,
            0x1A => Div,
            0x1B => Divu,
            0x1C => only64(Dmult),
            0x1D => only64(Dmultu),
            0x1E => only64(Ddiv),
            0x1F => only64(Ddivu),
            0x20 => Add,
            0x21 => Addu,
            0x22 => Sub,
            0x23 => Subu,
            0x24 => And,
            0x25 => Or,
            0x26 => Xor,
            0x27 => Nor,
            0x2A => Slt,
            0x2B => Sltu,
            0x2C => only64(Dadd),
            0x2D => only64(Daddu),
            0x2E => only64(Dsub),
            0x2F => only64(Dsubu),
            0x38 => only64(Dsll),
            0x3A => only64(Dsrl),
            0x3B => only64(Dsra),
            0x3C => only64(Dsll32),
            0x3E => only64(Dsrl32),
            0x3F => only64(Dsra32),
            _ => Invalid,
        },
        0x01 => match (raw >> 16) & 31 {
            0x00 => Bltz,
            0x01 => Bgez,
            0x10 => Bltzal,
            0x11 => Bgezal,
            _ => RegimmNop,
        },
        0x02 => J,
        0x03 => Jal,
        0x04 => Beq,
        0x05 => Bne,
        0x06 => Blez,
        0x07 => Bgtz,
        0x08 => Addi,
        0x09 => Addiu,
        0x0A => Slti,
        0x0B => Sltiu,
        0x0C => Andi,
        0x0D => Ori,
        0x0E => Xori,
        0x0F => Lui,
        0x18 => only64(Daddi),
        0x19 => only64(Daddiu),
        0x1A => only64(Ldl),
        0x1B => only64(Ldr),
        0x1C => match funct {
            0x02 => Mul,
            0x20 => Clz,
            0x21 => Clo,
            0x24 => only64(Dclz),
            0x25 => only64(Dclo),
            _ => Invalid,
        },
        0x20 => Lb,
        0x21 => Lh,
        0x22 => Lwl,
        0x23 => Lw,
        0x24 => Lbu,
        0x25 => Lhu,
        0x26 => Lwr,
        0x27 => only64(Lwu),
        0x28 => Sb,
        0x29 => Sh,
        0x2A => Swl,
        0x2B => Sw,
        0x2C => only64(Sdl),
        0x2D => only64(Sdr),
        0x2E => Swr,
        0x30 => Ll,
        0x34 => only64(Lld),
        0x37 => only64(Ld),
        0x38 => Sc,
        0x3C => only64(Scd),
        0x3F => only64(Sd),
        _ => Invalid,
    }
}

impl Op {
    /// The mnemonic.
    pub fn mnemonic(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

impl fmt::Display for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Op::*;
        let m = self.op.mnemonic();
        let (rs, rt, rd) = (self.rs(), self.rt(), self.rd());
        let imm = self.imm() as i16;
        match self.op {
            Invalid => write!(f, "invalid 0x{:08x}", self.raw),
            Syscall => write!(f, "syscall"),
            J | Jal => write!(f, "{m} 0x{:x}", self.target() << 2),
            Jr => write!(f, "jr ${rs}"),
            Jalr => write!(f, "jalr ${rd}, ${rs}"),
            Beq | Bne => write!(f, "{m} ${rs}, ${rt}, {}", (imm as i32) << 2),
            Blez | Bgtz | Bltz | Bgez | Bltzal | Bgezal | RegimmNop => {
                write!(f, "{m} ${rs}, {}", (imm as i32) << 2)
            }
            Sll | Srl | Sra | Dsll | Dsrl | Dsra | Dsll32 | Dsrl32 | Dsra32 => {
                write!(f, "{m} ${rd}, ${rt}, {}", self.sa())
            }
            Sllv | Srlv | Srav | Dsllv | Dsrlv | Dsrav => write!(f, "{m} ${rd}, ${rt}, ${rs}"),
            Mfhi | Mflo => write!(f, "{m} ${rd}"),
            Mthi | Mtlo => write!(f, "{m} ${rs}"),
            Mult | Multu | Div | Divu | Dmult | Dmultu | Ddiv | Ddivu => {
                write!(f, "{m} ${rs}, ${rt}")
            }
            Clz | Clo | Dclz | Dclo | Sync => write!(f, "{m} ${rd}, ${rs}"),
            Addi | Addiu | Slti | Sltiu | Daddi | Daddiu => {
                write!(f, "{m} ${rt}, ${rs}, {imm}")
            }
            Andi | Ori | Xori => write!(f, "{m} ${rt}, ${rs}, 0x{:x}", self.imm()),
            Lui => write!(f, "lui ${rt}, 0x{:x}", self.imm()),
            Lb | Lh | Lwl | Lw | Lbu | Lhu | Lwr | Lwu | Ld | Ldl | Ldr | Sb | Sh | Swl | Sw
            | Swr | Sd | Sdl | Sdr | Ll | Sc | Lld | Scd => write!(f, "{m} ${rt}, {imm}(${rs})"),
            _ => write!(f, "{m} ${rd}, ${rs}, ${rt}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_prints() {
        let cases: &[(u32, bool, &str)] = &[
            (0x0000_000c, true, "syscall"),
            (0x2402_13a1, true, "addiu $2, $0, 5025"),
            (0x03e0_0008, true, "jr $31"),
            (0x0085_1021, true, "addu $2, $4, $5"),
            (0x0085_102d, true, "daddu $2, $4, $5"),
            (0x0085_102d, false, "invalid 0x0085102d"),
            (0xdc82_0008, true, "ld $2, 8($4)"),
            (0x7082_0024, true, "dclz $0, $4"),
            (0x0411_0003, true, "bgezal $0, 12"),
            (0x0412_0003, true, "regimmnop $0, 12"),
            (0x4200_0000, true, "invalid 0x42000000"),
        ];
        for &(w, is64, text) in cases {
            assert_eq!(decode(w, is64).to_string(), text, "word {w:08x}");
        }
    }
}
