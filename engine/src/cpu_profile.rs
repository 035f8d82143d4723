//! `run --pprof.cpu`: a CPU profile of cannonball itself (where the host spends its time:
//! compiled code, the interpreter, the compile thread, hashing), sampled with the `pprof` crate
//! and written as cannon writes its own: `cpu.pprof` in the working directory, a gzipped
//! protobuf `go tool pprof` reads. Profiles of the guest program are `--profile`'s job.

use interp::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Samples per second (Go's `runtime/pprof` default, which cannon uses).
const FREQUENCY: i32 = 100;

/// A running CPU profile.
pub struct CpuProfile {
    guard: pprof::ProfilerGuard<'static>,
}

impl std::fmt::Debug for CpuProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CpuProfile")
    }
}

impl CpuProfile {
    /// Starts sampling every thread of the process.
    pub fn start() -> Result<Self> {
        let guard = pprof::ProfilerGuardBuilder::default()
            .frequency(FREQUENCY)
            // unwinding inside these is not signal safe
            .blocklist(&["libc", "libgcc", "pthread", "vdso"])
            .build()
            .map_err(|e| Error::invalid(format!("--pprof.cpu: cannot start the profiler: {e}")))?;
        Ok(CpuProfile { guard })
    }

    /// Stops sampling and writes the profile to `path` (atomically).
    pub fn finish(self, path: &Path) -> Result<()> {
        let profile = self
            .guard
            .report()
            .build()
            .and_then(|r| r.pprof())
            .map_err(|e| Error::invalid(format!("--pprof.cpu: cannot build the profile: {e}")))?;
        drop(self.guard);
        let mut bytes = Vec::new();
        pprof::protos::Message::encode(&profile, &mut bytes)
            .map_err(|e| Error::invalid(format!("--pprof.cpu: cannot encode the profile: {e}")))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&bytes)
            .and_then(|()| gz.finish())
            .map_err(|e| Error::io("compressing the CPU profile", e))
            .and_then(|z| interp::files::write_atomic(path, |f| f.write_all(&z)))?;
        tracing::info!(path = %path.display(), "wrote the CPU profile");
        Ok(())
    }
}
