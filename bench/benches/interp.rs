//! Criterion benchmarks over the workloads of `bench::SCENARIOS` (the ones marked `criterion`):
//!
//! * `fast_forward_<workload>`: a whole run (throughput in steps) under the JIT, the
//!   interpreter (the first `interp_bench_steps` when a whole run is too long) and qemu-mips64
//!   (same ELF, user mode, preimages served on fds 3-6; throughput = cannonball's steps, an
//!   approximation: qemu instructions ≈ steps);
//! * `jit_compile`: the JIT's compile time for a whole run at the default hotness threshold
//!   (`stats.compile_time`, measured with `iter_custom`; throughput in blocks compiled, so
//!   criterion reports blocks/s);
//! * `memory_root`: the merkle root of 100 MiB of pages, cold and after one dirty page;
//! * `proof_per_step`: `Vm::step_with_proof` on a warmed-up derive-100 state.
//!
//! `cargo bench -p bench --bench interp -- fast_forward_derive` runs a subset (criterion filter).

use bench::host::run_measured;
use bench::{random_memory, Scenario, SCENARIOS};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use engine::jit::{CompileMode, Jit, DEFAULT_THRESHOLD};
use std::process::Command;
use std::time::Duration;

fn qemu_available() -> bool {
    Command::new("qemu-mips64")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn fast_forward(c: &mut Criterion) {
    let qemu = qemu_available();
    if !qemu {
        eprintln!("qemu-mips64 not found (apt-get install qemu-user): no qemu benches");
    }
    for s in SCENARIOS.iter().filter(|s| s.criterion) {
        if !s.available() {
            eprintln!("skipping {}: fixture files missing", s.name);
            continue;
        }
        let mut g = c.benchmark_group(format!("fast_forward_{}", s.name));
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(10));
        g.throughput(Throughput::Elements(s.steps));
        g.bench_function("jit", |b| {
            b.iter_batched(
                || (s.vm(), Jit::new(true).expect("jit")),
                |(mut vm, mut jit)| {
                    jit.run_until(&mut vm, u64::MAX).expect("runs");
                    assert_eq!(vm.state.step(), s.steps, "{}: steps", s.name);
                    vm
                },
                BatchSize::PerIteration,
            )
        });
        let interp_steps = s.interp_bench_steps.unwrap_or(s.steps).min(s.steps);
        g.throughput(Throughput::Elements(interp_steps));
        let name = if interp_steps < s.steps {
            format!("interp_first_{}M", interp_steps / 1_000_000)
        } else {
            "interp".into()
        };
        g.bench_function(name, |b| {
            b.iter_batched(
                || s.vm(),
                |mut vm| {
                    vm.run_until(interp_steps).expect("runs");
                    assert_eq!(vm.state.step(), interp_steps, "{}: steps", s.name);
                    vm
                },
                BatchSize::PerIteration,
            )
        });
        if qemu {
            g.throughput(Throughput::Elements(s.steps));
            g.bench_function("qemu_mips64", |b| b.iter(|| qemu_run(s)));
        }
        g.finish();
    }
}

fn qemu_run(s: &Scenario) {
    let mut cmd = Command::new("qemu-mips64");
    cmd.arg(s.elf_path()).env("GOMAXPROCS", "1");
    let r = run_measured(cmd, s.preimage_dir().as_deref()).expect("qemu-mips64 runs");
    assert_eq!(r.code, i32::from(s.exit), "{} under qemu", s.name);
}

fn jit_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("jit_compile");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    // (threshold 1 compiles every block reached: 17,677 blocks, ~22 s per derive-10 run)
    for (name, threshold) in [
        ("claim", DEFAULT_THRESHOLD),
        ("derive-10", DEFAULT_THRESHOLD),
    ] {
        let s = bench::scenario(name).expect("scenario");
        if !s.available() {
            continue;
        }
        let run = || {
            let mut vm = s.vm();
            // synchronous compilation: every region that gets hot is compiled within the run
            let mut jit = Jit::with_mode(true, false, CompileMode::Sync).expect("jit");
            jit.threshold = threshold;
            jit.run_until(&mut vm, u64::MAX).expect("runs");
            jit.stats
        };
        let blocks = run().blocks_compiled;
        eprintln!("jit_compile {name} threshold {threshold}: {blocks} blocks per run");
        g.throughput(Throughput::Elements(blocks));
        g.bench_function(format!("{name}_threshold_{threshold}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run().compile_time).sum())
        });
    }
    g.finish();
}

fn memory_root(c: &mut Criterion) {
    let mut g = c.benchmark_group("memory_root");
    g.sample_size(10);
    // 100 MiB of touched pages = 25,600 pages of pseudo-random bytes (no zero shortcuts)
    g.bench_function("cold_100MiB", |b| {
        b.iter_batched(
            || random_memory(25_600, 59, 7),
            |mut m| m.root(),
            BatchSize::PerIteration,
        )
    });
    let mut m = random_memory(25_600, 59, 7);
    m.root();
    let mut k = 0u64;
    g.sample_size(100);
    g.bench_function("one_dirty_page_100MiB", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            m.store(
                0x0000_1000_0000_0000 + ((k % 6400) * 4 + 1) * 4096 + 8,
                8,
                k,
            );
            m.root()
        })
    });
    g.finish();
}

fn proof_per_step(c: &mut Criterion) {
    let s = bench::scenario("derive-100").expect("scenario");
    if !s.available() {
        return;
    }
    // warm up: 50 M steps in (the heap and the state trie are built), memory root computed once
    let mut vm = s.vm();
    let warm = 50_000_000;
    Jit::new(true)
        .expect("jit")
        .run_until(&mut vm, warm)
        .expect("runs");
    vm.state.memory_mut().root();
    let mut g = c.benchmark_group("proof_per_step");
    g.throughput(Throughput::Elements(1));
    g.bench_function("derive-100_from_step_50M", |b| {
        b.iter(|| {
            assert!(!vm.state.exited(), "ran out of steps");
            vm.step_with_proof().expect("steps")
        })
    });
    g.finish();
    eprintln!(
        "proof_per_step: ended at step {} ({} pages)",
        vm.state.step(),
        vm.state.memory().page_count()
    );
}

criterion_group!(
    benches,
    fast_forward,
    jit_compile,
    memory_root,
    proof_per_step
);
criterion_main!(benches);
