//! Reading and writing state files, proofs and metadata. Every output is written to a temporary
//! file in the target directory, flushed, fsynced and renamed into place, so an interrupted run
//! never leaves a half-written file. Gzip is used when the name ends in `.gz`; inputs are
//! recognised as gzip by their magic bytes.

use crate::error::{Error, Result};
use crate::state::State;
use crate::vm::StepWitness;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::Serialize;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
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
            GzDecoder::new(r),
        )))
    } else {
        Ok(Box::new(r))
    }
}

/// Reads a binary state file (`.bin` or `.bin.gz`), detecting the version from its first byte.
pub fn read_state(path: &Path) -> Result<State> {
    let name = path.to_string_lossy();
    if name.ends_with(".json") || name.ends_with(".json.gz") {
        return Err(Error::invalid(format!(
            "{name}: JSON states (version 0) are not supported; use a .bin or .bin.gz state"
        )));
    }
    let mut r = open_maybe_gz(path)?;
    State::deserialize(&mut r).map_err(|e| match e {
        Error::Invalid(m) => Error::invalid(format!("{}: {m}", path.display())),
        other => other,
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
            let mut enc = GzEncoder::new(&mut bw, Compression::fast());
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
