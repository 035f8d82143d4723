//! Guest memory: sparse 4 KiB pages and the binary merkle tree over them (cannon-spec §3).
//!
//! Leaves are 32-byte chunks of memory (leaf index = `addr >> 5`); an internal node is
//! `keccak256(left ++ right)`; an absent page hashes like a zero page. The tree is kept lazily:
//! a write only marks its page dirty (once, on the clean→dirty transition), and [`Memory::root`] /
//! [`Memory::proof`] re-hash just the dirty pages and the paths above them, in parallel when
//! there are many. Interior hashes above page level are cached per height, so after one dirty
//! page a new root costs one page hash plus `depth - 7` node hashes.
//!
//! Page allocation follows Go Cannon exactly, because the page set is part of the state file:
//! reads never allocate; every write allocates (even of zero bytes).
//!
//! Page bytes are reference counted and copied on write, so cloning a memory (a checkpoint)
//! shares every clean page with the original and costs only its index; the first write to a
//! shared page afterwards copies that one page. The invariant that makes this cheap: a dirty
//! page is never shared (every write to a clean page goes through [`Memory::page_mut`], which
//! un-shares it, and [`Clone`] deep-copies dirty pages), so the store fast paths, which only
//! write to dirty pages, never need to check.

use alloy_primitives::{keccak256, B256};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Bytes per page.
pub const PAGE_SIZE: usize = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_BITS: u32 = 12;
/// Levels of a page's own subtree (128 leaves).
const PAGE_LEVELS: u32 = 7;
/// Beyond this many dirty pages, re-hashing runs on the rayon pool.
const PARALLEL_THRESHOLD: usize = 32;

/// `zero[i]`: root of an all-zero subtree of height `i` (leaf level 0), up to 64.
pub fn zero_hashes() -> &'static [B256; 65] {
    static Z: OnceLock<[B256; 65]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [B256::ZERO; 65];
        for i in 1..65 {
            z[i] = hash_pair(&z[i - 1], &z[i - 1]);
        }
        z
    })
}

/// `keccak256(a ++ b)`.
#[inline]
pub fn hash_pair(a: &B256, b: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a.as_slice());
    buf[32..].copy_from_slice(b.as_slice());
    keccak256(buf)
}

/// The bytes of one page.
pub type PageData = [u8; PAGE_SIZE];

/// One page and its cached subtree root.
#[derive(Clone)]
pub struct Page {
    /// The bytes, shared with clones of the memory until written (never shared while dirty).
    data: Arc<PageData>,
    hash: B256,
    dirty: bool,
    /// Writes to this page are reported (it holds compiled code).
    watched: bool,
}

impl Page {
    fn zeroed() -> Self {
        Page {
            data: Arc::new([0u8; PAGE_SIZE]),
            hash: B256::ZERO,
            dirty: true,
            watched: false,
        }
    }
}

/// Merkle root of one page's bytes (no allocation: the levels are folded in place).
pub fn page_hash(data: &[u8; PAGE_SIZE]) -> B256 {
    if data.iter().all(|&b| b == 0) {
        return zero_hashes()[PAGE_LEVELS as usize];
    }
    let mut level = [B256::ZERO; 64];
    for (h, chunk) in level.iter_mut().zip(data.chunks_exact(64)) {
        *h = keccak256(chunk);
    }
    let mut n = 64;
    while n > 1 {
        for k in 0..n / 2 {
            level[k] = hash_pair(&level[2 * k], &level[2 * k + 1]);
        }
        n /= 2;
    }
    level[0]
}

/// Entries of the direct-mapped page cache used by the interpreter's loads, stores and fetches.
const TLB_SIZE: usize = 256;

/// One cached translation: page index and a pointer to its (boxed, address-stable) page.
#[derive(Clone, Copy)]
struct TlbEntry {
    tag: u64,
    page: *mut Page,
}

const TLB_EMPTY: TlbEntry = TlbEntry {
    tag: u64::MAX,
    page: std::ptr::null_mut(),
};

/// Sparse paged memory with a lazily maintained merkle tree.
pub struct Memory {
    pages: FxHashMap<u64, Box<Page>>,
    /// Direct-mapped cache of page pointers. Pages are boxed and never freed while the memory
    /// lives, so a cached pointer stays valid; a clone starts with an empty cache.
    tlb: Box<[TlbEntry; TLB_SIZE]>,
    /// Tree depth (27 for 32-bit, 59 for 64-bit).
    depth: u32,
    /// `nodes[h]`: hashes of the subtrees of height `h` above page level (h = 1 ..= depth - 7),
    /// for the subtrees that contain an allocated page.
    nodes: Vec<FxHashMap<u64, B256>>,
    /// Pages that became dirty since the last re-hash.
    dirty: Vec<u64>,
    /// Incremented whenever re-hashing marks pages clean (writers that cache "this page is
    /// already dirty" must drop that knowledge when it changes).
    clean_epoch: u64,
    /// Pages whose writes are reported (see [`Memory::watch_page`]), allocated or not.
    watched: rustc_hash::FxHashSet<u64>,
    /// Watched pages written since the last [`Memory::take_watch_hits`].
    watch_hits: Vec<u64>,
    /// Changes whenever the bytes of an allocated page may have moved (a shared page was
    /// copied on write) and differs between any two memories (fresh from a global counter), so
    /// callers that cache pointers to page bytes know when to drop them.
    remap_epoch: u64,
}

/// Source of [`Memory::remap_epoch`] values: unique across all memories of the process.
static REMAP_EPOCH: AtomicU64 = AtomicU64::new(1);

fn fresh_epoch() -> u64 {
    REMAP_EPOCH.fetch_add(1, Ordering::Relaxed)
}

// SAFETY: the raw pointers in the TLB point into pages owned by this same `Memory` (boxed, never
// freed while it lives) and are only dereferenced through `&mut self`, so moving the whole value
// to another thread is sound.
unsafe impl Send for Memory {}
// SAFETY: through `&Memory` the TLB pointers are never dereferenced (only `&mut self` methods
// use them), so sharing references between threads is sound.
unsafe impl Sync for Memory {}

impl Clone for Memory {
    /// Shares every clean page with `self`; dirty pages are copied (a dirty page is never shared).
    fn clone(&self) -> Self {
        let pages = self
            .pages
            .iter()
            .map(|(&i, p)| {
                let mut q = Page::clone(p);
                if q.dirty {
                    q.data = Arc::new(*p.data);
                }
                (i, Box::new(q))
            })
            .collect();
        Memory {
            pages,
            tlb: Box::new([TLB_EMPTY; TLB_SIZE]),
            depth: self.depth,
            nodes: self.nodes.clone(),
            dirty: self.dirty.clone(),
            clean_epoch: self.clean_epoch,
            watched: self.watched.clone(),
            watch_hits: self.watch_hits.clone(),
            remap_epoch: fresh_epoch(),
        }
    }
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("pages", &self.pages.len())
            .field("depth", &self.depth)
            .finish()
    }
}

impl Memory {
    /// Empty memory for a tree of `depth` levels (27 or 59).
    pub fn new(depth: u32) -> Self {
        Memory {
            pages: FxHashMap::default(),
            tlb: Box::new([TLB_EMPTY; TLB_SIZE]),
            depth,
            nodes: vec![FxHashMap::default(); (depth - PAGE_LEVELS + 1) as usize],
            dirty: Vec::new(),
            clean_epoch: 0,
            watched: Default::default(),
            watch_hits: Vec::new(),
            remap_epoch: fresh_epoch(),
        }
    }

    /// See `remap_epoch`: changes whenever cached pointers to page bytes may be stale.
    pub fn remap_epoch(&self) -> u64 {
        self.remap_epoch
    }

    /// Number of allocated pages whose bytes are shared with another memory (a clone).
    pub fn shared_page_count(&self) -> usize {
        self.pages
            .values()
            .filter(|p| Arc::strong_count(&p.data) > 1)
            .count()
    }

    /// Identity of a page's byte buffer (for accounting of memory shared between clones).
    pub fn page_data_ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.pages.values().map(|p| Arc::as_ptr(&p.data) as usize)
    }

    /// A checkpoint of this memory: the tree is brought up to date, then the copy shares every
    /// page's bytes and hashes with `self` (each page is copied only when one of the two writes
    /// it). The copy watches no pages.
    pub fn checkpoint(&mut self) -> Memory {
        self.update_hashes();
        let mut c = self.clone();
        c.unwatch_all();
        c
    }

    /// Stops reporting writes to every page.
    pub fn unwatch_all(&mut self) {
        self.watched.clear();
        self.watch_hits.clear();
        for p in self.pages.values_mut() {
            p.watched = false;
        }
    }

    /// Approximate heap bytes of this memory's index (page table, page headers and cached tree
    /// nodes), not counting the page bytes themselves.
    pub fn index_bytes(&self) -> usize {
        // map slot (key + box) and the boxed header with its allocator overhead; tree nodes are
        // map slots of index + hash
        let per_page = 16 + std::mem::size_of::<Page>() + 16;
        let nodes: usize = self.nodes.iter().map(|m| m.len()).sum();
        (self.pages.len() * per_page + nodes * 48) * 8 / 7
    }

    /// Tree depth.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Number of allocated pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Allocated page indices, ascending.
    pub fn page_indices(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.pages.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// A page's bytes, if allocated.
    pub fn page(&self, index: u64) -> Option<&[u8; PAGE_SIZE]> {
        self.pages.get(&index).map(|p| &*p.data)
    }

    /// Inserts (or replaces) a whole page, e.g. when reading a state file.
    pub fn insert_page(&mut self, index: u64, data: &[u8]) {
        let p = self.page_mut(index);
        Self::bytes_mut(p).copy_from_slice(data);
    }

    /// The page for writing: allocated if missing, marked dirty.
    #[inline]
    fn page_mut(&mut self, index: u64) -> &mut Page {
        let dirty = &mut self.dirty;
        let watched = &self.watched;
        let p = self.pages.entry(index).or_insert_with(|| {
            dirty.push(index);
            let mut p = Page::zeroed();
            p.watched = watched.contains(&index);
            Box::new(p)
        });
        if !p.dirty {
            p.dirty = true;
            dirty.push(index);
            if Arc::strong_count(&p.data) > 1 {
                // copy on write: the old bytes stay with the clones that share them
                p.data = Arc::new(*p.data);
                self.remap_epoch = fresh_epoch();
            }
        }
        if p.watched {
            self.watch_hits.push(index);
        }
        p
    }

    /// The bytes of a page for writing. Only called on dirty pages, which are never shared.
    #[inline(always)]
    fn bytes_mut(p: &mut Page) -> &mut PageData {
        debug_assert!(p.dirty && Arc::strong_count(&p.data) == 1);
        // SAFETY: a dirty page's bytes are owned by this page alone (see the module comment:
        // `page_mut` un-shares a page when it becomes dirty, and `Clone` copies dirty pages),
        // there are no weak references, and `&mut Page` excludes any other borrow of them, so
        // this is `Arc::get_mut` without its atomic uniqueness check on the store fast path.
        unsafe { &mut *(Arc::as_ptr(&p.data) as *mut PageData) }
    }

    /// Starts reporting writes to page `index` (which need not be allocated yet): every write
    /// through this memory's API is recorded for [`Memory::take_watch_hits`], and the cached
    /// store fast path is bypassed for it.
    pub fn watch_page(&mut self, index: u64) {
        self.watched.insert(index);
        if let Some(p) = self.pages.get_mut(&index) {
            p.watched = true;
        }
    }

    /// Stops reporting writes to page `index`.
    pub fn unwatch_page(&mut self, index: u64) {
        self.watched.remove(&index);
        if let Some(p) = self.pages.get_mut(&index) {
            p.watched = false;
        }
    }

    /// True if page `index` is watched.
    pub fn is_watched(&self, index: u64) -> bool {
        self.watched.contains(&index)
    }

    /// True if a watched page was written since the last [`Memory::take_watch_hits`].
    pub fn has_watch_hits(&self) -> bool {
        !self.watch_hits.is_empty()
    }

    /// Watched pages written since the last call (deduplicated).
    pub fn take_watch_hits(&mut self) -> Vec<u64> {
        let mut v = std::mem::take(&mut self.watch_hits);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The page holding `addr` through the page cache, if allocated.
    #[inline(always)]
    fn cached_page(&mut self, index: u64) -> Option<*mut Page> {
        let slot = (index as usize) & (TLB_SIZE - 1);
        let e = self.tlb[slot];
        if e.tag == index {
            return Some(e.page);
        }
        self.cached_page_slow(index, slot)
    }

    #[cold]
    fn cached_page_slow(&mut self, index: u64, slot: usize) -> Option<*mut Page> {
        let p: *mut Page = &mut **self.pages.get_mut(&index)?;
        self.tlb[slot] = TlbEntry {
            tag: index,
            page: p,
        };
        Some(p)
    }

    /// Loads the aligned word of `bytes` (4 or 8) bytes at `addr` through the page cache (the
    /// interpreter's fast path; same result as [`Memory::read_word`]).
    #[inline(always)]
    pub fn load(&mut self, addr: u64, bytes: u64) -> u64 {
        match self.cached_page(addr >> PAGE_BITS) {
            Some(p) => {
                let o = (addr as usize) & (PAGE_SIZE - 1);
                // SAFETY: `p` points to a live boxed page of this memory (see `tlb`), and no
                // other reference to it exists while `&mut self` is held.
                let data = unsafe { &(*p).data };
                if bytes == 8 {
                    u64::from_be_bytes(data[o..o + 8].try_into().expect("8 bytes"))
                } else {
                    u64::from(u32::from_be_bytes(
                        data[o..o + 4].try_into().expect("4 bytes"),
                    ))
                }
            }
            None => 0,
        }
    }

    /// Stores the aligned word of `bytes` (4 or 8) bytes at `addr` through the page cache,
    /// allocating and dirtying its page (same effect as [`Memory::write_word`]).
    #[inline(always)]
    pub fn store(&mut self, addr: u64, bytes: u64, v: u64) {
        let index = addr >> PAGE_BITS;
        let o = (addr as usize) & (PAGE_SIZE - 1);
        if let Some(p) = self.cached_page(index) {
            // SAFETY: as in `load`.
            let page = unsafe { &mut *p };
            if page.dirty && !page.watched {
                let data = Self::bytes_mut(page);
                if bytes == 8 {
                    data[o..o + 8].copy_from_slice(&v.to_be_bytes());
                } else {
                    data[o..o + 4].copy_from_slice(&(v as u32).to_be_bytes());
                }
                return;
            }
        }
        self.write_word(addr, bytes, v);
    }

    /// See `clean_epoch`: changes whenever dirty pages may have become clean.
    pub fn clean_epoch(&self) -> u64 {
        self.clean_epoch
    }

    /// Pointer to the bytes of page `index` for reading, if it is allocated. The pointer stays
    /// valid while this memory lives and [`Memory::remap_epoch`] has not changed (a copy on
    /// write moves the page's bytes).
    pub fn page_ptr(&mut self, index: u64) -> Option<*mut u8> {
        self.pages
            .get(&index)
            .map(|p| Arc::as_ptr(&p.data) as *mut u8)
    }

    /// Pointer to the bytes of page `index` for writing: the page is allocated if missing,
    /// un-shared and marked dirty, so writes through the pointer are seen by the next re-hash
    /// as long as [`Memory::clean_epoch`] has not changed.
    pub fn page_ptr_for_write(&mut self, index: u64) -> *mut u8 {
        Self::bytes_mut(self.page_mut(index)).as_mut_ptr()
    }

    /// Reads the aligned 4-byte big-endian word at `addr` (no allocation).
    #[inline]
    pub fn read_u32(&self, addr: u64) -> u32 {
        debug_assert!(addr & 3 == 0);
        match self.pages.get(&(addr >> PAGE_BITS)) {
            Some(p) => {
                let o = (addr as usize) & (PAGE_SIZE - 1);
                u32::from_be_bytes(p.data[o..o + 4].try_into().expect("4 bytes"))
            }
            None => 0,
        }
    }

    /// Reads the aligned 8-byte big-endian word at `addr` (no allocation).
    #[inline]
    pub fn read_u64(&self, addr: u64) -> u64 {
        debug_assert!(addr & 7 == 0);
        match self.pages.get(&(addr >> PAGE_BITS)) {
            Some(p) => {
                let o = (addr as usize) & (PAGE_SIZE - 1);
                u64::from_be_bytes(p.data[o..o + 8].try_into().expect("8 bytes"))
            }
            None => 0,
        }
    }

    /// Writes the aligned 4-byte word at `addr`, allocating its page.
    #[inline]
    pub fn write_u32(&mut self, addr: u64, v: u32) {
        debug_assert!(addr & 3 == 0);
        let o = (addr as usize) & (PAGE_SIZE - 1);
        Self::bytes_mut(self.page_mut(addr >> PAGE_BITS))[o..o + 4]
            .copy_from_slice(&v.to_be_bytes());
    }

    /// Writes the aligned 8-byte word at `addr`, allocating its page.
    #[inline]
    pub fn write_u64(&mut self, addr: u64, v: u64) {
        debug_assert!(addr & 7 == 0);
        let o = (addr as usize) & (PAGE_SIZE - 1);
        Self::bytes_mut(self.page_mut(addr >> PAGE_BITS))[o..o + 8]
            .copy_from_slice(&v.to_be_bytes());
    }

    /// Reads a word of `bytes` (4 or 8) bytes.
    #[inline]
    pub fn read_word(&self, addr: u64, bytes: u64) -> u64 {
        if bytes == 8 {
            self.read_u64(addr)
        } else {
            u64::from(self.read_u32(addr))
        }
    }

    /// Writes a word of `bytes` (4 or 8) bytes.
    #[inline]
    pub fn write_word(&mut self, addr: u64, bytes: u64, v: u64) {
        if bytes == 8 {
            self.write_u64(addr, v)
        } else {
            self.write_u32(addr, v as u32)
        }
    }

    /// Copies `len` bytes starting at `addr` (missing pages read as zeros; wraps around the
    /// address space of `addr_bits` bits like Go's `ReadMemoryRange`).
    pub fn read_range(&self, addr: u64, len: u64, addr_mask: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(len.min(1 << 20) as usize);
        let mut a = addr & addr_mask;
        let mut left = len;
        while left > 0 {
            let off = (a as usize) & (PAGE_SIZE - 1);
            let n = ((PAGE_SIZE - off) as u64).min(left) as usize;
            match self.pages.get(&(a >> PAGE_BITS)) {
                Some(p) => out.extend_from_slice(&p.data[off..off + n]),
                None => out.resize(out.len() + n, 0),
            }
            left -= n as u64;
            a = a.wrapping_add(n as u64) & addr_mask;
        }
        out
    }

    /// Writes `data` at `addr`, allocating every page it touches (ELF loading, stack setup).
    pub fn set_range(&mut self, addr: u64, data: &[u8]) {
        let mut a = addr;
        let mut rest = data;
        while !rest.is_empty() {
            let off = (a as usize) & (PAGE_SIZE - 1);
            let n = (PAGE_SIZE - off).min(rest.len());
            Self::bytes_mut(self.page_mut(a >> PAGE_BITS))[off..off + n]
                .copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            a = a.wrapping_add(n as u64);
        }
    }

    /// Allocates (zero) pages covering `[addr, addr + len)`.
    pub fn alloc_range(&mut self, addr: u64, len: u64) {
        if len == 0 {
            return;
        }
        let first = addr >> PAGE_BITS;
        let last = (addr + len - 1) >> PAGE_BITS;
        for i in first..=last {
            self.page_mut(i);
        }
    }

    /// Height of the tree above page level.
    fn upper(&self) -> u32 {
        self.depth - PAGE_LEVELS
    }

    /// Hash of the node at height `h` above page level, index `i`.
    #[inline]
    fn node(&self, h: u32, i: u64) -> B256 {
        let found = if h == 0 {
            self.pages.get(&i).map(|p| p.hash)
        } else {
            self.nodes[h as usize].get(&i).copied()
        };
        found.unwrap_or(zero_hashes()[(h + PAGE_LEVELS) as usize])
    }

    /// Re-hashes dirty pages and the tree paths above them.
    pub fn update_hashes(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let mut idx = std::mem::take(&mut self.dirty);
        self.clean_epoch += 1;
        idx.sort_unstable();
        idx.dedup();
        if idx.len() >= PARALLEL_THRESHOLD {
            let pages = &self.pages;
            let hashes: Vec<B256> = idx.par_iter().map(|i| page_hash(&pages[i].data)).collect();
            for (i, h) in idx.iter().zip(hashes) {
                let p = self.pages.get_mut(i).expect("dirty page exists");
                p.hash = h;
                p.dirty = false;
            }
        } else {
            for i in &idx {
                let p = self.pages.get_mut(i).expect("dirty page exists");
                p.hash = page_hash(&p.data);
                p.dirty = false;
            }
        }
        self.propagate(idx);
    }

    /// Re-hashes the tree paths above the pages `idx` (sorted, deduplicated), whose page hashes
    /// are up to date.
    fn propagate(&mut self, idx: Vec<u64>) {
        let mut cur = idx;
        for h in 1..=self.upper() {
            let mut parents: Vec<u64> = cur.iter().map(|i| i >> 1).collect();
            parents.dedup();
            let computed: Vec<(u64, B256)> = if parents.len() >= 4 * PARALLEL_THRESHOLD {
                parents
                    .par_iter()
                    .map(|&p| {
                        (
                            p,
                            hash_pair(&self.node(h - 1, 2 * p), &self.node(h - 1, 2 * p + 1)),
                        )
                    })
                    .collect()
            } else {
                parents
                    .iter()
                    .map(|&p| {
                        (
                            p,
                            hash_pair(&self.node(h - 1, 2 * p), &self.node(h - 1, 2 * p + 1)),
                        )
                    })
                    .collect()
            };
            let level = &mut self.nodes[h as usize];
            level.extend(computed);
            cur = parents;
        }
    }

    /// Takes page hashes computed elsewhere (a tree sidecar) instead of hashing the pages: every
    /// listed page is marked clean with its hash and the tree above is rebuilt from them. The
    /// pages must be exactly the allocated ones; the resulting root must equal `root`. Returns
    /// false, leaving every page to be hashed from its bytes, if either does not hold.
    pub fn install_page_hashes(&mut self, hashes: &[(u64, B256)], root: &B256) -> bool {
        let fits = hashes.len() == self.pages.len()
            && hashes.windows(2).all(|w| w[0].0 < w[1].0)
            && hashes.iter().all(|(i, _)| self.pages.contains_key(i));
        if fits {
            for (i, h) in hashes {
                let p = self.pages.get_mut(i).expect("checked");
                p.hash = *h;
                p.dirty = false;
            }
            self.dirty.clear();
            for level in &mut self.nodes {
                level.clear();
            }
            self.clean_epoch += 1;
            self.propagate(hashes.iter().map(|x| x.0).collect());
            if self.node(self.upper(), 0) == *root {
                return true;
            }
        }
        // not usable: forget it all and hash from the bytes when asked
        self.dirty = self.page_indices();
        for p in self.pages.values_mut() {
            p.dirty = true;
        }
        for level in &mut self.nodes {
            level.clear();
        }
        self.clean_epoch += 1;
        false
    }

    /// Every page's cached hash, ascending by page index (the tree is brought up to date first).
    pub fn page_hashes(&mut self) -> Vec<(u64, B256)> {
        self.update_hashes();
        self.page_indices()
            .into_iter()
            .map(|i| (i, self.pages[&i].hash))
            .collect()
    }

    /// The merkle root.
    pub fn root(&mut self) -> B256 {
        self.update_hashes();
        self.node(self.upper(), 0)
    }

    /// Merkle root recomputed from scratch, ignoring every cache (for tests and verification).
    pub fn root_from_scratch(&self) -> B256 {
        let mut level: Vec<(u64, B256)> = self
            .page_indices()
            .into_par_iter()
            .map(|i| (i, page_hash(&self.pages[&i].data)))
            .collect();
        for h in 1..=self.upper() {
            let mut next: Vec<(u64, B256)> = Vec::with_capacity(level.len() / 2 + 1);
            let z = zero_hashes()[(h - 1 + PAGE_LEVELS) as usize];
            let mut k = 0;
            while k < level.len() {
                let (i, hv) = level[k];
                let p = i >> 1;
                let (l, r) = if i & 1 == 0 {
                    if k + 1 < level.len() && level[k + 1].0 == i + 1 {
                        k += 1;
                        (hv, level[k].1)
                    } else {
                        (hv, z)
                    }
                } else {
                    (z, hv)
                };
                next.push((p, hash_pair(&l, &r)));
                k += 1;
            }
            level = next;
        }
        level
            .first()
            .map(|x| x.1)
            .unwrap_or(zero_hashes()[self.depth as usize])
    }

    /// Merkle proof for the 32-byte leaf containing `addr`: the leaf, then the siblings from
    /// the bottom up to just below the root (`depth + 1` entries of 32 bytes).
    pub fn proof(&mut self, addr: u64) -> Vec<u8> {
        self.update_hashes();
        let mut out = Vec::with_capacity((self.depth as usize + 1) * 32);
        let page_index = addr >> PAGE_BITS;
        let leaf = ((addr as usize) & (PAGE_SIZE - 1)) >> 5;
        match self.pages.get(&page_index) {
            Some(p) => {
                out.extend_from_slice(&p.data[leaf * 32..leaf * 32 + 32]);
                // the page's own subtree, level by level
                let mut level: Vec<B256> = p.data.chunks_exact(32).map(B256::from_slice).collect();
                let mut j = leaf;
                while level.len() > 1 {
                    out.extend_from_slice(level[j ^ 1].as_slice());
                    level = level
                        .chunks_exact(2)
                        .map(|q| hash_pair(&q[0], &q[1]))
                        .collect();
                    j >>= 1;
                }
            }
            None => {
                out.extend_from_slice(&[0u8; 32]);
                for z in &zero_hashes()[..PAGE_LEVELS as usize] {
                    out.extend_from_slice(z.as_slice());
                }
            }
        }
        for h in 0..self.upper() {
            let sib = self.node(h, (page_index >> h) ^ 1);
            out.extend_from_slice(sib.as_slice());
        }
        out
    }
}

/// Verifies a proof the way the contracts do (`readMemUnchecked`): returns the 32-byte leaf if
/// the proof leads from it to `root` for `addr`.
pub fn verify_proof(root: &B256, addr: u64, proof: &[u8], depth: u32) -> Option<[u8; 32]> {
    if proof.len() != (depth as usize + 1) * 32 {
        return None;
    }
    let leaf: [u8; 32] = proof[..32].try_into().ok()?;
    let mut node = B256::from(leaf);
    let path = addr >> 5;
    for i in 0..depth as usize {
        let sib = B256::from_slice(&proof[32 * (i + 1)..32 * (i + 2)]);
        node = if (path >> i) & 1 == 0 {
            hash_pair(&node, &sib)
        } else {
            hash_pair(&sib, &node)
        };
    }
    (node == *root).then_some(leaf)
}
