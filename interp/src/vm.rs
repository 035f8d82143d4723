//! The reference VM: one step of single-threaded (v2) or multithreaded cannon64 (v7/v8) Cannon,
//! with syscalls, the scheduler and LL/SC (cannon-spec §7, §9.6, §10), and step witnesses (§4).
//!
//! Instruction semantics come from [`crate::semantics`], executed here through [`CoreOps`], the
//! interpreter's implementation of [`Ops`] on concrete words. What only the VM can do (syscalls,
//! reservations, threads, the oracle) is written here once, generic over the word size where the
//! 32- and 64-bit VMs share it.

use crate::arch::{Arch, Mips32, Mips64};
use crate::decode::{decode, Insn, Op};
use crate::error::{Error, Fault, Result, VmFault};
use crate::memory::Memory;
use crate::ops::{Bin, Flow, Ops, Un};
use crate::oracle::{Oracle, PreimageRead};
use crate::semantics::{execute, select_subword, update_subword};
use crate::state::{state_hash, Cpu, MtState, Reservation, StState, State, Thread, SCHED_QUANTUM};
use crate::version::VmVersion;
use alloy_primitives::B256;
use std::io::Write;
use std::marker::PhantomData;

/// Syscall numbers (cannon-spec §7.3, §7.4).
pub mod sys {
    #![allow(missing_docs)]
    pub const MMAP: u64 = 5009;
    pub const BRK: u64 = 5012;
    pub const CLONE: u64 = 5055;
    pub const EXIT_GROUP: u64 = 5205;
    pub const READ: u64 = 5000;
    pub const WRITE: u64 = 5001;
    pub const FCNTL: u64 = 5070;
    pub const GETTID: u64 = 5178;
    pub const EXIT: u64 = 5058;
    pub const FUTEX: u64 = 5194;
    pub const SCHED_YIELD: u64 = 5023;
    pub const NANOSLEEP: u64 = 5034;
    pub const OPEN: u64 = 5002;
    pub const CLOCK_GETTIME: u64 = 5222;
    pub const GETPID: u64 = 5038;
    pub const GETRANDOM: u64 = 5313;
    pub const EVENTFD2: u64 = 5284;
    /// cannon64 syscalls that do nothing but return 0.
    pub const NOOPS: [u64; 31] = [
        5011, 5010, 5196, 5027, 5014, 5129, 5013, 5297, 5003, 5016, 5004, 5005, 5247, 5087, 5257,
        5015, 5285, 5287, 5208, 5272, 5061, 5100, 5102, 5026, 5225, 5095, 5008, 5036, 5216, 5217,
        5220,
    ];
    pub const ST_MMAP: u64 = 4090;
    pub const ST_BRK: u64 = 4045;
    pub const ST_CLONE: u64 = 4120;
    pub const ST_EXIT_GROUP: u64 = 4246;
    pub const ST_READ: u64 = 4003;
    pub const ST_WRITE: u64 = 4004;
    pub const ST_FCNTL: u64 = 4055;
}

const EBADF: u64 = 9;
const EINVAL: u64 = 0x16;
const EAGAIN: u64 = 0xB;
const FD_EVENTFD: u64 = 100;
const CLONE_FLAGS: u64 = 0x50F00;
const FUTEX_WAIT_PRIVATE: u64 = 128;
const FUTEX_WAKE_PRIVATE: u64 = 129;
const HZ: u64 = 10_000_000;
/// Largest single write to stdout/stderr/hints we copy (a hostile count would exhaust the host).
const MAX_IO_WRITE: u64 = 1 << 28;

/// Data accesses of one step, for its witness.
#[derive(Debug, Default)]
pub struct Tracker {
    enabled: bool,
    mem_proof: Option<Vec<u8>>,
    mem_proof2: Option<Vec<u8>>,
}

impl Tracker {
    /// Records the step's data access at `addr` (the proof is taken against the current root).
    #[inline(always)]
    pub fn track(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled && self.mem_proof.is_none() {
            self.mem_proof = Some(mem.proof(addr));
        }
    }
    /// Records the second, adjacent data access (clock_gettime only).
    #[inline(always)]
    pub fn track2(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled && self.mem_proof2.is_none() {
            self.mem_proof2 = Some(mem.proof(addr));
        }
    }
}

/// The interpreter's [`Ops`]: concrete words, registers of one [`Cpu`], memory, and the LL
/// reservation to clear on stores (cannon64 only).
pub struct CoreOps<'a, A: Arch> {
    /// Registers.
    pub cpu: &'a mut Cpu,
    /// Memory.
    pub mem: &'a mut Memory,
    /// Reservation cleared by stores to its word (cannon64).
    pub ll: Option<&'a mut Reservation>,
    /// Access tracker for witnesses.
    pub track: &'a mut Tracker,
    _arch: PhantomData<A>,
}

impl<'a, A: Arch> CoreOps<'a, A> {
    /// Builds the interpreter's ops over one thread's registers.
    pub fn new(
        cpu: &'a mut Cpu,
        mem: &'a mut Memory,
        ll: Option<&'a mut Reservation>,
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
        if let Some(ll) = self.ll.as_deref_mut() {
            ll.on_write(addr);
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

/// Sets the syscall results and advances the PC.
#[inline(always)]
fn syscall_return<A: Arch>(cpu: &mut Cpu, v0: u64, v1: u64) {
    cpu.regs[2] = A::mask(v0);
    cpu.regs[7] = A::mask(v1);
    cpu.pc = cpu.next_pc;
    cpu.next_pc = A::mask(cpu.next_pc.wrapping_add(4));
}

/// Counters for `--debug-info` (Go's `mipsevm.DebugInfo`, where we can measure the same thing).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Successful sc/scd.
    pub rmw_success: u64,
    /// Failed sc/scd.
    pub rmw_fail: u64,
    /// Largest step distance from an ll to its sc.
    pub max_steps_between_ll_and_sc: u64,
    /// Step of the last ll.
    last_ll_step: u64,
    /// Reservations cleared by a write.
    pub reservation_invalidations: u64,
    /// Forced preemptions (quantum expired).
    pub forced_preemptions: u64,
    /// Steps thread 0 spent in futex waits / yields.
    pub idle_steps_thread0: u64,
    /// Instruction fetches outside Go Cannon's predecoded code region [0, 128 MiB).
    pub icache_misses: u64,
    /// Highest PC of such a fetch.
    pub highest_icache_miss_pc: u64,
}

/// End of the code region Go Cannon predecodes.
const ICACHE_END: u64 = 0x0800_0000;

/// Host-side effects of guest I/O.
pub struct Io {
    /// Guest stdout.
    pub stdout: Box<dyn Write + Send>,
    /// Guest stderr.
    pub stderr: Box<dyn Write + Send>,
}

impl std::fmt::Debug for Io {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Io")
    }
}

impl Io {
    /// Guest output to our stdout/stderr.
    pub fn inherit() -> Self {
        Io {
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
        }
    }
    /// Guest output discarded.
    pub fn sink() -> Self {
        Io {
            stdout: Box::new(std::io::sink()),
            stderr: Box::new(std::io::sink()),
        }
    }
}

/// The witness of one step (`--proof-at` output, cannon-spec §4).
#[derive(Debug, Clone)]
pub struct StepWitness {
    /// Pre-state step.
    pub step: u64,
    /// Pre-state hash.
    pub pre: B256,
    /// Post-state hash.
    pub post: B256,
    /// Pre-state witness.
    pub state_data: Vec<u8>,
    /// Proof data.
    pub proof_data: Vec<u8>,
    /// The preimage read by this step, when there was one with a non-zero key.
    pub preimage: Option<PreimageRead>,
}

/// A VM: a state plus everything a step needs from the host.
pub struct Vm {
    /// The state.
    pub state: State,
    /// Preimage oracle.
    pub oracle: Oracle,
    /// Guest output.
    pub io: Io,
    /// Statistics.
    pub stats: Stats,
    tracker: Tracker,
    /// Preimage read of the current step.
    last_read: Option<PreimageRead>,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("version", &self.state.version())
            .finish()
    }
}

struct Env<'a> {
    oracle: &'a mut Oracle,
    io: &'a mut Io,
    stats: &'a mut Stats,
    tracker: &'a mut Tracker,
    last_read: &'a mut Option<PreimageRead>,
    record_reads: bool,
}

impl Vm {
    /// A VM over `state`.
    pub fn new(state: State, oracle: Oracle, io: Io) -> Self {
        Vm {
            state,
            oracle,
            io,
            stats: Stats::default(),
            tracker: Tracker::default(),
            last_read: None,
        }
    }

    fn env(&mut self, record_reads: bool) -> (&mut State, Env<'_>) {
        (
            &mut self.state,
            Env {
                oracle: &mut self.oracle,
                io: &mut self.io,
                stats: &mut self.stats,
                tracker: &mut self.tracker,
                last_read: &mut self.last_read,
                record_reads,
            },
        )
    }

    /// Executes one step without a witness.
    pub fn step(&mut self) -> Result<()> {
        let (state, mut env) = self.env(false);
        match state {
            State::Mt(s) => mt_step(s, &mut env),
            State::St(s) => st_step(s, &mut env),
        }
    }

    /// Executes steps until `step == stop` or the VM exits.
    pub fn run_until(&mut self, stop: u64) -> Result<()> {
        let (state, mut env) = self.env(false);
        match state {
            State::Mt(s) => mt_run(s, &mut env, stop, false)?,
            State::St(s) => st_run(s, &mut env, stop, false)?,
        }
        Ok(())
    }

    /// Executes the current basic block (up to and including a branch's delay slot, or a
    /// syscall, LL/SC or scheduler step), but not past `step == stop`.
    pub fn run_block(&mut self, stop: u64) -> Result<()> {
        let (state, mut env) = self.env(false);
        match state {
            State::Mt(s) => mt_run(s, &mut env, stop, true),
            State::St(s) => st_run(s, &mut env, stop, true),
        }
    }

    /// Executes one step and returns its witness.
    pub fn step_with_proof(&mut self) -> Result<StepWitness> {
        let pre_step = self.state.step();
        let state_data = self.state.witness();
        let pre = state_hash(&state_data, self.state.exited(), self.state.exit_code());
        let pc = self.state.pc();
        let mut proof_data = match &self.state {
            State::Mt(s) => s.thread_proof(),
            State::St(_) => Vec::new(),
        };
        let insn_addr = pc & !3;
        proof_data.extend_from_slice(&self.state.memory_mut().proof(insn_addr));
        self.tracker = Tracker {
            enabled: true,
            ..Tracker::default()
        };
        self.last_read = None;
        let result = {
            let (state, mut env) = self.env(true);
            match state {
                State::Mt(s) => mt_step(s, &mut env),
                State::St(s) => st_step(s, &mut env),
            }
        };
        let tracker = std::mem::take(&mut self.tracker);
        result?;
        let proof_len = (self.state.memory().depth() as usize + 1) * 32;
        let zeros = vec![0u8; proof_len];
        proof_data.extend_from_slice(tracker.mem_proof.as_deref().unwrap_or(&zeros));
        if matches!(self.state, State::Mt(_)) {
            proof_data.extend_from_slice(tracker.mem_proof2.as_deref().unwrap_or(&zeros));
        }
        let post = self.state.hash();
        let preimage = self.last_read.take().filter(|r| r.key != B256::ZERO);
        Ok(StepWitness {
            step: pre_step,
            pre,
            post,
            state_data,
            proof_data,
            preimage,
        })
    }

    /// Takes the preimage read of the last step (for `--stop-at-preimage` checks).
    pub fn take_last_read(&mut self) -> Option<PreimageRead> {
        self.last_read.take()
    }

    /// Steps through the next instruction, recording preimage reads (slower than [`Vm::step`]).
    pub fn step_recording_reads(&mut self) -> Result<()> {
        self.last_read = None;
        let (state, mut env) = self.env(true);
        match state {
            State::Mt(s) => mt_step(s, &mut env),
            State::St(s) => st_step(s, &mut env),
        }
    }
}

/// Why a step stopped early: a guest fault (an invalid transition) or a host failure.
enum Stop {
    Fault(Fault),
    Host(Error),
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Self {
        Stop::Fault(f)
    }
}

impl Stop {
    fn at(self, step: u64, pc: u64, insn: u32) -> Error {
        match self {
            Stop::Fault(f) => fault_at(f, step, pc, insn),
            Stop::Host(e) => e,
        }
    }
}

fn fault_at(fault: Fault, step: u64, pc: u64, insn: u32) -> Error {
    Error::Fault(VmFault {
        fault,
        step,
        pc,
        insn,
    })
}

/// Fetches the instruction at `pc` (the aligned 4-byte word; on cannon64 the selected half of
/// the doubleword, which is the same bytes).
#[inline(always)]
fn fetch(mem: &mut Memory, pc: u64) -> u32 {
    mem.load(pc, 4) as u32
}

/// How a run of core instructions ended.
enum CoreExit {
    /// The budget was used up.
    Budget,
    /// The next instruction is not a core instruction (syscall, LL/SC): the caller steps it.
    Special,
    /// The instruction at the current PC faulted (not counted).
    Fault(Fault, u32),
}

/// Executes up to `budget` core instructions on one thread without leaving the loop: the
/// interpreter's fast path. Returns the number executed and why it stopped; a syscall or LL/SC
/// is left unexecuted for the full step function. Semantics are exactly those of a step (the
/// scheduler can only act at quantum boundaries, which the budget excludes).
#[inline(always)]
fn core_loop<A: Arch>(
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
            return (n, CoreExit::Fault(Fault::UnalignedPc, 0));
        }
        let word = fetch(mem, pc);
        let insn = decode(word, A::IS_64);
        if !crate::semantics::is_core(insn.op) {
            return (n, CoreExit::Special); // the step function executes (and counts) it
        }
        if A::IS_64 && pc >= ICACHE_END {
            stats.icache_misses += 1;
            stats.highest_icache_miss_pc = stats.highest_icache_miss_pc.max(pc);
        }
        let flow = {
            let mut o = CoreOps::<A>::new(cpu, mem, ll.as_deref_mut(), tracker);
            execute::<A, _>(&mut o, insn)
        };
        match flow {
            Ok(f) => apply_flow::<A>(cpu, f),
            Err(f) => return (n, CoreExit::Fault(f, word)),
        }
        n += 1;
        if one_block && insn.is_control() {
            // stop after the delay slot
            budget = budget.min(n + 1);
        }
    }
    (n, CoreExit::Budget)
}

// ------------------------------------------------------------------------------------------------
// cannon64 multithreaded
// ------------------------------------------------------------------------------------------------

/// Runs until `step == stop` or exit, using [`core_loop`] between scheduler events. With
/// `one_block`, returns after the current basic block (after a branch's delay slot, a syscall,
/// LL/SC or a scheduler step).
fn mt_run(s: &mut MtState, env: &mut Env<'_>, stop: u64, one_block: bool) -> Result<()> {
    while !s.exited && s.step < stop {
        let special = match s.active().last() {
            None => true,
            Some(t) => t.exited || s.steps_since_switch >= SCHED_QUANTUM,
        };
        if special {
            mt_step(s, env)?;
            if one_block {
                return Ok(());
            }
            continue;
        }
        let budget = (stop - s.step).min(SCHED_QUANTUM - s.steps_since_switch);
        let stack = if s.traverse_right {
            &mut s.right
        } else {
            &mut s.left
        };
        let cpu = &mut stack.last_mut().expect("non-empty").cpu;
        let (n, exit) = core_loop::<Mips64>(
            cpu,
            &mut s.memory,
            Some(&mut s.ll),
            env.tracker,
            env.stats,
            budget,
            one_block,
        );
        s.step += n;
        s.steps_since_switch += n;
        match exit {
            CoreExit::Budget if one_block => return Ok(()),
            CoreExit::Budget => {}
            CoreExit::Special if one_block => return mt_step(s, env),
            CoreExit::Special => mt_step(s, env)?,
            CoreExit::Fault(f, word) => {
                let pc = s.current().map(|t| t.cpu.pc).unwrap_or(0);
                return Err(fault_at(f, s.step, pc, word));
            }
        }
    }
    Ok(())
}

fn preempt(s: &mut MtState) {
    let t = s.active_mut().pop().expect("active thread exists");
    if s.traverse_right {
        s.left.push(t);
    } else {
        s.right.push(t);
    }
    if s.active().is_empty() {
        s.traverse_right = !s.traverse_right;
    }
    s.steps_since_switch = 0;
}

fn pop_thread(s: &mut MtState) {
    s.active_mut().pop();
    if s.active().is_empty() {
        s.traverse_right = !s.traverse_right;
    }
    s.steps_since_switch = 0;
}

/// One cannon64 step (`doMipsStep`, cannon-spec §10.1).
fn mt_step(s: &mut MtState, env: &mut Env<'_>) -> Result<()> {
    if s.exited {
        return Ok(());
    }
    let pre_step = s.step;
    if s.active().is_empty() {
        return Err(fault_at(Fault::EmptyThreadStack, pre_step, 0, 0));
    }
    s.step += 1;
    let top = s.active().len() - 1;
    if s.active()[top].exited {
        pop_thread(s);
        return Ok(());
    }
    if s.steps_since_switch >= SCHED_QUANTUM {
        env.stats.forced_preemptions += 1;
        preempt(s);
        return Ok(());
    }
    s.steps_since_switch += 1;
    let pc = s.active()[top].cpu.pc;
    if pc & 3 != 0 {
        return Err(fault_at(Fault::UnalignedPc, pre_step, pc, 0));
    }
    if pc >= ICACHE_END {
        env.stats.icache_misses += 1;
        env.stats.highest_icache_miss_pc = env.stats.highest_icache_miss_pc.max(pc);
    }
    let word = fetch(&mut s.memory, pc);
    let insn = decode(word, true);
    let r = match insn.op {
        Op::Syscall => mt_syscall(s, env),
        Op::Ll | Op::Sc | Op::Lld | Op::Scd => {
            mt_rmw(s, env, insn);
            Ok(())
        }
        _ => {
            let stack = if s.traverse_right {
                &mut s.right
            } else {
                &mut s.left
            };
            let cpu = &mut stack[top].cpu;
            let flow = {
                let mut o =
                    CoreOps::<Mips64>::new(cpu, &mut s.memory, Some(&mut s.ll), env.tracker);
                execute::<Mips64, _>(&mut o, insn)
            };
            flow.map(|f| apply_flow::<Mips64>(cpu_of(s, top), f))
                .map_err(Stop::Fault)
        }
    };
    if let Err(stop) = r {
        return Err(stop.at(pre_step, pc, word));
    }
    if s.active().is_empty() {
        return Err(fault_at(Fault::EmptyThreadStack, pre_step, pc, word));
    }
    Ok(())
}

#[inline(always)]
fn cpu_of(s: &mut MtState, top: usize) -> &mut Cpu {
    let stack = if s.traverse_right {
        &mut s.right
    } else {
        &mut s.left
    };
    &mut stack[top].cpu
}

fn mt_rmw(s: &mut MtState, env: &mut Env<'_>, insn: Insn) {
    let top = s.active().len() - 1;
    let tid = s.active()[top].id;
    let (len, status) = match insn.op {
        Op::Ll | Op::Sc => (4u64, 1u8),
        _ => (8, 2),
    };
    let step = s.step;
    let stack = if s.traverse_right {
        &mut s.right
    } else {
        &mut s.left
    };
    let cpu = &mut stack[top].cpu;
    let base = cpu.regs[insn.rs() as usize];
    let addr = base.wrapping_add(Mips64::sext(u64::from(insn.imm()), 16));
    let aligned = addr & !7;
    let rt = insn.rt();
    let ret = if matches!(insn.op, Op::Ll | Op::Lld) {
        env.tracker.track(&mut s.memory, aligned);
        let mem = s.memory.read_u64(aligned);
        let mut o = CoreOps::<Mips64>::new(cpu, &mut s.memory, None, env.tracker);
        let v = select_subword::<Mips64, _>(&mut o, addr, mem, len);
        let v = if len == 4 { o.un(Un::Sext32, v) } else { v };
        s.ll = Reservation {
            status,
            addr,
            owner: tid,
        };
        env.stats.last_ll_step = step;
        v
    } else if s.ll.status == status && s.ll.owner == tid && s.ll.addr == addr {
        s.ll = Reservation::default();
        env.tracker.track(&mut s.memory, aligned);
        let mem = s.memory.read_u64(aligned);
        let val = cpu.regs[rt as usize];
        let mut o = CoreOps::<Mips64>::new(cpu, &mut s.memory, None, env.tracker);
        let new = update_subword::<Mips64, _>(&mut o, addr, mem, len, val);
        s.memory.write_u64(aligned, new);
        env.stats.rmw_success += 1;
        env.stats.max_steps_between_ll_and_sc = env
            .stats
            .max_steps_between_ll_and_sc
            .max(step - env.stats.last_ll_step);
        1
    } else {
        env.stats.rmw_fail += 1;
        0
    };
    let stack = if s.traverse_right {
        &mut s.right
    } else {
        &mut s.left
    };
    let cpu = &mut stack[top].cpu;
    if rt != 0 {
        cpu.regs[rt as usize] = ret;
    }
    cpu.pc = cpu.next_pc;
    cpu.next_pc = cpu.next_pc.wrapping_add(4);
}

/// Error return values in the version's convention.
#[inline(always)]
fn sys_err(v: VmVersion, errno: u64) -> (u64, u64) {
    if v.syscall_errno_in_v0() {
        (errno, u64::MAX)
    } else {
        (u64::MAX, errno)
    }
}

fn mt_syscall(s: &mut MtState, env: &mut Env<'_>) -> Result<(), Stop> {
    let top = s.active().len() - 1;
    let v = s.version;
    let (num, a0, a1, a2) = {
        let r = &s.active()[top].cpu.regs;
        (r[2], r[4], r[5], r[6])
    };
    let (mut v0, mut v1) = (0u64, 0u64);
    match num {
        sys::MMAP => {
            let (r0, r1, heap) = mmap::<Mips64>(v, a0, a1, s.heap);
            (v0, v1, s.heap) = (r0, r1, heap);
        }
        sys::BRK => v0 = Mips64::PROGRAM_BREAK,
        sys::CLONE => {
            if a0 != CLONE_FLAGS {
                s.exited = true;
                s.exit_code = 2;
                return Ok(());
            }
            let parent = &mut cpu_of(s, top).clone();
            let id = s.next_thread_id;
            let mut child = Thread {
                id,
                exit_code: 0,
                exited: false,
                cpu: Cpu {
                    pc: parent.next_pc,
                    next_pc: parent.next_pc.wrapping_add(4),
                    hi: parent.hi,
                    lo: parent.lo,
                    regs: parent.regs,
                },
            };
            child.cpu.regs[29] = a1;
            child.cpu.regs[2] = 0;
            child.cpu.regs[7] = 0;
            s.next_thread_id += 1;
            syscall_return::<Mips64>(cpu_of(s, top), id, 0);
            s.active_mut().push(child);
            s.steps_since_switch = 0;
            return Ok(());
        }
        sys::EXIT_GROUP => {
            s.exited = true;
            s.exit_code = a0 as u8;
            return Ok(());
        }
        sys::READ => {
            let (r0, r1) = sys_read::<Mips64>(
                v,
                &mut s.memory,
                &mut s.preimage_offset,
                s.preimage_key,
                Some(&mut s.ll),
                env,
                a0,
                a1,
                a2,
            )?;
            (v0, v1) = (r0, r1);
        }
        sys::WRITE => {
            let (r0, r1) = sys_write::<Mips64>(
                v,
                &mut s.memory,
                &mut s.preimage_key,
                &mut s.preimage_offset,
                &mut s.last_hint,
                env,
                a0,
                a1,
                a2,
            )?;
            (v0, v1) = (r0, r1);
        }
        sys::FCNTL => (v0, v1) = fcntl(v, a0, a1),
        sys::GETTID => v0 = s.active()[top].id,
        sys::EXIT => {
            let last = s.thread_count() == 1;
            let t = &mut s.active_mut()[top];
            t.exited = true;
            t.exit_code = a0 as u8;
            if last {
                s.exited = true;
                s.exit_code = a0 as u8;
            }
            return Ok(());
        }
        sys::FUTEX => {
            let addr = a0 & !3;
            match a1 {
                FUTEX_WAIT_PRIVATE => {
                    env.tracker.track(&mut s.memory, addr & !7);
                    let cur = s.memory.read_u32(addr);
                    if cur != a2 as u32 {
                        (v0, v1) = sys_err(v, EAGAIN);
                    } else {
                        if s.active()[top].id == 0 {
                            env.stats.idle_steps_thread0 += 1;
                        }
                        syscall_return::<Mips64>(cpu_of(s, top), 0, 0);
                        preempt(s);
                        return Ok(());
                    }
                }
                FUTEX_WAKE_PRIVATE => {
                    syscall_return::<Mips64>(cpu_of(s, top), 0, 0);
                    preempt(s);
                    return Ok(());
                }
                _ => (v0, v1) = sys_err(v, EINVAL),
            }
        }
        sys::SCHED_YIELD | sys::NANOSLEEP => {
            if s.active()[top].id == 0 {
                env.stats.idle_steps_thread0 += 1;
            }
            syscall_return::<Mips64>(cpu_of(s, top), 0, 0);
            preempt(s);
            return Ok(());
        }
        sys::OPEN => (v0, v1) = sys_err(v, EBADF),
        sys::CLOCK_GETTIME => {
            if a0 == 0 || a0 == 1 {
                let (secs, nsecs) = if a0 == 1 {
                    (s.step / HZ, (s.step % HZ) * (1_000_000_000 / HZ))
                } else {
                    (0, 0)
                };
                let e = a1 & !7;
                env.tracker.track(&mut s.memory, e);
                s.memory.write_u64(e, secs);
                clear_ll(&mut s.ll, env.stats, e);
                env.tracker.track2(&mut s.memory, e.wrapping_add(8));
                s.memory.write_u64(e.wrapping_add(8), nsecs);
                clear_ll(&mut s.ll, env.stats, e.wrapping_add(8));
            } else {
                (v0, v1) = sys_err(v, EINVAL);
            }
        }
        sys::GETPID => {}
        sys::GETRANDOM => {
            if v.working_getrandom() {
                let e = a0 & !7;
                let t = a0 - e;
                let n = a1.min(8 - t);
                let r = splitmix64(s.step);
                env.tracker.track(&mut s.memory, e);
                let mem = s.memory.read_u64(e);
                let mut mask = 0u64;
                for b in t..t + n {
                    mask |= 0xFFu64 << (56 - 8 * b);
                }
                s.memory.write_u64(e, (mem & !mask) | (r & mask));
                clear_ll(&mut s.ll, env.stats, e);
                v0 = n;
            }
        }
        sys::EVENTFD2 => {
            if a1 & 0x80 == 0 {
                (v0, v1) = sys_err(v, EINVAL);
            } else {
                v0 = FD_EVENTFD;
            }
        }
        n if sys::NOOPS.contains(&n) => {}
        n => return Err(Fault::UnknownSyscall(n).into()),
    }
    syscall_return::<Mips64>(cpu_of(s, top), v0, v1);
    Ok(())
}

#[inline(always)]
fn clear_ll(ll: &mut Reservation, stats: &mut Stats, aligned: u64) {
    if ll.status != 0 && aligned == ll.addr & !7 {
        stats.reservation_invalidations += 1;
    }
    ll.on_write(aligned);
}

/// splitmix64 (v8 getrandom).
pub fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// mmap (cannon-spec §7.5): returns (v0, v1, new heap).
fn mmap<A: Arch>(v: VmVersion, a0: u64, a1: u64, heap: u64) -> (u64, u64, u64) {
    let mut sz = a1;
    if sz & 0xFFF != 0 {
        sz = A::mask(sz.wrapping_add(4096 - (sz & 0xFFF)));
    }
    if a0 == 0 {
        let new_heap = A::mask(heap.wrapping_add(sz));
        if new_heap > A::HEAP_END || new_heap < heap || sz < a1 {
            let (e0, e1) = sys_err(v, EINVAL);
            return (e0, e1, heap);
        }
        (heap, 0, new_heap)
    } else {
        (a0, 0, heap)
    }
}

fn fcntl(v: VmVersion, fd: u64, cmd: u64) -> (u64, u64) {
    match cmd {
        1 if v.fcntl_getfd() => match fd {
            0..=6 => (0, 0),
            _ => sys_err(v, EBADF),
        },
        3 => match fd {
            0 | 3 | 5 => (0, 0),
            1 | 2 | 4 | 6 => (1, 0),
            _ => sys_err(v, EBADF),
        },
        _ => sys_err(v, EINVAL),
    }
}

#[allow(clippy::too_many_arguments)]
fn sys_read<A: Arch>(
    v: VmVersion,
    mem: &mut Memory,
    offset: &mut u64,
    key: B256,
    ll: Option<&mut Reservation>,
    env: &mut Env<'_>,
    fd: u64,
    addr: u64,
    count: u64,
) -> Result<(u64, u64), Stop> {
    match fd {
        0 => Ok((0, 0)),
        5 => {
            let eff = A::align(addr);
            env.tracker.track(mem, eff);
            let word = mem.read_word(eff, A::BYTES);
            let data = match env.oracle.prefixed(&key) {
                Ok(d) => d,
                Err(e) => return Err(Stop::Host(e)),
            };
            if *offset >= data.len() as u64 {
                return Err(Fault::PreimageOutOfBounds.into());
            }
            let avail = (data.len() as u64 - *offset).min(32);
            let al = addr & (A::BYTES - 1);
            let n = avail.min(A::BYTES - al).min(count);
            let mut bytes = word.to_be_bytes();
            let shift = 8 - A::BYTES as usize; // word bytes live at the end of the u64
            let src = &data[*offset as usize..(*offset + n) as usize];
            bytes[shift + al as usize..shift + (al + n) as usize].copy_from_slice(src);
            let new = u64::from_be_bytes(bytes);
            if env.record_reads {
                *env.last_read = Some(PreimageRead {
                    key,
                    value: data.to_vec(),
                    offset: *offset,
                });
            }
            mem.write_word(eff, A::BYTES, new);
            if let Some(ll) = ll {
                clear_ll(ll, env.stats, eff);
            }
            *offset += n;
            Ok((n, 0))
        }
        3 => Ok((count, 0)),
        FD_EVENTFD if v.go123_support() => Ok(sys_err(v, EAGAIN)),
        _ => Ok(sys_err(v, EBADF)),
    }
}

#[allow(clippy::too_many_arguments)]
fn sys_write<A: Arch>(
    v: VmVersion,
    mem: &mut Memory,
    key: &mut B256,
    offset: &mut u64,
    last_hint: &mut Vec<u8>,
    env: &mut Env<'_>,
    fd: u64,
    addr: u64,
    count: u64,
) -> Result<(u64, u64), Stop> {
    let amask = A::mask(u64::MAX);
    match fd {
        1 | 2 | 4 if count > MAX_IO_WRITE => Err(Stop::Host(Error::invalid(format!(
            "guest wrote {count} bytes to fd {fd} in one call (limit {MAX_IO_WRITE})"
        )))),
        1 | 2 => {
            let bytes = mem.read_range(addr, count, amask);
            let out = if fd == 1 {
                &mut env.io.stdout
            } else {
                &mut env.io.stderr
            };
            let _ = out.write_all(&bytes);
            Ok((count, 0))
        }
        4 => {
            last_hint.extend_from_slice(&mem.read_range(addr, count, amask));
            while last_hint.len() >= 4 {
                let n = u32::from_be_bytes(last_hint[..4].try_into().expect("4 bytes")) as usize;
                if n > last_hint.len() - 4 {
                    break;
                }
                let hint: Vec<u8> = last_hint[4..4 + n].to_vec();
                last_hint.drain(..4 + n);
                if let Err(e) = env.oracle.hint(&hint) {
                    return Err(Stop::Host(e));
                }
            }
            Ok((count, 0))
        }
        6 => {
            let eff = A::align(addr);
            env.tracker.track(mem, eff);
            let word = mem.read_word(eff, A::BYTES);
            let al = addr & (A::BYTES - 1);
            let n = count.min(A::BYTES - al);
            let bytes = word.to_be_bytes();
            let shift = 8 - A::BYTES as usize;
            let mut k = [0u8; 32];
            let n_us = n as usize;
            k[..32 - n_us].copy_from_slice(&key.as_slice()[n_us..]);
            k[32 - n_us..].copy_from_slice(&bytes[shift + al as usize..shift + al as usize + n_us]);
            *key = B256::from(k);
            *offset = 0;
            Ok((n, 0))
        }
        FD_EVENTFD if v.go123_support() => Ok(sys_err(v, EAGAIN)),
        _ => Ok(sys_err(v, EBADF)),
    }
}

// ------------------------------------------------------------------------------------------------
// 32-bit single-threaded
// ------------------------------------------------------------------------------------------------

/// Runs until `step == stop` or exit (with `one_block`, to the end of the current block).
fn st_run(s: &mut StState, env: &mut Env<'_>, stop: u64, one_block: bool) -> Result<()> {
    while !s.exited && s.step < stop {
        let (n, exit) = core_loop::<Mips32>(
            &mut s.cpu,
            &mut s.memory,
            None,
            env.tracker,
            env.stats,
            stop - s.step,
            one_block,
        );
        s.step += n;
        match exit {
            CoreExit::Budget if one_block => return Ok(()),
            CoreExit::Budget => {}
            CoreExit::Special if one_block => return st_step(s, env),
            CoreExit::Special => st_step(s, env)?,
            CoreExit::Fault(f, word) => return Err(fault_at(f, s.step, s.cpu.pc, word)),
        }
    }
    Ok(())
}

/// One single-threaded step.
fn st_step(s: &mut StState, env: &mut Env<'_>) -> Result<()> {
    if s.exited {
        return Ok(());
    }
    let pre_step = s.step;
    s.step += 1;
    let pc = s.cpu.pc;
    if pc & 3 != 0 {
        return Err(fault_at(Fault::UnalignedPc, pre_step, pc, 0));
    }
    let word = fetch(&mut s.memory, pc);
    let insn = decode(word, false);
    let r = match insn.op {
        Op::Syscall => st_syscall(s, env),
        Op::Ll | Op::Sc => {
            let addr = Mips32::mask(
                s.cpu.regs[insn.rs() as usize]
                    .wrapping_add(Mips32::sext(u64::from(insn.imm()), 16)),
            ) & !3;
            env.tracker.track(&mut s.memory, addr);
            let rt = insn.rt() as usize;
            let ret = if insn.op == Op::Ll {
                u64::from(s.memory.read_u32(addr))
            } else {
                s.memory.write_u32(addr, s.cpu.regs[rt] as u32);
                1
            };
            if rt != 0 {
                s.cpu.regs[rt] = ret;
            }
            apply_flow::<Mips32>(&mut s.cpu, Flow::Seq);
            Ok(())
        }
        _ => {
            let flow = {
                let mut o = CoreOps::<Mips32>::new(&mut s.cpu, &mut s.memory, None, env.tracker);
                execute::<Mips32, _>(&mut o, insn)
            };
            flow.map(|f| apply_flow::<Mips32>(&mut s.cpu, f))
                .map_err(Stop::Fault)
        }
    };
    r.map_err(|stop| stop.at(pre_step, pc, word))
}

fn st_syscall(s: &mut StState, env: &mut Env<'_>) -> Result<(), Stop> {
    let v = VmVersion::SingleThreaded2;
    let r = &s.cpu.regs;
    let (num, a0, a1, a2) = (r[2], r[4], r[5], r[6]);
    let (mut v0, mut v1) = (0u64, 0u64);
    match num {
        sys::ST_MMAP => {
            let (r0, r1, heap) = mmap::<Mips32>(v, a0, a1, s.heap);
            (v0, v1, s.heap) = (r0, r1, heap);
        }
        sys::ST_BRK => v0 = Mips32::PROGRAM_BREAK,
        sys::ST_CLONE => v0 = 1,
        sys::ST_EXIT_GROUP => {
            s.exited = true;
            s.exit_code = a0 as u8;
            return Ok(());
        }
        sys::ST_READ => {
            (v0, v1) = sys_read::<Mips32>(
                v,
                &mut s.memory,
                &mut s.preimage_offset,
                s.preimage_key,
                None,
                env,
                a0,
                a1,
                a2,
            )?
        }
        sys::ST_WRITE => {
            (v0, v1) = sys_write::<Mips32>(
                v,
                &mut s.memory,
                &mut s.preimage_key,
                &mut s.preimage_offset,
                &mut s.last_hint,
                env,
                a0,
                a1,
                a2,
            )?
        }
        sys::ST_FCNTL => (v0, v1) = fcntl(v, a0, a1),
        _ => {}
    }
    syscall_return::<Mips32>(&mut s.cpu, v0, v1);
    Ok(())
}
