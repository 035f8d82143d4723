//! `cannonball serve-preimages`: the host side of the oracle protocol (cannon-spec §8.5), serving
//! preimage files from a directory. It is what op-program's `--server` mode is to Cannon: started
//! by `run ... -- cannonball serve-preimages --dir DIR`, it reads hint frames on fd 3 and acks
//! them on fd 4, and reads 32-byte keys on fd 5 and answers `u64 length ++ data` on fd 6.

use interp::oracle::wire::{self, ServeError};
use interp::{Error, Result};
use std::fs::File;
use std::os::fd::FromRawFd;
use std::path::Path;

/// Takes ownership of an inherited descriptor, if it is open.
fn inherited(fd: i32) -> Result<File> {
    // SAFETY: F_GETFD only queries the descriptor.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(Error::invalid(format!(
            "fd {fd} is not open: serve-preimages must be started by `cannonball run` or `cannon run` as the command after `--`"
        )));
    }
    // SAFETY: the descriptor is open and nothing else in this process owns it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Serves `dir` until the client closes the pipes. `exit_after` / `stall_after` simulate a host
/// that dies or hangs after that many preimage answers (for fault-injection tests).
pub fn serve(dir: &Path, exit_after: Option<u64>, stall_after: Option<u64>) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::invalid(format!(
            "preimage directory {} does not exist",
            dir.display()
        )));
    }
    let mut hint_r = inherited(3)?;
    let mut hint_w = inherited(4)?;
    let mut pre_r = inherited(5)?;
    let mut pre_w = inherited(6)?;
    // hints on their own thread: the client may block on either channel
    let hints = std::thread::spawn(move || wire::serve_hints(&mut hint_r, &mut hint_w).1);
    let mut served = 0u64;
    let (_, r) = wire::serve_preimages(&mut pre_r, &mut pre_w, |key| {
        if exit_after.is_some_and(|n| served >= n) {
            tracing::info!("serve-preimages: exiting after {served} preimages (--exit-after)");
            std::process::exit(3);
        }
        if stall_after.is_some_and(|n| served >= n) {
            tracing::info!("serve-preimages: stalling after {served} preimages (--stall-after)");
            loop {
                std::thread::park();
            }
        }
        let name = interp::files::to_hex(key);
        let data = std::fs::read(dir.join(&name)).map_err(|e| {
            Error::io(
                format!("serve-preimages: no preimage {name} in {}", dir.display()),
                e,
            )
        })?;
        served += 1;
        Ok(data)
    });
    match r {
        Ok(_) => {}
        Err(ServeError::Lookup(e)) => return Err(e),
        Err(ServeError::Read(e)) => return Err(Error::io("reading a preimage request", e)),
        Err(ServeError::Write(e)) => return Err(Error::io("answering a preimage request", e)),
    }
    drop(pre_w);
    match hints.join() {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(ServeError::Read(e) | ServeError::Write(e) | ServeError::Lookup(e))) => {
            Err(Error::io("serving hints", e))
        }
        Err(_) => Err(Error::invalid("the hint thread failed")),
    }
}
