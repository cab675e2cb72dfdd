//! The catalogue of diagnostic codes: one [`Code`] per kind of problem, carrying its name (the
//! stable string users see, filter on and suppress), its severity, a one-line summary and its
//! section in docs/diagnostics.md. A misspelt code does not compile; docs/diagnostics.md, the
//! SARIF rule metadata and the fixture-case checks all iterate [`Code::ALL`].

use crate::diagnostic::Severity;

/// Which part of handoff emits a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// `validate`'s checks of the registry, definitions and their references.
    Lint,
    /// Cron schedules (`validate`, `cron`).
    Cron,
    /// CEL rules (`validate`).
    Rule,
    /// Generated files (`validate`, `generate --check`).
    Freshness,
    /// Reading files at all.
    Files,
    /// Commands that check input other than files (`publish`, `import`).
    Command,
    /// `audit` (and `validate` when `[source]` is configured): the publishing service's code
    /// checked against the registry.
    Audit,
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $area:ident, $summary:literal;)*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, sorted by name.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `cron-or-rule`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            pub fn area(self) -> Area {
                match self {
                    $(Code::$variant => Area::$area,)*
                }
            }
        }
    };
}

codes! {
    AttributeType = "attribute-type", Error, Lint, "A rule compares an attribute with a value of an incompatible type.";
    CronBadStep = "cron-bad-step", Error, Cron, "A step is zero, not a number, or larger than its whole field (`*/61`, `*/4294967296`).";
    CronDstGap = "cron-dst-gap", Warning, Cron, "A fixed time that does not exist on a spring-forward day of the time zone.";
    CronDstOverlap = "cron-dst-overlap", Warning, Cron, "A fixed time that occurs twice on a fall-back day of the time zone.";
    CronFieldCount = "cron-field-count", Error, Cron, "A schedule is empty or does not have exactly 5 fields (seconds or year fields are not standard cron).";
    CronNeverFires = "cron-never-fires", Error, Cron, "A schedule that parses but never fires (`0 0 30 2 *`).";
    CronNonstandard = "cron-nonstandard", Error, Cron, "Non-standard syntax: `L`, `W`, `#`, `?`, `H`, `~`.";
    CronOrRule = "cron-or-rule", Warning, Cron, "Day-of-month and day-of-week both restricted: a day matches if EITHER matches.";
    CronOutOfRange = "cron-out-of-range", Error, Cron, "A value is outside its field's range.";
    CronReadsEvent = "cron-reads-event", Error, Lint, "A cron-only definition reads `event`, which is absent when it fires.";
    CronReboot = "cron-reboot", Error, Cron, "`@reboot` names no time: meaningless as a definition's schedule.";
    CronReversedRange = "cron-reversed-range", Error, Cron, "A range whose start is after its end (`5-1`): cron does not wrap around. In day-of-week a range ending in 0 (`fri-sun`, `5-0`) is Friday-Sunday, as in cronie.";
    CronStepOnValue = "cron-step-on-value", Error, Cron, "A step on a single value (`5/10`), which cronie rejects.";
    CronStepOrRule = "cron-step-or-rule", Warning, Cron, "A `*/n` day field with the other day field restricted: cron implementations disagree.";
    CronStepTooLarge = "cron-step-too-large", Warning, Cron, "A step larger than its range selects only the first value.";
    CronSyntax = "cron-syntax", Error, Cron, "A field is malformed: an empty list item, a dangling `-` or `/`, a character cron does not know.";
    CronUnknownMacro = "cron-unknown-macro", Error, Cron, "An `@` macro that cron does not have.";
    CronUnknownName = "cron-unknown-name", Error, Cron, "A name is not a month or day-of-week name, or is in the wrong field.";
    CronUnknownTimezone = "cron-unknown-timezone", Error, Cron, "A time zone that is not in the IANA database.";
    DefinitionDrift = "definition-drift", Warning, Lint, "A definition differs from its migration's plan in the registry (trigger, rule or instruction).";
    DefinitionWithoutMigration = "definition-without-migration", Error, Lint, "A definition names a migration the registry does not have.";
    DeprecatedAttribute = "deprecated-attribute", Warning, Lint, "A rule reads an attribute the registry marks `deprecated`.";
    DeprecatedSubject = "deprecated-subject", Warning, Lint, "An event trigger names a subject the registry marks `deprecated`.";
    DuplicateKey = "duplicate-key", Error, Lint, "A YAML mapping has the same key twice.";
    DuplicateName = "duplicate-name", Error, Lint, "Two migrations, definitions or side effects share a name.";
    DuplicateSubject = "duplicate-subject", Error, Lint, "The same subject is registered twice.";
    EnumValue = "enum-value", Error, Lint, "A rule compares an enum attribute with a value outside its list: the comparison is constant.";
    FileTooLarge = "file-too-large", Error, Lint, "A definition file is larger than 1 MiB; handoff does not read past that.";
    ForbiddenModule = "forbidden-module", Error, Audit, "The publishing service imports or calls a module that creates work (e.g. `temporalio`): it publishes events and the automation engine creates work.";
    ImportDst = "import-dst", Warning, Command, "An imported schedule that the legacy scheduler ran differently at the time zone's DST changes: a systemd timer (it skips a missing local time and fires a repeated one once) or a crontab job under CRON_TZ (cronie checks it minute by minute in that zone).";
    ImportLine = "import-line", Error, Command, "A crontab line that is not a job line (too few fields, no command, no user with --system).";
    ImportUntranslatable = "import-untranslatable", Error, Command, "A systemd timer with no exact cron equivalent (seconds, a year, monotonic timers, several incompatible OnCalendar= lines).";
    InstructionCount = "instruction-count", Error, Lint, "An instruction has both or neither of `shell` and `workflow`.";
    InvalidName = "invalid-name", Error, Lint, "A name that is not of the required form (definition `namespace.name`, attribute identifier).";
    InvalidValue = "invalid-value", Error, Lint, "A value of the right type that is not allowed (bad duration, unknown retention, ...).";
    Io = "io", Error, Files, "A file could not be read, or a file at a generated path is not UTF-8 text.";
    MigrationWithoutDefinition = "migration-without-definition", Error, Lint, "A migration's definition file is missing.";
    MissingField = "missing-field", Error, Lint, "A required field is absent.";
    MissingTrigger = "missing-trigger", Error, Lint, "A definition has neither a cron nor an event trigger.";
    NameMismatch = "name-mismatch", Error, Lint, "A definition's name does not match its file name.";
    OptionalAttribute = "optional-attribute", Error, Lint, "A rule reads an optional attribute where no `has()` test guards it: when the attribute is absent, evaluation fails.";
    OrphanGenerated = "orphan-generated", Error, Freshness, "A file generate wrote earlier that the registry no longer produces (a renamed subject or migration, a changed `[output]` path).";
    ParallelRunUnsafe = "parallel-run-unsafe", Error, Lint, "A migration at or past its parallel run has a side effect not declared idempotent with a mechanism.";
    PrefixOutsideStream = "prefix-outside-stream", Error, Lint, "In a workspace, a registry's subject prefix is not inside the shared stream's filter.";
    PublishArgument = "publish-argument", Error, Command, "A `handoff publish` argument is malformed (`--attr` without `=`, a repeated attribute, an `--id` that is not a UUID).";
    PublishAttribute = "publish-attribute", Error, Command, "`handoff publish` was given a missing, unknown or mistyped attribute.";
    PublishBeforeCommit = "publish-before-commit", Error, Audit, "A publish not preceded, on every path from the function's entry, by a commit of the transaction.";
    PublishMissing = "publish-missing", Error, Audit, "A trigger-site function never publishes its subject, directly or through a function of its module.";
    PublishNotAwaited = "publish-not-awaited", Error, Audit, "A publisher coroutine is called without `await`: it never runs.";
    PublishUnknownSubject = "publish-unknown-subject", Error, Command, "`handoff publish` was given a subject the registry does not have.";
    PublishedElsewhere = "published-elsewhere", Warning, Audit, "A registered subject is also published outside its declared trigger site.";
    PythonSyntax = "python-syntax", Error, Audit, "A file of the publishing service does not parse as Python.";
    RuleSyntax = "rule-syntax", Error, Rule, "`rule.when` does not parse as a CEL expression";
    StaleGenerated = "stale-generated", Error, Freshness, "A generated file is missing or out of date.";
    StreamMismatch = "stream-mismatch", Error, Lint, "In a workspace, a registry names another stream than the shared one.";
    SubjectClash = "subject-clash", Error, Lint, "In a workspace, two registries register the same subject.";
    SubjectForm = "subject-form", Error, Lint, "A subject is not of the form `<prefix>.<entity>.<event>`.";
    SubjectOutsideStream = "subject-outside-stream", Error, Lint, "A subject is not covered by the stream's subject filter.";
    SuppressionUnknownCode = "suppression-unknown-code", Error, Lint, "A suppression (`# handoff: ignore[…]`, `[lint]` in the registry) names a code handoff does not have.";
    TomlSyntax = "toml-syntax", Error, Lint, "The registry is not valid TOML.";
    TriggerSiteMissing = "trigger-site-missing", Error, Audit, "The file or function a subject's `trigger_site` names does not exist.";
    UnknownAttribute = "unknown-attribute", Error, Lint, "A rule reads an event attribute that a triggering subject does not declare.";
    UnknownContext = "unknown-context", Error, Lint, "A rule requires a context the registry does not declare.";
    UnknownEnvelopeField = "unknown-envelope-field", Error, Lint, "A rule reads `event.X` where X is not an envelope field.";
    UnknownKey = "unknown-key", Error, Lint, "A key the format does not have; usually a typo.";
    UnknownPublishedSubject = "unknown-published-subject", Error, Audit, "`publish_event` is called with a literal subject the registry does not have.";
    UnknownType = "unknown-type", Error, Lint, "An attribute type the registry does not know.";
    UnregisteredSubject = "unregistered-subject", Error, Lint, "An event trigger names a subject nobody registered.";
    UnrequiredContext = "unrequired-context", Warning, Lint, "A rule reads a context it does not list in `requires`.";
    UnusedSuppression = "unused-suppression", Warning, Lint, "A `# handoff: ignore[…]` comment that suppresses nothing: remove it.";
    UnverifiableSubject = "unverifiable-subject", Warning, Audit, "`publish_event` is called with a subject that is not a string literal, so it cannot be checked.";
    WrongType = "wrong-type", Error, Lint, "A value has the wrong type (e.g. a number where a string is expected).";
    YamlSyntax = "yaml-syntax", Error, Lint, "A definition is not valid YAML (or holds several documents or aliases).";
}

impl Code {
    /// The code named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Whether `validate` (or `cron`) can emit it; the others belong to other commands.
    pub fn is_validate(self) -> bool {
        self.area() != Area::Command
    }

    /// The anchor of its section in docs/diagnostics.md (a heading `## <name>`).
    pub fn docs_anchor(self) -> &'static str {
        self.name()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_sorted_and_round_trip() {
        let names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            names, sorted,
            "Code::ALL must be sorted by name, without repeats"
        );
        for c in Code::ALL {
            assert_eq!(Code::from_name(c.name()), Some(*c));
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }
}
