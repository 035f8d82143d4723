//! Bad input gets a one-line error and a non-zero exit, never a panic (issue: reference VM).

mod common;
use common::*;

fn load(dir: &std::path::Path, elf_bytes: &[u8], ty: &str) -> std::process::Output {
    std::fs::write(dir.join("p.elf"), elf_bytes).unwrap();
    run(
        dir,
        &[
            "load-elf",
            "--type",
            ty,
            "--path",
            "p.elf",
            "--out",
            "pre.bin.gz",
            "--meta",
            "",
        ],
    )
}

#[test]
fn garbage_and_truncated_elf() {
    let d = scratch("garbage_elf");
    assert_error(
        &load(&d, b"definitely not an elf", "multithreaded64-5"),
        1,
        "not a valid ELF",
    );
    let good = oracle_reader_program();
    assert_error(&load(&d, &good[..40], "multithreaded64-5"), 1, "ELF");
    // program header table cut off
    assert_error(&load(&d, &good[..80], "multithreaded64-5"), 1, "ELF");
    assert!(!d.join("pre.bin.gz").exists());
}

#[test]
fn non_mips_elf() {
    let d = scratch("non_mips");
    let host = std::fs::read("/proc/self/exe").unwrap();
    assert_error(
        &load(&d, &host, "multithreaded64-5"),
        1,
        "not big-endian MIPS",
    );
}

#[test]
fn segment_problems() {
    let d = scratch("segments");
    let over_heap = elf(
        true,
        0x1000,
        &[Seg::load(0x0000_0FFF_FFFF_F000, vec![0; 0x2000])],
    );
    assert_error(
        &load(&d, &over_heap, "multithreaded64-5"),
        1,
        "overlaps with heap",
    );
    let over_heap32 = elf(false, 0x1000, &[Seg::load(0x04FF_F000, vec![0; 0x2000])]);
    assert_error(
        &load(&d, &over_heap32, "singlethreaded-2"),
        1,
        "overlaps with heap",
    );
    let mut s = Seg::load(0x1000, vec![1; 16]);
    s.p_type = 4; // PT_NOTE with memsz != filesz
    s.memsz = 32;
    assert_error(
        &load(&d, &elf(true, 0x1000, &[s]), "multithreaded64-5"),
        1,
        "filling for non PT_LOAD",
    );
    // zero-filled segments asking for more than 1 GiB in all (six of 4 GiB once ran `load-elf`
    // out of memory after 85 s): refused before anything is allocated. (Two of 600 MiB, so a
    // regression fails by loading 1.2 GB, not by exhausting the machine.)
    let segs: Vec<Seg> = (1..=2u64)
        .map(|k| {
            let mut s = Seg::load(0x10_0000_0000 * k, vec![0; 16]);
            s.memsz = 600 << 20;
            s
        })
        .collect();
    let t = std::time::Instant::now();
    assert_error(
        &load(&d, &elf(true, 0x10_0000_0000, &segs), "multithreaded64-5"),
        1,
        "more than the limit",
    );
    assert!(t.elapsed().as_secs() < 10, "took {:?}", t.elapsed());
    let mut big = Seg::load(0x1000, vec![1; 32]);
    big.memsz = 16;
    assert_error(
        &load(&d, &elf(true, 0x1000, &[big]), "multithreaded64-5"),
        1,
        "file size (32) > mem size (16)",
    );
    assert_error(
        &load(&d, &oracle_reader_program(), "singlethreaded-2"),
        1,
        "64-bit",
    );
    assert_error(
        &load(&d, &oracle_reader_program(), "multithreaded64-9"),
        1,
        "unsupported VM type",
    );
}

/// A scratch directory holding `fixtures/elf/<elf>.elf` loaded as a multithreaded64-5 state
/// `pre.bin`.
fn fixture_prestate(name: &str, elf: &str) -> std::path::PathBuf {
    let d = scratch(name);
    let path = fixtures().join(format!("elf/{elf}.elf"));
    let o = load_elf(&d, "multithreaded64-5", &path, "pre.bin");
    assert!(o.status.success(), "{}", stderr(&o));
    d
}

fn prestate(name: &str) -> std::path::PathBuf {
    let d = scratch(name);
    let o = load(&d, &oracle_reader_program(), "multithreaded64-5");
    assert!(o.status.success(), "{}", stderr(&o));
    d
}

#[test]
fn corrupt_states() {
    let d = prestate("corrupt_states");
    let o = run(
        &d,
        &[
            "load-elf",
            "--type",
            "multithreaded64-5",
            "--path",
            "p.elf",
            "--out",
            "pre.bin",
            "--meta",
            "",
        ],
    );
    assert!(o.status.success());
    let good = std::fs::read(d.join("pre.bin")).unwrap();
    std::fs::write(d.join("trunc.bin"), &good[..good.len() / 2]).unwrap();
    assert_error(
        &run(&d, &["witness", "--input", "trunc.bin"]),
        1,
        "truncated",
    );
    assert_error(
        &run(&d, &["run", "--input", "trunc.bin", "--meta", ""]),
        1,
        "truncated",
    );
    let mut v = good.clone();
    v[0] = 6;
    std::fs::write(d.join("v6.bin"), &v).unwrap();
    assert_error(
        &run(&d, &["witness", "--input", "v6.bin"]),
        1,
        "unsupported state version 6",
    );
    // an ELF where a state belongs
    let elf = std::fs::read(fixtures().join("elf/go64-hello.elf")).unwrap();
    std::fs::write(d.join("prog.bin"), &elf).unwrap();
    for cmd in ["witness", "run"] {
        assert_error(
            &run(
                &d,
                &[cmd, "--input", "prog.bin", "--meta", ""][..if cmd == "run" { 5 } else { 3 }],
            ),
            1,
            "this is an ELF file, not a VM state: make a state from it with `cannonball load-elf",
        );
    }
    std::fs::write(d.join("gz.bin.gz"), [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    assert_error(
        &run(&d, &["witness", "--input", "gz.bin.gz"]),
        1,
        "gz.bin.gz",
    );
    assert_error(
        &run(&d, &["witness", "--input", "missing.bin"]),
        1,
        "cannot open missing.bin",
    );
    assert_error(
        &run(&d, &["witness", "--input", "x.json"]),
        1,
        "JSON states",
    );
}

#[test]
fn bad_flags() {
    let d = prestate("bad_flags");
    for (flag, val, needle) in [
        ("--proof-at", "%0", "period must be non-zero"),
        ("--stop-at", "soon", "invalid step pattern"),
        ("--snapshot-at", "=abc", "not a number"),
        ("--info-at", "%-5", "not a number"),
    ] {
        let o = run(
            &d,
            &["run", "--input", "pre.bin.gz", "--meta", "", flag, val],
        );
        assert_eq!(o.status.code(), Some(1), "{flag} {val}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{flag} {val}: {}", stderr(&o));
    }
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--output",
                "out.json",
            ],
        ),
        1,
        ".bin or .bin.gz",
    );
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--stop-at-preimage-type",
                "foo",
            ],
        ),
        1,
        "--stop-at-preimage-type",
    );
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--stop-at-preimage",
                "0xzz",
            ],
        ),
        1,
        "--stop-at-preimage",
    );
}

#[test]
fn missing_dead_and_garbage_hosts() {
    let d = prestate("hosts");
    // no server at all
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--output",
                "out.bin",
            ],
        ),
        1,
        "no preimage server",
    );
    assert!(!d.join("out.bin").exists());
    // a server that cannot be started
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--",
                "/nonexistent/server",
            ],
        ),
        1,
        "cannot start preimage server",
    );
    // a server that exits at once
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--output",
                "out.bin",
                "--",
                "sh",
                "-c",
                "exit 3",
            ],
        ),
        1,
        "preimage oracle",
    );
    assert!(!d.join("out.bin").exists());
    // a server that answers garbage (a huge length)
    assert_error(
        &run(&d, &["run", "--input", "pre.bin.gz", "--meta", "", "--", "sh", "-c", "head -c 32 <&5 >/dev/null; printf '\\377\\377\\377\\377\\377\\377\\377\\377' >&6; sleep 1"]),
        1,
        "implausible length",
    );
    // a missing preimage file in a directory store
    std::fs::create_dir_all(d.join("pre")).unwrap();
    assert_error(
        &run(
            &d,
            &[
                "run",
                "--input",
                "pre.bin.gz",
                "--meta",
                "",
                "--preimages",
                "pre",
            ],
        ),
        1,
        "missing preimage",
    );
}

#[test]
fn invalid_instruction_is_a_vm_panic() {
    let d = scratch("invalid_insn");
    let prog = elf(
        true,
        0x10000,
        &[Seg::load(0x10000, code(&[addiu(2, 0, 1), 0x4400_0000]))],
    );
    assert!(load(&d, &prog, "multithreaded64-5").status.success());
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--meta",
            "",
            "--output",
            "out.bin",
        ],
    );
    assert_error(
        &o,
        2,
        "invalid transition at step 1, pc 0x10004, insn 0x44000000: invalid instruction",
    );
    assert!(!d.join("out.bin").exists());
}

#[test]
fn unwritable_output_leaves_nothing() {
    let d = prestate("unwritable");
    let ro = d.join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    let mut perm = std::fs::metadata(&ro).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perm.set_mode(0o555);
    std::fs::set_permissions(&ro, perm).unwrap();
    // root ignores directory permissions; use a path below a regular file instead
    std::fs::write(d.join("file"), b"x").unwrap();
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin.gz",
            "--meta",
            "",
            "--stop-at",
            "=1",
            "--output",
            "file/out.bin.gz",
        ],
    );
    assert_error(&o, 1, "cannot write file/out.bin.gz");
    assert_eq!(std::fs::read(d.join("file")).unwrap(), b"x");
}

/// Runs `cannonball` with `args` in `dir`, killing it (and failing) if it is still running
/// after `secs` seconds.
fn run_bounded(dir: &std::path::Path, args: &[&str], secs: u64) -> std::process::Output {
    let mut child = std::process::Command::new(bin())
        .env("CANNONBALL_JIT_CACHE", "off")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed().as_secs() > secs {
            let _ = child.kill();
            panic!("cannonball {args:?} still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A state whose step counter is 1,000 below 2^64: `run` and `bisect` stop with a one-line
/// error at 2^64 - 1 (Cannon's uint64 counter would wrap to 0), and a stop before it still
/// works. Before the check, both spun forever at 100% CPU.
#[test]
fn step_counter_near_two_to_the_64() {
    let d = fixture_prestate("step_counter_wrap", "go64-hello");
    let mut st = interp::files::read_state(&d.join("pre.bin")).unwrap();
    match &mut st {
        interp::state::State::Mt(s) => s.step = u64::MAX - 1000,
        interp::state::State::St(_) => unreachable!(),
    }
    interp::files::write_state(&d.join("late.bin"), &st).unwrap();
    for vm in ["jit", "interp"] {
        let o = run_bounded(
            &d,
            &[
                "run",
                "--input",
                "late.bin",
                "--output",
                "",
                "--meta",
                "",
                "--info-at",
                "%100",
                "--vm",
                vm,
            ],
            60,
        );
        assert_error(&o, 1, "step counter");
        let stop = format!("={}", u64::MAX - 500);
        let o = run_bounded(
            &d,
            &[
                "run",
                "--input",
                "late.bin",
                "--output",
                "out.bin",
                "--meta",
                "",
                "--stop-at",
                &stop,
                "--vm",
                vm,
            ],
            60,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = interp::files::read_state(&d.join("out.bin")).unwrap();
        assert_eq!(out.step(), u64::MAX - 500);
    }
    let o = run_bounded(
        &d,
        &["bisect", "--input", "late.bin", "--queries", "/dev/null"],
        60,
    );
    assert_error(&o, 1, "step counter");
}

/// `--version` names the version, the commit the binary was built from and its build id.
#[test]
fn version_names_the_commit() {
    let d = scratch("version");
    let o = run(&d, &["--version"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out.trim();
    let rest = line
        .strip_prefix(&format!(
            "cannonball {} (commit ",
            env!("CARGO_PKG_VERSION")
        ))
        .unwrap_or_else(|| panic!("{line}"));
    let (commit, build) = rest
        .strip_suffix(')')
        .and_then(|r| r.split_once(", build "))
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{line}"
    );
    assert!(
        build.len() == 16 && build.chars().all(|c| c.is_ascii_hexdigit()),
        "{line}"
    );
}

/// Proof and snapshot names are Go's `fmt.Sprintf(pattern, step)`, as in cannon (`%08d` pads,
/// `%%` is a percent sign), and a pattern that would give every file of a repeating
/// `--proof-at`/`--snapshot-at` the same name is refused before the run starts.
#[test]
fn file_name_patterns_follow_go_sprintf() {
    let d = fixture_prestate("name_patterns", "go64-hello");
    let base = ["run", "--input", "pre.bin", "--output", "", "--meta", ""];
    let with = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        run(&d, &args)
    };
    for (flag, pat) in [
        ("--proof-at", "proof.json"),
        ("--snapshot-at", "snap%%d.bin"),
    ] {
        let fmt_flag = flag.replace("-at", "-fmt");
        let o = with(&[flag, "%10", &fmt_flag, pat, "--stop-at", "=30"]);
        assert_error(&o, 1, &fmt_flag);
        assert!(stderr(&o).contains("same name"), "{}", stderr(&o));
    }
    let o = with(&[
        "--snapshot-at",
        "=20",
        "--snapshot-fmt",
        "s-%05d.bin",
        "--proof-at",
        "=21",
        "--proof-fmt",
        "100%%-%x.json",
        "--stop-at",
        "=30",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("s-00020.bin").exists());
    assert!(d.join("100%-15.json").exists());
}

/// `run --pprof.cpu` (a cannon flag) is accepted and writes cannonball's own CPU profile to
/// `cpu.pprof` in the working directory: a gzipped pprof protobuf with CPU samples.
#[test]
fn pprof_cpu_writes_a_pprof_profile() {
    let d = fixture_prestate("pprof_cpu", "go64-compute");
    let o = run(
        &d,
        &[
            "run",
            "--input",
            "pre.bin",
            "--output",
            "",
            "--meta",
            "",
            "--vm",
            "interp",
            "--stop-at",
            "=100000000",
            "--pprof.cpu",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let gz = std::fs::read(d.join("cpu.pprof")).expect("cpu.pprof written");
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw).unwrap();
    let p: pprof::protos::Profile =
        pprof::protos::Message::decode(&raw[..]).expect("pprof protobuf");
    let s = |i: i64| p.string_table[i as usize].as_str();
    assert!(p
        .sample_type
        .iter()
        .any(|t| s(t.ty) == "cpu" && s(t.unit) == "nanoseconds"));
    assert!(p.period > 0 && p.duration_nanos > 0);
    // a 1e8-step interpreted run takes a good fraction of a second at 100 samples/s
    assert!(!p.sample.is_empty() && !p.function.is_empty(), "no samples");
}
