//! The preimage oracle (cannon-spec §8): where the VM gets preimages and sends hints.
//!
//! Two sources sit behind [`PreimageSource`]: [`HostProcess`], a server started from the command
//! line after `--` and spoken to over fds 3-6 with op-program's `--server` protocol (§8.5), and
//! [`DirSource`], an in-process store that serves files named `0x<64 hex key>` from a directory.
//! [`Oracle`] adds Go Cannon's one-entry cache and the length-prefixed read window.

pub mod wire;

use crate::error::{Error, Result};
use alloy_primitives::B256;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A provider of preimages.
pub trait PreimageSource: Send {
    /// Delivers one hint (without its length prefix) and waits for it to be processed.
    fn hint(&mut self, hint: &[u8]) -> Result<()>;
    /// Fetches the preimage of `key` (without the length prefix).
    fn get(&mut self, key: &B256) -> Result<Vec<u8>>;
    /// Number of hints delivered.
    fn hints_sent(&self) -> u64 {
        0
    }
}

/// No oracle: any preimage request is an error; hints are dropped.
#[derive(Debug, Default)]
pub struct NoSource;

impl PreimageSource for NoSource {
    fn hint(&mut self, _hint: &[u8]) -> Result<()> {
        Ok(())
    }
    fn get(&mut self, key: &B256) -> Result<Vec<u8>> {
        Err(Error::Oracle(format!(
            "the guest requested preimage {key} but no preimage server was given (pass one after `--`, or --preimages DIR)"
        )))
    }
}

/// Serves preimages from files `0x<64 lowercase hex key>` in a directory; hints are recorded.
#[derive(Debug)]
pub struct DirSource {
    dir: PathBuf,
    /// Hints received, in order.
    pub hints: Vec<Vec<u8>>,
}

impl DirSource {
    /// A store over `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(Error::invalid(format!(
                "preimage directory {} does not exist",
                dir.display()
            )));
        }
        Ok(DirSource {
            dir,
            hints: Vec::new(),
        })
    }
}

impl PreimageSource for DirSource {
    fn hint(&mut self, hint: &[u8]) -> Result<()> {
        self.hints.push(hint.to_vec());
        Ok(())
    }
    fn get(&mut self, key: &B256) -> Result<Vec<u8>> {
        let path = self.dir.join(format!("{key}"));
        std::fs::read(&path).map_err(|e| {
            Error::Oracle(format!(
                "missing preimage {key} in {}: {e}",
                self.dir.display()
            ))
        })
    }
    fn hints_sent(&self) -> u64 {
        self.hints.len() as u64
    }
}

/// Preimages by key, shared between a recording pass and the replays that follow it.
pub type PreimageMap = Arc<Mutex<rustc_hash::FxHashMap<B256, Arc<[u8]>>>>;

/// Passes requests to another source and keeps every preimage it returns, so that replays of
/// the same trace can be served without the host ([`CacheSource`]).
pub struct RecordingSource {
    inner: Box<dyn PreimageSource>,
    /// What was fetched so far.
    pub seen: PreimageMap,
}

impl std::fmt::Debug for RecordingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingSource").finish()
    }
}

impl RecordingSource {
    /// Records what `inner` serves into `seen`.
    pub fn new(inner: Box<dyn PreimageSource>, seen: PreimageMap) -> Self {
        RecordingSource { inner, seen }
    }
}

impl PreimageSource for RecordingSource {
    fn hint(&mut self, hint: &[u8]) -> Result<()> {
        self.inner.hint(hint)
    }
    fn get(&mut self, key: &B256) -> Result<Vec<u8>> {
        let v = self.inner.get(key)?;
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(*key, Arc::from(v.as_slice()));
        Ok(v)
    }
    fn hints_sent(&self) -> u64 {
        self.inner.hints_sent()
    }
}

/// Serves preimages recorded by a [`RecordingSource`]; hints are dropped (a replay of a recorded
/// trace asks only for preimages the recording saw).
#[derive(Debug, Clone)]
pub struct CacheSource {
    map: PreimageMap,
}

impl CacheSource {
    /// Serves from `map`.
    pub fn new(map: PreimageMap) -> Self {
        CacheSource { map }
    }
}

impl PreimageSource for CacheSource {
    fn hint(&mut self, _hint: &[u8]) -> Result<()> {
        Ok(())
    }
    fn get(&mut self, key: &B256) -> Result<Vec<u8>> {
        let m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key).map(|v| v.to_vec()).ok_or_else(|| {
            Error::Oracle(format!(
                "preimage {key} was not seen by the recording pass (the replay diverged from it)"
            ))
        })
    }
}

/// A preimage server process speaking op-program's `--server` protocol on fds 3-6.
pub struct HostProcess {
    child: Child,
    hint_w: File,
    hint_r: File,
    pre_w: File,
    pre_r: File,
    name: String,
    hints: u64,
    /// Longest wait for any one answer of the server (`None`: wait forever).
    timeout: Option<Duration>,
}

impl std::fmt::Debug for HostProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostProcess")
            .field("cmd", &self.name)
            .finish()
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a valid two-element array for pipe2 to fill.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if rc != 0 {
        return Err(Error::io(
            "creating a pipe for the preimage server",
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Makes writes to `fd` return instead of blocking when the pipe is full.
fn set_nonblocking(fd: std::os::fd::RawFd) -> Result<()> {
    // SAFETY: fcntl on a descriptor we own, with flags read from it.
    let rc = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            flags
        } else {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK)
        }
    };
    if rc < 0 {
        return Err(Error::io(
            "configuring a pipe to the preimage server",
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

/// Arranges for `fds` to become descriptors 3, 4, 5 and 6 of the child `cmd` starts (the oracle
/// channels of cannon-spec §8.5), whichever side of the protocol the child speaks.
pub fn place_oracle_fds(cmd: &mut Command, fds: [std::os::fd::RawFd; 4]) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure only calls async-signal-safe functions (fcntl, dup2, close) on
    // descriptors that are open in the child; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            // Move the sources out of the way of 3..=6 first, then place them (dup2 clears
            // close-on-exec on the copies).
            let mut high = [0i32; 4];
            for (h, &fd) in high.iter_mut().zip(fds.iter()) {
                *h = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 64);
                if *h < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for (k, &h) in high.iter().enumerate() {
                if libc::dup2(h, 3 + k as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for h in high {
                libc::close(h);
            }
            Ok(())
        });
    }
}

/// Has the child `cmd` starts killed when this process dies, however it dies (a SIGKILL from
/// op-challenger's deadline included), so a preimage server is never left running on its own.
/// The kernel sends the signal when the thread that started the child exits: servers are
/// started on the thread that runs the VM to the end.
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure only makes async-signal-safe system calls (prctl, getppid) and
    // allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // the parent may have died before the request took effect
            if libc::getppid() != parent {
                return Err(std::io::Error::other(
                    "cannonball exited while starting the server",
                ));
            }
            Ok(())
        });
    }
}

impl HostProcess {
    /// Starts `argv` with the four oracle descriptors and `NO_COLOR=1`, its stdout and stderr
    /// ours.
    pub fn spawn(argv: &[String]) -> Result<Self> {
        Self::spawn_with_stdout(argv, Stdio::inherit())
    }

    /// As [`HostProcess::spawn`], with the server's stdout going to `stdout` (a caller whose
    /// own stdout carries answers sends it elsewhere, e.g. to stderr).
    pub fn spawn_with_stdout(argv: &[String], stdout: Stdio) -> Result<Self> {
        let Some((prog, args)) = argv.split_first() else {
            return Err(Error::invalid("empty preimage server command"));
        };
        // VM -> host hints (child fd 3), host -> VM hint acks (child fd 4),
        // VM -> host keys (child fd 5), host -> VM preimages (child fd 6).
        let (hint_req_r, hint_req_w) = pipe()?;
        let (hint_ack_r, hint_ack_w) = pipe()?;
        let (pre_req_r, pre_req_w) = pipe()?;
        let (pre_res_r, pre_res_w) = pipe()?;
        let child_fds = [
            hint_req_r.as_raw_fd(),
            hint_ack_w.as_raw_fd(),
            pre_req_r.as_raw_fd(),
            pre_res_w.as_raw_fd(),
        ];
        let mut cmd = Command::new(prog);
        cmd.args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::inherit());
        place_oracle_fds(&mut cmd, child_fds);
        die_with_parent(&mut cmd);
        let child = cmd
            .spawn()
            .map_err(|e| Error::Oracle(format!("cannot start preimage server {prog:?}: {e}")))?;
        drop((hint_req_r, hint_ack_w, pre_req_r, pre_res_w));
        // our request ends do not block, so a server that stops reading cannot hold a write
        for fd in [&hint_req_w, &pre_req_w] {
            set_nonblocking(fd.as_raw_fd())?;
        }
        Ok(HostProcess {
            child,
            hint_w: File::from(hint_req_w),
            hint_r: File::from(hint_ack_r),
            pre_w: File::from(pre_req_w),
            pre_r: File::from(pre_res_r),
            name: prog.clone(),
            hints: 0,
            timeout: None,
        })
    }

    /// Gives up on an answer (hint ack or preimage) that takes longer than `t`.
    pub fn with_timeout(mut self, t: Option<Duration>) -> Self {
        self.timeout = t;
        self
    }

    /// `read_exact` on one of the server's pipes, bounded as [`transfer`] says: the server may
    /// never answer.
    fn read_answer(&mut self, which: Pipe, buf: &mut [u8]) -> std::io::Result<()> {
        let f = match which {
            Pipe::HintAck => &mut self.hint_r,
            Pipe::Preimage => &mut self.pre_r,
        };
        let fd = f.as_raw_fd();
        let eof = std::io::ErrorKind::UnexpectedEof;
        transfer(fd, libc::POLLIN, self.timeout, buf.len(), eof, |done| {
            f.read(&mut buf[done..])
        })
    }

    /// `write_all` to one of the server's request pipes (non-blocking), bounded as [`transfer`]
    /// says: a server that stops reading cannot hold us forever.
    fn send(&mut self, which: Pipe, bytes: &[u8]) -> std::io::Result<()> {
        let f = match which {
            Pipe::HintAck => &mut self.hint_w,
            Pipe::Preimage => &mut self.pre_w,
        };
        let fd = f.as_raw_fd();
        let zero = std::io::ErrorKind::WriteZero;
        transfer(fd, libc::POLLOUT, self.timeout, bytes.len(), zero, |done| {
            f.write(&bytes[done..])
        })
    }

    fn died(&mut self, what: &str, e: impl std::fmt::Display) -> Error {
        if crate::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
            return Error::Oracle(format!("preimage server: {what}: {e}"));
        }
        // a closed pipe usually means the server is exiting: give it a moment to be reaped, so
        // the error says how it ended
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break format!(" (server exited: {s})"),
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                _ => break String::new(),
            }
        };
        Error::Oracle(format!("preimage server: {what}: {e}{status}"))
    }
}

/// Longest a wait on the preimage server goes without checking for an interruption.
pub const WAIT_SLICE: Duration = Duration::from_millis(50);

/// Moves `len` bytes through `fd` with `op(done)` (a read or write of what is left after the
/// first `done` bytes), waiting for `events` before each call: fails after `timeout`, within
/// [`WAIT_SLICE`] of an interruption ([`crate::INTERRUPTED`]), or with `stalled` when `op`
/// moves nothing (end of file, or a write of zero bytes).
fn transfer(
    fd: std::os::fd::RawFd,
    events: libc::c_short,
    timeout: Option<Duration>,
    len: usize,
    stalled: std::io::ErrorKind,
    mut op: impl FnMut(usize) -> std::io::Result<usize>,
) -> std::io::Result<()> {
    let deadline = timeout.map(|t| (Instant::now() + t, t));
    let mut done = 0;
    while done < len {
        if !wait_ready(fd, events, deadline)? {
            continue;
        }
        match op(done) {
            Ok(0) => return Err(stalled.into()),
            Ok(n) => done += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Waits up to [`WAIT_SLICE`] for `fd` to be ready for `events`: `Ok(true)` when it is,
/// `Ok(false)` when the slice passed (wait again), an error once `deadline` (and the timeout it
/// came from) has passed or the process was interrupted ([`crate::INTERRUPTED`]).
fn wait_ready(
    fd: std::os::fd::RawFd,
    events: libc::c_short,
    deadline: Option<(Instant, Duration)>,
) -> std::io::Result<bool> {
    if crate::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(std::io::Error::other(
            "interrupted by a signal while waiting",
        ));
    }
    let slice = match deadline {
        None => WAIT_SLICE,
        Some((d, t)) => {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer within {}s (--preimage-timeout)", t.as_secs_f64()),
                ));
            }
            left.min(WAIT_SLICE)
        }
    };
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // (at least 1 ms: a sub-millisecond remainder must not become a busy poll)
    let ms = slice.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: `pfd` is one valid pollfd for the duration of the call.
    let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
    if rc < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    Ok(rc > 0)
}

/// The server's pipe pairs: hints and their acks, preimage requests and their answers.
#[derive(Clone, Copy)]
enum Pipe {
    HintAck,
    Preimage,
}

impl PreimageSource for HostProcess {
    fn hint(&mut self, hint: &[u8]) -> Result<()> {
        if let Err(e) = self.send(Pipe::HintAck, &wire::hint_frame(hint)) {
            return Err(self.died("sending a hint to the preimage server", e));
        }
        let mut ack = [0u8; 1];
        if let Err(e) = self.read_answer(Pipe::HintAck, &mut ack) {
            return Err(self.died("waiting for the preimage server's hint ack", e));
        }
        self.hints += 1;
        Ok(())
    }

    fn get(&mut self, key: &B256) -> Result<Vec<u8>> {
        if let Err(e) = self.send(Pipe::Preimage, key.as_slice()) {
            return Err(self.died("sending a preimage request", e));
        }
        let mut len = [0u8; 8];
        if let Err(e) = self.read_answer(Pipe::Preimage, &mut len) {
            return Err(self.died(&format!("reading the length of preimage {key}"), e));
        }
        let n = u64::from_be_bytes(len);
        if n > 1 << 32 {
            return Err(Error::Oracle(format!(
                "preimage server sent an implausible length {n} for {key}"
            )));
        }
        let mut data = vec![0u8; n as usize];
        if let Err(e) = self.read_answer(Pipe::Preimage, &mut data) {
            return Err(self.died(&format!("reading preimage {key} ({n} bytes)"), e));
        }
        Ok(data)
    }

    fn hints_sent(&self) -> u64 {
        self.hints
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        // Close our ends (assigning drops the pipe handles, so the server sees EOF and exits),
        // then give it a moment before killing it.
        if let Ok(null) = File::open("/dev/null") {
            for f in [
                &mut self.hint_w,
                &mut self.hint_r,
                &mut self.pre_w,
                &mut self.pre_r,
            ] {
                if let Ok(n) = null.try_clone() {
                    *f = n;
                }
            }
        }
        // (an interrupted run does not wait for a server that may be stuck)
        let grace = if crate::INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed) {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(5)
        };
        let deadline = Instant::now() + grace;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if Instant::now() >= deadline => break,
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a preimage read returned, for proofs and statistics.
#[derive(Debug, Clone)]
pub struct PreimageRead {
    /// The key (un-localized, as in the state).
    pub key: B256,
    /// The full preimage with its 8-byte length prefix.
    pub value: Vec<u8>,
    /// The offset read from.
    pub offset: u64,
}

/// Go Cannon's oracle front: caches the last preimage and serves 32-byte windows of
/// `length prefix ++ preimage`.
pub struct Oracle {
    src: Box<dyn PreimageSource>,
    key: Option<B256>,
    data: Vec<u8>,
    /// Number of preimages fetched from the source.
    pub requests: u64,
    /// Bytes fetched (with prefixes).
    pub total_size: u64,
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oracle").field("key", &self.key).finish()
    }
}

impl Oracle {
    /// Wraps a source.
    pub fn new(src: Box<dyn PreimageSource>) -> Self {
        Oracle {
            src,
            key: None,
            data: Vec::new(),
            requests: 0,
            total_size: 0,
        }
    }

    /// An oracle that has no preimages.
    pub fn none() -> Self {
        Self::new(Box::new(NoSource))
    }

    /// The source behind this oracle.
    pub fn into_source(self) -> Box<dyn PreimageSource> {
        self.src
    }

    /// Sends a hint.
    pub fn hint(&mut self, hint: &[u8]) -> Result<()> {
        self.src.hint(hint)
    }

    /// Number of hints delivered.
    pub fn hints_sent(&self) -> u64 {
        self.src.hints_sent()
    }

    /// The prefixed preimage of `key` (fetched unless cached).
    pub fn prefixed(&mut self, key: &B256) -> Result<&[u8]> {
        if self.key != Some(*key) {
            let raw = self.src.get(key)?;
            let mut data = Vec::with_capacity(8 + raw.len());
            data.extend_from_slice(&(raw.len() as u64).to_be_bytes());
            data.extend_from_slice(&raw);
            self.requests += 1;
            self.total_size += data.len() as u64;
            self.data = data;
            self.key = Some(*key);
        }
        Ok(&self.data)
    }
}
