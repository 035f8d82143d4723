//! Criterion benchmarks: fast-forward throughput (steps per second) of the interpreter and the
//! JIT on the compute-heavy Go guest, the same ELF under qemu-mips64 as the translation
//! reference (reported per guest instruction = per step), and the cost of the memory merkle root
//! (cold, and after one dirty page).

use bench::{fixture_elf, fixture_vm, random_memory};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use engine::jit::Jit;
use interp::VmVersion;
use std::time::Duration;

const GUEST: &str = "go64-compute";
const V8: VmVersion = VmVersion::MultiThreaded64V5;

/// Steps of the whole guest run (both engines run it to the end).
fn guest_steps() -> u64 {
    let mut vm = fixture_vm(GUEST, V8, None);
    let mut jit = Jit::new(true).expect("jit");
    jit.run_until(&mut vm, u64::MAX).expect("runs");
    assert!(vm.state.exited());
    vm.state.step()
}

fn fast_forward(c: &mut Criterion) {
    if !fixture_elf(GUEST).exists() {
        eprintln!("skipping fast_forward: fixtures/elf/{GUEST}.elf is not built");
        return;
    }
    let steps = guest_steps();
    let mut g = c.benchmark_group("fast_forward_go64_compute");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(steps));
    g.bench_function("jit", |b| {
        b.iter_batched(
            || (fixture_vm(GUEST, V8, None), Jit::new(true).expect("jit")),
            |(mut vm, mut jit)| {
                jit.run_until(&mut vm, u64::MAX).expect("runs");
                vm
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("qemu_mips64", |b| {
        b.iter(|| {
            let out = std::process::Command::new("qemu-mips64")
                .arg(fixture_elf(GUEST))
                .env("GOMAXPROCS", "1")
                .output()
                .expect("qemu-mips64 (apt-get install qemu-user)");
            assert!(out.status.success());
        })
    });
    // the interpreter over the first 200 M steps (the whole run takes ~9 s per iteration)
    let interp_steps = 200_000_000u64.min(steps);
    g.throughput(Throughput::Elements(interp_steps));
    g.bench_function("interp_200M", |b| {
        b.iter_batched(
            || fixture_vm(GUEST, V8, None),
            |mut vm| {
                vm.run_until(interp_steps).expect("runs");
                vm
            },
            BatchSize::PerIteration,
        )
    });
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

criterion_group!(benches, fast_forward, memory_root);
criterion_main!(benches);
