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
//! page is never shared (every write to a clean page goes through `Memory::page_mut`, which
//! un-shares it, and [`Clone`] deep-copies dirty pages), so the store fast paths, which only
//! write to dirty pages, never need to check.

//!
//! `pages` holds the page representation and its bookkeeping, `merkle` the tree.

mod merkle;
mod pages;

pub use merkle::{hash_pair, page_hash, verify_proof, zero_hashes};
pub use pages::{Page, PageData};

use alloy_primitives::B256;
use merkle::PAGE_LEVELS;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes per page.
pub const PAGE_SIZE: usize = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_BITS: u32 = 12;

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
    /// Identity of this memory: fresh for every new memory and every clone, so caches of
    /// decoded code can tell when they are handed another memory.
    id: u64,
    /// Incremented whenever a page starts being watched (writers that cache "this page is not
    /// watched" must drop that knowledge when it changes).
    watch_epoch: u64,
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
            id: fresh_epoch(),
            watch_epoch: self.watch_epoch,
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
            id: fresh_epoch(),
            watch_epoch: 0,
        }
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
}
