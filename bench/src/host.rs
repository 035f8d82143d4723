//! Runs a guest as a measured subprocess: wall time, exit status and peak resident memory (the
//! child's `ru_maxrss` from `wait4`), with the preimage oracle optionally served on fds 3..6
//! from a preimage directory, as Cannon's host does (and `fixtures/scripts/qemu_claim.py` for
//! qemu-user). Used for qemu-mips64 and for native builds of the guests, which speak the oracle
//! protocol over those descriptors directly, and for `cannonball` itself (no oracle fds).
//!
//! Guest view: fd 3 = hint acks (read), fd 4 = hint frames (write; u32 BE length + payload,
//! answered with one 0x00 byte), fd 5 = preimage data (read), fd 6 = preimage keys (write;
//! 32 bytes, answered with a u64 BE length + the bytes of `DIR/0x<hex key>`).

use interp::oracle::wire::{self, ServeError};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a measured run gave.
#[derive(Debug, Clone)]
pub struct ChildRun {
    /// Exit code, or 128 + signal number when the child was killed by a signal.
    pub code: i32,
    /// Killed by this signal.
    pub signal: Option<i32>,
    /// From spawn to reaping.
    pub wall: Duration,
    /// The child's peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Captured stderr.
    pub stderr: Vec<u8>,
    /// Hints received (oracle runs).
    pub hints: u64,
    /// Preimages served (oracle runs).
    pub preimages: u64,
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two descriptors into the array, which we then own.
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])))
    }
}

fn reader(mut f: File) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = f.read_to_end(&mut v);
        v
    })
}

fn note(slot: &Mutex<Option<String>>, msg: String) {
    slot.lock().unwrap().get_or_insert(msg);
}

/// The serving side of the oracle pipes.
struct Server {
    hints: JoinHandle<u64>,
    preimages: JoinHandle<u64>,
    error: Arc<Mutex<Option<String>>>,
}

fn serve(
    dir: PathBuf,
    pid: i32,
    (mut hint_r, mut ack_w): (File, File),
    (mut key_r, mut data_w): (File, File),
) -> Server {
    let error = Arc::new(Mutex::new(None::<String>));
    let (error_h, error_p) = (error.clone(), error.clone());
    let hints = std::thread::spawn(move || {
        let (n, r) = wire::serve_hints(&mut hint_r, &mut ack_w);
        if let Err(ServeError::Read(e)) = r {
            note(&error_h, format!("reading a hint: {e}"));
        }
        n // (a failed write: the guest is gone)
    });
    let preimages = std::thread::spawn(move || {
        let (n, r) = wire::serve_preimages(&mut key_r, &mut data_w, |key| {
            let path = dir.join(interp::files::to_hex(key));
            std::fs::read(&path).map_err(|e| format!("missing preimage {}: {e}", path.display()))
        });
        match r {
            Ok(_) | Err(ServeError::Write(_)) => {}
            Err(ServeError::Read(e)) => note(&error_p, format!("reading a preimage key: {e}")),
            Err(ServeError::Lookup(msg)) => {
                note(&error_p, msg);
                // the guest waits for the answer, so it is alive (not reaped): stop it
                // SAFETY: kill has no memory effects on this process.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        n
    });
    Server {
        hints,
        preimages,
        error,
    }
}

/// Runs `cmd` to completion (stdin from /dev/null, stdout and stderr captured) and measures it.
/// With `oracle = Some(dir)`, the child gets the oracle pipes on fds 3..6, served from `dir`.
pub fn run_measured(mut cmd: Command, oracle: Option<&Path>) -> std::io::Result<ChildRun> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let pipes = match oracle {
        Some(_) => {
            let (ack_r, ack_w) = pipe()?; // guest fd 3 <- host
            let (hint_r, hint_w) = pipe()?; // guest fd 4 -> host
            let (data_r, data_w) = pipe()?; // guest fd 5 <- host
            let (key_r, key_w) = pipe()?; // guest fd 6 -> host
            let child_fds = [
                ack_r.as_raw_fd(),
                hint_w.as_raw_fd(),
                data_r.as_raw_fd(),
                key_w.as_raw_fd(),
            ];
            interp::oracle::place_oracle_fds(&mut cmd, child_fds);
            Some((
                [ack_r, hint_w, data_r, key_w],
                (hint_r, ack_w),
                (key_r, data_w),
            ))
        }
        None => None,
    };
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id() as i32;
    let server = pipes.map(|(child_ends, hint, key)| {
        drop(child_ends); // the guest's ends live in the child only
        serve(
            oracle.expect("oracle dir").to_path_buf(),
            pid,
            (File::from(hint.0), File::from(hint.1)),
            (File::from(key.0), File::from(key.1)),
        )
    });
    let out = reader(File::from(OwnedFd::from(
        child.stdout.take().expect("piped"),
    )));
    let err = reader(File::from(OwnedFd::from(
        child.stderr.take().expect("piped"),
    )));
    let mut status = 0i32;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        // SAFETY: `pid` is our unreaped child; status and usage point to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = start.elapsed();
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // `child` is reaped: dropping it neither waits nor kills.
    drop(child);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let (mut hints, mut preimages) = (0, 0);
    if let Some(s) = server {
        hints = s.hints.join().unwrap_or(0);
        preimages = s.preimages.join().unwrap_or(0);
        if let Some(e) = s.error.lock().unwrap().take() {
            return Err(std::io::Error::other(format!("preimage host: {e}")));
        }
    }
    let (code, signal) = if libc::WIFEXITED(status) {
        (libc::WEXITSTATUS(status), None)
    } else {
        let sig = libc::WTERMSIG(status);
        (128 + sig, Some(sig))
    };
    Ok(ChildRun {
        code,
        signal,
        wall,
        max_rss_kib: usage.ru_maxrss as u64,
        stdout,
        stderr,
        hints,
        preimages,
    })
}
