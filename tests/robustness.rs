//! Bad input never panics: seeded random mutations of this repository's registry and definitions
//! (deleted runs, inserted punctuation, quotes, brackets, multi-byte and line-separator
//! characters, duplicated runs) go through the registry loader, the definition parser and the
//! definition checks. Each must return diagnostics, never panic. Bounded: 600 mutations.

use handoff::source::SourceFile;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    ":", "\"", "'", "[", "]", "{", "}", "#", "-", "*", "/", ",", "=", ".", "\n", "\t", " ", "a",
    "7", "é", "\\", "`", "|", ">", "\u{2028}", "\u{feff}", "&x", "!!int", "0x", "- ",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(chars.len().max(1));
        match rng.below(3) {
            0 => {
                let n = (1 + rng.below(8)).min(chars.len() - i);
                chars.drain(i..i + n);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                for (k, c) in piece.chars().enumerate() {
                    chars.insert(i + k, c);
                }
            }
            _ => {
                let j = rng.below(chars.len().max(1));
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
