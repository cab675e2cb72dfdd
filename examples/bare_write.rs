//! The benchmark baseline for `handoff generate`: create, in a new folder, files of the same
//! relative paths and sizes as a generated tree, each with one plain write and nothing else (no
//! registry, no rendering, no temporary file), on one thread. It is the floor the file system
//! sets for writing what generate writes; `scripts/bench-generate` times both.
//!
//!     cargo run --release --example bare_write -- GENERATED_TREE NEW_FOLDER

#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark tool: its figures are the output

use std::path::{Path, PathBuf};

// The same allocator as the handoff binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn walk(root: &Path, dir: &Path, files: &mut Vec<(PathBuf, u64)>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let meta = entry.metadata().expect("metadata");
        if meta.is_dir() {
            walk(root, &path, files);
        } else if path.file_name().is_some_and(|n| n != "subjects.toml") {
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            files.push((rel, meta.len()));
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(from), Some(to)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_write GENERATED_TREE NEW_FOLDER");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    walk(Path::new(&from), Path::new(&from), &mut files);
    files.sort();
    let largest = files.iter().map(|f| f.1).max().unwrap_or(0) as usize;
    let bytes = vec![b'x'; largest];
    let to = Path::new(&to);
    let mut total = 0u64;
    let mut made: Option<PathBuf> = None;
    for (rel, len) in &files {
        let path = to.join(rel);
        if let Some(dir) = path.parent()
            && made.as_deref() != Some(dir)
        {
            std::fs::create_dir_all(dir).expect("create folder");
            made = Some(dir.to_path_buf());
        }
        std::fs::write(&path, &bytes[..*len as usize]).expect("write");
        total += len;
    }
    println!("{} files, {total} bytes written", files.len());
}
