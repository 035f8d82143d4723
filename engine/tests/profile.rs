//! `--profile` and `--debug`: profiles add up to the run's steps, block-at-a-time accounting
//! equals step-by-step accounting, and a failing run prints a traceback with the guest's frames.

mod common;
use common::*;
use engine::engine::Engine;
use engine::profile::Watcher;
use std::process::Output;

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    o
}

fn meta_of(elf: &str) -> interp::elf::Metadata {
    let bytes = std::fs::read(fixtures().join("elf").join(format!("{elf}.elf"))).unwrap();
    interp::elf::load_elf(&bytes, interp::VmVersion::MultiThreaded64V5)
        .unwrap()
        .meta
}

#[test]
fn block_accounting_equals_step_by_step() {
    // (the asm fixtures' symbols are labels without sizes: blocks there run through several
    // "functions", and each step counts in the one its own PC is in)
    for (elf, pre) in [
        ("go64-hello", None),
        ("go64-claim", Some("claim-good")),
        ("asm64-branches", None),
        ("asm64-alu", None),
    ] {
        let stop = if pre.is_some() { 3_000_000 } else { u64::MAX };
        let meta = meta_of(elf);
        let mut a = fixture_vm(elf, "multithreaded64-5", pre);
        let mut ea = Engine::interp();
        ea.observe(Watcher::new(meta.clone(), true, true));
        // stop at awkward places too: inside blocks, between a branch and its delay slot
        let mut x = 3u64;
        while !a.state.exited() && a.state.step() < stop {
            x = interp::vm::splitmix64(x);
            let next = (a.state.step() + 1 + x % 5000).min(stop);
            ea.run_until(&mut a, next).unwrap();
        }
        let mut b = fixture_vm(elf, "multithreaded64-5", pre);
        let mut eb = Engine::interp();
        eb.observe(Watcher::new(meta, true, true));
        while !b.state.exited() && b.state.step() < stop {
            eb.step_with(&mut b, |vm| vm.step()).unwrap();
        }
        let wa = ea.observer_mut().unwrap();
        let wb = eb.observer_mut().unwrap();
        assert_eq!(a.state.hash(), b.state.hash(), "{elf}: same run");
        assert_eq!(wa.steps, a.state.step(), "{elf}: every step counted");
        let (fa, fb) = (wa.folded(), wb.folded());
        if fa != fb {
            let la: std::collections::BTreeSet<&str> = fa.lines().collect();
            let lb: std::collections::BTreeSet<&str> = fb.lines().collect();
            let only_a: Vec<_> = la.difference(&lb).take(5).collect();
            let only_b: Vec<_> = lb.difference(&la).take(5).collect();
            panic!(
                "{elf}: folded stacks differ\nblocks only: {only_a:#?}\nsteps only: {only_b:#?}"
            );
        }
        let ca: Vec<_> = wa.classes().collect();
        let cb: Vec<_> = wb.classes().collect();
        assert_eq!(ca, cb, "{elf}: classes");
        let t = wa.traceback(&a.state);
        let tb = wb.traceback(&b.state);
        assert_eq!(t, tb);
    }
}

/// Runs `vm` to `stop` (or its exit) through `e`, in stretches ending at pseudo-random steps
/// (inside blocks, between a branch and its delay slot, at quantum edges).
fn run_in_cuts(e: &mut Engine, vm: &mut interp::Vm, stop: u64, seed: u64) {
    let mut x = seed;
    while !vm.state.exited() && vm.state.step() < stop {
        x = interp::vm::splitmix64(x);
        let next = (vm.state.step() + 1 + x % 200_000).min(stop);
        e.run_until(vm, next).unwrap();
    }
}

/// Profiles and tracebacks at compiled speed: a JIT built to trace reports every block it runs
/// (compiled or interpreted), and what the watcher makes of that equals, exactly, what it makes
/// of the interpreter running the same steps: folded stacks, classes, step count and the
/// traceback, at every cut, whatever got compiled when (every block on first sight, the default
/// threshold, background compilation with delayed translations).
#[test]
fn jit_profile_equals_interpreter_profile() {
    use engine::jit::{CompileMode, Jit, JitOptions};
    use std::time::Duration;
    let cases = [
        ("go64-hello", None, u64::MAX),
        ("go64-claim", Some("claim-good"), u64::MAX),
        ("go64-derive", Some("derive-10"), 6_000_000),
    ];
    let modes = [
        ("sync, threshold 1", CompileMode::Sync, 1),
        ("sync, threshold 64", CompileMode::Sync, 64),
        (
            "background, delayed",
            CompileMode::Background(Duration::from_millis(2)),
            16,
        ),
    ];
    for (elf, pre, stop) in cases {
        let meta = meta_of(elf);
        let mut a = fixture_vm(elf, "multithreaded64-5", pre);
        let mut ea = Engine::interp();
        ea.observe(Watcher::new(meta.clone(), true, true));
        run_in_cuts(&mut ea, &mut a, stop, 11);
        let wa = ea.observer_mut().unwrap();
        let (fa, ta) = (wa.folded(), wa.traceback(&a.state));
        let ca: Vec<_> = wa.classes().collect();
        assert_eq!(wa.steps, a.state.step(), "{elf}: every step counted");
        for (what, mode, threshold) in modes {
            let mut b = fixture_vm(elf, "multithreaded64-5", pre);
            let opts = JitOptions {
                verify: true,
                mode,
                trace: true,
            };
            let mut jit = Jit::with_options(true, opts).expect("JIT on this host");
            jit.threshold = threshold;
            let mut eb = Engine::with_jit(jit);
            eb.observe(Watcher::new(meta.clone(), true, true));
            run_in_cuts(&mut eb, &mut b, stop, 11);
            assert_eq!(a.state.hash(), b.state.hash(), "{elf} ({what}): same run");
            // (delayed background translations may arrive after a short guest has ended)
            assert!(
                eb.jit().unwrap().stats.jit_steps > 0 || mode != CompileMode::Sync,
                "{elf} ({what}): compiled code ran"
            );
            let wb = eb.observer_mut().unwrap();
            assert_eq!(
                wb.steps,
                b.state.step(),
                "{elf} ({what}): every step counted"
            );
            let fb = wb.folded();
            if fa != fb {
                let la: std::collections::BTreeSet<&str> = fa.lines().collect();
                let lb: std::collections::BTreeSet<&str> = fb.lines().collect();
                let only_a: Vec<_> = la.difference(&lb).take(5).collect();
                let only_b: Vec<_> = lb.difference(&la).take(5).collect();
                panic!("{elf} ({what}): folded stacks differ\ninterp only: {only_a:#?}\njit only: {only_b:#?}");
            }
            let cb: Vec<_> = wb.classes().collect();
            assert_eq!(ca, cb, "{elf} ({what}): classes");
            assert_eq!(ta, wb.traceback(&b.state), "{elf} ({what}): traceback");
        }
    }
}

#[test]
fn profile_adds_up_to_the_run() {
    let d = scratch("profile_claim");
    let elf = fixtures().join("elf/go64-claim.elf");
    ok(common::load_elf(
        &d,
        "multithreaded64-5",
        &elf,
        "pre.bin.gz",
    ));
    let pre = fixtures().join("preimages/claim-good");
    let o = ok(run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "",
            "--meta",
            "meta.json",
            "--info-at",
            "never",
            "--profile",
            "claim.folded",
            "--debug-info",
            "di.json",
            "--preimages",
            pre.to_str().unwrap(),
        ],
    ));
    assert!(stderr(&o).contains("profile: "));
    let di: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("di.json")).unwrap()).unwrap();
    let total = di["total_steps"].as_u64().unwrap();
    assert_eq!(total, 64_184_024);
    let folded = std::fs::read_to_string(d.join("claim.folded")).unwrap();
    let mut sum = 0u64;
    for line in folded.lines() {
        let (stack, n) = line.rsplit_once(' ').expect("`stack count`");
        assert!(!stack.is_empty());
        sum += n.parse::<u64>().expect("count");
    }
    assert_eq!(sum, total, "folded stacks add up to the steps");
    assert!(folded.contains("main.main;"), "frames below main.main");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("claim.folded.json")).unwrap()).unwrap();
    assert_eq!(summary["total_steps"], total);
    let classes: u64 = summary["classes"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(classes, total, "the class histogram adds up");
    for c in [
        "alu",
        "load_store",
        "branch",
        "mul_div",
        "syscall",
        "scheduler",
    ] {
        assert!(summary["classes"][c].as_u64().unwrap() > 0, "{c}");
    }
    let syms: u64 = summary["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["steps"].as_u64().unwrap())
        .sum();
    assert_eq!(syms, total, "per-symbol counts add up");
    assert_eq!(summary["symbols"][0]["name"], "main.keccakF");
    // symbols are required
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--meta",
            "",
            "--profile",
            "x.folded",
        ],
    );
    assert_error(&o, 1, "--meta");
}

#[test]
fn debug_prints_a_traceback_on_a_fault() {
    let d = scratch("debug_traceback");
    let elf = fixtures().join("elf/go64-hello.elf");
    ok(common::load_elf(&d, "multithreaded64-5", &elf, "pre.bin"));
    // find the PC at some step deep in the program and plant an invalid instruction there
    let mut vm = fixture_vm("go64-hello", "multithreaded64-5", None);
    vm.run_until(300_000).unwrap();
    let pc = vm.state.pc();
    let mut st = interp::files::read_state(&d.join("pre.bin")).unwrap();
    // COP0 (opcode 0x10): not a Cannon instruction
    assert_eq!(
        interp::decode::decode(0x4000_0000, true).op,
        interp::decode::Op::Invalid
    );
    st.memory_mut().write_u32(pc & !3, 0x4000_0000);
    interp::files::write_state(&d.join("bad.bin"), &st).unwrap();
    let args = [
        "run",
        "--input",
        "bad.bin",
        "--output",
        "",
        "--meta",
        "meta.json",
    ];
    let o = run(&d, &[&args[..], &["--debug"]].concat());
    assert_error(&o, 2, "invalid instruction");
    // without --debug: no traceback, but the failing PC's function and a pointer to --debug
    let plain = run(&d, &args);
    assert_error(&plain, 2, "invalid instruction");
    let err = stderr(&plain);
    assert!(
        err.contains(&format!(
            "the failing instruction at pc 0x{:x} is in ",
            pc & !3
        )) && err.contains("run again with --debug for a traceback"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("traceback"));
    let out = String::from_utf8_lossy(&o.stdout);
    let tb = out
        .split("traceback at pc=")
        .nth(1)
        .unwrap_or_else(|| panic!("no traceback in stdout: {out}"));
    assert!(tb.starts_with(&format!("{:x}.", pc & !3)), "{tb}");
    let frames: Vec<&str> = tb.lines().skip(1).filter(|l| l.starts_with('\t')).collect();
    assert!(!frames.is_empty(), "frames: {tb}");
    assert!(frames[0].starts_with("\t0 "), "{tb}");
    assert!(frames
        .iter()
        .all(|f| f.contains(" in ") && f.contains("caller=")));
}

/// A traced JIT's blocks that leave from inside (a store into a page holding compiled code,
/// an instruction that faults) record only the steps that ran: a guest that calls a function
/// in a loop, stores into its own code page every round and ends on a division by zero gives the
/// same profile and traceback whether the interpreter or compiled code ran it. (Without the
/// dispatcher's correction the faulting block counts steps that never ran.)
#[test]
fn jit_profile_exact_across_side_exits() {
    use engine::jit::{CompileMode, Jit, JitOptions};
    use interp::asm;
    use interp::elf::{Metadata, Symbol};
    let base: u64 = 0x1_0000;
    let f = base + 4 * 16;
    let mut words = vec![asm::NOP; 20];
    words[..10].copy_from_slice(&[
        asm::lui(20, 1),       // $20 = base
        asm::addiu(2, 0, 300), // counter
        asm::addiu(3, 3, 1),   // loop:
        asm::sw(3, 0x100, 20), // into this code page (a word never run)
        asm::jal(f),           // call f
        asm::NOP,              //
        asm::addiu(2, 2, -1),  //
        asm::bne(2, 0, -6),    // back to loop
        asm::NOP,              //
        asm::addiu(7, 7, 1),   //
    ]);
    words[10] = asm::addiu(7, 7, 1);
    words[11] = asm::div(7, 6); // by zero: faults inside the block
    words[16] = asm::addiu(5, 5, 1); // f:
    words[17] = asm::jr(31);
    let bytes = elf(true, base, &[Seg::load(base, code(&words))]);
    let meta = Metadata {
        symbols: vec![
            Symbol {
                name: "main".into(),
                start: base,
                size: 64,
            },
            Symbol {
                name: "f".into(),
                start: f,
                size: 16,
            },
        ],
    };
    let vm = || {
        let p = interp::elf::load_elf(&bytes, interp::VmVersion::MultiThreaded64V5).unwrap();
        interp::Vm::new(p.state, interp::oracle::Oracle::none(), interp::Io::sink())
    };
    let run = |e: &mut Engine, v: &mut interp::Vm| {
        let mut x = 5u64;
        loop {
            x = interp::vm::splitmix64(x);
            let next = v.state.step() + 1 + x % 700;
            if e.run_until(v, next).is_err() {
                return;
            }
            assert!(v.state.step() < 100_000, "the guest faults");
        }
    };
    let mut a = vm();
    let mut ea = Engine::interp();
    ea.observe(Watcher::new(meta.clone(), true, true));
    run(&mut ea, &mut a);
    let wa = ea.observer_mut().unwrap();
    let (fa, ta) = (wa.folded(), wa.traceback(&a.state));
    assert!(fa.contains("f 900"), "{fa}");
    // (every round writes the code page, which drops its decoded blocks and their reach
    // counts: only a threshold of 1 gets them compiled)
    let threshold = 1;
    {
        let mut b = vm();
        let opts = JitOptions {
            verify: true,
            mode: CompileMode::Sync,
            trace: true,
        };
        let mut jit = Jit::with_options(true, opts).unwrap();
        jit.threshold = threshold;
        let mut eb = Engine::with_jit(jit);
        eb.observe(Watcher::new(meta.clone(), true, true));
        run(&mut eb, &mut b);
        let s = eb.jit().unwrap().stats.clone();
        assert!(s.jit_steps > 0 && s.invalidations > 0, "{s:?}");
        // untraced, unobserved: the same state
        let mut c = vm();
        let mut jc = Jit::with_mode(true, true, CompileMode::Sync).unwrap();
        jc.threshold = threshold;
        let mut ec = Engine::with_jit(jc);
        run(&mut ec, &mut c);
        assert_eq!(
            a.state.hash(),
            c.state.hash(),
            "untraced threshold {threshold}"
        );
        assert_eq!(a.state.hash(), b.state.hash(), "threshold {threshold}");
        let wb = eb.observer_mut().unwrap();
        assert_eq!(wb.steps, b.state.step(), "threshold {threshold}");
        assert_eq!(fa, wb.folded(), "threshold {threshold}");
        assert_eq!(ta, wb.traceback(&b.state), "threshold {threshold}");
    }
}

/// A one-block loop compiled on first sight whose last round leaves from inside (a division by
/// zero): only that round's entry is cut, and the profile, step count and traceback equal the
/// interpreter's.
#[test]
fn jit_profile_exact_when_a_repeated_block_faults() {
    use engine::jit::{CompileMode, Jit, JitOptions};
    use interp::asm;
    use interp::elf::{Metadata, Symbol};
    let base: u64 = 0x1_0000;
    let words = [
        asm::addiu(2, 0, 500), // counter
        asm::addiu(2, 2, -1),  // loop:
        asm::div(7, 2),        // faults when the counter reaches 0
        asm::bne(2, 0, -3),    // back to loop
        asm::NOP,
        asm::NOP,
    ];
    let bytes = elf(true, base, &[Seg::load(base, code(&words))]);
    let meta = Metadata {
        symbols: vec![Symbol {
            name: "main".into(),
            start: base,
            size: 64,
        }],
    };
    let vm = || {
        let p = interp::elf::load_elf(&bytes, interp::VmVersion::MultiThreaded64V5).unwrap();
        interp::Vm::new(p.state, interp::oracle::Oracle::none(), interp::Io::sink())
    };
    let mut a = vm();
    let mut ea = Engine::interp();
    ea.observe(Watcher::new(meta.clone(), true, true));
    assert!(ea.run_until(&mut a, u64::MAX).is_err(), "the guest faults");
    let wa = ea.observer_mut().unwrap();
    let (fa, ta, sa) = (wa.folded(), wa.traceback(&a.state), wa.steps);
    let opts = JitOptions {
        verify: true,
        mode: CompileMode::Sync,
        trace: true,
    };
    let mut jit = Jit::with_options(true, opts).unwrap();
    jit.threshold = 1;
    let mut eb = Engine::with_jit(jit);
    eb.observe(Watcher::new(meta, true, true));
    let mut b = vm();
    assert!(eb.run_until(&mut b, u64::MAX).is_err(), "the guest faults");
    assert!(eb.jit().unwrap().stats.jit_steps > 1000);
    assert_eq!(a.state.hash(), b.state.hash());
    let wb = eb.observer_mut().unwrap();
    assert_eq!(
        (fa, ta, sa),
        (wb.folded(), wb.traceback(&b.state), wb.steps)
    );
}
