//! The ActivityDefinition format: activity-core's declarative YAML for "when X, if Y, do Z".
//! See docs/activity-definition.md. [`parse`] checks one file's shape; checks that need the
//! registry or other files live in `validate`.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
pub use crate::model::Idempotency;
use crate::model::{Rule, Trigger};
use crate::registry::{Instruction, check_definition_name, instruction};
use crate::source::{Fields, Node, SourceFile, Spanned, parse_yaml};

pub const API_VERSION: &str = "activity-core/v1";
pub const KIND: &str = "ActivityDefinition";

#[derive(Debug, Clone)]
pub struct Definition {
    /// `None` when `metadata.name` is missing or not a string (reported).
    pub name: Option<Spanned<String>>,
    pub owner: Option<String>,
    pub description: Option<String>,
    /// The registry migration this definition comes from.
    pub migration: Option<Spanned<String>>,
    /// `trigger.cron.schedule` (with `trigger.cron.timezone`) and `trigger.events`; without a
    /// schedule, the time zone is `UTC` at the `trigger` key.
    pub trigger: Trigger,
    /// Whether the schedule's span maps character for character onto the expression.
    pub cron_exact: bool,
    /// Span of the `trigger` key, for "no trigger"-style findings.
    pub trigger_span: std::ops::Range<usize>,
    /// `rule.when` (`None` when missing or unreadable, reported) and `rule.requires`.
    pub rule: Rule<Option<Spanned<String>>>,
    /// Whether `when`'s span covers the expression's text, as when the source holds it verbatim
    /// (plain or simply quoted), so findings inside it can point at a column.
    pub when_exact: bool,
    /// `rule.requires` could be read (absent or a list); when not, rules are not checked
    /// against it.
    pub requires_known: bool,
    /// `None` when the instruction is missing or unreadable (reported).
    pub instruction: Option<Instruction>,
    pub idempotency: Option<Idempotency>,
}

pub const TOP_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "trigger",
    "rule",
    "instruction",
    "idempotency",
];

/// Parses and shape-checks one definition file. The definition comes back whenever the file is
/// a YAML mapping, even with shape errors, holding every field that could be read, so that the
/// checks of those fields (cron, subjects, rule, name) still run: one run reports everything.
/// It is `None` only for invalid YAML or a document that is not a mapping.
pub fn parse(file: &SourceFile) -> (Option<Definition>, Vec<Diagnostic>) {
    let root = match parse_yaml(file) {
        Ok(root) => root,
        Err(diags) => return (None, diags),
    };
    let mut diags = Vec::new();
    let def = build(file, &root, &mut diags);
    (def, diags)
}

/// A string value and whether its span is the exact text of the value.
fn exact_string(file: &SourceFile, node: &Node) -> (Spanned<String>, bool) {
    let value = node.as_str().unwrap_or_default().to_string();
    let span = node.content_span(file);
    let exact = file.text.get(span.clone()) == Some(value.as_str());
    (Spanned::new(value, span), exact)
}

fn expect_exact(
    file: &SourceFile,
    node: &Node,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Spanned<String>, bool)> {
    crate::source::expect_str(file, node, name, diags)?;
    Some(exact_string(file, node))
}

fn build(file: &SourceFile, root: &Node, diags: &mut Vec<Diagnostic>) -> Option<Definition> {
    let mut top = Fields::new(file, root, "the definition", diags)?;
    for (key, want) in [("apiVersion", API_VERSION), ("kind", KIND)] {
        if let Some(v) = top.require_string(key, diags)
            && v.value != want
        {
            diags.push(
                file.diagnostic(
                    Code::InvalidValue,
                    v.span.clone(),
                    format!("`{key}` is `{}`, expected `{want}`", v.value),
                )
                .with_help(format!("write `{key}: {want}`")),
            );
        }
    }

    let mut name = None;
    let mut owner = None;
    let mut description = None;
    let mut migration = None;
    if let Some(m) = top.require("metadata", diags)
        && let Some(mut mf) = Fields::new(file, m, "`metadata`", diags)
    {
        name = mf.require_string("name", diags);
        if let Some(n) = &name {
            check_definition_name(file, n, diags);
        }
        owner = mf.string("owner", diags).map(|s| s.value);
        description = mf.string("description", diags).map(|s| s.value);
        migration = mf.string("migration", diags);
        mf.finish(&["name", "owner", "description", "migration"], diags);
    }

    let trigger_span = top
        .key_span("trigger")
        .unwrap_or(root.span.start..root.span.start + 1);
    let (trigger, cron_exact) = match top.require("trigger", diags) {
        Some(t) => read_trigger(file, t, &trigger_span, diags),
        None => (no_trigger(&trigger_span), false),
    };

    let mut when = None;
    let mut requires = Vec::new();
    let mut requires_known = true;
    if let Some(r) = top.require("rule", diags)
        && let Some(mut rf) = Fields::new(file, r, "`rule`", diags)
    {
        when = rf
            .require("when", diags)
            .and_then(|n| expect_exact(file, n, "when", diags));
        let errors = diags.len();
        requires = rf.string_list("requires", diags).unwrap_or_default();
        requires_known = diags.len() == errors;
        rf.finish(&["when", "requires"], diags);
    }

    let instruction = top
        .require("instruction", diags)
        .and_then(|n| instruction(file, n, "`instruction`", diags));

    let idempotency = top
        .get("idempotency")
        .and_then(|i| read_idempotency(file, i, diags));
    top.finish(TOP_KEYS, diags);

    let (when, when_exact) = match when {
        Some((w, e)) => (Some(w), e),
        None => (None, false),
    };
    Some(Definition {
        name,
        owner,
        description,
        migration,
        trigger,
        cron_exact,
        trigger_span,
        rule: Rule { when, requires },
        when_exact,
        requires_known,
        instruction,
        idempotency,
    })
}

/// An empty trigger: no schedule (so a `UTC` time zone at the `trigger` key) and no events.
fn no_trigger(trigger_span: &std::ops::Range<usize>) -> Trigger {
    Trigger {
        cron: None,
        timezone: Spanned::new(
            "UTC".to_string(),
            trigger_span.start..trigger_span.start + 1,
        ),
        events: Vec::new(),
    }
}

/// `trigger`: `cron: {schedule, timezone}` and/or `events`; with whether the schedule's span is
/// its exact text.
fn read_trigger(
    file: &SourceFile,
    t: &Node,
    trigger_span: &std::ops::Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> (Trigger, bool) {
    let mut trigger = no_trigger(trigger_span);
    let mut cron_exact = false;
    let Some(mut tf) = Fields::new(file, t, "`trigger`", diags) else {
        return (trigger, cron_exact);
    };
    if let Some(c) = tf.get("cron")
        && let Some(mut cf) = Fields::new(file, c, "`trigger.cron`", diags)
    {
        let schedule = cf
            .require("schedule", diags)
            .and_then(|n| expect_exact(file, n, "schedule", diags));
        let zone = cf
            .get("timezone")
            .and_then(|n| expect_exact(file, n, "timezone", diags))
            .map(|(s, _)| s)
            .unwrap_or_else(|| Spanned::new("UTC".to_string(), c.span.start..c.span.start + 1));
        cf.finish(&["schedule", "timezone"], diags);
        if let Some((schedule, exact)) = schedule {
            trigger.cron = Some(schedule);
            trigger.timezone = zone;
            cron_exact = exact;
        }
    }
    trigger.events = tf.string_list("events", diags).unwrap_or_default();
    let had_cron_key = tf.key_span("cron").is_some();
    tf.finish(&["cron", "events"], diags);
    if !had_cron_key && trigger.events.is_empty() {
        diags.push(
            file.diagnostic(
                Code::MissingTrigger,
                trigger_span.clone(),
                "the definition has no trigger",
            )
            .with_help(
                "add `cron: {schedule: \"...\"}` and/or `events: [<prefix>.<entity>.<event>]` (a subject of the registry)",
            ),
        );
    }
    (trigger, cron_exact)
}

/// `idempotency: {key, mechanism}`, when both are strings.
fn read_idempotency(
    file: &SourceFile,
    i: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Idempotency> {
    let mut idf = Fields::new(file, i, "`idempotency`", diags)?;
    let key = idf.require_string("key", diags);
    let mechanism = idf.require_string("mechanism", diags);
    idf.finish(&["key", "mechanism"], diags);
    Some(Idempotency {
        key: key?.value,
        mechanism: mechanism?.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"apiVersion: activity-core/v1
kind: ActivityDefinition
metadata:
  name: acme.sweep
trigger:
  cron:
    schedule: "*/15 * * * *"
rule:
  when: 'context["acme-billing.health"].status == "ok"'
instruction:
  shell:
    command: echo hi
"#;

    #[test]
    fn parses_a_good_definition() {
        let f = SourceFile::new("d.yaml", GOOD);
        let (def, diags) = parse(&f);
        assert!(diags.is_empty(), "{diags:?}");
        let def = def.unwrap();
        let cron = def.trigger.cron.unwrap();
        assert!(def.cron_exact);
        assert_eq!(&f.text[cron.span.clone()], "*/15 * * * *");
        assert_eq!(def.trigger.timezone.value, "UTC");
        assert!(def.when_exact);
    }

    #[test]
    fn reports_every_shape_problem() {
        let text = GOOD
            .replace("rule:", "rulez:")
            .replace("  shell:", "  shel:");
        let f = SourceFile::new("d.yaml", text);
        let (def, diags) = parse(&f);
        // What could be read is kept for the other checks.
        let def = def.unwrap();
        assert!(def.rule.when.is_none() && def.instruction.is_none() && def.trigger.cron.is_some());
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::UnknownKey), "{codes:?}");
        assert!(codes.contains(&Code::MissingField), "{codes:?}");
        let rulez = diags.iter().find(|d| d.message.contains("rulez")).unwrap();
        assert_eq!((rulez.line, rulez.column), (8, 1));
        assert_eq!(rulez.help.as_deref(), Some("did you mean `rule`?"));
    }
}
