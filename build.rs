//! The build's fingerprint: a digest of everything that decides what `handoff generate` writes
//! for a given registry and templates — the sources, the embedded templates and the exact
//! dependencies. Generated files record it (inside their inputs digest, see
//! src/generate/seal.rs), so a file written by another build of handoff is never taken for
//! current without being rendered again and compared.

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => files(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

fn main() {
    let mut paths = Vec::new();
    for dir in ["src", "templates"] {
        println!("cargo::rerun-if-changed={dir}");
        files(Path::new(dir), &mut paths);
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo::rerun-if-changed={file}");
        paths.push(PathBuf::from(file));
    }
    paths.sort();
    // Two independent 64-bit digests (SipHash with fixed keys), 128 bits together: enough to
    // tell builds apart; the seal itself uses SHA-256 over this and the other inputs.
    let (mut a, mut b) = (DefaultHasher::new(), DefaultHasher::new());
    b.write(b"handoff build fingerprint");
    for p in &paths {
        let name = p.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(p).unwrap_or_default();
        for h in [&mut a, &mut b] {
            h.write(name.as_bytes());
            h.write_usize(bytes.len());
            h.write(&bytes);
        }
    }
    println!(
        "cargo::rustc-env=HANDOFF_BUILD={}+{:016x}{:016x}",
        env!("CARGO_PKG_VERSION"),
        a.finish(),
        b.finish()
    );
}
