//! Bisection mode: run a trace once at full speed, keeping checkpoints, then answer many queries
//! about it ("state hash at step k", "proof of step k", "witness at step k") by replaying from
//! the nearest checkpoint with the reference interpreter, queries on different checkpoints in
//! parallel.
//!
//! Replays are served the preimages the recording pass fetched (a trace's oracle reads are part
//! of its determinism), so the host is needed once. Steps at or past the final step of a trace
//! that exited answer with the final state, as op-challenger extends a trace: the claim is the
//! final state hash, the state data its witness and the proof data empty.

use crate::checkpoint::CheckpointStore;
use crate::engine::Engine;
use crate::pattern::StepPattern;
use crate::run::{fill_fmt, INTERRUPTED};
use interp::files::{to_hex, write_json, ProofJson, WitnessJson};
use interp::oracle::{CacheSource, Oracle, PreimageMap};
use interp::{Error, Io, Result, State, Vm};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// How the recording pass runs.
#[derive(Debug, Clone)]
pub struct RecordConfig {
    /// Steps between checkpoints.
    pub interval: u64,
    /// Bytes the checkpoints may hold.
    pub budget: u64,
    /// Stop recording at this step even if the guest has not exited.
    pub max_steps: Option<u64>,
    /// Progress lines.
    pub info_at: StepPattern,
}

/// How a recorded trace ended.
#[derive(Debug, Clone)]
pub enum TraceEnd {
    /// The guest exited.
    Exited,
    /// The guest made an invalid transition at the final step.
    Fault(String),
    /// Recording stopped at `max_steps`.
    Cut,
}

/// A recorded trace.
#[derive(Debug)]
pub struct Trace {
    /// Checkpoints along it (the first at its start).
    pub store: CheckpointStore,
    /// The state at its last step.
    pub last: State,
    /// How it ended.
    pub end: TraceEnd,
    /// Preimages the recording fetched.
    pub preimages: PreimageMap,
    /// Wall time of the recording.
    pub seconds: f64,
    /// Steps recorded.
    pub steps: u64,
}

/// Runs `vm` to its end (or `max_steps`), taking a checkpoint every `interval` steps. The VM's
/// oracle must record into `preimages` (an [`interp::oracle::RecordingSource`]).
pub fn record(
    vm: &mut Vm,
    engine: &mut Engine,
    cfg: &RecordConfig,
    preimages: PreimageMap,
) -> Result<Trace> {
    let t0 = Instant::now();
    let start = vm.state.step();
    let interval = cfg.interval.max(1);
    let mut store = CheckpointStore::new(cfg.budget);
    let mut end = TraceEnd::Cut;
    let mut last_info = (Instant::now(), start);
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err(Error::invalid("interrupted"));
        }
        let step = vm.state.step();
        if vm.state.exited() {
            end = TraceEnd::Exited;
            break;
        }
        if cfg.max_steps.is_some_and(|m| step >= m) {
            break;
        }
        if step == start || step.is_multiple_of(interval) {
            store.take(&mut vm.state);
        }
        if cfg.info_at.matches(step) {
            let now = Instant::now();
            let dt = now.duration_since(last_info.0).as_secs_f64();
            let ips = if dt > 0.0 {
                (step - last_info.1) as f64 / dt
            } else {
                0.0
            };
            last_info = (now, step);
            tracing::info!(
                "recording step={step} ips={ips:.0} checkpoints={} held={}",
                store.len(),
                crate::run::human_bytes(store.bytes())
            );
        }
        crate::run::check_step_counter(step)?;
        let mut next = (step / interval + 1).saturating_mul(interval);
        if let Some(p) = cfg.info_at.next_match(step + 1) {
            next = next.min(p);
        }
        if let Some(m) = cfg.max_steps {
            next = next.min(m);
        }
        next = next.min(step.saturating_add(1 << 22));
        if let Err(e) = engine.run_until(vm, next) {
            match e {
                Error::Fault(f) => {
                    end = TraceEnd::Fault(f.to_string());
                    break;
                }
                other => return Err(other),
            }
        }
    }
    let steps = vm.state.step() - start;
    let last = vm.state.checkpoint(); // hashed by `checkpoint`
    Ok(Trace {
        store,
        last,
        end,
        preimages,
        seconds: t0.elapsed().as_secs_f64(),
        steps,
    })
}

/// What a query asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// The state hash at step k.
    Hash,
    /// The `cannon witness` JSON of the state at step k.
    Witness,
    /// The step proof of step k -> k+1 (as `run --proof-at =k` writes it).
    Proof,
}

/// One query line: `{"op":"proof","step":123}` (or the plain form `proof 123`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Query {
    /// What.
    pub op: Op,
    /// Which step.
    pub step: u64,
}

impl Query {
    /// Parses a JSON line or `OP STEP`.
    pub fn parse(line: &str) -> std::result::Result<Query, String> {
        let line = line.trim();
        if line.starts_with('{') {
            return serde_json::from_str(line).map_err(|e| format!("invalid query {line:?}: {e}"));
        }
        let mut it = line.split_whitespace();
        let (Some(op), Some(step), None) = (it.next(), it.next(), it.next()) else {
            return Err(format!(
                "invalid query {line:?}: expected a JSON object or `hash|witness|proof STEP`"
            ));
        };
        let op = match op {
            "hash" => Op::Hash,
            "witness" => Op::Witness,
            "proof" => Op::Proof,
            _ => return Err(format!("invalid query {line:?}: unknown op {op:?}")),
        };
        let step = crate::pattern::parse_go_uint(step)
            .ok_or_else(|| format!("invalid query {line:?}: {step:?} is not a step number"))?;
        Ok(Query { op, step })
    }
}

/// The answer to one query, as one JSON line.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The query's op.
    pub op: Op,
    /// The query's step.
    pub step: u64,
    /// True when the step is at or past the end of an exited trace (the final state answers).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub final_state: bool,
    /// For `hash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// For `witness`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<WitnessJson>,
    /// For `proof`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<ProofJson>,
    /// The proof file written (`--proof-fmt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Why the query has no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Answer {
    fn empty(q: Query) -> Answer {
        Answer {
            op: q.op,
            step: q.step,
            final_state: false,
            hash: None,
            witness: None,
            proof: None,
            file: None,
            error: None,
        }
    }

    fn error(q: Query, e: impl std::fmt::Display) -> Answer {
        Answer {
            error: Some(e.to_string()),
            ..Answer::empty(q)
        }
    }
}

/// Answers queries about a recorded trace.
#[derive(Debug)]
pub struct Answerer<'a> {
    /// The trace.
    pub trace: &'a Trace,
    /// Where proof answers are also written (`%d` = step), like `run --proof-fmt`.
    pub proof_fmt: Option<String>,
}

impl Answerer<'_> {
    /// Answers `queries` (in their order), replaying from each checkpoint at most once per run
    /// of increasing steps, checkpoints in parallel.
    pub fn answer_all(&self, queries: &[Query]) -> Vec<Answer> {
        // group by starting checkpoint; within a group, by step (hash/witness before proof)
        let mut order: Vec<usize> = (0..queries.len()).collect();
        let key = |q: &Query| (q.step, q.op == Op::Proof);
        order.sort_by_key(|&i| key(&queries[i]));
        let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
        for i in order {
            let q = &queries[i];
            let g = if self.past_end(q.step) {
                None
            } else {
                self.trace.store.nearest_index(q.step)
            };
            match groups.last_mut() {
                Some((last, v)) if *last == g => v.push(i),
                _ => groups.push((g, vec![i])),
            }
        }
        let answered: Vec<Vec<(usize, Answer)>> = groups
            .par_iter()
            .map(|(g, idx)| self.answer_group(*g, idx, queries))
            .collect();
        let mut out: Vec<Option<Answer>> = (0..queries.len()).map(|_| None).collect();
        for (i, a) in answered.into_iter().flatten() {
            out[i] = Some(a);
        }
        out.into_iter()
            .map(|a| a.expect("every query answered"))
            .collect()
    }

    /// True if `step` lies at or past the last recorded step.
    fn past_end(&self, step: u64) -> bool {
        step >= self.trace.last.step()
    }

    fn answer_group(&self, g: Option<usize>, idx: &[usize], qs: &[Query]) -> Vec<(usize, Answer)> {
        let Some(g) = g else {
            return idx.iter().map(|&i| (i, self.answer_end(qs[i]))).collect();
        };
        let cp = &self.trace.store.checkpoints()[g];
        let mut vm: Option<Vm> = None;
        let mut out = Vec::with_capacity(idx.len());
        for &i in idx {
            let q = qs[i];
            // a proof moved the replay one step on; a later query at the same step restarts
            if vm.as_ref().is_some_and(|v| v.state.step() > q.step) {
                vm = None;
            }
            let v = vm.get_or_insert_with(|| {
                Vm::new(
                    cp.state.clone(),
                    Oracle::new(Box::new(CacheSource::new(self.trace.preimages.clone()))),
                    Io::sink(),
                )
            });
            out.push((i, self.answer_at(v, q)));
        }
        out
    }

    fn answer_at(&self, vm: &mut Vm, q: Query) -> Answer {
        if let Err(e) = vm.run_until(q.step) {
            return Answer::error(q, format!("replay to step {} failed: {e}", q.step));
        }
        if vm.state.step() != q.step {
            return Answer::error(
                q,
                format!(
                    "replay ended at step {} before step {} (it diverged from the recording)",
                    vm.state.step(),
                    q.step
                ),
            );
        }
        match q.op {
            Op::Hash => Answer {
                hash: Some(vm.state.hash().to_string()),
                ..Answer::empty(q)
            },
            Op::Witness => Answer {
                witness: Some(WitnessJson::of(&mut vm.state)),
                ..Answer::empty(q)
            },
            Op::Proof => match vm.step_with_proof() {
                Ok(w) => {
                    let proof = ProofJson::from(&w);
                    let mut a = Answer::empty(q);
                    if let Some(fmt) = &self.proof_fmt {
                        let path = match fill_fmt(fmt, q.step) {
                            Ok(p) => p,
                            Err(e) => return Answer::error(q, e),
                        };
                        if let Err(e) = write_json(&path, &proof) {
                            return Answer::error(q, e);
                        }
                        a.file = Some(path.display().to_string());
                    }
                    a.proof = Some(proof);
                    a
                }
                Err(e) => Answer::error(q, e),
            },
        }
    }

    /// A query at or past the last recorded step.
    fn answer_end(&self, q: Query) -> Answer {
        let last = &self.trace.last;
        let last_step = last.step();
        // the last state of a trace that did not exit answers hash and witness queries only
        let on_last = q.step == last_step && q.op != Op::Proof;
        match &self.trace.end {
            TraceEnd::Exited => {}
            _ if on_last => {}
            TraceEnd::Fault(f) => {
                return Answer::error(
                    q,
                    format!("the trace ends at step {last_step} in an invalid transition: {f}"),
                )
            }
            TraceEnd::Cut => {
                return Answer::error(
                    q,
                    format!(
                        "step {} is past the recorded range (0..={last_step}; raise --max-steps)",
                        q.step
                    ),
                )
            }
        }
        let mut state = last.clone();
        let exited = matches!(self.trace.end, TraceEnd::Exited);
        match q.op {
            Op::Hash => Answer {
                final_state: exited,
                hash: Some(state.hash().to_string()),
                ..Answer::empty(q)
            },
            Op::Witness => Answer {
                final_state: exited,
                witness: Some(WitnessJson::of(&mut state)),
                ..Answer::empty(q)
            },
            Op::Proof => {
                // op-challenger's extension of an exited trace: a no-op step on the final state
                let w = state.witness();
                let h = state.hash().to_string();
                Answer {
                    final_state: true,
                    proof: Some(ProofJson {
                        step: q.step,
                        pre: h.clone(),
                        post: h,
                        state_data: to_hex(&w),
                        proof_data: "0x".into(),
                        oracle_key: None,
                        oracle_value: None,
                        oracle_offset: 0,
                    }),
                    ..Answer::empty(q)
                }
            }
        }
    }
}

/// Peak resident memory of this process (`VmHWM`), in bytes, where /proc tells.
pub fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Parses a byte size: a number with an optional K/M/G/T suffix (binary units: `4G` = `4GiB`).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected e.g. 4096, 512M or 8GiB"))?;
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("invalid size {s:?}: unknown unit {unit:?}")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("invalid size {s:?}: too large"))
}
