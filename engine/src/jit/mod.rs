//! The JIT: guest basic blocks translated to native code with Cranelift, run by a dispatcher
//! that hands everything unusual back to the reference interpreter.
//!
//! * A block is a run of core instructions ending after a branch/jump and its delay slot, before
//!   a syscall, LL/SC or undecodable word, or at a length cap. It is lowered from the very same
//!   `interp::semantics::execute` the interpreter runs ([`lower::JitOps`]).
//! * Exact steps: a block starts by checking that it fits the step budget and leaves otherwise
//!   ([`ctx::EXIT_BUDGET`]); the dispatcher then lets the interpreter take the remaining steps
//!   one at a time. Every stop condition (`--stop-at`, proofs, snapshots, progress, the
//!   scheduler's quantum) is such a budget, so `step` and `stepsSinceLastContextSwitch` are exact
//!   whenever compiled code returns.
//! * Memory: loads and stores go through direct-mapped page caches to the interpreter's pages
//!   (big-endian, byte-swapped); a miss calls a helper. The write cache only holds dirty pages
//!   without compiled code, so every cached store is already accounted for by the lazy merkle
//!   tree; a store into a page holding code goes through the helper, which makes the block exit
//!   right after it and the dispatcher drop every translation of that page ("fetch from memory
//!   every step", as on chain). Stores check the LL reservation inline.
//! * Syscalls, LL/SC, scheduler steps, faults and cold code run in the interpreter's
//!   pre-decoded blocks (`interp::vm::blocks`), which count block entries and hand over to the
//!   dispatcher at an entry that has a translation or has been reached [`Jit::threshold`]
//!   times; the region there is then compiled, by default on a background thread
//!   ([`background`]) while the interpreter keeps running it. While the compile thread is
//!   idle (at most [`IDLE_QUEUE`] regions waiting) the threshold is divided by
//!   [`IDLE_DIVISOR`], so lukewarm code gets compiled when compiling it costs the guest
//!   nothing, and a backlog raises it again.
//! * Chaining: a region that ends where a block can start looks the next PC up in the dispatch
//!   table ([`ctx::DispatchEntry`], reached through the context) and tail-calls that region
//!   directly (Cranelift's tail calling convention; Rust enters through a [`Trampoline`]).
//!   Every region checks the budget on entry, so stops stay exact; dropping a translation
//!   empties its slot of the table, so a chain never enters stale code.
//!
//! * Observed runs (`--profile`, `--debug`): a JIT built with [`JitOptions::trace`] compiles
//!   code whose every block appends its start and length to a trace in the context
//!   ([`ctx::JitCtx::trace`]), and its interpreted stretches record theirs too
//!   ([`Vm::run_hot_into`]), so the run loop hands the observer what ran a stretch at a time
//!   ([`Backend::run_traced`]). A block left from inside (a side exit) is cut to the steps that
//!   ran when the dispatcher takes the trace back. Traced code is cached apart.
//!
//! Files by role: this one is the dispatcher (lookup, install, invalidation, running compiled
//! code); [`region`] selects what is compiled together, [`translate`] turns a region into a
//! function ([`lower`] lowers the semantics, [`helpers`] are the host functions compiled code
//! calls, [`ctx`] the context it runs against), [`background`] is the compile thread.

pub mod background;
pub mod cache;
pub mod ctx;
pub mod helpers;
pub mod lower;
pub mod region;
pub mod translate;

use background::{Background, Request};
use ctx::{DispatchEntry, JitCtx, DISPATCH_SIZE, TLB_SIZE};
use interp::arch::{Mips32, Mips64};
use interp::decode::Insn;
use interp::memory::Memory;
use interp::state::{can_start_block, Reservation};
use interp::vm::blocks::BlockCache;
use interp::vm::{drive, Backend, Leave, Stats, Trace, Traced};
use interp::{Result, Vm};
use rustc_hash::{FxHashMap, FxHashSet};
use std::time::{Duration, Instant};
use translate::Compiler;

/// Longest block, in instructions (a delay slot may make it one longer).
pub const MAX_BLOCK: usize = 64;
/// Most blocks compiled together as one region.
pub const MAX_REGION_BLOCKS: usize = 8;
/// Most instructions compiled together as one region.
pub const MAX_REGION_INSNS: usize = 400;
/// Default number of times a block entry is reached before it is compiled.
pub const DEFAULT_THRESHOLD: u32 = 4096;
/// Background compilation: the compile thread counts as idle with at most this many regions
/// waiting for it.
pub const IDLE_QUEUE: usize = 1;
/// Background compilation: while the compile thread is idle the threshold is divided by this.
pub const IDLE_DIVISOR: u32 = 16;
/// A compiled region's code: `(ctx) -> exit code` in Cranelift's tail calling convention,
/// entered from Rust through a [`Trampoline`] and from other regions by tail calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionFn(pub *const u8);

// SAFETY: the pointer is to finalized, immutable machine code that lives as long as the module
// that compiled it (owned by the JIT, which outlives every use).
unsafe impl Send for RegionFn {}

/// Calls region code from Rust: `trampoline(ctx, region)` returns the region's exit code.
pub type Trampoline = unsafe extern "C" fn(*mut JitCtx, *const u8) -> u64;

/// A compiled region.
#[derive(Clone)]
struct Block {
    func: RegionFn,
    /// Pages its instructions live on.
    pages: Vec<u64>,
}

/// Counters of the JIT's work.
#[derive(Debug, Default, Clone)]
pub struct JitStats {
    /// Blocks compiled and installed.
    pub blocks_compiled: u64,
    /// Guest instructions in compiled blocks.
    pub insns_compiled: u64,
    /// Time spent compiling (on the compile thread, in background mode).
    pub compile_time: Duration,
    /// Steps executed by compiled code.
    pub jit_steps: u64,
    /// Steps executed by the interpreter under the JIT's dispatcher.
    pub interp_steps: u64,
    /// Translations dropped because their code was written.
    pub invalidations: u64,
    /// Regions queued for background translation.
    pub queued: u64,
    /// Translations that arrived after their code was written, and were discarded.
    pub stale: u64,
    /// Blocks installed from the persistent code cache (not compiled).
    pub blocks_cached: u64,
}

/// A region waiting for its translation: the pages its code lives on, and its size.
struct Queued {
    pages: Vec<u64>,
    blocks: u64,
    insns: u64,
}

/// Where translation happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileMode {
    /// On the dispatcher's thread, before the block runs (execution waits for Cranelift).
    Sync,
    /// On a background thread; the interpreter runs the block until its translation arrives.
    /// The duration is an artificial delay before each translation (zero in normal use).
    Background(Duration),
}

impl CompileMode {
    /// The mode `CANNONBALL_JIT_COMPILE` names: `sync`, `background` (the default) or
    /// `delay:<ms>` (background, each translation delayed).
    pub fn from_env() -> Self {
        match std::env::var("CANNONBALL_JIT_COMPILE").as_deref() {
            Ok("sync") => CompileMode::Sync,
            Ok(s) if s.starts_with("delay:") => CompileMode::Background(Duration::from_millis(
                s["delay:".len()..].parse().unwrap_or(0),
            )),
            _ => CompileMode::Background(Duration::ZERO),
        }
    }
}

/// How a [`Jit`] is built.
#[derive(Debug, Clone, Copy)]
pub struct JitOptions {
    /// Run Cranelift's IR verifier on every region.
    pub verify: bool,
    /// Where translation happens.
    pub mode: CompileMode,
    /// Compiled code records every block it runs, so an observer (profiles, tracebacks) can
    /// watch a run at compiled speed ([`Backend::run_traced`]). Such code is slightly slower
    /// and is cached apart from untraced code.
    pub trace: bool,
}

impl JitOptions {
    /// The options `CANNONBALL_JIT_VERIFY` and `CANNONBALL_JIT_COMPILE` say, with `trace`.
    pub fn from_env(trace: bool) -> Self {
        JitOptions {
            verify: std::env::var_os("CANNONBALL_JIT_VERIFY").is_some(),
            mode: CompileMode::from_env(),
            trace,
        }
    }
}

enum Translator {
    Sync(Box<Compiler>),
    Background(Background),
}

/// The JIT compiler and its dispatcher state for one VM.
pub struct Jit {
    translator: Translator,
    is64: bool,
    blocks: FxHashMap<u64, Block>,
    /// Entries that cannot be compiled (the first instruction is not a core instruction).
    uncompilable: FxHashSet<u64>,
    /// Entries queued for background translation.
    pending: FxHashMap<u64, Queued>,
    /// Direct-mapped entry PC -> code, read by the dispatcher and by compiled code.
    dispatch: Box<[DispatchEntry]>,
    /// The entry from Rust into compiled code.
    trampoline: Trampoline,
    /// The helper wrappers compiled code calls (in the context).
    wrappers: helpers::Wrappers,
    /// Pages holding compiled code -> block entries that cover them.
    code_pages: FxHashMap<u64, Vec<u64>>,
    tlb_tags: Box<[u64; TLB_SIZE]>,
    tlb_data: Box<[*mut u8; TLB_SIZE]>,
    wtlb_tags: Box<[u64; TLB_SIZE]>,
    wtlb_data: Box<[*mut u8; TLB_SIZE]>,
    clean_epoch: u64,
    /// [`Memory::watch_epoch`] the write cache was filled under.
    watch_epoch: u64,
    /// [`Memory::remap_epoch`] the page caches were filled under.
    remap_epoch: u64,
    dummy_ll: Box<Reservation>,
    /// The compile thread was found gone (warned once).
    compile_thread_lost: bool,
    /// The persistent code cache, if used.
    cache: Option<cache::CodeCache>,
    /// The cache was read (on the first run).
    cache_loaded: bool,
    /// Executable copies of code read from the cache.
    code_mem: cache::CodeMemory,
    /// Reach count that triggers compilation.
    pub threshold: u32,
    /// `/tmp/perf-<pid>.map` when `CANNONBALL_PERF_MAP` is set (`Some(None)` once it failed).
    perf_map: Option<Option<std::io::LineWriter<std::fs::File>>>,
    /// The threshold's divisor while the compile thread is idle: [`IDLE_DIVISOR`], or
    /// `CANNONBALL_JIT_IDLE_DIVISOR` (1 turns the lower idle threshold off).
    idle_divisor: u32,
    /// Compiled code records the blocks it runs ([`Backend::run_traced`]).
    traced: bool,
    /// Work counters.
    pub stats: JitStats,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit")
            .field("blocks", &self.blocks.len())
            .finish()
    }
}

impl Backend for Jit {
    /// Alternates between compiled code and the interpreter's pre-decoded blocks, which stop at
    /// every entry that has a translation (marked in [`Vm::code`]) or has just become hot.
    fn run(&mut self, vm: &mut Vm, budget: u64) -> Result<Leave> {
        self.run_stretch(vm, budget, None)
    }

    /// Traces when the JIT was built to ([`JitOptions::trace`]): compiled blocks record
    /// themselves, the interpreter's blocks are recorded as they run.
    fn run_traced(&mut self, vm: &mut Vm, budget: u64, trace: &mut Trace) -> Option<Result<Leave>> {
        self.traced
            .then(|| self.run_stretch(vm, budget, Some(trace)))
    }
}

impl Jit {
    /// Runs up to `budget` steps of straight code (see [`Backend::run`]), recording them in
    /// `trace` if given.
    fn run_stretch(
        &mut self,
        vm: &mut Vm,
        budget: u64,
        mut trace: Option<&mut Trace>,
    ) -> Result<Leave> {
        vm.code.keep_written();
        if !self.cache_loaded {
            self.load_cache(vm);
        }
        let end = vm.state.step() + budget;
        loop {
            self.drop_written_code(vm);
            self.install_ready(vm);
            let left = end - vm.state.step();
            if left == 0 {
                return Ok(Leave::Budget);
            }
            if let Some(l) = self.run_compiled(vm, left, trace.as_deref_mut()) {
                return Ok(l);
            }
            let left = end - vm.state.step();
            if left == 0 {
                return Ok(Leave::Budget);
            }
            let before = vm.state.step();
            let threshold = self.effective_threshold();
            let leave = match trace.as_deref_mut() {
                Some(t) => vm.run_hot_into(left, threshold, t),
                None => vm.run_hot(left, threshold),
            };
            self.stats.interp_steps += vm.state.step() - before;
            match leave? {
                Leave::Hot => self.hot(vm),
                l => return Ok(l),
            }
        }
    }

    /// The reach count that makes a block hot now: [`Jit::threshold`], divided by
    /// [`IDLE_DIVISOR`] while the compile thread is idle.
    fn effective_threshold(&self) -> u32 {
        let t = self.threshold.max(1);
        match self.translator {
            Translator::Background(_) if self.pending.len() <= IDLE_QUEUE => {
                (t / self.idle_divisor).max(1)
            }
            _ => t,
        }
    }

    /// A JIT for a VM of the given word size, compiling as `CANNONBALL_JIT_COMPILE` says
    /// ([`CompileMode::from_env`]). Cranelift's IR verifier runs on every block when
    /// `CANNONBALL_JIT_VERIFY` is set in the environment (the tests set it).
    pub fn new(is64: bool) -> std::result::Result<Self, String> {
        Self::with_options(is64, JitOptions::from_env(false))
    }

    /// A JIT compiling synchronously, with or without Cranelift's IR verifier.
    pub fn with_verifier(is64: bool, verify: bool) -> std::result::Result<Self, String> {
        Self::with_mode(is64, verify, CompileMode::Sync)
    }

    /// A JIT with the given verifier setting and compile mode.
    pub fn with_mode(
        is64: bool,
        verify: bool,
        mode: CompileMode,
    ) -> std::result::Result<Self, String> {
        Self::with_options(
            is64,
            JitOptions {
                verify,
                mode,
                trace: false,
            },
        )
    }

    /// A JIT built as `o` says.
    pub fn with_options(is64: bool, o: JitOptions) -> std::result::Result<Self, String> {
        let JitOptions {
            verify,
            mode,
            trace,
        } = o;
        let translator = match mode {
            CompileMode::Sync => Translator::Sync(Box::new(Compiler::new(verify, trace)?)),
            CompileMode::Background(delay) => {
                Translator::Background(Background::spawn(is64, verify, delay, trace)?)
            }
        };
        let (trampoline, wrappers) = match &translator {
            Translator::Sync(c) => (c.trampoline, c.wrappers),
            Translator::Background(bg) => (bg.trampoline, bg.wrappers),
        };
        Ok(Jit {
            translator,
            is64,
            blocks: FxHashMap::default(),
            uncompilable: FxHashSet::default(),
            pending: FxHashMap::default(),
            dispatch: vec![DispatchEntry::EMPTY; DISPATCH_SIZE].into_boxed_slice(),
            trampoline,
            wrappers,
            code_pages: FxHashMap::default(),
            tlb_tags: Box::new([u64::MAX; TLB_SIZE]),
            tlb_data: Box::new([std::ptr::null_mut(); TLB_SIZE]),
            wtlb_tags: Box::new([u64::MAX; TLB_SIZE]),
            wtlb_data: Box::new([std::ptr::null_mut(); TLB_SIZE]),
            clean_epoch: u64::MAX,
            watch_epoch: u64::MAX,
            remap_epoch: u64::MAX,
            dummy_ll: Box::default(),
            compile_thread_lost: false,
            cache: None,
            cache_loaded: true,
            code_mem: cache::CodeMemory::default(),
            threshold: DEFAULT_THRESHOLD,
            perf_map: std::env::var_os("CANNONBALL_PERF_MAP").map(|_| {
                let path = format!("/tmp/perf-{}.map", std::process::id());
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| tracing::warn!("CANNONBALL_PERF_MAP: cannot open {path}: {e}"))
                    .ok()
                    .map(std::io::LineWriter::new)
            }),
            idle_divisor: std::env::var("CANNONBALL_JIT_IDLE_DIVISOR")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&d| d >= 1)
                .unwrap_or(IDLE_DIVISOR),
            traced: trace,
            stats: JitStats::default(),
        })
    }

    /// Runs `vm` until `step == stop` or it exits, with compiled code wherever possible (the
    /// shared run loop, [`drive::run`], with this JIT as its back end).
    pub fn run_until(&mut self, vm: &mut Vm, stop: u64) -> Result<()> {
        let (start, counted) = (
            vm.state.step(),
            self.stats.jit_steps + self.stats.interp_steps,
        );
        let r = drive::run(vm, stop, self, None);
        // steps the run loop took itself (syscalls, LL/SC, scheduler steps)
        let counted = self.stats.jit_steps + self.stats.interp_steps - counted;
        self.stats.interp_steps += (vm.state.step() - start).saturating_sub(counted);
        r
    }

    /// Installs every translation the compile thread has finished.
    fn install_ready(&mut self, vm: &mut Vm) {
        loop {
            let Translator::Background(bg) = &mut self.translator else {
                return;
            };
            let Some(d) = bg.try_recv() else {
                return;
            };
            self.install(vm, d);
        }
    }

    fn install(&mut self, vm: &mut Vm, d: background::Done) {
        self.stats.compile_time += d.time;
        // a region whose code was written after it was queued is stale
        let Some(q) = self.pending.remove(&d.entry) else {
            self.stats.stale += 1;
            return;
        };
        match d.func {
            Some(t) => self.install_compiled(vm, d.entry, &d.blocks, t, q),
            None => {
                self.uncompilable.insert(d.entry);
            }
        }
    }

    /// Installs a translation compiled in this run: counts it, keeps it for the persistent
    /// cache, and makes it the region's code.
    fn install_compiled(
        &mut self,
        vm: &mut Vm,
        entry: u64,
        blocks: &[Vec<(u64, Insn)>],
        t: translate::Translation,
        q: Queued,
    ) {
        self.stats.blocks_compiled += q.blocks;
        self.stats.insns_compiled += q.insns;
        let len = t.bytes.as_ref().map_or(0, Vec::len);
        self.perf_note(t.func.0, len, entry);
        self.keep(entry, blocks, &q, t.bytes);
        self.register(&mut vm.code, entry, t.func, q);
    }

    /// Records a fresh translation for the persistent cache (when there is one and the code
    /// is position independent).
    fn keep(
        &mut self,
        entry: u64,
        blocks: &[Vec<(u64, Insn)>],
        q: &Queued,
        bytes: Option<Vec<u8>>,
    ) {
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let Some(code) = bytes else {
            cache.stats.unportable += 1;
            return;
        };
        let runs = blocks
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| (b[0].0, b.iter().map(|(_, i)| i.raw).collect()))
            .collect();
        cache.record(cache::Entry {
            entry,
            blocks: q.blocks as u32,
            insns: q.insns as u32,
            runs,
            code,
        });
    }

    /// Uses the persistent code cache under `root` (see [`cache`]): translations found there
    /// are installed when the run starts, and [`Jit::save_cache`] writes new ones.
    pub fn use_cache(&mut self, root: &std::path::Path) {
        let settings = match &self.translator {
            Translator::Sync(c) => c.settings.clone(),
            Translator::Background(bg) => bg.settings.clone(),
        };
        self.cache = cache::CodeCache::open(root, &cache::key(&settings, self.is64));
        self.cache_loaded = false;
    }

    /// The persistent cache's counters, when one is used.
    pub fn cache_stats(&self) -> Option<cache::CacheStats> {
        self.cache.as_ref().map(|c| c.stats)
    }

    /// Writes the translations compiled in this run to the persistent cache, if one is used.
    pub fn save_cache(&mut self) {
        if self.cache.is_none() {
            return;
        }
        // translations that finished after the last install are worth keeping too (unless
        // their code was written meanwhile)
        while let Translator::Background(bg) = &mut self.translator {
            let Some(d) = bg.try_recv() else {
                break;
            };
            if let (Some(q), Some(t)) = (self.pending.remove(&d.entry), d.func) {
                self.keep(d.entry, &d.blocks, &q, t.bytes);
            }
        }
        if let Some(c) = self.cache.as_mut() {
            // hot entries the compile thread had not reached: the next run queues them at once
            let mut wanted: Vec<u64> = self.pending.keys().copied().collect();
            wanted.sort_unstable();
            c.record_wanted(wanted);
            c.save();
        }
    }

    /// Installs every cached translation whose guest words equal `vm`'s memory.
    fn load_cache(&mut self, vm: &mut Vm) {
        self.cache_loaded = true;
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let entries = cache.load();
        let mem = vm.state.memory();
        let matching: Vec<&cache::Entry> = entries
            .iter()
            .filter(|e| {
                !e.is_wanted()
                    && !self.blocks.contains_key(&e.entry)
                    && e.runs.iter().all(|(pc, words)| {
                        words.iter().enumerate().all(|(i, &w)| {
                            let a = pc.wrapping_add(4 * i as u64);
                            a & 3 == 0 && mem.read_u32(a) == w
                        })
                    })
            })
            .collect();
        let codes: Vec<&[u8]> = matching.iter().map(|e| e.code.as_slice()).collect();
        let ptrs = match self.code_mem.map(&codes) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("JIT cache: cannot map code: {e}");
                cache.keep_read(entries);
                return;
            }
        };
        cache.stats.installed = matching.len() as u64;
        for (e, ptr) in matching.iter().zip(ptrs) {
            let mut pages: Vec<u64> = e
                .runs
                .iter()
                .flat_map(|(pc, w)| (0..w.len() as u64).map(move |i| (pc + 4 * i) >> 12))
                .collect();
            pages.sort_unstable();
            pages.dedup();
            for &p in &pages {
                vm.state.memory_mut().watch_page(p);
            }
            let q = Queued {
                pages,
                blocks: u64::from(e.blocks),
                insns: u64::from(e.insns),
            };
            self.stats.blocks_cached += q.blocks;
            self.perf_note(ptr, e.code.len(), e.entry);
            self.register(&mut vm.code, e.entry, RegionFn(ptr), q);
        }
        // entries an earlier run found hot but could not compile in time: queue them now (only
        // with a compile thread; a wanted entry is a hint, its region is read from memory)
        if matches!(self.translator, Translator::Background(_)) {
            let wanted = entries.iter().filter(|e| e.is_wanted());
            for e in wanted.take(cache::MAX_WANTED) {
                if e.entry & 3 == 0 && !self.blocks.contains_key(&e.entry) {
                    self.compile_region(vm, e.entry);
                }
            }
        }
        if let Some(c) = self.cache.as_mut() {
            c.keep_read(entries);
        }
    }

    /// With `CANNONBALL_PERF_MAP` set, names the code of the region at `entry` in
    /// `/tmp/perf-<pid>.map`, so `perf report` attributes samples in compiled code to guest
    /// addresses (`cannonball_region_0x<entry>`). Code of unknown length gets 256 bytes.
    fn perf_note(&mut self, code: *const u8, len: usize, entry: u64) {
        use std::io::Write;
        if self.perf_map.is_none() {
            return;
        }
        if let Some(f) = self.perf_map.as_mut().and_then(|f| f.as_mut()) {
            let len = if len == 0 { 256 } else { len };
            if writeln!(
                f,
                "{:x} {len:x} cannonball_region_0x{entry:x}",
                code as usize
            )
            .is_err()
            {
                self.perf_map = Some(None);
            }
        }
    }

    /// Makes `func` the translation of the region `q` at `entry` (whose pages are watched), and
    /// has the interpreter hand over at its entry.
    fn register(&mut self, code: &mut BlockCache, entry: u64, func: RegionFn, q: Queued) {
        code.mark(entry);
        self.dispatch[dispatch_slot(entry)] = DispatchEntry {
            tag: entry,
            func: func.0,
        };
        for &p in &q.pages {
            self.code_pages.entry(p).or_default().push(entry);
        }
        let pages = q.pages;
        self.blocks.insert(entry, Block { func, pages });
    }

    /// Drops translations whose code pages were written (by compiled code, the interpreter or
    /// a syscall; the interpreter's block cache sees the writes and keeps them for us), the
    /// write cache if pages may have become clean or newly hold code, and both page caches if
    /// page bytes may have moved.
    fn drop_written_code(&mut self, vm: &mut Vm) {
        let (code, mem) = (&mut vm.code, vm.state.memory_mut());
        self.drop_written_translations(code, mem);
        if mem.clean_epoch() != self.clean_epoch || mem.watch_epoch() != self.watch_epoch {
            self.wtlb_tags.fill(u64::MAX);
            self.clean_epoch = mem.clean_epoch();
            self.watch_epoch = mem.watch_epoch();
        }
        if mem.remap_epoch() != self.remap_epoch {
            // page bytes moved (copy on write after a checkpoint) or this is another memory
            self.tlb_tags.fill(u64::MAX);
            self.wtlb_tags.fill(u64::MAX);
            self.remap_epoch = mem.remap_epoch();
        }
    }

    /// Drops the translations on code pages written since the last call (which the
    /// interpreter's block cache collects from the memory's watch).
    fn drop_written_translations(&mut self, code: &mut BlockCache, mem: &mut Memory) {
        code.sync(mem);
        for page in code.take_written() {
            self.invalidate_page(code, page);
        }
    }

    fn invalidate_page(&mut self, code: &mut BlockCache, page: u64) {
        // queued translations of this code are stale: their results will be discarded
        self.pending.retain(|_, q| !q.pages.contains(&page));
        let Some(entries) = self.code_pages.remove(&page) else {
            return;
        };
        for e in entries {
            if let Some(b) = self.blocks.remove(&e) {
                self.stats.invalidations += 1;
                code.unmark(e);
                // chains look regions up here: the dropped code must not be found again
                let slot = &mut self.dispatch[dispatch_slot(e)];
                if slot.tag == e {
                    *slot = DispatchEntry::EMPTY;
                }
                // the region may span other pages: unlink it there too
                for p in b.pages {
                    if let Some(v) = self.code_pages.get_mut(&p) {
                        v.retain(|&x| x != e);
                    }
                }
            }
        }
        self.uncompilable.clear();
    }

    /// Runs compiled blocks on the current thread for up to `budget` steps; `None` when it
    /// reaches code without a translation (or a delay slot), for the interpreter. With `trace`
    /// (only for a JIT built to trace), the blocks run are appended to it.
    fn run_compiled(
        &mut self,
        vm: &mut Vm,
        budget: u64,
        mut trace: Option<&mut Trace>,
    ) -> Option<Leave> {
        let Vm {
            state, stats, code, ..
        } = vm;
        let Some((cpu, mem, ll)) = state.core_parts() else {
            return Some(Leave::Step);
        };
        // cold code and delay slots leave before the context is set up
        if !can_start_block(cpu.pc, cpu.next_pc, self.is64) {
            return None;
        }
        let first = self.find(cpu.pc)?;
        let ll: &mut Reservation = match ll {
            Some(l) => l,
            None => &mut self.dummy_ll,
        };
        // stores to the reserved word must take the store helper (it applies the rule)
        helpers::evict_reserved(&mut self.wtlb_tags, ll);
        let ll: *mut Reservation = ll;
        let mut ctx = JitCtx {
            regs: cpu.regs,
            hi: cpu.hi,
            lo: cpu.lo,
            pc: cpu.pc,
            next_pc: cpu.next_pc,
            budget,
            tlb_tags: self.tlb_tags.as_mut_ptr(),
            tlb_data: self.tlb_data.as_mut_ptr(),
            wtlb_tags: self.wtlb_tags.as_mut_ptr(),
            wtlb_data: self.wtlb_data.as_mut_ptr(),
            mem: mem as *mut Memory,
            ll,
            stats: stats as *mut Stats,
            dispatch: self.dispatch.as_ptr(),
            helpers: self.wrappers.ptrs(),
            helper_ret: 0,
            trace: std::ptr::null_mut(),
        };
        let mut next = Some(first);
        let leave = loop {
            let f = match next.take() {
                Some(f) => f,
                None => {
                    if ctx.budget == 0 {
                        break Some(Leave::Budget);
                    }
                    let pc = ctx.pc;
                    if !can_start_block(pc, ctx.next_pc, self.is64) {
                        // a delay slot (or a misaligned PC): the interpreter takes it
                        break None;
                    }
                    match self.find(pc) {
                        Some(f) => f,
                        None => break None,
                    }
                }
            };
            let before = ctx.budget;
            if let Some(t) = trace.as_deref_mut() {
                // room for every block the call may start: each one that completes uses at
                // least one step of the budget, and one more may leave from inside
                t.entries.reserve(before as usize + 1);
                // SAFETY: within the allocation (just reserved).
                ctx.trace = unsafe { t.entries.as_mut_ptr().add(t.entries.len()) };
            }
            // SAFETY: `f` is a finalized region compiled for this context layout; `ctx` and
            // every pointer in it (the dispatch table included, which holds only live regions
            // and is not changed during the call; the trace, with room as above) are valid for
            // the call.
            let exit = unsafe { (self.trampoline)(&mut ctx, f.0) };
            self.stats.jit_steps += before - ctx.budget;
            if let Some(t) = trace.as_deref_mut() {
                self.take_trace(t, ctx.trace, before - ctx.budget);
            }
            match exit {
                ctx::EXIT_CONTINUE => {}
                // (a region may have used up the budget in a loop before leaving)
                ctx::EXIT_BUDGET | ctx::EXIT_INTERP if ctx.budget == 0 => {
                    break Some(Leave::Budget)
                }
                ctx::EXIT_BUDGET | ctx::EXIT_INTERP => break Some(Leave::Step),
                _ => {
                    // code written: drop stale translations before running anything else
                    // SAFETY: `mem` is the live memory, not otherwise borrowed here.
                    self.drop_written_translations(code, unsafe { &mut *ctx.mem });
                }
            }
        };
        let done = budget - ctx.budget;
        cpu.regs = ctx.regs;
        cpu.hi = ctx.hi;
        cpu.lo = ctx.lo;
        cpu.pc = ctx.pc;
        cpu.next_pc = ctx.next_pc;
        state.advance(done);
        leave
    }

    /// Adopts the entries compiled code wrote into `t`'s spare room (up to `end`) in a call that
    /// ran `steps` steps: a block left from inside (a side exit) recorded its whole length, so
    /// the last entry is cut to the steps that ran.
    fn take_trace(&self, t: &mut Trace, end: *mut Traced, steps: u64) {
        assert!(self.traced, "a trace from a JIT not built to trace");
        let start = t.entries.len();
        // SAFETY: compiled code wrote whole entries from `as_mut_ptr() + len` up to `end`,
        // within the room reserved before the call (checked below).
        let added = unsafe { end.offset_from(t.entries.as_ptr().add(start)) };
        let added = usize::try_from(added).expect("trace pointer moved backwards");
        assert!(
            start + added <= t.entries.capacity(),
            "trace overran its room"
        );
        // SAFETY: the first `start + added` entries are initialized (see above).
        unsafe { t.entries.set_len(start + added) };
        let recorded: u64 = t.entries[start..].iter().map(|e| e.steps).sum();
        if recorded > steps {
            let last = t.entries.last_mut().expect("entries recorded");
            last.steps -= recorded - steps;
            if last.steps == 0 {
                t.entries.pop();
            }
        }
    }

    /// The compiled region at `pc`, through the dispatch cache.
    #[inline]
    fn find(&mut self, pc: u64) -> Option<RegionFn> {
        let slot = dispatch_slot(pc);
        let e = self.dispatch[slot];
        if e.tag == pc {
            return Some(RegionFn(e.func));
        }
        let f = self.blocks.get(&pc)?.func;
        self.dispatch[slot] = DispatchEntry { tag: pc, func: f.0 };
        Some(f)
    }

    /// The block at the current PC just became hot (or is marked): have it compiled, unless
    /// it is compiled, queued or cannot be.
    fn hot(&mut self, vm: &mut Vm) {
        let pc = vm.state.pc();
        if self.blocks.contains_key(&pc) {
            // the interpreter's block was decoded again since the translation was installed
            vm.code.mark(pc);
            return;
        }
        self.compile_region(vm, pc);
    }

    /// Forms the region at `pc` and compiles it (now, or queued for the compile thread),
    /// unless it is known uncompilable or already queued.
    fn compile_region(&mut self, vm: &mut Vm, pc: u64) {
        if self.uncompilable.contains(&pc) || self.pending.contains_key(&pc) {
            return;
        }
        let t = Instant::now();
        let mem = vm.state.memory_mut();
        let blocks = if self.is64 {
            region::region::<Mips64>(mem, pc, |e| self.blocks.contains_key(&e))
        } else {
            region::region::<Mips32>(mem, pc, |e| self.blocks.contains_key(&e))
        };
        if blocks.is_empty() {
            self.uncompilable.insert(pc);
            return;
        }
        // watch the region's code from now on: a write before the translation is installed
        // makes it stale
        let pages = region::pages(&blocks);
        for &p in &pages {
            mem.watch_page(p);
        }
        let q = Queued {
            pages,
            blocks: blocks.len() as u64,
            insns: blocks.iter().map(|b| b.len() as u64).sum(),
        };
        let is64 = self.is64;
        match &mut self.translator {
            Translator::Sync(c) => {
                let func = if is64 {
                    c.translate::<Mips64>(&blocks)
                } else {
                    c.translate::<Mips32>(&blocks)
                };
                self.stats.compile_time += t.elapsed();
                match func {
                    Some(t) => self.install_compiled(vm, pc, &blocks, t, q),
                    None => {
                        self.uncompilable.insert(pc);
                    }
                }
            }
            Translator::Background(bg) => {
                if bg.send(Request { entry: pc, blocks }) {
                    self.stats.queued += 1;
                    self.pending.insert(pc, q);
                } else {
                    if !self.compile_thread_lost {
                        self.compile_thread_lost = true;
                        tracing::warn!(
                            "the JIT compile thread stopped; the rest of the run is interpreted"
                        );
                    }
                    self.uncompilable.insert(pc);
                }
            }
        }
    }
}

/// The dispatch table slot of entry `pc` (compiled code computes the same).
#[inline(always)]
fn dispatch_slot(pc: u64) -> usize {
    ((pc >> 2) as usize) & (DISPATCH_SIZE - 1)
}
