//! The benchmark workloads, defined once: the criterion benches (`benches/interp.rs`) and the
//! side-by-side harness (`src/bin/harness.rs`) both take their guests, preimages, VM type,
//! expected exit code, output and step count from [`SCENARIOS`].

use crate::repo_root;
use interp::oracle::{DirSource, Oracle};
use interp::{Io, Vm, VmVersion};
use std::path::PathBuf;

/// One workload: a fixture guest run to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// Short name (`derive-10`); the harness's `--workloads` takes these.
    pub name: &'static str,
    /// Fixture ELF name (`fixtures/elf/<elf>.elf`).
    pub elf: &'static str,
    /// Preimage directory under `fixtures/preimages`, for oracle guests.
    pub preimages: Option<&'static str>,
    /// VM type, as `load-elf --type` names it.
    pub vm_type: &'static str,
    /// Steps of the whole run on `vm_type` (measured with both engines; the tests pin them).
    pub steps: u64,
    /// Expected exit code.
    pub exit: u8,
    /// Expected guest stdout: `fixtures/expected/<case>.stdout`.
    pub case: &'static str,
    /// Workload size (the x axis of the harness's plot) in `size_unit`s.
    pub size: u64,
    /// What `size` counts.
    pub size_unit: &'static str,
    /// The same guest built for the host (`fixtures/native/...`), when there is one.
    pub native: Option<&'static str>,
    /// Part of the criterion fast-forward benches.
    pub criterion: bool,
    /// Criterion runs the interpreter over only this many steps (a whole run would take too
    /// long per sample).
    pub interp_bench_steps: Option<u64>,
    /// An op-challenger move rather than a whole run: `run` with op-challenger's argv (proof at
    /// this step, stop one step later, snapshots, progress lines, debug info, the preimage
    /// server as a separate process after `--`). Only cannonball's engines run it.
    pub proof_at: Option<u64>,
}

const MT64_5: &str = "multithreaded64-5";

/// Every workload.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "compute",
        elf: "go64-compute",
        preimages: None,
        vm_type: MT64_5,
        steps: 1_025_072_682,
        exit: 0,
        case: "go64-compute",
        size: 88,
        size_unit: "rounds",
        native: None,
        criterion: true,
        interp_bench_steps: Some(200_000_000),
        proof_at: None,
    },
    Scenario {
        name: "claim",
        elf: "go64-claim",
        preimages: Some("claim-good"),
        vm_type: MT64_5,
        steps: 64_184_024,
        exit: 0,
        case: "go64-claim-good",
        size: 32,
        size_unit: "items",
        native: None,
        criterion: true,
        interp_bench_steps: None,
        proof_at: None,
    },
    Scenario {
        name: "derive-10",
        elf: "go64-derive",
        preimages: Some("derive-10"),
        vm_type: MT64_5,
        steps: 26_312_496,
        exit: 0,
        case: "go64-derive-10",
        size: 10,
        size_unit: "blocks",
        native: Some("fixtures/native/derive-amd64"),
        criterion: true,
        interp_bench_steps: None,
        proof_at: None,
    },
    Scenario {
        name: "derive-10-bad",
        elf: "go64-derive",
        preimages: Some("derive-10-bad"),
        vm_type: MT64_5,
        steps: 26_312_514,
        exit: 1,
        case: "go64-derive-10-bad",
        size: 10,
        size_unit: "blocks",
        native: Some("fixtures/native/derive-amd64"),
        criterion: false,
        interp_bench_steps: None,
        proof_at: None,
    },
    Scenario {
        name: "derive-100",
        elf: "go64-derive",
        preimages: Some("derive-100"),
        vm_type: MT64_5,
        steps: 147_448_066,
        exit: 0,
        case: "go64-derive-100",
        size: 100,
        size_unit: "blocks",
        native: Some("fixtures/native/derive-amd64"),
        criterion: true,
        interp_bench_steps: None,
        proof_at: None,
    },
    Scenario {
        name: "derive-1000",
        elf: "go64-derive",
        preimages: Some("derive-1000"),
        vm_type: MT64_5,
        steps: 1_538_800_549,
        exit: 0,
        case: "go64-derive-1000",
        size: 1000,
        size_unit: "blocks",
        native: Some("fixtures/native/derive-amd64"),
        criterion: false,
        interp_bench_steps: None,
        proof_at: None,
    },
    gotools("gotools-1", "gotools-1", "go64-gotools-1", 1, 120_693_090),
    gotools("gotools-3", "gotools-3", "go64-gotools-3", 3, 329_272_615),
    gotools(
        "gotools-10",
        "gotools-10",
        "go64-gotools-10",
        10,
        1_086_348_909,
    ),
    // One op-challenger move on the large-footprint guest: from the prestate to the proof of
    // step 1e9 (gotools-10 runs 1.09e9 steps).
    Scenario {
        name: "move-gotools-10",
        elf: "go64-gotools",
        preimages: Some("gotools-10"),
        vm_type: MT64_5,
        steps: 1_000_000_001,
        exit: 0,
        case: "",
        size: 10,
        size_unit: "rounds",
        native: None,
        criterion: false,
        interp_bench_steps: None,
        proof_at: Some(1_000_000_000),
    },
];

/// A whole run of the large-footprint guest over `rounds` rounds (preimage directory
/// `preimages`, expected output `case`).
const fn gotools(
    name: &'static str,
    preimages: &'static str,
    case: &'static str,
    rounds: u64,
    steps: u64,
) -> Scenario {
    Scenario {
        name,
        elf: "go64-gotools",
        preimages: Some(preimages),
        vm_type: MT64_5,
        steps,
        exit: 0,
        case,
        size: rounds,
        size_unit: "rounds",
        native: Some("fixtures/native/gotools-amd64"),
        criterion: false,
        interp_bench_steps: None,
        proof_at: None,
    }
}

/// The scenario called `name` (a `go64-` prefix is accepted too).
pub fn scenario(name: &str) -> Option<&'static Scenario> {
    let short = name.strip_prefix("go64-").unwrap_or(name);
    SCENARIOS.iter().find(|s| s.name == short)
}

impl Scenario {
    /// The VM version of `vm_type`.
    pub fn version(&self) -> VmVersion {
        VmVersion::from_name(self.vm_type).expect("known VM type")
    }

    /// The guest ELF.
    pub fn elf_path(&self) -> PathBuf {
        crate::fixture_elf(self.elf)
    }

    /// The preimage directory, for oracle guests.
    pub fn preimage_dir(&self) -> Option<PathBuf> {
        self.preimages
            .map(|d| repo_root().join("fixtures/preimages").join(d))
    }

    /// The host build of the guest, when there is one.
    pub fn native_path(&self) -> Option<PathBuf> {
        self.native.map(|p| repo_root().join(p))
    }

    /// The guest's expected stdout (nothing for a move: the guest prints at its end).
    pub fn expected_stdout(&self) -> std::io::Result<Vec<u8>> {
        if self.proof_at.is_some() {
            return Ok(Vec::new());
        }
        std::fs::read(
            repo_root()
                .join("fixtures/expected")
                .join(format!("{}.stdout", self.case)),
        )
    }

    /// A VM at the initial state, guest output discarded, preimages served from the directory.
    pub fn vm(&self) -> Vm {
        let oracle = match self.preimage_dir() {
            Some(dir) => Oracle::new(Box::new(DirSource::new(dir).expect("preimage dir"))),
            None => Oracle::none(),
        };
        Vm::new(
            crate::fixture_state(self.elf, self.version()),
            oracle,
            Io::sink(),
        )
    }

    /// Whether the fixture files this scenario needs exist.
    pub fn available(&self) -> bool {
        self.elf_path().exists() && self.preimage_dir().is_none_or(|d| d.is_dir())
    }
}
