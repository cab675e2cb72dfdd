//! What a definition names must exist in the registry: event subjects (inside the stream's
//! filter), required contexts and its migration. Shared by definition files and the registry's
//! own definition plans.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::registry::{Registry, Subject};
use crate::source::{SourceFile, Spanned, did_you_mean};

/// Event subjects must be registered (a pattern must match at least one) and lie inside the
/// stream's filter; required contexts must be declared.
pub(super) fn check_references(
    file: &SourceFile,
    reg: &Registry,
    events: &[Spanned<String>],
    requires: &[Spanned<String>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in events {
        if reg.matching(e).is_empty() {
            out.push(unregistered_subject(file, reg, e));
        } else if !reg.in_stream(e) {
            out.push(outside_stream(file, reg, e));
        }
    }
    for e in events {
        if let Some(d) = reg.subject(e).and_then(|s| s.deprecated.as_ref()) {
            out.push(deprecated(
                file,
                Code::DeprecatedSubject,
                e.span.clone(),
                format!("subject `{}`", e.value),
                d,
            ));
        }
    }
    for r in requires {
        if reg.context(r).is_none() {
            out.push(unknown_context(file, reg, r));
        }
    }
    out
}

/// `metadata.migration` must name a migration of the registry.
pub(super) fn check_migration(
    file: &SourceFile,
    reg: &Registry,
    migration: Option<&Spanned<String>>,
) -> Option<Diagnostic> {
    let m = migration?;
    reg.migration(m)
        .is_none()
        .then(|| unknown_migration(file, reg, m))
}

/// The registered subjects an event trigger list can deliver.
pub(super) fn triggering_subjects<'r>(
    reg: &'r Registry,
    events: impl Iterator<Item = &'r str>,
) -> Vec<&'r Subject> {
    let mut out: Vec<&Subject> = Vec::new();
    for e in events {
        for s in reg.matching(e) {
            if !out.iter().any(|x| std::ptr::eq(*x, s)) {
                out.push(s);
            }
        }
    }
    out
}

fn unregistered_subject(file: &SourceFile, reg: &Registry, e: &Spanned<String>) -> Diagnostic {
    let known: Vec<&str> = reg.subjects.iter().map(|s| s.subject.as_str()).collect();
    file.diagnostic(
        Code::UnregisteredSubject,
        e.span.clone(),
        format!("event subject `{}` is not registered", e.value),
    )
    .with_help(match did_you_mean(e, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if e.contains(['*', '>']) => "the pattern matches no registered subject".to_string(),
        None => format!("register it in {} first (checklist step 3)", reg.file.path),
    })
}

fn outside_stream(file: &SourceFile, reg: &Registry, e: &Spanned<String>) -> Diagnostic {
    file.diagnostic(
        Code::SubjectOutsideStream,
        e.span.clone(),
        format!(
            "`{}` reaches outside the stream's filter {:?}",
            e.value, reg.stream.subjects
        ),
    )
    .with_help("narrow the pattern to the stream's subjects")
}

fn unknown_context(file: &SourceFile, reg: &Registry, r: &Spanned<String>) -> Diagnostic {
    let known: Vec<&str> = reg.contexts.iter().map(|c| c.name.as_str()).collect();
    file.diagnostic(
        Code::UnknownContext,
        r.span.clone(),
        format!("context `{}` is not declared in the registry", r.value),
    )
    .with_help(match did_you_mean(r, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("known contexts: {}", known.join(", ")),
    })
}

fn unknown_migration(file: &SourceFile, reg: &Registry, m: &Spanned<String>) -> Diagnostic {
    let known: Vec<&str> = reg.migrations.iter().map(|m| m.name.as_str()).collect();
    file.diagnostic(
        Code::DefinitionWithoutMigration,
        m.span.clone(),
        format!("migration `{}` is not in the registry", m.value),
    )
    .with_help(match did_you_mean(m, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "add the migration to the registry, or remove `metadata.migration`".to_string(),
    })
}

/// A warning that `what` is deprecated, with the registry's reason and replacement.
pub(super) fn deprecated(
    file: &SourceFile,
    code: Code,
    span: std::ops::Range<usize>,
    what: String,
    d: &crate::registry::Deprecation,
) -> Diagnostic {
    file.diagnostic(
        code,
        span,
        format!("{what} is deprecated since {}: {}", d.version, d.reason),
    )
    .with_help(match &d.replaced_by {
        Some(r) => format!(
            "use `{}` instead; it will be removed in a later major version",
            r.value
        ),
        None => "stop reading it; it will be removed in a later major version".to_string(),
    })
}
