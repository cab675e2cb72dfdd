//! Starter case files `generate` drafts for a migration's definition, and the JSON Schema of
//! case files.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Value as J, json};

use super::Expect;
use super::run::example_context_json;
use crate::cron;
use crate::eval::{self, ContextValues, EventValue, Rule};
use crate::registry::{Migration, Registry};

/// The starter case file `generate` drafts for a migration's definition: one case per
/// triggering subject's registry example (and for a cron trigger its first fire), with the
/// required contexts set to the values the rule compares them with, plus one case per required
/// context left absent. Each expectation is what the rule does today, so the starter passes;
/// the author then adds the cases that matter. Carries the draft seal line (kept once edited).
pub fn starter(reg: &Registry, m: &Migration, schema_path: &str) -> String {
    let d = &m.definition;
    let requires: Vec<String> = d.rule.requires.iter().map(|r| r.value.clone()).collect();
    let rule = Rule::compile(&d.rule.when.value, &requires).ok();
    let context = example_context_json(&d.rule.when.value);
    let context_value = ContextValues::new(context.clone());
    let outcome_of = |event: &EventValue, ctx: &ContextValues| match &rule {
        Some(r) => Expect::of(&r.evaluate(Some(event), ctx)),
        None => Expect::Error,
    };
    let mut out = String::new();
    out.push_str(&format!("# yaml-language-server: $schema={schema_path}\n"));
    out.push_str(&format!(
        "# Test cases for {}, drafted by handoff from {} (migration {}); run with `handoff test`.\n",
        d.name.value,
        crate::generate::registry_label(&reg.file.path),
        m.name.value
    ));
    out.push_str("# Each expectation records what the rule does today on the registry's examples: review them,\n# add the cases that matter. handoff keeps this draft in step until it is edited; an edited\n# file is never overwritten (`--force` does). Delete the seal line below to adopt it for good.\n");
    out.push_str(&format!("# {}{}\n", crate::generate::SEAL, "0".repeat(64)));
    out.push_str("cases:\n");
    let yaml = |v: &J| serde_json::to_string(v).unwrap_or_default();
    let context_lines = |ctx: &BTreeMap<String, J>, absent: Option<&str>| {
        let mut s = String::new();
        if ctx.is_empty() && absent.is_none() {
            return s;
        }
        s.push_str("    context:\n");
        for (k, v) in ctx {
            if Some(k.as_str()) == absent {
                s.push_str(&format!("      {}: null\n", yaml(&J::String(k.clone()))));
            } else {
                s.push_str(&format!(
                    "      {}: {}\n",
                    yaml(&J::String(k.clone())),
                    yaml(v)
                ));
            }
        }
        if let Some(a) = absent
            && !ctx.contains_key(a)
        {
            s.push_str(&format!(
                "      {}: null\n",
                yaml(&J::String(a.to_string()))
            ));
        }
        s
    };
    let mut triggers: Vec<(String, String, EventValue)> = Vec::new();
    if let Some(schedule) = &d.trigger.cron
        && let (Ok(parsed), Ok(tz)) = (
            cron::parse(&schedule.value),
            cron::parse_timezone(&d.trigger.timezone.value),
        )
    {
        let from = crate::plan::status(reg, m, None, None).preview_from;
        let from: Timestamp = from.parse().unwrap_or(Timestamp::UNIX_EPOCH);
        let before = from - jiff::SignedDuration::from_secs(1);
        if let Some(first) = parsed.schedule.upcoming(before, &tz, 1).first() {
            let at = first.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            triggers.push((
                format!("cron fire at {at}"),
                format!("    trigger:\n      cron: \"{at}\"\n"),
                EventValue::cron_fire(),
            ));
        }
    }
    for pattern in &d.trigger.events {
        for s in reg.matching(&pattern.value) {
            let envelope = eval::example_envelope(reg, s, &serde_json::Map::new(), None);
            triggers.push((
                format!("{} with the registry's example attributes", s.subject.value),
                format!("    trigger:\n      event: {}\n", s.subject.value),
                EventValue::from_envelope(&envelope, Some(s)),
            ));
        }
    }
    for (name, trigger, event) in &triggers {
        let expect = outcome_of(event, &context_value);
        out.push_str(&format!("  - name: {}\n", yaml(&J::String(name.clone()))));
        out.push_str(trigger);
        out.push_str(&context_lines(&context, None));
        out.push_str(&format!("    expect: {}\n", expect_yaml(expect)));
    }
    if let Some((name, trigger, event)) = triggers.first() {
        for r in &requires {
            let mut ctx = context.clone();
            ctx.remove(r);
            let ctx_value = ContextValues::new(ctx.clone());
            let expect = outcome_of(event, &ctx_value);
            out.push_str(&format!(
                "  - name: {}\n",
                yaml(&J::String(format!("{name}, {r} absent")))
            ));
            out.push_str(trigger);
            out.push_str(&context_lines(&context, Some(r)));
            out.push_str(&format!("    expect: {}\n", expect_yaml(expect)));
        }
    }
    if triggers.is_empty() {
        out.push_str("  []\n");
    }
    crate::generate::seal(&out)
}

/// `fires`, `skips`, `error`, or the quoted `"skips: missing-context"`.
fn expect_yaml(e: Expect) -> String {
    match e {
        Expect::MissingContext => format!("\"{}\"", e.label()),
        other => other.label().to_string(),
    }
}

/// The JSON Schema of case files (`docs/schemas/activity-definition-test.schema.json`).
pub fn schema(reg: &Registry) -> J {
    let subjects: Vec<&str> = reg
        .subjects
        .iter()
        .map(|s| s.subject.value.as_str())
        .collect();
    let contexts: Vec<&str> = reg.contexts.iter().map(|c| c.name.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "handoff test cases for an ActivityDefinition",
        "description": "Cases `handoff test` runs against the definition beside this file (docs/activity-definition.md#test-cases).",
        "type": "object",
        "additionalProperties": false,
        "required": ["cases"],
        "properties": {
            "definition": {"type": "string", "description": "The definition tested (default: this file's name without .test.yaml)."},
            "cases": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "trigger", "expect"],
                    "properties": {
                        "name": {"type": "string"},
                        "trigger": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["cron"],
                                    "properties": {"cron": {"type": "string", "format": "date-time", "description": "A fire time of the definition's schedule."}}
                                },
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["event"],
                                    "properties": {
                                        "event": {"enum": subjects},
                                        "attributes": {"type": "object", "description": "Overrides of the registry's example attributes; null leaves one out."},
                                        "timestamp": {"type": "string", "format": "date-time"}
                                    }
                                }
                            ]
                        },
                        "context": {
                            "type": ["object", "null"],
                            "propertyNames": {"enum": contexts},
                            "description": "Context values by name; null (or leaving one out) is an absent context."
                        },
                        "expect": {
                            "oneOf": [
                                {"enum": ["fires", "skips", "skips: missing-context", "error"]},
                                {"type": "object", "additionalProperties": false, "required": ["skips"], "properties": {"skips": {"const": "missing-context"}}}
                            ]
                        }
                    }
                }
            }
        }
    })
}
