//! Step witnesses (cannon-spec §4): the data accesses of one step and what `--proof-at` writes.

use crate::memory::Memory;
use crate::oracle::PreimageRead;
use alloy_primitives::B256;

/// Data accesses of one step, for its witness.
#[derive(Debug, Default)]
pub struct Tracker {
    enabled: bool,
    mem_proof: Option<Vec<u8>>,
    mem_proof2: Option<Vec<u8>>,
}

impl Tracker {
    /// A tracker that records the proofs of the next step's accesses.
    pub fn recording() -> Self {
        Tracker {
            enabled: true,
            ..Tracker::default()
        }
    }

    /// The memory proofs of the step's two data accesses (zero proofs where there was none,
    /// the second only on cannon64), appended to `out`.
    pub fn append_proofs(&self, out: &mut Vec<u8>, depth: u32, second: bool) {
        let zeros = vec![0u8; (depth as usize + 1) * 32];
        out.extend_from_slice(self.mem_proof.as_deref().unwrap_or(&zeros));
        if second {
            out.extend_from_slice(self.mem_proof2.as_deref().unwrap_or(&zeros));
        }
    }

    /// Records the step's data access at `addr` (the proof is taken against the current root).
    #[inline(always)]
    pub fn track(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled && self.mem_proof.is_none() {
            self.mem_proof = Some(mem.proof(addr));
        }
    }
    /// Records the second, adjacent data access (clock_gettime only).
    #[inline(always)]
    pub fn track2(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled && self.mem_proof2.is_none() {
            self.mem_proof2 = Some(mem.proof(addr));
        }
    }
}

/// The witness of one step (`--proof-at` output, cannon-spec §4).
#[derive(Debug, Clone)]
pub struct StepWitness {
    /// Pre-state step.
    pub step: u64,
    /// Pre-state hash.
    pub pre: B256,
    /// Post-state hash.
    pub post: B256,
    /// Pre-state witness.
    pub state_data: Vec<u8>,
    /// Proof data.
    pub proof_data: Vec<u8>,
    /// The preimage read by this step, when there was one with a non-zero key.
    pub preimage: Option<PreimageRead>,
}
