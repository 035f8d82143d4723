//! The side-by-side harness's result: one record per (workload, engine) with every field
//! filled, the checks that it is complete ([`check_complete`], also run by the harness before it
//! writes anything), and the text table.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Engines the harness knows, in table order.
pub const ENGINES: &[&str] = &[
    "interp",
    "jit",
    "jit-warm",
    "jit-profile",
    "jit-warm-profile",
    "qemu",
    "native",
];

/// The whole result (`--json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Format tag.
    pub schema: String,
    /// The harness command line.
    pub command: String,
    /// Runs per (workload, engine).
    pub reps: usize,
    /// Engines requested.
    pub engines: Vec<String>,
    /// Workloads requested.
    pub workloads: Vec<String>,
    /// Host description.
    pub host: Host,
    /// `git rev-parse HEAD` of the work tree (with `-dirty` when it has changes).
    pub git_commit: String,
    /// Per engine: the program run and its version.
    pub tools: BTreeMap<String, String>,
    /// How to read the numbers.
    pub notes: Vec<String>,
    /// One record per (workload, engine).
    pub runs: Vec<RunRecord>,
    /// op-challenger moves requested (`move-*` workloads).
    #[serde(default)]
    pub move_workloads: Vec<String>,
    /// The engines that ran the moves (cannonball's, of those requested).
    #[serde(default)]
    pub move_engines: Vec<String>,
    /// One record per (move, engine).
    #[serde(default)]
    pub moves: Vec<RunRecord>,
}

/// The machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Host {
    /// CPU model.
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// Kernel (`uname -sr`).
    pub os: String,
}

/// One (workload, engine) pair, measured `reps` times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// Scenario name.
    pub workload: String,
    /// Workload size.
    pub size: u64,
    /// What `size` counts.
    pub size_unit: String,
    /// Engine name.
    pub engine: String,
    /// The measured command (one rep).
    pub command: String,
    /// Cannon steps of the run.
    pub steps: u64,
    /// Where `steps` comes from: `debug-info` (this run's total_steps) or `cannonball` (the
    /// scenario's step count, for engines that do not count steps).
    pub steps_source: String,
    /// Wall time of every rep, seconds.
    pub times_s: Vec<f64>,
    /// Median of `times_s`.
    pub median_s: f64,
    /// `steps / median_s`.
    pub steps_per_s: f64,
    /// Speed relative to the interpreter (interp median / this median); null only when the
    /// interpreter was not requested.
    pub x_interp: Option<f64>,
    /// Speed relative to qemu-mips64; null only when qemu was not requested.
    pub x_qemu: Option<f64>,
    /// Largest peak resident set size of the child over the reps, MiB.
    pub peak_rss_mib: f64,
    /// Exit code (the same in every rep).
    pub exit_code: i32,
    /// The scenario's expected exit code.
    pub expected_exit: i32,
    /// Guest stdout matched `fixtures/expected` in every rep.
    pub stdout_ok: bool,
    /// The JIT's own account of the last rep (JIT engines only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jit: Option<JitRecord>,
}

/// What the JIT did in a run (`cannonball run --jit-stats-json`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct JitRecord {
    /// Blocks compiled by Cranelift during the run.
    pub blocks_compiled: u64,
    /// Blocks installed from the persistent code cache.
    pub blocks_cached: u64,
    /// Time spent compiling, seconds (on the compile thread).
    pub compile_s: f64,
    /// Share of the steps run in compiled code (0..1).
    pub compiled_share: f64,
}

/// Median of a non-empty slice.
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Fills `x_interp` and `x_qemu` of every record from the same workload's interp and qemu
/// records.
pub fn fill_ratios(runs: &mut [RunRecord]) {
    let base: BTreeMap<(String, String), f64> = runs
        .iter()
        .map(|r| ((r.workload.clone(), r.engine.clone()), r.median_s))
        .collect();
    for r in runs.iter_mut() {
        let ratio = |engine: &str| {
            base.get(&(r.workload.clone(), engine.to_string()))
                .map(|b| b / r.median_s)
        };
        r.x_interp = ratio("interp");
        r.x_qemu = ratio("qemu");
    }
}

/// Fields every run record must have.
pub const RUN_FIELDS: &[&str] = &[
    "workload",
    "size",
    "size_unit",
    "engine",
    "command",
    "steps",
    "steps_source",
    "times_s",
    "median_s",
    "steps_per_s",
    "x_interp",
    "x_qemu",
    "peak_rss_mib",
    "exit_code",
    "expected_exit",
    "stdout_ok",
];

/// Top-level fields.
pub const TOP_FIELDS: &[&str] = &[
    "schema",
    "command",
    "reps",
    "engines",
    "workloads",
    "host",
    "git_commit",
    "tools",
    "notes",
    "runs",
];

fn positive(v: &Value) -> bool {
    v.as_f64().is_some_and(|x| x.is_finite() && x > 0.0)
}

/// Everything missing or implausible in a harness result: a record for every requested
/// (workload, engine) pair, exactly once; every field present and non-null (a ratio is null
/// exactly when its baseline engine was not requested); positive times, steps, rates and
/// memory; `reps` times per record; the expected exit code and stdout. Empty when complete.
pub fn check_complete(doc: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    for f in TOP_FIELDS {
        match doc.get(f) {
            None | Some(Value::Null) => bad.push(format!("top-level field {f} missing")),
            Some(Value::String(s)) if s.is_empty() => bad.push(format!("{f} is empty")),
            _ => {}
        }
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let engines = strings(&doc["engines"]);
    let workloads = strings(&doc["workloads"]);
    let move_workloads = strings(&doc["move_workloads"]);
    let move_engines = strings(&doc["move_engines"]);
    if engines.is_empty() || (workloads.is_empty() && move_workloads.is_empty()) {
        bad.push("no engines or no workloads".into());
    }
    if !move_workloads.is_empty() && move_engines.is_empty() {
        bad.push("moves requested but no engine ran them".into());
    }
    if move_engines.iter().any(|e| !engines.contains(e)) {
        bad.push("move_engines holds an engine that was not requested".into());
    }
    for e in &engines {
        if doc["tools"]
            .get(e)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            bad.push(format!("tools.{e} missing"));
        }
    }
    let reps = doc["reps"].as_u64().unwrap_or(0);
    if reps == 0 {
        bad.push("reps must be at least 1".into());
    }
    let empty = Vec::new();
    let runs = doc["runs"].as_array().unwrap_or(&empty);
    check_records(&mut bad, "", runs, &workloads, &engines, reps);
    let moves = doc["moves"].as_array().unwrap_or(&empty);
    check_records(
        &mut bad,
        "move ",
        moves,
        &move_workloads,
        &move_engines,
        reps,
    );
    bad
}

/// The per-record checks of [`check_complete`] over one list of records (`runs` or `moves`).
fn check_records(
    bad: &mut Vec<String>,
    what: &str,
    runs: &[Value],
    workloads: &[String],
    engines: &[String],
    reps: u64,
) {
    let empty = Vec::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        let id = format!(
            "{what}run {i} ({} / {})",
            r["workload"].as_str().unwrap_or("?"),
            r["engine"].as_str().unwrap_or("?")
        );
        for f in RUN_FIELDS {
            let nullable = match *f {
                "x_interp" => !engines.iter().any(|e| e == "interp"),
                "x_qemu" => !engines.iter().any(|e| e == "qemu"),
                _ => false,
            };
            match r.get(f) {
                None => bad.push(format!("{id}: field {f} missing")),
                Some(Value::Null) if !nullable => bad.push(format!("{id}: field {f} is null")),
                Some(v) if nullable && !v.is_null() => bad.push(format!(
                    "{id}: {f} is set although its baseline engine was not run"
                )),
                Some(Value::String(s)) if s.is_empty() => {
                    bad.push(format!("{id}: field {f} is empty"))
                }
                _ => {}
            }
        }
        for f in [
            "steps",
            "median_s",
            "steps_per_s",
            "peak_rss_mib",
            "size",
            "x_interp",
            "x_qemu",
        ] {
            let v = &r[f];
            if !v.is_null() && !positive(v) {
                bad.push(format!("{id}: {f} = {v} is not a positive number"));
            }
        }
        let times = r["times_s"].as_array().unwrap_or(&empty);
        if times.len() as u64 != reps || !times.iter().all(positive) {
            bad.push(format!(
                "{id}: times_s must hold {reps} positive times, has {:?}",
                r["times_s"]
            ));
        }
        if r["exit_code"] != r["expected_exit"] {
            bad.push(format!(
                "{id}: exit code {} where {} was expected",
                r["exit_code"], r["expected_exit"]
            ));
        }
        if r["stdout_ok"] != Value::Bool(true) {
            bad.push(format!("{id}: stdout did not match"));
        }
        let key = (
            r["workload"].as_str().unwrap_or("").to_string(),
            r["engine"].as_str().unwrap_or("").to_string(),
        );
        *seen.entry(key).or_default() += 1;
    }
    for w in workloads {
        for e in engines {
            match seen.get(&(w.clone(), e.clone())).copied().unwrap_or(0) {
                1 => {}
                0 => bad.push(format!("no record for {w} / {e}")),
                n => bad.push(format!("{n} records for {w} / {e}")),
            }
        }
    }
    if seen.values().sum::<usize>() != workloads.len() * engines.len() {
        bad.push(format!(
            "{what}records for workloads or engines that were not requested"
        ));
    }
}

fn ratio(x: Option<f64>) -> String {
    match x {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) if x >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    }
}

/// The result as a Markdown table.
pub fn table(runs: &[RunRecord]) -> String {
    let mut rows = vec![[
        "workload".to_string(),
        "engine".into(),
        "steps".into(),
        "median s".into(),
        "M steps/s".into(),
        "x interp".into(),
        "x qemu".into(),
        "peak RSS MiB".into(),
        "exit".into(),
        "compiled".into(),
        "cached".into(),
        "compile s".into(),
        "steps compiled".into(),
    ]];
    for r in runs {
        rows.push([
            r.workload.clone(),
            r.engine.clone(),
            group_digits(r.steps),
            format!("{:.3}", r.median_s),
            format!("{:.1}", r.steps_per_s / 1e6),
            ratio(r.x_interp),
            ratio(r.x_qemu),
            format!("{:.1}", r.peak_rss_mib),
            r.exit_code.to_string(),
            r.jit.map_or("-".into(), |j| j.blocks_compiled.to_string()),
            r.jit.map_or("-".into(), |j| j.blocks_cached.to_string()),
            r.jit.map_or("-".into(), |j| format!("{:.2}", j.compile_s)),
            r.jit
                .map_or("-".into(), |j| format!("{:.1}%", j.compiled_share * 100.0)),
        ]);
    }
    let mut w = [0usize; 13];
    for row in &rows {
        for (k, c) in row.iter().enumerate() {
            w[k] = w[k].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if k < 2 {
                    format!("{c:<width$}", width = w[k])
                } else {
                    format!("{c:>width$}", width = w[k])
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            let rule: Vec<String> = w
                .iter()
                .enumerate()
                .map(|(k, &n)| {
                    if k < 2 {
                        "-".repeat(n + 2)
                    } else {
                        format!("{}:", "-".repeat(n + 1))
                    }
                })
                .collect();
            out.push_str(&format!("|{}|\n", rule.join("|")));
        }
    }
    out
}

/// 1234567 -> "1,234,567".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
