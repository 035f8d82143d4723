//! Pages: copy-on-write page bytes shared between checkpoints, dirty tracking for the merkle
//! tree, and write watching for pages that hold compiled code.

use super::{fresh_epoch, Memory, PAGE_SIZE};
use alloy_primitives::B256;
use std::sync::Arc;

/// The bytes of one page.
pub type PageData = [u8; PAGE_SIZE];

/// One page and its cached subtree root.
#[derive(Clone)]
pub struct Page {
    /// The bytes, shared with clones of the memory until written (never shared while dirty).
    pub(super) data: Arc<PageData>,
    pub(super) hash: B256,
    pub(super) dirty: bool,
    /// Writes to this page are reported (it holds compiled code).
    pub(super) watched: bool,
}

impl Page {
    pub(super) fn zeroed() -> Self {
        Page {
            data: Arc::new([0u8; PAGE_SIZE]),
            hash: B256::ZERO,
            dirty: true,
            watched: false,
        }
    }
}

impl Memory {
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

    /// Inserts (or replaces) a whole page, e.g. when reading a state file.
    pub fn insert_page(&mut self, index: u64, data: &[u8]) {
        let p = self.page_mut(index);
        Self::bytes_mut(p).copy_from_slice(data);
    }

    /// The page for writing: allocated if missing, marked dirty.
    #[inline]
    pub(super) fn page_mut(&mut self, index: u64) -> &mut Page {
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
    pub(super) fn bytes_mut(p: &mut Page) -> &mut PageData {
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
        if self.watched.insert(index) {
            self.watch_epoch += 1;
        }
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

    /// See `id`: unique to this memory among all memories of the process (clones included).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// See `watch_epoch`: changes whenever a page starts being watched.
    pub fn watch_epoch(&self) -> u64 {
        self.watch_epoch
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
}
