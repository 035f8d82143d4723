//! State encodings: empty-state sizes (cannon-spec §2.6), EMPTY_THREAD_ROOT, round trips, the
//! status byte of the hash, and rejection of malformed files.

use alloy_primitives::{keccak256, B256};
use interp::state::{state_hash, thread_stack_root, MtState, StState, Thread, EMPTY_THREAD_ROOT};
use interp::{Error, State, VmVersion};

fn encode(s: &State) -> Vec<u8> {
    let mut v = Vec::new();
    s.serialize(&mut v).unwrap();
    v
}

#[test]
fn empty_thread_root_is_keccak_of_64_zero_bytes() {
    assert_eq!(EMPTY_THREAD_ROOT, keccak256([0u8; 64]));
    assert_eq!(thread_stack_root(&[]), EMPTY_THREAD_ROOT);
}

#[test]
fn empty_state_sizes() {
    // versions/testdata/states/8.bin.gz decodes to 419 bytes, 2.bin.gz to 203 bytes.
    let mt = State::Mt(MtState::new(VmVersion::MultiThreaded64V5, 0));
    assert_eq!(encode(&mt).len(), 419);
    assert_eq!(encode(&mt)[0], 8);
    let mt7 = State::Mt(MtState::new(VmVersion::MultiThreaded64V4, 0));
    assert_eq!(encode(&mt7)[0], 7);
    let st = State::St(StState::new(0));
    assert_eq!(encode(&st).len(), 203);
    assert_eq!(encode(&st)[0], 2);
}

#[test]
fn witness_sizes_and_status_byte() {
    let mut mt = State::Mt(MtState::new(VmVersion::MultiThreaded64V5, 0x1000));
    assert_eq!(mt.witness().len(), 188);
    assert_eq!(mt.hash().0[0], 3);
    let mut st = State::St(StState::new(0x1000));
    assert_eq!(st.witness().len(), 226);
    let w = [7u8; 10];
    assert_eq!(state_hash(&w, true, 0).0[0], 0);
    assert_eq!(state_hash(&w, true, 1).0[0], 1);
    assert_eq!(state_hash(&w, true, 9).0[0], 2);
    assert_eq!(state_hash(&w, false, 1).0[0], 3);
    assert_eq!(&state_hash(&w, false, 0).0[1..], &keccak256(w).0[1..]);
}

#[test]
fn mt_round_trip_with_threads_pages_and_hint() {
    let mut s = MtState::new(VmVersion::MultiThreaded64V5, 0x1_0000);
    s.memory.write_u64(0x1_0000, 0x0123_4567_89ab_cdef);
    s.memory.write_u64(0x7FFF_FFFF_F000, 42);
    s.preimage_key = B256::repeat_byte(0x22);
    s.preimage_offset = 17;
    s.ll.status = 2;
    s.ll.addr = 0x1_0004;
    s.ll.owner = 3;
    s.step = 123_456;
    s.steps_since_switch = 99;
    s.traverse_right = true;
    let mut t = Thread {
        id: 3,
        ..Thread::default()
    };
    t.cpu.regs[5] = 77;
    t.exited = true;
    t.exit_code = 4;
    s.right.push(t);
    s.next_thread_id = 4;
    s.last_hint = vec![0, 0, 0, 9, 1, 2];
    let mut a = State::Mt(s);
    let bytes = encode(&a);
    let mut b = State::deserialize(&mut bytes.as_slice()).unwrap();
    assert_eq!(encode(&b), bytes);
    assert_eq!(a.hash(), b.hash());
}

#[test]
fn st_round_trip() {
    let mut s = StState::new(0x400);
    s.memory.write_u32(0x400, 0x2402_0001);
    s.cpu.regs[31] = 0xdead_beef;
    s.cpu.hi = 5;
    s.step = 9;
    s.exited = true;
    s.exit_code = 1;
    let mut a = State::St(s);
    let bytes = encode(&a);
    let mut b = State::deserialize(&mut bytes.as_slice()).unwrap();
    assert_eq!(encode(&b), bytes);
    assert_eq!(a.hash(), b.hash());
    assert_eq!(b.hash().0[0], 1);
}

fn invalid(bytes: &[u8]) -> String {
    match State::deserialize(&mut &bytes[..]) {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn malformed_files_are_rejected_with_a_reason() {
    let good = encode(&State::Mt(MtState::new(VmVersion::MultiThreaded64V5, 0)));
    assert!(invalid(&[]).contains("truncated"));
    assert!(invalid(&[6]).contains("unsupported state version 6"));
    assert!(invalid(&[0xff, 1, 2]).contains("unsupported state version"));
    for cut in [1, 9, 100, 300, good.len() - 1] {
        assert!(invalid(&good[..cut]).contains("truncated"), "cut at {cut}");
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(invalid(&trailing).contains("trailing"));
    // exited byte (offset: 1 + 8 pages + 32 + 8 + 8 + 1 + 8 + 8 + 1) = 75 must be 0 or 1
    let mut bad_bool = good.clone();
    bad_bool[75] = 2;
    assert!(invalid(&bad_bool).contains("boolean"));
    // absurd page count
    let mut pages = good.clone();
    pages[1] = 0xff;
    assert!(invalid(&pages).contains("page count"));
}
