//! The benchmark baseline for `handoff validate`: read and parse every YAML file under a folder
//! with the same YAML loader, and nothing else. `scripts/bench-validate` times both.
//!
//!     cargo run --release --example bare_parse -- DIR

use std::path::Path;

// The same allocator as the handoff binary, so the comparison is of the work, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: bare_parse DIR");
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);
    let mut nodes = 0usize;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let file = handoff::source::SourceFile::new(path.display().to_string(), text);
        if handoff::source::parse_yaml(&file).is_ok() {
            nodes += 1;
        }
    }
    std::process::exit(if nodes == files.len() { 0 } else { 1 });
}
