//! The persistent code cache: a cache written by one run is used by the next (compilation is
//! skipped), and a corrupt, truncated, foreign or stale entry is ignored, never changing a
//! state.

mod common;

use common::diff::outcome;
use common::{fixture_vm, jit_with_mode, run, scratch, stderr};
use engine::jit::cache::decode_pack;
use engine::jit::CompileMode;
use std::path::{Path, PathBuf};

const STOP: u64 = 3_000_000;

fn vm() -> interp::Vm {
    fixture_vm("go64-derive", "multithreaded64-5", Some("derive-10"))
}

/// Runs the fixture to `STOP` with a JIT using the cache at `dir` (after `tweak` of the
/// memory), saves the cache, and returns the outcome and the JIT's counters.
fn cached_run(
    dir: &Path,
    tweak: impl Fn(&mut interp::Vm),
) -> (
    String,
    engine::jit::JitStats,
    engine::jit::cache::CacheStats,
) {
    let mut v = vm();
    tweak(&mut v);
    let mut jit = jit_with_mode(&v, 64, CompileMode::Sync);
    jit.use_cache(dir);
    let r = jit.run_until(&mut v, STOP);
    jit.save_cache();
    let cs = jit.cache_stats().expect("cache in use");
    (outcome(&mut v, &r), jit.stats.clone(), cs)
}

fn reference(tweak: impl Fn(&mut interp::Vm)) -> String {
    let mut v = vm();
    tweak(&mut v);
    let r = v.run_until(STOP);
    outcome(&mut v, &r)
}

fn packs(root: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for d in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x == "pack") {
                v.push(p);
            }
        }
    }
    v
}

#[test]
fn second_run_uses_the_first_runs_code() {
    let d = scratch("jitcache_reuse");
    let want = reference(|_| {});
    let (o1, s1, c1) = cached_run(&d, |_| {});
    assert_eq!(o1, want);
    assert!(s1.blocks_compiled > 0 && c1.written > 0, "{s1:?} {c1:?}");
    let (o2, s2, c2) = cached_run(&d, |_| {});
    assert_eq!(o2, want);
    assert_eq!(c2.read, c1.written, "{c2:?}");
    assert_eq!(c2.installed, c2.read, "{c2:?}");
    assert!(s2.blocks_cached > 0, "{s2:?}");
    // what the first run compiled is not compiled again
    assert!(
        s2.blocks_compiled < s1.blocks_compiled / 4,
        "first {s1:?}, second {s2:?}"
    );
}

/// A run whose compile thread cannot keep up leaves its hot entries in the pack as wanted
/// entries; the next run queues them at its start, before they are hot (here: never, with an
/// unreachable threshold), and its states are unchanged.
#[test]
fn hot_entries_left_uncompiled_are_queued_by_the_next_run() {
    let d = scratch("jitcache_wanted");
    let want = reference(|_| {});
    let run_with = |threshold: u32, mode: CompileMode, dir: Option<&Path>| {
        let mut v = vm();
        let mut jit = jit_with_mode(&v, threshold, mode);
        if let Some(dir) = dir {
            jit.use_cache(dir);
        }
        let r = jit.run_until(&mut v, STOP);
        jit.save_cache();
        (outcome(&mut v, &r), jit.stats.clone())
    };
    // every translation waits half a second: the run ends with its hot entries still queued
    let slow = CompileMode::Background(std::time::Duration::from_millis(500));
    let (o1, s1) = run_with(64, slow, Some(&d));
    assert_eq!(o1, want);
    assert!(s1.queued > 1, "{s1:?}");
    let wanted: usize = packs(&d)
        .iter()
        .map(|p| {
            decode_pack(&std::fs::read(p).unwrap())
                .unwrap()
                .iter()
                .filter(|e| e.is_wanted())
                .count()
        })
        .sum();
    assert!(wanted > 0, "no wanted entries written ({s1:?})");

    let never = u32::MAX;
    let fast = CompileMode::Background(std::time::Duration::ZERO);
    let (o2, s2) = run_with(never, fast, Some(&d));
    assert_eq!(o2, want);
    assert!(
        s2.queued as usize >= wanted,
        "wanted {wanted}, queued {}",
        s2.queued
    );
    // without the cache nothing is queued at that threshold
    let (o3, s3) = run_with(never, fast, None);
    assert_eq!(o3, want);
    assert_eq!(s3.queued, 0, "{s3:?}");
}

#[test]
fn damaged_packs_are_ignored() {
    let want = reference(|_| {});
    for damage in ["flip", "truncate", "garbage"] {
        let d = scratch(&format!("jitcache_{damage}"));
        cached_run(&d, |_| {});
        for p in packs(&d) {
            let mut b = std::fs::read(&p).unwrap();
            match damage {
                "flip" => {
                    let i = b.len() / 2;
                    b[i] ^= 1;
                }
                "truncate" => b.truncate(b.len() - 100),
                _ => b = vec![0xC3; 4096],
            }
            std::fs::write(&p, &b).unwrap();
        }
        let (o, s, c) = cached_run(&d, |_| {});
        assert_eq!(o, want, "{damage}");
        assert_eq!(
            (c.rejected, c.installed, s.blocks_cached),
            (1, 0, 0),
            "{damage}: {c:?}"
        );
    }
}

/// Changes the first `nop` (sll $0,$0,0) of a cached region into another no-op encoding
/// (sll $0,$0,1): same behaviour, other bytes, so the region's cached code must not be used.
fn other_code_bytes(root: &Path) -> impl Fn(&mut interp::Vm) {
    let entries = decode_pack(&std::fs::read(&packs(root)[0]).unwrap()).unwrap();
    let addr = entries
        .iter()
        .flat_map(|e| &e.runs)
        .find_map(|(pc, words)| {
            words
                .iter()
                .position(|&w| w == 0)
                .map(|i| pc + 4 * i as u64)
        })
        .expect("a cached nop");
    move |v: &mut interp::Vm| v.state.memory_mut().write_u32(addr, 0x0000_0040)
}

#[test]
fn stale_code_is_not_used() {
    let d = scratch("jitcache_stale");
    cached_run(&d, |_| {});
    let tweak = other_code_bytes(&d);
    let want = reference(&tweak);
    let (o, _, c) = cached_run(&d, &tweak);
    assert_eq!(o, want);
    assert!(c.installed >= 1 && c.installed < c.read, "{c:?}");
}

#[test]
fn cli_reuses_and_refuses_unsafe_caches() {
    use std::os::unix::fs::PermissionsExt;
    let d = scratch("jitcache_cli");
    let elf = common::fixtures().join("elf/go64-derive.elf");
    let o = common::load_elf(&d, "multithreaded64-5", &elf, "st.bin.gz");
    assert!(o.status.success(), "{}", stderr(&o));
    let pre = common::fixtures().join("preimages/derive-10");
    let go = |out: &str, cache: &str| {
        run(
            &d,
            &[
                "run",
                "--input",
                "st.bin.gz",
                "--preimages",
                pre.to_str().unwrap(),
                "--jit-cache",
                cache,
                "--jit-threshold",
                "64",
                "--jit-stats",
                "--output",
                out,
            ],
        )
    };
    let reference = run(
        &d,
        &[
            "run",
            "--vm",
            "interp",
            "--input",
            "st.bin.gz",
            "--preimages",
            pre.to_str().unwrap(),
            "--output",
            "ref.bin.gz",
        ],
    );
    assert!(reference.status.success(), "{}", stderr(&reference));
    let want = std::fs::read(d.join("ref.bin.gz")).unwrap();
    for (i, cache) in ["c", "c", "off"].iter().enumerate() {
        let out = format!("out{i}.bin.gz");
        let o = go(&out, cache);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(d.join(&out)).unwrap(), want, "run {i}");
        let e = stderr(&o);
        match i {
            0 => assert!(e.contains("0 regions read"), "{e}"),
            1 => assert!(
                !e.contains(" 0 installed") && e.contains("installed"),
                "{e}"
            ),
            _ => assert!(!e.contains("jit cache:"), "{e}"),
        }
    }
    // a cache directory others can write to is not used
    let key_dir = std::fs::read_dir(d.join("c"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::set_permissions(&key_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = go("out3.bin.gz", "c");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("writable by other users"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(d.join("out3.bin.gz")).unwrap(), want);
}
