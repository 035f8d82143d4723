//! Helpers for CLI tests: a minimal big-endian MIPS ELF writer and a runner for the binary.
#![allow(dead_code)]

pub mod diff;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A program segment.
pub struct Seg {
    pub p_type: u32,
    pub vaddr: u64,
    pub data: Vec<u8>,
    pub memsz: u64,
}

impl Seg {
    pub fn load(vaddr: u64, data: Vec<u8>) -> Self {
        let memsz = data.len() as u64;
        Seg {
            p_type: 1,
            vaddr,
            data,
            memsz,
        }
    }
}

/// Instruction words to bytes.
pub fn code(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// A 64-bit (or 32-bit) big-endian MIPS executable with the given segments and no sections.
pub fn elf(is64: bool, entry: u64, segs: &[Seg]) -> Vec<u8> {
    let (ehsize, phentsize) = if is64 { (64usize, 56usize) } else { (52, 32) };
    let mut out = vec![0u8; ehsize];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = if is64 { 2 } else { 1 };
    out[5] = 2; // big-endian
    out[6] = 1;
    let put16 = |b: &mut Vec<u8>, o: usize, v: u16| b[o..o + 2].copy_from_slice(&v.to_be_bytes());
    let put32 = |b: &mut Vec<u8>, o: usize, v: u32| b[o..o + 4].copy_from_slice(&v.to_be_bytes());
    let put64 = |b: &mut Vec<u8>, o: usize, v: u64| b[o..o + 8].copy_from_slice(&v.to_be_bytes());
    put16(&mut out, 16, 2); // ET_EXEC
    put16(&mut out, 18, 8); // EM_MIPS
    put32(&mut out, 20, 1);
    let phoff = ehsize;
    let data_off = phoff + phentsize * segs.len();
    if is64 {
        put64(&mut out, 24, entry);
        put64(&mut out, 32, phoff as u64);
        put16(&mut out, 52, ehsize as u16);
        put16(&mut out, 54, phentsize as u16);
        put16(&mut out, 56, segs.len() as u16);
        put16(&mut out, 58, 64);
    } else {
        put32(&mut out, 24, entry as u32);
        put32(&mut out, 28, phoff as u32);
        put16(&mut out, 40, ehsize as u16);
        put16(&mut out, 42, phentsize as u16);
        put16(&mut out, 44, segs.len() as u16);
        put16(&mut out, 46, 40);
    }
    let mut off = data_off;
    let mut ph = Vec::new();
    for s in segs {
        let mut p = vec![0u8; phentsize];
        if is64 {
            put32(&mut p, 0, s.p_type);
            put32(&mut p, 4, 5);
            put64(&mut p, 8, off as u64);
            put64(&mut p, 16, s.vaddr);
            put64(&mut p, 24, s.vaddr);
            put64(&mut p, 32, s.data.len() as u64);
            put64(&mut p, 40, s.memsz);
            put64(&mut p, 48, 0x1000);
        } else {
            put32(&mut p, 0, s.p_type);
            put32(&mut p, 4, off as u32);
            put32(&mut p, 8, s.vaddr as u32);
            put32(&mut p, 12, s.vaddr as u32);
            put32(&mut p, 16, s.data.len() as u32);
            put32(&mut p, 20, s.memsz as u32);
            put32(&mut p, 24, 5);
            put32(&mut p, 28, 0x1000);
        }
        ph.extend_from_slice(&p);
        off += s.data.len();
    }
    out.extend_from_slice(&ph);
    for s in segs {
        out.extend_from_slice(&s.data);
    }
    out
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cannonball")
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .env("CANNONBALL_JIT_CACHE", test_jit_cache())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn cannonball")
}

/// `cannonball load-elf --type VM --path ELF --out OUT --meta meta.json` in `dir`.
pub fn load_elf(dir: &Path, vm: &str, elf: &Path, out: &str) -> Output {
    let elf = elf.to_str().expect("utf-8 path");
    run(
        dir,
        &[
            "load-elf",
            "--type",
            vm,
            "--path",
            elf,
            "--out",
            out,
            "--meta",
            "meta.json",
        ],
    )
}

/// The persistent JIT cache the CLI tests share (so later runs use what earlier ones compiled,
/// as op-challenger's runs do), instead of the user's own.
pub fn test_jit_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jit-cache")
}

/// A fresh scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a failed command: non-zero `code`, one `error: ...` line containing `needle`.
pub fn assert_error(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(lines.len(), 1, "one error line expected, got: {err}");
    assert!(
        lines[0].contains(needle),
        "error {:?} should mention {needle:?}",
        lines[0]
    );
    assert!(!err.contains("panicked"), "must not panic: {err}");
}

pub use interp::asm::{addiu, lui, SYSCALL};
use interp::vm::syscall::sys;

/// cannon64 program: read(5, 0x20000, 8) (asks the oracle for the zero key), then exit_group(0).
pub fn oracle_reader_program() -> Vec<u8> {
    let words = [
        addiu(2, 0, sys::READ as i32),
        addiu(4, 0, 5),
        lui(5, 2),
        addiu(6, 0, 8),
        SYSCALL,
        addiu(2, 0, sys::EXIT_GROUP as i32),
        addiu(4, 0, 0),
        SYSCALL,
    ];
    elf(true, 0x10000, &[Seg::load(0x10000, code(&words))])
}

/// The repository's fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// A VM over a fixture ELF (guest output discarded), preimages from `fixtures/preimages/<dir>`.
pub fn fixture_vm(elf: &str, ty: &str, preimages: Option<&str>) -> interp::Vm {
    let bytes = std::fs::read(fixtures().join("elf").join(format!("{elf}.elf"))).unwrap();
    let version = interp::VmVersion::from_name(ty).unwrap();
    let program = interp::elf::load_elf(&bytes, version).unwrap();
    let oracle = match preimages {
        Some(p) => interp::oracle::Oracle::new(Box::new(
            interp::oracle::DirSource::new(fixtures().join("preimages").join(p)).unwrap(),
        )),
        None => interp::oracle::Oracle::none(),
    };
    interp::Vm::new(program.state, oracle, interp::Io::sink())
}

/// A JIT for `vm` that compiles every block on its first visit, with Cranelift's verifier on.
pub fn eager_jit(vm: &interp::Vm) -> engine::jit::Jit {
    jit_with_threshold(vm, 1)
}

/// A JIT for `vm` with the given hotness threshold, compiling synchronously, with Cranelift's
/// verifier on.
pub fn jit_with_threshold(vm: &interp::Vm, threshold: u32) -> engine::jit::Jit {
    jit_with_mode(vm, threshold, engine::jit::CompileMode::Sync)
}

/// A JIT for `vm` with the given hotness threshold and compile mode, verifier on.
pub fn jit_with_mode(
    vm: &interp::Vm,
    threshold: u32,
    mode: engine::jit::CompileMode,
) -> engine::jit::Jit {
    let mut j =
        engine::jit::Jit::with_mode(vm.state.version().is_multithreaded64(), true, mode).unwrap();
    j.threshold = threshold;
    j
}

/// Compares `got` with the golden file `tests/golden/<rel>` (gzip-compressed when the name ends
/// in `.gz`), or rewrites the file when `CANNONBALL_BLESS=1` is set.
pub fn golden(rel: &str, got: &[u8]) {
    use std::io::{Read, Write};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(rel);
    let gz = rel.ends_with(".gz");
    if std::env::var_os("CANNONBALL_BLESS").is_some() {
        let bytes = if gz {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(got).unwrap();
            e.finish().unwrap()
        } else {
            got.to_vec()
        };
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let raw = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {}: {e} (bless with CANNONBALL_BLESS=1)",
            path.display()
        )
    });
    let want = if gz {
        let mut v = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut v)
            .unwrap();
        v
    } else {
        raw
    };
    if want != got {
        let (w, g) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(got));
        let first = w
            .lines()
            .zip(g.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(w.lines().count().min(g.lines().count()));
        panic!(
            "{rel} differs from its golden file at line {}:\n  want: {:?}\n  got:  {:?}\n(lines: want {}, got {})",
            first + 1,
            w.lines().nth(first),
            g.lines().nth(first),
            w.lines().count(),
            g.lines().count()
        );
    }
}
