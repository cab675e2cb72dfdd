//! The catalogue of diagnostic codes. Every code handoff can emit is listed here (the cron and
//! rule modules keep their own lists, merged in [`all`]); docs/diagnostics.md has a section for
//! each, and a test keeps the two in step.

use crate::diagnostic::Severity;

/// Codes of the registry, definition, reference and freshness checks.
pub const CODES: &[(&str, Severity, &str)] = &[
    (
        "toml-syntax",
        Severity::Error,
        "The registry is not valid TOML.",
    ),
    (
        "yaml-syntax",
        Severity::Error,
        "A definition is not valid YAML (or holds several documents or aliases).",
    ),
    (
        "duplicate-key",
        Severity::Error,
        "A YAML mapping has the same key twice.",
    ),
    (
        "unknown-key",
        Severity::Error,
        "A key the format does not have; usually a typo.",
    ),
    (
        "missing-field",
        Severity::Error,
        "A required field is absent.",
    ),
    (
        "wrong-type",
        Severity::Error,
        "A value has the wrong type (e.g. a number where a string is expected).",
    ),
    (
        "invalid-value",
        Severity::Error,
        "A value of the right type that is not allowed (bad duration, unknown retention, ...).",
    ),
    (
        "invalid-name",
        Severity::Error,
        "A name that is not of the required form (definition `namespace.name`, attribute identifier).",
    ),
    (
        "unknown-type",
        Severity::Error,
        "An attribute type the registry does not know.",
    ),
    (
        "duplicate-subject",
        Severity::Error,
        "The same subject is registered twice.",
    ),
    (
        "duplicate-name",
        Severity::Error,
        "Two migrations, definitions or side effects share a name.",
    ),
    (
        "subject-form",
        Severity::Error,
        "A subject is not of the form `<prefix>.<entity>.<event>`.",
    ),
    (
        "subject-outside-stream",
        Severity::Error,
        "A subject is not covered by the stream's subject filter.",
    ),
    (
        "unregistered-subject",
        Severity::Error,
        "An event trigger names a subject nobody registered.",
    ),
    (
        "unknown-context",
        Severity::Error,
        "A rule requires a context the registry does not declare.",
    ),
    (
        "missing-trigger",
        Severity::Error,
        "A definition has neither a cron nor an event trigger.",
    ),
    (
        "instruction-count",
        Severity::Error,
        "An instruction has both or neither of `shell` and `workflow`.",
    ),
    (
        "name-mismatch",
        Severity::Error,
        "A definition's name does not match its file name.",
    ),
    (
        "unknown-attribute",
        Severity::Error,
        "A rule reads an event attribute that a triggering subject does not declare.",
    ),
    (
        "unknown-envelope-field",
        Severity::Error,
        "A rule reads `event.X` where X is not an envelope field.",
    ),
    (
        "attribute-type",
        Severity::Error,
        "A rule compares an attribute with a value of an incompatible type.",
    ),
    (
        "optional-attribute",
        Severity::Error,
        "A rule reads an optional attribute where no `has()` test guards it: when the attribute is absent, evaluation fails.",
    ),
    (
        "enum-value",
        Severity::Error,
        "A rule compares an enum attribute with a value outside its list: the comparison is constant.",
    ),
    (
        "cron-reads-event",
        Severity::Error,
        "A cron-only definition reads `event`, which is absent when it fires.",
    ),
    (
        "unrequired-context",
        Severity::Warning,
        "A rule reads a context it does not list in `requires`.",
    ),
    (
        "migration-without-definition",
        Severity::Error,
        "A migration's definition file is missing.",
    ),
    (
        "definition-without-migration",
        Severity::Error,
        "A definition names a migration the registry does not have.",
    ),
    (
        "definition-drift",
        Severity::Warning,
        "A definition differs from its migration's plan in the registry (trigger, rule or instruction).",
    ),
    (
        "parallel-run-unsafe",
        Severity::Error,
        "A migration at or past its parallel run has a side effect not declared idempotent with a mechanism.",
    ),
    (
        "stale-generated",
        Severity::Error,
        "A generated file is missing or out of date.",
    ),
    ("io", Severity::Error, "A file could not be read."),
    (
        "file-too-large",
        Severity::Error,
        "A definition file is larger than 1 MiB; handoff does not read past that.",
    ),
];

/// Codes of the commands that check input other than files: `publish` (its arguments) and
/// `import` (crontab lines and timers). They are not `validate` codes.
pub const COMMAND_CODES: &[(&str, Severity, &str)] = &[
    (
        "publish-unknown-subject",
        Severity::Error,
        "`handoff publish` was given a subject the registry does not have.",
    ),
    (
        "publish-attribute",
        Severity::Error,
        "`handoff publish` was given a missing, unknown or mistyped attribute.",
    ),
    (
        "publish-argument",
        Severity::Error,
        "A `handoff publish` argument is malformed (`--attr` without `=`, a repeated attribute, an `--id` that is not a UUID).",
    ),
    (
        "import-line",
        Severity::Error,
        "A crontab line that is not a job line (too few fields, no command, no user with --system).",
    ),
    (
        "import-untranslatable",
        Severity::Error,
        "A systemd timer with no exact cron equivalent (seconds, a year, monotonic timers, several incompatible OnCalendar= lines).",
    ),
];

/// Every code `validate` (and `cron`) can emit, with its severity and summary, sorted.
pub fn validate_codes() -> Vec<(&'static str, Severity, &'static str)> {
    let mut v: Vec<_> = CODES
        .iter()
        .chain(crate::cron::CODES)
        .chain(crate::rule::CODES)
        .copied()
        .collect();
    v.sort_by_key(|c| c.0);
    v
}

/// Every code handoff can emit, sorted.
pub fn all() -> Vec<(&'static str, Severity, &'static str)> {
    let mut v = validate_codes();
    v.extend(COMMAND_CODES.iter().copied());
    v.sort_by_key(|c| c.0);
    v
}

pub fn summary(code: &str) -> Option<&'static str> {
    all().into_iter().find(|c| c.0 == code).map(|c| c.2)
}

pub fn severity(code: &str) -> Option<Severity> {
    all().into_iter().find(|c| c.0 == code).map(|c| c.1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique() {
        let all = super::all();
        let mut names: Vec<_> = all.iter().map(|c| c.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
