//! The one run loop. Every way of running a trace (the interpreter, the JIT, a profiled or
//! debugged run) goes through [`run`]: it asks the state how many steps can run as straight code
//! on the running thread before the scheduler must act ([`State::core_budget`]), hands that
//! stretch to a [`Backend`], and takes every step a back end declines (syscalls, LL/SC, delay
//! slots it cannot enter, traps, scheduler steps) itself, through the reference step
//! ([`Vm::step`]). Back ends therefore never see the scheduler, and stops stay exact: no stretch
//! is longer than the budget it was given.
//!
//! An [`Observer`] watches the run one unit at a time (a scheduler step, a single step or a
//! basic block of straight code) and decides before each unit how small it must be. A back end
//! that can record what it runs ([`Backend::run_traced`]: the interpreter's pre-decoded blocks,
//! and the JIT's compiled code when it was built to trace) runs a block unit as a whole stretch
//! instead and reports it as a [`Trace`] of the straight runs it executed, in order, so observed
//! runs go at nearly the back end's own speed and see exactly the steps an unobserved run takes.

use super::Vm;
use crate::error::Result;
use crate::state::State;

/// How a back end's stretch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// It ran its whole budget (or as much of it as it could, leaving nothing special next).
    Budget,
    /// The next step must be a full reference step (a syscall, LL/SC, a delay slot, a trap).
    Step,
    /// Stopped at a hot block's entry (only when asked for, see [`Vm::run_hot`]).
    Hot,
}

/// What executes stretches of straight code on the running thread.
pub trait Backend {
    /// Runs at most `budget` steps (at least one is allowed) on the running thread. None of them
    /// may be a scheduler step, a syscall or an LL/SC; the state's step counters must be
    /// advanced for every step run ([`State::advance`]).
    fn run(&mut self, vm: &mut Vm, budget: u64) -> Result<Leave>;

    /// As [`Backend::run`], also recording every step it runs in `trace` (appended, in order);
    /// `None` when this back end cannot trace (the run loop then runs observed blocks in the
    /// interpreter). On an error, `trace` holds the steps run before it.
    fn run_traced(
        &mut self,
        _vm: &mut Vm,
        _budget: u64,
        _trace: &mut Trace,
    ) -> Option<Result<Leave>> {
        None
    }
}

/// The reference interpreter's fast loop as a back end.
#[derive(Debug, Default, Clone, Copy)]
pub struct Interpreter;

impl Backend for Interpreter {
    #[inline]
    fn run(&mut self, vm: &mut Vm, budget: u64) -> Result<Leave> {
        vm.run_core(budget)
    }

    fn run_traced(&mut self, vm: &mut Vm, budget: u64, trace: &mut Trace) -> Option<Result<Leave>> {
        Some(vm.run_core_traced(budget, trace))
    }
}

/// A straight run of `steps` instructions from `pc` on the running thread: no control transfer
/// inside it except that of a control instruction whose delay slot is its last step (a basic
/// block, or the part of one that ran). Compiled code writes these, so the layout is fixed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traced {
    /// PC of the first instruction.
    pub pc: u64,
    /// Instructions executed.
    pub steps: u64,
}

/// Most steps the run loop lets a back end run in one traced stretch (each entry of a [`Trace`]
/// holds at least one step, so this bounds the trace too: 1 MiB).
pub const TRACE_STEPS: u64 = 1 << 16;

/// The straight runs a back end executed in one stretch, in order (see [`Backend::run_traced`]).
#[derive(Debug, Default)]
pub struct Trace {
    /// The runs.
    pub entries: Vec<Traced>,
}

impl Trace {
    /// Records `steps` instructions run straight from `pc` (nothing when `steps` is 0).
    #[inline(always)]
    pub fn push(&mut self, pc: u64, steps: u64) {
        if steps > 0 {
            self.entries.push(Traced { pc, steps });
        }
    }
}

/// Where a run of straight code reports what it executed: nowhere (`()`), or a [`Trace`].
pub trait Sink {
    /// `steps` instructions ran straight from `pc`.
    fn push(&mut self, pc: u64, steps: u64);
}

impl Sink for () {
    #[inline(always)]
    fn push(&mut self, _pc: u64, _steps: u64) {}
}

impl Sink for Trace {
    #[inline(always)]
    fn push(&mut self, pc: u64, steps: u64) {
        Trace::push(self, pc, steps);
    }
}

/// How much the run loop executes before reporting back to an observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// One step.
    Step,
    /// The current basic block (see [`Vm::run_block`]), or with a back end that traces, a
    /// stretch of straight code reported through [`Observer::traced`]; a scheduler step is
    /// always one step.
    Block,
}

/// Watches a run unit by unit.
pub trait Observer {
    /// Called before each unit, with the state it starts from; returns the unit to run.
    fn before(&mut self, state: &State) -> Unit;
    /// Called after the unit with the state it left and the number of steps it ran (0 when its
    /// first step failed without executing).
    fn after(&mut self, state: &State, steps: u64);
    /// Called instead of [`Observer::after`] when a block unit ran as a traced stretch, with the
    /// state it left and the straight runs it executed (possibly none).
    fn traced(&mut self, state: &State, trace: &Trace);
}

/// Runs `vm` until `step == stop` or it exits: with `observer`, one observed unit at a time in
/// the interpreter; otherwise through `backend`, falling back to the reference step and block
/// where the back end declines.
pub fn run(
    vm: &mut Vm,
    stop: u64,
    backend: &mut dyn Backend,
    mut observer: Option<&mut dyn Observer>,
) -> Result<()> {
    let mut trace: Option<Trace> = None;
    while !vm.state.exited() && vm.state.step() < stop {
        let budget = vm.state.core_budget(stop);
        if let Some(o) = observer.as_deref_mut() {
            let unit = o.before(&vm.state);
            if let (Some(b), Unit::Block) = (budget, unit) {
                let t = trace.get_or_insert_with(Trace::default);
                t.entries.clear();
                if let Some(r) = backend.run_traced(vm, b.min(TRACE_STEPS), t) {
                    // the observer sees what ran before any error (a traceback needs it)
                    o.traced(&vm.state, t);
                    if r? == Leave::Step {
                        // the step the back end declined, observed on its own
                        observed_step(vm, Some(&mut *o), Vm::step)?;
                    }
                    continue;
                }
            }
            let before = vm.state.step();
            let r = match (budget, unit) {
                (Some(b), Unit::Block) => vm.run_block(b),
                _ => vm.step(),
            };
            o.after(&vm.state, vm.state.step() - before);
            r?;
            continue;
        }
        let Some(budget) = budget else {
            // a scheduler step
            vm.step()?;
            continue;
        };
        match backend.run(vm, budget)? {
            Leave::Budget | Leave::Hot => {}
            Leave::Step => vm.step()?,
        }
    }
    Ok(())
}

/// Runs one step of `vm` through `f` (a plain, proof or preimage-recording step), reported to
/// `observer` as a unit of its own.
pub fn observed_step<T>(
    vm: &mut Vm,
    observer: Option<&mut dyn Observer>,
    f: impl FnOnce(&mut Vm) -> Result<T>,
) -> Result<T> {
    let Some(o) = observer else {
        return f(vm);
    };
    o.before(&vm.state);
    let before = vm.state.step();
    let r = f(vm);
    o.after(&vm.state, vm.state.step() - before);
    r
}
