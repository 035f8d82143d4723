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
//! * Syscalls, LL/SC, scheduler steps, faults and cold code run in the interpreter. Blocks are
//!   compiled once their entry has been reached [`Jit::threshold`] times.

pub mod ctx;
pub mod lower;

use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use ctx::{JitCtx, TLB_SIZE};
use interp::arch::{Arch, Mips32, Mips64};
use interp::decode::{Insn, RegSet, Successors};
use interp::memory::Memory;
use interp::ops::Flow;
use interp::semantics::execute;
use interp::state::{can_start_block, Reservation};
use interp::vm::{drive, icache_miss, Backend, Leave, Stats};
use interp::{Result, Vm};
use lower::{ExitPc, Helpers, JitOps, JV};
use rustc_hash::{FxHashMap, FxHashSet};
use std::time::{Duration, Instant};

/// Longest block, in instructions (a delay slot may make it one longer).
pub const MAX_BLOCK: usize = 64;
/// Most blocks compiled together as one region.
pub const MAX_REGION_BLOCKS: usize = 8;
/// Most instructions compiled together as one region.
pub const MAX_REGION_INSNS: usize = 400;
/// Default number of times a block entry is reached before it is compiled.
pub const DEFAULT_THRESHOLD: u32 = 1024;
/// Entries of the direct-mapped dispatch cache.
const DISPATCH_SIZE: usize = 1 << 14;

type BlockFn = unsafe extern "C" fn(*mut JitCtx) -> u64;

/// A compiled region.
#[derive(Clone)]
struct Block {
    func: BlockFn,
    /// Pages its instructions live on.
    pages: Vec<u64>,
}

/// Counters of the JIT's work.
#[derive(Debug, Default, Clone)]
pub struct JitStats {
    /// Blocks compiled.
    pub blocks_compiled: u64,
    /// Guest instructions in compiled blocks.
    pub insns_compiled: u64,
    /// Time spent compiling.
    pub compile_time: Duration,
    /// Steps executed by compiled code.
    pub jit_steps: u64,
    /// Steps executed by the interpreter under the JIT's dispatcher.
    pub interp_steps: u64,
    /// Translations dropped because their code was written.
    pub invalidations: u64,
}

/// The JIT compiler and its dispatcher state for one VM.
pub struct Jit {
    module: JITModule,
    cl_ctx: cranelift_codegen::Context,
    fctx: FunctionBuilderContext,
    load_id: FuncId,
    store_id: FuncId,
    ll_clear_id: FuncId,
    is64: bool,
    blocks: FxHashMap<u64, Block>,
    /// Entries that cannot be compiled (the first instruction is not a core instruction).
    uncompilable: FxHashSet<u64>,
    counts: FxHashMap<u64, u32>,
    dispatch: Vec<(u64, Option<BlockFn>)>,
    /// Pages holding compiled code -> block entries that cover them.
    code_pages: FxHashMap<u64, Vec<u64>>,
    tlb_tags: Box<[u64; TLB_SIZE]>,
    tlb_data: Box<[*mut u8; TLB_SIZE]>,
    wtlb_tags: Box<[u64; TLB_SIZE]>,
    wtlb_data: Box<[*mut u8; TLB_SIZE]>,
    clean_epoch: u64,
    /// [`Memory::remap_epoch`] the page caches were filled under.
    remap_epoch: u64,
    dummy_ll: Box<Reservation>,
    /// Reach count that triggers compilation.
    pub threshold: u32,
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
    fn run(&mut self, vm: &mut Vm, budget: u64) -> Result<Leave> {
        self.drop_written_code(vm.state.memory_mut());
        Ok(self.run_compiled(vm, budget))
    }
}

// ---- helpers called from compiled code -----------------------------------------------------

/// Page-cache miss on a load: the word at `addr` (0 for an unallocated page).
unsafe extern "C" fn helper_load(ctx: *mut JitCtx, addr: u64) -> u64 {
    // SAFETY: compiled code passes the live context of the running dispatcher, whose pointers
    // (memory, caches) are valid for the duration of the call and not otherwise borrowed.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `mem` points at the VM's memory, exclusively lent to the dispatcher.
    let mem = unsafe { &mut *ctx.mem };
    let page = addr >> 12;
    let bytes = if mem.depth() > 32 { 8 } else { 4 };
    if let Some(p) = mem.page_ptr(page) {
        let slot = (page as usize) & (TLB_SIZE - 1);
        // SAFETY: the cache arrays have TLB_SIZE entries.
        unsafe {
            *ctx.tlb_tags.add(slot) = page;
            *ctx.tlb_data.add(slot) = p;
        }
    }
    mem.read_word(addr, bytes)
}

/// Page-cache miss on a store: performs it; returns 1 if it wrote a page holding compiled code.
unsafe extern "C" fn helper_store(ctx: *mut JitCtx, addr: u64, v: u64) -> u64 {
    // SAFETY: as in `helper_load`.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `mem` points at the VM's memory, exclusively lent to the dispatcher.
    let mem = unsafe { &mut *ctx.mem };
    let page = addr >> 12;
    let bytes = if mem.depth() > 32 { 8 } else { 4 };
    mem.write_word(addr, bytes, v);
    if mem.has_watch_hits() {
        return 1;
    }
    let p = mem.page_ptr_for_write(page);
    let slot = (page as usize) & (TLB_SIZE - 1);
    // SAFETY: the cache arrays have TLB_SIZE entries.
    unsafe {
        *ctx.wtlb_tags.add(slot) = page;
        *ctx.wtlb_data.add(slot) = p;
        *ctx.tlb_tags.add(slot) = page;
        *ctx.tlb_data.add(slot) = p;
    }
    0
}

/// A store to the aligned word `addr` hit the reserved word: the interpreter's reservation rule
/// clears it and counts the invalidation.
unsafe extern "C" fn helper_ll_clear(ctx: *mut JitCtx, addr: u64) {
    // SAFETY: as in `helper_load`; `ll` points at the state's reservation.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `ll` and `stats` point at the VM's reservation and statistics, lent to the
    // dispatcher for the duration of the run.
    unsafe {
        (*ctx.ll).on_write(addr, &mut (*ctx.stats).reservation_invalidations);
    }
}

impl Jit {
    /// A JIT for a VM of the given word size. Cranelift's IR verifier runs on every block when
    /// `CANNONBALL_JIT_VERIFY` is set in the environment (the tests set it).
    pub fn new(is64: bool) -> std::result::Result<Self, String> {
        Self::with_verifier(is64, std::env::var_os("CANNONBALL_JIT_VERIFY").is_some())
    }

    /// A JIT, with or without Cranelift's IR verifier.
    pub fn with_verifier(is64: bool, verify: bool) -> std::result::Result<Self, String> {
        let mut flags = settings::builder();
        flags
            .set("enable_verifier", if verify { "true" } else { "false" })
            .map_err(|e| e.to_string())?;
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        flags
            .set("regalloc_algorithm", &regalloc_algorithm())
            .map_err(|e| e.to_string())?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| e.to_string())?;
        flags.set("is_pic", "false").map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("this host is not supported by Cranelift: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let mut jb = JITBuilder::with_isa(isa, default_libcall_names());
        jb.symbol("cb_load", helper_load as *const u8);
        jb.symbol("cb_store", helper_store as *const u8);
        jb.symbol("cb_ll_clear", helper_ll_clear as *const u8);
        let mut module = JITModule::new(jb);
        let ptr = types::I64;
        let mut sig = module.make_signature();
        sig.params
            .extend([AbiParam::new(ptr), AbiParam::new(types::I64)]);
        sig.returns.push(AbiParam::new(types::I64));
        let load_id = module
            .declare_function("cb_load", Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        let mut sig = module.make_signature();
        sig.params.extend([
            AbiParam::new(ptr),
            AbiParam::new(types::I64),
            AbiParam::new(types::I64),
        ]);
        sig.returns.push(AbiParam::new(types::I64));
        let store_id = module
            .declare_function("cb_store", Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        let mut sig = module.make_signature();
        sig.params
            .extend([AbiParam::new(ptr), AbiParam::new(types::I64)]);
        let ll_clear_id = module
            .declare_function("cb_ll_clear", Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        Ok(Jit {
            cl_ctx: module.make_context(),
            module,
            fctx: FunctionBuilderContext::new(),
            load_id,
            store_id,
            ll_clear_id,
            is64,
            blocks: FxHashMap::default(),
            uncompilable: FxHashSet::default(),
            counts: FxHashMap::default(),
            dispatch: vec![(u64::MAX, None); DISPATCH_SIZE],
            code_pages: FxHashMap::default(),
            tlb_tags: Box::new([u64::MAX; TLB_SIZE]),
            tlb_data: Box::new([std::ptr::null_mut(); TLB_SIZE]),
            wtlb_tags: Box::new([u64::MAX; TLB_SIZE]),
            wtlb_data: Box::new([std::ptr::null_mut(); TLB_SIZE]),
            clean_epoch: u64::MAX,
            remap_epoch: u64::MAX,
            dummy_ll: Box::default(),
            threshold: DEFAULT_THRESHOLD,
            stats: JitStats::default(),
        })
    }

    /// Runs `vm` until `step == stop` or it exits, with compiled code wherever possible (the
    /// shared run loop, [`drive::run`], with this JIT as its back end).
    pub fn run_until(&mut self, vm: &mut Vm, stop: u64) -> Result<()> {
        let (start, jit_before) = (vm.state.step(), self.stats.jit_steps);
        let r = drive::run(vm, stop, self, None);
        let jit = self.stats.jit_steps - jit_before;
        self.stats.interp_steps += (vm.state.step() - start).saturating_sub(jit);
        r
    }

    /// Drops translations whose code pages were written (by compiled code or the interpreter),
    /// the write cache if pages may have become clean, and both page caches if page bytes may
    /// have moved.
    fn drop_written_code(&mut self, mem: &mut Memory) {
        if mem.has_watch_hits() {
            for page in mem.take_watch_hits() {
                self.invalidate_page(mem, page);
            }
        }
        if mem.clean_epoch() != self.clean_epoch {
            self.wtlb_tags.fill(u64::MAX);
            self.clean_epoch = mem.clean_epoch();
        }
        if mem.remap_epoch() != self.remap_epoch {
            // page bytes moved (copy on write after a checkpoint) or this is another memory
            self.tlb_tags.fill(u64::MAX);
            self.wtlb_tags.fill(u64::MAX);
            self.remap_epoch = mem.remap_epoch();
        }
    }

    fn invalidate_page(&mut self, mem: &mut Memory, page: u64) {
        let Some(entries) = self.code_pages.remove(&page) else {
            mem.unwatch_page(page);
            return;
        };
        for e in entries {
            if let Some(b) = self.blocks.remove(&e) {
                self.stats.invalidations += 1;
                self.counts.remove(&e);
                // the region may span other pages: unlink it there too
                for p in b.pages {
                    if let Some(v) = self.code_pages.get_mut(&p) {
                        v.retain(|&x| x != e);
                    }
                }
            }
        }
        self.uncompilable.clear();
        self.dispatch.fill((u64::MAX, None));
        mem.unwatch_page(page);
    }

    /// Runs compiled blocks on the current thread for up to `budget` steps.
    fn run_compiled(&mut self, vm: &mut Vm, budget: u64) -> Leave {
        let Vm { state, stats, .. } = vm;
        let Some((cpu, mem, ll)) = state.core_parts() else {
            return Leave::Step;
        };
        let ll: *mut Reservation = match ll {
            Some(l) => l,
            None => &mut *self.dummy_ll,
        };
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
        };
        let leave = loop {
            if ctx.budget == 0 {
                break Leave::Budget;
            }
            let pc = ctx.pc;
            if !can_start_block(pc, ctx.next_pc, self.is64) {
                // a delay slot (or a misaligned PC): the reference step takes it
                break Leave::Step;
            }
            let slot = ((pc >> 2) as usize) & (DISPATCH_SIZE - 1);
            let f = match self.dispatch[slot] {
                (tag, Some(f)) if tag == pc => f,
                _ => {
                    // SAFETY: `mem` is the live memory; compile only reads it.
                    match self.lookup(unsafe { &mut *ctx.mem }, pc) {
                        Ok(f) => {
                            self.dispatch[slot] = (pc, Some(f));
                            f
                        }
                        Err(l) => break l,
                    }
                }
            };
            let before = ctx.budget;
            // SAFETY: `f` is a finalized block compiled for this context layout; `ctx` and every
            // pointer in it are valid for the call.
            let code = unsafe { f(&mut ctx) };
            self.stats.jit_steps += before - ctx.budget;
            match code {
                ctx::EXIT_CONTINUE => {}
                // (a region may have used up the budget in a loop before leaving)
                ctx::EXIT_BUDGET | ctx::EXIT_INTERP if ctx.budget == 0 => break Leave::Budget,
                ctx::EXIT_BUDGET | ctx::EXIT_INTERP => break Leave::Step,
                _ => {
                    // code written: drop stale translations before running anything else
                    // SAFETY: as above.
                    self.drop_written_code(unsafe { &mut *ctx.mem });
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

    /// The compiled block at `pc`, compiling it if it is hot enough.
    fn lookup(&mut self, mem: &mut Memory, pc: u64) -> std::result::Result<BlockFn, Leave> {
        if let Some(b) = self.blocks.get(&pc) {
            return Ok(b.func);
        }
        if self.uncompilable.contains(&pc) {
            return Err(Leave::Step);
        }
        let c = self.counts.entry(pc).or_insert(0);
        *c += 1;
        if *c < self.threshold {
            return Err(Leave::Block);
        }
        let t = Instant::now();
        let r = if self.is64 {
            self.compile::<Mips64>(mem, pc)
        } else {
            self.compile::<Mips32>(mem, pc)
        };
        self.stats.compile_time += t.elapsed();
        match r {
            Some(b) => Ok(b),
            None => {
                self.uncompilable.insert(pc);
                Err(Leave::Step)
            }
        }
    }

    /// Decodes the block at `pc` (the interpreter's definition of a basic block).
    fn scan<A: Arch>(mem: &Memory, pc: u64) -> Vec<(u64, Insn)> {
        interp::decode::basic_block(mem, pc, A::IS_64, MAX_BLOCK)
    }

    /// The helper functions' ids: load, store, ll_clear.
    fn helper_ids(&self) -> [FuncId; 3] {
        [self.load_id, self.store_id, self.ll_clear_id]
    }

    /// Forms a region at `entry`: the block there and, breadth-first, the blocks reachable
    /// through static successors (fall-through, branch and `j`/`jal` targets), up to
    /// [`MAX_REGION_BLOCKS`] blocks. Successors only decide which blocks are compiled together;
    /// control moves between them only where the lowered semantics compute their address.
    fn region<A: Arch>(&self, mem: &Memory, entry: u64) -> Vec<Vec<(u64, Insn)>> {
        let mut blocks: Vec<Vec<(u64, Insn)>> = Vec::new();
        let mut seen = FxHashSet::default();
        let mut queue = std::collections::VecDeque::from([entry]);
        let mut total = 0;
        while let Some(pc) = queue.pop_front() {
            if blocks.len() >= MAX_REGION_BLOCKS || total >= MAX_REGION_INSNS || !seen.insert(pc) {
                continue;
            }
            // code already compiled as another region's entry is reached through the dispatcher
            if pc != entry && self.blocks.contains_key(&pc) {
                continue;
            }
            let b = Self::scan::<A>(mem, pc);
            let Some(&(last_pc, last)) = b.last() else {
                continue;
            };
            total += b.len();
            let n = b.len();
            if n >= 2 && b[n - 2].1.is_control() {
                let (bpc, br) = b[n - 2];
                match br.successors(bpc, A::IS_64) {
                    Successors::Jump(t) => queue.push_back(t),
                    Successors::Branch { taken, not_taken } => {
                        queue.push_back(taken);
                        queue.push_back(not_taken);
                    }
                    Successors::Indirect | Successors::Next => {}
                }
            } else if !last.is_control() {
                queue.push_back(A::next_insn(last_pc));
            }
            blocks.push(b);
        }
        blocks
    }

    fn compile<A: Arch>(&mut self, mem: &mut Memory, pc: u64) -> Option<BlockFn> {
        let blocks = self.region::<A>(mem, pc);
        if blocks.is_empty() {
            return None;
        }
        let func = self.translate::<A>(&blocks)?;
        // watch every page the region's instructions live on
        let mut pages: Vec<u64> = blocks
            .iter()
            .flat_map(|b| b.iter().map(|(a, _)| a >> 12))
            .collect();
        pages.sort_unstable();
        pages.dedup();
        for &p in &pages {
            mem.watch_page(p);
            self.code_pages.entry(p).or_default().push(pc);
            let slot = (p as usize) & (TLB_SIZE - 1);
            if self.wtlb_tags[slot] == p {
                self.wtlb_tags[slot] = u64::MAX;
            }
        }
        self.blocks.insert(pc, Block { func, pages });
        self.stats.blocks_compiled += blocks.len() as u64;
        self.stats.insns_compiled += blocks.iter().map(|b| b.len() as u64).sum::<u64>();
        Some(func)
    }

    /// Translates a region (its first block is the entry) to one native function. Guest
    /// registers live in Cranelift variables for the whole region, so loops inside it run
    /// without returning to the dispatcher; each block checks the step budget on entry.
    fn translate<A: Arch>(&mut self, blocks: &[Vec<(u64, Insn)>]) -> Option<BlockFn> {
        self.cl_ctx.func.signature = {
            let mut s: Signature = self.module.make_signature();
            s.params.push(AbiParam::new(types::I64));
            s.returns.push(AbiParam::new(types::I64));
            s
        };
        self.cl_ctx.func.name = UserFuncName::user(0, self.stats.blocks_compiled as u32);
        {
            let ids = self.helper_ids();
            let mut b = FunctionBuilder::new(&mut self.cl_ctx.func, &mut self.fctx);
            let helpers = helpers_in(&mut self.module, ids, b.func);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let ctxv = b.block_params(entry)[0];
            let flags = MemFlagsData::trusted();

            // registers the region uses live in variables, loaded once at entry; every exit
            // writes back all registers the region may have written
            let all: Vec<(u64, Insn)> = blocks.iter().flatten().copied().collect();
            let used = used_registers(&all);
            let vars: [Variable; 34] = std::array::from_fn(|_| b.declare_var(types::I64));
            for (r, &var) in vars.iter().enumerate() {
                if used & (1 << r) == 0 {
                    continue;
                }
                let off = ctx::reg_slot(r);
                let v = b.ins().load(types::I64, flags, ctxv, off as i32);
                b.def_var(var, v);
            }
            let bvar = b.declare_var(types::I64);
            let budget = b.ins().load(types::I64, flags, ctxv, ctx::BUDGET as i32);
            b.def_var(bvar, budget);

            let heads: Vec<cranelift_codegen::ir::Block> =
                blocks.iter().map(|_| b.create_block()).collect();
            let index: FxHashMap<u64, usize> = blocks
                .iter()
                .enumerate()
                .map(|(i, blk)| (blk[0].0, i))
                .collect();

            let written = written_registers(&all);
            let mut ops = JitOps::<A>::new(&mut b, ctxv, &vars, helpers, A::IS_64);
            ops.load_bases();
            ops.b.ins().jump(heads[0], &[]);
            let mut exits = Vec::new();
            for (bi, insns) in blocks.iter().enumerate() {
                let n = insns.len() as u64;
                let head_pc = insns[0].0;
                ops.b.switch_to_block(heads[bi]);
                // budget check: the whole block must fit, else leave before it
                let left = ops.b.use_var(bvar);
                let fits = ops.b.ins().icmp_imm_s(
                    cranelift_codegen::ir::condcodes::IntCC::UnsignedGreaterThanOrEqual,
                    left,
                    n as i64,
                );
                let body = ops.b.create_block();
                let no_fit = ops.b.create_block();
                ops.b.ins().brif(fits, body, &[], no_fit, &[]);
                let code = if bi == 0 {
                    ctx::EXIT_BUDGET
                } else {
                    ctx::EXIT_CONTINUE
                };
                exits.push((
                    no_fit,
                    0,
                    ExitPc::Fixed(head_pc, A::next_insn(head_pc)),
                    code,
                ));
                ops.b.switch_to_block(body);

                let mut pending: Option<(JV, JV)> = None; // the block's branch (cond, target)
                let mut terminated = false;
                for (i, &(ipc, insn)) in insns.iter().enumerate() {
                    ops.index = i as u64;
                    ops.pc = ipc;
                    // where a side exit before this instruction resumes: inside the delay slot,
                    // NextPC is the pending branch's outcome
                    ops.exit_here = match pending {
                        None => ExitPc::Fixed(ipc, A::next_insn(ipc)),
                        Some((c, t)) => {
                            let fall = JV::K(A::next_insn(ipc));
                            let np = interp::ops::Ops::select(&mut ops, c, t, fall);
                            ExitPc::Slot(ipc, ops.val(np))
                        }
                    };
                    ops.exit_after = match (pending, ops.exit_here) {
                        (Some(_), ExitPc::Slot(_, np)) => ExitPc::After(np),
                        _ => ExitPc::Fixed(A::next_insn(ipc), A::next_insn(A::next_insn(ipc))),
                    };
                    if icache_miss(ipc, A::IS_64) {
                        ops.count_icache_miss(ipc);
                    }
                    match execute::<A, _>(&mut ops, insn) {
                        Ok(Flow::Seq) => {}
                        Ok(Flow::Branch { cond, target }) => pending = Some((cond, target)),
                        Ok(Flow::Jump { target }) => pending = Some((JV::K(1), target)),
                        Err(_) => {
                            terminated = true;
                            break;
                        }
                    }
                }
                exits.append(&mut ops.exits);
                if terminated {
                    continue;
                }
                // block end: account its steps, then continue where the guest goes next
                let left = ops.b.use_var(bvar);
                let left = ops.b.ins().iadd_imm_s(left, -(n as i64));
                ops.b.def_var(bvar, left);
                let last_pc = insns[n as usize - 1].0;
                let fall = A::next_insn(last_pc);
                let edge = |ops: &mut JitOps<'_, '_, A>, exits: &mut Vec<_>, to: JV| match to {
                    JV::K(t) if index.contains_key(&t) => {
                        ops.b.ins().jump(heads[index[&t]], &[]);
                    }
                    JV::K(t) => {
                        let x = ops.b.create_block();
                        ops.b.ins().jump(x, &[]);
                        exits.push((x, 0, ExitPc::Fixed(t, A::next_insn(t)), ctx::EXIT_CONTINUE));
                    }
                    JV::V(v) => {
                        let x = ops.b.create_block();
                        ops.b.ins().jump(x, &[]);
                        exits.push((x, 0, ExitPc::After(v), ctx::EXIT_CONTINUE));
                    }
                };
                match pending {
                    None => edge(&mut ops, &mut exits, JV::K(fall)),
                    Some((JV::K(c), t)) => {
                        edge(&mut ops, &mut exits, if c != 0 { t } else { JV::K(fall) })
                    }
                    Some((JV::V(c), t)) => {
                        let (tb, fb) = (ops.b.create_block(), ops.b.create_block());
                        ops.b.ins().brif(c, tb, &[], fb, &[]);
                        ops.b.switch_to_block(tb);
                        edge(&mut ops, &mut exits, t);
                        ops.b.switch_to_block(fb);
                        edge(&mut ops, &mut exits, JV::K(fall));
                    }
                }
            }
            drop(ops);
            // every exit jumps to one shared tail that writes the guest state back
            let tail = b.create_block();
            for _ in 0..4 {
                b.append_block_param(tail, types::I64);
            }
            for (blk, steps, at, code) in exits {
                b.switch_to_block(blk);
                let (pc, np) = exit_pcs::<A>(&mut b, at);
                let steps = b.ins().iconst(types::I64, steps as i64);
                let code = b.ins().iconst(types::I64, code as i64);
                b.ins()
                    .jump(tail, &[pc.into(), np.into(), steps.into(), code.into()]);
            }
            b.switch_to_block(tail);
            let p = b.block_params(tail).to_vec();
            emit_exit(&mut b, ctxv, &vars, bvar, written, &p);
            b.seal_all_blocks();
            b.finalize(self.module.target_config());
        }
        let id = self
            .module
            .declare_anonymous_function(&self.cl_ctx.func.signature)
            .ok()?;
        if let Err(e) = self.module.define_function(id, &mut self.cl_ctx) {
            tracing::warn!(
                "jit: cannot compile region at 0x{:x}: {e:?}",
                blocks[0][0].0
            );
            self.module.clear_context(&mut self.cl_ctx);
            return None;
        }
        self.module.clear_context(&mut self.cl_ctx);
        self.module.finalize_definitions().ok()?;
        let ptr = self.module.get_finalized_function(id);
        // SAFETY: the function was just compiled with signature `extern "C" fn(*mut JitCtx) -> u64`
        // (the ISA's default calling convention, which is the C convention on this host).
        Some(unsafe { std::mem::transmute::<*const u8, BlockFn>(ptr) })
    }
}

/// Declares the helper functions (`ids`: load, store, ll_clear) in `func`.
fn helpers_in(
    module: &mut JITModule,
    ids: [FuncId; 3],
    func: &mut cranelift_codegen::ir::Function,
) -> Helpers {
    Helpers {
        load: module.declare_func_in_func(ids[0], func),
        store: module.declare_func_in_func(ids[1], func),
        ll_clear: module.declare_func_in_func(ids[2], func),
    }
}

/// Cranelift's register allocator for blocks: `CANNONBALL_JIT_REGALLOC` (`backtracking` or
/// `single_pass`), by default `backtracking`.
fn regalloc_algorithm() -> String {
    std::env::var("CANNONBALL_JIT_REGALLOC").unwrap_or_else(|_| "backtracking".to_string())
}

/// A superset of the registers the region's instructions read or write.
fn used_registers(insns: &[(u64, Insn)]) -> RegSet {
    insns.iter().fold(0, |m, (_, i)| m | i.regs_used())
}

/// A superset of the registers the region's instructions write.
fn written_registers(insns: &[(u64, Insn)]) -> RegSet {
    insns.iter().fold(0, |m, (_, i)| m | i.regs_written())
}

/// PC and NextPC of an exit as IR values.
fn exit_pcs<A: Arch>(
    b: &mut FunctionBuilder<'_>,
    at: ExitPc,
) -> (cranelift_codegen::ir::Value, cranelift_codegen::ir::Value) {
    match at {
        ExitPc::Fixed(pc, np) => (
            b.ins().iconst(types::I64, pc as i64),
            b.ins().iconst(types::I64, np as i64),
        ),
        ExitPc::Slot(pc, np) => (b.ins().iconst(types::I64, pc as i64), np),
        ExitPc::After(pc) => {
            let np = b.ins().iadd_imm_s(pc, A::INSN_BYTES as i64);
            let np = if A::IS_64 {
                np
            } else {
                b.ins().band_imm_s(np, 0xFFFF_FFFF)
            };
            (pc, np)
        }
    }
}

/// The shared exit tail: writes back the registers in `flush`, PC/NextPC (`p[0]`, `p[1]`) and
/// the budget less `p[2]` steps, and returns the exit code `p[3]`.
fn emit_exit(
    b: &mut FunctionBuilder<'_>,
    ctxv: cranelift_codegen::ir::Value,
    vars: &[Variable; 34],
    bvar: Variable,
    flush: u64,
    p: &[cranelift_codegen::ir::Value],
) {
    let flags = MemFlagsData::trusted();
    for (r, &var) in vars.iter().enumerate() {
        if flush & (1 << r) != 0 {
            let off = ctx::reg_slot(r);
            let v = b.use_var(var);
            b.ins().store(flags, v, ctxv, off as i32);
        }
    }
    b.ins().store(flags, p[0], ctxv, ctx::PC as i32);
    b.ins().store(flags, p[1], ctxv, ctx::NEXT_PC as i32);
    let budget = b.use_var(bvar);
    let left = b.ins().isub(budget, p[2]);
    b.ins().store(flags, left, ctxv, ctx::BUDGET as i32);
    b.ins().return_(&[p[3]]);
}

#[cfg(test)]
mod parity {
    //! Primitive parity: each lowered primitive, compiled on run-time operands, against the
    //! interpreter's evaluation of the same primitive, on edge cases and random operands.
    use super::*;
    use interp::ops::{eval_bin, eval_div_rem, eval_mul_wide, eval_un};
    use interp::ops::{Bin, Ops, Un};
    use interp::vm::splitmix64;

    #[derive(Clone, Copy, Debug)]
    enum Prim {
        Bin(Bin),
        Un(Un),
        MulHi(bool),
        MulLo(bool),
        Div(bool),
        Rem(bool),
        Select,
    }

    type Fn3 = unsafe extern "C" fn(u64, u64, u64) -> u64;

    fn compile<A: Arch>(jit: &mut Jit, p: Prim) -> Fn3 {
        let mut sig = jit.module.make_signature();
        for _ in 0..3 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        jit.cl_ctx.func.signature = sig.clone();
        {
            let ids = jit.helper_ids();
            let mut b = FunctionBuilder::new(&mut jit.cl_ctx.func, &mut jit.fctx);
            let helpers = helpers_in(&mut jit.module, ids, b.func);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let ps = b.block_params(entry).to_vec();
            let vars: [Variable; 34] = std::array::from_fn(|_| b.declare_var(types::I64));
            let zero = b.ins().iconst(types::I64, 0);
            let mut o = JitOps::<A>::new(&mut b, zero, &vars, helpers, false);
            let (x, y, z) = (JV::V(ps[0]), JV::V(ps[1]), JV::V(ps[2]));
            let r = match p {
                Prim::Bin(op) => o.bin(op, x, y),
                Prim::Un(op) => o.un(op, x),
                Prim::MulHi(s) => o.mul_wide(s, x, y).0,
                Prim::MulLo(s) => o.mul_wide(s, x, y).1,
                Prim::Div(s) => o.div_rem(s, x, y).0,
                Prim::Rem(s) => o.div_rem(s, x, y).1,
                Prim::Select => o.select(z, x, y),
            };
            let r = o.val(r);
            drop(o);
            b.ins().return_(&[r]);
            b.finalize(jit.module.target_config());
        }
        let id = jit.module.declare_anonymous_function(&sig).unwrap();
        jit.module.define_function(id, &mut jit.cl_ctx).unwrap();
        jit.module.clear_context(&mut jit.cl_ctx);
        jit.module.finalize_definitions().unwrap();
        // SAFETY: compiled just above with this signature.
        unsafe { std::mem::transmute::<*const u8, Fn3>(jit.module.get_finalized_function(id)) }
    }

    fn expect<A: Arch>(p: Prim, x: u64, y: u64, z: u64) -> u64 {
        match p {
            Prim::Bin(op) => eval_bin::<A>(op, x, y),
            Prim::Un(op) => eval_un::<A>(op, x),
            Prim::MulHi(s) => eval_mul_wide::<A>(s, x, y).0,
            Prim::MulLo(s) => eval_mul_wide::<A>(s, x, y).1,
            Prim::Div(s) => eval_div_rem::<A>(s, x, y).0,
            Prim::Rem(s) => eval_div_rem::<A>(s, x, y).1,
            Prim::Select => {
                if z != 0 {
                    x
                } else {
                    y
                }
            }
        }
    }

    fn parity<A: Arch>() {
        let mut jit = Jit::with_verifier(A::IS_64, true).unwrap();
        let edges: Vec<u64> = [
            0u64,
            1,
            2,
            3,
            7,
            31,
            32,
            63,
            0x7F,
            0x80,
            0xFF,
            0x7FFF,
            0x8000,
            0xFFFF,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
            0x1_0000_0000,
            0x7FFF_FFFF_FFFF_FFFF,
            0x8000_0000_0000_0000,
            u64::MAX,
            u64::MAX - 1,
        ]
        .into_iter()
        .map(A::mask)
        .collect();
        let mut operands: Vec<(u64, u64)> = Vec::new();
        for &x in &edges {
            for &y in &edges {
                operands.push((x, y));
            }
        }
        for i in 0..500u64 {
            operands.push((A::mask(splitmix64(i)), A::mask(splitmix64(i ^ 0xFFFF))));
        }
        let bins = [
            Bin::Add,
            Bin::Sub,
            Bin::Mul,
            Bin::And,
            Bin::Or,
            Bin::Xor,
            Bin::Eq,
            Bin::Ne,
            Bin::LtS,
            Bin::LtU,
        ];
        let mut prims: Vec<Prim> = bins.into_iter().map(Prim::Bin).collect();
        prims.extend([Bin::Shl, Bin::Shr, Bin::Sar].map(Prim::Bin));
        prims.extend(
            [
                Un::Not,
                Un::Sext8,
                Un::Sext16,
                Un::Sext32,
                Un::Zext8,
                Un::Zext16,
                Un::Zext32,
                Un::Clz,
                Un::Clz32,
            ]
            .map(Prim::Un),
        );
        for s in [false, true] {
            prims.extend([Prim::MulHi(s), Prim::MulLo(s), Prim::Div(s), Prim::Rem(s)]);
        }
        prims.push(Prim::Select);
        for p in prims {
            let f = compile::<A>(&mut jit, p);
            for &(x, y0) in &operands {
                let y = match p {
                    // shift amounts are always below the word width (the semantics guarantee it)
                    Prim::Bin(Bin::Shl | Bin::Shr | Bin::Sar) => y0 % u64::from(A::BITS),
                    // a zero divisor never reaches the division (trap_if first)
                    Prim::Div(_) | Prim::Rem(_) if y0 == 0 => 1,
                    _ => y0,
                };
                let z = x & 1;
                // SAFETY: `f` takes three words and returns one.
                let got = unsafe { f(x, y, z) };
                assert_eq!(
                    got,
                    expect::<A>(p, x, y, z),
                    "{} {p:?}({x:#x}, {y:#x}, {z})",
                    A::NAME
                );
            }
        }
    }

    #[test]
    fn primitives_match_the_interpreter_64() {
        parity::<Mips64>();
    }

    #[test]
    fn primitives_match_the_interpreter_32() {
        parity::<Mips32>();
    }
}
