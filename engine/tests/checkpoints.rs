//! Issue 4: op-challenger's exact invocation end to end, bisection mode against single runs,
//! snapshot resume (with and without tree sidecars), and fault injection (a host that dies or
//! stalls, unwritable outputs, truncated snapshots, an interrupted run).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLAIM_STEPS: u64 = 64_184_024;

fn out_str(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "exit {:?}; stderr: {}",
        o.status.code(),
        stderr(&o)
    );
    o
}

/// Loads `elf` as a multithreaded64-5 prestate `pre.bin.gz` in `d`.
fn prestate_of(d: &Path, elf: &str) {
    let path = fixtures().join("elf").join(format!("{elf}.elf"));
    ok(common::load_elf(
        d,
        "multithreaded64-5",
        &path,
        "pre.bin.gz",
    ));
}

fn preimages(name: &str) -> String {
    fixtures()
        .join("preimages")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `cannonball witness --input path` as JSON.
fn witness(d: &Path, path: &str) -> serde_json::Value {
    let o = ok(run(d, &["witness", "--input", path]));
    serde_json::from_str(&out_str(&o)).expect("witness JSON")
}

fn read_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut s)
            .unwrap();
        s
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).expect("JSON")
}

/// No temporary files left anywhere below `d`.
fn assert_no_temp_files(d: &Path) {
    for e in walk(d) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".tmp"),
            "temporary file left: {}",
            e.display()
        );
    }
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs the prestate to `stop` with preimages from a directory and returns the witness JSON of
/// the state there.
fn state_at(d: &Path, input: &str, stop: u64, pre: &str) -> serde_json::Value {
    let out = format!("at-{stop}.bin.gz");
    ok(run(
        d,
        &[
            "run",
            "--input",
            input,
            "--output",
            &out,
            "--meta",
            "",
            "--info-at",
            "never",
            "--stop-at",
            &format!("={stop}"),
            "--preimages",
            &preimages(pre),
        ],
    ));
    witness(d, &out)
}

#[test]
fn op_challenger_invocation_end_to_end() {
    let d = scratch("ckpt_op_challenger");
    prestate_of(&d, "go64-claim");
    let pre = witness(&d, "pre.bin.gz");
    assert_eq!(pre["stateVersion"], 8);
    assert!(pre["witnessHash"].as_str().unwrap().starts_with("0x03"));
    let dir = d.join("game");
    let server = [
        bin().to_string(),
        "serve-preimages".into(),
        "--dir".into(),
        preimages("claim-good"),
    ];
    // op-challenger's argv (cannon-spec §5.4), the host command after `--`
    let challenger_run = |input: &str, n: u64| -> Output {
        let mut args: Vec<String> = [
            "run",
            "--input",
            input,
            "--output",
            &format!("{}/final.bin.gz", dir.display()),
            "--meta",
            "",
            "--info-at",
            "%10000000",
            "--proof-at",
            &format!("={n}"),
            "--proof-fmt",
            &format!("{}/proofs/%d.json.gz", dir.display()),
            "--snapshot-at",
            "%10000000",
            "--snapshot-fmt",
            &format!("{}/snapshots/%d.bin.gz", dir.display()),
            "--stop-at",
            &format!("={}", n + 1),
            "--debug-info",
            &format!("{}/debug-info.json", dir.display()),
            "--",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(server.iter().cloned());
        std::fs::create_dir_all(dir.join("proofs")).unwrap();
        std::fs::create_dir_all(dir.join("snapshots")).unwrap();
        Command::new(bin())
            .args(&args)
            .current_dir(&d)
            .output()
            .unwrap()
    };
    let n = 30_000_007u64;
    let o = ok(challenger_run("pre.bin.gz", n));
    assert!(stderr(&o).contains("processing step="), "progress lines");
    let proof = read_json(&dir.join(format!("proofs/{n}.json.gz")));
    assert_eq!(proof["step"], n);
    for f in ["pre", "post", "state-data", "proof-data"] {
        assert!(proof[f].as_str().unwrap().starts_with("0x"), "{f}");
    }
    // the proof's post state is the state after replaying from the prestate to n + 1
    let replay = state_at(&d, "pre.bin.gz", n + 1, "claim-good");
    assert_eq!(proof["post"], replay["witnessHash"]);
    let fin = witness(&d, &format!("{}/final.bin.gz", dir.display()));
    assert_eq!(fin["witnessHash"], proof["post"]);
    assert_eq!(fin["step"], n + 1);
    // the pre state is the state at n
    assert_eq!(
        proof["pre"],
        state_at(&d, "pre.bin.gz", n, "claim-good")["witnessHash"]
    );
    // debug info (cannon-spec §5.3)
    let di = read_json(&dir.join("debug-info.json"));
    for f in [
        "pages",
        "memory_used",
        "num_preimage_requests",
        "total_preimage_size",
        "total_steps",
        "instruction_cache_miss_count",
        "highest_icache_miss_pc",
        "rmw_success_count",
        "rmw_fail_count",
        "max_steps_between_ll_and_sc",
        "reservation_invalidation_count",
        "forced_preemption_count",
        "idle_step_count_thread_0",
    ] {
        assert!(!di[f].is_null(), "debug info field {f}");
    }
    assert_eq!(di["total_steps"], n + 1);
    assert!(di["num_preimage_requests"].as_u64().unwrap() > 0);
    // snapshots at 0 < k <= n; the next move starts from the newest one below its index
    for k in [10_000_000u64, 20_000_000, 30_000_000] {
        assert!(dir.join(format!("snapshots/{k}.bin.gz")).exists(), "{k}");
    }
    let n2 = 45_000_123u64;
    let start = format!("{}/snapshots/30000000.bin.gz", dir.display());
    ok(challenger_run(&start, n2));
    let proof2 = read_json(&dir.join(format!("proofs/{n2}.json.gz")));
    let replay2 = state_at(&d, "pre.bin.gz", n2 + 1, "claim-good");
    assert_eq!(proof2["post"], replay2["witnessHash"]);
    // a move past the end: no proof file, the final state has exited and `witness` gives the
    // claim op-challenger extends the trace with
    let n3 = 70_000_000u64;
    let start = format!("{}/snapshots/40000000.bin.gz", dir.display());
    ok(challenger_run(&start, n3));
    assert!(!dir.join(format!("proofs/{n3}.json.gz")).exists());
    let fin = witness(&d, &format!("{}/final.bin.gz", dir.display()));
    assert_eq!(fin["exited"], true);
    assert_eq!(fin["exitCode"], 0);
    assert_eq!(fin["step"], CLAIM_STEPS);
    assert_no_temp_files(&d);
}

/// Runs `bisect` on `pre.bin.gz` in `d` with `queries` (lines) and returns the answers.
fn bisect(
    d: &Path,
    pre: Option<&str>,
    extra: &[&str],
    queries: &[String],
) -> Vec<serde_json::Value> {
    bisect_output(d, pre, extra, queries).0
}

/// As [`bisect`], also returning the process output.
fn bisect_output(
    d: &Path,
    pre: Option<&str>,
    extra: &[&str],
    queries: &[String],
) -> (Vec<serde_json::Value>, Output) {
    std::fs::write(d.join("queries.txt"), queries.join("\n") + "\n").unwrap();
    let mut args = vec![
        "bisect",
        "--input",
        "pre.bin.gz",
        "--queries",
        "queries.txt",
        "--info-at",
        "never",
    ];
    let dir;
    if let Some(p) = pre {
        dir = preimages(p);
        args.extend(["--preimages", dir.as_str()]);
    }
    args.extend_from_slice(extra);
    let o = ok(run(d, &args));
    // stdout carries the answers and nothing else (the guest's output goes to stderr)
    let lines: Vec<serde_json::Value> = out_str(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not an answer: {l:?}: {e}")))
        .collect();
    assert_eq!(
        lines.len(),
        queries.len(),
        "one answer per query: {}",
        out_str(&o)
    );
    (lines, o)
}

/// `run --proof-at =k --stop-at =k+1` into `dir/%d.json`.
fn single_proof(d: &Path, k: u64, pre: Option<&str>, dir: &str) {
    let mut args = vec![
        "run".to_string(),
        "--input".into(),
        "pre.bin.gz".into(),
        "--output".into(),
        "".into(),
        "--meta".into(),
        "".into(),
        "--info-at".into(),
        "never".into(),
        "--proof-at".into(),
        format!("={k}"),
        "--stop-at".into(),
        format!("={}", k + 1),
        "--proof-fmt".into(),
        format!("{dir}/%d.json"),
    ];
    if let Some(p) = pre {
        args.extend(["--preimages".into(), preimages(p)]);
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    ok(run(d, &refs));
}

fn splitmix(x: u64) -> u64 {
    interp::vm::splitmix64(x)
}

#[test]
fn bisect_proofs_equal_single_runs_byte_for_byte() {
    let d = scratch("ckpt_bisect_hello");
    prestate_of(&d, "go64-hello");
    let total = 434_096u64;
    // steps: the start, random ones, runs of consecutive steps (delay slots, quantum edges),
    // the last step, and past the end
    let mut steps = vec![0u64, 1, 2, 99_999, 100_000, 100_001, total - 1];
    let mut x = 7u64;
    for _ in 0..20 {
        x = splitmix(x);
        steps.push(x % total);
    }
    for k in 250_000..250_006 {
        steps.push(k);
    }
    std::fs::create_dir_all(d.join("b")).unwrap();
    std::fs::create_dir_all(d.join("r")).unwrap();
    let mut queries: Vec<String> = steps.iter().map(|k| format!("proof {k}")).collect();
    queries.extend(
        steps
            .iter()
            .map(|k| format!("{{\"op\":\"hash\",\"step\":{k}}}")),
    );
    queries.push(format!("proof {}", total + 5));
    queries.push(format!("hash {}", total + 5));
    for (name, extra) in [
        ("plain", vec!["--checkpoint-interval", "40000"]),
        // a budget far below the trace's needs: checkpoints are evicted, answers stay exact
        (
            "evicting",
            vec![
                "--checkpoint-interval",
                "10000",
                "--checkpoint-memory",
                "600K",
            ],
        ),
        (
            "interp",
            vec!["--checkpoint-interval", "40000", "--vm", "interp"],
        ),
    ] {
        let out = format!("b/{name}");
        std::fs::create_dir_all(d.join(&out)).unwrap();
        let fmt = format!("{out}/%d.json");
        let mut args = extra.clone();
        args.extend(["--proof-fmt", fmt.as_str()]);
        let answers = bisect(&d, None, &args, &queries);
        for (i, k) in steps.iter().enumerate() {
            let a = &answers[i];
            assert_eq!(a["step"], *k);
            assert!(a["error"].is_null(), "{a}");
            // the hash answer at k is the proof's pre-state hash
            let h = &answers[steps.len() + i];
            assert_eq!(h["hash"], a["proof"]["pre"], "step {k}");
        }
        let past = &answers[2 * steps.len()];
        assert_eq!(past["final_state"], true);
        assert_eq!(past["proof"]["proof-data"], "0x");
        assert_eq!(past["proof"]["post"], answers[2 * steps.len() + 1]["hash"]);
    }
    let fin = state_at(&d, "pre.bin.gz", total + 10, "claim-good");
    assert_eq!(fin["exited"], true);
    let past = bisect(&d, None, &[], &[format!("hash {}", total + 1)]);
    assert_eq!(past[0]["hash"], fin["witnessHash"]);
    let mut unique = steps.clone();
    unique.sort_unstable();
    unique.dedup();
    for k in &unique {
        single_proof(&d, *k, None, "r");
        let single = std::fs::read(d.join(format!("r/{k}.json"))).unwrap();
        for name in ["plain", "evicting", "interp"] {
            let b = std::fs::read(d.join(format!("b/{name}/{k}.json"))).unwrap();
            assert!(
                b == single,
                "proof {k} from bisect ({name}) differs from a single run"
            );
        }
    }
}

#[test]
fn bisect_proofs_with_preimage_reads_equal_single_runs() {
    let d = scratch("ckpt_bisect_claim");
    prestate_of(&d, "go64-claim");
    // find steps that read a preimage: stop after a keccak read, then after a local one
    let mut reads = Vec::new();
    for ty in ["keccak", "local"] {
        let o = ok(run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--output",
                "",
                "--meta",
                "",
                "--info-at",
                "never",
                "--stop-at-preimage-type",
                ty,
                "--preimages",
                &preimages("claim-good"),
            ],
        ));
        let err = stderr(&o);
        let line = err
            .lines()
            .find(|l| l.starts_with("stopping after preimage read"))
            .unwrap_or_else(|| panic!("no preimage stop: {err}"));
        let step: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        reads.push(step - 1); // the reading step
    }
    let mut steps = reads.clone();
    steps.extend([0, 12_345_678, 40_000_001, CLAIM_STEPS - 1]);
    let queries: Vec<String> = steps.iter().map(|k| format!("proof {k}")).collect();
    std::fs::create_dir_all(d.join("b")).unwrap();
    std::fs::create_dir_all(d.join("r")).unwrap();
    let answers = bisect(
        &d,
        Some("claim-good"),
        &[
            "--checkpoint-interval",
            "5000000",
            "--proof-fmt",
            "b/%d.json",
        ],
        &queries,
    );
    for (i, k) in steps.iter().enumerate() {
        assert!(answers[i]["error"].is_null(), "{}", answers[i]);
        single_proof(&d, *k, Some("claim-good"), "r");
        let b = std::fs::read(d.join(format!("b/{k}.json"))).unwrap();
        let s = std::fs::read(d.join(format!("r/{k}.json"))).unwrap();
        assert!(b == s, "proof {k} differs");
    }
    for (i, _) in reads.iter().enumerate() {
        let p = &answers[i]["proof"];
        assert!(
            p["oracle-key"].is_string(),
            "a read step carries its preimage: {p}"
        );
        assert!(p["oracle-value"].is_string());
    }
}

#[test]
fn snapshot_resume_matches_an_uninterrupted_run() {
    let d = scratch("ckpt_resume");
    prestate_of(&d, "go64-claim");
    std::fs::create_dir_all(d.join("s")).unwrap();
    let o = ok(run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "full.bin.gz",
            "--meta",
            "",
            "--info-at",
            "never",
            "--snapshot-at",
            "%20000000",
            "--snapshot-fmt",
            "s/%d.bin.gz",
            "--tree-sidecar",
            "--preimages",
            &preimages("claim-good"),
        ],
    ));
    drop(o);
    let full = witness(&d, "full.bin.gz");
    assert!(d.join("s/40000000.bin.gz.tree").exists());
    for (k, input) in [
        (20_000_000u64, "s/20000000.bin.gz"),
        (40_000_000, "s/40000000.bin.gz"),
    ] {
        let snap = witness(&d, input);
        assert_eq!(snap["step"], k);
        let out = format!("resumed-{k}.bin.gz");
        let o = ok(run(
            &d,
            &[
                "run",
                "--input",
                input,
                "--output",
                &out,
                "--meta",
                "",
                "--info-at",
                "never",
                "--preimages",
                &preimages("claim-good"),
            ],
        ));
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
        assert_eq!(witness(&d, &out), full, "resumed from {k}");
    }
    // the sidecar gives the same witness as hashing the pages
    let with_tree = witness(&d, "s/40000000.bin.gz");
    let bare = d.join("bare.bin.gz");
    std::fs::copy(d.join("s/40000000.bin.gz"), &bare).unwrap();
    assert_eq!(witness(&d, "bare.bin.gz"), with_tree);
    // a stale sidecar (another state's) is detected and ignored
    std::fs::copy(
        d.join("s/20000000.bin.gz.tree"),
        d.join("s/40000000.bin.gz.tree"),
    )
    .unwrap();
    let o = ok(run(&d, &["witness", "--input", "s/40000000.bin.gz"]));
    assert!(
        stderr(&o).contains("ignoring tree sidecar"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&out_str(&o)).unwrap();
    assert_eq!(v, with_tree);
    // a sidecar whose hashes were tampered with but whose digest fits is caught by the root
    let mut t = std::fs::read(d.join("s/20000000.bin.gz.tree")).unwrap();
    let n = t.len();
    t[n - 40] ^= 1; // last page's hash
    std::fs::write(d.join("s/20000000.bin.gz.tree"), &t).unwrap();
    let o = ok(run(&d, &["witness", "--input", "s/20000000.bin.gz"]));
    assert!(
        stderr(&o).contains("ignoring tree sidecar"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&out_str(&o)).unwrap();
    assert_eq!(v["step"], 20_000_000u64);
    assert_eq!(
        v["witnessHash"],
        state_at(&d, "pre.bin.gz", 20_000_000, "claim-good")["witnessHash"]
    );
    // a sidecar with the right digest whose page count makes its size wrap (2^61 pages of 40
    // bytes: 32 + 2^61 * 40 + 32 = 64 mod 2^64) is ignored with a warning, not a crash
    // (the header, with the digest of the 20 M state, is taken from that state's sidecar)
    let at20 = v;
    let t = std::fs::read(d.join("s/20000000.bin.gz.tree")).unwrap();
    let mut w = t[..24].to_vec();
    w.extend_from_slice(&(1u64 << 61).to_be_bytes());
    w.extend_from_slice(&t[t.len() - 32..]);
    assert_eq!(w.len(), 64);
    std::fs::write(d.join("s/20000000.bin.gz.tree"), &w).unwrap();
    let o = ok(run(&d, &["witness", "--input", "s/20000000.bin.gz"]));
    assert!(
        stderr(&o).contains("ignoring tree sidecar") && stderr(&o).contains("malformed"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&out_str(&o)).unwrap();
    assert_eq!(v, at20);
}

fn host_run(d: &Path, server_flags: &[&str], extra: &[&str]) -> Output {
    let mut args: Vec<String> = [
        "run",
        "--input",
        "pre.bin.gz",
        "--output",
        "final.bin.gz",
        "--meta",
        "",
        "--info-at",
        "never",
        "--snapshot-at",
        "%1000000",
        "--snapshot-fmt",
        "s/%d.bin.gz",
        "--proof-at",
        "=60000000",
        "--proof-fmt",
        "p/%d.json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--".into());
    args.extend([
        bin().to_string(),
        "serve-preimages".into(),
        "--dir".into(),
        preimages("claim-good"),
    ]);
    args.extend(server_flags.iter().map(|s| s.to_string()));
    std::fs::create_dir_all(d.join("s")).unwrap();
    std::fs::create_dir_all(d.join("p")).unwrap();
    Command::new(bin())
        .args(&args)
        .current_dir(d)
        .output()
        .unwrap()
}

/// Every snapshot written is complete and readable.
fn assert_snapshots_intact(d: &Path) -> usize {
    let mut n = 0;
    for p in walk(&d.join("s")) {
        let name = p.to_string_lossy().into_owned();
        if name.ends_with(".bin.gz") {
            let o = run(d, &["witness", "--input", &name]);
            assert!(o.status.success(), "{name}: {}", stderr(&o));
            n += 1;
        }
    }
    n
}

#[test]
fn host_that_dies_mid_run() {
    let d = scratch("ckpt_host_dies");
    prestate_of(&d, "go64-claim");
    let o = host_run(&d, &["--exit-after", "20"], &[]);
    assert_error(&o, 1, "preimage");
    assert!(
        stderr(&o).contains("server exited") || stderr(&o).contains("preimage server"),
        "{}",
        stderr(&o)
    );
    assert!(
        !d.join("final.bin.gz").exists(),
        "no final state after a failed run"
    );
    assert!(!d.join("p/60000000.json").exists());
    assert!(
        assert_snapshots_intact(&d) > 0,
        "earlier snapshots are kept"
    );
    assert_no_temp_files(&d);
}

#[test]
fn host_that_stalls_times_out() {
    let d = scratch("ckpt_host_stalls");
    prestate_of(&d, "go64-claim");
    let t0 = std::time::Instant::now();
    let o = host_run(&d, &["--stall-after", "20"], &["--preimage-timeout", "2"]);
    assert_error(&o, 1, "--preimage-timeout");
    assert!(t0.elapsed().as_secs() < 60, "gave up in time");
    assert!(!d.join("final.bin.gz").exists());
    assert!(assert_snapshots_intact(&d) > 0);
    assert_no_temp_files(&d);
}

#[test]
fn unwritable_snapshot_directory_and_truncated_snapshot() {
    let d = scratch("ckpt_disk");
    prestate_of(&d, "go64-claim");
    // snapshots below a regular file cannot be written (root ignores permission bits)
    std::fs::write(d.join("notadir"), b"x").unwrap();
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "final.bin.gz",
            "--meta",
            "",
            "--info-at",
            "never",
            "--snapshot-at",
            "=1000",
            "--snapshot-fmt",
            "notadir/%d.bin.gz",
            "--preimages",
            &preimages("claim-good"),
        ],
    );
    assert_error(&o, 1, "notadir/1000.bin.gz");
    assert!(!d.join("final.bin.gz").exists());
    assert_no_temp_files(&d);
    // a snapshot cut short is refused with a clear error and no output
    ok(run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "mid.bin",
            "--meta",
            "",
            "--info-at",
            "never",
            "--stop-at",
            "=5000000",
            "--preimages",
            &preimages("claim-good"),
        ],
    ));
    let full = std::fs::read(d.join("mid.bin")).unwrap();
    std::fs::write(d.join("cut.bin"), &full[..full.len() / 2]).unwrap();
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "cut.bin",
            "--output",
            "out.bin.gz",
            "--meta",
            "",
        ],
    );
    assert_error(&o, 1, "truncated");
    assert!(!d.join("out.bin.gz").exists());
    let o = run(
        &d,
        &["bisect", "--input", "cut.bin", "--queries", "/dev/null"],
    );
    assert_error(&o, 1, "truncated");
}

#[test]
fn interrupted_run_keeps_every_written_snapshot() {
    let d = scratch("ckpt_interrupt");
    prestate_of(&d, "go64-compute");
    std::fs::create_dir_all(d.join("s")).unwrap();
    let mut child = Command::new(bin())
        .args([
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "final.bin.gz",
            "--meta",
            "",
            "--info-at",
            "never",
            "--snapshot-at",
            "%50000000",
            "--snapshot-fmt",
            "s/%d.bin.gz",
        ])
        .current_dir(&d)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !d.join("s/100000000.bin.gz").exists() {
        assert!(t0.elapsed().as_secs() < 120, "no snapshots appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    if status.code() == Some(0) {
        // the run finished before the signal landed; nothing to check about interruption
        assert!(d.join("final.bin.gz").exists());
    } else {
        assert_eq!(status.code(), Some(130));
        assert!(!d.join("final.bin.gz").exists());
    }
    assert!(assert_snapshots_intact(&d) >= 2);
    assert_no_temp_files(&d);
}

/// `bisect`'s stdout carries only answers: a JSON-lines client reading one line per query gets
/// its answers even when the guest writes to stdout (the claim guest prints its verdict) and the
/// preimage server does too, here a line shaped like an answer with a forged hash. Both go to
/// stderr.
#[test]
fn bisect_stdout_carries_only_answers() {
    let d = scratch("ckpt_bisect_stdout");
    prestate_of(&d, "go64-claim");
    let host = format!(
        "echo '{{\"step\":5,\"hash\":\"0xforged\"}}'; exec {} serve-preimages --dir {}",
        bin(),
        preimages("claim-good")
    );
    let queries = ["hash 5".to_string(), "hash 0".to_string()];
    let (answers, o) = bisect_output(&d, None, &["--", "sh", "-c", &host], &queries);
    let out = out_str(&o);
    assert_eq!(answers.len(), 2, "{out}");
    assert_eq!(answers[0]["step"], 5);
    assert_eq!(answers[1]["step"], 0);
    assert!(!out.contains("forged"), "{out}");
    let err = stderr(&o);
    assert!(
        err.contains("0xforged"),
        "the server's output goes to stderr: {err}"
    );
    assert!(
        err.contains("claim"),
        "the guest's output goes to stderr: {err}"
    );
}

/// A run killed with SIGKILL (op-challenger's deadline) leaves no preimage server running, and
/// the next run into the same directories removes the temporary files of dead processes (not
/// those of live ones).
#[test]
fn killed_run_leaves_no_server_and_the_next_run_cleans_up() {
    let d = scratch("ckpt_sigkill");
    prestate_of(&d, "go64-compute");
    std::fs::create_dir_all(d.join("s")).unwrap();
    // the server records its PID, then waits (the compute guest reads no preimages)
    let mut child = Command::new(bin())
        .args([
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "final.bin.gz",
            "--meta",
            "",
            "--vm",
            "interp",
            "--info-at",
            "never",
            "--",
            "sh",
            "-c",
            "echo $$ > server.pid; exec sleep 60",
        ])
        .current_dir(&d)
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    let server: i32 = loop {
        if let Some(p) = std::fs::read_to_string(d.join("server.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break p;
        }
        assert!(t0.elapsed().as_secs() < 60, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let t0 = std::time::Instant::now();
    loop {
        // gone, or a zombie waiting for whoever adopted it
        match std::fs::read_to_string(format!("/proc/{server}/stat")) {
            Err(_) => break,
            Ok(s)
                if s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z')) =>
            {
                break
            }
            Ok(_) => {}
        }
        assert!(
            t0.elapsed().as_secs() < 10,
            "the preimage server outlived the killed run"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    // what a SIGKILL during a write leaves: a temporary file of a dead process
    let dead = {
        let mut c = Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    };
    let stale = [
        d.join(format!(".final.bin.gz.{dead}.tmp")),
        d.join(format!("s/.7.bin.gz.{dead}.tmp")),
    ];
    let live = d.join(format!("s/.8.bin.gz.{}.tmp", std::process::id()));
    for p in stale.iter().chain([&live]) {
        std::fs::write(p, b"half a state").unwrap();
    }
    ok(run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "final.bin.gz",
            "--meta",
            "",
            "--stop-at",
            "=1000",
            "--snapshot-at",
            "=500",
            "--snapshot-fmt",
            "s/%d.bin.gz",
        ],
    ));
    for p in &stale {
        assert!(!p.exists(), "{} was left behind", p.display());
    }
    assert!(live.exists(), "a live process's temporary file was removed");
    assert!(d.join("final.bin.gz").exists() && d.join("s/500.bin.gz").exists());
}

/// SIGTERM while waiting on a preimage server that stopped answering, with no
/// `--preimage-timeout` (wait forever): the run still stops promptly with exit 130, keeps the
/// snapshots it wrote and leaves no temporary files. Before, the wait ignored the signal.
#[test]
fn sigterm_interrupts_a_wait_on_a_stalled_server() {
    let d = scratch("ckpt_sigterm_stall");
    prestate_of(&d, "go64-claim");
    std::fs::create_dir_all(d.join("s")).unwrap();
    let mut child = Command::new(bin())
        .args([
            "run",
            "--input",
            "pre.bin.gz",
            "--output",
            "final.bin.gz",
            "--meta",
            "",
            "--info-at",
            "never",
            "--snapshot-at",
            "%1000000",
            "--snapshot-fmt",
            "s/%d.bin.gz",
            "--preimage-timeout",
            "0",
            "--",
        ])
        .arg(bin())
        .args([
            "serve-preimages",
            "--dir",
            &preimages("claim-good"),
            "--stall-after",
            "20",
        ])
        .current_dir(&d)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the server stalls at its 21st request, early in the run
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run did not wait on the server"
    );
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t0 = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed().as_secs() > 3 {
            child.kill().unwrap();
            panic!("SIGTERM did not interrupt the wait on the stalled server promptly");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("interrupted"), "{err}");
    assert!(!d.join("final.bin.gz").exists());
    assert_snapshots_intact(&d);
    assert_no_temp_files(&d);
}
