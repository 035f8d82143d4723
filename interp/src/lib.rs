//! `interp`: the reference implementation of Cannon, the MIPS fault-proof VM of the OP Stack.
//!
//! This crate is the single source of truth for Cannon's semantics in cannonball:
//! [`decode`] turns words into instructions, [`semantics`] defines every instruction once over
//! the primitive vocabulary of [`ops`] (generic over the word size, [`arch`]), and [`vm`] runs
//! them with the syscalls, scheduler and witnesses of the state versions in [`version`].
//! [`memory`] holds the paged memory and its lazily maintained merkle tree, [`state`] the state
//! encodings and hashes, [`oracle`] the preimage oracle, [`elf`] program loading and [`files`]
//! state and proof files.

pub mod arch;
pub mod asm;
pub mod decode;
pub mod elf;
pub mod error;
pub mod files;
pub mod gosort;
pub mod memory;
pub mod ops;
pub mod oracle;
pub mod semantics;
pub mod state;
pub mod version;
pub mod vm;
pub mod witness;

pub use error::{Error, Fault, Result, VmFault};
pub use state::State;
pub use version::VmVersion;
pub use vm::{Io, StepWitness, Vm};
pub use witness::Tracker;

/// Set when the process is asked to stop (the CLI's SIGINT/SIGTERM handler): the run loop stops
/// at its next check, and a wait on the preimage server gives up within
/// [`oracle::WAIT_SLICE`], so no wait outlives an interruption.
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
