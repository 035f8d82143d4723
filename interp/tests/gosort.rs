//! `interp::gosort` orders equal elements exactly as Go's `sort.Slice` does, checked against Go
//! itself: orders Go computed for tie-heavy inputs of every length class pdqsort treats
//! differently, and the `meta.json` symbol order Cannon's load-elf gives a guest whose symbol
//! table is mostly ties (both from `fixtures/src/go/gosort-oracle`, committed under
//! `fixtures/gosort`).

use interp::elf::load_elf;
use interp::gosort::pdqsort;
use interp::VmVersion;
use std::io::Read;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The order of original positions `sort.Slice` leaves `values` in.
fn order(values: &[u64]) -> Vec<usize> {
    let mut v: Vec<(u64, usize)> = values.iter().copied().zip(0..).collect();
    pdqsort(&mut v, &|a, b| a.0 < b.0);
    v.into_iter().map(|(_, i)| i).collect()
}

/// Go 1.23.9's `sort.Slice` on these 14 start values (13 equal, an unbalanced partition that
/// takes the pattern-breaking path).
#[test]
fn go_reproducer() {
    let v = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    assert_eq!(order(&v), [6, 0, 2, 3, 4, 5, 1, 7, 10, 9, 8, 11, 13, 12]);
}

#[test]
fn equals_go_on_tie_heavy_inputs() {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(root().join("gosort/vectors.json.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
    let vectors = vectors.as_array().unwrap();
    assert!(vectors.len() > 100);
    for (k, v) in vectors.iter().enumerate() {
        let values: Vec<u64> = v["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        let want: Vec<usize> = v["order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(order(&values), want, "vector {k} ({} values)", values.len());
    }
}

#[test]
fn meta_symbol_order_equals_cannons() {
    let bytes = std::fs::read(root().join("elf/c64-symbols.elf")).unwrap();
    let meta = load_elf(&bytes, VmVersion::MultiThreaded64V5).unwrap().meta;
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("gosort/c64-symbols.meta.json")).unwrap(),
    )
    .unwrap();
    let want: Vec<(String, u64, u64)> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["start"].as_u64().unwrap(),
                s["size"].as_u64().unwrap(),
            )
        })
        .collect();
    let got: Vec<(String, u64, u64)> = meta
        .symbols
        .iter()
        .map(|s| (s.name.clone(), s.start, s.size))
        .collect();
    assert!(want.len() >= 30, "a symbol table with ties");
    let ties = want.windows(2).filter(|w| w[0].1 == w[1].1).count();
    assert!(ties >= 30, "{ties} ties");
    assert_eq!(got, want);
}
