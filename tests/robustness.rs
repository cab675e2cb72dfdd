//! Bad input never panics: seeded random mutations of this repository's registry and definitions
//! (deleted runs, inserted punctuation, quotes, brackets, multi-byte and line-separator
//! characters, duplicated runs) go through the registry loader, the definition parser and the
//! definition checks. Each must return diagnostics, never panic. Bounded: 600 mutations.

use handoff::source::SourceFile;

use crate::common::Rng;

/// A position in `0..n`.
fn below(rng: &mut Rng, n: usize) -> usize {
    rng.below(n as u64) as usize
}

const PIECES: &[&str] = &[
    ":", "\"", "'", "[", "]", "{", "}", "#", "-", "*", "/", ",", "=", ".", "\n", "\t", " ", "a",
    "7", "é", "\\", "`", "|", ">", "\u{2028}", "\u{feff}", "&x", "!!int", "0x", "- ",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + below(rng, 4) {
        let i = below(rng, chars.len().max(1));
        match below(rng, 3) {
            0 => {
                let n = (1 + below(rng, 8)).min(chars.len() - i);
                chars.drain(i..i + n);
            }
            1 => {
                let piece = PIECES[below(rng, PIECES.len())];
                for (k, c) in piece.chars().enumerate() {
                    chars.insert(i + k, c);
                }
            }
            _ => {
                let j = below(rng, chars.len().max(1));
                let run: Vec<char> = chars[j..(j + 20).min(chars.len())].to_vec();
                for (k, c) in run.into_iter().enumerate() {
                    chars.insert(i + k, c);
                }
            }
        }
        if chars.is_empty() {
            break;
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_inputs_give_diagnostics_not_panics() {
    let root = env!("CARGO_MANIFEST_DIR");
    let registry = std::fs::read_to_string(format!("{root}/subjects.toml")).unwrap();
    let definition = std::fs::read_to_string(format!(
        "{root}/definitions/the-custodian.state-hub-consistency-sweep.yaml"
    ))
    .unwrap();
    let file = SourceFile::new("subjects.toml", registry.clone());
    let (reg, _) = handoff::validate::load_registry(file);
    let reg = reg.unwrap();
    let mut rng = Rng(0x0dd_ba11_cafe);
    for _ in 0..300 {
        let text = mutate(&registry, &mut rng);
        let (_, diags) = handoff::validate::load_registry(SourceFile::new("subjects.toml", text));
        for d in diags {
            assert!(d.line == 0 || d.column >= 1);
        }
    }
    for _ in 0..300 {
        let text = mutate(&definition, &mut rng);
        let file = SourceFile::new("d.yaml", text);
        let (def, _) = handoff::definition::parse(&file);
        if let Some(def) = def {
            let _ = handoff::validate::check_definition(&file, "d", &def, Some(&reg));
        }
    }
}

/// Parses `text` as a definition and returns how long it took.
fn time_parse(text: String) -> (std::time::Duration, Vec<handoff::diagnostic::Diagnostic>) {
    let file = SourceFile::new("d.yaml", text);
    let started = std::time::Instant::now();
    let (_, diags) = handoff::definition::parse(&file);
    (started.elapsed(), diags)
}

/// The duplicate-key check is linear: 80,000 keys (about 1 MB, under the size limit) in one
/// block mapping, and 70,000 in a flow mapping on a single line, parse in well under the time the
/// quadratic check took (10 s in a release build). The bound is generous for a debug build on a busy machine.
#[test]
fn many_keys_parse_in_linear_time() {
    let block: String = (0..80_000).map(|i| format!("k{i:x}: {i}\n")).collect();
    let flow = format!(
        "{{{}, k7: again}}\n",
        (0..70_000)
            .map(|i| format!("k{i:x}: {i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (what, text, line) in [
        ("block", format!("{block}k7: again\n"), 80_001),
        ("flow", flow, 1),
    ] {
        assert!(text.len() < 1024 * 1024, "{what}: {} bytes", text.len());
        let (took, diags) = time_parse(text);
        assert!(took < std::time::Duration::from_secs(5), "{what}: {took:?}");
        // The duplicate far down is still found, and said where the key was first defined.
        let dup = diags
            .iter()
            .find(|d| d.code.name() == "duplicate-key")
            .unwrap();
        assert_eq!(dup.line, line, "{what}");
        assert!(
            dup.message.contains(if line == 1 {
                "first defined on line 1"
            } else {
                "first defined on line 8"
            }),
            "{what}: {}",
            dup.message
        );
    }
}

/// Repeating one key 70,000 times on one line reports the first duplicates and counts the rest,
/// in bounded time (each diagnostic costs a search of its line).
#[test]
fn many_duplicates_are_capped() {
    let text = format!("{{{}}}\n", vec!["a: 1"; 70_000].join(", "));
    let (took, diags) = time_parse(text);
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert_eq!(diags.len(), 21, "{:?}", &diags[..3]);
    assert!(
        diags[20].message.contains("69979 more duplicate keys"),
        "{}",
        diags[20].message
    );
}
#[test]
fn mutated_python_gives_diagnostics_not_panics() {
    // The example publisher's files, mutated, through the whole audit: parse errors become
    // `python-syntax`, anything that parses is analysed; nothing panics (bounded: 60 trees of 5 files).
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = SourceFile::new(
        "subjects.toml",
        std::fs::read_to_string(root.join("subjects.toml")).unwrap(),
    );
    let reg = handoff::validate::load_registry(file).0.unwrap();
    let cfg = reg.source.clone().unwrap();
    let sources: Vec<(String, String)> = [
        "api/routers/repos.py",
        "api/routers/workstreams.py",
        "api/routers/decisions.py",
        "api/routers/domain_goals.py",
        "scripts/cleanup_stale_tasks.py",
    ]
    .iter()
    .map(|p| {
        let text = std::fs::read_to_string(root.join("examples/state-hub").join(p)).unwrap();
        (p.to_string(), text)
    })
    .collect();
    let mut rng = Rng(0x5eed_f00d);
    let tmp = tempfile::tempdir().unwrap();
    for _ in 0..60 {
        for (p, text) in &sources {
            let path = tmp.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, mutate(text, &mut rng)).unwrap();
        }
        let outcome = handoff::audit::audit(&reg, tmp.path(), &cfg).unwrap();
        for d in &outcome.diagnostics {
            assert!(d.line == 0 || d.column >= 1, "{d:?}");
        }
    }
}
