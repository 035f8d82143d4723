//! The memory merkle tree (cannon-spec §3): page hashes, the lazily maintained interior nodes,
//! roots and proofs.

use super::{Memory, PAGE_BITS, PAGE_SIZE};
use alloy_primitives::{keccak256, B256};
use rayon::prelude::*;
use std::sync::OnceLock;

/// Levels of a page's own subtree (128 leaves).
pub(super) const PAGE_LEVELS: u32 = 7;
/// Beyond this many dirty pages, re-hashing runs on the rayon pool.
pub(super) const PARALLEL_THRESHOLD: usize = 32;

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

impl Memory {
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
