//! The interpreter's core: [`CoreOps`], the concrete implementation of [`Ops`] that executes
//! [`crate::semantics`] on words, and the fast loop over straight code that runs it without
//! leaving for the full step function.

use super::Stats;
use crate::arch::Arch;
use crate::decode::decode;
use crate::error::{Fault, Result};
use crate::memory::Memory;
use crate::ops::{eval_bin, eval_div_rem, eval_mul_wide, eval_un, Bin, Flow, Ops, Un};
use crate::semantics::{execute, is_core};
use crate::state::{Cpu, Reservation};
use crate::witness::Tracker;
use std::marker::PhantomData;

/// The interpreter's [`Ops`]: concrete words, registers of one [`Cpu`], memory, and the LL
/// reservation to clear on stores (cannon64 only).
pub struct CoreOps<'a, A: Arch> {
    /// Registers.
    pub cpu: &'a mut Cpu,
    /// Memory.
    pub mem: &'a mut Memory,
    /// Reservation cleared by stores to its word, and the invalidation counter (cannon64).
    pub ll: Option<(&'a mut Reservation, &'a mut u64)>,
    /// Access tracker for witnesses.
    pub track: &'a mut Tracker,
    _arch: PhantomData<A>,
}

impl<'a, A: Arch> CoreOps<'a, A> {
    /// Builds the interpreter's ops over one thread's registers.
    pub fn new(
        cpu: &'a mut Cpu,
        mem: &'a mut Memory,
        ll: Option<(&'a mut Reservation, &'a mut u64)>,
        track: &'a mut Tracker,
    ) -> Self {
        CoreOps {
            cpu,
            mem,
            ll,
            track,
            _arch: PhantomData,
        }
    }
}

impl<A: Arch> Ops for CoreOps<'_, A> {
    type V = u64;
    #[inline(always)]
    fn konst(&mut self, x: u64) -> u64 {
        A::mask(x)
    }
    #[inline(always)]
    fn reg(&mut self, r: u8) -> u64 {
        self.cpu.regs[r as usize]
    }
    #[inline(always)]
    fn set_reg(&mut self, r: u8, v: u64) {
        self.cpu.regs[r as usize] = v;
    }
    #[inline(always)]
    fn hi(&mut self) -> u64 {
        self.cpu.hi
    }
    #[inline(always)]
    fn lo(&mut self) -> u64 {
        self.cpu.lo
    }
    #[inline(always)]
    fn set_hi(&mut self, v: u64) {
        self.cpu.hi = v;
    }
    #[inline(always)]
    fn set_lo(&mut self, v: u64) {
        self.cpu.lo = v;
    }
    #[inline(always)]
    fn pc(&mut self) -> u64 {
        self.cpu.pc
    }
    #[inline(always)]
    fn next_pc(&mut self) -> u64 {
        self.cpu.next_pc
    }
    #[inline(always)]
    fn bin(&mut self, op: Bin, a: u64, b: u64) -> u64 {
        eval_bin::<A>(op, a, b)
    }
    #[inline(always)]
    fn un(&mut self, op: Un, a: u64) -> u64 {
        eval_un::<A>(op, a)
    }
    #[inline(always)]
    fn select(&mut self, c: u64, t: u64, f: u64) -> u64 {
        if c != 0 {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    fn mul_wide(&mut self, signed: bool, a: u64, b: u64) -> (u64, u64) {
        eval_mul_wide::<A>(signed, a, b)
    }
    #[inline(always)]
    fn div_rem(&mut self, signed: bool, a: u64, b: u64) -> (u64, u64) {
        eval_div_rem::<A>(signed, a, b)
    }
    #[inline(always)]
    fn load(&mut self, addr: u64) -> u64 {
        self.track.track(self.mem, addr);
        self.mem.load(addr, A::BYTES)
    }
    #[inline(always)]
    fn store(&mut self, addr: u64, v: u64) {
        self.track.track(self.mem, addr);
        self.mem.store(addr, A::BYTES, v);
        if let Some((ll, invalidations)) = self.ll.as_mut() {
            ll.on_write(addr, invalidations);
        }
    }
    #[inline(always)]
    fn trap_if(&mut self, c: u64, fault: Fault) -> Result<(), Fault> {
        if c != 0 {
            Err(fault)
        } else {
            Ok(())
        }
    }
}

/// Moves PC/NextPC after an instruction.
#[inline(always)]
pub fn apply_flow<A: Arch>(cpu: &mut Cpu, flow: Flow<u64>) {
    let np = cpu.next_pc;
    cpu.pc = np;
    cpu.next_pc = match flow {
        Flow::Seq => A::mask(np.wrapping_add(4)),
        Flow::Branch { cond, target } => {
            if cond != 0 {
                target
            } else {
                A::mask(np.wrapping_add(4))
            }
        }
        Flow::Jump { target } => target,
    };
}

/// End of the code region Go Cannon predecodes: on cannon64, fetching an instruction at or
/// above it counts as an instruction-cache miss in `--debug-info`.
pub const ICACHE_END: u64 = 0x0800_0000;

/// True if fetching the instruction at `pc` counts as an instruction-cache miss (every engine
/// counts every executed instruction's fetch with [`Stats::count_fetch`]).
#[inline(always)]
pub fn icache_miss(pc: u64, is64: bool) -> bool {
    is64 && pc >= ICACHE_END
}

/// Fetches the instruction at `pc` (the aligned 4-byte word; on cannon64 the selected half of
/// the doubleword, which is the same bytes).
#[inline(always)]
pub(crate) fn fetch(mem: &mut Memory, pc: u64) -> u32 {
    mem.load(pc, 4) as u32
}

/// Executes the core instruction `insn`, fetched at the current PC: counts the fetch, runs the
/// semantics and moves PC/NextPC. On a fault nothing is changed but the fetch count.
#[inline(always)]
pub(crate) fn exec_core<A: Arch>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    ll: Option<&mut Reservation>,
    tracker: &mut Tracker,
    stats: &mut Stats,
    insn: crate::decode::Insn,
) -> Result<(), Fault> {
    stats.count_fetch(cpu.pc, A::IS_64);
    let ll = ll.map(|r| (r, &mut stats.reservation_invalidations));
    let flow = execute::<A, _>(&mut CoreOps::<A>::new(cpu, mem, ll, tracker), insn)?;
    apply_flow::<A>(cpu, flow);
    Ok(())
}

/// How a run of core instructions ended.
pub(crate) enum CoreExit {
    /// The budget was used up.
    Budget,
    /// The next instruction is not a core instruction (syscall, LL/SC): the caller steps it.
    Special,
    /// The instruction at the current PC faults (nothing of it ran, it is not counted): the
    /// reference step takes it and reports the fault.
    Fault,
}

/// Executes up to `budget` core instructions on one thread without leaving the loop: the
/// interpreter's fast path. Returns the number executed and why it stopped; a syscall or LL/SC
/// is left unexecuted for the full step function. Semantics are exactly those of a step (the
/// scheduler can only act at quantum boundaries, which the budget excludes).
#[inline(always)]
pub(crate) fn core_loop<A: Arch>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    mut ll: Option<&mut Reservation>,
    tracker: &mut Tracker,
    stats: &mut Stats,
    budget: u64,
    one_block: bool,
) -> (u64, CoreExit) {
    let mut n = 0;
    let mut budget = budget;
    while n < budget {
        let pc = cpu.pc;
        if pc & 3 != 0 {
            return (n, CoreExit::Fault);
        }
        let word = fetch(mem, pc);
        let insn = decode(word, A::IS_64);
        if !is_core(insn.op) {
            return (n, CoreExit::Special); // the step function executes (and counts) it
        }
        if exec_core::<A>(cpu, mem, ll.as_deref_mut(), tracker, stats, insn).is_err() {
            return (n, CoreExit::Fault);
        }
        n += 1;
        if one_block && insn.is_control() {
            // stop after the delay slot
            budget = budget.min(n + 1);
        }
    }
    (n, CoreExit::Budget)
}
