//! Memory merkleization: proofs verified the way `MIPS64Memory.sol` / `MIPSMemory.sol` do, the
//! lazy root against a from-scratch root after every kind of write, and known constants.

use alloy_primitives::{keccak256, B256};
use interp::memory::{verify_proof, zero_hashes, Memory, PAGE_SIZE};
use interp::vm::splitmix64;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        splitmix64(self.0)
    }
}

#[test]
fn zero_hashes_are_keccak_of_pairs() {
    let z = zero_hashes();
    assert_eq!(z[0], B256::ZERO);
    let mut b = [0u8; 64];
    assert_eq!(z[1], keccak256(b));
    b[..32].copy_from_slice(z[1].as_slice());
    b[32..].copy_from_slice(z[1].as_slice());
    assert_eq!(z[2], keccak256(b));
}

#[test]
fn empty_roots() {
    for depth in [27u32, 59] {
        let mut m = Memory::new(depth);
        assert_eq!(m.root(), zero_hashes()[depth as usize]);
        assert_eq!(m.root_from_scratch(), zero_hashes()[depth as usize]);
        // a written-then-zeroed page hashes like a missing one
        m.write_u32(0x1000, 7);
        m.write_u32(0x1000, 0);
        assert_eq!(m.page_count(), 1);
        assert_eq!(m.root(), zero_hashes()[depth as usize]);
    }
}

fn check_proofs(m: &mut Memory, rng: &mut Rng, addr_mask: u64, known: &[u64]) {
    let root = m.root();
    let depth = m.depth();
    let mut addrs: Vec<u64> = known.to_vec();
    for _ in 0..20 {
        addrs.push(rng.next() & addr_mask);
    }
    for a in addrs {
        let proof = m.proof(a);
        let leaf = verify_proof(&root, a, &proof, depth)
            .unwrap_or_else(|| panic!("proof for 0x{a:x} does not verify"));
        // the leaf holds the memory bytes of the 32-byte chunk
        let base = a & !31;
        for k in 0..8 {
            let w = m.read_u32(base + 4 * k);
            assert_eq!(&leaf[4 * k as usize..4 * k as usize + 4], &w.to_be_bytes());
        }
        // a proof for a different address must not verify against this leaf position
        let mut bad = proof.clone();
        bad[40] ^= 1;
        assert!(verify_proof(&root, a, &bad, depth).is_none());
    }
}

#[test]
fn lazy_root_matches_scratch_and_proofs_verify_64() {
    let mut rng = Rng(1);
    let mut m = Memory::new(59);
    let mask = 0x0000_7FFF_FFFF_FFF8u64;
    let mut written = Vec::new();
    for round in 0..40 {
        // every kind of write: aligned words, byte ranges, whole pages, page allocation
        match round % 4 {
            0 => {
                let a = rng.next() & mask;
                m.write_u64(a, rng.next());
                written.push(a);
            }
            1 => {
                let a = rng.next() & 0x0000_1000_00FF_FFFF & !3;
                m.write_u32(a, rng.next() as u32);
                written.push(a);
            }
            2 => {
                let a = rng.next() & 0xFFFF_FFFF;
                let bytes: Vec<u8> = (0..(rng.next() % 9000)).map(|i| i as u8 ^ 0x5a).collect();
                m.set_range(a, &bytes);
                written.push(a & !7);
            }
            _ => {
                let idx = rng.next() & 0xFFFF;
                m.insert_page(idx, &[0xAB; PAGE_SIZE]);
                written.push(idx << 12);
            }
        }
        let lazy = m.root();
        assert_eq!(lazy, m.root_from_scratch(), "round {round}");
        if round % 8 == 7 {
            check_proofs(&mut m, &mut rng, mask, &written);
        }
    }
}

#[test]
fn lazy_root_matches_scratch_and_proofs_verify_32() {
    let mut rng = Rng(2);
    let mut m = Memory::new(27);
    for round in 0..30 {
        let a = rng.next() & 0xFFFF_FFFC;
        m.write_u32(a, rng.next() as u32);
        assert_eq!(m.root(), m.root_from_scratch(), "round {round}");
    }
    check_proofs(&mut m, &mut rng, 0xFFFF_FFFC, &[0, 0xFFFF_FFFC]);
}

#[test]
fn proof_of_missing_page_is_all_zero_siblings_inside_the_page() {
    let mut m = Memory::new(59);
    m.write_u64(0x10_0000, 1);
    let root = m.root();
    let p = m.proof(0x20_0000);
    assert_eq!(p.len(), 60 * 32);
    assert!(p[..32].iter().all(|&b| b == 0));
    for k in 0..7 {
        assert_eq!(&p[32 * (k + 1)..32 * (k + 2)], zero_hashes()[k].as_slice());
    }
    assert!(verify_proof(&root, 0x20_0000, &p, 59).is_some());
}

#[test]
fn reads_do_not_allocate_writes_do() {
    let mut m = Memory::new(59);
    assert_eq!(m.read_u64(0x5000), 0);
    assert_eq!(m.load(0x5000, 8), 0);
    assert_eq!(m.page_count(), 0);
    m.store(0x5000, 8, 0);
    assert_eq!(m.page_count(), 1);
    m.write_u32(0x9000, 0);
    assert_eq!(m.page_count(), 2);
}

#[test]
fn cached_store_after_root_marks_page_dirty_again() {
    let mut m = Memory::new(59);
    m.store(0x8000, 8, 1);
    let r1 = m.root();
    m.store(0x8000, 8, 2); // page is clean now: the cache must not skip the dirty marking
    let r2 = m.root();
    assert_ne!(r1, r2);
    assert_eq!(r2, m.root_from_scratch());
    let c = m.clone();
    assert_eq!(c.root_from_scratch(), r2);
}
