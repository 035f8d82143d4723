//! Errors in two tiers: [`Fault`] is a guest-caused invalid transition (no post-state exists; Go
//! Cannon panics, the contract reverts), [`VmFault`] wraps a fault with where it happened, and
//! [`enum@Error`] is every host-side failure (I/O, malformed input, the preimage host).

use thiserror::Error;

/// Why a transition is invalid (cannon-spec §12.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Unknown opcode or funct for this VM.
    InvalidInstruction,
    /// div/divu/ddiv/ddivu with a zero divisor.
    DivideByZero,
    /// A branch in a delay slot.
    BranchInDelaySlot,
    /// A jump in a delay slot.
    JumpInDelaySlot,
    /// PC not 4-byte aligned.
    UnalignedPc,
    /// A syscall number cannon64 does not implement.
    UnknownSyscall(u64),
    /// A preimage read at or past the end of the preimage.
    PreimageOutOfBounds,
    /// The active thread stack is empty.
    EmptyThreadStack,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::InvalidInstruction => f.write_str("invalid instruction"),
            Fault::DivideByZero => f.write_str("instruction divide by zero"),
            Fault::BranchInDelaySlot => f.write_str("branch in delay slot"),
            Fault::JumpInDelaySlot => f.write_str("jump in delay slot"),
            Fault::UnalignedPc => f.write_str("invalid pc (not 4-byte aligned)"),
            Fault::UnknownSyscall(n) => write!(f, "unrecognized syscall: {n}"),
            Fault::PreimageOutOfBounds => f.write_str("preimage offset out-of-bounds"),
            Fault::EmptyThreadStack => f.write_str("active thread stack is empty"),
        }
    }
}

/// An invalid transition with its location: the step that was being executed (the pre-state
/// step), the PC and the instruction word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("invalid transition at step {step}, pc 0x{pc:x}, insn 0x{insn:08x}: {fault}")]
pub struct VmFault {
    /// What went wrong.
    pub fault: Fault,
    /// Pre-state step of the failing transition.
    pub step: u64,
    /// PC of the failing instruction.
    pub pc: u64,
    /// The instruction word at PC (0 when it could not be fetched).
    pub insn: u32,
}

/// Host-side failures.
#[derive(Debug, Error)]
pub enum Error {
    /// The guest made an invalid transition.
    #[error(transparent)]
    Fault(#[from] VmFault),
    /// An I/O error with context.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A malformed or unsupported input (ELF, state file, argument).
    #[error("{0}")]
    Invalid(String),
    /// The preimage oracle failed (host died, bad frame, missing preimage).
    #[error("preimage oracle: {0}")]
    Oracle(String),
}

impl Error {
    /// Builds an [`Error::Io`].
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
    /// Builds an [`Error::Invalid`].
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
