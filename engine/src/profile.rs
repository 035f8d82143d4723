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
//!
//! Straight code comes as runs of instructions (a basic block run by the interpreter, or the
//! blocks a traced back end recorded, see [`interp::vm::Trace`]); each run is decoded once and
//! its facts kept (steps per class and per function, its control instruction), so watching costs
//! a few lookups per block, not per step.

use interp::decode::{decode, Class, Insn, Linkage};
use interp::elf::Metadata;
use interp::state::State;
use interp::vm::{Observer, Trace, Unit};
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
    /// Function the calling instruction is in.
    caller_sym: u32,
    /// The callee's function.
    sym: u32,
    /// Node of the call-stack trie with this frame on top.
    node: u32,
}

/// Before-step facts.
#[derive(Debug, Clone, Copy)]
struct Pre {
    /// The thread it runs on (0 in cached runs, which may run on any thread).
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

/// Entries of the direct-mapped caches in front of the symbol and run lookups.
const FRONT: usize = 1 << 14;

/// Symbol lookup with a per-address cache.
#[derive(Debug)]
struct Symbols {
    front: Box<[(u64, u32)]>,
    cache: FxHashMap<u64, u32>,
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols {
            front: vec![(u64::MAX, UNKNOWN); FRONT].into_boxed_slice(),
            cache: FxHashMap::default(),
        }
    }
}

const UNKNOWN: u32 = u32::MAX;
/// The scheduler's pseudo-frame in the step counts.
const SCHEDULER: u32 = u32::MAX - 1;

impl Symbols {
    #[inline]
    fn index(&mut self, meta: &Metadata, addr: u64) -> u32 {
        let slot = ((addr >> 2) as usize) & (FRONT - 1);
        if self.front[slot].0 == addr {
            return self.front[slot].1;
        }
        let i = *self.cache.entry(addr).or_insert_with(|| {
            let i = meta.symbols.partition_point(|s| s.start <= addr);
            meta.symbols[..i]
                .iter()
                .enumerate()
                .rev()
                .find(|(_, s)| addr < s.start.saturating_add(s.size.max(1)))
                .map(|(k, _)| k as u32)
                .unwrap_or(UNKNOWN)
        });
        self.front[slot] = (addr, i);
        i
    }
}

fn sym_name(meta: &Metadata, i: u32) -> &str {
    if i == UNKNOWN {
        "!unknown"
    } else {
        &meta.symbols[i as usize].name
    }
}

/// What is tracked per guest thread.
#[derive(Debug, Default, Clone)]
struct Track {
    /// The call stack, outermost first.
    stack: Vec<Frame>,
    /// A control instruction whose delay slot has not run yet (calls and returns take effect
    /// after the slot, which belongs to the caller).
    pending: Option<Pre>,
    /// Frames on the stack per callee function (when profiling, so that re-entry is found
    /// without scanning the stack).
    on_stack: FxHashMap<u32, u32>,
}

impl Track {
    fn top(&self) -> u32 {
        self.stack.last().map_or(0, |f| f.node)
    }

    fn push(&mut self, f: Frame) {
        *self.on_stack.entry(f.sym).or_default() += 1;
        self.stack.push(f);
    }

    /// Drops the frames from index `k` on.
    fn truncate(&mut self, k: usize) {
        for f in self.stack.drain(k..) {
            // (emptied counts stay: removing and re-adding churns the table)
            if let Some(c) = self.on_stack.get_mut(&f.sym) {
                *c -= 1;
            }
        }
    }

    fn pop(&mut self) {
        let k = self.stack.len().saturating_sub(1);
        self.truncate(k);
    }
}

/// Call stacks of every guest thread, and (when profiling) step counts per stack.
#[derive(Debug)]
pub struct Watcher {
    meta: Metadata,
    syms: Symbols,
    threads: FxHashMap<u64, Track>,
    /// Call-stack trie: node -> (parent, symbol); node 0 is the root.
    nodes: Vec<(u32, u32)>,
    children: FxHashMap<(u32, u32), u32>,
    /// Direct-mapped cache in front of `children`: (parent, symbol, child).
    child_front: Box<[(u32, u32, u32)]>,
    /// Steps per node in the node's own function (the common case), by node.
    node_steps: Vec<u64>,
    /// Other steps, by (stack node, symbol of the PC) (the scheduler pseudo-frame is
    /// [`SCHEDULER`]).
    other_steps: FxHashMap<(u32, u32), u64>,
    /// Steps by class (indexed by `Class as usize`) of single steps; runs count theirs in
    /// their [`BlockInfo`].
    classes: [u64; Class::ALL.len()],
    profiling: bool,
    /// Steps watched.
    pub steps: u64,
    is64: bool,
    /// The straight runs seen, by (start, length): index into `infos`, with a direct-mapped
    /// cache in front.
    blocks: FxHashMap<(u64, u64), u32>,
    front: Box<[(u64, u64)]>,
    infos: Vec<BlockInfo>,
    /// Instructions per function, in order, of the runs whose instructions are in several.
    mixed: Vec<Box<[(u32, u64)]>>,
    /// The unit under way: its first step's facts and whether it is a whole block.
    current: Option<(Option<Pre>, Unit)>,
}

/// What a straight-line run of instructions holds (one cache line: it is read for every run).
#[derive(Debug, Clone)]
#[repr(align(64))]
struct BlockInfo {
    /// Times it ran.
    execs: u64,
    /// Instructions per class (by `Class as usize`; a run is at most a few dozen long).
    classes: [u8; Class::ALL.len()],
    /// The function its instructions are in, or [`MIXED`] when they are in several (then
    /// `Watcher::mixed[mixed]` has them).
    sym: u32,
    mixed: u32,
    /// Its control instruction, if any.
    control: Option<Ctrl>,
    /// What its control instruction did last time: its destination, and for a call the
    /// stack node it was made from, the callee's function and the node it pushed; for a
    /// return the function returned into (`memo_sym`).
    memo_dest: u64,
    memo_parent: u32,
    memo_sym: u32,
    memo_child: u32,
}

/// A run's control instruction.
#[derive(Debug, Clone, Copy)]
struct Ctrl {
    insn: Insn,
    /// The function it is in.
    sym: u32,
    /// Its index in the run.
    k: u8,
    /// It can be a call or a return, for some destination (decided once, by asking
    /// `insn.linkage`); other control instructions never change a call stack.
    may_link: bool,
}

/// [`BlockInfo::sym`] of a run whose instructions are in several functions.
const MIXED: u32 = u32::MAX - 2;

impl Watcher {
    /// A watcher with symbols from `meta`; `profiling` also counts steps per stack.
    pub fn new(meta: Metadata, profiling: bool, is64: bool) -> Self {
        Watcher {
            meta,
            syms: Symbols::default(),
            threads: FxHashMap::default(),
            nodes: vec![(0, UNKNOWN)],
            children: FxHashMap::default(),
            child_front: vec![(u32::MAX, u32::MAX, 0); FRONT].into_boxed_slice(),
            node_steps: vec![0],
            other_steps: FxHashMap::default(),
            classes: [0; Class::ALL.len()],
            profiling,
            steps: 0,
            is64,
            blocks: FxHashMap::default(),
            front: vec![(u64::MAX, 0); FRONT].into_boxed_slice(),
            infos: Vec::new(),
            mixed: Vec::new(),
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
        let slot = ((parent as usize).wrapping_mul(0x9E37_79B9) ^ sym as usize) & (FRONT - 1);
        let f = self.child_front[slot];
        if f.0 == parent && f.1 == sym {
            return f.2;
        }
        let next = self.nodes.len() as u32;
        let c = *self.children.entry((parent, sym)).or_insert_with(|| {
            self.nodes.push((parent, sym));
            self.node_steps.push(0);
            next
        });
        self.child_front[slot] = (parent, sym, c);
        c
    }

    /// Adds `n` steps in function `sym` under stack node `node`.
    #[inline]
    fn add_steps(&mut self, node: u32, sym: u32, n: u64) {
        if self.nodes[node as usize].1 == sym {
            self.node_steps[node as usize] += n;
        } else {
            *self.other_steps.entry((node, sym)).or_default() += n;
        }
    }

    /// Runs `f` on the track of thread `tid` (taken out of the map meanwhile).
    fn with_track<R>(&mut self, tid: u64, f: impl FnOnce(&mut Self, &mut Track) -> R) -> R {
        // (taken, not removed: removing and re-inserting churns the table)
        let mut t = self
            .threads
            .get_mut(&tid)
            .map(std::mem::take)
            .unwrap_or_default();
        let r = f(self, &mut t);
        *self.threads.entry(tid).or_default() = t;
        r
    }

    fn after_step(&mut self, pre: Option<Pre>, state: &State) {
        let Some(p) = pre else {
            self.count_scheduler();
            return;
        };
        // the interpreter's own result says where control goes: after a delay slot, the PC
        let Some(cpu) = state.thread_cpu(p.tid) else {
            self.classes[p.class() as usize] += 1;
            let sym = self.syms.index(&self.meta, p.pc);
            return self.with_track(p.tid, |w, t| w.count(t, sym, 1));
        };
        let dest = cpu.pc;
        self.with_track(p.tid, |w, t| w.one_step(t, p, dest));
    }

    /// The step `p` ran on its own; its thread continues at `dest`.
    fn one_step(&mut self, t: &mut Track, p: Pre, dest: u64) {
        let class = p.class();
        self.classes[class as usize] += 1;
        let sym = self.syms.index(&self.meta, p.pc);
        self.count(t, sym, 1);
        if let Some(c) = t.pending.take() {
            let csym = self.syms.index(&self.meta, c.pc);
            self.control(t, c, csym, dest);
        }
        if class == Class::Branch {
            t.pending = Some(p);
        }
    }

    fn count_scheduler(&mut self) {
        self.steps += 1;
        self.classes[Class::Scheduler as usize] += 1;
        if self.profiling {
            self.add_steps(0, SCHEDULER, 1);
        }
    }

    /// Steps by class.
    pub fn classes(&self) -> impl Iterator<Item = (Class, u64)> + '_ {
        Class::ALL.iter().map(|&c| {
            let runs: u64 = self
                .infos
                .iter()
                .map(|b| b.execs * u64::from(b.classes[c as usize]))
                .sum();
            (c, self.classes[c as usize] + runs)
        })
    }

    /// `n` steps on the thread of `t` in function `sym`.
    fn count(&mut self, t: &Track, sym: u32, n: u64) {
        self.steps += n;
        if self.profiling {
            self.add_steps(t.top(), sym, n);
        }
    }

    /// A control instruction `p` (in function `psym`) executed; control goes to `dest` after
    /// its delay slot.
    fn control(&mut self, t: &mut Track, p: Pre, psym: u32, dest: u64) {
        let linkage = p.insn.and_then(|i| i.linkage(p.pc, dest));
        if linkage == Some(Linkage::Call) {
            let sym = self.syms.index(&self.meta, dest);
            self.call(t, p.pc, psym, dest, sym, None);
        } else if linkage == Some(Linkage::Return) {
            self.ret(t, dest);
        }
    }

    /// A call from `caller` (in function `caller_sym`) to `dest` (in `sym`) on the thread of
    /// `t`; `child` is the stack node it pushes when already known (a run's memo). Returns the
    /// node pushed and whether re-entry folded the stack first.
    fn call(
        &mut self,
        t: &mut Track,
        caller: u64,
        caller_sym: u32,
        dest: u64,
        sym: u32,
        mut child: Option<u32>,
    ) -> (u32, bool) {
        let mut folded = false;
        if self.profiling && t.on_stack.get(&sym).is_some_and(|&c| c > 0) {
            // re-entry (recursion, Go's scheduler loop re-entered from a goroutine through
            // gogo/mcall, which never return): fold the stack back to the earlier frame, so
            // stacks stay bounded and flame graphs readable
            if let Some(k) = t.stack.iter().rposition(|f| f.sym == sym) {
                t.truncate(k);
                child = None;
                folded = true;
            }
        }
        let node = match child {
            Some(n) => n,
            None => self.child(t.top(), sym),
        };
        t.push(Frame {
            target: dest,
            caller,
            caller_sym,
            sym,
            node,
        });
        (node, folded)
    }

    /// As [`Watcher::control`] for the control instruction `c` of run `b`, through the run's
    /// memo of what it did last time (a call site mostly calls the same function from the same
    /// stack, a return site mostly returns into the same function).
    fn run_control(&mut self, t: &mut Track, b: usize, c: Ctrl, cpc: u64, dest: u64) {
        match c.insn.linkage(cpc, dest) {
            Some(Linkage::Call) => {
                let top = t.top();
                let info = &self.infos[b];
                let (sym, child) = if info.memo_dest == dest && info.memo_parent == top {
                    (info.memo_sym, Some(info.memo_child))
                } else {
                    (self.syms.index(&self.meta, dest), None)
                };
                let (node, folded) = self.call(t, cpc, c.sym, dest, sym, child);
                if child.is_none() && !folded {
                    let info = &mut self.infos[b];
                    info.memo_dest = dest;
                    info.memo_parent = top;
                    info.memo_sym = sym;
                    info.memo_child = node;
                }
            }
            Some(Linkage::Return) => {
                let info = &mut self.infos[b];
                let fn_here = if info.memo_dest == dest {
                    info.memo_sym
                } else {
                    let s = self.syms.index(&self.meta, dest);
                    let info = &mut self.infos[b];
                    info.memo_dest = dest;
                    info.memo_sym = s;
                    s
                };
                self.ret_into(t, fn_here);
            }
            None => {}
        }
    }

    /// The slot of run (`pc`, `n`) in the direct-mapped cache in front of `blocks`.
    #[inline(always)]
    fn front_slot(pc: u64, n: u64) -> usize {
        (((pc >> 2) ^ n.wrapping_mul(0x9E37_79B9)) as usize) & (FRONT - 1)
    }

    /// What the `n` instructions from `pc` hold (decoded once): an index into `infos`.
    #[inline]
    fn block_info(&mut self, state: &State, pc: u64, n: u64) -> usize {
        let slot = Self::front_slot(pc, n);
        let f = self.front[slot];
        if f.0 == pc && f.1 >> 32 == n {
            return f.1 as u32 as usize;
        }
        let i = match self.blocks.get(&(pc, n)) {
            Some(&b) => b,
            None => self.decode_run(state, pc, n),
        };
        if n <= u64::from(u32::MAX) {
            self.front[slot] = (pc, n << 32 | u64::from(i));
        }
        i as usize
    }

    /// Decodes the `n` instructions from `pc` into a new entry of `infos`.
    fn decode_run(&mut self, state: &State, pc: u64, n: u64) -> u32 {
        let mut classes = [0u8; Class::ALL.len()];
        let mut syms: Vec<(u32, u64)> = Vec::new();
        let mut control = None;
        for k in 0..n {
            let a = pc.wrapping_add(4 * k);
            let insn = decode(state.memory().read_u32(a), self.is64);
            let c = &mut classes[insn.class() as usize];
            *c = c.saturating_add(1);
            let sym = self.syms.index(&self.meta, a);
            match syms.last_mut() {
                Some((s, m)) if *s == sym => *m += 1,
                _ => syms.push((sym, 1)),
            }
            if insn.is_control() {
                control = Some(Ctrl {
                    insn,
                    sym,
                    k: k as u8,
                    may_link: insn.linkage(a, a.wrapping_add(8)).is_some()
                        || insn.linkage(a, a.wrapping_add(12)).is_some(),
                });
            }
        }
        let i = self.infos.len() as u32;
        let (sym, mixed) = match syms.as_slice() {
            [(s, _)] => (*s, 0),
            _ => {
                self.mixed.push(syms.into_boxed_slice());
                (MIXED, self.mixed.len() as u32 - 1)
            }
        };
        self.infos.push(BlockInfo {
            execs: 0,
            classes,
            sym,
            mixed,
            control,
            memo_dest: u64::MAX,
            memo_parent: 0,
            memo_sym: UNKNOWN,
            memo_child: 0,
        });
        self.blocks.insert((pc, n), i);
        i
    }

    /// `n` instructions ran straight from `pc` on the thread of `t`; control then went to
    /// `after` (where the thread continued).
    fn straight(&mut self, state: &State, t: &mut Track, pc: u64, n: u64, after: u64) {
        if n == 0 {
            return;
        }
        if let Some(c) = t.pending.take() {
            // the run starts in the delay slot of a control instruction: the slot belongs to
            // the caller, then control goes where the slot leads
            let insn = (pc & 3 == 0).then(|| decode(state.memory().read_u32(pc), self.is64));
            let slot = Pre {
                tid: c.tid,
                pc,
                insn,
            };
            let dest = if n > 1 { pc.wrapping_add(4) } else { after };
            t.pending = Some(c);
            self.one_step(t, slot, dest);
            return self.straight(state, t, pc.wrapping_add(4), n - 1, after);
        }
        let b = self.block_info(state, pc, n);
        let info = &mut self.infos[b];
        info.execs += 1;
        let (sym, control) = (info.sym, info.control);
        self.steps += n;
        if self.profiling {
            let top = t.top();
            if sym != MIXED {
                self.add_steps(top, sym, n);
            } else {
                let m = self.infos[b].mixed as usize;
                for i in 0..self.mixed[m].len() {
                    let (s, k) = self.mixed[m][i];
                    self.add_steps(top, s, k);
                }
            }
        }
        if let Some(c) = control {
            let cpc = pc.wrapping_add(4 * u64::from(c.k));
            if u64::from(c.k) + 1 < n {
                // the delay slot ran: control is at the destination
                if c.may_link {
                    self.run_control(t, b, c, cpc, after);
                }
            } else {
                t.pending = Some(Pre {
                    tid: 0,
                    pc: cpc,
                    insn: Some(c.insn),
                });
            }
        }
    }

    /// A return to `to` on the thread of `t`.
    fn ret(&mut self, t: &mut Track, to: u64) {
        let fn_here = self.syms.index(&self.meta, to);
        self.ret_into(t, fn_here);
    }

    /// A return into function `fn_here` on the thread of `t`.
    fn ret_into(&mut self, t: &mut Track, fn_here: u32) {
        let Some(top) = t.stack.last().copied() else {
            return;
        };
        if fn_here == top.caller_sym || fn_here == UNKNOWN {
            t.pop();
            return;
        }
        // returned somewhere else: snap back to the innermost frame called from that function
        if let Some(k) = t.stack.iter().rposition(|f| f.caller_sym == fn_here) {
            t.truncate(k);
            return;
        }
        t.pop();
    }

    /// Go Cannon's traceback format: the current thread's frames, innermost first.
    pub fn traceback(&mut self, state: &State) -> String {
        let tid = match state {
            State::Mt(s) => s.current().map(|t| t.id).unwrap_or(0),
            State::St(_) => 0,
        };
        let mut out = format!("traceback at pc={:x}. step={}\n", state.pc(), state.step());
        let frames = self
            .threads
            .get(&tid)
            .map(|t| t.stack.clone())
            .unwrap_or_default();
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

    /// Step counts by (stack node, symbol).
    fn counts(&self) -> Vec<((u32, u32), u64)> {
        let own = self
            .node_steps
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(k, &n)| ((k as u32, self.nodes[k].1), n));
        let other = self.other_steps.iter().map(|(&k, &n)| (k, n));
        own.chain(other).collect()
    }

    /// Folded stacks (`root;...;leaf count` per line, inferno-flamegraph's input), each step
    /// counted once: the frames of its call stack, then the function its PC is in when that
    /// differs from the innermost frame's.
    pub fn folded(&mut self) -> String {
        let mut lines: FxHashMap<String, u64> = FxHashMap::default();
        for ((node, s), n) in self.counts() {
            let mut frames: Vec<u32> = Vec::new();
            let mut k = node;
            while k != 0 {
                let (parent, sym) = self.nodes[k as usize];
                frames.push(sym);
                k = parent;
            }
            frames.reverse();
            let mut names: Vec<&str> = frames.iter().map(|&s| sym_name(&self.meta, s)).collect();
            if s == SCHEDULER {
                names.push("[scheduler]");
            } else if frames.last() != Some(&s) {
                names.push(sym_name(&self.meta, s));
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
        for ((_, s), n) in self.counts() {
            if s == SCHEDULER {
                sched += n;
            } else {
                *m.entry(s).or_default() += n;
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
/// in a delay slot is one step; anything else is a whole basic block (or, with a back end that
/// traces, a stretch of them) accounted for together.
impl Observer for Watcher {
    fn before(&mut self, state: &State) -> Unit {
        let pre = self.pre(state);
        // a delay slot: of a taken branch (NextPC elsewhere) or of any branch whose slot has
        // not run yet (an untaken branch leaves NextPC at PC + 4)
        let in_slot = pre.is_some_and(|p| {
            self.threads
                .get(&p.tid)
                .is_some_and(|t| t.pending.is_some())
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
        let after = state.thread_cpu(p.tid).map_or(0, |c| c.pc);
        self.with_track(p.tid, |w, t| w.straight(state, t, p.pc, n, after));
    }

    fn traced(&mut self, state: &State, trace: &Trace) {
        let Some((pre, _)) = self.current.take() else {
            return;
        };
        let (Some(p), false) = (pre, trace.entries.is_empty()) else {
            return;
        };
        // every run but the last continues where the next one starts
        let end = state.thread_cpu(p.tid).map_or(0, |c| c.pc);
        let entries = &trace.entries;
        self.with_track(p.tid, |w, t| {
            for (i, e) in entries.iter().enumerate() {
                let after = entries.get(i + 1).map_or(end, |x| x.pc);
                w.straight(state, t, e.pc, e.steps, after);
            }
        });
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
            classes: w.classes().map(|(c, n)| (c.name(), n)).collect(),
            symbols: w
                .by_symbol()
                .into_iter()
                .map(|(name, steps)| SymbolCount { name, steps })
                .collect(),
        }
    }
}
