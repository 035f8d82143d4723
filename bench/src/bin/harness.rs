//! Side-by-side harness: each workload of `bench::SCENARIOS` under cannonball's interpreter and
//! JIT, qemu-mips64 (user mode, same ELF) and the same Go source built for the host, every run
//! a measured subprocess; prints a table, writes a JSON result and an SVG plot.
//!
//! ```text
//! cargo build --release -p engine
//! cargo run --release -p bench --bin harness -- [--reps N] [--workloads derive-10,derive-100,...]
//!     [--engines interp,jit,qemu,native] [--json out.json] [--svg out.svg]
//! ```
//!
//! A workload named `move-*` is one op-challenger move (op-challenger's `run` argv, the preimage
//! server as a child process); only cannonball's engines run it, and its records go to `moves`.

use bench::host::{run_measured, ChildRun};
use bench::report::{
    check_complete, fill_ratios, median, table, Host, JitRecord, Report, RunRecord, ENGINES,
};
use bench::{repo_root, Scenario};
use clap::Parser;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Parser, Debug)]
#[command(
    name = "harness",
    about = "Runs workloads under cannonball (interp, jit), qemu-mips64 and natively, side by side"
)]
struct Args {
    /// Runs per workload and engine (the median is reported).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Comma-separated workloads (bench::SCENARIOS names: compute, claim, derive-10,
    /// derive-10-bad, derive-100, derive-1000, gotools-1, gotools-3, gotools-10,
    /// move-gotools-10).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "derive-10,derive-100,derive-1000"
    )]
    workloads: Vec<String>,
    /// Comma-separated engines: interp, jit, qemu, native.
    #[arg(long, value_delimiter = ',', default_value = "interp,jit,qemu,native")]
    engines: Vec<String>,
    /// Write the result as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a plot (steps/s and time against workload size) here.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// The cannonball binary (default: `cannonball` beside this harness, i.e. target/release).
    #[arg(long)]
    cannonball: Option<PathBuf>,
    /// The qemu-user binary for 64-bit big-endian MIPS.
    #[arg(long, default_value = "qemu-mips64")]
    qemu: String,
}

type Res<T> = Result<T, String>;

fn main() {
    if let Err(e) = real_main() {
        eprintln!("harness: error: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Res<()> {
    let args = Args::parse();
    if args.reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    let mut engines: Vec<String> = Vec::new();
    for e in &args.engines {
        if !ENGINES.contains(&e.as_str()) {
            return Err(format!(
                "unknown engine {e:?} (known: {})",
                ENGINES.join(", ")
            ));
        }
        if !engines.contains(e) {
            engines.push(e.clone());
        }
    }
    let mut workloads: Vec<&'static Scenario> = Vec::new();
    for w in &args.workloads {
        let s = bench::scenario(w).ok_or_else(|| {
            let known: Vec<&str> = bench::SCENARIOS.iter().map(|s| s.name).collect();
            format!("unknown workload {w:?} (known: {})", known.join(", "))
        })?;
        if !s.available() {
            return Err(format!(
                "workload {}: {} or its preimages are missing",
                s.name,
                s.elf_path().display()
            ));
        }
        if !workloads.contains(&s) {
            workloads.push(s);
        }
    }
    if engines.is_empty() || workloads.is_empty() {
        return Err("no engines or no workloads given".into());
    }
    let (moves, workloads): (Vec<&'static Scenario>, Vec<&'static Scenario>) =
        workloads.into_iter().partition(|w| w.proof_at.is_some());
    let move_engines: Vec<String> = engines
        .iter()
        .filter(|e| is_cannonball(e))
        .cloned()
        .collect();
    if !moves.is_empty() && move_engines.is_empty() {
        return Err(
            "move workloads run only under cannonball: add interp or a jit engine to --engines"
                .into(),
        );
    }

    // Everything requested must be there: no silent gaps.
    let mut tools = BTreeMap::new();
    let cannonball = match &args.cannonball {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find the harness's own path: {e}"))?
            .with_file_name("cannonball"),
    };
    if engines.iter().any(|e| is_cannonball(e)) {
        let v = tool_version(Command::new(&cannonball).arg("--version")).map_err(|e| {
            format!(
                "{} does not run ({e}); build it with `cargo build --release -p engine` or pass --cannonball",
                cannonball.display()
            )
        })?;
        for e in ENGINES.iter().filter(|e| is_cannonball(e)) {
            if engines.iter().any(|x| x == e) {
                tools.insert(e.to_string(), format!("{} ({v})", cannonball.display()));
            }
        }
    }
    if engines.iter().any(|e| e == "qemu") {
        let v = tool_version(Command::new(&args.qemu).arg("--version")).map_err(|e| {
            format!(
                "qemu was requested but {:?} does not run ({e}); install qemu-user (apt-get install qemu-user) or leave qemu out of --engines",
                args.qemu
            )
        })?;
        tools.insert("qemu".into(), format!("{} ({v})", args.qemu));
    }
    if engines.iter().any(|e| e == "native") {
        let mut bins = Vec::new();
        for w in &workloads {
            let p = w.native_path().ok_or_else(|| {
                format!(
                    "native was requested but workload {} has no native build (only the derive and gotools workloads do); leave native out of --engines",
                    w.name
                )
            })?;
            if !p.exists() {
                return Err(format!(
                    "{} is missing (scripts/build-native-derive.sh builds it)",
                    p.display()
                ));
            }
            let rel = w.native.expect("native path").to_string();
            if !bins.contains(&rel) {
                bins.push(rel);
            }
        }
        tools.insert(
            "native".into(),
            format!(
                "{} (go1.23.9 linux/amd64, see fixtures/native/TOOLCHAINS)",
                bins.join(", ")
            ),
        );
    }

    let tmp = std::env::temp_dir().join(format!("cannonball-harness-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let result = measure_all(&args, &engines, &workloads, &cannonball, &tmp).and_then(|runs| {
        let moved = measure_all(&args, &move_engines, &moves, &cannonball, &tmp)?;
        Ok((runs, moved))
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let (mut runs, mut move_runs) = result?;
    fill_ratios(&mut runs);
    fill_ratios(&mut move_runs);

    let report = Report {
        schema: "cannonball-harness/1".into(),
        command: std::iter::once("harness".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" "),
        reps: args.reps,
        engines: engines.clone(),
        workloads: workloads.iter().map(|w| w.name.to_string()).collect(),
        move_workloads: moves.iter().map(|w| w.name.to_string()).collect(),
        move_engines: if moves.is_empty() { Vec::new() } else { move_engines.clone() },
        host: host(),
        git_commit: git_commit(),
        tools,
        notes: vec![
            "times: wall clock of the whole subprocess (start-up, state load and exit included), median of reps".into(),
            "steps: cannonball's step count; for qemu and native, steps/s = cannonball's steps / wall time, an approximation (qemu executes about as many MIPS instructions as Cannon takes steps; native runs amd64 code)".into(),
            "x interp, x qemu: interp (qemu) median time / this engine's median time, > 1 is faster".into(),
            "peak RSS: the child's ru_maxrss (wait4), largest over the reps".into(),
            "qemu and native: GOMAXPROCS=1, preimages served by the harness on fds 3-6".into(),
            "jit columns: blocks compiled by Cranelift / installed from the code cache, compile time (on the compile thread), share of steps run in compiled code; from --jit-stats-json of the last rep".into(),
            "moves: op-challenger's argv (run --proof-at =N --stop-at =N+1 --snapshot-at %1000000000 --info-at %10000000 --debug-info, the preimage server `cannonball serve-preimages` after --), from the prestate; steps = N+1".into(),
        ],
        runs,
        moves: move_runs,
    };
    let doc = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    let problems = check_complete(&doc);
    if !problems.is_empty() {
        return Err(format!("incomplete result:\n  {}", problems.join("\n  ")));
    }

    if !workloads.is_empty() {
        println!("{}", table(&report.runs));
    }
    if !report.moves.is_empty() {
        println!("op-challenger moves:\n{}", table(&report.moves));
    }
    for n in &report.notes {
        println!("* {n}");
    }
    if let Some(p) = &args.json {
        let s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(p, s + "\n").map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!("harness: wrote {}", p.display());
    }
    if let Some(p) = &args.svg {
        plot(&report, p)?;
        eprintln!("harness: wrote {}", p.display());
    }
    Ok(())
}

/// First line of a tool's `--version` output.
fn tool_version(cmd: &mut Command) -> Res<String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("exit status {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string())
}

fn host() -> Host {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let os = Command::new("uname")
        .arg("-sr")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    Host { cpu, cpus, os }
}

fn git_commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(h) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{h}-dirty")
            } else {
                h
            }
        }
        None => "unknown (not a git work tree)".into(),
    }
}

fn shell_words(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            let s = a.to_string_lossy();
            if s.is_empty() {
                "\"\"".to_string()
            } else {
                s.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn tail(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

fn measure_all(
    args: &Args,
    engines: &[String],
    workloads: &[&'static Scenario],
    cannonball: &Path,
    tmp: &Path,
) -> Res<Vec<RunRecord>> {
    let mut runs = Vec::new();
    let mut states: BTreeMap<(&str, &str), PathBuf> = BTreeMap::new();
    for w in workloads {
        let expected = w
            .expected_stdout()
            .map_err(|e| format!("{}: expected stdout: {e}", w.name))?;
        for engine in engines {
            let jit_stats = tmp.join("jit-stats.json");
            let make = |debug_info: &Path, state: &Path| -> Command {
                match engine.as_str() {
                    e if is_cannonball(e) => {
                        let mut c = Command::new(cannonball);
                        c.arg("run")
                            .args(["--vm", if engine == "interp" { "interp" } else { "jit" }])
                            .arg("--jit-cache")
                            // jit: a cold start (no cache); jit-warm: a cache warmed by one
                            // untimed run first (a profiled run keeps its own)
                            .arg(if is_warm(e) {
                                tmp.join(format!("jit-cache-{}-{e}", w.name))
                            } else {
                                PathBuf::from("off")
                            })
                            .arg("--input")
                            .arg(state)
                            .arg("--debug-info")
                            .arg(debug_info)
                            .arg("--jit-stats-json")
                            .arg(&jit_stats);
                        if is_profiled(e) {
                            c.arg("--meta")
                                .arg(state.with_extension("meta.json"))
                                .arg("--profile")
                                .arg(tmp.join("profile.folded"));
                        } else {
                            c.args(["--meta", ""]);
                        }
                        match w.proof_at {
                            // op-challenger's argv, the preimage server a child process
                            Some(n) => {
                                let dir = tmp.join("move");
                                c.arg("--output")
                                    .arg(dir.join("final.bin.gz"))
                                    .args(["--info-at", "%10000000"])
                                    .arg("--proof-at")
                                    .arg(format!("={n}"))
                                    .arg("--proof-fmt")
                                    .arg(dir.join("proofs/%d.json.gz"))
                                    .args(["--snapshot-at", "%1000000000", "--snapshot-fmt"])
                                    .arg(dir.join("snapshots/%d.bin.gz"))
                                    .arg("--stop-at")
                                    .arg(format!("={}", n + 1))
                                    .arg("--")
                                    .arg(cannonball)
                                    .args(["serve-preimages", "--dir"])
                                    .arg(w.preimage_dir().expect("a move has preimages"));
                            }
                            None => {
                                c.args(["--output", "", "--info-at", "never"])
                                    .arg("--preimages")
                                    .arg(
                                        w.preimage_dir()
                                            .unwrap_or_else(|| tmp.join("no-preimages")),
                                    );
                            }
                        }
                        c
                    }
                    "qemu" => {
                        let mut c = Command::new(&args.qemu);
                        c.arg(w.elf_path()).env("GOMAXPROCS", "1");
                        c
                    }
                    _ => {
                        let mut c = Command::new(w.native_path().expect("checked"));
                        c.env("GOMAXPROCS", "1");
                        c
                    }
                }
            };
            let cannon = is_cannonball(engine);
            let state = if cannon {
                let key = (w.elf, w.vm_type);
                if let Some(p) = states.get(&key) {
                    p.clone()
                } else {
                    let p = tmp.join(format!("{}.{}.bin", w.elf, w.vm_type));
                    let out = Command::new(cannonball)
                        .args(["load-elf", "--type", w.vm_type, "--path"])
                        .arg(w.elf_path())
                        .arg("--out")
                        .arg(&p)
                        .arg("--meta")
                        .arg(p.with_extension("meta.json"))
                        .output()
                        .map_err(|e| format!("{}: {e}", cannonball.display()))?;
                    if !out.status.success() {
                        return Err(format!("load-elf {} failed: {}", w.elf, tail(&out.stderr)));
                    }
                    states.insert(key, p.clone());
                    p
                }
            } else {
                PathBuf::new()
            };
            if w.preimage_dir().is_none() {
                std::fs::create_dir_all(tmp.join("no-preimages")).map_err(|e| e.to_string())?;
            }
            let debug_info = tmp.join("debug-info.json");
            if is_warm(engine) {
                let _ = std::fs::remove_dir_all(tmp.join(format!("jit-cache-{}-{engine}", w.name)));
                let warm = make(&debug_info, &state)
                    .output()
                    .map_err(|e| format!("{} / {engine}: warming the cache: {e}", w.name))?;
                if !warm.status.success() {
                    return Err(format!(
                        "{} / {engine}: warming the cache failed: {}",
                        w.name,
                        tail(&warm.stderr)
                    ));
                }
            }
            let mut times = Vec::new();
            let mut rss = 0u64;
            let mut exit = None;
            let mut steps = w.steps;
            let mut command = String::new();
            let mut jit = None;
            for rep in 0..args.reps {
                let _ = std::fs::remove_file(&debug_info);
                let _ = std::fs::remove_file(&jit_stats);
                let _ = std::fs::remove_dir_all(tmp.join("move"));
                if w.proof_at.is_some() {
                    // op-challenger creates these before it runs the VM
                    for d in ["move/proofs", "move/snapshots"] {
                        std::fs::create_dir_all(tmp.join(d)).map_err(|e| e.to_string())?;
                    }
                }
                let cmd = make(&debug_info, &state);
                command = shell_words(&cmd);
                // cannonball serves preimages itself (--preimages); the others get fds 3-6
                let oracle = if cannon { None } else { w.preimage_dir() };
                let r: ChildRun = run_measured(cmd, oracle.as_deref())
                    .map_err(|e| format!("{} / {engine}: {command}: {e}", w.name))?;
                let what = format!("{} / {engine} (rep {}/{})", w.name, rep + 1, args.reps);
                if let Some(sig) = r.signal {
                    return Err(format!(
                        "{what}: killed by signal {sig}\n{}",
                        tail(&r.stderr)
                    ));
                }
                if r.code != i32::from(w.exit) {
                    return Err(format!(
                        "{what}: exit code {} where {} was expected\n{}",
                        r.code,
                        w.exit,
                        tail(&r.stderr)
                    ));
                }
                if r.stdout != expected {
                    return Err(format!(
                        "{what}: stdout {:?} differs from fixtures/expected/{}.stdout",
                        String::from_utf8_lossy(&r.stdout),
                        w.case
                    ));
                }
                if cannon {
                    let info: serde_json::Value = serde_json::from_slice(
                        &std::fs::read(&debug_info)
                            .map_err(|e| format!("{what}: debug info: {e}"))?,
                    )
                    .map_err(|e| format!("{what}: debug info: {e}"))?;
                    let s = info["total_steps"]
                        .as_u64()
                        .ok_or_else(|| format!("{what}: no total_steps in the debug info"))?;
                    if s != w.steps {
                        return Err(format!(
                            "{what}: {s} steps where the scenario says {}",
                            w.steps
                        ));
                    }
                    steps = s;
                    if let Some(n) = w.proof_at {
                        let proof = tmp.join(format!("move/proofs/{n}.json.gz"));
                        if !proof.is_file() {
                            return Err(format!("{what}: no proof at {}", proof.display()));
                        }
                    }
                    if engine != "interp" {
                        let j: serde_json::Value = serde_json::from_slice(
                            &std::fs::read(&jit_stats)
                                .map_err(|e| format!("{what}: jit stats: {e}"))?,
                        )
                        .map_err(|e| format!("{what}: jit stats: {e}"))?;
                        let num = |k: &str| j[k].as_f64().unwrap_or(0.0);
                        jit = Some(JitRecord {
                            blocks_compiled: num("blocks_compiled") as u64,
                            blocks_cached: num("blocks_cached") as u64,
                            compile_s: num("compile_seconds"),
                            compiled_share: num("jit_steps") / (steps.max(1) as f64),
                        });
                    }
                }
                eprintln!(
                    "harness: {what}: {:.3} s, {:.1} MiB, exit {}",
                    r.wall.as_secs_f64(),
                    r.max_rss_kib as f64 / 1024.0,
                    r.code
                );
                times.push(r.wall.as_secs_f64());
                rss = rss.max(r.max_rss_kib);
                exit = Some(r.code);
            }
            let median_s = median(&times);
            runs.push(RunRecord {
                workload: w.name.to_string(),
                size: w.size,
                size_unit: w.size_unit.to_string(),
                engine: engine.clone(),
                command: command.replace(&tmp.display().to_string(), "$TMP"),
                steps,
                steps_source: if cannon { "debug-info" } else { "cannonball" }.into(),
                times_s: times,
                median_s,
                steps_per_s: steps as f64 / median_s,
                x_interp: None,
                x_qemu: None,
                peak_rss_mib: rss as f64 / 1024.0,
                exit_code: exit.expect("at least one rep"),
                expected_exit: i32::from(w.exit),
                stdout_ok: true,
                jit,
            });
        }
    }
    Ok(runs)
}

/// Two log-log panels over the workloads measured in blocks with a good exit: steps/s and wall
/// time against the number of blocks, one line per engine.
fn plot(report: &Report, path: &Path) -> Res<()> {
    use plotters::prelude::*;
    let runs: Vec<&RunRecord> = report
        .runs
        .iter()
        .filter(|r| r.size_unit == "blocks" && r.expected_exit == 0)
        .collect();
    if runs.is_empty() {
        return Err(
            "--svg: nothing to plot (the plot is over the derive workloads: derive-10, derive-100, derive-1000)"
                .into(),
        );
    }
    let colors = [
        RGBColor(0xd6, 0x27, 0x28), // interp
        RGBColor(0x1f, 0x77, 0xb4), // jit
        RGBColor(0x94, 0x67, 0xbd), // jit-warm
        RGBColor(0xff, 0x7f, 0x0e), // jit-profile
        RGBColor(0x8c, 0x56, 0x4b), // jit-warm-profile
        RGBColor(0x2c, 0xa0, 0x2c), // qemu
        RGBColor(0x7f, 0x7f, 0x7f), // native
    ];
    let label = |e: &str| match e {
        "interp" => "cannonball interp",
        "jit" => "cannonball jit (cold)",
        "jit-warm" => "cannonball jit (warm cache)",
        "jit-profile" => "cannonball jit --profile (cold)",
        "jit-warm-profile" => "cannonball jit --profile (warm cache)",
        "qemu" => "qemu-mips64",
        _ => "native amd64 (Go)",
    };
    let (xmin, xmax) = runs.iter().fold((f64::MAX, f64::MIN), |(a, b), r| {
        (a.min(r.size as f64), b.max(r.size as f64))
    });
    // x: log10(blocks) on a linear axis, labelled at the powers of ten only (a log axis
    // labels every 10, 20, ..., 90, 100, ...)
    let (xmin, xmax) = (xmin.log10() - 0.25, xmax.log10() + 0.25);
    // headroom above the data for the legend (upper left)
    let span = |f: &dyn Fn(&RunRecord) -> f64| {
        let (lo, hi) = runs
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(f(r)), b.max(f(r))));
        (lo / 2.5, hi * 12.0)
    };
    let err = |e: &dyn std::fmt::Display| format!("--svg {}: {e}", path.display());
    let root = SVGBackend::new(path, (1280, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(
            &format!(
                "derive workload: cannonball vs qemu-mips64 vs native ({} reps, median; {})",
                report.reps, report.host.cpu
            ),
            ("sans-serif", 20),
        )
        .map_err(|e| err(&e))?;
    let panels = root.split_horizontally(640);
    type Metric = (
        &'static str,
        &'static str,
        fn(&RunRecord) -> f64,
        fn(f64) -> String,
    );
    let metrics: [Metric; 2] = [
        (
            "throughput (qemu, native: cannonball's steps / time)",
            "steps per second",
            |r| r.steps_per_s,
            si,
        ),
        (
            "wall time per run (whole process)",
            "time",
            |r| r.median_s,
            seconds,
        ),
    ];
    for (area, (title, ydesc, f, fmt)) in [panels.0, panels.1].iter().zip(metrics) {
        let (ymin, ymax) = span(&f);
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 16))
            .margin(18)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(xmin..xmax, (ymin..ymax).log_scale())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("workload size (blocks)")
            .y_desc(ydesc)
            .x_labels(((xmax - xmin) * 4.0).ceil() as usize + 1)
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 {
                    format!("{:.0}", 10f64.powf(x.round()))
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| fmt(*y))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| err(&e))?;
        for (k, engine) in ENGINES.iter().enumerate() {
            let mut pts: Vec<(f64, f64)> = runs
                .iter()
                .filter(|r| r.engine == *engine)
                .map(|r| ((r.size as f64).log10(), f(r)))
                .collect();
            if pts.is_empty() {
                continue;
            }
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let c = colors[k];
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(3)))
                .map_err(|e| err(&e))?
                .label(label(engine))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 5, c.filled())))
                .map_err(|e| err(&e))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// 1.5e9 -> "1.5 G", 2e7 -> "20 M".
fn si(v: f64) -> String {
    let (d, suffix) = if v >= 1e9 {
        (1e9, " G")
    } else if v >= 1e6 {
        (1e6, " M")
    } else if v >= 1e3 {
        (1e3, " k")
    } else {
        (1.0, "")
    };
    short(v / d) + suffix
}

/// 0.012 -> "12 ms", 1.5 -> "1.5 s".
fn seconds(v: f64) -> String {
    if v >= 1.0 {
        short(v) + " s"
    } else {
        short(v * 1e3) + " ms"
    }
}

fn short(x: f64) -> String {
    if x >= 10.0 || (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// True for the engines that are cannonball itself.
fn is_cannonball(engine: &str) -> bool {
    engine == "interp" || engine.starts_with("jit")
}

/// The cannonball engines that keep a warm code cache (warmed by one untimed run first).
fn is_warm(engine: &str) -> bool {
    engine.starts_with("jit-warm")
}

/// The cannonball engines that run with `--profile` (folded stacks and a summary written).
fn is_profiled(engine: &str) -> bool {
    engine.ends_with("-profile")
}
