//! The JIT can never disagree with the interpreter: every fixture is run by both engines and the
//! full state hashes (memory root, registers, PCs, step counters, thread stacks, exit status) are
//! compared at 100+ cut points each, including cuts inside delay slots and exactly at scheduler
//! quantum boundaries. A mismatch is bisected to the first diverging step and instruction.

mod common;
use common::diff::{first_divergence, outcome};
use common::*;
use engine::jit::CompileMode;
use interp::state::{State, SCHED_QUANTUM};
use interp::vm::splitmix64;
use interp::Vm;
use std::time::Duration;

fn in_delay_slot(vm: &Vm) -> bool {
    let is64 = vm.state.version().is_multithreaded64();
    vm.state
        .current_thread_id()
        .and_then(|t| vm.state.thread_cpu(t))
        .is_some_and(|c| c.in_delay_slot(is64))
}

fn at_quantum(vm: &Vm) -> bool {
    matches!(&vm.state, State::Mt(s) if s.steps_left_in_quantum().is_none())
}

/// Picks cut points with the interpreter: `random` cuts, plus the next delay-slot state and (on
/// cannon64) the next quantum boundary after several of them. Returns (step, outcome) pairs.
fn reference_cuts(
    elf: &str,
    ty: &str,
    pre: Option<&str>,
    random: usize,
) -> (Vec<(u64, String)>, usize, usize) {
    // total length of the run
    let mut vm = fixture_vm(elf, ty, pre);
    let r = vm.run_until(u64::MAX);
    assert!(r.is_ok(), "{elf}: {r:?}");
    let total = vm.state.step();
    let mut targets: Vec<u64> = if total <= 2_000 {
        (0..=total).collect() // small programs: every step is a cut
    } else {
        (0..random as u64)
            .map(|i| splitmix64(i ^ total) % total)
            .collect()
    };
    targets.push(total);
    targets.sort_unstable();
    targets.dedup();
    let mut vm = fixture_vm(elf, ty, pre);
    let mut cuts = Vec::new();
    let (mut slots, mut quanta) = (0, 0);
    for (k, &t) in targets.iter().enumerate() {
        if t < vm.state.step() {
            continue;
        }
        let r = vm.run_until(t);
        cuts.push((vm.state.step(), outcome(&mut vm, &r)));
        if in_delay_slot(&vm) {
            slots += 1;
        }
        let next = targets.get(k + 1).copied().unwrap_or(total);
        if k % 3 == 0 {
            // walk (not past the next cut) to a state inside a delay slot
            while !vm.state.exited() && !in_delay_slot(&vm) && vm.state.step() + 1 < next {
                vm.step().unwrap();
            }
            if in_delay_slot(&vm) && vm.state.step() > t {
                slots += 1;
                cuts.push((vm.state.step(), outcome(&mut vm, &Ok(()))));
            }
        }
        if k % 10 == 5 && matches!(vm.state, State::Mt(_)) {
            // walk (not past the next cut) to a forced preemption (steps since switch == quantum)
            while !vm.state.exited() && !at_quantum(&vm) && vm.state.step() + 1 < next {
                vm.step().unwrap();
            }
            if at_quantum(&vm) {
                quanta += 1;
                cuts.push((vm.state.step(), outcome(&mut vm, &Ok(()))));
            }
        }
    }
    cuts.dedup_by_key(|c| c.0);
    (cuts, slots, quanta)
}

/// Runs the JIT over the cut points and compares each outcome with the interpreter's.
fn jit_pass(
    elf: &str,
    ty: &str,
    pre: Option<&str>,
    cuts: &[(u64, String)],
    threshold: u32,
    mode: CompileMode,
) -> engine::jit::JitStats {
    let mut vm = fixture_vm(elf, ty, pre);
    let mut jit = jit_with_mode(&vm, threshold, mode);
    let mut good = 0;
    for (step, expected) in cuts {
        let r = jit.run_until(&mut vm, *step);
        let got = outcome(&mut vm, &r);
        if &got != expected {
            let d = first_divergence(
                &|| fixture_vm(elf, ty, pre),
                &mut |vm, stop| vm.run_until(stop),
                &mut |vm, stop| jit_with_threshold(vm, threshold).run_until(vm, stop),
                good,
                *step,
            );
            panic!("{elf} on {ty}: at cut {step}: interpreter {expected}, JIT {got}\n{d}");
        }
        good = *step;
    }
    jit.stats
}

fn differential(elf: &str, ty: &str, pre: Option<&str>) {
    let (cuts, slots, quanta) = reference_cuts(elf, ty, pre, 110);
    let total = cuts.last().unwrap().0;
    let every_step = total <= 2_000;
    assert!(
        cuts.len() >= 100 || total < 100,
        "{elf}: only {} cuts",
        cuts.len()
    );
    // every step of a small program is a cut, so its delay-slot states (if any) are all covered
    assert!(every_step || slots > 0, "{elf}: no cut inside a delay slot");
    if ty != "singlethreaded-2" && total > SCHED_QUANTUM {
        assert!(quanta > 0, "{elf}: no cut at a quantum boundary");
    }
    // pass 1: at every cut (budgets cut blocks short: exits and interpreter hand-offs)
    let s1 = jit_pass(elf, ty, pre, &cuts, 1, CompileMode::Sync);
    // pass 2: sparse cuts, so that whole blocks run compiled
    let sparse: Vec<(u64, String)> = cuts
        .iter()
        .enumerate()
        .filter(|(i, c)| i % 17 == 16 || c.0 == total)
        .map(|(_, c)| c.clone())
        .collect();
    let s2 = jit_pass(elf, ty, pre, &sparse, 1, CompileMode::Sync);
    assert!(
        s1.jit_steps + s2.jit_steps > 0,
        "{elf}: no step ran compiled"
    );
    // pass 3: a low hotness threshold, so cold blocks are interpreted block by block while hot
    // ones run compiled
    let s3 = jit_pass(elf, ty, pre, &sparse, 3, CompileMode::Sync);
    assert!(s3.interp_steps > 0, "{elf}: no block was interpreted");
    // passes 4 and 5: compilation on the background thread, as it arrives and artificially
    // delayed, so translations are installed at timing-dependent points; every cut must agree
    let s4 = jit_pass(
        elf,
        ty,
        pre,
        &sparse,
        1,
        CompileMode::Background(Duration::ZERO),
    );
    let s5 = jit_pass(
        elf,
        ty,
        pre,
        &sparse,
        1,
        CompileMode::Background(Duration::from_millis(2)),
    );
    assert!(
        s4.queued + s5.queued > 0,
        "{elf}: nothing queued for background compilation"
    );
    eprintln!(
        "{elf} on {ty}: {} + {} cuts ({slots} in delay slots, {quanta} at quantum boundaries) agree; compiled steps {} + {}, blocks {} + {}",
        cuts.len(),
        sparse.len(),
        s1.jit_steps,
        s2.jit_steps,
        s1.blocks_compiled,
        s2.blocks_compiled
    );
}

macro_rules! diff_test {
    ($name:ident, $elf:literal, $ty:literal, $pre:expr) => {
        #[test]
        fn $name() {
            differential($elf, $ty, $pre);
        }
    };
}

diff_test!(asm64_alu, "asm64-alu", "multithreaded64-5", None);
diff_test!(asm64_shifts, "asm64-shifts", "multithreaded64-5", None);
diff_test!(asm64_muldiv, "asm64-muldiv", "multithreaded64-5", None);
diff_test!(asm64_branches, "asm64-branches", "multithreaded64-5", None);
diff_test!(
    asm64_loadstore,
    "asm64-loadstore",
    "multithreaded64-5",
    None
);
diff_test!(asm64_llsc, "asm64-llsc", "multithreaded64-5", None);
diff_test!(asm64_syscalls, "asm64-syscalls", "multithreaded64-4", None);
diff_test!(asm32_alu, "asm32-alu", "singlethreaded-2", None);
diff_test!(asm32_shifts, "asm32-shifts", "singlethreaded-2", None);
diff_test!(asm32_muldiv, "asm32-muldiv", "singlethreaded-2", None);
diff_test!(asm32_branches, "asm32-branches", "singlethreaded-2", None);
diff_test!(asm32_loadstore, "asm32-loadstore", "singlethreaded-2", None);
diff_test!(asm32_llsc, "asm32-llsc", "singlethreaded-2", None);
diff_test!(asm32_syscalls, "asm32-syscalls", "singlethreaded-2", None);
diff_test!(go64_hello, "go64-hello", "multithreaded64-5", None);
diff_test!(go64_alloc, "go64-alloc", "multithreaded64-5", None);
diff_test!(
    go64_compute_small,
    "go64-compute-small",
    "multithreaded64-4",
    None
);
diff_test!(
    go64_claim,
    "go64-claim",
    "multithreaded64-5",
    Some("claim-good")
);
diff_test!(go32_hello, "go32-hello", "singlethreaded-2", None);
diff_test!(
    go32_claim,
    "go32-claim",
    "singlethreaded-2",
    Some("claim-bad")
);
