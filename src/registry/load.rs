//! Loading: the TOML tree read into the model, every problem collected, then the checks that need
//! the whole registry.

use std::collections::BTreeSet;

use super::names::{is_output_path, is_token, output_path_suggestion, suggest_subject};
use super::{Context, Envelope, Names, Output, Registry, migrations, stream, subjects};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Fields, Node, SourceFile, Spanned, Value, parse_toml, wrong_type};

const TOP_KEYS: &[&str] = &[
    "version",
    "subject_prefix",
    "stream",
    "envelope",
    "names",
    "output",
    "contexts",
    "subjects",
    "migrations",
    "source",
    "lint",
];

/// Loads and validates a registry. Returns the model when there is no error, and every
/// diagnostic found (warnings included) either way.
pub fn load(file: SourceFile) -> (Option<Registry>, Vec<Diagnostic>) {
    load_tolerating(file, &[])
}

/// [`load`], returning the registry despite errors with a code in `tolerate` (`handoff diff`
/// compares a registry whose subjects fall outside a narrowed stream filter).
pub fn load_tolerating(file: SourceFile, tolerate: &[Code]) -> (Option<Registry>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match parse_toml(&file) {
        Ok(root) => root,
        Err(d) => return (None, vec![*d]),
    };
    let registry = build(&file, &root, &mut diags);
    // The value tree of a large registry is millions of small allocations: freeing them takes
    // the other core (15 ms at 10,000 subjects) while this one goes on. A small one is freed
    // here, without waking the thread pool.
    if file.text.len() >= IN_PARALLEL_FROM {
        rayon::spawn(move || drop(root));
    } else {
        drop(root);
    }
    let has_error = diags
        .iter()
        .any(|d| d.is_error() && !tolerate.contains(&d.code));
    let registry = registry.filter(|_| !has_error).map(|mut r| {
        r.file = file;
        r
    });
    (registry, diags)
}

fn build(file: &SourceFile, root: &Node, diags: &mut Vec<Diagnostic>) -> Option<Registry> {
    let mut top = Fields::new(file, root, "the registry", diags)?;
    let version = top
        .require_string("version", diags)
        .map(|s| s.value)
        .unwrap_or_default();
    let prefix_given = top.get("subject_prefix").is_some();
    let subject_prefix = top.string("subject_prefix", diags).map(|s| s.value);
    let stream = top
        .require("stream", diags)
        .and_then(|n| stream::stream(file, n, diags));
    let envelope = top
        .require("envelope", diags)
        .and_then(|n| envelope(file, n, diags));
    let names = top
        .get("names")
        .map(|n| names(file, n, diags))
        .unwrap_or_default();
    let publisher = envelope.as_ref().map(|e: &Envelope| e.publisher.as_str());
    let output = match top.get("output") {
        Some(n) => output(file, n, publisher, diags),
        None => Output::for_publisher(publisher),
    };
    let contexts = top
        .get("contexts")
        .map(|n| contexts(file, n, diags))
        .unwrap_or_default();
    let subjects = top
        .require("subjects", diags)
        .map(|n| array_of_tables_in_parallel(file, n, "subjects", diags, subjects::subject))
        .unwrap_or_default();
    let migrations = top
        .get("migrations")
        .map(|n| {
            let prefix = subject_prefix.as_deref().unwrap_or("<prefix>");
            array_of_tables(file, n, "migrations", diags, |f, n, d| {
                migrations::migration(f, n, prefix, d)
            })
        })
        .unwrap_or_default();
    let source = top
        .get("source")
        .and_then(|n| crate::audit::config::parse(file, n, diags));
    let lint = top
        .get("lint")
        .map(|n| super::lint::lint(file, n, diags))
        .unwrap_or_default();
    top.finish(TOP_KEYS, diags);

    let subject_prefix = subject_prefix.unwrap_or_else(|| {
        let prefix = prefix_of(&subjects);
        if !prefix_given {
            diags.push(missing_prefix(file, root, &prefix));
        }
        prefix
    });
    let stream = stream?;
    let envelope = envelope?;
    let registry = Registry {
        file: SourceFile::new(file.path.clone(), String::new()),
        version,
        subject_prefix,
        stream,
        envelope,
        names,
        contexts,
        subjects: std::sync::Arc::new(subjects),
        migrations,
        output,
        source,
        lint,
        index: Default::default(),
    };
    let mut registry = registry;
    for (i, s) in registry.subjects.iter().enumerate() {
        registry.index.entry(s.subject.value.clone()).or_insert(i);
    }
    cross_check(file, &registry, diags);
    Some(registry)
}

/// The prefix a registry without `subject_prefix` most likely means: its first subject without
/// the last two tokens (`<entity>.<event>`), else `org.example`.
fn prefix_of(subjects: &[super::Subject]) -> String {
    subjects
        .first()
        .and_then(|s| {
            let tokens: Vec<&str> = s.subject.value.split('.').collect();
            (tokens.len() > 2).then(|| tokens[..tokens.len() - 2].join("."))
        })
        .filter(|p| p.split('.').all(is_token))
        .unwrap_or_else(|| "org.example".to_string())
}

/// `subject_prefix` is required: handoff assumes no organisation's prefix.
fn missing_prefix(file: &SourceFile, root: &Node, prefix: &str) -> Diagnostic {
    let span = root.span.start..root.span.start + 1;
    file.diagnostic(
        Code::MissingField,
        span,
        "the registry is missing the required field `subject_prefix` (every subject starts with it)",
    )
    .with_help(format!(
        "add `subject_prefix = \"{prefix}\"` at the top of the registry, before the first table"
    ))
}

/// Registries at least this long (a few hundred subjects) are read on every core; smaller ones
/// on the calling thread, where handing work to the thread pool would cost more than it saves.
const IN_PARALLEL_FROM: usize = 256 * 1024;

/// [`array_of_tables`] with the tables read on every core: a large registry has thousands of
/// subjects, each read on its own. The items and their diagnostics come out in file order.
fn array_of_tables_in_parallel<T: Send>(
    file: &SourceFile,
    node: &Node,
    name: &str,
    diags: &mut Vec<Diagnostic>,
    each: impl Fn(&SourceFile, &Node, &mut Vec<Diagnostic>) -> Option<T> + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let Value::Seq(items) = &node.value else {
        return array_of_tables(file, node, name, diags, each);
    };
    if file.text.len() < IN_PARALLEL_FROM {
        return array_of_tables(file, node, name, diags, each);
    }
    let read: Vec<(Option<T>, Vec<Diagnostic>)> = items
        .par_iter()
        .with_min_len(64)
        .map(|n| {
            let mut found = Vec::new();
            (each(file, n, &mut found), found)
        })
        .collect();
    let mut out = Vec::with_capacity(read.len());
    for (item, found) in read {
        diags.extend(found);
        out.extend(item);
    }
    out
}

pub(super) fn array_of_tables<T>(
    file: &SourceFile,
    node: &Node,
    name: &str,
    diags: &mut Vec<Diagnostic>,
    each: impl Fn(&SourceFile, &Node, &mut Vec<Diagnostic>) -> Option<T>,
) -> Vec<T> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| each(file, n, diags)).collect(),
        other => {
            diags.push(
                wrong_type(file, node, name, "an array of tables", other)
                    .with_help(format!("write each entry as a `[[{name}]]` table")),
            );
            Vec::new()
        }
    }
}

fn envelope(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Envelope> {
    let mut f = Fields::new(file, node, "`[envelope]`", diags)?;
    let version = f.require_string("version", diags);
    let publisher = f.require_string("publisher", diags);
    f.finish(&["version", "publisher"], diags);
    Some(Envelope {
        version: version?.value,
        publisher: publisher?.value,
    })
}

/// `[names]`: prose for generated documents, each one line of text (defaults in [`Names`]).
fn names(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Names {
    let mut names = Names::default();
    let Some(mut f) = Fields::new(file, node, "`[names]`", diags) else {
        return names;
    };
    for (key, slot) in [
        ("service", &mut names.service),
        ("engine", &mut names.engine),
    ] {
        let Some(v) = f.string(key, diags) else {
            continue;
        };
        if v.trim().is_empty() || v.contains(['\n', '\r']) {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    v.span.clone(),
                    format!("`[names].{key}` must be one line of text, as it reads mid-sentence"),
                )
                .with_help(format!(
                    "e.g. `{key} = \"{}\"`, or remove it for the default",
                    if key == "service" {
                        "the billing service"
                    } else {
                        "activity-core"
                    }
                )),
            );
        } else {
            *slot = v.value.trim().to_string();
        }
    }
    f.finish(&["service", "engine"], diags);
    names
}

fn output(
    file: &SourceFile,
    node: &Node,
    publisher: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Output {
    let mut out = Output::for_publisher(publisher);
    let Some(mut f) = Fields::new(file, node, "`[output]`", diags) else {
        return out;
    };
    for (key, slot) in [
        ("subjects_doc", &mut out.subjects_doc),
        ("migration_doc", &mut out.migration_doc),
        ("definitions", &mut out.definitions),
        ("schemas", &mut out.schemas),
        ("python", &mut out.python),
    ] {
        if let Some(v) = f.string(key, diags) {
            if !is_output_path(&v) {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!(
                            "output path `{}` must be relative, stay inside the registry's folder and use only letters, digits, `.`, `_`, `-` and `/`",
                            v.value.escape_debug()
                        ),
                    )
                    .with_help(format!(
                        "use a path relative to the registry's folder, without `..`, e.g. `{}`",
                        output_path_suggestion(&v.value)
                    )),
                );
            } else {
                *slot = v.value.trim_end_matches('/').to_string();
            }
        }
    }
    f.finish(
        &[
            "subjects_doc",
            "migration_doc",
            "definitions",
            "schemas",
            "python",
        ],
        diags,
    );
    out
}

fn contexts(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Vec<Context> {
    let Some(mut f) = Fields::new(file, node, "`[contexts]`", diags) else {
        return Vec::new();
    };
    let Value::Map(entries) = &node.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, _) in entries {
        let Some(n) = f.get(&key.name) else { continue };
        let what = format!("`[contexts.\"{}\"]`", key.name);
        let Some(mut c) = Fields::new(file, n, what, diags) else {
            continue;
        };
        let description = c.require_string("description", diags);
        c.finish(&["description"], diags);
        out.push(Context {
            name: key.name.clone(),
            description: description.map(|d| d.value).unwrap_or_default(),
        });
    }
    out
}

/// Checks that need the whole registry: subject form and uniqueness, stream coverage, name
/// uniqueness. (References from definition plans are checked with definition files, in
/// `validate`.)
fn cross_check(file: &SourceFile, r: &Registry, diags: &mut Vec<Diagnostic>) {
    check_subjects(file, r, diags);
    check_names(file, r, diags);
}

/// Each subject: registered once, of the form `<prefix>.<entity>.<event>`, inside the stream.
fn check_subjects(file: &SourceFile, r: &Registry, diags: &mut Vec<Diagnostic>) {
    // By name: a linear search here was quadratic in the number of subjects.
    let mut seen: std::collections::HashMap<&str, &Spanned<String>> =
        std::collections::HashMap::with_capacity(r.subjects.len());
    for s in r.subjects.iter() {
        let subj = &s.subject;
        if let Some(first) = seen.get(subj.value.as_str()) {
            let (line, _) = file.line_col(first.span.start);
            diags.push(
                file.diagnostic(
                    Code::DuplicateSubject,
                    subj.span.clone(),
                    format!(
                        "subject `{}` is registered twice (first on line {line})",
                        subj.value
                    ),
                )
                .with_help("remove one entry, or give this one its own subject"),
            );
        }
        seen.entry(subj.value.as_str()).or_insert(subj);
        check_replaced_by(file, r, s, diags);
        let rest = subj
            .strip_prefix(&r.subject_prefix)
            .and_then(|x| x.strip_prefix('.'));
        let tokens: Vec<&str> = rest.map(|x| x.split('.').collect()).unwrap_or_default();
        if rest.is_none() || tokens.len() < 2 || !tokens.iter().all(|t| is_token(t)) {
            diags.push(
                file.diagnostic(
                    Code::SubjectForm,
                    subj.span.clone(),
                    format!(
                        "subject `{}` is not of the form `{}.<entity>.<event>`",
                        subj.value, r.subject_prefix
                    ),
                )
                .with_help(match suggest_subject(&r.subject_prefix, subj) {
                    _ if rest.is_none() => format!("subjects start with `{}.`", r.subject_prefix),
                    Some(s) => format!("use lowercase tokens separated by dots, e.g. `{s}`"),
                    None => "use lowercase tokens separated by dots: `<prefix>.<entity>.<event>`"
                        .to_string(),
                }),
            );
        } else if !r.in_stream(subj) {
            diags.push(
                file.diagnostic(
                    Code::SubjectOutsideStream,
                    subj.span.clone(),
                    format!(
                        "subject `{}` is not covered by the stream's filter {:?}",
                        subj.value, r.stream.subjects
                    ),
                )
                .with_help("publishing it would fail with \"no stream\"; widen `[stream].subjects` or rename the subject"),
            );
        }
    }
}

/// Migration names, their target definitions, and side effects within a migration: each once.
fn check_names(file: &SourceFile, r: &Registry, diags: &mut Vec<Diagnostic>) {
    let mut names: Vec<&Spanned<String>> = Vec::new();
    let mut defs: Vec<&Spanned<String>> = Vec::new();
    // `item` when `seen` already has its value, as a diagnostic naming the first one's line.
    let duplicate = |seen: &[&Spanned<String>], item: &Spanned<String>, message: &str| {
        seen.iter().find(|x| x.value == item.value).map(|first| {
            let (line, _) = file.line_col(first.span.start);
            file.diagnostic(
                Code::DuplicateName,
                item.span.clone(),
                format!("{message} (first on line {line})"),
            )
        })
    };
    for m in &r.migrations {
        let d = &m.definition;
        diags.extend(duplicate(
            &names,
            &m.name,
            &format!("migration `{}` is declared twice", m.name.value),
        ));
        names.push(&m.name);
        diags.extend(duplicate(
            &defs,
            &d.name,
            &format!(
                "definition `{}` is targeted by two migrations",
                d.name.value
            ),
        ));
        defs.push(&d.name);
        let mut se_names: BTreeSet<&str> = BTreeSet::new();
        for se in &m.side_effects {
            if !se_names.insert(se.name.as_str()) {
                diags.push(file.diagnostic(
                    Code::DuplicateName,
                    se.name.span.clone(),
                    format!(
                        "side effect `{}` is declared twice in migration `{}`",
                        se.name.value, m.name.value
                    ),
                ));
            }
        }
    }
}

/// A deprecated subject's `replaced_by` names another registered subject.
fn check_replaced_by(
    file: &SourceFile,
    r: &Registry,
    s: &super::Subject,
    diags: &mut Vec<Diagnostic>,
) {
    let subj = &s.subject;
    let Some(to) = s.deprecated.as_ref().and_then(|d| d.replaced_by.as_ref()) else {
        return;
    };
    if to.value != subj.value && r.subject(to).is_some() {
        return;
    }
    let others = r
        .subjects
        .iter()
        .map(|x| x.subject.as_str())
        .filter(|x| *x != subj.value);
    diags.push(
        file.diagnostic(
            Code::InvalidValue,
            to.span.clone(),
            format!(
                "`replaced_by` of `{}` names `{}`, which is not another registered subject",
                subj.value, to.value
            ),
        )
        .with_help(match crate::source::did_you_mean(to, others) {
            Some(k) => format!("did you mean `{k}`?"),
            None => "register the replacement first, or remove `replaced_by`".to_string(),
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large registry's subjects read on every core are exactly those read in turn, with the
    /// same diagnostics in the same (file) order.
    #[test]
    fn subjects_read_in_parallel_are_the_subjects_read_in_turn() {
        let mut text = String::from("version = \"1.0\"\nsubject_prefix = \"org.example\"\n");
        for i in 0..3000 {
            let since = if i % 131 == 5 { "5" } else { "\"1.0\"" };
            let typo = if i % 97 == 3 {
                "sumary = \"typo\"\n"
            } else {
                ""
            };
            text.push_str(&format!(
                "\n[[subjects]]\nsubject = \"org.example.thing{i}.changed\"\nsince = {since}\n\
                 summary = \"Thing {i} changed.\"\ntrigger_site = \"app/things.py:update\"\n\
                 fires = \"After commit.\"\n{typo}\n[subjects.attributes.id]\ntype = \"uuid\"\n\
                 required = true\ndescription = \"Id.\"\n\
                 example = \"c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24\"\n"
            ));
        }
        assert!(text.len() >= IN_PARALLEL_FROM, "{}", text.len());
        let file = SourceFile::new("subjects.toml", text);
        let root = parse_toml(&file).unwrap();
        let Value::Map(top) = &root.value else {
            panic!("a table")
        };
        let (_, node) = top.iter().find(|(k, _)| k.name == "subjects").unwrap();
        let (mut in_turn, mut in_parallel) = (Vec::new(), Vec::new());
        let one = array_of_tables(&file, node, "subjects", &mut in_turn, subjects::subject);
        let all = array_of_tables_in_parallel(
            &file,
            node,
            "subjects",
            &mut in_parallel,
            subjects::subject,
        );
        assert_eq!(format!("{one:?}"), format!("{all:?}"));
        assert_eq!(format!("{in_turn:?}"), format!("{in_parallel:?}"));
        // 31 unknown keys and 23 wrong types, in file order.
        assert_eq!(in_turn.len(), 31 + 23, "{in_turn:?}");
        assert!(in_parallel.windows(2).all(|w| w[0].line < w[1].line));
    }

    /// This repository's registry with its `[names]` table replaced by `names` (Rust-escaped).
    fn with_names(names: &str) -> (Option<Registry>, Vec<Diagnostic>) {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml")).unwrap();
        let start = text.find("[names]").unwrap();
        let end = start + text[start..].find("\n\n").unwrap();
        let text = format!("{}{names}{}", &text[..start], &text[end..]);
        load(SourceFile::new("subjects.toml", text))
    }

    #[test]
    fn names_are_read_defaulted_and_checked() {
        let (reg, diags) = with_names("[names]\nservice = \"the billing service\"");
        let names = reg.unwrap().names;
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(names.service, "the billing service");
        assert_eq!(names.engine, Names::DEFAULT_ENGINE);
        let (reg, _) = with_names("");
        assert_eq!(reg.unwrap().names, Names::default());
        let (reg, diags) =
            with_names("[names]\nservice = \" \"\nengine = \"a\\nb\"\nengin = \"x\"");
        assert!(reg.is_none());
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::InvalidValue, Code::InvalidValue, Code::UnknownKey],
            "{diags:?}"
        );
        assert!(
            diags[0]
                .message
                .contains("`[names].service` must be one line")
        );
    }

    #[test]
    fn duplicate_migrations_are_reported_at_the_second() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml")).unwrap();
        let start = text.find("[[migrations]]").unwrap();
        let end = text[start + 1..].find("[[migrations]]").unwrap() + start + 1;
        let doubled = format!("{text}\n{}", &text[start..end]);
        let (reg, diags) = load(SourceFile::new("subjects.toml", doubled));
        assert!(reg.is_none());
        let dups: Vec<_> = diags
            .iter()
            .filter(|d| d.code == Code::DuplicateName)
            .collect();
        assert_eq!(dups.len(), 2, "{diags:?}");
        assert!(
            dups[0]
                .message
                .contains("migration `consistency-sweep` is declared twice (first on line")
        );
        assert!(dups[1].message.contains("is targeted by two migrations"));
        assert!(dups[0].line > text.lines().count());
    }
}
