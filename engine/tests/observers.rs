//! The observers of the shared run loop and the statistics every engine keeps:
//!
//! * `--profile` and `--debug` give exactly the output they gave before the run loop was
//!   unified (golden files under `tests/golden/observers`, taken from the previous
//!   implementation; the asm fixtures' profiles re-blessed when each step came to be counted in
//!   the function its own PC is in rather than the one its block starts in, which differ there
//!   because their symbols are labels without sizes), on every fixture, with `--vm interp`, and with `--vm jit` at its default
//!   threshold and compiling every block on first sight (compiled code tracing for the watcher);
//! * the whole `--debug-info` JSON is identical between `--vm interp` and `--vm jit` (default
//!   threshold, and every block compiled on first sight) on every fixture and on a planted guest
//!   that runs above Go Cannon's predecoded code region and clears LL reservations with stores
//!   from compiled code.

mod common;
use common::*;
use interp::asm;
use interp::vm::syscall::sys;
use std::path::Path;

/// Fixtures small enough to run several times (the 1e9-step ones are left to the benches).
const SKIP: [&str; 6] = [
    "go64-compute",
    "go64-derive-100",
    "go64-derive-1000",
    "go64-gotools-1",
    "go64-gotools-3",
    "go64-gotools-10",
];

struct Fixture {
    name: String,
    elf: String,
    vm: String,
    preimages: Option<String>,
}

fn fixture_list() -> Vec<Fixture> {
    let text = std::fs::read_to_string(fixtures().join("fixtures.json")).unwrap();
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    j["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !SKIP.contains(&c["name"].as_str().unwrap()))
        .map(|c| Fixture {
            name: c["name"].as_str().unwrap().to_string(),
            elf: c["elf"].as_str().unwrap().to_string(),
            vm: c["vm"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap()
                .to_string(),
            preimages: c["preimages"].as_str().map(str::to_string),
        })
        .collect()
}

fn ok(o: std::process::Output) -> std::process::Output {
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    o
}

fn load(d: &Path, f: &Fixture) {
    let elf = fixtures().join(&f.elf);
    ok(common::load_elf(d, &f.vm, &elf, "pre.bin.gz"));
}

fn run_args<'a>(f: &'a Fixture, pre: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "run",
        "--input",
        "pre.bin.gz",
        "--output",
        "out.bin.gz",
        "--meta",
        "meta.json",
        "--info-at",
        "never",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    if f.preimages.is_some() {
        v.extend(["--preimages".to_string(), pre.to_string()]);
    }
    v
}

fn run_vec(d: &Path, args: &[String]) -> std::process::Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run(d, &a)
}

#[test]
fn profile_and_debug_output_unchanged_on_every_fixture() {
    for f in fixture_list() {
        let d = scratch(&format!("observers_{}", f.name));
        load(&d, &f);
        let pre = f
            .preimages
            .as_ref()
            .map(|p| fixtures().join(p).to_str().unwrap().to_string())
            .unwrap_or_default();
        // the JIT at its default threshold, and compiling every block on first sight (its
        // compiled code then records the blocks it runs for the watcher)
        for extra in [
            &["--vm", "interp"][..],
            &["--vm", "jit"][..],
            &["--vm", "jit", "--jit-threshold", "1", "--jit-cache", "off"][..],
        ] {
            let mut extra = extra.to_vec();
            extra.extend(["--profile", "p.folded", "--debug"]);
            let args = run_args(&f, &pre, &extra);
            let o = ok(run_vec(&d, &args));
            let n = &f.name;
            golden(&format!("observers/{n}.debug.stdout"), &o.stdout);
            golden(
                &format!("observers/{n}.folded.gz"),
                &std::fs::read(d.join("p.folded")).unwrap(),
            );
            golden(
                &format!("observers/{n}.folded.json"),
                &std::fs::read(d.join("p.folded.json")).unwrap(),
            );
        }
    }
}

fn debug_info(d: &Path, args: &[String]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--debug-info".to_string(), "dbg.json".to_string()]);
    ok(run_vec(d, &a));
    serde_json::from_slice(&std::fs::read(d.join("dbg.json")).unwrap()).unwrap()
}

#[test]
fn debug_info_identical_between_engines_on_every_fixture() {
    for f in fixture_list() {
        let d = scratch(&format!("debug_info_{}", f.name));
        load(&d, &f);
        let pre = f
            .preimages
            .as_ref()
            .map(|p| fixtures().join(p).to_str().unwrap().to_string())
            .unwrap_or_default();
        let interp = debug_info(&d, &run_args(&f, &pre, &["--vm", "interp"]));
        for threshold in ["1024", "1"] {
            let jit = debug_info(
                &d,
                &run_args(&f, &pre, &["--vm", "jit", "--jit-threshold", threshold]),
            );
            assert_eq!(
                interp, jit,
                "{}: --debug-info, JIT threshold {threshold}",
                f.name
            );
        }
    }
}

/// A guest whose code lies above 128 MiB (every fetch is an instruction-cache miss) and whose
/// hot loop, compiled, stores to the word an `ll` reserved.
#[test]
fn debug_info_identical_on_high_code_with_reservation_stores() {
    let base: u64 = 0x0800_0000 + 0x1000;
    let words = [
        asm::lui(20, 0x0900),                     // $20 = 0x09000000 (data)
        asm::addiu(2, 0, 3000),                   // counter
        asm::ll(3, 0, 20),                        // loop: reserve the data word
        asm::sw(3, 0, 20),                        // store to it: clears the reservation
        asm::addiu(2, 2, -1),                     //
        asm::bne(2, 0, -4),                       // back to the ll
        asm::NOP,                                 // delay slot
        asm::addiu(2, 0, sys::EXIT_GROUP as i32), //
        asm::addiu(4, 0, 0),                      //
        asm::SYSCALL,                             //
    ];
    let d = scratch("debug_info_high_code");
    std::fs::write(
        d.join("g.elf"),
        elf(true, base, &[Seg::load(base, code(&words))]),
    )
    .unwrap();
    ok(common::load_elf(
        &d,
        "multithreaded64-5",
        Path::new("g.elf"),
        "pre.bin.gz",
    ));
    let f = Fixture {
        name: "high".into(),
        elf: String::new(),
        vm: String::new(),
        preimages: None,
    };
    let interp = debug_info(&d, &run_args(&f, "", &["--vm", "interp"]));
    assert_eq!(interp["reservation_invalidation_count"], 3000, "{interp}");
    assert_eq!(
        interp["instruction_cache_miss_count"],
        2 + 5 * 3000 + 3,
        "{interp}"
    );
    assert_eq!(
        interp["highest_icache_miss_pc"],
        format!("0x{:x}", base + 4 * 9),
        "{interp}"
    );
    for threshold in ["1", "2", "1024"] {
        let args = run_args(
            &f,
            "",
            &["--vm", "jit", "--jit-threshold", threshold, "--jit-stats"],
        );
        let jit = debug_info(&d, &args);
        assert_eq!(interp, jit, "JIT threshold {threshold}");
    }
}
