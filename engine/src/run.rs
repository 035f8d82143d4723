//! The run loop of `cannonball run`: Cannon's iteration order (cannon-spec §5.3) with every stop
//! condition turned into a step budget, so the fast path executes uninterrupted runs of steps
//! and only the steps that need it (proofs, snapshots, progress, preimage stops) are handled
//! one at a time.

use crate::engine::Engine;
use crate::pattern::StepPattern;
use interp::elf::Metadata;
use interp::files::{write_json, write_state_with_tree, ProofJson};
use interp::{Error, Result, Vm};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Set by SIGINT/SIGTERM; the run loop stops at the next budget boundary (see
/// [`interp::INTERRUPTED`], which waits on the preimage server watch too).
pub use interp::INTERRUPTED;

/// Largest number of steps run between interruption checks.
const CHUNK: u64 = 1 << 22;

/// Preimage-type filter of `--stop-at-preimage-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreimageType {
    /// Any key type.
    Any,
    /// A specific key type byte.
    Type(u8),
}

/// `--stop-at-preimage KEY@OFFSET@STEP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreimageStop {
    /// Key prefix.
    pub key_prefix: Vec<u8>,
    /// Required offset.
    pub offset: Option<u64>,
    /// Minimum step.
    pub min_step: u64,
}

/// Everything `run` does besides stepping.
#[derive(Debug)]
pub struct RunConfig {
    /// Final state output.
    pub output: Option<PathBuf>,
    /// Proof steps.
    pub proof_at: StepPattern,
    /// Proof file pattern (`%d` = step).
    pub proof_fmt: String,
    /// Snapshot steps.
    pub snapshot_at: StepPattern,
    /// Snapshot file pattern.
    pub snapshot_fmt: String,
    /// Stop steps.
    pub stop_at: StepPattern,
    /// Progress steps.
    pub info_at: StepPattern,
    /// `--stop-at-preimage`.
    pub stop_at_preimage: Option<PreimageStop>,
    /// `--stop-at-preimage-type`.
    pub stop_at_preimage_type: Option<PreimageType>,
    /// `--stop-at-preimage-larger-than`.
    pub stop_at_preimage_larger_than: Option<u64>,
    /// Symbols for progress lines.
    pub meta: Metadata,
    /// `--debug-info` path.
    pub debug_info: Option<PathBuf>,
    /// Write tree sidecars beside snapshots and the final state.
    pub tree_sidecar: bool,
    /// `--debug`: track call stacks and print a traceback when a step fails.
    pub debug: bool,
    /// `--profile FILE`: folded stacks to FILE, a summary to FILE.json.
    pub profile: Option<PathBuf>,
}

/// The file name a `--proof-fmt`/`--snapshot-fmt` pattern gives `step` (Go's `Sprintf`, see
/// [`crate::pattern::go_sprintf_u64`]).
pub fn fill_fmt(fmt: &str, step: u64) -> Result<PathBuf> {
    crate::pattern::go_sprintf_u64(fmt, step)
        .map(PathBuf::from)
        .map_err(|e| Error::invalid(format!("file name pattern {fmt:?}: {e}")))
}

/// Go Cannon's debug-info JSON (`mipsevm.DebugInfo`).
#[derive(Debug, Serialize)]
pub struct DebugInfo {
    /// Allocated pages.
    pub pages: u64,
    /// Bytes in allocated pages (hex).
    pub memory_used: String,
    /// Preimages fetched.
    pub num_preimage_requests: u64,
    /// Bytes of preimages fetched (with prefixes).
    pub total_preimage_size: u64,
    /// Final step.
    pub total_steps: u64,
    /// Instruction fetches outside Go Cannon's predecoded code region [0, 128 MiB).
    pub instruction_cache_miss_count: u64,
    /// Highest such PC (hex).
    pub highest_icache_miss_pc: String,
    /// Successful sc/scd.
    pub rmw_success_count: u64,
    /// Failed sc/scd.
    pub rmw_fail_count: u64,
    /// Longest ll→sc distance in steps.
    pub max_steps_between_ll_and_sc: u64,
    /// Reservations cleared by writes.
    pub reservation_invalidation_count: u64,
    /// Forced preemptions.
    pub forced_preemption_count: u64,
    /// Idle steps (futex waits, yields) of thread 0.
    pub idle_step_count_thread_0: u64,
}

/// Result of a run.
#[derive(Debug)]
pub struct RunOutcome {
    /// Steps executed.
    pub steps: u64,
    /// Wall time.
    pub seconds: f64,
}

fn preimage_filters_active(cfg: &RunConfig) -> bool {
    cfg.stop_at_preimage.is_some()
        || cfg.stop_at_preimage_type.is_some()
        || cfg.stop_at_preimage_larger_than.is_some()
}

/// Runs `vm` under `cfg`, writing proofs, snapshots, progress, the final state and debug info.
pub fn run(vm: &mut Vm, engine: &mut Engine, cfg: &RunConfig) -> Result<RunOutcome> {
    let start = Instant::now();
    let start_step = vm.state.step();
    // --debug and --profile observe the run
    if cfg.debug || cfg.profile.is_some() {
        engine.observe(crate::profile::Watcher::new(
            cfg.meta.clone(),
            cfg.profile.is_some(),
            vm.state.version().is_multithreaded64(),
        ));
    }
    let r = run_loop(vm, engine, cfg);
    if let (Err(Error::Fault(_)), Some(w), true) = (&r, engine.observer_mut(), cfg.debug) {
        print!("{}", w.traceback(&vm.state));
    }
    if let (Err(Error::Fault(f)), false) = (&r, cfg.debug) {
        // without --debug there is no traceback, but the symbol is known
        if let Some(s) = cfg.meta.lookup(f.pc) {
            tracing::info!(
                "the failing instruction at pc 0x{:x} is in {}; run again with --debug for a traceback",
                f.pc,
                s.name
            );
        }
    }
    r?;
    let seconds = start.elapsed().as_secs_f64();
    if let Some(out) = &cfg.output {
        write_state_with_tree(out, &mut vm.state, cfg.tree_sidecar)?;
    }
    if let Some(path) = &cfg.debug_info {
        write_json(path, &debug_info(vm))?;
    }
    if let (Some(path), Some(w)) = (&cfg.profile, engine.observer_mut()) {
        write_profile(path, w)?;
    }
    Ok(RunOutcome {
        steps: vm.state.step() - start_step,
        seconds,
    })
}

/// Writes the folded stacks to `path` and the summary to `path.json`, and prints the summary.
fn write_profile(path: &std::path::Path, w: &mut crate::profile::Watcher) -> Result<()> {
    let folded = w.folded();
    interp::files::write_atomic(path, |f| f.write_all(folded.as_bytes()))?;
    let summary = crate::profile::ProfileSummary::of(w);
    let mut json = path.as_os_str().to_owned();
    json.push(".json");
    write_json(&PathBuf::from(json), &summary)?;
    let total = summary.total_steps.max(1) as f64;
    tracing::info!("profile: {} steps", summary.total_steps);
    for (c, n) in &summary.classes {
        tracing::info!("  {c:<10} {n:>14} {:5.1}%", *n as f64 * 100.0 / total);
    }
    for s in summary.symbols.iter().take(10) {
        tracing::info!(
            "  {:>14} {:5.1}%  {}",
            s.steps,
            s.steps as f64 * 100.0 / total,
            s.name
        );
    }
    Ok(())
}

/// Refuses to execute the step at 2^64 - 1: Go Cannon's `uint64` step counter would wrap to 0
/// after it, and states, proofs and patterns past that point mean nothing on chain. (Without
/// this check the run loop's "next interesting step" wraps and it never advances.)
pub fn check_step_counter(step: u64) -> Result<()> {
    if step == u64::MAX {
        return Err(Error::invalid(
            "the step counter is at 2^64 - 1 and would wrap to 0 (as Cannon's uint64 does); refusing to run further",
        ));
    }
    Ok(())
}

fn run_loop(vm: &mut Vm, engine: &mut Engine, cfg: &RunConfig) -> Result<()> {
    let mut last_info = (Instant::now(), vm.state.step());
    let per_step = preimage_filters_active(cfg);
    while !vm.state.exited() {
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err(Error::invalid("interrupted"));
        }
        let step = vm.state.step();
        check_step_counter(step)?;
        if cfg.info_at.matches(step) {
            info_line(vm, cfg, &mut last_info);
        }
        if cfg.stop_at.matches(step) {
            tracing::info!("stopping at step {step} (--stop-at)");
            break;
        }
        if cfg.snapshot_at.matches(step) {
            let path = fill_fmt(&cfg.snapshot_fmt, step)?;
            write_state_with_tree(&path, &mut vm.state, cfg.tree_sidecar)?;
        }
        if cfg.proof_at.matches(step) {
            let w = engine.step_with(vm, |vm| vm.step_with_proof())?;
            let path = fill_fmt(&cfg.proof_fmt, step)?;
            write_json(&path, &ProofJson::from(&w))?;
            if per_step && preimage_stop(vm, cfg, w.preimage.as_ref()) {
                break;
            }
            continue;
        }
        if per_step {
            engine.step_with(vm, |vm| vm.step_recording_reads())?;
            let read = vm.take_last_read();
            if preimage_stop(vm, cfg, read.as_ref()) {
                break;
            }
            continue;
        }
        // Fast path: run to the next step where anything happens.
        let next = [cfg.info_at, cfg.stop_at, cfg.snapshot_at, cfg.proof_at]
            .iter()
            .filter_map(|p| p.next_match(step + 1))
            .min()
            .unwrap_or(u64::MAX)
            .min(step.saturating_add(CHUNK));
        engine.run_until(vm, next)?;
    }
    Ok(())
}

fn preimage_stop(vm: &Vm, cfg: &RunConfig, read: Option<&interp::oracle::PreimageRead>) -> bool {
    let Some(r) = read else { return false };
    let step = vm.state.step();
    if let Some(t) = cfg.stop_at_preimage_type {
        let matches = match t {
            PreimageType::Any => true,
            PreimageType::Type(b) => r.key.0[0] == b,
        };
        if matches {
            tracing::info!(
                "stopping after preimage read of type {} at step {step}",
                r.key.0[0]
            );
            return true;
        }
    }
    if let Some(n) = cfg.stop_at_preimage_larger_than {
        if r.value.len() as u64 > n {
            tracing::info!(
                "stopping after reading a preimage of {} bytes at step {step}",
                r.value.len()
            );
            return true;
        }
    }
    if let Some(p) = &cfg.stop_at_preimage {
        if r.key.0.starts_with(&p.key_prefix)
            && p.offset.is_none_or(|o| o == r.offset)
            && step >= p.min_step
        {
            tracing::info!(
                "stopping at preimage {} offset {} at step {step}",
                r.key,
                r.offset
            );
            return true;
        }
    }
    false
}

fn info_line(vm: &Vm, cfg: &RunConfig, last: &mut (Instant, u64)) {
    let step = vm.state.step();
    let now = Instant::now();
    let dt = now.duration_since(last.0).as_secs_f64();
    let ips = if dt > 0.0 {
        (step - last.1) as f64 / dt
    } else {
        0.0
    };
    *last = (now, step);
    let pc = vm.state.pc();
    let insn = vm.state.memory().read_u32(pc & !3);
    let pages = vm.state.memory().page_count();
    let name = cfg.meta.lookup(pc).map(|s| s.name.as_str()).unwrap_or("");
    tracing::info!(
        "processing step={step} pc=0x{pc:x} insn=0x{insn:08x} ips={ips:.0} pages={pages} mem={} name={name}",
        human_bytes(pages as u64 * 4096)
    );
}

pub fn human_bytes(b: u64) -> String {
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", U[i])
}

/// Debug info of a finished run.
pub fn debug_info(vm: &Vm) -> DebugInfo {
    let pages = vm.state.memory().page_count() as u64;
    let s = &vm.stats;
    DebugInfo {
        pages,
        memory_used: format!("0x{:x}", pages * 4096),
        num_preimage_requests: vm.oracle.requests,
        total_preimage_size: vm.oracle.total_size,
        total_steps: vm.state.step(),
        instruction_cache_miss_count: s.icache_misses,
        highest_icache_miss_pc: format!("0x{:x}", s.highest_icache_miss_pc),
        rmw_success_count: s.rmw_success,
        rmw_fail_count: s.rmw_fail,
        max_steps_between_ll_and_sc: s.max_steps_between_ll_and_sc,
        reservation_invalidation_count: s.reservation_invalidations,
        forced_preemption_count: s.forced_preemptions,
        idle_step_count_thread_0: s.idle_steps_thread0,
    }
}
