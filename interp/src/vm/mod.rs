//! The reference VM: one step of single-threaded (v2) or multithreaded cannon64 (v7/v8) Cannon,
//! and the one run loop every engine shares.
//!
//! * [`core`]: the interpreter's [`crate::ops::Ops`] on concrete words and its fast loop over
//!   straight code (instruction fetch, the instruction-cache statistic).
//! * `step`: a full step (`doMipsStep`, cannon-spec §10.1) of either VM, with LL/SC.
//! * `sched`: the cannon64 scheduler (preemption, thread stacks; cannon-spec §10).
//! * [`syscall`]: the syscall tables and the oracle channels (cannon-spec §7).
//! * [`drive`]: the run loop, with pluggable back ends (the interpreter here, the JIT in
//!   `engine`) and observers (profiles, tracebacks).
//!
//! Instruction semantics come from [`crate::semantics`]; step witnesses from
//! [`crate::witness`].

pub mod blocks;
pub mod core;
pub mod drive;
mod sched;
mod step;
pub mod syscall;

pub use self::core::{apply_flow, icache_miss, CoreOps, ICACHE_END};
pub use self::drive::{Backend, Interpreter, Leave, Observer, Sink, Trace, Traced, Unit};
pub use self::syscall::splitmix64;
pub use crate::witness::{StepWitness, Tracker};

use self::blocks::{run_blocks, BlockCache, BlocksExit};
use self::core::{core_loop, CoreExit};
use self::step::{mt_step, st_step};
use crate::arch::{Mips32, Mips64};
use crate::error::{Error, Fault, Result, VmFault};
use crate::oracle::{Oracle, PreimageRead};
use crate::state::{state_hash, State};
use alloy_primitives::B256;
use std::io::Write;

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
    pub(crate) last_ll_step: u64,
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

impl Stats {
    /// Counts an instruction fetch at `pc` (see [`icache_miss`]).
    #[inline(always)]
    pub fn count_fetch(&mut self, pc: u64, is64: bool) {
        if icache_miss(pc, is64) {
            self.icache_misses += 1;
            self.highest_icache_miss_pc = self.highest_icache_miss_pc.max(pc);
        }
    }
}

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
    /// Pre-decoded blocks of the state's memory (the interpreter's fast tier).
    pub code: BlockCache,
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

/// What a step needs besides the state.
pub(crate) struct Env<'a> {
    pub(crate) oracle: &'a mut Oracle,
    pub(crate) io: &'a mut Io,
    pub(crate) stats: &'a mut Stats,
    pub(crate) tracker: &'a mut Tracker,
    pub(crate) last_read: &'a mut Option<PreimageRead>,
    pub(crate) record_reads: bool,
}

impl Vm {
    /// A VM over `state`.
    pub fn new(state: State, oracle: Oracle, io: Io) -> Self {
        Vm {
            state,
            oracle,
            io,
            stats: Stats::default(),
            code: BlockCache::default(),
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
        self.full_step(false)
    }

    /// One full step of either VM, recording the preimage read when `record_reads`.
    fn full_step(&mut self, record_reads: bool) -> Result<()> {
        let (state, mut env) = self.env(record_reads);
        match state {
            State::Mt(s) => mt_step(s, &mut env),
            State::St(s) => st_step(s, &mut env),
        }
    }

    /// Executes steps until `step == stop` or the VM exits, in the interpreter (the run loop of
    /// [`drive::run`] with the [`Interpreter`] back end).
    pub fn run_until(&mut self, stop: u64) -> Result<()> {
        drive::run(self, stop, &mut Interpreter, None)
    }

    /// Executes up to `budget` steps of straight code on the running thread through the
    /// interpreter's pre-decoded blocks ([`blocks`]), stopping before the first instruction that
    /// needs a full step (a syscall or LL/SC). `budget` must be within [`State::core_budget`];
    /// the scheduler cannot act inside it.
    pub fn run_core(&mut self, budget: u64) -> Result<Leave> {
        self.run_hot(budget, 0)
    }

    /// As [`Vm::run_core`], and when `hot` is non-zero also stops ([`Leave::Hot`]) at the
    /// entry of a block marked with [`BlockCache::mark`], and once at the first entry of a block
    /// that has been reached `hot` times or more (`hot` may change from call to call).
    pub fn run_hot(&mut self, budget: u64, hot: u32) -> Result<Leave> {
        self.run_hot_into(budget, hot, &mut ())
    }

    /// As [`Vm::run_core`], recording every step in `trace` ([`Backend::run_traced`]).
    pub fn run_core_traced(&mut self, budget: u64, trace: &mut Trace) -> Result<Leave> {
        self.run_hot_into(budget, 0, trace)
    }

    /// As [`Vm::run_hot`], reporting the straight runs executed to `sink`.
    pub fn run_hot_into<S: Sink>(&mut self, budget: u64, hot: u32, sink: &mut S) -> Result<Leave> {
        let is64 = self.state.version().is_multithreaded64();
        let Some((cpu, mem, ll)) = self.state.core_parts() else {
            return Ok(Leave::Step);
        };
        let (code, tracker, stats) = (&mut self.code, &mut self.tracker, &mut self.stats);
        let (n, exit) = if is64 {
            run_blocks::<Mips64, S>(code, cpu, mem, ll, tracker, stats, budget, hot, sink)
        } else {
            run_blocks::<Mips32, S>(code, cpu, mem, ll, tracker, stats, budget, hot, sink)
        };
        self.state.advance(n);
        match exit {
            BlocksExit::Hot => Ok(Leave::Hot),
            BlocksExit::Core(e) => self.core_exit(e),
        }
    }

    /// Executes the current basic block of straight code: up to and including a branch's delay
    /// slot, or up to and including the syscall or LL/SC that ends it, within `budget` steps
    /// (see [`Vm::run_core`]).
    pub fn run_block(&mut self, budget: u64) -> Result<()> {
        let is64 = self.state.version().is_multithreaded64();
        let Some((cpu, mem, ll)) = self.state.core_parts() else {
            return self.step();
        };
        let (tracker, stats) = (&mut self.tracker, &mut self.stats);
        let (n, exit) = if is64 {
            core_loop::<Mips64>(cpu, mem, ll, tracker, stats, budget, true)
        } else {
            core_loop::<Mips32>(cpu, mem, ll, tracker, stats, budget, true)
        };
        self.state.advance(n);
        if self.core_exit(exit)? == Leave::Step {
            self.step()?;
        }
        Ok(())
    }

    fn core_exit(&self, exit: CoreExit) -> Result<Leave> {
        match exit {
            CoreExit::Budget => Ok(Leave::Budget),
            CoreExit::Special => Ok(Leave::Step),
            // the reference step takes the faulting instruction again and reports the fault,
            // leaving the state as Cannon's step does (its counter advanced), whichever engine
            // met it first
            CoreExit::Fault => Ok(Leave::Step),
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
        self.tracker = Tracker::recording();
        self.last_read = None;
        let result = self.full_step(true);
        let tracker = std::mem::take(&mut self.tracker);
        result?;
        let depth = self.state.memory().depth();
        tracker.append_proofs(&mut proof_data, depth, matches!(self.state, State::Mt(_)));
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
        self.full_step(true)
    }
}

/// Why a step stopped early: a guest fault (an invalid transition) or a host failure.
pub(crate) enum Stop {
    Fault(Fault),
    Host(Error),
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Self {
        Stop::Fault(f)
    }
}

impl Stop {
    pub(crate) fn at(self, step: u64, pc: u64, insn: u32) -> Error {
        match self {
            Stop::Fault(f) => fault_at(f, step, pc, insn),
            Stop::Host(e) => e,
        }
    }
}

pub(crate) fn fault_at(fault: Fault, step: u64, pc: u64, insn: u32) -> Error {
    Error::Fault(VmFault {
        fault,
        step,
        pc,
        insn,
    })
}
