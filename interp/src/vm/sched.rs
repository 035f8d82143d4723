//! The cannon64 scheduler (cannon-spec §10): two thread stacks, the running thread on top of
//! the active one, preemption after [`crate::state::SCHED_QUANTUM`] steps (the quantum itself is
//! read through [`crate::state::MtState::steps_left_in_quantum`]).

use crate::state::{Cpu, MtState};

/// Moves the running thread to the other stack (`preemptThread`).
pub(crate) fn preempt(s: &mut MtState) {
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

/// Drops the running (exited) thread (`popThread`).
pub(crate) fn pop_thread(s: &mut MtState) {
    s.active_mut().pop();
    if s.active().is_empty() {
        s.traverse_right = !s.traverse_right;
    }
    s.steps_since_switch = 0;
}

/// Pushes a new thread onto the active stack; it runs next (`pushThread`).
pub(crate) fn push_thread(s: &mut MtState, t: crate::state::Thread) {
    s.active_mut().push(t);
    s.steps_since_switch = 0;
}

/// Registers of the running thread (the caller has checked that there is one).
#[inline(always)]
pub(crate) fn current_cpu(s: &mut MtState) -> &mut Cpu {
    &mut s.current_mut().expect("a running thread").cpu
}
