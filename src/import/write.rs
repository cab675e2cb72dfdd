//! `--write`: adds imported entries to the registry text without touching anything already in
//! it. The entries go right after the last `[[migrations]]` entry (so the migrations stay
//! together when other tables follow them), or at the end of the file when none follow; every
//! existing byte — comments, blank lines, key order, quoting — is kept.

/// Where new `[[migrations]]` entries belong in `text`: a byte offset at the start of a line.
///
/// The registry is parsed with `toml_edit` to find the table headers (so a `[` inside a
/// multi-line string is never mistaken for one). The entries go before the first header that
/// follows the last migration and is not part of it; comment lines directly above that header
/// (no blank line between) belong to it and stay with it.
pub fn insertion_point(text: &str) -> Result<usize, String> {
    let doc = toml_edit::Document::parse(text).map_err(|e| e.to_string())?;
    let mut headers: Vec<(usize, bool)> = Vec::new();
    collect_headers(doc.as_table(), false, true, &mut headers);
    headers.sort_unstable();
    let Some(last) = headers.iter().rposition(|(_, migration)| *migration) else {
        return Ok(text.len());
    };
    let Some(&(next, _)) = headers[last + 1..].iter().find(|(_, m)| !*m) else {
        return Ok(text.len());
    };
    // The start of the header's line, then up over the comment lines directly above it.
    let mut at = text[..next].rfind('\n').map_or(0, |i| i + 1);
    while at > 0 {
        let prev_start = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev_start..at - 1].trim();
        if line.starts_with('#') {
            at = prev_start;
        } else {
            break;
        }
    }
    Ok(at)
}

/// Table headers (`[a]`, `[[a]]`, `[a.b]`) with their offsets, marking those of migrations.
fn collect_headers(
    table: &toml_edit::Table,
    in_migrations: bool,
    root: bool,
    out: &mut Vec<(usize, bool)>,
) {
    for (key, item) in table.iter() {
        let migration = in_migrations || (root && key == "migrations");
        match item {
            toml_edit::Item::Table(t) => {
                if !t.is_implicit()
                    && !t.is_dotted()
                    && let Some(span) = t.span()
                {
                    out.push((span.start, migration));
                }
                collect_headers(t, migration, false, out);
            }
            toml_edit::Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    if let Some(span) = t.span() {
                        out.push((span.start, migration));
                    }
                    collect_headers(t, migration, false, out);
                }
            }
            _ => {}
        }
    }
}

/// The registry text with `entries` (complete `[[migrations]]` tables) added.
pub fn insert(text: &str, entries: &str) -> Result<String, String> {
    let at = insertion_point(text)?;
    let (before, after) = text.split_at(at);
    let mut out = String::with_capacity(text.len() + entries.len() + 4);
    out.push_str(before);
    if !before.is_empty() {
        if !before.ends_with('\n') {
            out.push('\n');
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out.push_str(entries.trim_end_matches('\n'));
    out.push('\n');
    if !after.is_empty() {
        out.push('\n');
        out.push_str(after);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "[[migrations]]\nname = \"new\"\n";

    #[test]
    fn appends_when_the_migrations_come_last() {
        let text = "# registry\nversion = \"1\"\n\n[[migrations]]\nname = \"a\" # keep\n\n[migrations.legacy]\nx = 1\n";
        let out = insert(text, ENTRY).unwrap();
        assert_eq!(out, format!("{text}\n{ENTRY}"));
    }

    #[test]
    fn goes_after_the_last_migration_when_tables_follow() {
        let text = "[[migrations]]\nname = \"a\"\n\n[migrations.cutover]\nparallel_run = 2026-11-16\n\n# Where generated files go.\n[output]\ndefinitions = \"defs\"\n";
        let out = insert(text, ENTRY).unwrap();
        assert_eq!(
            out,
            "[[migrations]]\nname = \"a\"\n\n[migrations.cutover]\nparallel_run = 2026-11-16\n\n[[migrations]]\nname = \"new\"\n\n# Where generated files go.\n[output]\ndefinitions = \"defs\"\n"
        );
        // The result is still the same document, plus one migration.
        let doc: toml_edit::DocumentMut = out.parse().unwrap();
        assert_eq!(doc["migrations"].as_array_of_tables().unwrap().len(), 2);
        assert_eq!(doc["output"]["definitions"].as_str(), Some("defs"));
    }

    #[test]
    fn a_bracket_inside_a_string_is_not_a_header() {
        let text = "[[migrations]]\nsummary = \"\"\"\n[output]\n\"\"\"\n";
        assert_eq!(insertion_point(text).unwrap(), text.len());
    }

    #[test]
    fn no_migrations_yet() {
        let text = "version = \"1\"\n[output]\nx = 1";
        let out = insert(text, ENTRY).unwrap();
        assert_eq!(out, format!("{text}\n\n{ENTRY}"));
    }
}
