//! State versions (cannon-spec §1). A version names a state encoding and a set of behaviours; the
//! behaviour differences are the named predicates below, never inline comparisons of version numbers.

use std::fmt;

/// The state versions cannonball executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VmVersion {
    /// `singlethreaded-2` (version 2): 32-bit, single-threaded, `MIPS.sol` 1.2.1 / 1.3.0.
    SingleThreaded2,
    /// `multithreaded64-4` (version 7): cannon64 as deployed in op-contracts v4.0.0.
    MultiThreaded64V4,
    /// `multithreaded64-5` (version 8): cannon64 with working getrandom; production.
    MultiThreaded64V5,
}

impl VmVersion {
    /// Every supported version, newest first.
    pub const ALL: [VmVersion; 3] = [
        VmVersion::MultiThreaded64V5,
        VmVersion::MultiThreaded64V4,
        VmVersion::SingleThreaded2,
    ];

    /// The version byte at the start of a binary state file.
    pub fn byte(self) -> u8 {
        match self {
            VmVersion::SingleThreaded2 => 2,
            VmVersion::MultiThreaded64V4 => 7,
            VmVersion::MultiThreaded64V5 => 8,
        }
    }

    /// The `--type` name used by Cannon's `load-elf`.
    pub fn name(self) -> &'static str {
        match self {
            VmVersion::SingleThreaded2 => "singlethreaded-2",
            VmVersion::MultiThreaded64V4 => "multithreaded64-4",
            VmVersion::MultiThreaded64V5 => "multithreaded64-5",
        }
    }

    /// Looks a version up by its state-file byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.byte() == b)
    }

    /// Looks a version up by its `--type` name (also accepts the bare number).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == s || v.byte().to_string() == s)
    }

    /// 64-bit multithreaded (cannon64) versus 32-bit single-threaded.
    pub fn is_multithreaded64(self) -> bool {
        !matches!(self, VmVersion::SingleThreaded2)
    }

    /// Syscall errors return `$v0 = errno, $a3 = -1` (cannon64 v7+, June 2025 audit fixes, PRs
    /// 16341/16346/16384) instead of the old `$v0 = -1, $a3 = errno` (cannon-spec §7.1).
    pub fn syscall_errno_in_v0(self) -> bool {
        self.is_multithreaded64()
    }

    /// `getrandom` fills memory with splitmix64(step) (v8, `featuresForVersion`:
    /// `supportWorkingSysGetRandom`); v7 treats it as a no-op (cannon-spec §7.6).
    pub fn working_getrandom(self) -> bool {
        matches!(self, VmVersion::MultiThreaded64V5)
    }

    /// `fcntl(F_GETFD)` is supported (versions ≥ 2, cannon-spec §7.2).
    pub fn fcntl_getfd(self) -> bool {
        true
    }

    /// `dclz`/`dclo`, `eventfd2` (fd 100) and the `mprotect` no-op exist (cannon64 v7+; made
    /// unconditional upstream in #17167).
    pub fn go123_support(self) -> bool {
        self.is_multithreaded64()
    }
}

impl fmt::Display for VmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
