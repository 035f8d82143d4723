//! One engine: the run loop every run goes through ([`interp::vm::drive::run`]), with the
//! reference interpreter or the JIT as its back end, and optionally an observer of the run
//! (the call-stack [`Watcher`] of `--profile` and `--debug`).
//!
//! The back end only decides how stretches of straight code run; the loop decides everything
//! that is a MIPS or scheduler fact (it asks `interp`), so both back ends stop, preempt and
//! fault at the same steps.

use crate::jit::{Jit, JitOptions};
use crate::profile::Watcher;
use interp::vm::{drive, Interpreter, Observer};
use interp::{Result, State, Vm};

/// What runs stretches of straight code.
#[derive(Debug)]
pub enum Backend {
    /// The reference interpreter's fast loop.
    Interp,
    /// Compiled blocks, declining what they cannot run to the reference step.
    Jit(Box<Jit>),
}

/// A back end and an optional observer, driving [`Vm`]s through the shared run loop.
#[derive(Debug)]
pub struct Engine {
    backend: Backend,
    observer: Option<Box<Watcher>>,
}

impl Engine {
    /// The interpreter.
    pub fn interp() -> Self {
        Engine {
            backend: Backend::Interp,
            observer: None,
        }
    }

    /// The default engine for `state`: the JIT when `use_jit` and the host supports it, else
    /// the interpreter (with a warning when the JIT was asked for).
    pub fn for_state(state: &State, use_jit: bool) -> Self {
        Self::build(state, use_jit, false)
    }

    /// As [`Engine::for_state`], for runs that will be observed ([`Engine::observe`]): the JIT
    /// compiles code that records the blocks it runs, so observed runs go at compiled speed.
    pub fn for_observed_state(state: &State, use_jit: bool) -> Self {
        Self::build(state, use_jit, true)
    }

    /// An engine running `jit` (built with [`JitOptions::trace`] if its runs will be observed
    /// at compiled speed).
    pub fn with_jit(jit: Jit) -> Self {
        Engine {
            backend: Backend::Jit(Box::new(jit)),
            observer: None,
        }
    }

    fn build(state: &State, use_jit: bool, trace: bool) -> Self {
        if !use_jit {
            return Self::interp();
        }
        let is64 = state.version().is_multithreaded64();
        match Jit::with_options(is64, JitOptions::from_env(trace)) {
            Ok(j) => Engine {
                backend: Backend::Jit(Box::new(j)),
                observer: None,
            },
            Err(e) => {
                tracing::warn!("JIT unavailable ({e}); using the interpreter");
                Self::interp()
            }
        }
    }

    /// Watches every run with `w` (profiles, tracebacks). Observed runs go one unit at a time:
    /// a stretch of straight code traced by the back end when it can trace (the interpreter, a
    /// JIT built by [`Engine::for_observed_state`]), otherwise a basic block in the
    /// interpreter.
    pub fn observe(&mut self, w: Watcher) {
        self.observer = Some(Box::new(w));
    }

    /// The observer, if any.
    pub fn observer_mut(&mut self) -> Option<&mut Watcher> {
        self.observer.as_deref_mut()
    }

    /// The JIT, when it is the back end.
    pub fn jit(&self) -> Option<&Jit> {
        match &self.backend {
            Backend::Jit(j) => Some(j),
            Backend::Interp => None,
        }
    }

    /// The JIT, mutably, when it is the back end.
    pub fn jit_mut(&mut self) -> Option<&mut Jit> {
        match &mut self.backend {
            Backend::Jit(j) => Some(j),
            Backend::Interp => None,
        }
    }

    /// Runs `vm` until `step == stop` or it exits.
    pub fn run_until(&mut self, vm: &mut Vm, stop: u64) -> Result<()> {
        let observer = self.observer.as_deref_mut().map(|w| w as &mut dyn Observer);
        match &mut self.backend {
            Backend::Jit(j) if observer.is_none() => j.run_until(vm, stop),
            Backend::Jit(j) => drive::run(vm, stop, &mut **j, observer),
            Backend::Interp => drive::run(vm, stop, &mut Interpreter, observer),
        }
    }

    /// Runs one step of `vm` through `f` (a plain, proof or preimage-recording step), observed
    /// like any other.
    pub fn step_with<T>(&mut self, vm: &mut Vm, f: impl FnOnce(&mut Vm) -> Result<T>) -> Result<T> {
        let observer = self.observer.as_deref_mut().map(|w| w as &mut dyn Observer);
        drive::observed_step(vm, observer, f)
    }
}
