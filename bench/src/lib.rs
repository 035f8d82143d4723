//! Benchmark scenarios shared by criterion and the workload harness.
