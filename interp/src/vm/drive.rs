//! The one run loop. Every way of running a trace (the interpreter, the JIT, a profiled or
//! debugged run) goes through [`run`]: it asks the state how many steps can run as straight code
//! on the running thread before the scheduler must act ([`State::core_budget`]), hands that
//! stretch to a [`Backend`], and takes every step a back end declines (syscalls, LL/SC, delay
//! slots it cannot enter, traps, scheduler steps) itself, through the reference step
//! ([`Vm::step`]). Back ends therefore never see the scheduler, and stops stay exact: no stretch
//! is longer than the budget it was given.
//!
//! An [`Observer`] watches the run one unit at a time (a scheduler step, a single step or a
//! basic block of straight code) and decides before each unit how small it must be.

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
}

/// The reference interpreter's fast loop as a back end.
#[derive(Debug, Default, Clone, Copy)]
pub struct Interpreter;

impl Backend for Interpreter {
    #[inline]
    fn run(&mut self, vm: &mut Vm, budget: u64) -> Result<Leave> {
        vm.run_core(budget)
    }
}

/// How much the run loop executes before reporting back to an observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// One step.
    Step,
    /// The current basic block (see [`Vm::run_block`]); a scheduler step is always one step.
    Block,
}

/// Watches a run unit by unit.
pub trait Observer {
    /// Called before each unit, with the state it starts from; returns the unit to run.
    fn before(&mut self, state: &State) -> Unit;
    /// Called after the unit with the state it left and the number of steps it ran (0 when its
    /// first step failed without executing).
    fn after(&mut self, state: &State, steps: u64);
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
    while !vm.state.exited() && vm.state.step() < stop {
        let budget = vm.state.core_budget(stop);
        if let Some(o) = observer.as_deref_mut() {
            let unit = o.before(&vm.state);
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
