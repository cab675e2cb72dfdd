//! The registry, `subjects.toml`: the single source of truth for the stream, the envelope, every
//! lifecycle subject and every legacy job being migrated. See docs/registry.md.
//!
//! [`load`] turns the file into a validated [`Registry`], reporting every problem at once.

use crate::codes::Code;
use std::collections::BTreeSet;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{
    Fields, Node, SourceFile, Spanned, Value, did_you_mean, parse_toml, wrong_type,
};

/// The validated registry.
#[derive(Debug, Clone)]
pub struct Registry {
    pub file: SourceFile,
    /// The registry's own version; subjects say which version introduced them.
    pub version: String,
    /// Every subject lives under this prefix, e.g. `org.statehub`.
    pub subject_prefix: String,
    pub stream: Stream,
    pub envelope: Envelope,
    pub contexts: Vec<Context>,
    pub subjects: Vec<Subject>,
    pub migrations: Vec<Migration>,
    pub output: Output,
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

/// A named context value a rule may require, such as `state-hub.health`.
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
    /// `file:function` where the state hub publishes it.
    pub trigger_site: String,
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
    Boolean,
    /// UTC RFC 3339 date-time, carried as a JSON string.
    Timestamp,
    /// A UUID, carried as a JSON string.
    Uuid,
    /// One of the listed strings.
    Enum(Vec<String>),
}

impl AttrType {
    pub const NAMES: &'static [&'static str] =
        &["string", "integer", "boolean", "timestamp", "uuid", "enum"];

    pub fn name(&self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Integer => "integer",
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
    s.ends_with('Z') && s.parse::<jiff::Timestamp>().is_ok() && s.as_bytes().get(10) == Some(&b'T')
}

pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub name: Spanned<String>,
    pub summary: String,
    pub legacy: Legacy,
    pub side_effects: Vec<SideEffect>,
    pub definition: DefinitionPlan,
    pub cutover: Cutover,
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
    pub cron: Option<Spanned<String>>,
    pub timezone: Spanned<String>,
    pub events: Vec<Spanned<String>>,
    pub when: Spanned<String>,
    pub requires: Vec<Spanned<String>>,
    pub instruction: Instruction,
    pub idempotency_key: String,
    pub idempotency_mechanism: String,
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

    /// The checklist wording.
    pub fn title(self) -> &'static str {
        match self {
            Step::SideEffectsIdentified => "Side effects identified (does any create work?)",
            Step::TriggerDecided => "Trigger decided (keep cron, or upgrade to an event)",
            Step::SubjectDocumented => "Subject row added to docs/nats-event-subjects.md",
            Step::PublishWired => "publish_event(...) wired at the trigger site",
            Step::DefinitionLanded => {
                "ActivityDefinition landed in activity-core and enabled in staging"
            }
            Step::ParallelRun => {
                "Old cron and new definition run in parallel for one week (both idempotent)"
            }
            Step::LegacyDisabled => "Old cron / systemd timer disabled, unit files archived",
            Step::ScopeUpdated => "SCOPE.md \"Often used with\" updated",
        }
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

impl Default for Output {
    fn default() -> Self {
        Output {
            subjects_doc: "docs/nats-event-subjects.md".into(),
            migration_doc: "docs/cron-migration.md".into(),
            definitions: "definitions".into(),
            schemas: "docs/schemas".into(),
            python: "stubs/statehub_events".into(),
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

/// NATS subject matching: `*` matches one token, `>` one or more trailing tokens.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut p = pattern.split('.');
    let mut s = subject.split('.');
    loop {
        match (p.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Whether every subject `inner` can match is also matched by `outer`.
pub fn pattern_within(inner: &str, outer: &str) -> bool {
    let mut i = inner.split('.');
    let mut o = outer.split('.');
    loop {
        match (i.next(), o.next()) {
            (Some(_), Some(">")) => return true,
            (Some(">"), Some(_)) => return false,
            (Some("*"), Some("*")) => {}
            (Some("*"), Some(_)) => return false,
            (Some(_), Some("*")) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// A lowercase subject token: `[a-z][a-z0-9_]*`.
fn is_token(t: &str) -> bool {
    let mut c = t.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
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
                format!("definition name `{}` is not of the form `namespace.name`", name.value),
            )
            .with_help("use lowercase letters, digits and dashes, e.g. `the-custodian.state-hub-consistency-sweep`"),
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

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Parses `30d`, `2m`, `1h30m`, `90s` or `0`.
pub fn parse_duration(text: &str) -> Option<u64> {
    if text == "0" {
        return Some(0);
    }
    let mut total = 0u64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if digits.is_empty() && !text.is_empty() {
        Some(total)
    } else {
        None
    }
}

const TOP_KEYS: &[&str] = &[
    "version",
    "subject_prefix",
    "stream",
    "envelope",
    "output",
    "contexts",
    "subjects",
    "migrations",
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
    let subject_prefix = top
        .string("subject_prefix", diags)
        .map_or_else(|| "org.statehub".to_string(), |s| s.value);
    let stream = top
        .require("stream", diags)
        .and_then(|n| stream(file, n, diags));
    let envelope = top
        .require("envelope", diags)
        .and_then(|n| envelope(file, n, diags));
    let output = match top.get("output") {
        Some(n) => output(file, n, diags),
        None => Output::default(),
    };
    let contexts = top
        .get("contexts")
        .map(|n| contexts(file, n, diags))
        .unwrap_or_default();
    let subjects = top
        .require("subjects", diags)
        .map(|n| array_of_tables(file, n, "subjects", diags, subject))
        .unwrap_or_default();
    let migrations = top
        .get("migrations")
        .map(|n| array_of_tables(file, n, "migrations", diags, migration))
        .unwrap_or_default();
    top.finish(TOP_KEYS, diags);

    let stream = stream?;
    let envelope = envelope?;
    let registry = Registry {
        file: SourceFile::new(file.path.clone(), String::new()),
        version,
        subject_prefix,
        stream,
        envelope,
        contexts,
        subjects,
        migrations,
        output,
        index: Default::default(),
    };
    let mut registry = registry;
    for (i, s) in registry.subjects.iter().enumerate() {
        registry.index.entry(s.subject.value.clone()).or_insert(i);
    }
    cross_check(file, &registry, diags);
    Some(registry)
}

fn array_of_tables<T>(
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

fn stream(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Stream> {
    let mut f = Fields::new(file, node, "`[stream]`", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name
        && (n.is_empty() || n.contains(|c: char| c.is_whitespace() || ".*>/\\".contains(c)))
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                n.span.clone(),
                format!("`{}` is not a valid JetStream stream name", n.value),
            )
            .with_help("use letters, digits, `-` and `_` only, e.g. `ACTIVITY_EVENTS`"),
        );
    }
    let subjects = f.string_list("subjects", diags).unwrap_or_default();
    if subjects.is_empty() && f.get("subjects").is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "`[stream]` is missing the required field `subjects`",
            )
            .with_help("add `subjects = [\"org.>\"]`"),
        );
    }
    let retention = choice(
        &mut f,
        "retention",
        &["limits", "interest", "workqueue"],
        "limits",
        diags,
    );
    let storage = choice(&mut f, "storage", &["file", "memory"], "file", diags);
    let max_age = duration(&mut f, "max_age", "0", diags);
    let duplicate_window = duration(&mut f, "duplicate_window", "2m", diags);
    if max_age.seconds > 0 && duplicate_window.seconds > max_age.seconds {
        let span = f
            .get("duplicate_window")
            .map_or(node.span.clone(), |n| n.span.clone());
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                span,
                "the duplicate window cannot be longer than `max_age`",
            )
            .with_help("JetStream rejects such a stream; shorten `duplicate_window`"),
        );
    }
    f.finish(
        &[
            "name",
            "subjects",
            "retention",
            "storage",
            "max_age",
            "duplicate_window",
        ],
        diags,
    );
    Some(Stream {
        name: name?.value,
        subjects: subjects.into_iter().map(|s| s.value).collect(),
        retention,
        storage,
        max_age,
        duplicate_window,
    })
}

fn choice(
    f: &mut Fields,
    name: &str,
    allowed: &[&str],
    default: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    match f.string(name, diags) {
        None => default.to_string(),
        Some(v) if allowed.contains(&v.as_str()) => v.value,
        Some(v) => {
            let help = match did_you_mean(&v, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", allowed.join(", ")),
            };
            diags.push(
                f.file
                    .diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!("`{}` is not a valid `{name}`", v.value),
                    )
                    .with_help(help),
            );
            default.to_string()
        }
    }
}

fn duration(f: &mut Fields, name: &str, default: &str, diags: &mut Vec<Diagnostic>) -> Duration {
    let fallback = Duration {
        text: default.to_string(),
        seconds: parse_duration(default).unwrap_or(0),
    };
    let Some(v) = f.string(name, diags) else {
        return fallback;
    };
    match parse_duration(&v) {
        Some(seconds) => Duration {
            text: v.value,
            seconds,
        },
        None => {
            diags.push(
                f.file
                    .diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!("`{}` is not a duration", v.value),
                    )
                    .with_help("write a number with a unit: `90s`, `2m`, `1h30m`, `30d`, or `0` for unbounded"),
            );
            fallback
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

fn output(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Output {
    let mut out = Output::default();
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

const SUBJECT_KEYS: &[&str] = &[
    "subject",
    "since",
    "summary",
    "trigger_site",
    "fires",
    "attributes",
    "deprecated",
    "deprecated_reason",
    "replaced_by",
];

fn subject(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Subject> {
    let mut f = Fields::new(file, node, "a `[[subjects]]` entry", diags)?;
    let subject = f.require_string("subject", diags);
    let since = f.require_string("since", diags);
    let summary = f.require_string("summary", diags);
    let trigger_site = f.require_string("trigger_site", diags);
    if let Some(site) = &trigger_site
        && !matches!(site.split_once(':'), Some((file_part, func)) if !file_part.is_empty() && !func.trim().is_empty())
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                site.span.clone(),
                format!(
                    "trigger site `{}` is not of the form `file:function`",
                    site.value
                ),
            )
            .with_help("e.g. `api/routers/repos.py:register_repo`"),
        );
    }
    let fires = f.require_string("fires", diags);
    let attributes = match f.get("attributes") {
        Some(n) => attributes(file, n, diags),
        None => Vec::new(),
    };
    let deprecated = deprecation(file, node, &mut f, diags);
    f.finish(SUBJECT_KEYS, diags);
    Some(Subject {
        subject: subject?,
        since: since?.value,
        summary: summary?.value,
        trigger_site: trigger_site?.value,
        fires: fires?.value,
        attributes,
        deprecated,
    })
}

const ATTRIBUTE_KEYS: &[&str] = &[
    "type",
    "required",
    "description",
    "example",
    "values",
    "deprecated",
    "deprecated_reason",
    "replaced_by",
];

/// `deprecated`, `deprecated_reason` (required with it) and `replaced_by`.
fn deprecation(
    file: &SourceFile,
    node: &Node,
    f: &mut Fields,
    diags: &mut Vec<Diagnostic>,
) -> Option<Deprecation> {
    let version = f.string("deprecated", diags);
    let reason = f.string("deprecated_reason", diags);
    let replaced_by = f.string("replaced_by", diags);
    let Some(version) = version else {
        if let Some(extra) = reason.as_ref().or(replaced_by.as_ref()) {
            diags.push(
                file.diagnostic(
                    Code::MissingField,
                    extra.span.clone(),
                    "`deprecated_reason` and `replaced_by` need `deprecated = \"<version>\"`",
                )
                .with_help("add `deprecated = \"<the registry version that deprecates it>\"`"),
            );
        }
        return None;
    };
    let Some(reason) = reason else {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "a deprecation needs `deprecated_reason`",
            )
            .with_help("add `deprecated_reason = \"why, and what consumers should do\"`"),
        );
        return None;
    };
    Some(Deprecation {
        version: version.value,
        reason: reason.value,
        replaced_by,
    })
}

fn attributes(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Vec<Attribute> {
    let Some(mut f) = Fields::new(file, node, "`attributes`", diags) else {
        return Vec::new();
    };
    let Value::Map(entries) = &node.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, _) in entries {
        let Some(n) = f.get(&key.name) else { continue };
        let valid_ident = key
            .name
            .starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && key
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !PYTHON_KEYWORDS.contains(&key.name.as_str());
        if !valid_ident {
            diags.push(
                file.diagnostic(
                    Code::InvalidName,
                    key.span.clone(),
                    format!("attribute name `{}` is not a lowercase identifier", key.name),
                )
                .with_help("use snake_case (`repo_slug`); names become Python keyword arguments and CEL fields"),
            );
        }
        let what = format!("attribute `{}`", key.name);
        let Some(mut a) = Fields::new(file, n, what, diags) else {
            continue;
        };
        let ty_name = a.require_string("type", diags);
        let values = a.string_list("values", diags);
        let ty = ty_name.as_ref().and_then(|t| match t.as_str() {
            "string" => Some(AttrType::String),
            "integer" => Some(AttrType::Integer),
            "boolean" => Some(AttrType::Boolean),
            "timestamp" => Some(AttrType::Timestamp),
            "uuid" => Some(AttrType::Uuid),
            "enum" => match &values {
                Some(v) if !v.is_empty() => {
                    Some(AttrType::Enum(v.iter().map(|s| s.value.clone()).collect()))
                }
                _ => {
                    diags.push(
                        file.diagnostic(
                            Code::MissingField,
                            t.span.clone(),
                            format!(
                                "enum attribute `{}` needs a non-empty `values` list",
                                key.name
                            ),
                        )
                        .with_help("add `values = [\"a\", \"b\"]`"),
                    );
                    None
                }
            },
            other => {
                let help = match did_you_mean(other, AttrType::NAMES.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of: {}", AttrType::NAMES.join(", ")),
                };
                diags.push(
                    file.diagnostic(
                        Code::UnknownType,
                        t.span.clone(),
                        format!("unknown attribute type `{other}`"),
                    )
                    .with_help(help),
                );
                None
            }
        });
        if let (Some(v), Some(t)) = (&values, &ty)
            && !matches!(t, AttrType::Enum(_))
            && let Some(first) = v.first()
        {
            diags.push(
                file.diagnostic(
                    Code::UnknownKey,
                    first.span.clone(),
                    format!(
                        "`values` only applies to enum attributes, and `{}` is a {}",
                        key.name,
                        t.name()
                    ),
                )
                .with_help("remove `values`, or set `type = \"enum\"`"),
            );
        }
        let required = a.bool("required", diags).map(|b| b.value);
        if required.is_none() && a.get("required").is_none() {
            diags.push(
                file.diagnostic(
                    Code::MissingField,
                    n.span.start..n.span.start + 1,
                    format!(
                        "attribute `{}` is missing the required field `required`",
                        key.name
                    ),
                )
                .with_help("add `required = true` or `required = false`"),
            );
        }
        let description = a.require_string("description", diags);
        let example = a.require("example", diags).map(|n| (n, node_to_json(n)));
        let deprecated = deprecation(file, n, &mut a, diags);
        if let (Some((n, ex)), Some(t)) = (&example, &ty)
            && let Err(expected) = t.check(ex)
        {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    n.span.clone(),
                    format!("example for `{}` must be {expected}", key.name),
                )
                .with_help(format!("give an example of type `{}`", t.name())),
            );
        }
        a.finish(ATTRIBUTE_KEYS, diags);
        if let (Some(ty), Some(required), Some(description), Some((_, example))) =
            (ty, required, description, example)
        {
            out.push(Attribute {
                name: key.name.clone(),
                ty,
                required,
                description: description.value,
                example,
                deprecated,
            });
        }
    }
    for a in &out {
        if let Some(r) = a.deprecated.as_ref().and_then(|d| d.replaced_by.as_ref())
            && (r.value == a.name || !out.iter().any(|b| b.name == r.value))
        {
            let known: Vec<&str> = out
                .iter()
                .filter(|b| b.name != a.name)
                .map(|b| b.name.as_str())
                .collect();
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    r.span.clone(),
                    format!(
                        "`replaced_by` of attribute `{}` names `{}`, which is not another attribute of this subject",
                        a.name, r.value
                    ),
                )
                .with_help(match did_you_mean(r, known.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "add the replacement attribute first, or remove `replaced_by`".to_string(),
                }),
            );
        }
    }
    out
}

/// A positioned node as JSON (dates become strings).
pub fn node_to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) | Value::Datetime(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), node_to_json(v)))
                .collect(),
        ),
    }
}

const MIGRATION_KEYS: &[&str] = &[
    "name",
    "summary",
    "legacy",
    "side_effects",
    "definition",
    "cutover",
];

fn migration(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Migration> {
    let mut f = Fields::new(file, node, "a `[[migrations]]` entry", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name {
        check_migration_name(file, n, diags);
    }
    let summary = f.require_string("summary", diags);
    let legacy = f
        .require("legacy", diags)
        .and_then(|n| legacy(file, n, diags));
    let side_effects = f
        .get("side_effects")
        .map(|n| array_of_tables(file, n, "side_effects", diags, side_effect))
        .unwrap_or_default();
    let definition = f
        .require("definition", diags)
        .and_then(|n| definition_plan(file, n, diags));
    let cutover = match f.get("cutover") {
        Some(n) => cutover(file, n, diags),
        None => Cutover {
            steps: Step::ALL
                .iter()
                .map(|s| (*s, StepState::Pending, None))
                .collect(),
        },
    };
    f.finish(MIGRATION_KEYS, diags);
    Some(Migration {
        name: name?,
        summary: summary?.value,
        legacy: legacy?,
        side_effects,
        definition: definition?,
        cutover,
    })
}

fn legacy(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Legacy> {
    let mut f = Fields::new(file, node, "`legacy`", diags)?;
    let schedule = f.string("schedule", diags);
    let timezone = f
        .string("timezone", diags)
        .map_or_else(|| "UTC".to_string(), |t| t.value);
    let systemd_timer = f.string("systemd_timer", diags).map(|s| s.value);
    let command = f.require_string("command", diags);
    let notes = f
        .string_list("notes", diags)
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.value)
        .collect();
    if schedule.is_none() && systemd_timer.is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "`legacy` needs a `schedule` (cron expression) or a `systemd_timer` unit",
            )
            .with_help("add `schedule = \"0 3 * * *\"` or `systemd_timer = \"name.timer\"`"),
        );
    }
    f.finish(
        &["schedule", "timezone", "systemd_timer", "command", "notes"],
        diags,
    );
    Some(Legacy {
        schedule,
        timezone,
        systemd_timer,
        command: command?.value,
        notes,
    })
}

fn side_effect(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<SideEffect> {
    let mut f = Fields::new(file, node, "a `[[migrations.side_effects]]` entry", diags)?;
    let name = f.require_string("name", diags);
    let description = f.require_string("description", diags);
    let by = match f.string("by", diags) {
        None => Some(SideEffectBy::Both),
        Some(v) => match v.as_str() {
            "legacy" => Some(SideEffectBy::Legacy),
            "definition" => Some(SideEffectBy::Definition),
            "both" => Some(SideEffectBy::Both),
            other => {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!("`by = \"{other}\"` is not a side-effect owner"),
                    )
                    .with_help("expected one of: legacy, definition, both"),
                );
                None
            }
        },
    };
    let creates_work = f.bool("creates_work", diags).map(|b| b.value);
    if creates_work.is_none() && f.get("creates_work").is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "a side effect must say whether it creates work (`creates_work`)",
            )
            .with_help("add `creates_work = true` if it creates a task, an issue or a ticket"),
        );
    }
    let idempotent = f.bool("idempotent", diags).map(|b| b.value);
    let mechanism = f.string("mechanism", diags).map(|s| s.value);
    let key = f.string("key", diags).map(|s| s.value);
    f.finish(
        &[
            "name",
            "description",
            "by",
            "creates_work",
            "idempotent",
            "mechanism",
            "key",
        ],
        diags,
    );
    Some(SideEffect {
        name: name?,
        description: description?.value,
        by: by?,
        creates_work: creates_work.unwrap_or(false),
        idempotent,
        mechanism,
        key,
    })
}

const DEFINITION_KEYS: &[&str] = &[
    "name",
    "owner",
    "description",
    "trigger",
    "rule",
    "instruction",
    "idempotency",
];

fn definition_plan(
    file: &SourceFile,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<DefinitionPlan> {
    let mut f = Fields::new(file, node, "`definition`", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name {
        check_definition_name(file, n, diags);
    }
    let owner = f.require_string("owner", diags);
    let description = f.require_string("description", diags);

    let mut cron = None;
    let mut timezone = None;
    let mut events = Vec::new();
    if let Some(t) = f.require("trigger", diags)
        && let Some(mut tf) = Fields::new(file, t, "`definition.trigger`", diags)
    {
        cron = tf.string("cron", diags);
        timezone = tf.string("timezone", diags);
        events = tf.string_list("events", diags).unwrap_or_default();
        if cron.is_none() && events.is_empty() {
            diags.push(
                file.diagnostic(
                    Code::MissingTrigger,
                    t.span.start..t.span.start + 1,
                    "the definition has no trigger",
                )
                .with_help("add `cron = \"...\"` and/or `events = [\"org.statehub...\"]`"),
            );
        }
        tf.finish(&["cron", "timezone", "events"], diags);
    }
    let timezone = timezone
        .unwrap_or_else(|| Spanned::new("UTC".to_string(), node.span.start..node.span.start));

    let mut when = None;
    let mut requires = Vec::new();
    if let Some(r) = f.require("rule", diags)
        && let Some(mut rf) = Fields::new(file, r, "`definition.rule`", diags)
    {
        when = rf.require_string("when", diags);
        requires = rf.string_list("requires", diags).unwrap_or_default();
        rf.finish(&["when", "requires"], diags);
    }

    let instruction = f
        .require("instruction", diags)
        .and_then(|n| instruction(file, n, "`definition.instruction`", diags));

    let mut idempotency = (None, None);
    if let Some(i) = f.require("idempotency", diags)
        && let Some(mut idf) = Fields::new(file, i, "`definition.idempotency`", diags)
    {
        idempotency = (
            idf.require_string("key", diags),
            idf.require_string("mechanism", diags),
        );
        idf.finish(&["key", "mechanism"], diags);
    }
    f.finish(DEFINITION_KEYS, diags);
    Some(DefinitionPlan {
        name: name?,
        owner: owner?.value,
        description: description?.value,
        cron,
        timezone,
        events,
        when: when?,
        requires,
        instruction: instruction?,
        idempotency_key: idempotency.0?.value,
        idempotency_mechanism: idempotency.1?.value,
    })
}

/// Reads an instruction table: exactly one of `shell` or `workflow`. Shared with definitions.
pub fn instruction(
    file: &SourceFile,
    node: &Node,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Instruction> {
    let mut f = Fields::new(file, node, what, diags)?;
    let shell = f.get("shell");
    let workflow = f.get("workflow");
    f.finish(&["shell", "workflow"], diags);
    match (shell, workflow) {
        (Some(_), Some(w)) => {
            let span = f_key_or(file, node, w);
            diags.push(
                file.diagnostic(
                    Code::InstructionCount,
                    span,
                    "an instruction has exactly one of `shell` or `workflow`, found both",
                )
                .with_help(
                    "keep one of them; split the work into two definitions if both are needed",
                ),
            );
            None
        }
        (None, None) => {
            diags.push(
                file.diagnostic(
                    Code::InstructionCount,
                    node.span.start..node.span.start + 1,
                    "the instruction has neither `shell` nor `workflow`",
                )
                .with_help(
                    "add `shell: {command: ...}` or `workflow: {name: ..., taskQueue: ...}`",
                ),
            );
            None
        }
        (Some(s), None) => {
            let mut sf = Fields::new(file, s, "`shell`", diags)?;
            let command = sf.require_string("command", diags);
            let workdir = sf.string("workdir", diags).map(|s| s.value);
            let timeout = sf.string("timeout", diags);
            if let Some(t) = &timeout
                && parse_duration(t).is_none_or(|s| s == 0)
            {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        t.span.clone(),
                        format!("`{}` is not a timeout", t.value),
                    )
                    .with_help("write a positive duration: `90s`, `10m`, `1h`"),
                );
            }
            sf.finish(&["command", "workdir", "timeout"], diags);
            Some(Instruction::Shell {
                command: command?.value,
                workdir,
                timeout: timeout.map(|t| t.value),
            })
        }
        (None, Some(w)) => {
            let mut wf = Fields::new(file, w, "`workflow`", diags)?;
            let name = wf.require_string("name", diags);
            let task_queue = wf
                .get("taskQueue")
                .or_else(|| wf.get("task_queue"))
                .and_then(|n| crate::source::expect_str(file, n, "taskQueue", diags));
            if task_queue.is_none()
                && wf.key_span("taskQueue").is_none()
                && wf.key_span("task_queue").is_none()
            {
                diags.push(
                    file.diagnostic(
                        Code::MissingField,
                        w.span.start..w.span.start + 1,
                        "`workflow` is missing the required field `taskQueue`",
                    )
                    .with_help("add the Temporal task queue, e.g. `taskQueue: maintenance`"),
                );
            }
            let input = match wf.get("input") {
                Some(n) => match node_to_json(n) {
                    serde_json::Value::Object(m) => m,
                    _ => {
                        diags.push(wrong_type(file, n, "input", "a table", &n.value));
                        serde_json::Map::new()
                    }
                },
                None => serde_json::Map::new(),
            };
            wf.finish(&["name", "taskQueue", "task_queue", "input"], diags);
            Some(Instruction::Workflow {
                name: name?.value,
                task_queue: task_queue?.value,
                input,
            })
        }
    }
}

fn f_key_or(_file: &SourceFile, parent: &Node, child: &Node) -> Range<usize> {
    if let Value::Map(entries) = &parent.value
        && let Some((k, _)) = entries.iter().find(|(_, v)| std::ptr::eq(v, child))
    {
        return k.span.clone();
    }
    child.span.clone()
}

fn cutover(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Cutover {
    let mut steps = Vec::new();
    let Some(mut f) = Fields::new(file, node, "`cutover`", diags) else {
        return Cutover {
            steps: Step::ALL
                .iter()
                .map(|s| (*s, StepState::Pending, None))
                .collect(),
        };
    };
    for step in Step::ALL {
        let state = match f.get(step.key()) {
            None => (StepState::Pending, None),
            Some(n) => {
                let state = match &n.value {
                    Value::Datetime(d) => match d.parse::<jiff::civil::Date>() {
                        Ok(date) => StepState::Done(date),
                        Err(_) => {
                            diags.push(
                                file.diagnostic(
                                    Code::InvalidValue,
                                    n.span.clone(),
                                    format!("`{d}` is not a plain date"),
                                )
                                .with_help("write the date the step was done, e.g. `2026-11-16`"),
                            );
                            StepState::Pending
                        }
                    },
                    Value::Str(s) if s == "n/a" => StepState::NotApplicable,
                    Value::Bool(false) => StepState::Pending,
                    other => {
                        diags.push(
                            wrong_type(file, n, step.key(), "a date (`2026-11-16`) or \"n/a\"", other)
                                .with_help("write the date the step was done, `\"n/a\"` if it does not apply, or leave it out while pending"),
                        );
                        StepState::Pending
                    }
                };
                (state, Some(n.span.clone()))
            }
        };
        steps.push((step, state.0, state.1));
    }
    let keys: Vec<&str> = Step::ALL.iter().map(|s| s.key()).collect();
    f.finish(&keys, diags);
    Cutover { steps }
}

/// Checks that need the whole registry: subject form and uniqueness, stream coverage, name
/// uniqueness. (References from definition plans are checked with definition files, in
/// `validate`.)
fn cross_check(file: &SourceFile, r: &Registry, diags: &mut Vec<Diagnostic>) {
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for s in &r.subjects {
        let subj = &s.subject;
        if let Some(first) = seen.iter().find(|x| x.value == subj.value) {
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
        seen.push(subj);
        if let Some(to) = s.deprecated.as_ref().and_then(|d| d.replaced_by.as_ref())
            && (to.value == subj.value || r.subject(to).is_none())
        {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    to.span.clone(),
                    format!(
                        "`replaced_by` of `{}` names `{}`, which is not another registered subject",
                        subj.value, to.value
                    ),
                )
                .with_help(
                    match did_you_mean(
                        to,
                        r.subjects
                            .iter()
                            .map(|x| x.subject.as_str())
                            .filter(|x| *x != subj.value),
                    ) {
                        Some(k) => format!("did you mean `{k}`?"),
                        None => {
                            "register the replacement first, or remove `replaced_by`".to_string()
                        }
                    },
                ),
            );
        }
        let rest = subj
            .strip_prefix(&r.subject_prefix)
            .and_then(|x| x.strip_prefix('.'));
        let tokens: Vec<&str> = rest.map(|x| x.split('.').collect()).unwrap_or_default();
        if rest.is_none() || tokens.len() < 2 || !tokens.iter().all(|t| is_token(t)) {
            let suggestion = subj.to_ascii_lowercase().replace(['-', ' '], "_");
            diags.push(
                file.diagnostic(
                    Code::SubjectForm,
                    subj.span.clone(),
                    format!(
                        "subject `{}` is not of the form `{}.<entity>.<event>`",
                        subj.value, r.subject_prefix
                    ),
                )
                .with_help(if rest.is_none() {
                    format!("subjects start with `{}.`", r.subject_prefix)
                } else {
                    format!("use lowercase tokens separated by dots, e.g. `{suggestion}`")
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
    let _ = Severity::Warning;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_matching_follows_nats_rules() {
        assert!(subject_matches(
            "org.statehub.>",
            "org.statehub.repo.registered"
        ));
        assert!(subject_matches(
            "org.*.repo.registered",
            "org.statehub.repo.registered"
        ));
        assert!(!subject_matches(
            "org.statehub.*",
            "org.statehub.repo.registered"
        ));
        assert!(!subject_matches("org.statehub.>", "org.statehub"));
        assert!(pattern_within("org.statehub.>", "org.>"));
        assert!(pattern_within("org.statehub.repo.registered", "org.>"));
        assert!(!pattern_within("org.>", "org.statehub.>"));
        assert!(!pattern_within("com.x.y", "org.>"));
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

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2m"), Some(120));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("30d"), Some(2_592_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("2 m"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("10"), None);
    }

    #[test]
    fn definition_names() {
        assert!(is_definition_name(
            "the-custodian.state-hub-consistency-sweep"
        ));
        assert!(!is_definition_name("the-custodian"));
        assert!(!is_definition_name("The.Custodian"));
        assert!(!is_definition_name("a.b.c"));
    }

    #[test]
    fn attribute_types_check_json() {
        use serde_json::json;
        assert!(AttrType::Integer.check(&json!(3)).is_ok());
        assert!(AttrType::Integer.check(&json!("3")).is_err());
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
