//! The one definition of Cannon's instruction semantics (cannon-spec §9; `exec/mips_instructions.go`
//! and `MIPS64Instructions.sol`), written over [`Ops`] and generic over the word size [`Arch`].
//!
//! [`execute`] covers every instruction except `syscall` and the read-modify-write group
//! (`ll`/`sc`/`lld`/`scd`), which depend on VM-level state (the reservation, the thread, the oracle)
//! and live in [`crate::vm`]. Each arm reads its operands, checks its traps, then performs its
//! effects, so a trap never leaves a partial update behind.

use crate::arch::Arch;
use crate::decode::{Insn, Op};
use crate::error::Fault;
use crate::ops::{Bin, Flow, Ops, Un};

/// Executes one instruction. Returns how control continues; the caller moves PC/NextPC.
#[inline(always)]
pub fn execute<A: Arch, O: Ops>(o: &mut O, i: Insn) -> Result<Flow<O::V>, Fault> {
    use Op::*;
    let (rs_i, rt_i, rd_i) = (i.rs(), i.rt(), i.rd());
    match i.op {
        // ---- jumps -------------------------------------------------------------------------
        J | Jal => {
            delay_slot_check(o, Fault::JumpInDelaySlot)?;
            // Keep NextPC's bits above the 256 MiB region (mask sign-extended from 0xF0000000).
            let np = o.next_pc();
            let region = o.konst(A::sext(0xF000_0000, 32));
            let hi = o.bin(Bin::And, np, region);
            let idx = o.konst(u64::from(i.target()) << 2);
            let target = o.bin(Bin::Or, hi, idx);
            if i.op == Jal {
                link(o, 31);
            }
            Ok(Flow::Jump { target })
        }
        Jr | Jalr => {
            let target = o.reg(rs_i);
            delay_slot_check(o, Fault::JumpInDelaySlot)?;
            if i.op == Jalr && rd_i != 0 {
                link(o, rd_i);
            }
            Ok(Flow::Jump { target })
        }
        // ---- branches ----------------------------------------------------------------------
        Beq | Bne | Blez | Bgtz | Bltz | Bgez | Bltzal | Bgezal | RegimmNop => {
            let rs = o.reg(rs_i);
            delay_slot_check(o, Fault::BranchInDelaySlot)?;
            let zero = o.konst(0);
            let cond = match i.op {
                Beq => {
                    let rt = o.reg(rt_i);
                    o.bin(Bin::Eq, rs, rt)
                }
                Bne => {
                    let rt = o.reg(rt_i);
                    o.bin(Bin::Ne, rs, rt)
                }
                Blez => {
                    let gt = o.bin(Bin::LtS, zero, rs);
                    o.bin(Bin::Eq, gt, zero)
                }
                Bgtz => o.bin(Bin::LtS, zero, rs),
                Bltz | Bltzal => o.bin(Bin::LtS, rs, zero),
                Bgez | Bgezal => {
                    let lt = o.bin(Bin::LtS, rs, zero);
                    o.bin(Bin::Eq, lt, zero)
                }
                _ => zero, // RegimmNop: never taken
            };
            if matches!(i.op, Bltzal | Bgezal) {
                link(o, 31); // linked whether or not the branch is taken
            }
            let pc = o.pc();
            let off = o.konst(A::sext(u64::from(i.imm()), 16) << 2);
            let four = o.konst(4);
            let base = o.bin(Bin::Add, pc, four);
            let target = o.bin(Bin::Add, base, off);
            Ok(Flow::Branch { cond, target })
        }
        // ---- 32-bit shifts (results sign-extended from bit 31 on cannon64) -----------------
        Sll | Srl | Sra => {
            let rt = o.reg(rt_i);
            let sa = o.konst(u64::from(i.sa()));
            let v = shift32(o, i.op, rt, sa);
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        Sllv | Srlv | Srav => {
            let rs = o.reg(rs_i);
            let rt = o.reg(rt_i);
            let m = o.konst(31);
            let sa = o.bin(Bin::And, rs, m);
            let op = match i.op {
                Sllv => Sll,
                Srlv => Srl,
                _ => Sra,
            };
            let v = shift32(o, op, rt, sa);
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        // ---- conditional moves ---------------------------------------------------------------
        Movz | Movn => {
            let rs = o.reg(rs_i);
            let rt = o.reg(rt_i);
            if rd_i != 0 {
                let zero = o.konst(0);
                let c = o.bin(if i.op == Movz { Bin::Eq } else { Bin::Ne }, rt, zero);
                let old = o.reg(rd_i);
                let v = o.select(c, rs, old);
                o.set_reg(rd_i, v);
            }
            Ok(Flow::Seq)
        }
        Sync => {
            let rs = o.reg(rs_i);
            wb(o, rd_i, rs);
            Ok(Flow::Seq)
        }
        // ---- three-register ALU ----------------------------------------------------------------
        Add | Addu | Sub | Subu | And | Or | Xor | Nor | Slt | Sltu | Dadd | Daddu | Dsub
        | Dsubu => {
            let rs = o.reg(rs_i);
            let rt = o.reg(rt_i);
            let v = alu(o, i.op, rs, rt);
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        Addi | Addiu | Slti | Sltiu | Daddi | Daddiu | Andi | Ori | Xori => {
            let rs = o.reg(rs_i);
            let imm = if matches!(i.op, Andi | Ori | Xori) {
                u64::from(i.imm())
            } else {
                A::sext(u64::from(i.imm()), 16)
            };
            let imm = o.konst(imm);
            let op = match i.op {
                Addi => Add,
                Addiu => Addu,
                Slti => Slt,
                Sltiu => Sltu,
                Daddi => Dadd,
                Daddiu => Daddu,
                Andi => And,
                Ori => Or,
                _ => Xor,
            };
            let v = alu(o, op, rs, imm);
            wb(o, rt_i, v);
            Ok(Flow::Seq)
        }
        Lui => {
            let v = o.konst(A::sext(u64::from(i.imm()) << 16, 32));
            wb(o, rt_i, v);
            Ok(Flow::Seq)
        }
        // ---- 64-bit shifts by immediate -------------------------------------------------------
        Dsll | Dsrl | Dsra | Dsll32 | Dsrl32 | Dsra32 => {
            let rt = o.reg(rt_i);
            let extra = if matches!(i.op, Dsll32 | Dsrl32 | Dsra32) {
                32
            } else {
                0
            };
            let sa = o.konst(u64::from(i.sa()) + extra);
            let op = match i.op {
                Dsll | Dsll32 => Bin::Shl,
                Dsrl | Dsrl32 => Bin::Shr,
                _ => Bin::Sar,
            };
            let v = o.bin(op, rt, sa);
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        // ---- SPECIAL2 --------------------------------------------------------------------------
        Mul => {
            let rs = o.reg(rs_i);
            let rt = o.reg(rt_i);
            let p = o.bin(Bin::Mul, rs, rt);
            let v = o.un(Un::Sext32, p);
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        Clz | Clo | Dclz | Dclo => {
            let mut rs = o.reg(rs_i);
            if matches!(i.op, Clo | Dclo) {
                rs = o.un(Un::Not, rs); // leading ones = leading zeros of the complement
            }
            let v = o.un(
                if matches!(i.op, Clz | Clo) {
                    Un::Clz32
                } else {
                    Un::Clz
                },
                rs,
            );
            wb(o, rd_i, v);
            Ok(Flow::Seq)
        }
        // ---- HI/LO group: after every op here, rd (if non-zero) receives mfhi/mflo's value, the
        // d*v shift result, or 0 (a quirk of Cannon's HandleHiLo). -------------------------------
        Mfhi | Mthi | Mflo | Mtlo | Mult | Multu | Div | Divu | Dmult | Dmultu | Ddiv | Ddivu
        | Dsllv | Dsrlv | Dsrav => {
            let rs = o.reg(rs_i);
            let rt = o.reg(rt_i);
            let val = hilo::<A, O>(o, i.op, rs, rt)?;
            if rd_i != 0 {
                let v = match val {
                    Some(v) => v,
                    None => o.konst(0),
                };
                o.set_reg(rd_i, v);
            }
            Ok(Flow::Seq)
        }
        // ---- loads and stores --------------------------------------------------------------------
        Lb | Lh | Lwl | Lw | Lbu | Lhu | Lwr | Lwu | Ld | Ldl | Ldr | Sb | Sh | Swl | Sw | Swr
        | Sd | Sdl | Sdr => {
            let base = o.reg(rs_i);
            let off = o.konst(A::sext(u64::from(i.imm()), 16));
            let vaddr = o.bin(Bin::Add, base, off);
            let amask = o.konst(!(A::BYTES - 1));
            let addr = o.bin(Bin::And, vaddr, amask);
            let rt = o.reg(rt_i);
            let mem = o.load(addr);
            if let Some(v) = load_value::<A, O>(o, i.op, vaddr, mem, rt) {
                wb(o, rt_i, v);
            } else {
                let v = store_value::<A, O>(o, i.op, vaddr, mem, rt);
                o.store(addr, v);
            }
            Ok(Flow::Seq)
        }
        Syscall | Ll | Sc | Lld | Scd => {
            unreachable!("{} is executed by the VM, not by execute()", i)
        }
        Invalid => Err(Fault::InvalidInstruction),
    }
}

/// True for the instructions [`execute`] handles (everything but syscalls and LL/SC).
pub fn is_core(op: Op) -> bool {
    !matches!(op, Op::Syscall | Op::Ll | Op::Sc | Op::Lld | Op::Scd)
}

#[inline(always)]
fn wb<O: Ops>(o: &mut O, r: u8, v: O::V) {
    if r != 0 {
        o.set_reg(r, v);
    }
}

#[inline(always)]
fn link<O: Ops>(o: &mut O, r: u8) {
    let pc = o.pc();
    let eight = o.konst(8);
    let v = o.bin(Bin::Add, pc, eight);
    o.set_reg(r, v);
}

/// A branch or jump is invalid in a delay slot, i.e. when NextPC != PC + 4.
#[inline(always)]
fn delay_slot_check<O: Ops>(o: &mut O, fault: Fault) -> Result<(), Fault> {
    let pc = o.pc();
    let np = o.next_pc();
    let four = o.konst(4);
    let seq = o.bin(Bin::Add, pc, four);
    let c = o.bin(Bin::Ne, np, seq);
    o.trap_if(c, fault)
}

/// sll/srl/sra on the low 32 bits of `rt`, sign-extending the 32-bit result.
#[inline(always)]
fn shift32<O: Ops>(o: &mut O, op: Op, rt: O::V, sa: O::V) -> O::V {
    let r = match op {
        Op::Sll => o.bin(Bin::Shl, rt, sa),
        Op::Srl => {
            let lo = o.un(Un::Zext32, rt);
            o.bin(Bin::Shr, lo, sa)
        }
        _ => {
            let lo = o.un(Un::Sext32, rt);
            o.bin(Bin::Sar, lo, sa)
        }
    };
    o.un(Un::Sext32, r)
}

#[inline(always)]
fn alu<O: Ops>(o: &mut O, op: Op, rs: O::V, rt: O::V) -> O::V {
    use Op::*;
    match op {
        // 32-bit arithmetic, sign-extended; overflow never traps.
        Add | Addu => {
            let s = o.bin(Bin::Add, rs, rt);
            o.un(Un::Sext32, s)
        }
        Sub | Subu => {
            let s = o.bin(Bin::Sub, rs, rt);
            o.un(Un::Sext32, s)
        }
        Dadd | Daddu => o.bin(Bin::Add, rs, rt),
        Dsub | Dsubu => o.bin(Bin::Sub, rs, rt),
        And => o.bin(Bin::And, rs, rt),
        Or => o.bin(Bin::Or, rs, rt),
        Xor => o.bin(Bin::Xor, rs, rt),
        Nor => {
            let v = o.bin(Bin::Or, rs, rt);
            o.un(Un::Not, v)
        }
        Slt => o.bin(Bin::LtS, rs, rt),
        Sltu => o.bin(Bin::LtU, rs, rt),
        _ => unreachable!("not an ALU op: {op:?}"),
    }
}

/// The HI/LO group. Returns the value rd receives, `None` meaning 0.
#[inline(always)]
fn hilo<A: Arch, O: Ops>(o: &mut O, op: Op, rs: O::V, rt: O::V) -> Result<Option<O::V>, Fault> {
    use Op::*;
    match op {
        Mfhi => return Ok(Some(o.hi())),
        Mflo => return Ok(Some(o.lo())),
        Mthi => o.set_hi(rs),
        Mtlo => o.set_lo(rs),
        Mult | Multu => {
            if A::IS_64 {
                // 32 x 32 -> 64-bit product of the low words; each half sign-extended.
                let ext = if op == Mult { Un::Sext32 } else { Un::Zext32 };
                let a = o.un(ext, rs);
                let b = o.un(ext, rt);
                let p = o.bin(Bin::Mul, a, b);
                let sh = o.konst(32);
                let h = o.bin(Bin::Shr, p, sh);
                let hi = o.un(Un::Sext32, h);
                let lo = o.un(Un::Sext32, p);
                o.set_hi(hi);
                o.set_lo(lo);
            } else {
                let (hi, lo) = o.mul_wide(op == Mult, rs, rt);
                o.set_hi(hi);
                o.set_lo(lo);
            }
        }
        Div | Divu => {
            let zero = o.konst(0);
            let rt32 = o.un(Un::Zext32, rt);
            let z = o.bin(Bin::Eq, rt32, zero);
            o.trap_if(z, Fault::DivideByZero)?;
            let ext = if op == Div { Un::Sext32 } else { Un::Zext32 };
            let a = o.un(ext, rs);
            let b = o.un(ext, rt);
            let (q, r) = o.div_rem(op == Div, a, b);
            let hi = o.un(Un::Sext32, r);
            let lo = o.un(Un::Sext32, q);
            o.set_hi(hi);
            o.set_lo(lo);
        }
        Dmult | Dmultu => {
            let (hi, lo) = o.mul_wide(op == Dmult, rs, rt);
            o.set_hi(hi);
            o.set_lo(lo);
        }
        Ddiv | Ddivu => {
            let zero = o.konst(0);
            let z = o.bin(Bin::Eq, rt, zero);
            o.trap_if(z, Fault::DivideByZero)?;
            let (q, r) = o.div_rem(op == Ddiv, rs, rt);
            o.set_hi(r);
            o.set_lo(q);
        }
        Dsllv | Dsrlv | Dsrav => {
            let m = o.konst(63);
            let sa = o.bin(Bin::And, rs, m);
            let bop = match op {
                Dsllv => Bin::Shl,
                Dsrlv => Bin::Shr,
                _ => Bin::Sar,
            };
            return Ok(Some(o.bin(bop, rt, sa)));
        }
        _ => unreachable!("not a HI/LO op: {op:?}"),
    }
    Ok(None)
}

/// Bit offset of a `len`-byte datum inside the word, from the low address bits (big-endian):
/// `(BYTES - len - (vaddr & (BYTES-1) & !(len-1))) * 8`.
#[inline(always)]
fn subword_shift<A: Arch, O: Ops>(o: &mut O, vaddr: O::V, len: u64) -> O::V {
    let m = o.konst((A::BYTES - 1) & !(len - 1));
    let idx = o.bin(Bin::And, vaddr, m);
    let three = o.konst(3);
    let bits = o.bin(Bin::Shl, idx, three);
    let top = o.konst((A::BYTES - len) * 8);
    o.bin(Bin::Sub, top, bits)
}

/// Selects the naturally aligned `len`-byte datum addressed by `vaddr` (unsigned).
#[inline(always)]
pub fn select_subword<A: Arch, O: Ops>(o: &mut O, vaddr: O::V, mem: O::V, len: u64) -> O::V {
    if len == A::BYTES {
        return mem;
    }
    let sh = subword_shift::<A, O>(o, vaddr, len);
    let v = o.bin(Bin::Shr, mem, sh);
    o.un(zext_for(len), v)
}

/// Replaces the naturally aligned `len`-byte datum addressed by `vaddr` with the low bytes of
/// `value`.
#[inline(always)]
pub fn update_subword<A: Arch, O: Ops>(
    o: &mut O,
    vaddr: O::V,
    mem: O::V,
    len: u64,
    value: O::V,
) -> O::V {
    if len == A::BYTES {
        return value;
    }
    let sh = subword_shift::<A, O>(o, vaddr, len);
    let dm = o.konst(u64::MAX >> (64 - 8 * len));
    let keep = o.bin(Bin::Shl, dm, sh);
    let keep = o.un(Un::Not, keep);
    let old = o.bin(Bin::And, mem, keep);
    let v = o.bin(Bin::And, value, dm);
    let v = o.bin(Bin::Shl, v, sh);
    o.bin(Bin::Or, old, v)
}

fn zext_for(len: u64) -> Un {
    match len {
        1 => Un::Zext8,
        2 => Un::Zext16,
        _ => Un::Zext32,
    }
}

fn sext_for(len: u64) -> Un {
    match len {
        1 => Un::Sext8,
        2 => Un::Sext16,
        _ => Un::Sext32,
    }
}

/// `(vaddr & 3) * 8`, the byte shift of the unaligned word loads/stores.
#[inline(always)]
fn k_bits<O: Ops>(o: &mut O, vaddr: O::V, low: u64) -> O::V {
    let m = o.konst(low);
    let k = o.bin(Bin::And, vaddr, m);
    let three = o.konst(3);
    o.bin(Bin::Shl, k, three)
}

/// The register value of a load, or `None` for a store.
#[inline(always)]
fn load_value<A: Arch, O: Ops>(
    o: &mut O,
    op: Op,
    vaddr: O::V,
    mem: O::V,
    rt: O::V,
) -> Option<O::V> {
    use Op::*;
    let v = match op {
        Lb | Lh | Lw => {
            let len = match op {
                Lb => 1,
                Lh => 2,
                _ => 4,
            };
            let v = select_subword::<A, O>(o, vaddr, mem, len);
            o.un(sext_for(len), v)
        }
        Lbu | Lhu | Lwu => {
            let len = match op {
                Lbu => 1,
                Lhu => 2,
                _ => 4,
            };
            select_subword::<A, O>(o, vaddr, mem, len)
        }
        Ld => mem,
        Lwl => {
            // rt with its top (4-k) bytes of the low word replaced by w << 8k; sign-extended.
            let w = select_subword::<A, O>(o, vaddr, mem, 4);
            let sh = k_bits(o, vaddr, 3);
            let val = o.bin(Bin::Shl, w, sh);
            let val = o.un(Un::Zext32, val);
            let ones = o.konst(0xFFFF_FFFF);
            let m = o.bin(Bin::Shl, ones, sh);
            let m = o.un(Un::Zext32, m);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, rt, nm);
            let r = o.bin(Bin::Or, keep, val);
            o.un(Un::Sext32, r)
        }
        Lwr => {
            // rt with its low (k+1) bytes replaced by w >> (24 - 8k). On cannon64 the upper
            // word of rt is kept unless k == 3, when the result is sign-extended.
            let w = select_subword::<A, O>(o, vaddr, mem, 4);
            let kb = k_bits(o, vaddr, 3);
            let c24 = o.konst(24);
            let sh = o.bin(Bin::Sub, c24, kb);
            let val = o.bin(Bin::Shr, w, sh);
            let ones = o.konst(0xFFFF_FFFF);
            let m = o.bin(Bin::Shr, ones, sh);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, rt, nm);
            let r32 = o.bin(Bin::Or, keep, val);
            if A::IS_64 {
                let r32 = o.un(Un::Zext32, r32);
                let sext = o.un(Un::Sext32, r32);
                let upper = o.konst(0xFFFF_FFFF_0000_0000);
                let up = o.bin(Bin::And, rt, upper);
                let kept = o.bin(Bin::Or, up, r32);
                let three = o.konst(3);
                let km = o.bin(Bin::And, vaddr, three);
                let is3 = o.bin(Bin::Eq, km, three);
                o.select(is3, sext, kept)
            } else {
                r32
            }
        }
        Ldl => {
            let sl = k_bits(o, vaddr, 7);
            let val = o.bin(Bin::Shl, mem, sl);
            let ones = o.konst(u64::MAX);
            let m = o.bin(Bin::Shl, ones, sl);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, rt, nm);
            o.bin(Bin::Or, val, keep)
        }
        Ldr => {
            let kb = k_bits(o, vaddr, 7);
            let c56 = o.konst(56);
            let sr = o.bin(Bin::Sub, c56, kb);
            let val = o.bin(Bin::Shr, mem, sr);
            // keep rt's top `sr` bits: !(ones >> sr) (0 when sr == 0)
            let ones = o.konst(u64::MAX);
            let low = o.bin(Bin::Shr, ones, sr);
            let m = o.un(Un::Not, low);
            let keep = o.bin(Bin::And, rt, m);
            o.bin(Bin::Or, val, keep)
        }
        _ => return None,
    };
    Some(v)
}

/// The new memory word of a store.
#[inline(always)]
fn store_value<A: Arch, O: Ops>(o: &mut O, op: Op, vaddr: O::V, mem: O::V, rt: O::V) -> O::V {
    use Op::*;
    match op {
        Sb => update_subword::<A, O>(o, vaddr, mem, 1, rt),
        Sh => update_subword::<A, O>(o, vaddr, mem, 2, rt),
        Sw => update_subword::<A, O>(o, vaddr, mem, 4, rt),
        Sd => rt,
        Swl => {
            // the selected 4-byte half gets its low (4-k) bytes replaced by rt32 >> 8k
            let sr = k_bits(o, vaddr, 3);
            let rt32 = o.un(Un::Zext32, rt);
            let val = o.bin(Bin::Shr, rt32, sr);
            let ones = o.konst(0xFFFF_FFFF);
            let m = o.bin(Bin::Shr, ones, sr);
            let (val, m) = if A::IS_64 {
                // position within the doubleword: shift left by 32 - ((vaddr & 4) << 3)
                let four = o.konst(4);
                let half = o.bin(Bin::And, vaddr, four);
                let three = o.konst(3);
                let hb = o.bin(Bin::Shl, half, three);
                let c32 = o.konst(32);
                let pos = o.bin(Bin::Sub, c32, hb);
                (o.bin(Bin::Shl, val, pos), o.bin(Bin::Shl, m, pos))
            } else {
                (val, m)
            };
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, mem, nm);
            o.bin(Bin::Or, keep, val)
        }
        Swr => {
            // the selected 4-byte half gets its top (k+1) bytes replaced by rt << (24 - 8k)
            let w = select_subword::<A, O>(o, vaddr, mem, 4);
            let kb = k_bits(o, vaddr, 3);
            let c24 = o.konst(24);
            let sl = o.bin(Bin::Sub, c24, kb);
            let val = o.bin(Bin::Shl, rt, sl);
            let val = o.un(Un::Zext32, val);
            let ones = o.konst(0xFFFF_FFFF);
            let m = o.bin(Bin::Shl, ones, sl);
            let m = o.un(Un::Zext32, m);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, w, nm);
            let r = o.bin(Bin::Or, keep, val);
            update_subword::<A, O>(o, vaddr, mem, 4, r)
        }
        Sdl => {
            let sr = k_bits(o, vaddr, 7);
            let val = o.bin(Bin::Shr, rt, sr);
            let ones = o.konst(u64::MAX);
            let m = o.bin(Bin::Shr, ones, sr);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, mem, nm);
            o.bin(Bin::Or, val, keep)
        }
        Sdr => {
            let kb = k_bits(o, vaddr, 7);
            let c56 = o.konst(56);
            let sl = o.bin(Bin::Sub, c56, kb);
            let val = o.bin(Bin::Shl, rt, sl);
            let ones = o.konst(u64::MAX);
            let m = o.bin(Bin::Shl, ones, sl);
            let nm = o.un(Un::Not, m);
            let keep = o.bin(Bin::And, mem, nm);
            o.bin(Bin::Or, val, keep)
        }
        _ => unreachable!("not a store: {op:?}"),
    }
}
