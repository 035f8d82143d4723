//! In-memory checkpoints of one trace, for answering many queries about it.
//!
//! A checkpoint is [`State::checkpoint`]: page bytes are shared copy-on-write with the running
//! VM and with the other checkpoints, so a checkpoint costs the page index plus the pages that
//! were written since the previous one. The store keeps an exact account of the page bytes it
//! holds (each distinct page buffer counted once, however many checkpoints share it) and stays
//! within a memory budget by dropping the checkpoint whose removal leaves the smallest gap, so
//! the survivors stay evenly spread and the longest replay grows as slowly as possible.

use interp::memory::PAGE_SIZE;
use interp::State;
use rustc_hash::FxHashMap;

/// One checkpoint.
#[derive(Debug)]
pub struct Checkpoint {
    /// Its step.
    pub step: u64,
    /// The state at that step, tree hashed.
    pub state: State,
    /// Bytes of its page index (see [`interp::memory::Memory::index_bytes`]).
    index_bytes: u64,
}

/// Checkpoints in step order, within a memory budget.
#[derive(Debug)]
pub struct CheckpointStore {
    cps: Vec<Checkpoint>,
    /// Page buffer identity -> number of checkpoints holding it.
    holders: FxHashMap<usize, u32>,
    page_bytes: u64,
    index_bytes: u64,
    budget: u64,
    /// Checkpoints dropped to stay within the budget.
    pub evicted: u64,
    /// Most bytes held at once.
    pub peak_bytes: u64,
}

impl CheckpointStore {
    /// An empty store that holds at most `budget` bytes (page bytes plus indexes).
    pub fn new(budget: u64) -> Self {
        CheckpointStore {
            cps: Vec::new(),
            holders: FxHashMap::default(),
            page_bytes: 0,
            index_bytes: 0,
            budget,
            evicted: 0,
            peak_bytes: 0,
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> u64 {
        self.page_bytes + self.index_bytes
    }

    /// Bytes of distinct page buffers held now.
    pub fn page_bytes(&self) -> u64 {
        self.page_bytes
    }

    /// Number of checkpoints.
    pub fn len(&self) -> usize {
        self.cps.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.cps.is_empty()
    }

    /// The checkpoints, in step order.
    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.cps
    }

    /// Takes a checkpoint of `state` (which must be past every checkpoint already held).
    pub fn take(&mut self, state: &mut State) {
        let step = state.step();
        if self.cps.last().is_some_and(|c| c.step >= step) {
            return;
        }
        let cp = state.checkpoint();
        let mem = cp.memory();
        for id in mem.page_data_ids() {
            let n = self.holders.entry(id).or_insert(0);
            if *n == 0 {
                self.page_bytes += PAGE_SIZE as u64;
            }
            *n += 1;
        }
        let index_bytes = mem.index_bytes() as u64;
        self.index_bytes += index_bytes;
        self.cps.push(Checkpoint {
            step,
            state: cp,
            index_bytes,
        });
        self.peak_bytes = self.peak_bytes.max(self.bytes());
        while self.bytes() > self.budget && self.cps.len() > 2 {
            self.evict_one();
        }
    }

    /// Drops the inner checkpoint whose removal merges the two smallest neighbouring gaps (the
    /// first checkpoint, the trace's start, and the newest are always kept).
    fn evict_one(&mut self) {
        let k = (1..self.cps.len() - 1)
            .min_by_key(|&i| self.cps[i + 1].step - self.cps[i - 1].step)
            .expect("at least three checkpoints");
        let cp = self.cps.remove(k);
        for id in cp.state.memory().page_data_ids() {
            if let Some(n) = self.holders.get_mut(&id) {
                *n -= 1;
                if *n == 0 {
                    self.holders.remove(&id);
                    self.page_bytes -= PAGE_SIZE as u64;
                }
            }
        }
        self.index_bytes -= cp.index_bytes;
        self.evicted += 1;
    }

    /// The latest checkpoint at or before `step`.
    pub fn nearest(&self, step: u64) -> Option<&Checkpoint> {
        self.nearest_index(step).map(|i| &self.cps[i])
    }

    /// Index of [`CheckpointStore::nearest`].
    pub fn nearest_index(&self, step: u64) -> Option<usize> {
        self.cps.partition_point(|c| c.step <= step).checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use interp::memory::Memory;
    use interp::state::MtState;
    use interp::VmVersion;

    fn state_with_pages(n: u64) -> State {
        let mut s = MtState::new(VmVersion::MultiThreaded64V5, 0x1000);
        s.memory = Memory::new(59);
        for i in 0..n {
            s.memory.write_u64(i << 12, i + 1);
        }
        State::Mt(s)
    }

    #[test]
    fn checkpoints_share_unchanged_pages() {
        let mut st = state_with_pages(100);
        let mut store = CheckpointStore::new(u64::MAX);
        store.take(&mut st);
        assert_eq!(store.page_bytes(), 100 * PAGE_SIZE as u64);
        // change 3 pages, step on
        for i in [1u64, 50, 99] {
            st.memory_mut().write_u64(i << 12, 0xdead);
        }
        if let State::Mt(s) = &mut st {
            s.step = 10;
        }
        store.take(&mut st);
        assert_eq!(store.page_bytes(), 103 * PAGE_SIZE as u64);
        // the first checkpoint still sees the old bytes, the second the new ones
        let a = &store.checkpoints()[0].state;
        let b = &store.checkpoints()[1].state;
        assert_eq!(a.memory().read_u64(50 << 12), 51);
        assert_eq!(b.memory().read_u64(50 << 12), 0xdead);
        assert_eq!(st.memory().read_u64(50 << 12), 0xdead);
        // writing the live state after the checkpoint does not reach the checkpoint
        st.memory_mut().write_u64(50 << 12, 7);
        assert_eq!(
            store.checkpoints()[1].state.memory().read_u64(50 << 12),
            0xdead
        );
        // roots: each checkpoint's root equals a from-scratch root of its own bytes
        for c in store.checkpoints() {
            let mut s = c.state.clone();
            let lazy = s.memory_mut().root();
            assert_eq!(lazy, s.memory().root_from_scratch());
        }
    }

    #[test]
    fn eviction_keeps_budget_and_spreads_checkpoints() {
        let mut st = state_with_pages(4);
        // each checkpoint after the first adds one changed page; budget for about 6 of them
        let budget = 10 * PAGE_SIZE as u64 + 6 * 2000;
        let mut store = CheckpointStore::new(budget);
        for k in 0..40u64 {
            if let State::Mt(s) = &mut st {
                s.step = k * 100;
            }
            st.memory_mut().write_u64((k % 4) << 12, k);
            store.take(&mut st);
            assert!(store.bytes() <= budget || store.len() <= 2);
        }
        assert!(store.evicted > 0);
        let steps: Vec<u64> = store.checkpoints().iter().map(|c| c.step).collect();
        assert_eq!(steps[0], 0);
        assert_eq!(*steps.last().unwrap(), 3900);
        // no gap is more than twice the smallest possible even gap
        let even = 3900 / (steps.len() as u64 - 1);
        for w in steps.windows(2) {
            assert!(w[1] - w[0] <= 2 * even + 100, "uneven: {steps:?}");
        }
        // page accounting matches a recount
        let mut ids = std::collections::HashSet::new();
        for c in store.checkpoints() {
            ids.extend(c.state.memory().page_data_ids());
        }
        assert_eq!(store.page_bytes(), ids.len() as u64 * PAGE_SIZE as u64);
        // nearest
        assert_eq!(store.nearest(0).unwrap().step, 0);
        assert_eq!(store.nearest(3999).unwrap().step, 3900);
        let mid = store.nearest(2000).unwrap().step;
        assert!(mid <= 2000);
    }
}
