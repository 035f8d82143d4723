//! Chained regions and self-modifying code: two hot regions on different pages that continue
//! into each other without the dispatcher (an indirect jump each way), where the second one
//! rewrites the first one's body while the chain is running. Every engine must agree with single
//! steps at every cut, and the rewrite must really have dropped a chained translation.
//!
//! Also the LL reservation under compiled stores: compiled code stores without checking the
//! reservation, because the write cache never holds the reserved page; a loop that makes that
//! page cached while nothing is reserved, reserves a word on it, and then stores to it (every
//! other round) must see the same SC outcomes as single steps.

mod common;

use common::diff::outcome;
use common::jit_with_mode;
use engine::jit::CompileMode;
use interp::asm::{addiu, addu, beq, bne, i, j_, jr, ll, sc, subu, sw, NOP};
use interp::oracle::Oracle;
use interp::state::{MtState, StState, State};
use interp::{Io, Vm, VmVersion};

const A: u64 = 0x10000;
const B: u64 = 0x20040; // (not sharing a dispatch slot with A)

// registers: t0 (8) counts A's runs, t1 (9) accumulates, t2 (10) the addend, t3 (11) counts
// B's runs, s0 (16) = A, s1 (17) = iteration of the rewrite, s2 (18) = the new word, s3 (19) =
// B, s4 (20) = second rewrite iteration, s5 (21) = the original word
fn program(is64: bool) -> State {
    let a = [
        addiu(8, 8, 1),
        addu(9, 9, 10), // rewritten to subu and back
        addiu(10, 10, 3),
        jr(19),
        NOP,
    ];
    let b = [
        addiu(11, 11, 1),
        bne(11, 17, 2), // skip the first rewrite until t3 == s1
        NOP,
        sw(18, 4, 16),  // A's second word := subu
        bne(11, 20, 2), // skip the second until t3 == s4
        NOP,
        sw(21, 4, 16), // A's second word := addu again
        jr(16),
        NOP,
    ];
    let mut regs = [0u64; 32];
    regs[10] = 7;
    regs[16] = A;
    regs[17] = 500;
    regs[18] = u64::from(subu(9, 9, 10));
    regs[19] = B;
    regs[20] = 900;
    regs[21] = u64::from(addu(9, 9, 10));
    let mut s = if is64 {
        let mut s = MtState::new(VmVersion::MultiThreaded64V5, A);
        s.left[0].cpu.regs = regs;
        State::Mt(s)
    } else {
        let mut s = StState::new(A);
        s.cpu.regs = regs;
        State::St(s)
    };
    let mem = s.memory_mut();
    for (i, w) in a.iter().enumerate() {
        mem.write_u32(A + 4 * i as u64, *w);
    }
    for (i, w) in b.iter().enumerate() {
        mem.write_u32(B + 4 * i as u64, *w);
    }
    s
}

fn step_until(vm: &mut Vm, stop: u64) -> interp::Result<()> {
    while !vm.state.exited() && vm.state.step() < stop {
        vm.step()?;
    }
    Ok(())
}

fn check(is64: bool, threshold: u32) {
    let state = program(is64);
    let vm = || Vm::new(state.clone(), Oracle::none(), Io::sink());
    let (mut r, mut a, mut b) = (vm(), vm(), vm());
    let mut jit = jit_with_mode(&b, threshold, CompileMode::Sync);
    // about 14 steps per round trip: rewrites at rounds 500 and 900
    let cuts: Vec<u64> = (1..=60).map(|k| k * 331).collect();
    for &c in &cuts {
        let (rr, ra, rb) = (
            step_until(&mut r, c),
            a.run_until(c),
            jit.run_until(&mut b, c),
        );
        let want = outcome(&mut r, &rr);
        assert_eq!(want, outcome(&mut a, &ra), "interpreter at {c}");
        assert_eq!(want, outcome(&mut b, &rb), "JIT at {c}");
    }
    let regs = &r.state.thread_cpu(0).unwrap().regs;
    assert!(regs[11] > 900, "the program did not reach both rewrites");
    assert!(
        jit.stats.jit_steps > cuts[cuts.len() - 1] / 2,
        "{:?}",
        jit.stats
    );
    assert!(
        jit.stats.invalidations >= 2,
        "the rewrites did not drop the chained translation: {:?}",
        jit.stats
    );
    assert!(a.code.stats.invalidated >= 2, "{:?}", a.code.stats);
}

#[test]
fn rewriting_a_chained_loop_cannon64() {
    for t in [1, 2, 50] {
        check(true, t);
    }
}

#[test]
fn rewriting_a_chained_loop_mips32() {
    for t in [1, 2, 50] {
        check(false, t);
    }
}

const L: u64 = 0x40000;
const DATA: u64 = 0x51000;

// registers: s0 (16) = DATA, t0 (8) counts rounds, t1 (9) is stored, t5 (13) = t0 & 1,
// t6 (14) the SC result, t7 (15) counts successful SCs, t4 (12) the LL result
fn reservation_program() -> State {
    let code = [
        ll(12, 0, 16),     // reserve DATA (runs in the interpreter)
        addiu(8, 8, 1),    // compiled from here
        sw(9, 8, 16),      // same page, another doubleword: keeps the reservation
        i(0x0C, 8, 13, 1), // andi t5, t0, 1
        beq(13, 0, 2),     // even rounds skip the store to the reserved word
        NOP,
        sw(9, 0, 16), // odd rounds: the reserved word, which clears the reservation
        addiu(9, 9, 3),
        sc(14, 0, 16), // succeeds on even rounds only (interpreter)
        addu(15, 15, 14),
        sw(9, 16, 16), // nothing reserved now: the page may enter the write cache
        j_(L),
        NOP,
    ];
    let mut s = MtState::new(VmVersion::MultiThreaded64V5, L);
    s.left[0].cpu.regs[16] = DATA;
    let mem = &mut s.memory;
    for (k, w) in code.iter().enumerate() {
        mem.write_u32(L + 4 * k as u64, *w);
    }
    mem.write_u32(DATA, 0);
    State::Mt(s)
}

#[test]
fn compiled_stores_keep_the_ll_rule() {
    for t in [1, 2, 50] {
        let state = reservation_program();
        let vm = || Vm::new(state.clone(), Oracle::none(), Io::sink());
        let (mut r, mut b) = (vm(), vm());
        let mut jit = jit_with_mode(&b, t, CompileMode::Sync);
        for c in (1..=40).map(|k| k * 97) {
            let (rr, rb) = (step_until(&mut r, c), jit.run_until(&mut b, c));
            assert_eq!(outcome(&mut r, &rr), outcome(&mut b, &rb), "JIT at {c}");
            assert_eq!(
                r.stats.reservation_invalidations, b.stats.reservation_invalidations,
                "invalidations at {c}"
            );
        }
        let regs = r.state.thread_cpu(0).unwrap().regs;
        assert!(regs[8] > 200, "rounds: {}", regs[8]);
        // about half the SCs succeed: the odd rounds' stores really cleared the reservation
        assert!(regs[15] > 50 && regs[15] < regs[8] - 50, "{regs:?}");
        assert!(jit.stats.jit_steps > 1000, "{:?}", jit.stats);
    }
}
