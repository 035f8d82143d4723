//! Sets `CANNONBALL_BUILD_ID`: a hash of the sources that decide what the JIT emits (the
//! `interp` and `engine` sources and `Cargo.lock`, which pins Cranelift), so the persistent code
//! cache of one build is never used by another; and `CANNONBALL_GIT_COMMIT`, the commit the
//! sources were checked out at (`unknown` outside a git work tree), for `--version`.

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
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=CANNONBALL_GIT_COMMIT={commit}");
    // a new commit changes HEAD or the branch it names
    let git = root.join(".git");
    for f in ["HEAD", "packed-refs"] {
        println!("cargo:rerun-if-changed={}", git.join(f).display());
    }
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD")) {
        if let Some(r) = head.trim().strip_prefix("ref: ") {
            println!("cargo:rerun-if-changed={}", git.join(r).display());
        }
    }
}
