//! Lowering of Cannon's instruction semantics to Cranelift IR: [`JitOps`] implements the
//! interpreter's primitive vocabulary ([`interp::ops::Ops`]) on IR values, so a block is
//! translated by running the *same* [`interp::semantics::execute`] the interpreter runs, once per
//! instruction, with `JitOps` instead of concrete words. Nothing here knows MIPS: it knows word
//! arithmetic, the context layout, the page cache and how to leave compiled code.
//!
//! Values known at translation time stay constants ([`JV::K`]) and are folded with the
//! interpreter's own evaluation functions (`interp::ops::eval_*`), so constant folding cannot
//! disagree with the interpreter either.

use super::ctx::{self, TLB_SIZE};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, InstBuilder, MemFlagsData, SigRef, Value};
use cranelift_frontend::{FunctionBuilder, Variable};
use interp::arch::Arch;
use interp::decode::{RegSet, REG_HI, REG_LO};
use interp::error::Fault;
use interp::ops::{eval_bin, eval_div_rem, eval_mul_wide, eval_un};
use interp::ops::{Bin, Ops, Un};
use std::marker::PhantomData;

/// A value during lowering: a translation-time constant or an IR value (always `i64`; on the
/// 32-bit VM the upper half is zero, exactly like the interpreter's words).
#[derive(Clone, Copy, Debug)]
pub enum JV {
    /// Known constant (already truncated to the word width).
    K(u64),
    /// Run-time value.
    V(Value),
}

/// Helper functions compiled code calls, by index in `JitCtx::helpers` (see
/// [`super::helpers`]): `load(ctx, addr) -> word` (page-cache miss on a load),
/// `store(ctx, addr, word) -> code_written` (miss on a store, or a store to the page of the LL
/// reservation). Their signatures are imported once per function.
#[derive(Clone, Copy)]
pub struct Helpers {
    /// Signature of each helper.
    pub sigs: [SigRef; super::helpers::COUNT],
}

/// Where a side exit leaves the guest.
#[derive(Clone, Copy)]
pub enum ExitPc {
    /// Fixed PC and NextPC.
    Fixed(u64, u64),
    /// PC fixed, NextPC computed (inside a delay slot).
    Slot(u64, Value),
    /// PC computed, NextPC = PC + 4 (after a delay slot).
    After(Value),
}

/// Lowering state for one block.
pub struct JitOps<'a, 'b, A: Arch> {
    /// The function under construction.
    pub b: &'a mut FunctionBuilder<'b>,
    /// `*mut JitCtx`.
    pub ctx: Value,
    /// Variables for r0..r31, HI (32), LO (33).
    pub vars: &'a [Variable; 34],
    /// Index of the instruction being lowered (steps before it in this block).
    pub index: u64,
    /// Its PC.
    pub pc: u64,
    /// Where a side exit before this instruction resumes.
    pub exit_here: ExitPc,
    /// Where an exit after this instruction resumes.
    pub exit_after: ExitPc,
    /// Helper functions.
    pub helpers: Helpers,
    /// Registers the region reads but never writes (bit `r`; HI and LO are 32 and 33): read
    /// from the context at each use instead of living in a variable for the whole region,
    /// which keeps them out of the register allocator's way (see [`JitOps::read_only`]).
    readonly: RegSet,
    /// Page-cache base pointers, loaded once at function entry: read tags, read data, write
    /// tags, write data.
    pub bases: Option<[Value; 4]>,
    /// Side-exit blocks to fill in after the body: (block, steps done in the block, exit pc,
    /// exit code). Every exit writes back all registers the region may write.
    pub exits: Vec<(Block, u64, ExitPc, u64)>,
    _arch: PhantomData<A>,
}

/// Context offsets of the pointers in [`JitOps::bases`], in order.
const BASE_OFFSETS: [usize; 4] = [ctx::TLB_TAGS, ctx::TLB_DATA, ctx::WTLB_TAGS, ctx::WTLB_DATA];

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'a, 'b, A: Arch> JitOps<'a, 'b, A> {
    /// Calls helper `i` through the context's helper table.
    /// Calls helper `i` (through its `preserve_all` wrapper, see [`super::helpers`]); returns
    /// its result when it has one.
    fn call_helper(&mut self, i: usize, args: &[Value]) -> Option<Value> {
        let f = self.b.ins().load(
            types::I64,
            trusted(),
            self.ctx,
            (ctx::HELPERS + 8 * i) as i32,
        );
        self.b.ins().call_indirect(self.helpers.sigs[i], f, args);
        super::helpers::returns(i).then(|| {
            self.b
                .ins()
                .load(types::I64, trusted(), self.ctx, ctx::HELPER_RET as i32)
        })
    }

    /// Starts lowering a block.
    pub fn new(
        b: &'a mut FunctionBuilder<'b>,
        ctx: Value,
        vars: &'a [Variable; 34],
        helpers: Helpers,
    ) -> Self {
        JitOps {
            b,
            ctx,
            vars,
            index: 0,
            pc: 0,
            exit_here: ExitPc::Fixed(0, 4),
            exit_after: ExitPc::Fixed(4, 8),
            helpers,
            readonly: 0,
            bases: None,
            exits: Vec::new(),
            _arch: PhantomData,
        }
    }

    /// Declares the registers the region never writes: they are loaded from the context where
    /// they are read (their context slots cannot change while the region runs), and need no
    /// variable or write-back.
    pub fn read_only(&mut self, regs: RegSet) {
        self.readonly = regs;
    }

    /// Guest register `r` (HI, LO as 32, 33).
    fn read_reg(&mut self, r: usize) -> JV {
        if self.readonly & (1 << r) != 0 {
            let off = ctx::reg_slot(r) as i32;
            return JV::V(self.b.ins().load(types::I64, trusted(), self.ctx, off));
        }
        JV::V(self.b.use_var(self.vars[r]))
    }

    /// The IR value of `v`.
    pub fn val(&mut self, v: JV) -> Value {
        match v {
            JV::K(k) => self.b.ins().iconst(types::I64, k as i64),
            JV::V(v) => v,
        }
    }

    fn mask(&mut self, v: Value) -> Value {
        if A::IS_64 {
            v
        } else {
            self.b.ins().band_imm_s(v, 0xFFFF_FFFF)
        }
    }

    /// The word as a signed 64-bit value (sign-extended from bit 31 on the 32-bit VM).
    fn signed(&mut self, v: Value) -> Value {
        if A::IS_64 {
            v
        } else {
            let r = self.b.ins().ireduce(types::I32, v);
            self.b.ins().sextend(types::I64, r)
        }
    }

    fn bool_to_word(&mut self, c: Value) -> JV {
        JV::V(self.b.ins().uextend(types::I64, c))
    }

    /// A new side exit taken when `cond` is non-zero; control continues in a fresh block.
    fn side_exit_if(&mut self, cond: Value, steps: u64, at: ExitPc, code: u64) {
        let exit = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(cond, exit, &[], cont, &[]);
        self.b.seal_block(cont);
        self.exits.push((exit, steps, at, code));
        self.b.switch_to_block(cont);
    }

    /// Loads the page-cache base pointers (call once, in the entry block).
    pub fn load_bases(&mut self) {
        self.bases = Some(
            BASE_OFFSETS.map(|o| self.b.ins().load(types::I64, trusted(), self.ctx, o as i32)),
        );
    }

    fn base(&mut self, k: usize) -> Value {
        match self.bases {
            Some(b) => b[k],
            None => self
                .b
                .ins()
                .load(types::I64, trusted(), self.ctx, BASE_OFFSETS[k] as i32),
        }
    }

    /// Counts the fetch of the instruction at `pc` as an instruction-cache miss in the VM's
    /// statistics (emitted only where `interp::vm::icache_miss` says the fetch is one).
    pub fn count_icache_miss(&mut self, pc: u64) {
        let stats = self
            .b
            .ins()
            .load(types::I64, trusted(), self.ctx, ctx::STATS_PTR as i32);
        let n = self.b.ins().load(
            types::I64,
            trusted(),
            stats,
            ctx::STATS_ICACHE_MISSES as i32,
        );
        let n = self.b.ins().iadd_imm_s(n, 1);
        self.b
            .ins()
            .store(trusted(), n, stats, ctx::STATS_ICACHE_MISSES as i32);
        let h = self.b.ins().load(
            types::I64,
            trusted(),
            stats,
            ctx::STATS_HIGHEST_ICACHE_MISS as i32,
        );
        let pcv = self.b.ins().iconst(types::I64, pc as i64);
        let h = self.b.ins().umax(h, pcv);
        self.b
            .ins()
            .store(trusted(), h, stats, ctx::STATS_HIGHEST_ICACHE_MISS as i32);
    }

    /// Page-cache lookup: returns (hit, data pointer of the page) for `addr`.
    fn tlb(&mut self, addr: Value, write: bool) -> (Value, Value) {
        let page = self.b.ins().ushr_imm_s(addr, 12);
        let slot = self.b.ins().band_imm_s(page, (TLB_SIZE - 1) as i64);
        let off = self.b.ins().ishl_imm_s(slot, 3);
        let k = if write { 2 } else { 0 };
        let tags = self.base(k);
        let datas = self.base(k + 1);
        let ta = self.b.ins().iadd(tags, off);
        let tag = self.b.ins().load(types::I64, trusted(), ta, 0);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, page);
        let da = self.b.ins().iadd(datas, off);
        (hit, da)
    }

    fn word_ptr(&mut self, data_slot: Value, addr: Value) -> Value {
        let base = self.b.ins().load(types::I64, trusted(), data_slot, 0);
        let off = self.b.ins().band_imm_s(addr, 0xFFF);
        self.b.ins().iadd(base, off)
    }
}

impl<A: Arch> Ops for JitOps<'_, '_, A> {
    type V = JV;

    fn konst(&mut self, x: u64) -> JV {
        JV::K(A::mask(x))
    }

    fn reg(&mut self, r: u8) -> JV {
        self.read_reg(r as usize)
    }

    fn set_reg(&mut self, r: u8, v: JV) {
        let v = self.val(v);
        self.b.def_var(self.vars[r as usize], v);
    }

    fn hi(&mut self) -> JV {
        self.read_reg(REG_HI as usize)
    }

    fn lo(&mut self) -> JV {
        self.read_reg(REG_LO as usize)
    }

    fn set_hi(&mut self, v: JV) {
        let v = self.val(v);
        self.b.def_var(self.vars[REG_HI as usize], v);
    }

    fn set_lo(&mut self, v: JV) {
        let v = self.val(v);
        self.b.def_var(self.vars[REG_LO as usize], v);
    }

    fn pc(&mut self) -> JV {
        JV::K(self.pc)
    }

    fn next_pc(&mut self) -> JV {
        // Control instructions are only compiled outside delay slots, where NextPC = PC + 4.
        JV::K(A::next_insn(self.pc))
    }

    fn bin(&mut self, op: Bin, a: JV, b: JV) -> JV {
        if let (JV::K(x), JV::K(y)) = (a, b) {
            return JV::K(eval_bin::<A>(op, x, y));
        }
        // identities with a zero operand (every value is a masked word, so `x + 0` is `x` on
        // both word sizes): Go code is full of them (moves are `or rd, zero, rs`, 32-bit
        // results are sign-extended through `sll rd, rt, 0`), and Cranelift, which runs
        // without its optimizer here, would emit each one
        use Bin::*;
        match (op, a, b) {
            (Add | Sub | Or | Xor | Shl | Shr | Sar, v @ JV::V(_), JV::K(0))
            | (Add | Or | Xor, JV::K(0), v @ JV::V(_)) => return v,
            (And | Mul, _, JV::K(0)) | (And | Mul, JV::K(0), _) => return JV::K(0),
            _ => {}
        }
        let (x, y) = (self.val(a), self.val(b));
        let r = match op {
            Bin::Add => self.b.ins().iadd(x, y),
            Bin::Sub => self.b.ins().isub(x, y),
            Bin::Mul => self.b.ins().imul(x, y),
            Bin::And => return JV::V(self.b.ins().band(x, y)),
            Bin::Or => return JV::V(self.b.ins().bor(x, y)),
            Bin::Xor => return JV::V(self.b.ins().bxor(x, y)),
            Bin::Shl => self.b.ins().ishl(x, y),
            Bin::Shr => return JV::V(self.b.ins().ushr(x, y)),
            Bin::Sar => {
                let s = self.signed(x);
                self.b.ins().sshr(s, y)
            }
            Bin::Eq | Bin::Ne | Bin::LtU => {
                let cc = match op {
                    Bin::Eq => IntCC::Equal,
                    Bin::Ne => IntCC::NotEqual,
                    _ => IntCC::UnsignedLessThan,
                };
                let c = self.b.ins().icmp(cc, x, y);
                return self.bool_to_word(c);
            }
            Bin::LtS => {
                let (sx, sy) = (self.signed(x), self.signed(y));
                let c = self.b.ins().icmp(IntCC::SignedLessThan, sx, sy);
                return self.bool_to_word(c);
            }
        };
        JV::V(self.mask(r))
    }

    fn un(&mut self, op: Un, a: JV) -> JV {
        if let JV::K(x) = a {
            return JV::K(eval_un::<A>(op, x));
        }
        let x = self.val(a);
        let r = match op {
            Un::Not => {
                let n = self.b.ins().bnot(x);
                self.mask(n)
            }
            Un::Sext8 | Un::Sext16 | Un::Sext32 => {
                let ty = match op {
                    Un::Sext8 => types::I8,
                    Un::Sext16 => types::I16,
                    _ => types::I32,
                };
                let n = self.b.ins().ireduce(ty, x);
                let e = self.b.ins().sextend(types::I64, n);
                self.mask(e)
            }
            Un::Zext8 => self.b.ins().band_imm_s(x, 0xFF),
            Un::Zext16 => self.b.ins().band_imm_s(x, 0xFFFF),
            Un::Zext32 => self.b.ins().band_imm_s(x, 0xFFFF_FFFF),
            Un::Clz if A::IS_64 => self.b.ins().clz(x),
            Un::Clz | Un::Clz32 => {
                let n = self.b.ins().ireduce(types::I32, x);
                let c = self.b.ins().clz(n);
                self.b.ins().uextend(types::I64, c)
            }
        };
        JV::V(r)
    }

    fn select(&mut self, c: JV, t: JV, f: JV) -> JV {
        if let JV::K(k) = c {
            return if k != 0 { t } else { f };
        }
        let (c, t, f) = (self.val(c), self.val(t), self.val(f));
        JV::V(self.b.ins().select(c, t, f))
    }

    fn mul_wide(&mut self, signed: bool, a: JV, b: JV) -> (JV, JV) {
        if let (JV::K(x), JV::K(y)) = (a, b) {
            let (h, l) = eval_mul_wide::<A>(signed, x, y);
            return (JV::K(h), JV::K(l));
        }
        let (x, y) = (self.val(a), self.val(b));
        if A::IS_64 {
            let hi = if signed {
                self.b.ins().smulhi(x, y)
            } else {
                self.b.ins().umulhi(x, y)
            };
            let lo = self.b.ins().imul(x, y);
            (JV::V(hi), JV::V(lo))
        } else {
            let (x, y) = if signed {
                (self.signed(x), self.signed(y))
            } else {
                (x, y)
            };
            let p = self.b.ins().imul(x, y);
            let h = self.b.ins().ushr_imm_s(p, 32);
            let h = self.mask(h);
            let l = self.mask(p);
            (JV::V(h), JV::V(l))
        }
    }

    fn div_rem(&mut self, signed: bool, a: JV, b: JV) -> (JV, JV) {
        if let (JV::K(x), JV::K(y)) = (a, b) {
            let (q, r) = eval_div_rem::<A>(signed, x, y);
            return (JV::K(q), JV::K(r));
        }
        let (x, y) = (self.val(a), self.val(b));
        // A zero divisor has already left compiled code (trap_if); MIN / -1 must wrap instead of
        // trapping the host, so divide by 1 there and fix the quotient up.
        let one = self.b.ins().iconst(types::I64, 1);
        let zero = self.b.ins().iconst(types::I64, 0);
        let is_zero = self.b.ins().icmp(IntCC::Equal, y, zero);
        if signed {
            let (sx, sy) = (self.signed(x), self.signed(y));
            let m1 = self.b.ins().iconst(types::I64, -1);
            let is_m1 = self.b.ins().icmp(IntCC::Equal, sy, m1);
            let bad = self.b.ins().bor(is_m1, is_zero);
            let d = self.b.ins().select(bad, one, sy);
            let q = self.b.ins().sdiv(sx, d);
            let r = self.b.ins().srem(sx, d);
            let neg = self.b.ins().ineg(sx);
            let q = self.b.ins().select(is_m1, neg, q);
            let q = self.mask(q);
            let r = self.mask(r);
            (JV::V(q), JV::V(r))
        } else {
            let d = self.b.ins().select(is_zero, one, y);
            let q = self.b.ins().udiv(x, d);
            let r = self.b.ins().urem(x, d);
            (JV::V(q), JV::V(r))
        }
    }

    fn load(&mut self, addr: JV) -> JV {
        let a = self.val(addr);
        let (hit, slot) = self.tlb(a, false);
        let hit_b = self.b.create_block();
        let miss_b = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(hit, hit_b, &[], miss_b, &[]);
        self.b.seal_block(hit_b);
        self.b.seal_block(miss_b);

        self.b.switch_to_block(hit_b);
        let p = self.word_ptr(slot, a);
        let v = if A::IS_64 {
            let raw = self.b.ins().load(types::I64, trusted(), p, 0);
            self.b.ins().bswap(raw)
        } else {
            let raw = self.b.ins().load(types::I32, trusted(), p, 0);
            let w = self.b.ins().bswap(raw);
            self.b.ins().uextend(types::I64, w)
        };
        self.b.ins().jump(join, &[v.into()]);

        self.b.switch_to_block(miss_b);
        let r = self
            .call_helper(super::helpers::LOAD, &[self.ctx, a])
            .expect("load returns the word");
        self.b.ins().jump(join, &[r.into()]);

        self.b.seal_block(join);
        self.b.switch_to_block(join);
        JV::V(self.b.block_params(join)[0])
    }

    fn store(&mut self, addr: JV, v: JV) {
        let a = self.val(addr);
        let v = self.val(v);
        let (hit, slot) = self.tlb(a, true);
        let hit_b = self.b.create_block();
        let miss_b = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(hit, hit_b, &[], miss_b, &[]);
        self.b.seal_block(hit_b);
        self.b.seal_block(miss_b);

        self.b.switch_to_block(hit_b);
        let p = self.word_ptr(slot, a);
        if A::IS_64 {
            let be = self.b.ins().bswap(v);
            self.b.ins().store(trusted(), be, p, 0);
        } else {
            let w = self.b.ins().ireduce(types::I32, v);
            let be = self.b.ins().bswap(w);
            self.b.ins().store(trusted(), be, p, 0);
        }
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(miss_b);
        let code_written = self
            .call_helper(super::helpers::STORE, &[self.ctx, a, v])
            .expect("store returns whether it wrote code");
        // A store into a page holding compiled code: leave right after this instruction, so the
        // dispatcher drops the stale translations before anything else runs.
        let (after, steps) = (self.exit_after, self.index + 1);
        self.side_exit_if(code_written, steps, after, ctx::EXIT_CODE_WRITE);
        self.b.ins().jump(join, &[]);

        self.b.seal_block(join);
        self.b.switch_to_block(join);
        // A write to the reserved word clears the LL reservation (cannon-spec §9.6): the write
        // cache never holds the reserved word's page, so such stores take the helper, which
        // applies the rule.
    }

    fn trap_if(&mut self, c: JV, fault: Fault) -> Result<(), Fault> {
        let (here, steps) = (self.exit_here, self.index);
        match c {
            JV::K(0) => Ok(()),
            JV::K(_) => {
                // Always faults: leave before this instruction and let the interpreter report it.
                let exit = self.b.create_block();
                self.b.ins().jump(exit, &[]);
                self.exits.push((exit, steps, here, ctx::EXIT_INTERP));
                Err(fault)
            }
            JV::V(v) => {
                self.side_exit_if(v, steps, here, ctx::EXIT_INTERP);
                Ok(())
            }
        }
    }
}
