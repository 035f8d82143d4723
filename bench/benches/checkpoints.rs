//! Criterion benchmarks of issue 4's goals: a proof at a random step of a recorded 1 G-step
//! trace (bisection mode, replaying from the nearest in-memory checkpoint), and writing and
//! loading a snapshot of a state with 100 MiB of pages (then producing its witness hash), with
//! and without the tree sidecar.

use bench::{fixture_elf, random_state, record_fixture};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use engine::bisect::{Answerer, Op, Query};
use interp::files::{read_state, write_state_with_tree};
use interp::vm::splitmix64;
use std::time::Duration;

const GUEST: &str = "go64-compute";

fn bisect_proof(c: &mut Criterion) {
    if !fixture_elf(GUEST).exists() {
        eprintln!("skipping bisect_proof: fixtures/elf/{GUEST}.elf is not built");
        return;
    }
    let mut g = c.benchmark_group("bisect_go64_compute");
    g.sample_size(30).measurement_time(Duration::from_secs(20));
    for interval in [10_000_000u64, 100_000_000] {
        let trace = record_fixture(GUEST, None, interval, 8 << 30);
        let last = trace.last.step();
        eprintln!(
            "recorded {last} steps in {:.2}s, {} checkpoints holding {} MiB",
            trace.seconds,
            trace.store.len(),
            trace.store.bytes() >> 20
        );
        let answerer = Answerer {
            trace: &trace,
            proof_fmt: None,
        };
        let mut seed = interval;
        g.bench_function(
            format!("proof_random_step_interval_{}M", interval / 1_000_000),
            |b| {
                b.iter(|| {
                    seed = splitmix64(seed);
                    let q = Query {
                        op: Op::Proof,
                        step: seed % last,
                    };
                    let a = answerer.answer_all(&[q]);
                    assert!(a[0].proof.is_some(), "{:?}", a[0].error);
                    a
                })
            },
        );
    }
    g.finish();
}

fn snapshots(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("cannonball-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut g = c.benchmark_group("snapshot_100MiB");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    // 25,600 pages of pseudo-random bytes: the worst case for hashing (no zero pages) and for
    // gzip (nothing to compress: stored members); and the same pages with low-entropy words
    // (small integers, like much of a Go heap), which deflate about 3:1
    let mut random = random_state(25_600, 11);
    random.memory_mut().root();
    let mut low = random_state(25_600, 11);
    {
        let m = low.memory_mut();
        for i in m.page_indices() {
            let mut page = m.page(i).expect("page").to_vec();
            for w in page.chunks_exact_mut(8) {
                let v = u64::from_be_bytes(w.try_into().expect("8 bytes")) % 1000;
                w.copy_from_slice(&v.to_be_bytes());
            }
            m.insert_page(i, &page);
        }
        m.root();
    }
    for (name, file, tree, low_entropy) in [
        ("bin_gz", "s.bin.gz", false, false),
        ("bin_gz_with_tree", "t.bin.gz", true, false),
        ("bin_uncompressed", "u.bin", false, false),
        ("low_entropy_bin_gz", "l.bin.gz", false, true),
    ] {
        let state = if low_entropy { &mut low } else { &mut random };
        let path = dir.join(file);
        g.bench_function(format!("write_{name}"), |b| {
            b.iter(|| write_state_with_tree(&path, state, tree).expect("writes"))
        });
        g.bench_function(format!("load_and_witness_hash_{name}"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    let mut s = read_state(&path).expect("reads");
                    s.hash()
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bisect_proof, snapshots);
criterion_main!(benches);
