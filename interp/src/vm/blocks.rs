//! Pre-decoded basic blocks: the interpreter's fast tier.
//!
//! The first time a block entry is reached, its straight code ([`crate::decode::basic_block`])
//! is decoded once and kept; later visits execute the decoded instructions without fetching or
//! decoding. The pages a block's words live on are watched ([`Memory::watch_page`]), so any
//! write to them (a store from the interpreter or compiled code, a syscall, a preimage read)
//! drops every block decoded from that page before the next block starts, and a store inside a
//! block that hits watched code ends the block right after it. Execution therefore always sees
//! the bytes in memory at the step it fetches them, as a step-by-step interpreter does.
//!
//! Each block counts its entries. A caller that wants to know when code becomes hot (the JIT)
//! passes a threshold: the loop stops at the entry of a block whose count reaches it, and at
//! every entry of a block the caller has [`BlockCache::mark`]ed (one it has compiled). Writes to
//! watched pages are also kept for such a caller ([`BlockCache::take_written`]), since the same
//! watch covers its translations.
//!
//! Memory is bounded: past [`MAX_CACHED_INSNS`] decoded instructions the cache starts over.

use super::core::{core_loop, exec_core, CoreExit};
use super::drive::Sink;
use super::Stats;
use crate::arch::Arch;
use crate::decode::{basic_block, Insn};
use crate::memory::{Memory, PAGE_BITS};
use crate::state::{can_start_block, Cpu, Reservation};
use crate::witness::Tracker;
use rustc_hash::{FxHashMap, FxHashSet};

/// Longest pre-decoded block, in instructions (a delay slot may make it one longer).
pub const MAX_BLOCK: usize = 64;
/// Most decoded instructions kept at once; past it the cache is emptied and starts over.
pub const MAX_CACHED_INSNS: usize = 1 << 21;
/// Entries of the direct-mapped entry-PC lookup in front of the hash map.
const FAST_SIZE: usize = 1 << 13;
/// An empty slot of the direct-mapped lookup.
const NO_BLOCK: (u64, u32) = (u64::MAX, u32::MAX);

/// One decoded block.
#[derive(Debug, Clone)]
struct Block {
    /// First instruction of the block in `BlockCache::insns`.
    start: u32,
    /// Number of instructions (0: the entry cannot start straight code, e.g. a syscall).
    len: u32,
    /// Times the entry was reached (saturating).
    hits: u32,
    /// The block was reported hot once ([`BlocksExit::Hot`]); it is not reported again.
    reported: bool,
    /// The caller wants control back at this entry.
    marked: bool,
    /// The block holds a store (which may write its own code).
    stores: bool,
}

/// Counters of the cache's work.
#[derive(Debug, Default, Clone, Copy)]
pub struct BlockStats {
    /// Blocks decoded.
    pub decoded: u64,
    /// Blocks dropped because their code was written.
    pub invalidated: u64,
    /// Times the cache was emptied because it was full or handed another memory.
    pub flushes: u64,
}

/// Decoded blocks of one memory, by entry PC.
#[derive(Debug)]
pub struct BlockCache {
    /// [`Memory::id`] of the memory the blocks were decoded from.
    mem_id: u64,
    map: FxHashMap<u64, u32>,
    fast: Vec<(u64, u32)>,
    blocks: Vec<Block>,
    insns: Vec<Insn>,
    /// Watched page -> entries of blocks decoded from it.
    by_page: FxHashMap<u64, Vec<u64>>,
    /// Entries the caller marked (kept across invalidation and flushes).
    marked: FxHashSet<u64>,
    /// Watched pages written since the last [`BlockCache::take_written`] (when kept).
    written: Vec<u64>,
    keep_written: bool,
    /// Work counters.
    pub stats: BlockStats,
}

impl Default for BlockCache {
    fn default() -> Self {
        BlockCache {
            mem_id: u64::MAX,
            map: FxHashMap::default(),
            fast: vec![NO_BLOCK; FAST_SIZE],
            blocks: Vec::new(),
            insns: Vec::new(),
            by_page: FxHashMap::default(),
            marked: FxHashSet::default(),
            written: Vec::new(),
            keep_written: false,
            stats: BlockStats::default(),
        }
    }
}

/// How a run of blocks ended.
pub(crate) enum BlocksExit {
    /// As [`core_loop`] ends.
    Core(CoreExit),
    /// Stopped at the entry of a block that just became hot or is marked (nothing of it ran).
    Hot,
}

impl BlockCache {
    /// Keeps written code pages for [`BlockCache::take_written`] from now on.
    pub fn keep_written(&mut self) {
        self.keep_written = true;
    }

    /// Watched pages written since the last call (each once; only kept after
    /// [`BlockCache::keep_written`]). Everything decoded from them is already dropped.
    pub fn take_written(&mut self) -> Vec<u64> {
        let mut v = std::mem::take(&mut self.written);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Asks for control back at every entry of the block at `pc` (see the module comment).
    pub fn mark(&mut self, pc: u64) {
        self.marked.insert(pc);
        if let Some(&i) = self.map.get(&pc) {
            self.blocks[i as usize].marked = true;
        }
    }

    /// Undoes [`BlockCache::mark`].
    pub fn unmark(&mut self, pc: u64) {
        self.marked.remove(&pc);
        if let Some(&i) = self.map.get(&pc) {
            self.blocks[i as usize].marked = false;
        }
    }

    /// Number of blocks held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no block is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Brings the cache up to date with `mem`: everything is dropped if it is another memory,
    /// and blocks on pages written since the last call are dropped.
    #[inline]
    pub fn sync(&mut self, mem: &mut Memory) {
        if mem.id() != self.mem_id {
            self.flush();
            self.mem_id = mem.id();
        }
        if mem.has_watch_hits() {
            self.drop_written(mem);
        }
    }

    #[cold]
    fn drop_written(&mut self, mem: &mut Memory) {
        for page in mem.take_watch_hits() {
            if let Some(entries) = self.by_page.remove(&page) {
                for e in entries {
                    if self.map.remove(&e).is_some() {
                        self.stats.invalidated += 1;
                    }
                }
            }
            mem.unwatch_page(page);
            if self.keep_written {
                self.written.push(page);
            }
        }
        self.fast.fill(NO_BLOCK);
    }

    fn flush(&mut self) {
        if !self.map.is_empty() {
            self.stats.flushes += 1;
        }
        self.map.clear();
        self.fast.fill(NO_BLOCK);
        self.blocks.clear();
        self.insns.clear();
        self.by_page.clear();
    }

    /// Index of the block at `pc`, decoding it if needed.
    #[inline(always)]
    fn block_at(&mut self, mem: &mut Memory, pc: u64, is64: bool) -> usize {
        let slot = ((pc >> 2) as usize) & (FAST_SIZE - 1);
        let (tag, i) = self.fast[slot];
        if tag == pc {
            return i as usize;
        }
        let i = match self.map.get(&pc) {
            Some(&i) => i,
            None => self.decode(mem, pc, is64),
        };
        self.fast[slot] = (pc, i);
        i as usize
    }

    #[cold]
    fn decode(&mut self, mem: &mut Memory, pc: u64, is64: bool) -> u32 {
        if self.insns.len() + MAX_BLOCK + 1 > MAX_CACHED_INSNS
            || self.blocks.len() >= u32::MAX as usize - 1
        {
            self.flush();
        }
        let code = basic_block(mem, pc, is64, MAX_BLOCK);
        let start = self.insns.len() as u32;
        let mut stores = false;
        for &(a, insn) in &code {
            stores |= insn.is_store();
            self.insns.push(insn);
            let page = a >> PAGE_BITS;
            let v = self.by_page.entry(page).or_default();
            if v.last() != Some(&pc) {
                v.push(pc);
            }
            mem.watch_page(page);
        }
        let i = self.blocks.len() as u32;
        self.blocks.push(Block {
            start,
            len: code.len() as u32,
            hits: 0,
            reported: false,
            marked: self.marked.contains(&pc),
            stores,
        });
        self.map.insert(pc, i);
        self.stats.decoded += 1;
        i
    }
}

/// Executes up to `budget` steps of straight code on one thread through pre-decoded blocks,
/// stopping early at a hot or marked block entry when `hot` is non-zero (see the module
/// comment). Returns the number of steps executed and why it stopped; the semantics are those of
/// [`core_loop`] (the same steps, faults and statistics).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn run_blocks<A: Arch, S: Sink>(
    cache: &mut BlockCache,
    cpu: &mut Cpu,
    mem: &mut Memory,
    mut ll: Option<&mut Reservation>,
    tracker: &mut Tracker,
    stats: &mut Stats,
    budget: u64,
    hot: u32,
    sink: &mut S,
) -> (u64, BlocksExit) {
    cache.sync(mem);
    let mut n = 0;
    while n < budget {
        if mem.has_watch_hits() {
            cache.drop_written(mem);
        }
        let pc = cpu.pc;
        let left = budget - n;
        if !can_start_block(pc, cpu.next_pc, A::IS_64) {
            // a delay slot (after preemption) or a misaligned PC: one step at a time
            let (k, exit) = core_loop::<A>(cpu, mem, ll.as_deref_mut(), tracker, stats, 1, false);
            sink.push(pc, k);
            n += k;
            match exit {
                CoreExit::Budget => continue,
                e => return (n, BlocksExit::Core(e)),
            }
        }
        let bi = cache.block_at(mem, pc, A::IS_64);
        let b = &mut cache.blocks[bi];
        if hot != 0 {
            if b.marked {
                return (n, BlocksExit::Hot);
            }
            b.hits = b.hits.saturating_add(1);
            // `>=`: the caller may lower the threshold as it goes (the JIT does when its
            // compile thread is idle); each block is reported once
            if b.hits >= hot && !b.reported {
                b.reported = true;
                return (n, BlocksExit::Hot);
            }
        }
        let len = b.len as u64;
        if len == 0 || len > left {
            // nothing straight to decode here, or the budget ends inside the block
            let (k, exit) = core_loop::<A>(cpu, mem, ll.as_deref_mut(), tracker, stats, left, true);
            sink.push(pc, k);
            n += k;
            match exit {
                CoreExit::Budget => continue,
                e => return (n, BlocksExit::Core(e)),
            }
        }
        let stores = b.stores;
        let start = b.start as usize;
        let code = &cache.insns[start..start + len as usize];
        let mut done = len;
        for (k, &insn) in code.iter().enumerate() {
            if exec_core::<A>(cpu, mem, ll.as_deref_mut(), tracker, stats, insn).is_err() {
                sink.push(pc, k as u64);
                return (n + k as u64, BlocksExit::Core(CoreExit::Fault));
            }
            if stores && insn.is_store() && mem.has_watch_hits() {
                // this store wrote code: the rest of the decoded block may be stale
                done = k as u64 + 1;
                break;
            }
        }
        sink.push(pc, done);
        n += done;
    }
    (n, BlocksExit::Core(CoreExit::Budget))
}
