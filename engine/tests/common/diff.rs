//! Differential checking between two engines: state hashes at cut points and, on a mismatch,
//! the first diverging step found by bisection over re-runs from the start.

use alloy_primitives::B256;
use interp::decode::decode;
use interp::{Result, Vm};

/// Where two engines first disagree.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The first step after which the states differ (the pre-state step of the diverging step).
    pub step: u64,
    /// PC of the diverging instruction.
    pub pc: u64,
    /// The instruction, disassembled.
    pub insn: String,
    /// State hash after that step, engine A.
    pub hash_a: B256,
    /// State hash after that step, engine B.
    pub hash_b: B256,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "engines diverge at step {} (pc 0x{:x}: {}): {} vs {}",
            self.step, self.pc, self.insn, self.hash_a, self.hash_b
        )
    }
}

/// The state hash, or a description of the error that ended the run.
pub fn outcome(vm: &mut Vm, r: &Result<()>) -> String {
    match r {
        Ok(()) => format!("{} step {}", vm.state.hash(), vm.state.step()),
        Err(e) => format!("error: {e}"),
    }
}

/// Bisects for the first step at which `run_b` disagrees with `run_a`, given that they agree
/// at step `good` and disagree at step `bad`. `fresh` builds the starting VM; each probe re-runs
/// both engines from it.
pub fn first_divergence(
    fresh: &dyn Fn() -> Vm,
    run_a: &mut dyn FnMut(&mut Vm, u64) -> Result<()>,
    run_b: &mut dyn FnMut(&mut Vm, u64) -> Result<()>,
    mut good: u64,
    mut bad: u64,
) -> Divergence {
    let mut probe = |stop: u64| -> (Vm, String, String) {
        let mut a = fresh();
        let ra = run_a(&mut a, stop);
        let oa = outcome(&mut a, &ra);
        let mut b = fresh();
        let rb = run_b(&mut b, stop);
        let ob = outcome(&mut b, &rb);
        (a, oa, ob)
    };
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        let (_, oa, ob) = probe(mid);
        if oa == ob {
            good = mid;
        } else {
            bad = mid;
        }
    }
    // state just before the diverging step
    let (before, _, _) = probe(good);
    let pc = before.state.pc();
    let word = before.state.memory().read_u32(pc & !3);
    let insn = decode(word, before.state.version().is_multithreaded64()).to_string();
    let mut a = fresh();
    let _ = run_a(&mut a, bad);
    let mut b = fresh();
    let _ = run_b(&mut b, bad);
    Divergence {
        step: good,
        pc,
        insn,
        hash_a: a.state.hash(),
        hash_b: b.state.hash(),
    }
}
