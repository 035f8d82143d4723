//! The persistent code cache: translations kept on disk between runs, so that the thousands of
//! `cannon run` invocations of one dispute (every op-challenger move starts a new run on the
//! same program) compile each region once.
//!
//! * **Where.** `--jit-cache DIR`, else `CANNONBALL_JIT_CACHE`, else `$XDG_CACHE_HOME/cannonball/jit`
//!   or `~/.cache/cannonball/jit`; `off` (flag or variable) turns it off. Under it, one
//!   directory per [`key`]: a hash of everything besides the guest code that decides the
//!   machine code (this build of cannonball, Cranelift's version and settings, the host CPU's
//!   features, the word size and the context layout), so other builds and hosts never see each
//!   other's code.
//! * **What.** Packs (`*.pack`): each holds translated regions with the guest words they were
//!   translated from and their position-independent machine code (helpers, the dispatch table
//!   and every other address are reached through the context, so the bytes run wherever they
//!   are mapped). A run loads every pack, maps the code, and installs each region whose words
//!   still equal the guest's memory; at its end it writes the regions it compiled itself as
//!   one new pack (merging all packs into one when there are many). The pack also names the
//!   entries that became hot but were still waiting for the compile thread when the run ended
//!   ("wanted" entries, no code): the next run queues them for compilation as soon as it
//!   starts, instead of waiting for them to become hot again, so a cache converges in one run
//!   even when the compile thread could not keep up.
//! * **Trust.** Native code from disk is executable trust: directories are created private,
//!   and a directory or pack that is not owned by this user or is writable by others is
//!   refused with a warning. Every pack ends with a BLAKE3 hash of its contents, checked before
//!   anything in it is mapped; packs are written to a temporary file and renamed into place,
//!   so a reader never sees half a pack. Any mismatch (corrupt, truncated, foreign, other
//!   format) is ignored with a warning and the regions are compiled as usual.

use rustc_hash::FxHashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Pack file magic and format version.
const MAGIC: &[u8; 8] = b"CBJITPK3";
/// Largest pack read (bigger files are ignored with a warning).
pub const MAX_PACK_BYTES: u64 = 256 << 20;
/// Most packs kept before they are merged into one.
const MAX_PACKS: usize = 8;
/// Most bytes of code one pack holds (regions beyond it are left out of a merged pack).
const MAX_PACK_CODE: usize = 64 << 20;
/// Most wanted entries one pack names.
pub const MAX_WANTED: usize = 1 << 16;

/// A translated region as stored: its entry, the guest words it was translated from (runs of
/// consecutive words), its size for the statistics, and its machine code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Entry PC.
    pub entry: u64,
    /// Blocks in the region.
    pub blocks: u32,
    /// Instructions in the region.
    pub insns: u32,
    /// `(start PC, words)`: the code the translation depends on.
    pub runs: Vec<(u64, Vec<u32>)>,
    /// Position-independent machine code, entered at offset 0.
    pub code: Vec<u8>,
}

impl Entry {
    /// A wanted entry: a region entry that was hot but had no translation yet.
    pub fn wanted(entry: u64) -> Self {
        Entry {
            entry,
            blocks: 0,
            insns: 0,
            runs: Vec::new(),
            code: Vec::new(),
        }
    }

    /// True for a wanted entry (no code).
    pub fn is_wanted(&self) -> bool {
        self.code.is_empty()
    }

    /// Identity of the translation input (entry and words), for de-duplication.
    fn id(&self) -> [u8; 32] {
        let mut b = Vec::with_capacity(16 + self.insns as usize * 4);
        b.extend_from_slice(&self.entry.to_le_bytes());
        put_runs(&mut b, &self.runs);
        *blake3::hash(&b).as_bytes()
    }
}

/// Appends `runs` as stored in a pack: their count, then each run's start PC, length and words.
fn put_runs(b: &mut Vec<u8>, runs: &[(u64, Vec<u32>)]) {
    b.extend_from_slice(&(runs.len() as u32).to_le_bytes());
    for (pc, words) in runs {
        b.extend_from_slice(&pc.to_le_bytes());
        b.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for w in words {
            b.extend_from_slice(&w.to_le_bytes());
        }
    }
}

/// Counters of the cache's work.
#[derive(Debug, Default, Clone, Copy)]
pub struct CacheStats {
    /// Packs read.
    pub packs: u64,
    /// Regions read from packs.
    pub read: u64,
    /// Regions installed (their words matched the guest's memory).
    pub installed: u64,
    /// Regions written in this run's pack.
    pub written: u64,
    /// Packs or directories ignored (corrupt, truncated, foreign, unsafe).
    pub rejected: u64,
    /// Translations not kept because their code needs relocation.
    pub unportable: u64,
}

/// The hash that names a cache directory: everything besides the guest code that decides the
/// machine code. `settings` describes the compiler (see `Compiler::settings`).
pub fn key(settings: &str, is64: bool) -> String {
    let material = format!(
        "{}\ncannonball {} {}\n{settings}\nis64={is64}\nctx={}",
        std::str::from_utf8(MAGIC).unwrap_or_default(),
        env!("CARGO_PKG_VERSION"),
        env!("CANNONBALL_BUILD_ID"),
        std::mem::size_of::<super::ctx::JitCtx>(),
    );
    let h = blake3::hash(material.as_bytes());
    h.as_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the cache lives: `flag` (`--jit-cache`), else `CANNONBALL_JIT_CACHE`, else the
/// per-user cache directory; `None` when turned off (`off`, or an empty value) or when there is
/// no home directory.
pub fn location(flag: Option<&str>) -> Option<PathBuf> {
    let chosen = match flag {
        Some(f) => Some(f.to_string()),
        None => std::env::var("CANNONBALL_JIT_CACHE").ok(),
    };
    match chosen.as_deref() {
        Some("off") | Some("") => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .filter(|v| !v.is_empty())
                        .map(|h| PathBuf::from(h).join(".cache"))
                })?;
            Some(base.join("cannonball").join("jit"))
        }
    }
}

/// One cache directory (for one [`key`]).
#[derive(Debug)]
pub struct CodeCache {
    dir: PathBuf,
    /// Packs read by [`CodeCache::load`] (merged away when there are too many).
    read_packs: Vec<PathBuf>,
    /// Entries read, kept for merging.
    read_entries: Vec<Entry>,
    /// Translations of this run, written by [`CodeCache::save`].
    fresh: Vec<Entry>,
    /// Entries still waiting for the compile thread at the end of this run.
    wanted: Vec<u64>,
    /// Work counters.
    pub stats: CacheStats,
}

/// Why a directory or pack is not used.
fn unsafe_reason(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        Some("owned by another user")
    } else if meta.mode() & 0o022 != 0 {
        Some("writable by other users")
    } else {
        None
    }
}

impl CodeCache {
    /// Opens (creating it private if needed) the cache directory `root/key`; `None`, with a
    /// warning, if it cannot be created or is not safe to run code from.
    pub fn open(root: &Path, key: &str) -> Option<Self> {
        let dir = root.join(key);
        if let Err(e) = create_private(&dir) {
            tracing::warn!("JIT cache {} unusable: {e}", dir.display());
            return None;
        }
        for d in [root, dir.as_path()] {
            match std::fs::symlink_metadata(d) {
                Ok(m) if m.is_dir() => {
                    if let Some(why) = unsafe_reason(&m) {
                        tracing::warn!("JIT cache {} not used: directory {why}", d.display());
                        return None;
                    }
                }
                Ok(_) => {
                    tracing::warn!("JIT cache {} not used: not a directory", d.display());
                    return None;
                }
                Err(e) => {
                    tracing::warn!("JIT cache {} unusable: {e}", d.display());
                    return None;
                }
            }
        }
        // packs half-written by runs that were killed
        interp::files::remove_stale_temps(&dir);
        Some(CodeCache {
            dir,
            read_packs: Vec::new(),
            read_entries: Vec::new(),
            fresh: Vec::new(),
            wanted: Vec::new(),
            stats: CacheStats::default(),
        })
    }

    /// The directory packs are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads every pack; bad ones are skipped with a warning. The caller hands the entries back
    /// with [`CodeCache::keep_read`] once it has used them, for merging.
    pub fn load(&mut self) -> Vec<Entry> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pack"))
            .collect();
        paths.sort();
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        for p in paths {
            match read_pack(&p) {
                Ok(entries) => {
                    self.stats.packs += 1;
                    self.read_packs.push(p);
                    for e in entries {
                        if seen.insert(e.id()) {
                            out.push(e);
                        }
                    }
                }
                // a pack merged away by a concurrent run since the listing
                Err(PackError::Gone) => {}
                Err(PackError::Bad(why)) => {
                    self.stats.rejected += 1;
                    tracing::warn!("JIT cache: ignoring {}: {why}", p.display());
                }
            }
        }
        self.stats.read = out.len() as u64;
        out
    }

    /// Keeps the entries [`CodeCache::load`] returned, for merging packs when saving.
    pub fn keep_read(&mut self, entries: Vec<Entry>) {
        self.read_entries = entries;
    }

    /// Records a translation compiled in this run, to be written by [`CodeCache::save`].
    pub fn record(&mut self, e: Entry) {
        self.fresh.push(e);
    }

    /// Records region entries that were hot but not yet compiled at the end of the run, to be
    /// named in the pack [`CodeCache::save`] writes.
    pub fn record_wanted(&mut self, entries: impl IntoIterator<Item = u64>) {
        self.wanted.extend(entries);
    }

    /// Writes this run's translations as a new pack (atomically), merging every pack into one
    /// when there are more than a few. Failures are warnings: the cache is an optimisation.
    pub fn save(&mut self) {
        let mut fresh = std::mem::take(&mut self.fresh);
        let compiled: FxHashSet<u64> = fresh
            .iter()
            .chain(&self.read_entries)
            .filter(|e| !e.is_wanted())
            .map(|e| e.entry)
            .collect();
        // wanted entries of this run that no pack has code for yet, and were not already named
        let named: FxHashSet<u64> = self
            .read_entries
            .iter()
            .filter(|e| e.is_wanted())
            .map(|e| e.entry)
            .collect();
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.retain(|pc| !compiled.contains(pc) && !named.contains(pc));
        wanted.truncate(MAX_WANTED);
        if fresh.is_empty() && wanted.is_empty() {
            return;
        }
        self.stats.written = fresh.len() as u64;
        fresh.extend(wanted.into_iter().map(Entry::wanted));
        let merge = self.read_packs.len() + 1 > MAX_PACKS;
        let entries: Vec<Entry> = if merge {
            let mut seen = FxHashSet::default();
            let (mut code, mut nwanted) = (0, 0);
            let mut v = Vec::new();
            for e in fresh
                .into_iter()
                .chain(std::mem::take(&mut self.read_entries))
            {
                // a wanted entry is dropped once some pack has code for it
                if e.is_wanted() && (compiled.contains(&e.entry) || nwanted >= MAX_WANTED) {
                    continue;
                }
                if code + e.code.len() > MAX_PACK_CODE || !seen.insert(e.id()) {
                    continue;
                }
                code += e.code.len();
                nwanted += usize::from(e.is_wanted());
                v.push(e);
            }
            v
        } else {
            fresh
        };
        let bytes = encode_pack(&entries);
        let name = format!(
            "{}.pack",
            blake3::hash(&bytes).as_bytes()[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        if let Err(e) = write_atomic(&self.dir, &name, &bytes) {
            tracing::warn!("JIT cache: cannot write {}: {e}", self.dir.display());
            return;
        }
        if merge {
            for p in self.read_packs.drain(..) {
                if p.file_name().is_some_and(|n| n != name.as_str()) {
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
    }
}

/// Creates `dir` and its missing parents with mode 0700.
fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Writes `bytes` to `dir/name` through a temporary file in the same directory, renamed into
/// place once complete.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let r = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Why a pack was not read.
#[derive(Debug)]
enum PackError {
    /// It no longer exists.
    Gone,
    /// It is unusable, and why.
    Bad(String),
}

fn read_pack(path: &Path) -> Result<Vec<Entry>, PackError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PackError::Gone),
        Err(e) => return Err(PackError::Bad(e.to_string())),
    };
    if !meta.is_file() {
        return Err(PackError::Bad("not a regular file".into()));
    }
    if let Some(why) = unsafe_reason(&meta) {
        return Err(PackError::Bad(why.into()));
    }
    if meta.len() > MAX_PACK_BYTES {
        return Err(PackError::Bad(format!(
            "{} bytes, more than the {MAX_PACK_BYTES} a pack may hold",
            meta.len()
        )));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PackError::Gone),
        Err(e) => return Err(PackError::Bad(e.to_string())),
    };
    decode_pack(&bytes).map_err(PackError::Bad)
}

/// A pack: magic, entry count, entries, then the BLAKE3 hash of everything before it.
pub fn encode_pack(entries: &[Entry]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        b.extend_from_slice(&e.entry.to_le_bytes());
        b.extend_from_slice(&e.blocks.to_le_bytes());
        b.extend_from_slice(&e.insns.to_le_bytes());
        put_runs(&mut b, &e.runs);
        b.extend_from_slice(&(e.code.len() as u32).to_le_bytes());
        b.extend_from_slice(&e.code);
    }
    let h = blake3::hash(&b);
    b.extend_from_slice(h.as_bytes());
    b
}

/// Reads a pack written by [`encode_pack`], checking its hash first and every count against
/// the bytes that remain.
pub fn decode_pack(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    if bytes.len() < MAGIC.len() + 4 + 32 {
        return Err("truncated".into());
    }
    let (body, hash) = bytes.split_at(bytes.len() - 32);
    if blake3::hash(body).as_bytes().as_slice() != hash {
        return Err("integrity hash mismatch (corrupt or truncated)".into());
    }
    if &body[..8] != MAGIC {
        return Err("not a cannonball JIT pack of this format".into());
    }
    let mut r = Reader { b: &body[8..] };
    let n = r.u32()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let entry = r.u64()?;
        let blocks = r.u32()?;
        let insns = r.u32()?;
        let nruns = r.u32()?;
        let mut runs = Vec::new();
        for _ in 0..nruns {
            let pc = r.u64()?;
            let len = r.u32()? as usize;
            let raw = r.take(len.checked_mul(4).ok_or("run too long")?)?;
            let words = raw
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            runs.push((pc, words));
        }
        let clen = r.u32()? as usize;
        let code = r.take(clen)?.to_vec();
        if code.is_empty() && (blocks != 0 || insns != 0 || !runs.is_empty()) {
            return Err("empty code".into());
        }
        out.push(Entry {
            entry,
            blocks,
            insns,
            runs,
            code,
        });
    }
    if !r.b.is_empty() {
        return Err("trailing bytes".into());
    }
    Ok(out)
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.b.len() {
            return Err("truncated entry".into());
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
}

/// Executable copies of cached code: one mapping per load, kept as long as the JIT.
#[derive(Debug, Default)]
pub struct CodeMemory {
    maps: Vec<memmap2::Mmap>,
}

impl CodeMemory {
    /// Maps `codes` executable (each at a 16-byte aligned offset of one mapping) and returns
    /// each one's address, in order.
    pub fn map(&mut self, codes: &[&[u8]]) -> std::io::Result<Vec<*const u8>> {
        let mut offsets = Vec::with_capacity(codes.len());
        let mut len = 0usize;
        for c in codes {
            offsets.push(len);
            len = (len + c.len()).next_multiple_of(16);
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let mut m = memmap2::MmapMut::map_anon(len)?;
        for (c, &o) in codes.iter().zip(&offsets) {
            m[o..o + c.len()].copy_from_slice(c);
        }
        let m = m.make_exec()?;
        let base = m.as_ptr();
        self.maps.push(m);
        // SAFETY: every offset is within the mapping just made.
        Ok(offsets.iter().map(|&o| unsafe { base.add(o) }).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: u64) -> Entry {
        Entry {
            entry: 0x1000 + 4 * n,
            blocks: 1,
            insns: 2,
            runs: vec![(0x1000 + 4 * n, vec![0x2408_0001, n as u32])],
            code: vec![0xC3; 5 + n as usize],
        }
    }

    #[test]
    fn packs_round_trip_and_reject_damage() {
        let entries: Vec<Entry> = (0..5).map(sample).collect();
        let b = encode_pack(&entries);
        assert_eq!(decode_pack(&b).unwrap(), entries);
        // any flipped byte, any truncation
        for i in [0, 9, 20, b.len() / 2, b.len() - 1] {
            let mut c = b.clone();
            c[i] ^= 0x40;
            assert!(decode_pack(&c).is_err(), "flip at {i}");
        }
        for n in [0, 7, 40, b.len() - 1] {
            assert!(decode_pack(&b[..n]).is_err(), "cut at {n}");
        }
        // a well-hashed pack with a lying count is still refused, not a panic
        let mut body = b[..b.len() - 32].to_vec();
        body[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        let h = blake3::hash(&body);
        body.extend_from_slice(h.as_bytes());
        assert!(decode_pack(&body).is_err());
    }

    #[test]
    fn unsafe_directories_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("cb-jitcache-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut c = CodeCache::open(&root, "k").expect("private dir is fine");
        c.record(sample(1));
        c.save();
        let mut c = CodeCache::open(&root, "k").unwrap();
        assert_eq!(c.load(), vec![sample(1)]);
        // a pack writable by others is ignored
        let pack = std::fs::read_dir(root.join("k"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::set_permissions(&pack, std::fs::Permissions::from_mode(0o666)).unwrap();
        let mut c = CodeCache::open(&root, "k").unwrap();
        assert!(c.load().is_empty());
        assert_eq!(c.stats.rejected, 1);
        // a directory writable by others is not used at all
        std::fs::set_permissions(root.join("k"), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(CodeCache::open(&root, "k").is_none());
        let _ = std::fs::remove_dir_all(&root);
    }
}
