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
    for (elf, pre) in [("go64-hello", None), ("go64-claim", Some("claim-good"))] {
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
        let mut ca: Vec<_> = wa.classes.iter().map(|(c, n)| (c.name(), *n)).collect();
        let mut cb: Vec<_> = wb.classes.iter().map(|(c, n)| (c.name(), *n)).collect();
        ca.sort();
        cb.sort();
        assert_eq!(ca, cb, "{elf}: classes");
        let t = wa.traceback(&a.state);
        let tb = wb.traceback(&b.state);
        assert_eq!(t, tb);
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
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "bad.bin",
            "--output",
            "",
            "--meta",
            "meta.json",
            "--debug",
        ],
    );
    assert_error(&o, 2, "invalid instruction");
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
