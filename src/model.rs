//! The parts of an ActivityDefinition that the registry's definition plan
//! ([`crate::registry::DefinitionPlan`]) and a definition file ([`crate::definition::Definition`])
//! share: one type per concept, so comparing the two (drift) is comparing fields.

use crate::source::Spanned;

/// When a definition fires: on a cron schedule read in a time zone, and/or on event subjects.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub cron: Option<Spanned<String>>,
    /// The time zone the schedule is read in: `UTC` when not given. A definition file names it
    /// only beside a schedule; the registry names it on its own.
    pub timezone: Spanned<String>,
    pub events: Vec<Spanned<String>>,
}

impl Trigger {
    /// The schedule's text, without its span.
    pub fn cron_value(&self) -> Option<&str> {
        self.cron.as_ref().map(|c| c.value.as_str())
    }

    /// The event subjects' texts, without their spans.
    pub fn event_values(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.value.as_str()).collect()
    }
}

/// Whether a fire goes ahead: the CEL expression `when`, and the contexts it needs (the rule is
/// skipped, not failed, while one is absent). A definition file whose `when` could not be read
/// has a `Rule<Option<_>>`.
#[derive(Debug, Clone)]
pub struct Rule<When = Spanned<String>> {
    pub when: When,
    pub requires: Vec<Spanned<String>>,
}

impl<W> Rule<W> {
    /// The required contexts' names, without their spans.
    pub fn required_names(&self) -> Vec<&str> {
        self.requires.iter().map(|r| r.value.as_str()).collect()
    }
}

/// How a repeated fire is made harmless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub mechanism: String,
}

impl Idempotency {
    /// Whether the key or the mechanism is still a `TODO` placeholder (as `handoff import`
    /// writes them): not yet a declaration.
    pub fn is_placeholder(&self) -> bool {
        self.key.starts_with("TODO") || self.mechanism.starts_with("TODO")
    }
}
