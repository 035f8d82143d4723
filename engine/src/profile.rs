//! Watching a run step by step: call stacks per guest thread (for `--debug` tracebacks and
//! `--profile` flame graphs), step counts per call stack and symbol, and a histogram of
//! instruction classes.
//!
//! The watcher never restates instruction semantics: it classifies the instruction word with the
//! interpreter's decoder before a step and reads the interpreter's resulting PCs after it. A call
//! is a linking jump or branch (`jal`, `jalr` with rd ≠ 0, `bgezal`/`bltzal` when taken; the
//! callee is the NextPC the step produced), a return is `jr $ra`. When a return does not land in
//! the function on top of the stack (tail calls, inlined frames), the stack snaps back to the
//! innermost frame of the function returned into, as Go Cannon's stack tracker does. When
//! profiling, a call into a function already on the stack folds the stack back to that frame
//! (recursion and Go's scheduler loop, re-entered through `gogo`/`mcall`, which never return,
//! would otherwise grow stacks without bound); `--debug` tracebacks keep every frame.

use interp::decode::{decode, Class, Insn, Linkage};
use interp::elf::Metadata;
use interp::state::State;
use interp::vm::{Observer, Unit};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::fmt::Write as _;

/// One frame of a guest call stack.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Callee entry.
    target: u64,
    /// PC of the calling instruction.
    caller: u64,
    /// Node of the call-stack trie with this frame on top.
    node: u32,
}

/// Before-step facts.
#[derive(Debug, Clone, Copy)]
struct Pre {
    tid: u64,
    pc: u64,
    /// The instruction (`None` at a misaligned PC).
    insn: Option<Insn>,
}

impl Pre {
    fn class(&self) -> Class {
        self.insn.map(|i| i.class()).unwrap_or(Class::Invalid)
    }
}

/// Symbol lookup with a per-address cache.
#[derive(Debug, Default)]
struct Symbols {
    cache: FxHashMap<u64, u32>,
}

const UNKNOWN: u32 = u32::MAX;

impl Symbols {
    fn index(&mut self, meta: &Metadata, addr: u64) -> u32 {
        *self.cache.entry(addr).or_insert_with(|| {
            let i = meta.symbols.partition_point(|s| s.start <= addr);
            meta.symbols[..i]
                .iter()
                .enumerate()
                .rev()
                .find(|(_, s)| addr < s.start.saturating_add(s.size.max(1)))
                .map(|(k, _)| k as u32)
                .unwrap_or(UNKNOWN)
        })
    }
}

fn sym_name(meta: &Metadata, i: u32) -> &str {
    if i == UNKNOWN {
        "!unknown"
    } else {
        &meta.symbols[i as usize].name
    }
}

/// Call stacks of every guest thread, and (when profiling) step counts per stack.
#[derive(Debug)]
pub struct Watcher {
    meta: Metadata,
    syms: Symbols,
    stacks: FxHashMap<u64, Vec<Frame>>,
    /// Call-stack trie: node -> (parent, symbol); node 0 is the root.
    nodes: Vec<(u32, u32)>,
    children: FxHashMap<(u32, u32), u32>,
    /// Steps by (stack node, pc), or by a scheduler pseudo-frame (pc = u64::MAX).
    counts: FxHashMap<(u32, u64), u64>,
    /// Steps by class.
    pub classes: FxHashMap<Class, u64>,
    profiling: bool,
    /// Steps watched.
    pub steps: u64,
    is64: bool,
    /// Class counts and the control instruction of the straight-line runs seen, by (start, length).
    blocks: FxHashMap<(u64, u64), BlockInfo>,
    /// Per thread: a control instruction whose delay slot has not run yet (calls and returns
    /// take effect after the slot, which belongs to the caller).
    pending: FxHashMap<u64, Pre>,
    /// The unit under way: its first step's facts and whether it is a whole block.
    current: Option<(Option<Pre>, Unit)>,
}

/// What a straight-line run of instructions holds.
#[derive(Debug, Clone)]
struct BlockInfo {
    classes: Vec<(Class, u64)>,
    /// Its control instruction, if any: index in the run and decoded fields.
    control: Option<(u64, Pre)>,
}

impl Watcher {
    /// A watcher with symbols from `meta`; `profiling` also counts steps per stack.
    pub fn new(meta: Metadata, profiling: bool, is64: bool) -> Self {
        Watcher {
            meta,
            syms: Symbols::default(),
            stacks: FxHashMap::default(),
            nodes: vec![(0, UNKNOWN)],
            children: FxHashMap::default(),
            counts: FxHashMap::default(),
            classes: FxHashMap::default(),
            profiling,
            steps: 0,
            is64,
            blocks: FxHashMap::default(),
            pending: FxHashMap::default(),
            current: None,
        }
    }

    fn pre(&self, state: &State) -> Option<Pre> {
        state.core_budget(u64::MAX)?; // None: a scheduler step
        let tid = state.current_thread_id()?;
        let pc = state.pc();
        let insn = (pc & 3 == 0).then(|| decode(state.memory().read_u32(pc), self.is64));
        Some(Pre { tid, pc, insn })
    }

    fn child(&mut self, parent: u32, sym: u32) -> u32 {
        let next = self.nodes.len() as u32;
        *self.children.entry((parent, sym)).or_insert_with(|| {
            self.nodes.push((parent, sym));
            next
        })
    }

    fn after_step(&mut self, pre: Option<Pre>, state: &State) {
        let Some(p) = pre else {
            self.count_scheduler();
            return;
        };
        let class = p.class();
        *self.classes.entry(class).or_default() += 1;
        self.count(p.tid, p.pc, 1);
        // the interpreter's own result says where control goes: after a delay slot, the PC
        let Some(cpu) = state.thread_cpu(p.tid) else {
            return;
        };
        if let Some(c) = self.pending.remove(&p.tid) {
            self.control(c, cpu.pc);
        }
        if class == Class::Branch {
            self.pending.insert(p.tid, p);
        }
    }

    fn count_scheduler(&mut self) {
        self.steps += 1;
        *self.classes.entry(Class::Scheduler).or_default() += 1;
        if self.profiling {
            *self.counts.entry((0, u64::MAX)).or_default() += 1;
        }
    }

    /// `n` steps on thread `tid` in the run of code starting at `pc`.
    fn count(&mut self, tid: u64, pc: u64, n: u64) {
        self.steps += n;
        if self.profiling {
            let top = self
                .stacks
                .get(&tid)
                .and_then(|s| s.last())
                .map(|f| f.node)
                .unwrap_or(0);
            *self.counts.entry((top, pc)).or_default() += n;
        }
    }

    /// A control instruction `p` executed; control goes to `dest` after its delay slot.
    fn control(&mut self, p: Pre, dest: u64) {
        let linkage = p.insn.and_then(|i| i.linkage(p.pc, dest));
        if linkage == Some(Linkage::Call) {
            let sym = self.syms.index(&self.meta, dest);
            if self.profiling {
                // re-entry (recursion, Go's scheduler loop re-entered from a goroutine through
                // gogo/mcall, which never return): fold the stack back to the earlier frame, so
                // stacks stay bounded and flame graphs readable
                let nodes = &self.nodes;
                if let Some(stack) = self.stacks.get_mut(&p.tid) {
                    if let Some(k) = stack.iter().rposition(|f| nodes[f.node as usize].1 == sym) {
                        stack.truncate(k);
                    }
                }
            }
            let top = self
                .stacks
                .get(&p.tid)
                .and_then(|s| s.last())
                .map(|f| f.node)
                .unwrap_or(0);
            let node = self.child(top, sym);
            self.stacks.entry(p.tid).or_default().push(Frame {
                target: dest,
                caller: p.pc,
                node,
            });
        } else if linkage == Some(Linkage::Return) {
            self.ret(p.tid, dest);
        }
    }

    /// Class counts and control instruction of the `n` instructions from `pc` (cached).
    fn block_info(&mut self, state: &State, tid: u64, pc: u64, n: u64) -> BlockInfo {
        if let Some(b) = self.blocks.get(&(pc, n)) {
            return b.clone();
        }
        let mut classes: FxHashMap<Class, u64> = FxHashMap::default();
        let mut control = None;
        for k in 0..n {
            let a = pc.wrapping_add(4 * k);
            let insn = decode(state.memory().read_u32(a), self.is64);
            *classes.entry(insn.class()).or_default() += 1;
            if insn.is_control() {
                control = Some((
                    k,
                    Pre {
                        tid,
                        pc: a,
                        insn: Some(insn),
                    },
                ));
            }
        }
        let b = BlockInfo {
            classes: classes.into_iter().collect(),
            control,
        };
        self.blocks.insert((pc, n), b.clone());
        b
    }

    /// A return to `to` on thread `tid`.
    fn ret(&mut self, tid: u64, to: u64) {
        let Some(stack) = self.stacks.get(&tid) else {
            return;
        };
        let Some(top) = stack.last().copied() else {
            return;
        };
        let fn_here = self.syms.index(&self.meta, to);
        let caller_fn = self.syms.index(&self.meta, top.caller);
        let stack = self.stacks.get_mut(&tid).expect("present");
        if fn_here == caller_fn || fn_here == UNKNOWN {
            stack.pop();
            return;
        }
        // returned somewhere else: snap back to the innermost frame called from that function
        let mut k = stack.len();
        while k > 0 {
            let f = stack[k - 1];
            if self.syms.index(&self.meta, f.caller) == fn_here {
                stack.truncate(k - 1);
                return;
            }
            k -= 1;
        }
        stack.pop();
    }

    /// Go Cannon's traceback format: the current thread's frames, innermost first.
    pub fn traceback(&mut self, state: &State) -> String {
        let tid = match state {
            State::Mt(s) => s.current().map(|t| t.id).unwrap_or(0),
            State::St(_) => 0,
        };
        let mut out = format!("traceback at pc={:x}. step={}\n", state.pc(), state.step());
        let frames = self.stacks.get(&tid).cloned().unwrap_or_default();
        for (idx, f) in frames.iter().rev().enumerate() {
            let s = self.syms.index(&self.meta, f.target);
            let _ = writeln!(
                out,
                "\t{idx} {:x} in {} caller={:08x}",
                f.target,
                sym_name(&self.meta, s),
                f.caller
            );
        }
        out
    }

    /// Folded stacks (`root;...;leaf count` per line, inferno-flamegraph's input), each step
    /// counted once: the frames of its call stack, then the function its PC is in when that
    /// differs from the innermost frame's.
    pub fn folded(&mut self) -> String {
        let mut lines: FxHashMap<String, u64> = FxHashMap::default();
        let counts: Vec<((u32, u64), u64)> = self.counts.iter().map(|(k, v)| (*k, *v)).collect();
        for ((node, pc), n) in counts {
            let mut frames: Vec<u32> = Vec::new();
            let mut k = node;
            while k != 0 {
                let (parent, sym) = self.nodes[k as usize];
                frames.push(sym);
                k = parent;
            }
            frames.reverse();
            let mut names: Vec<&str> = frames.iter().map(|&s| sym_name(&self.meta, s)).collect();
            let leaf;
            if pc == u64::MAX {
                names.push("[scheduler]");
            } else {
                let s = self.syms.index(&self.meta, pc);
                if frames.last() != Some(&s) {
                    leaf = s;
                    names.push(sym_name(&self.meta, leaf));
                }
            }
            *lines.entry(names.join(";")).or_default() += n;
        }
        let mut v: Vec<(String, u64)> = lines.into_iter().collect();
        v.sort();
        let mut out = String::new();
        for (stack, n) in v {
            let _ = writeln!(out, "{stack} {n}");
        }
        out
    }

    /// Steps per function they executed in (self counts), most first.
    pub fn by_symbol(&mut self) -> Vec<(String, u64)> {
        let mut m: FxHashMap<u32, u64> = FxHashMap::default();
        let mut sched = 0;
        let counts: Vec<((u32, u64), u64)> = self.counts.iter().map(|(k, v)| (*k, *v)).collect();
        for ((_, pc), n) in counts {
            if pc == u64::MAX {
                sched += n;
            } else {
                *m.entry(self.syms.index(&self.meta, pc)).or_default() += n;
            }
        }
        let mut v: Vec<(String, u64)> = m
            .into_iter()
            .map(|(s, n)| (sym_name(&self.meta, s).to_string(), n))
            .collect();
        if sched > 0 {
            v.push(("[scheduler]".into(), sched));
        }
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The watcher observes the shared run loop unit by unit: a scheduler step or a step that starts
/// in a delay slot is one step; anything else is a whole basic block run by the interpreter and
/// accounted for together.
impl Observer for Watcher {
    fn before(&mut self, state: &State) -> Unit {
        let pre = self.pre(state);
        // a delay slot: of a taken branch (NextPC elsewhere) or of any branch whose slot has
        // not run yet (an untaken branch leaves NextPC at PC + 4)
        let in_slot = pre.is_some_and(|p| {
            self.pending.contains_key(&p.tid)
                || state
                    .thread_cpu(p.tid)
                    .is_some_and(|c| c.in_delay_slot(self.is64))
        });
        let unit = if pre.is_none() || in_slot {
            Unit::Step
        } else {
            Unit::Block
        };
        self.current = Some((pre, unit));
        unit
    }

    fn after(&mut self, state: &State, n: u64) {
        let Some((pre, unit)) = self.current.take() else {
            return;
        };
        if n == 0 {
            return;
        }
        let p = match (pre, unit) {
            (Some(p), Unit::Block) => p,
            _ => return self.after_step(pre, state),
        };
        let b = self.block_info(state, p.tid, p.pc, n);
        for (c, k) in &b.classes {
            *self.classes.entry(*c).or_default() += k;
        }
        self.count(p.tid, p.pc, n);
        if let (Some((k, mut ctrl)), Some(cpu)) = (b.control, state.thread_cpu(p.tid)) {
            ctrl.tid = p.tid; // the cached block may have been seen on another thread
            if k + 1 < n {
                // the delay slot ran: control is at the destination
                self.control(ctrl, cpu.pc);
            } else {
                self.pending.insert(p.tid, ctrl);
            }
        }
    }
}

/// The summary written beside a profile (`<file>.json`).
#[derive(Debug, Serialize)]
pub struct ProfileSummary {
    /// Steps profiled.
    pub total_steps: u64,
    /// Steps per instruction class.
    pub classes: std::collections::BTreeMap<&'static str, u64>,
    /// Steps per function (self counts), most first.
    pub symbols: Vec<SymbolCount>,
}

/// One function's steps.
#[derive(Debug, Serialize)]
pub struct SymbolCount {
    /// Function name.
    pub name: String,
    /// Steps executed in it.
    pub steps: u64,
}

impl ProfileSummary {
    /// The summary of what `w` saw.
    pub fn of(w: &mut Watcher) -> Self {
        ProfileSummary {
            total_steps: w.steps,
            classes: Class::ALL
                .iter()
                .map(|c| (c.name(), w.classes.get(c).copied().unwrap_or(0)))
                .collect(),
            symbols: w
                .by_symbol()
                .into_iter()
                .map(|(name, steps)| SymbolCount { name, steps })
                .collect(),
        }
    }
}
