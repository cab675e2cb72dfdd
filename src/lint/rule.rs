//! A rule's `when` read against what can trigger it: `event` reads need an event (a cron trigger
//! fires without one), envelope fields and attributes must exist on every triggering subject,
//! optional attributes need a `has()` guard, compared literals must fit the attribute's type and
//! enum values, and contexts read must be listed in `requires`.
//!
//! The steps share one [`RuleScope`]: the rule, where it sits in its file, and what triggers it.

use std::ops::Range;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::registry::{AttrType, Attribute, Subject};
use crate::rule::{self, Comparison, PathUse, ValueType};
use crate::source::{SourceFile, Spanned, did_you_mean};

use super::place;

/// What every rule check needs: the rule, its file, and what can trigger it.
pub(super) struct RuleScope<'a> {
    pub file: &'a SourceFile,
    pub when: &'a Spanned<String>,
    /// Whether `when`'s span maps character for character onto the expression.
    pub exact: bool,
    /// The registered subjects the event triggers can deliver.
    pub triggers: Vec<&'a Subject>,
    pub has_cron: bool,
    pub has_events: bool,
    /// The contexts listed in `requires`; `None` when the list could not be read.
    pub requires: Option<Vec<&'a str>>,
}

impl RuleScope<'_> {
    /// Analyses the rule and checks every path it reads.
    pub fn check(&self) -> Vec<Diagnostic> {
        let analysis = match rule::analyze(self.when) {
            Ok(a) => a,
            Err(f) => return vec![place(self.file, &self.when.span, self.exact, f)],
        };
        let mut out = Vec::new();
        for p in &analysis.paths {
            if p.path.first().map(String::as_str) == Some("event") {
                self.event_read(p, &mut out);
            } else {
                self.context_read(p, &mut out);
            }
        }
        out
    }

    /// The span in the file of a span inside the rule.
    fn at(&self, span: &Range<usize>) -> Range<usize> {
        if self.exact {
            self.when.span.start + span.start..self.when.span.start + span.end
        } else {
            self.when.span.clone()
        }
    }

    fn diagnostic(&self, code: Code, span: &Range<usize>, message: String) -> Diagnostic {
        self.file.diagnostic(code, self.at(span), message)
    }

    /// A read of `event...`.
    fn event_read(&self, p: &PathUse, out: &mut Vec<Diagnostic>) {
        if self.has_events && self.triggers.is_empty() {
            // Its event subjects are unregistered (reported on their own): nothing to check.
            return;
        }
        if !self.event_present(p, out) {
            return;
        }
        if let Some(field) = p.path.get(1)
            && !crate::envelope::FIELDS.contains(&field.as_str())
        {
            out.push(self.unknown_envelope_field(p, field));
            return;
        }
        let Some(attr) = rule::attribute_name(&p.path) else {
            return;
        };
        for s in &self.triggers {
            match s.attribute(attr) {
                None => out.push(self.unknown_attribute(p, s, attr)),
                Some(a) => self.attribute_read(p, s, a, out),
            }
        }
    }

    /// Whether the read can find an event: never without event triggers, and with a cron
    /// trigger too only under a `has()` test of an event path. Reports the read otherwise;
    /// returns false when nothing more is to be checked.
    fn event_present(&self, p: &PathUse, out: &mut Vec<Diagnostic>) -> bool {
        // A `has()` test of an event path proves there is an event; it guards only the reads
        // evaluated where it is known true (see `rule::PathUse::guards`).
        let guarded = p.presence_test || p.guards.iter().any(|g| g.len() >= 2 && g[0] == "event");
        if self.triggers.is_empty() || (self.has_cron && !guarded) {
            out.push(self.cron_reads_event(p));
        }
        !self.triggers.is_empty()
    }

    /// A read of an attribute `s` declares.
    fn attribute_read(&self, p: &PathUse, s: &Subject, a: &Attribute, out: &mut Vec<Diagnostic>) {
        let attr = a.name.as_str();
        let attr_guarded = p.presence_test
            || p.guards
                .iter()
                .any(|g| g.len() >= 3 && g[0] == "event" && g[1] == "attributes" && g[2] == attr);
        if !a.required && !attr_guarded {
            out.push(self.optional_attribute(p, s, attr));
        }
        if let Some(d) = &a.deprecated {
            out.push(super::references::deprecated(
                self.file,
                Code::DeprecatedAttribute,
                self.at(&p.span),
                format!("`{attr}` of `{}`", s.subject.value),
                d,
            ));
        }
        for c in &p.compared_with {
            if !rule::compatible(a.ty.name(), c.literal_type) {
                out.push(self.attribute_type(s, a, c));
            } else if let (AttrType::Enum(values), ValueType::String) = (&a.ty, c.literal_type) {
                let lit = c.literal_text.trim_matches(|ch| ch == '"' || ch == '\'');
                if !values.iter().any(|v| v == lit) {
                    out.push(self.enum_value(s, attr, values, c, lit));
                }
            }
        }
    }

    /// A read of `context...`: the context must be listed in `requires`.
    fn context_read(&self, p: &PathUse, out: &mut Vec<Diagnostic>) {
        if let Some(name) = rule::context_name(&p.path)
            && let Some(requires) = &self.requires
            && !requires.contains(&name)
            && !p.presence_test
        {
            out.push(self.unrequired_context(p, name));
        }
    }

    // Message builders.

    fn cron_reads_event(&self, p: &PathUse) -> Diagnostic {
        let message = if self.triggers.is_empty() {
            "the rule reads `event`, but the definition has only a cron trigger: there is no event when it fires"
        } else {
            "the rule reads `event`, but the cron trigger fires without an event"
        };
        self.diagnostic(Code::CronReadsEvent, &p.span, message.to_string())
            .with_help("guard it with `has(event.attributes.x)`, move it to an event-only definition, or read `context` instead")
    }

    fn unknown_envelope_field(&self, p: &PathUse, field: &str) -> Diagnostic {
        self.diagnostic(
            Code::UnknownEnvelopeField,
            &p.span,
            format!("the envelope has no field `{field}`"),
        )
        .with_help(
            match did_you_mean(field, crate::envelope::FIELDS.iter().copied()) {
                Some(f) => format!("did you mean `event.{f}`?"),
                None => format!(
                    "its fields are {}; attributes are under `event.attributes`",
                    crate::envelope::FIELDS.join(", ")
                ),
            },
        )
    }

    fn unknown_attribute(&self, p: &PathUse, s: &Subject, attr: &str) -> Diagnostic {
        let known: Vec<&str> = s.attributes.iter().map(|a| a.name.as_str()).collect();
        self.diagnostic(
            Code::UnknownAttribute,
            &p.span,
            format!("`{}` has no attribute `{attr}`", s.subject.value),
        )
        .with_help(match did_you_mean(attr, known.iter().copied()) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("its attributes are: {}", known.join(", ")),
        })
    }

    fn optional_attribute(&self, p: &PathUse, s: &Subject, attr: &str) -> Diagnostic {
        self.diagnostic(
            Code::OptionalAttribute,
            &p.span,
            format!(
                "`{attr}` is optional on `{}`: reading it when it is absent is an evaluation error",
                s.subject.value
            ),
        )
        .with_help(format!(
            "guard the read: `has(event.attributes.{attr}) && ...`"
        ))
    }

    fn attribute_type(&self, s: &Subject, a: &Attribute, c: &Comparison) -> Diagnostic {
        self.diagnostic(
            Code::AttributeType,
            &c.span,
            format!(
                "`{}` is {} on `{}`, but is compared with {} {}",
                a.name,
                article(a.ty.name()),
                s.subject.value,
                article(c.literal_type.name()),
                c.literal_text
            ),
        )
        .with_help(suggest_literal(&a.ty, &c.literal_text))
    }

    /// `== "done"` is never true and `!= "done"` always: either way the rule does not say what
    /// was meant.
    fn enum_value(
        &self,
        s: &Subject,
        attr: &str,
        values: &[String],
        c: &Comparison,
        lit: &str,
    ) -> Diagnostic {
        self.diagnostic(
            Code::EnumValue,
            &c.span,
            format!(
                "`{attr}` on `{}` is never {}, so this comparison is always {}",
                s.subject.value,
                c.literal_text,
                if c.op == "!=" { "true" } else { "false" }
            ),
        )
        .with_help(match did_you_mean(lit, values.iter().map(String::as_str)) {
            Some(v) => format!("did you mean \"{v}\"?"),
            None => format!("its values are: {}", values.join(", ")),
        })
    }

    fn unrequired_context(&self, p: &PathUse, name: &str) -> Diagnostic {
        self.diagnostic(
            Code::UnrequiredContext,
            &p.span,
            format!("the rule reads context `{name}` but does not list it in `requires`"),
        )
        .with_help(format!(
            "add `{name}` to `requires` so the rule skips cleanly when it is absent"
        ))
    }
}

fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

fn suggest_literal(ty: &AttrType, literal: &str) -> String {
    let bare = literal.trim_matches(|c| c == '"' || c == '\'');
    match ty {
        AttrType::Integer if bare.parse::<i64>().is_ok() => {
            format!("compare with the number {bare}, without quotes")
        }
        AttrType::Number if bare.parse::<f64>().is_ok_and(f64::is_finite) => {
            format!("compare with the number {bare}, without quotes")
        }
        AttrType::Boolean if bare == "true" || bare == "false" => {
            format!("compare with {bare}, without quotes")
        }
        AttrType::Timestamp if chrono::DateTime::parse_from_rfc3339(bare).is_ok() => {
            format!("compare with timestamp(\"{bare}\") instead of a string")
        }
        AttrType::Timestamp => {
            "compare with a timestamp literal, e.g. timestamp(\"2026-01-01T00:00:00Z\")".to_string()
        }
        AttrType::String | AttrType::Uuid | AttrType::Enum(_) => {
            format!("compare with the string \"{bare}\"")
        }
        _ => format!("compare with {}", ty.expectation()),
    }
}
