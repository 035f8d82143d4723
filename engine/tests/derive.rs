//! The derivation-like guest (`fixtures/src/go/derive`: header walk, transaction tries read
//! through the oracle, a state MPT with per-block roots) and the large-footprint guest
//! (`fixtures/src/go/gotools`: Go's parser, type checker and printer, regexp and JSON over
//! generated packages; 17,000 distinct blocks) under both engines on multithreaded64-5: exact
//! exit code, step count and stdout, and the same final state hash from the interpreter and the
//! JIT. derive-1000 and gotools-3/-10 (0.3 to 1.5 G steps) are left to the benchmark harness.

mod common;
use common::fixtures;
use engine::jit::{CompileMode, Jit};
use interp::oracle::{DirSource, Oracle};
use interp::{Io, Vm, VmVersion};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);
impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A VM over the case's ELF (`go64-derive.elf` for `derive-*`, `go64-gotools.elf` for
/// `gotools-*`) with preimages from `fixtures/preimages/<case>`, guest stdout and stderr captured.
fn derive_vm(case: &str) -> (Vm, Buf, Buf) {
    let guest = case.split('-').next().unwrap();
    let bytes = std::fs::read(fixtures().join(format!("elf/go64-{guest}.elf"))).unwrap();
    let program = interp::elf::load_elf(&bytes, VmVersion::MultiThreaded64V5).unwrap();
    let oracle = Oracle::new(Box::new(
        DirSource::new(fixtures().join("preimages").join(case)).unwrap(),
    ));
    let (out, err) = (Buf::default(), Buf::default());
    let io = Io {
        stdout: Box::new(out.clone()),
        stderr: Box::new(err.clone()),
    };
    (Vm::new(program.state, oracle, io), out, err)
}

/// `cannonball_steps` of a case in fixtures.json (measured with both engines when the derive
/// fixtures were made).
fn recorded_steps(case: &str) -> u64 {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("fixtures.json")).unwrap()).unwrap();
    let name = format!("go64-{case}");
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name.as_str())
        .unwrap_or_else(|| panic!("{name} not in fixtures.json"))["cannonball_steps"]
        .as_u64()
        .unwrap_or_else(|| panic!("{name}: no cannonball_steps in fixtures.json"))
}

struct Outcome {
    exit: u8,
    steps: u64,
    hash: String,
    stdout: String,
    stderr: String,
}

fn finish(mut vm: Vm, out: Buf, err: Buf) -> Outcome {
    assert!(vm.state.exited(), "the guest must have exited");
    let stdout = String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.0.lock().unwrap()).into_owned();
    Outcome {
        exit: vm.state.exit_code(),
        steps: vm.state.step(),
        hash: vm.state.hash().to_string(),
        stdout,
        stderr,
    }
}

fn check(case: &str, exit: u8, steps: u64) {
    assert_eq!(
        recorded_steps(case),
        steps,
        "{case}: fixtures.json's cannonball_steps"
    );
    let expected = std::fs::read_to_string(
        fixtures()
            .join("expected")
            .join(format!("go64-{case}.stdout")),
    )
    .unwrap();

    let (mut vm, out, err) = derive_vm(case);
    vm.run_until(u64::MAX)
        .unwrap_or_else(|e| panic!("{case}, interpreter: {e}"));
    let interp = finish(vm, out, err);

    // the JIT compiling synchronously (so most steps run compiled whatever the timing), and
    // compiling in the background (the default: the share of compiled steps depends on timing,
    // the results do not)
    let (mut vm, out, err) = derive_vm(case);
    let mut jit = Jit::with_mode(true, false, CompileMode::Sync).expect("JIT on this host");
    jit.run_until(&mut vm, u64::MAX)
        .unwrap_or_else(|e| panic!("{case}, JIT: {e}"));
    let stats = jit.stats.clone();
    let compiled = finish(vm, out, err);
    let (mut vm, out, err) = derive_vm(case);
    let mode = CompileMode::Background(std::time::Duration::ZERO);
    let mut jit = Jit::with_mode(true, false, mode).expect("JIT on this host");
    jit.run_until(&mut vm, u64::MAX)
        .unwrap_or_else(|e| panic!("{case}, background JIT: {e}"));
    let background = finish(vm, out, err);
    assert_eq!(
        interp.hash, background.hash,
        "{case}: background JIT final state"
    );

    for (engine, o) in [
        ("interpreter", &interp),
        ("JIT", &compiled),
        ("background JIT", &background),
    ] {
        assert_eq!(o.stdout, expected, "{case}, {engine}: stdout");
        assert_eq!(o.stderr, "", "{case}, {engine}: stderr");
        assert_eq!(o.exit, exit, "{case}, {engine}: exit code");
        assert_eq!(o.steps, steps, "{case}, {engine}: step count");
    }
    assert_eq!(
        interp.hash, compiled.hash,
        "{case}: final state hash, interpreter vs JIT"
    );
    assert!(
        stats.jit_steps > steps / 2,
        "{case}: most steps should run compiled ({} of {steps})",
        stats.jit_steps
    );
    eprintln!(
        "{case}: exit {exit}, {steps} steps, final state {}; JIT: {} blocks compiled in {:.3}s, {} steps compiled",
        interp.hash,
        stats.blocks_compiled,
        stats.compile_time.as_secs_f64(),
        stats.jit_steps
    );
}

#[test]
fn derive_10() {
    check("derive-10", 0, 26_312_496);
}

#[test]
fn derive_10_bad() {
    check("derive-10-bad", 1, 26_312_514);
}

#[test]
fn derive_100() {
    check("derive-100", 0, 147_448_066);
}

#[test]
fn gotools_1() {
    check("gotools-1", 0, 120_693_090);
}
