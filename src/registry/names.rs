//! Name rules of the registry (subjects, attributes, definitions, migrations, output paths), and
//! for each bad name a valid one close to it, offered as help.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Key, SourceFile, Spanned};

/// A lowercase subject token: `[a-z][a-z0-9_]*`.
pub(super) fn is_token(t: &str) -> bool {
    let mut c = t.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `Invoice-Voided` as snake case: `invoice_voided` (camel case split, anything else made `_`).
fn snake_case(text: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        });
    }
    out.split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A subject of the form `<prefix>.<entity>.<event>` close to `subject`, if one can be made:
/// `org.billing.Invoice-Voided` gives `org.billing.invoice.voided`.
pub(super) fn suggest_subject(prefix: &str, subject: &str) -> Option<String> {
    let rest = subject.strip_prefix(prefix)?.strip_prefix('.')?;
    let mut tokens: Vec<String> = rest
        .split('.')
        .map(snake_case)
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() == 1 {
        let last = tokens.pop()?;
        match last.split_once('_') {
            Some((entity, event)) => tokens.extend([entity.to_string(), event.to_string()]),
            None => return None,
        }
    }
    let suggestion = format!("{prefix}.{}", tokens.join("."));
    (tokens.len() >= 2 && tokens.iter().all(|t| is_token(t))).then_some(suggestion)
}

/// An attribute name: a lowercase Python identifier that is not a keyword.
fn is_attribute_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !PYTHON_KEYWORDS.contains(&name)
}

/// A valid attribute name close to `name`: `Repo-Slug` gives `repo_slug`, `class` `class_name`.
fn suggest_attribute_name(name: &str) -> Option<String> {
    let mut s = snake_case(name);
    if PYTHON_KEYWORDS.contains(&s.as_str()) {
        s.push_str("_name");
    }
    is_attribute_name(&s).then_some(s)
}

/// Reports an attribute name that is not a lowercase Python identifier (or is a keyword).
pub(super) fn check_attribute_name(file: &SourceFile, key: &Key, diags: &mut Vec<Diagnostic>) {
    if !is_attribute_name(&key.name) {
        let keyword = PYTHON_KEYWORDS.contains(&key.name.as_str());
        let message = if keyword {
            format!(
                "attribute name `{}` is a Python keyword, which cannot be a keyword argument of the generated publisher",
                key.name
            )
        } else {
            format!(
                "attribute name `{}` is not a lowercase identifier",
                key.name
            )
        };
        let help = match suggest_attribute_name(&key.name) {
            Some(s) if keyword => format!("rename it, e.g. `{s}`"),
            Some(s) => format!("use snake_case: `{s}`"),
            None => {
                "use snake_case (`repo_slug`); names become Python keyword arguments and CEL fields"
                    .to_string()
            }
        };
        diags.push(
            file.diagnostic(Code::InvalidName, key.span.clone(), message)
                .with_help(help),
        );
    }
}

/// `namespace.name`, each part lowercase letters, digits and dashes.
pub fn is_definition_name(name: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !p.ends_with('-')
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    matches!(name.split_once('.'), Some((ns, n)) if part(ns) && part(n))
}

/// Reports a definition name that is not `namespace.name`.
pub fn check_definition_name(
    file: &SourceFile,
    name: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) {
    if !is_definition_name(name) {
        diags.push(
            file.diagnostic(
                Code::InvalidName,
                name.span.clone(),
                format!(
                    "definition name `{}` is not of the form `namespace.name`",
                    name.value
                ),
            )
            .with_help(match suggest_definition_name(name) {
                Some(s) => format!("use lowercase letters, digits and dashes: `{s}`"),
                None => "use lowercase letters, digits and dashes, e.g. `billing.invoice-reminder`"
                    .to_string(),
            }),
        );
    }
}

/// A migration name: lowercase letters, digits and dashes, starting with a letter or digit.
/// Templates put it into YAML comments, Markdown anchors and HTML ids, so nothing else is allowed.
pub fn is_migration_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A valid migration name close to `name`: lowercase, every run of other characters a dash.
pub fn migration_name_suggestion(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "job".to_string()
    } else {
        out.to_string()
    }
}

/// Reports a migration name that is not lowercase letters, digits and dashes.
pub fn check_migration_name(
    file: &SourceFile,
    name: &Spanned<String>,
    diags: &mut Vec<Diagnostic>,
) {
    if !is_migration_name(name) {
        diags.push(
            file.diagnostic(
                Code::InvalidName,
                name.span.clone(),
                format!(
                    "migration name `{}` must be lowercase letters, digits and dashes",
                    name.value.escape_debug()
                ),
            )
            .with_help(format!(
                "write `name = \"{}\"`",
                migration_name_suggestion(name)
            )),
        );
    }
}

/// An output path: relative, no `..`, only `[A-Za-z0-9._-]` in each `/`-separated part (the
/// paths appear in generated Markdown links and YAML comments).
pub fn is_output_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|p| p != "..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
}

/// A valid output path close to `path`.
pub fn output_path_suggestion(path: &str) -> String {
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        })
        .collect();
    if parts.is_empty() {
        "generated".to_string()
    } else {
        parts.join("/")
    }
}

/// A valid definition name close to `name`: `Billing.Invoice_Reminder` gives `billing.invoice-reminder`.
fn suggest_definition_name(name: &str) -> Option<String> {
    let (ns, n) = name.split_once('.')?;
    let part = |p: &str| snake_case(p).replace('_', "-");
    let s = format!("{}.{}", part(ns), part(n));
    is_definition_name(&s).then_some(s)
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_names() {
        assert!(is_definition_name("acme.billing-consistency-sweep"));
        assert!(!is_definition_name("acme"));
        assert!(!is_definition_name("The.Acme"));
        assert!(!is_definition_name("a.b.c"));
    }
    /// Each suggested name passes the check it is offered for.
    #[test]
    fn suggested_names_are_valid() {
        assert_eq!(
            suggest_subject("org.billing", "org.billing.Invoice-Voided").as_deref(),
            Some("org.billing.invoice.voided")
        );
        assert_eq!(
            suggest_subject("org.billing", "org.billing.RepoRegistered").as_deref(),
            Some("org.billing.repo.registered")
        );
        assert_eq!(suggest_subject("org.billing", "org.billing.repo"), None);
        assert_eq!(suggest_subject("org.billing", "org.billing.9.x"), None);
        for (name, expected) in [
            ("class", Some("class_name")),
            ("Repo-Slug", Some("repo_slug")),
            ("openTaskCount", Some("open_task_count")),
            ("---", None),
        ] {
            let s = suggest_attribute_name(name);
            assert_eq!(s.as_deref(), expected, "{name}");
            assert!(s.is_none_or(|s| is_attribute_name(&s)));
        }
        assert_eq!(
            suggest_definition_name("Acme_Corp.Sweep").as_deref(),
            Some("acme-corp.sweep")
        );
        assert_eq!(suggest_definition_name("sweep"), None);
    }
}
