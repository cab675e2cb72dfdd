//! The registry, `subjects.toml`: the single source of truth for the stream, the envelope, every
//! lifecycle subject and every legacy job being migrated. See docs/registry.md.
//!
//! This module holds the checked model; [`load`] turns the file into a validated [`Registry`],
//! reporting every problem at once. One file per role:
//!
//! - `load.rs`: the top level — reads the TOML tree into the model and runs the whole-registry
//!   checks (duplicates, subject form, stream coverage);
//! - `stream.rs`: `[stream]` (name, retention, storage, durations, replicas);
//! - `subjects.rs`: `[[subjects]]` and their attributes;
//! - `migrations.rs`: `[[migrations]]`: legacy job, side effects, definition plan, instruction,
//!   cutover steps;
//! - `names.rs`: the name rules (subjects, attributes, definitions, migrations, output paths) and
//!   the valid names suggested for a bad one;
//! - `patterns.rs`: NATS subject patterns (`*`, `>`).

pub(crate) mod lint;
mod load;
mod migrations;
pub use lint::Lint;
mod names;
mod patterns;
mod stream;
mod subjects;
mod timestamp;

pub use load::{load, load_tolerating};
pub use migrations::instruction;
pub use names::{
    check_definition_name, check_migration_name, is_definition_name, is_migration_name,
    is_output_path, migration_name_suggestion, output_path_suggestion,
};
pub use patterns::{pattern_within, subject_matches};
pub use stream::parse_duration;
pub use subjects::node_to_json;

use std::ops::Range;

use crate::model::{Idempotency, Rule, Trigger};
use crate::source::{SourceFile, Spanned};

/// The validated registry.
#[derive(Debug, Clone)]
pub struct Registry {
    pub file: SourceFile,
    /// The registry's own version; subjects say which version introduced them.
    pub version: String,
    /// Every subject lives under this prefix, e.g. `org.billing` (required).
    pub subject_prefix: String,
    pub stream: Stream,
    pub envelope: Envelope,
    /// `[names]`: how generated documents and `plan` name the service and the engine.
    pub names: Names,
    pub contexts: Vec<Context>,
    /// Shared, so that generate's template views can read the subjects without copying them.
    pub subjects: std::sync::Arc<Vec<Subject>>,
    pub migrations: Vec<Migration>,
    pub output: Output,
    /// `[lint]`: registry-level suppressions and severity overrides.
    pub lint: lint::Lint,
    /// `[source]`: where the publishing service's code is, for `audit`.
    pub source: Option<crate::audit::config::SourceConfig>,
    /// Subject name -> index in `subjects`, for exact lookups.
    index: std::collections::HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Stream {
    pub name: String,
    /// The stream's subject filters, e.g. `org.>`.
    pub subjects: Vec<String>,
    pub retention: String,
    pub storage: String,
    pub max_age: Duration,
    pub duplicate_window: Duration,
    /// How many servers of a JetStream cluster keep a copy (1..=5; 1 on a single server).
    pub replicas: usize,
}

/// A duration as written (`30d`, `2m`) and in seconds. `0` means unbounded for `max_age`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    pub text: String,
    pub seconds: u64,
}

#[derive(Debug, Clone)]
pub struct Envelope {
    pub version: String,
    pub publisher: String,
}

/// `[names]`: how generated documents and `handoff plan` refer to the publishing service and to
/// the engine that runs the ActivityDefinitions, as the words read mid-sentence
/// (`"the billing service"`, `"the automation engine"`). Unlike `[envelope].publisher`, an identifier carried in
/// every event, these are prose only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub service: String,
    pub engine: String,
}

impl Names {
    /// The wording when `[names].service` is absent.
    pub const DEFAULT_SERVICE: &'static str = "the publishing service";
    /// The wording when `[names].engine` is absent.
    pub const DEFAULT_ENGINE: &'static str = "the automation engine";
}

impl Default for Names {
    fn default() -> Self {
        Names {
            service: Self::DEFAULT_SERVICE.to_string(),
            engine: Self::DEFAULT_ENGINE.to_string(),
        }
    }
}

/// A named context value a rule may require, such as `billing.health`.
#[derive(Debug, Clone)]
pub struct Context {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Subject {
    pub subject: Spanned<String>,
    pub since: String,
    pub summary: String,
    /// `file:function` where the service publishes it.
    pub trigger_site: Spanned<String>,
    /// When exactly it fires.
    pub fires: String,
    pub attributes: Vec<Attribute>,
    /// Set when the subject is deprecated (`deprecated = "<version>"`).
    pub deprecated: Option<Deprecation>,
}

/// `deprecated = "<version>"` with `deprecated_reason` and optional `replaced_by`, on a subject
/// or an attribute (docs/registry.md, docs/breaking.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// The registry version that deprecated it.
    pub version: String,
    pub reason: String,
    /// What to use instead (a subject, or an attribute of the same subject), checked to exist.
    pub replaced_by: Option<Spanned<String>>,
}

impl Subject {
    /// The part after the prefix without the last token, e.g. `domain.goal`.
    pub fn entity(&self, prefix: &str) -> String {
        let rest = self.rest(prefix);
        rest.rsplit_once('.').map_or(rest, |(e, _)| e).to_string()
    }

    /// The last token, e.g. `activated`.
    pub fn event(&self) -> &str {
        self.subject.rsplit('.').next().unwrap_or("")
    }

    fn rest<'s>(&'s self, prefix: &str) -> &'s str {
        self.subject
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(&self.subject)
    }

    /// The Python publisher's name, e.g. `publish_domain_goal_activated`.
    pub fn publisher_fn(&self, prefix: &str) -> String {
        format!("publish_{}", self.rest(prefix).replace(['.', '-'], "_"))
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
    pub required: bool,
    pub description: String,
    pub example: serde_json::Value,
    /// Set when the attribute is deprecated.
    pub deprecated: Option<Deprecation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrType {
    String,
    Integer,
    /// Any JSON number (an amount, a ratio, a duration in seconds); a float in Python, a double
    /// in CEL. Integers are numbers too.
    Number,
    Boolean,
    /// UTC RFC 3339 date-time, carried as a JSON string.
    Timestamp,
    /// A UUID, carried as a JSON string.
    Uuid,
    /// One of the listed strings.
    Enum(Vec<String>),
}

impl AttrType {
    pub const NAMES: &'static [&'static str] = &[
        "string",
        "integer",
        "number",
        "boolean",
        "timestamp",
        "uuid",
        "enum",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Integer => "integer",
            AttrType::Number => "number",
            AttrType::Boolean => "boolean",
            AttrType::Timestamp => "timestamp",
            AttrType::Uuid => "uuid",
            AttrType::Enum(_) => "enum",
        }
    }

    /// Checks a JSON value against the type; `Err` says what was expected.
    pub fn check(&self, value: &serde_json::Value) -> Result<(), String> {
        use serde_json::Value as J;
        let ok = match (self, value) {
            (AttrType::String, J::String(_)) => true,
            (AttrType::Integer, J::Number(n)) => n.is_i64() || n.is_u64(),
            // JSON has no NaN or infinity: every number parsed is finite.
            (AttrType::Number, J::Number(_)) => true,
            (AttrType::Boolean, J::Bool(_)) => true,
            (AttrType::Timestamp, J::String(s)) => is_utc_timestamp(s),
            (AttrType::Uuid, J::String(s)) => is_uuid(s),
            (AttrType::Enum(values), J::String(s)) => values.iter().any(|v| v == s),
            _ => false,
        };
        if ok { Ok(()) } else { Err(self.expectation()) }
    }

    /// "an integer", "one of `a`, `b`", ...
    pub fn expectation(&self) -> String {
        match self {
            AttrType::String => "a string".into(),
            AttrType::Integer => "an integer".into(),
            AttrType::Number => "a number".into(),
            AttrType::Boolean => "a boolean".into(),
            AttrType::Timestamp => {
                "a UTC RFC 3339 timestamp string (e.g. 2026-11-26T09:30:00Z)".into()
            }
            AttrType::Uuid => "a UUID string".into(),
            AttrType::Enum(values) => format!(
                "one of {}",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC, RFC 3339).
pub fn is_utc_timestamp(s: &str) -> bool {
    timestamp::plain_utc(s)
        || (s.ends_with('Z')
            && s.parse::<jiff::Timestamp>().is_ok()
            && s.as_bytes().get(10) == Some(&b'T'))
}

/// A UUID in its hyphenated form, `8-4-4-4-12` hexadecimal digits (either case).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub name: Spanned<String>,
    pub summary: String,
    pub legacy: Legacy,
    pub side_effects: Vec<SideEffect>,
    pub definition: DefinitionPlan,
    pub cutover: Cutover,
    /// The event types this migration introduces (besides its definition's event triggers):
    /// `plan` checks their registration, publish and scope with evidence.
    pub subjects: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Legacy {
    /// The legacy cron expression, if scheduled by cron.
    pub schedule: Option<Spanned<String>>,
    pub timezone: String,
    /// The legacy systemd timer unit, if scheduled by systemd.
    pub systemd_timer: Option<String>,
    pub command: String,
    /// Free-form notes from an import (MAILTO, RandomizedDelaySec, ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideEffectBy {
    Legacy,
    Definition,
    Both,
}

impl SideEffectBy {
    pub fn name(self) -> &'static str {
        match self {
            SideEffectBy::Legacy => "legacy",
            SideEffectBy::Definition => "definition",
            SideEffectBy::Both => "both",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SideEffect {
    pub name: Spanned<String>,
    pub description: String,
    pub by: SideEffectBy,
    pub creates_work: bool,
    /// `None` when not declared yet.
    pub idempotent: Option<bool>,
    pub mechanism: Option<String>,
    pub key: Option<String>,
}

/// What the migration's ActivityDefinition should be; the draft in definitions/ is rendered from it.
#[derive(Debug, Clone)]
pub struct DefinitionPlan {
    pub name: Spanned<String>,
    pub owner: String,
    pub description: String,
    pub trigger: Trigger,
    pub rule: Rule,
    pub instruction: Instruction,
    pub idempotency: Idempotency,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Instruction {
    Shell {
        command: String,
        workdir: Option<String>,
        timeout: Option<String>,
    },
    Workflow {
        name: String,
        task_queue: String,
        input: serde_json::Map<String, serde_json::Value>,
    },
}

/// The protocol's eight cutover steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    SideEffectsIdentified,
    TriggerDecided,
    SubjectDocumented,
    PublishWired,
    DefinitionLanded,
    ParallelRun,
    LegacyDisabled,
    ScopeUpdated,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::SideEffectsIdentified,
        Step::TriggerDecided,
        Step::SubjectDocumented,
        Step::PublishWired,
        Step::DefinitionLanded,
        Step::ParallelRun,
        Step::LegacyDisabled,
        Step::ScopeUpdated,
    ];

    /// The key in `[migrations.cutover]`.
    pub fn key(self) -> &'static str {
        match self {
            Step::SideEffectsIdentified => "side_effects_identified",
            Step::TriggerDecided => "trigger_decided",
            Step::SubjectDocumented => "subject_documented",
            Step::PublishWired => "publish_wired",
            Step::DefinitionLanded => "definition_landed",
            Step::ParallelRun => "parallel_run",
            Step::LegacyDisabled => "legacy_disabled",
            Step::ScopeUpdated => "scope_updated",
        }
    }

    /// 1-based position on the checklist.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// The checklist wording; step 5 names the engine (`[names].engine`).
    pub fn title(self, names: &Names) -> String {
        let title = match self {
            Step::SideEffectsIdentified => "Side effects identified (does any create work?)",
            Step::TriggerDecided => "Trigger decided (keep cron, or upgrade to an event)",
            Step::SubjectDocumented => "Subject row added to docs/nats-event-subjects.md",
            Step::PublishWired => "publish_event(...) wired at the trigger site",
            Step::DefinitionLanded => {
                return format!(
                    "ActivityDefinition landed in {} and enabled in staging",
                    names.engine
                );
            }
            Step::ParallelRun => {
                "Old cron and new definition run in parallel for one week (both idempotent)"
            }
            Step::LegacyDisabled => "Old cron / systemd timer disabled, unit files archived",
            Step::ScopeUpdated => "SCOPE.md \"Often used with\" updated",
        };
        title.to_string()
    }
}

/// The state of one checklist step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Pending,
    /// Done on this date (for the parallel run: started on it).
    Done(jiff::civil::Date),
    /// Does not apply to this migration (e.g. no new event type).
    NotApplicable,
}

#[derive(Debug, Clone)]
pub struct Cutover {
    pub steps: Vec<(Step, StepState, Option<Range<usize>>)>,
}

impl Cutover {
    pub fn state(&self, step: Step) -> &StepState {
        &self.steps[step as usize].1
    }

    /// The first step neither done nor not applicable.
    pub fn next_step(&self) -> Option<Step> {
        self.steps
            .iter()
            .find(|(_, s, _)| *s == StepState::Pending)
            .map(|(s, _, _)| *s)
    }

    /// Whether the parallel run has started (or anything after it is done).
    pub fn at_or_past(&self, step: Step) -> bool {
        self.steps
            .iter()
            .any(|(s, st, _)| *s >= step && matches!(st, StepState::Done(_)))
    }
}

/// Where generated files go, relative to the registry's folder.
#[derive(Debug, Clone)]
pub struct Output {
    pub subjects_doc: String,
    pub migration_doc: String,
    pub definitions: String,
    pub schemas: String,
    pub python: String,
}

impl Output {
    /// The defaults: the Python package is named from the envelope's publisher
    /// (`billing-api` gives `stubs/billing_api_events`; `stubs/events` without one).
    pub fn for_publisher(publisher: Option<&str>) -> Self {
        Output {
            subjects_doc: "docs/nats-event-subjects.md".into(),
            migration_doc: "docs/cron-migration.md".into(),
            definitions: "definitions".into(),
            schemas: "docs/schemas".into(),
            python: publisher.map_or_else(|| "stubs/events".into(), crate::init::python_package),
        }
    }
}

impl Registry {
    /// Rebuilds the subject index after `subjects` changed (a workspace's merged view).
    pub fn reindex(&mut self) {
        self.index.clear();
        for (i, s) in self.subjects.iter().enumerate() {
            self.index.entry(s.subject.value.clone()).or_insert(i);
        }
    }

    pub fn subject(&self, subject: &str) -> Option<&Subject> {
        self.index.get(subject).map(|&i| &self.subjects[i])
    }

    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }

    pub fn migration(&self, name: &str) -> Option<&Migration> {
        self.migrations.iter().find(|m| *m.name == name)
    }

    /// Registered subjects matched by a subject or wildcard pattern.
    pub fn matching(&self, pattern: &str) -> Vec<&Subject> {
        if !pattern.contains(['*', '>']) {
            return self.subject(pattern).into_iter().collect();
        }
        self.subjects
            .iter()
            .filter(|s| subject_matches(pattern, &s.subject))
            .collect()
    }

    /// Whether a subject or pattern lies inside the stream's filters.
    pub fn in_stream(&self, subject: &str) -> bool {
        self.stream
            .subjects
            .iter()
            .any(|f| pattern_within(subject, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_types_check_json() {
        use serde_json::json;
        assert!(AttrType::Integer.check(&json!(3)).is_ok());
        assert!(AttrType::Integer.check(&json!("3")).is_err());
        assert!(AttrType::Integer.check(&json!(2.5)).is_err());
        for n in [json!(3), json!(-2.5), json!(1e300), json!(u64::MAX)] {
            assert!(AttrType::Number.check(&n).is_ok(), "{n}");
        }
        for v in [json!("2.5"), json!(true), json!(null), json!([1])] {
            assert_eq!(
                AttrType::Number.check(&v),
                Err("a number".to_string()),
                "{v}"
            );
        }
        assert!(
            AttrType::Timestamp
                .check(&json!("2026-11-26T09:30:00Z"))
                .is_ok()
        );
        assert!(
            AttrType::Timestamp
                .check(&json!("2026-11-26 09:30"))
                .is_err()
        );
        assert!(
            AttrType::Uuid
                .check(&json!("0b9f6c52-3f5e-4f7e-9a57-2b0c2f1f0c11"))
                .is_ok()
        );
        assert!(AttrType::Enum(vec!["a".into()]).check(&json!("b")).is_err());
    }
}
