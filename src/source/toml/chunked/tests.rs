//! The pieces give exactly the whole document's tree, or nothing: checked against the whole
//! parse on the repository's registries, on tricky documents, and on documents shuffled from
//! fragments (valid and invalid ones).

use super::*;
use crate::source::toml::toml_table;

/// The whole document's tree (what `parse_toml` gives without pieces), as text to compare.
fn whole(text: &str) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    let value = toml_table(doc.get_ref(), 0).ok()?;
    Some(format!(
        "{:?}",
        Node {
            value,
            span: 0..text.len()
        }
    ))
}

/// Checks the promise for `text` at several piece lengths; returns whether pieces were used
/// at the smallest.
fn agrees(text: &str) -> bool {
    let whole = whole(text);
    let mut used = false;
    for piece_len in [1, 13, 200, 5000] {
        if let Some(node) = parse(text, piece_len) {
            let pieces = format!("{node:?}");
            assert_eq!(
                Some(&pieces),
                whole.as_ref(),
                "pieces of {piece_len} bytes differ from the whole document:\n{text}"
            );
            used |= piece_len == 1;
        }
    }
    used
}

fn registry(subjects: usize) -> String {
    let mut s = String::from(
        "version = \"1.0\"\nsubject_prefix = \"org.x\"\n\n[stream]\nname = \"S\"\nsubjects = [\"org.>\"]\n\n",
    );
    for i in 0..subjects {
        s.push_str(&format!(
            "[[subjects]]\nsubject = \"org.x.s{i}.done\"\nsince = \"1.0\"\nsummary = \"\"\"\nS{i} ünïcode\n\"\"\"\n\n\
             [subjects.attributes.count]\ntype = \"integer\"\nrequired = true\nexample = {i}\n\n\
             [subjects.attributes.when]\ntype = \"timestamp\"\nexample = 2024-01-01T00:00:00Z\n\n"
        ));
    }
    s.push_str("[names]\nservice = \"x\"\n");
    s
}

#[test]
fn a_registry_in_pieces_is_the_registry() {
    let text = registry(300);
    assert!(agrees(&text), "the registry was not read in pieces");
    // With the default piece length too (the registry is longer than one piece).
    let text = registry(2000);
    assert!(text.len() > 2 * PIECE_LEN);
    let node = parse(&text, PIECE_LEN).expect("read in pieces");
    assert_eq!(Some(format!("{node:?}")), whole(&text));
}

#[test]
fn the_repository_registries_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("subjects.toml")];
    let mut dirs = vec![root.join("tests/fixtures"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    let mut used = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        used += usize::from(agrees(&text));
    }
    assert!(files.len() > 10, "{} registries found", files.len());
    assert!(
        used > 5,
        "only {used} of {} were read in pieces",
        files.len()
    );
}

#[test]
fn tricky_documents_agree_or_are_read_whole() {
    let cases: &[(&str, bool)] = &[
        // A cut inside a multi-line string fails the piece before it: read whole.
        (
            "a = 1\n[[s]]\nx = \"\"\"\n[[s]]\ny = 2\n\"\"\"\n[[s]]\nx = 'q'\n",
            false,
        ),
        ("[[s]]\nx = '''\n[[s]]\n'''\n[[s]]\n", false),
        // Tables after the array, two arrays interleaved, comments, CRLF, blanks after `]]`.
        (
            "[[a]]\nx = 1\n[[b]]\nx = 2\n[[a]] # c\nx = 3\n[n]\nk = 1\n",
            true,
        ),
        ("v = 1\r\n[[s]]\r\nx = 1\r\n[[s]]  \r\nx = 2\r\n", true),
        // Sub-tables and arrays of tables inside an element.
        (
            "[[s]]\n[s.t]\nk = 1\n[[s.u]]\nk = 2\n[[s]]\n[s.t]\nk = 3\n",
            true,
        ),
        // Not cut: spaces inside the brackets, a quoted key, a dotted key.
        ("[[ s ]]\nx = 1\n[[\"s\"]]\nx = 2\n[[s.t]]\n", false),
        // Valid whole, not joinable: a table extended from another piece, a sub-table of an
        // element in an earlier piece.
        ("[t]\na = 1\n[[s]]\nx = 1\n[t.u]\nb = 2\n", false),
        ("[[s]]\nx = 1\n[[o]]\ny = 1\n[s.sub]\nz = 1\n", false),
        // Invalid: a table defined twice, an array after a static one, a key twice, a
        // multi-line array cut, an overflowing integer, a string left open.
        ("[[s]]\n[n]\na = 1\n[[s]]\n[n]\na = 2\n", false),
        ("s = []\n[[s]]\nx = 1\n", false),
        ("[[s]]\nx = 1\nx = 2\n[[s]]\n", false),
        ("[[s]]\nx = [\n[[s]]\n]\n", false),
        ("[[s]]\nx = 99999999999999999999\n[[s]]\nx = 1\n", false),
        ("[[s]]\nx = \"\"\"\n[[s]]\n", false),
        ("[[s]]\nx = 1\n[s]\ny = 2\n[[s]]\n", false),
    ];
    for (text, joined) in cases {
        let used = agrees(text);
        if *joined {
            assert!(used, "expected to be read in pieces:\n{text}");
        }
    }
}

#[test]
fn shuffled_fragments_agree() {
    const FRAGMENTS: &[&str] = &[
        "[[s]]\n",
        "[[s]] # x\n",
        "[[a]]\n",
        "[n]\n",
        "[n.m]\n",
        "[s.t]\n",
        "[[s.u]]\n",
        "[t]\n",
        "x = 1\n",
        "y = \"é\"\n",
        "z = [1,\n2]\n",
        "w = \"\"\"\n",
        "\"\"\"\n",
        "'''\n",
        "# [[s]]\n",
        "\n",
        "k.l = true\n",
        "d = 1979-05-27T07:32:00Z\n",
        "x = 2\n",
        "i = {a = 1}\n",
        "s = []\n",
        "q = 'x'\n",
        "[[s]]\r\n",
        "e = 1e3\n",
        "bad = \n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut used, mut valid) = (0, 0);
    for _ in 0..4000 {
        let n = 3 + next() % 20;
        let text: String = (0..n)
            .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
            .collect();
        valid += usize::from(whole(&text).is_some());
        used += usize::from(agrees(&text));
    }
    // The shuffles must exercise both sides, or the test shows nothing.
    assert!(valid > 100, "only {valid} valid documents");
    assert!(used > 50, "only {used} documents were read in pieces");
}

#[test]
fn cut_lines() {
    assert!(opens_array_element("[[subjects]]\n"));
    assert!(opens_array_element("[[subjects]]  # the next one\n"));
    assert!(opens_array_element("[[subjects]]\r\n"));
    assert!(opens_array_element("[[subjects]]"));
    for line in [
        "[[subjects.x]]\n",
        " [[subjects]]\n",
        "[[]]\n",
        "[subjects]\n",
        "[[s]] x\n",
    ] {
        assert!(!opens_array_element(line), "{line:?}");
    }
}
