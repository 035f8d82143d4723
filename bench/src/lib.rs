//! Benchmark scenarios, defined once and shared by the criterion benches (`benches/`) and the
//! workload harness.

pub mod host;
pub mod report;
pub mod scenario;
pub use scenario::{scenario, Scenario, SCENARIOS};

use interp::elf::load_elf;
use interp::memory::{Memory, PAGE_SIZE};
use interp::oracle::{DirSource, Oracle};
use interp::vm::splitmix64;
use interp::{Io, State, Vm, VmVersion};
use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Path of a built fixture ELF (`fixtures/elf/<name>.elf`).
pub fn fixture_elf(name: &str) -> PathBuf {
    repo_root().join("fixtures/elf").join(format!("{name}.elf"))
}

/// The initial state of a fixture, as `load-elf` makes it.
pub fn fixture_state(name: &str, version: VmVersion) -> State {
    let path = fixture_elf(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    load_elf(&bytes, version).expect("fixture loads").state
}

/// A VM over a fixture with guest output discarded and preimages from `preimages` (a directory
/// under `fixtures/preimages`), if given.
pub fn fixture_vm(name: &str, version: VmVersion, preimages: Option<&str>) -> Vm {
    let oracle = match preimages {
        Some(dir) => Oracle::new(Box::new(
            DirSource::new(repo_root().join("fixtures/preimages").join(dir)).expect("preimage dir"),
        )),
        None => Oracle::none(),
    };
    Vm::new(fixture_state(name, version), oracle, Io::sink())
}

/// Memory of `depth` levels with `pages` pages of pseudo-random bytes, spread like a Go guest's
/// (a dense low region, a heap region and a stack), nothing hashed yet.
pub fn random_memory(pages: usize, depth: u32, seed: u64) -> Memory {
    let mut m = Memory::new(depth);
    let mut page = vec![0u8; PAGE_SIZE];
    let heap_base = if depth > 32 {
        0x0000_1000_0000_0000u64 >> 12
    } else {
        0x0500_0000u64 >> 12
    };
    for i in 0..pages as u64 {
        for (k, chunk) in page.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&splitmix64(seed ^ (i << 12) ^ k as u64).to_be_bytes());
        }
        let index = match i % 4 {
            0 => 0x10 + i,
            _ => heap_base + i,
        };
        m.insert_page(index, &page);
    }
    m
}

/// A multithreaded64-5 state whose memory is [`random_memory`] with `pages` pages.
pub fn random_state(pages: usize, seed: u64) -> State {
    let mut s = interp::state::MtState::new(VmVersion::MultiThreaded64V5, 0x10000);
    s.memory = random_memory(pages, 59, seed);
    State::Mt(s)
}

/// Records a fixture's whole trace with the JIT, taking a checkpoint every `interval` steps
/// (the first pass of `cannonball bisect`).
pub fn record_fixture(
    name: &str,
    preimages: Option<&str>,
    interval: u64,
    budget: u64,
) -> engine::bisect::Trace {
    use engine::bisect::{record, RecordConfig};
    use interp::oracle::{PreimageMap, RecordingSource};
    let seen = PreimageMap::default();
    let mut vm = fixture_vm(name, VmVersion::MultiThreaded64V5, preimages);
    let inner = std::mem::replace(&mut vm.oracle, Oracle::none());
    vm.oracle = Oracle::new(Box::new(RecordingSource::new(
        inner.into_source(),
        seen.clone(),
    )));
    let mut eng = engine::engine::Engine::for_state(&vm.state, true);
    let cfg = RecordConfig {
        interval,
        budget,
        max_steps: None,
        info_at: engine::pattern::StepPattern::Never,
    };
    record(&mut vm, &mut eng, &cfg, seen).expect("records")
}
