//! Reading and writing state files, proofs and metadata. Every output is written to a temporary
//! file in the target directory, flushed, fsynced and renamed into place, so an interrupted run
//! never leaves a half-written file. Gzip is used when the name ends in `.gz`; inputs are
//! recognised as gzip by their magic bytes.

use crate::error::{Error, Result};
use crate::state::State;
use crate::vm::StepWitness;
use alloy_primitives::B256;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::Serialize;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Opens `path` for reading, transparently gunzipping it.
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn Read>> {
    let f =
        File::open(path).map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    let head = {
        use std::io::BufRead;
        r.fill_buf()
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?
            .get(..2)
            .map(|h| h == [0x1f, 0x8b])
            .unwrap_or(false)
    };
    if head {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(r),
        )))
    } else {
        Ok(Box::new(r))
    }
}

/// Length and CRC-32 of the bytes passed through a reader or writer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    /// Byte count.
    pub len: u64,
    /// CRC-32 (IEEE) of the bytes.
    pub crc: u32,
}

struct Tally<T> {
    inner: T,
    len: u64,
    crc: crc32fast::Hasher,
}

impl<T> Tally<T> {
    fn new(inner: T) -> Self {
        Tally {
            inner,
            len: 0,
            crc: crc32fast::Hasher::new(),
        }
    }
    fn digest(&self) -> Digest {
        Digest {
            len: self.len,
            crc: self.crc.clone().finalize(),
        }
    }
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Reads a binary state file (`.bin` or `.bin.gz`), detecting the version from its first byte.
/// A valid tree sidecar beside it ([`tree_sidecar_path`]) supplies the memory's page hashes.
pub fn read_state(path: &Path) -> Result<State> {
    let name = path.to_string_lossy();
    if name.ends_with(".json") || name.ends_with(".json.gz") {
        return Err(Error::invalid(format!(
            "{name}: JSON states (version 0) are not supported; use a .bin or .bin.gz state"
        )));
    }
    let mut r = Tally::new(open_maybe_gz(path)?);
    let mut state = State::deserialize(&mut r).map_err(|e| match e {
        Error::Invalid(m) => Error::invalid(format!("{}: {m}", path.display())),
        other => other,
    })?;
    let side = tree_sidecar_path(path);
    if side.exists() {
        if let Err(why) = load_tree_sidecar(&side, r.digest(), &mut state) {
            tracing::warn!("ignoring tree sidecar {}: {why}", side.display());
        }
    }
    Ok(state)
}

/// Where the tree sidecar of a state file lives: `<path>.tree`.
pub fn tree_sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tree");
    PathBuf::from(s)
}

const TREE_MAGIC: &[u8; 8] = b"CBTREE01";

/// Tree sidecar: `CBTREE01`, the length (u64) and CRC-32 (u32, then 4 zero bytes) of the state
/// encoding it belongs to (uncompressed), the page count (u64), each page's index (u64) and
/// hash (32 bytes) ascending, then the memory root. All integers big-endian.
fn load_tree_sidecar(
    path: &Path,
    digest: Digest,
    state: &mut State,
) -> std::result::Result<(), String> {
    let b = std::fs::read(path).map_err(|e| e.to_string())?;
    let fixed = 8 + 8 + 8 + 8;
    if b.len() < fixed + 32 || &b[..8] != TREE_MAGIC {
        return Err("not a tree sidecar".into());
    }
    let u64_at = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().expect("8 bytes"));
    let len = u64_at(8);
    let crc = u32::from_be_bytes(b[16..20].try_into().expect("4 bytes"));
    if (Digest { len, crc }) != digest {
        return Err("it belongs to other state contents (stale)".into());
    }
    // checked: a page count chosen so that the size wraps must not pass (and then make the
    // collect below allocate without bound)
    let n = u64_at(24);
    let size = n
        .checked_mul(40)
        .and_then(|x| x.checked_add(fixed as u64 + 32));
    if size != Some(b.len() as u64) {
        return Err("truncated or malformed".into());
    }
    let n = n as usize;
    let hashes: Vec<(u64, B256)> = (0..n)
        .map(|k| {
            let o = fixed + 40 * k;
            (u64_at(o), B256::from_slice(&b[o + 8..o + 40]))
        })
        .collect();
    let root = B256::from_slice(&b[b.len() - 32..]);
    if state.memory_mut().install_page_hashes(&hashes, &root) {
        Ok(())
    } else {
        Err("its page hashes do not fit the state's pages".into())
    }
}

/// Writes a state file atomically and, if `tree` is set, its tree sidecar after it (so that a
/// sidecar never describes a state file that is not there yet).
pub fn write_state_with_tree(path: &Path, state: &mut State, tree: bool) -> Result<()> {
    if path.as_os_str() == "-" {
        return write_state(path, state);
    }
    if !tree {
        write_state(path, state)?;
        // a sidecar of an earlier state of this name would only be found stale
        let _ = std::fs::remove_file(tree_sidecar_path(path));
        return Ok(());
    }
    let mut digest = Digest::default();
    write_atomic(path, |w| {
        let mut t = Tally::new(w);
        state.serialize(&mut t)?;
        digest = t.digest();
        Ok(())
    })?;
    let hashes = state.memory_mut().page_hashes();
    let root = state.memory_mut().root();
    write_atomic(&tree_sidecar_path(path), |w| {
        w.write_all(TREE_MAGIC)?;
        w.write_all(&digest.len.to_be_bytes())?;
        w.write_all(&digest.crc.to_be_bytes())?;
        w.write_all(&[0u8; 4])?;
        w.write_all(&(hashes.len() as u64).to_be_bytes())?;
        for (i, h) in &hashes {
            w.write_all(&i.to_be_bytes())?;
            w.write_all(h.as_slice())?;
        }
        w.write_all(root.as_slice())
    })
}

/// Writes `path` atomically: `write` fills a temporary file next to it (gzip-compressed if the
/// name ends in `.gz`), which is then fsynced and renamed over `path`. `-` writes to stdout.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let ctx = |e: std::io::Error| Error::io(format!("cannot write {}", path.display()), e);
    let gz = path.to_string_lossy().ends_with(".gz");
    if path.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        write(&mut lock).map_err(ctx)?;
        return lock.flush().map_err(ctx);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} is not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let f = File::create(&tmp)?;
        let mut bw = BufWriter::with_capacity(1 << 16, f);
        if gz {
            let fd = bw.get_ref().as_raw_fd();
            let mut enc = ParGzWriter::new(&mut bw, fd);
            write(&mut enc)?;
            enc.finish()?;
        } else {
            write(&mut bw)?;
        }
        let f = bw.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(ctx(e));
    }
    Ok(())
}

/// Gzip compression on all cores: the stream is cut into 4 MiB chunks, each compressed as its
/// own gzip member (concatenated members are one valid gzip file, which Go's `gzip.Reader`,
/// Python's `gzip` and [`open_maybe_gz`] read as a single stream). Chunks are compressed a batch
/// at a time, so memory stays bounded however large the state.
struct ParGzWriter<W: Write> {
    out: W,
    /// The file behind `out`, whose write-back is started after every batch so that the final
    /// fsync does not wait for the whole file.
    fd: std::os::fd::RawFd,
    buf: Vec<u8>,
    pending: Vec<Vec<u8>>,
    wrote_member: bool,
}

const GZ_CHUNK: usize = 4 << 20;

/// True if a 64 KiB sample from the middle of `chunk` does not shrink by 2% at level 1 (pages of
/// hashes, random bytes, already compressed data).
fn incompressible(chunk: &[u8]) -> bool {
    const SAMPLE: usize = 64 << 10;
    if chunk.len() < 4 * SAMPLE {
        return false;
    }
    let mid = chunk.len() / 2 - SAMPLE / 2;
    let mut e = flate2::write::DeflateEncoder::new(Vec::with_capacity(SAMPLE), Compression::fast());
    match e
        .write_all(&chunk[mid..mid + SAMPLE])
        .and_then(|()| e.finish())
    {
        Ok(v) => v.len() * 50 >= SAMPLE * 49,
        Err(_) => false,
    }
}

/// One gzip member (RFC 1952) holding `data` in deflate stored blocks (RFC 1951 §3.2.4): a copy
/// plus 5 bytes per 64 KiB. flate2's level 0 still runs its compressor over the data (about
/// 175 MB/s here), which is what the caller avoids for incompressible chunks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    const MAX: usize = 0xFFFF;
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX * 5 + 32);
    // magic, CM = deflate, no flags, mtime 0, XFL 0, OS 255 (unknown)
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    let mut blocks = data.chunks(MAX).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]); // one empty final block
    }
    while let Some(b) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none())); // BFINAL, BTYPE = 00
        let len = b.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(b);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

impl<W: Write> ParGzWriter<W> {
    fn new(out: W, fd: std::os::fd::RawFd) -> Self {
        ParGzWriter {
            out,
            fd,
            buf: Vec::with_capacity(GZ_CHUNK),
            pending: Vec::new(),
            wrote_member: false,
        }
    }

    fn compress_pending(&mut self) -> std::io::Result<()> {
        use rayon::prelude::*;
        let members: Vec<std::io::Result<Vec<u8>>> = self
            .pending
            .par_iter()
            .map(|chunk| {
                if incompressible(chunk) {
                    return Ok(gzip_stored(chunk));
                }
                let mut e =
                    GzEncoder::new(Vec::with_capacity(chunk.len() / 2), Compression::fast());
                e.write_all(chunk)?;
                e.finish()
            })
            .collect();
        self.pending.clear();
        for m in members {
            self.out.write_all(&m?)?;
            self.wrote_member = true;
        }
        self.out.flush()?;
        // SAFETY: sync_file_range only starts write-back of the open file's dirty pages.
        unsafe {
            libc::sync_file_range(self.fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() || !self.wrote_member {
            self.pending.push(std::mem::take(&mut self.buf));
        }
        self.compress_pending()?;
        self.out.flush()
    }
}

impl<W: Write> Write for ParGzWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(GZ_CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == GZ_CHUNK {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(GZ_CHUNK));
            self.pending.push(full);
            if self.pending.len() >= 2 * rayon::current_num_threads() {
                self.compress_pending()?;
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes a state file atomically.
pub fn write_state(path: &Path, state: &State) -> Result<()> {
    write_atomic(path, |w| state.serialize(w))
}

/// Writes JSON (2-space indentation, as Go's `jsonutil.WriteJSON`) atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("0x");
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

/// The proof JSON of `cannon run --proof-at` (cannon-spec §4.3; field order as Go's `Proof`).
#[derive(Debug, Serialize)]
pub struct ProofJson {
    /// Pre-state step.
    pub step: u64,
    /// Pre-state hash.
    pub pre: String,
    /// Post-state hash.
    pub post: String,
    /// Pre-state witness.
    #[serde(rename = "state-data")]
    pub state_data: String,
    /// Proof data.
    #[serde(rename = "proof-data")]
    pub proof_data: String,
    /// Preimage key of a fd-5 read.
    #[serde(rename = "oracle-key", skip_serializing_if = "Option::is_none")]
    pub oracle_key: Option<String>,
    /// Preimage with length prefix.
    #[serde(rename = "oracle-value", skip_serializing_if = "Option::is_none")]
    pub oracle_value: Option<String>,
    /// Offset of the read (omitted when 0).
    #[serde(rename = "oracle-offset", skip_serializing_if = "is_zero")]
    pub oracle_offset: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl From<&StepWitness> for ProofJson {
    fn from(w: &StepWitness) -> Self {
        ProofJson {
            step: w.step,
            pre: w.pre.to_string(),
            post: w.post.to_string(),
            state_data: hex(&w.state_data),
            proof_data: hex(&w.proof_data),
            oracle_key: w.preimage.as_ref().map(|p| p.key.to_string()),
            oracle_value: w.preimage.as_ref().map(|p| hex(&p.value)),
            oracle_offset: w.preimage.as_ref().map(|p| p.offset).unwrap_or(0),
        }
    }
}

/// `cannon witness` output.
#[derive(Debug, Serialize)]
pub struct WitnessJson {
    /// State version.
    #[serde(rename = "stateVersion")]
    pub state_version: u8,
    /// State hash.
    #[serde(rename = "witnessHash")]
    pub witness_hash: String,
    /// Witness bytes.
    pub witness: String,
    /// Step.
    pub step: u64,
    /// Exited.
    pub exited: bool,
    /// Exit code.
    #[serde(rename = "exitCode")]
    pub exit_code: u8,
}

impl WitnessJson {
    /// The witness of a state.
    pub fn of(state: &mut State) -> Self {
        let w = state.witness();
        let h = crate::state::state_hash(&w, state.exited(), state.exit_code());
        WitnessJson {
            state_version: state.version().byte(),
            witness_hash: h.to_string(),
            witness: hex(&w),
            step: state.step(),
            exited: state.exited(),
            exit_code: state.exit_code(),
        }
    }
}

/// Lowercase 0x-hex of bytes.
pub fn to_hex(b: &[u8]) -> String {
    hex(b)
}

/// Removes the temporary files that [`write_atomic`] left in `dir` when its process died before
/// renaming them (a SIGKILL mid-write: op-challenger kills a VM that runs past its deadline).
/// Only this user's files named like ours (`.NAME.PID.tmp`) whose process no longer exists
/// are removed; files of live processes, including other runs writing now, are kept. Returns
/// how many were removed. Errors are ignored: this is housekeeping.
pub fn remove_stale_temps(dir: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mut removed = 0;
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = temp_owner(&name.to_string_lossy()) else {
            continue;
        };
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() || meta.uid() != me || process_alive(pid) {
            continue;
        }
        if std::fs::remove_file(e.path()).is_ok() {
            tracing::info!(file = %e.path().display(), pid, "removed a stale temporary file of a dead process");
            removed += 1;
        }
    }
    removed
}

/// The PID in a temporary file name `.NAME.PID.tmp` (see [`write_atomic`]).
fn temp_owner(name: &str) -> Option<i32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (file, pid) = rest.rsplit_once('.')?;
    if file.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok().filter(|&p| p > 0)
}

/// True unless `pid` certainly names no process (a process of another user counts as alive).
fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_give_their_writer() {
        assert_eq!(temp_owner(".5.bin.gz.1234.tmp"), Some(1234));
        assert_eq!(temp_owner(".final.json.7.tmp"), Some(7));
        for n in [
            ".x.tmp",
            "5.bin.gz.1234.tmp",
            ".5.bin.gz.12a.tmp",
            "..0.tmp",
            ".a.0.tmp",
            ".a.1.tmpx",
        ] {
            assert_eq!(temp_owner(n), None, "{n}");
        }
    }

    #[test]
    fn parallel_gzip_round_trips_compressible_and_incompressible_chunks() {
        let dir = std::env::temp_dir().join(format!("cb-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.gz");
        // random chunks (stored), zeros (deflated), a short tail, and an empty file
        let mut data = Vec::new();
        let mut x = 5u64;
        for _ in 0..(GZ_CHUNK * 5 / 2 / 8) {
            x = crate::vm::splitmix64(x);
            data.extend_from_slice(&x.to_be_bytes());
        }
        data.extend(std::iter::repeat_n(0u8, GZ_CHUNK * 3 + 1234));
        assert!(incompressible(&data[..GZ_CHUNK]));
        assert!(!incompressible(&data[data.len() - GZ_CHUNK..]));
        for d in [&data[..], &data[..77], &[][..]] {
            write_atomic(&path, |w| w.write_all(d)).unwrap();
            let mut back = Vec::new();
            open_maybe_gz(&path)
                .unwrap()
                .read_to_end(&mut back)
                .unwrap();
            assert!(back == d, "round trip of {} bytes", d.len());
        }
        // a stored member on its own is a valid gzip stream with its CRC and size
        let mut back = Vec::new();
        MultiGzDecoder::new(&gzip_stored(&data[..200_000])[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(&back[..], &data[..200_000]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
