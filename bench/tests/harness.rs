//! The harness's JSON result has every field filled for every engine run: the completeness
//! check itself (it must reject gaps), then a real run of the harness binary on derive-10 with
//! all four engines (needs `target/<profile>/cannonball`, which `cargo test --workspace` and
//! scripts/test.sh build, and qemu-mips64, which .ci/run installs).

use bench::report::{check_complete, fill_ratios, Host, Report, RunRecord, RUN_FIELDS};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn record(workload: &str, engine: &str, median: f64) -> RunRecord {
    RunRecord {
        workload: workload.into(),
        size: 10,
        size_unit: "blocks".into(),
        engine: engine.into(),
        command: format!("{engine} ..."),
        steps: 26_312_496,
        steps_source: "debug-info".into(),
        times_s: vec![median, median * 1.1],
        median_s: median,
        steps_per_s: 26_312_496.0 / median,
        x_interp: None,
        x_qemu: None,
        peak_rss_mib: 12.5,
        exit_code: 0,
        expected_exit: 0,
        stdout_ok: true,
        jit: None,
    }
}

fn report(engines: &[&str]) -> Report {
    let mut runs: Vec<RunRecord> = engines
        .iter()
        .enumerate()
        .map(|(i, e)| record("derive-10", e, 1.0 + i as f64))
        .collect();
    fill_ratios(&mut runs);
    Report {
        schema: "cannonball-harness/1".into(),
        command: "harness".into(),
        reps: 2,
        engines: engines.iter().map(|e| e.to_string()).collect(),
        workloads: vec!["derive-10".into()],
        host: Host {
            cpu: "cpu".into(),
            cpus: 2,
            os: "Linux".into(),
        },
        git_commit: "0123".into(),
        tools: engines
            .iter()
            .map(|e| (e.to_string(), format!("{e} 1.0")))
            .collect::<BTreeMap<_, _>>(),
        notes: vec!["note".into()],
        runs,
        move_workloads: Vec::new(),
        move_engines: Vec::new(),
        moves: Vec::new(),
    }
}

fn doc(r: &Report) -> Value {
    serde_json::to_value(r).unwrap()
}

#[test]
fn completeness_check_accepts_a_full_result_and_rejects_gaps() {
    let full = report(&["interp", "jit", "qemu", "native"]);
    assert_eq!(check_complete(&doc(&full)), Vec::<String>::new());
    assert_eq!(full.runs[1].x_interp, Some(0.5));
    assert_eq!(full.runs[1].x_qemu, Some(1.5));

    // without qemu, x_qemu is null everywhere and that is complete
    let no_qemu = report(&["interp", "jit"]);
    assert!(check_complete(&doc(&no_qemu)).is_empty());
    assert!(no_qemu.runs.iter().all(|r| r.x_qemu.is_none()));

    // each field removed or nulled in one record is reported
    for f in RUN_FIELDS {
        let mut d = doc(&full);
        d["runs"][2].as_object_mut().unwrap().remove(*f);
        let bad = check_complete(&d);
        assert!(
            bad.iter().any(|b| b.contains(f) && b.contains("missing")),
            "{f} removed: {bad:?}"
        );
        let mut d = doc(&full);
        d["runs"][2][*f] = Value::Null;
        assert!(!check_complete(&d).is_empty(), "{f} null accepted");
    }
    type Breakage = (&'static str, fn(&mut Value));
    let broken: [Breakage; 9] = [
        ("a missing engine record", |d| {
            d["runs"].as_array_mut().unwrap().pop();
        }),
        ("a duplicate record", |d| {
            let r = d["runs"][0].clone();
            d["runs"].as_array_mut().unwrap().push(r);
        }),
        ("too few times", |d| {
            d["runs"][0]["times_s"] = serde_json::json!([1.0])
        }),
        ("a zero time", |d| d["runs"][1]["median_s"] = 0.into()),
        ("zero steps", |d| d["runs"][1]["steps"] = 0.into()),
        ("a wrong exit code", |d| {
            d["runs"][3]["exit_code"] = 1.into()
        }),
        ("a stdout mismatch", |d| {
            d["runs"][3]["stdout_ok"] = false.into()
        }),
        ("an empty command", |d| d["runs"][0]["command"] = "".into()),
        ("a missing tool", |d| {
            d["tools"].as_object_mut().unwrap().remove("qemu");
        }),
    ];
    for (what, f) in broken {
        let mut d = doc(&full);
        f(&mut d);
        assert!(!check_complete(&d).is_empty(), "{what} accepted");
    }
    // a ratio against an engine that was not run must stay null
    let mut d = doc(&no_qemu);
    d["runs"][0]["x_qemu"] = 1.0.into();
    assert!(!check_complete(&d).is_empty());
    for f in ["engines", "runs", "host", "reps"] {
        let mut d = doc(&full);
        d.as_object_mut().unwrap().remove(f);
        assert!(
            !check_complete(&d).is_empty(),
            "top-level {f} missing accepted"
        );
    }
}

#[test]
fn completeness_check_covers_moves() {
    let mut full = report(&["interp", "jit", "qemu"]);
    full.move_workloads = vec!["move-gotools-10".into()];
    full.move_engines = vec!["interp".into(), "jit".into()];
    full.moves = ["interp", "jit"]
        .iter()
        .map(|e| record("move-gotools-10", e, 2.0))
        .collect();
    fill_ratios(&mut full.moves);
    assert_eq!(check_complete(&doc(&full)), Vec::<String>::new());
    // a move record missing, a move ratio against qemu (which cannot run a move), a move
    // engine that was not requested
    let mut d = doc(&full);
    d["moves"].as_array_mut().unwrap().pop();
    assert!(
        !check_complete(&d).is_empty(),
        "missing move record accepted"
    );
    let mut d = doc(&full);
    d["moves"][0]["x_qemu"] = 1.0.into();
    assert!(!check_complete(&d).is_empty(), "move x_qemu accepted");
    let mut d = doc(&full);
    d["move_engines"] = serde_json::json!(["interp", "jit", "jit-warm"]);
    assert!(
        !check_complete(&d).is_empty(),
        "unrequested move engine accepted"
    );
}

#[test]
fn harness_runs_derive_10_on_every_engine() {
    let harness = PathBuf::from(env!("CARGO_BIN_EXE_harness"));
    let cannonball = harness.with_file_name("cannonball");
    assert!(
        cannonball.exists(),
        "{} is not built: run `cargo build --release -p engine` (scripts/test.sh builds it)",
        cannonball.display()
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("harness-test");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("out.json");
    let svg = dir.join("out.svg");
    let out = Command::new(&harness)
        .args(["--reps", "1", "--workloads", "derive-10"])
        .args(["--engines", "interp,jit,qemu,native", "--json"])
        .arg(&json)
        .arg("--svg")
        .arg(&svg)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "harness failed: {stderr}");
    let d: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(check_complete(&d), Vec::<String>::new());
    let runs = d["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4);
    for r in runs {
        assert_eq!(r["steps"], 26_312_496, "{r}");
        assert_eq!(r["exit_code"], 0, "{r}");
        assert!(r["x_interp"].as_f64().unwrap() > 0.0);
        assert!(r["x_qemu"].as_f64().unwrap() > 0.0);
        // the JIT's own account comes with its row, and only with its row
        let jit = &r["jit"];
        if r["engine"] == "jit" {
            let share = jit["compiled_share"].as_f64().unwrap();
            assert!(share > 0.0 && share <= 1.0, "{r}");
            assert!(jit["blocks_compiled"].as_u64().unwrap() > 0, "{r}");
        } else {
            assert!(jit.is_null(), "{r}");
        }
    }
    let table = String::from_utf8_lossy(&out.stdout);
    for e in ["interp", "jit", "qemu", "native"] {
        assert!(
            table
                .lines()
                .any(|l| l.contains("derive-10") && l.contains(e)),
            "{e} row missing: {table}"
        );
    }
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.contains("qemu-mips64"));

    // an engine that cannot run fails loudly, not with a gap
    let out = Command::new(&harness)
        .args([
            "--reps",
            "1",
            "--workloads",
            "derive-10",
            "--engines",
            "qemu",
        ])
        .args(["--qemu", "/nonexistent/qemu-mips64"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("qemu"));
    let out = Command::new(&harness)
        .args(["--reps", "1", "--workloads", "claim", "--engines", "native"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "claim has no native build");
}

#[test]
fn harness_runs_an_op_challenger_move() {
    let harness = PathBuf::from(env!("CARGO_BIN_EXE_harness"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("harness-move-test");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("out.json");
    // qemu is requested too: it runs the ordinary workload and is left out of the move
    let out = Command::new(&harness)
        .args(["--reps", "1", "--workloads", "gotools-1,move-gotools-10"])
        .args(["--engines", "jit,qemu", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "harness failed: {stderr}");
    let d: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(check_complete(&d), Vec::<String>::new());
    assert_eq!(d["runs"].as_array().unwrap().len(), 2);
    let moves = d["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 1);
    let m = &moves[0];
    assert_eq!(m["engine"], "jit");
    assert_eq!(m["steps"], 1_000_000_001u64, "{m}");
    let cmd = m["command"].as_str().unwrap();
    for flag in [
        "--proof-at =1000000000",
        "--stop-at =1000000001",
        "--snapshot-at %1000000000",
        "--info-at %10000000",
        "--debug-info",
        "serve-preimages",
    ] {
        assert!(cmd.contains(flag), "{flag} missing from {cmd}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("op-challenger moves"));
    // a move alone needs one of cannonball's engines
    let out = Command::new(&harness)
        .args([
            "--reps",
            "1",
            "--workloads",
            "move-gotools-10",
            "--engines",
            "qemu",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
