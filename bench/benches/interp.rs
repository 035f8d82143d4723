//! Criterion benchmarks of the reference interpreter: fast-forward throughput in steps per second
//! and the cost of merkleizing memory (cold, and after one dirty page).

use bench::{fixture_elf, fixture_vm, random_memory};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use interp::VmVersion;
use std::time::Duration;

/// Steps per fast-forward measurement.
const FF_STEPS: u64 = 50_000_000;

fn fast_forward(c: &mut Criterion) {
    let mut g = c.benchmark_group("interp_fast_forward");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, version) in [
        ("go64-compute", VmVersion::MultiThreaded64V5),
        ("go64-alloc", VmVersion::MultiThreaded64V5),
    ] {
        if !fixture_elf(name).exists() {
            eprintln!("skipping {name}: fixtures/elf/{name}.elf not built");
            continue;
        }
        // measure the steps actually executed (the guest may exit earlier)
        let steps = {
            let mut vm = fixture_vm(name, version, None);
            vm.run_until(FF_STEPS).expect("runs");
            vm.state.step()
        };
        g.throughput(Throughput::Elements(steps));
        g.bench_function(name, |b| {
            b.iter_batched(
                || fixture_vm(name, version, None),
                |mut vm| {
                    vm.run_until(FF_STEPS).expect("runs");
                    vm
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn memory_root(c: &mut Criterion) {
    let mut g = c.benchmark_group("memory_root");
    g.sample_size(10);
    // 100 MiB of touched pages = 25,600 pages
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
            // a page of the heap region, then the new root
            m.store(0x0000_1000_0000_0000 + ((k % 6400) * 4 + 1) * 4096 + 8, 8, k);
            m.root()
        })
    });
    g.finish();
}

criterion_group!(benches, fast_forward, memory_root);
criterion_main!(benches);
