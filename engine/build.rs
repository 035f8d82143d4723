//! Sets `CANNONBALL_BUILD_ID`: a hash of the sources that decide what the JIT emits (the
//! `interp` and `engine` sources and `Cargo.lock`, which pins Cranelift), so the persistent code
//! cache of one build is never used by another.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = Vec::new();
    for d in ["engine/src", "interp/src"] {
        files(&root.join(d), &mut paths);
        println!("cargo:rerun-if-changed={}", root.join(d).display());
    }
    paths.push(root.join("Cargo.lock"));
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
    paths.sort();
    let mut h = DefaultHasher::new();
    for p in &paths {
        if let Ok(bytes) = std::fs::read(p) {
            p.strip_prefix(&root).unwrap_or(p).hash(&mut h);
            bytes.hash(&mut h);
        }
    }
    println!("cargo:rustc-env=CANNONBALL_BUILD_ID={:016x}", h.finish());
}
