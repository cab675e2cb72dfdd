//! `handoff explain CODE`: a diagnostic code's documentation, taken from docs/diagnostics.md —
//! the same text the documentation shows (a test rebuilds that page from the fixture cases and
//! keeps it in step with [`Code::ALL`]).

use crate::codes::Code;

/// docs/diagnostics.md, embedded when handoff is built.
const DIAGNOSTICS_MD: &str = include_str!("../docs/diagnostics.md");

/// The section of docs/diagnostics.md for `code`: from its `## \`code\`` heading to the next.
pub fn documentation(code: Code) -> Option<&'static str> {
    let heading = format!("\n## `{}`\n", code.name());
    let start = DIAGNOSTICS_MD.find(&heading)? + 1;
    let end = DIAGNOSTICS_MD[start + heading.len() - 1..]
        .find("\n## ")
        .map_or(DIAGNOSTICS_MD.len(), |i| start + heading.len() - 1 + i + 1);
    Some(DIAGNOSTICS_MD[start..end].trim_end())
}

/// The codes closest to a misspelt `name`, best first (at most three).
pub fn similar(name: &str) -> Vec<Code> {
    let mut scored: Vec<(f64, Code)> = Code::ALL
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c.name()), *c))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_and_sections_do_not_run_into_each_other() {
        for code in Code::ALL {
            let doc = documentation(*code).unwrap_or_else(|| panic!("{code} has no section"));
            assert!(doc.starts_with(&format!("## `{code}`")), "{doc}");
            assert_eq!(doc.matches("\n## ").count(), 0, "{code}: {doc}");
        }
    }

    #[test]
    fn misspelt_codes_find_the_right_one() {
        assert_eq!(similar("cron-or-rules").first(), Some(&Code::CronOrRule));
        assert!(similar("zzzz").is_empty());
    }
}
