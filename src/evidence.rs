//! Evidence for the cutover checklist: instead of trusting a typed date, `plan` checks what it
//! can see. Step 3 (subject documented): the subjects are registered and the generated subject
//! document is current. Step 4 (publish wired): `audit` finds the publish at the trigger site,
//! after commit. Step 7 (legacy disabled): the host's crontabs and systemd units no longer hold
//! the legacy job. Step 8 (scope updated): the service's SCOPE.md mentions the handoff in its
//! "Often used with" section.
//!
//! A step is *verified* when its evidence holds, *declared* when only a date says so (no
//! evidence to look at), *failed* when the evidence contradicts it. A recorded date that the
//! evidence contradicts is a blocker quoting the evidence; a step whose evidence holds counts as
//! done even without a date.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audit::Outcome;
use crate::import::Job;
use crate::plan::Blocker;
use crate::registry::{Migration, Registry, Step, StepState};

/// Whether a step's state rests on evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Only the registry's record says so.
    Declared,
    /// The evidence shows it done.
    Verified,
    /// The evidence shows it not done.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepEvidence {
    pub kind: Kind,
    /// What was looked at and what it showed.
    pub by: String,
}

/// The legacy schedules installed on a host, as given to `plan`.
#[derive(Debug, Default)]
pub struct Host {
    /// Jobs read from `--crontab` files (origin `FILE:LINE`).
    pub crontab_jobs: Vec<Job>,
    pub crontabs_given: bool,
    /// Unit files found under `--systemd-dir` (paths relative to it, `/`-separated).
    pub systemd_units: Vec<String>,
    pub systemd_dir: Option<String>,
}

/// What `plan` could look at.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The audit of `[source]`, or why there is none.
    pub audit: Result<&'a Outcome, String>,
    /// Whether the generated subject document is current, or why that is unknown (not
    /// generated at all, for instance).
    pub subjects_doc: Result<bool, String>,
    pub host: Host,
    /// The scope document's path as shown, and its text or why it could not be read; `None`
    /// when there is none to look at (no `[source]`, no `--scope`).
    pub scope: Option<(String, Result<String, String>)>,
}

/// The evidence for one migration.
#[derive(Debug, Default)]
pub struct Evidence {
    pub steps: BTreeMap<Step, StepEvidence>,
    pub blockers: Vec<Blocker>,
}

impl Evidence {
    pub fn verified(&self, step: Step) -> bool {
        self.steps
            .get(&step)
            .is_some_and(|e| e.kind == Kind::Verified)
    }
}

/// The subjects a migration introduces: its `subjects` and its definition's event triggers.
pub fn subjects_of<'r>(reg: &'r Registry, m: &Migration) -> (Vec<&'r str>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for s in &m.subjects {
        match reg.subject(s) {
            Some(x) => known.push(x.subject.value.as_str()),
            None => unknown.push(s.value.clone()),
        }
    }
    for e in &m.definition.trigger.events {
        for x in reg.matching(e) {
            known.push(x.subject.value.as_str());
        }
    }
    known.sort_unstable();
    known.dedup();
    (known, unknown)
}

pub fn evidence(reg: &Registry, m: &Migration, inputs: &Inputs, at: jiff::civil::Date) -> Evidence {
    let mut ev = Evidence::default();
    let (subjects, unknown) = subjects_of(reg, m);
    let recorded = |step: Step| match m.cutover.state(step) {
        StepState::Done(d) => Some(*d),
        _ => None,
    };
    let settle = |ev: &mut Evidence, step: Step, kind: Kind, by: String| {
        if kind == Kind::Failed
            && let Some(d) = recorded(step)
        {
            ev.blockers.push(Blocker {
                step,
                message: format!(
                    "step {} is recorded as done on {d}, but {by}",
                    step.number()
                ),
            });
        }
        ev.steps.insert(step, StepEvidence { kind, by });
    };

    if !subjects.is_empty() || !unknown.is_empty() {
        // Step 3: registered, and the generated document current.
        let (kind, by) = subject_documented(reg, inputs, &subjects, &unknown);
        settle(&mut ev, Step::SubjectDocumented, kind, by);

        // Step 4: the audit finds each publish at its trigger site, after commit.
        let (kind, by) = publish_wired(inputs, &subjects, &unknown);
        settle(&mut ev, Step::PublishWired, kind, by);

        // Step 8: the scope document mentions the handoff.
        let (kind, by) = scope_updated(reg, inputs);
        settle(&mut ev, Step::ScopeUpdated, kind, by);
    }

    // Step 7: the legacy job is gone from the host.
    let host = &inputs.host;
    let installed = legacy_installed(m, host);
    let checked = match &m.legacy.systemd_timer {
        Some(_) => host.systemd_dir.is_some(),
        None => host.crontabs_given,
    };
    if !installed.is_empty() {
        let by = format!(
            "the legacy job is still installed ({})",
            installed.join(", ")
        );
        match recorded(Step::LegacyDisabled) {
            Some(d) if d < at => settle(&mut ev, Step::LegacyDisabled, Kind::Failed, by),
            _ => {
                ev.steps.insert(
                    Step::LegacyDisabled,
                    StepEvidence {
                        kind: Kind::Failed,
                        by,
                    },
                );
            }
        }
    } else if checked {
        let mut looked = Vec::new();
        if host.crontabs_given {
            looked.push("the crontabs given".to_string());
        }
        if let Some(d) = &host.systemd_dir {
            looked.push(d.clone());
        }
        settle(
            &mut ev,
            Step::LegacyDisabled,
            Kind::Verified,
            format!("the legacy job is not installed in {}", looked.join(" or ")),
        );
    }
    ev
}

/// Step 3: registered, and the generated document current.
fn subject_documented(
    reg: &Registry,
    inputs: &Inputs,
    subjects: &[&str],
    unknown: &[String],
) -> (Kind, String) {
    if !unknown.is_empty() {
        (
            Kind::Failed,
            format!("`{}` is not registered", unknown.join("`, `")),
        )
    } else {
        match &inputs.subjects_doc {
            Ok(true) => (
                Kind::Verified,
                format!(
                    "`{}` registered; {} is current",
                    subjects.join("`, `"),
                    reg.output.subjects_doc
                ),
            ),
            Ok(false) => (
                Kind::Failed,
                format!(
                    "{} is not current (run `handoff generate`)",
                    reg.output.subjects_doc
                ),
            ),
            Err(why) => (Kind::Declared, why.clone()),
        }
    }
}

/// Step 4: the audit finds each publish at its trigger site, after commit.
fn publish_wired(inputs: &Inputs, subjects: &[&str], unknown: &[String]) -> (Kind, String) {
    match &inputs.audit {
        Err(why) => (Kind::Declared, why.clone()),
        Ok(outcome) => {
            let mut failed = Vec::new();
            let mut sites = Vec::new();
            for s in subjects {
                match outcome.subjects.iter().find(|a| a.subject == *s) {
                    Some(a) if a.verified => sites.push(a.trigger_site.clone()),
                    Some(a) => failed.extend(a.findings.iter().map(|f| format!("audit: {f}"))),
                    None => failed.push(format!("audit: `{s}` was not audited")),
                }
            }
            if failed.is_empty() && unknown.is_empty() {
                (
                    Kind::Verified,
                    format!("audit: published at {} after commit", sites.join(", ")),
                )
            } else if failed.is_empty() {
                (
                    Kind::Failed,
                    format!("`{}` is not registered", unknown.join("`, `")),
                )
            } else {
                (Kind::Failed, failed.join("; "))
            }
        }
    }
}

/// Step 8: the scope document mentions the handoff.
fn scope_updated(reg: &Registry, inputs: &Inputs) -> (Kind, String) {
    match &inputs.scope {
        None => (
            Kind::Declared,
            "not verified: no scope document (configure `[source]` or pass --scope)".into(),
        ),
        Some((path, Err(why))) => (Kind::Failed, format!("{path}: {why}")),
        Some((path, Ok(text))) => match often_used_with(text) {
            None => (
                Kind::Failed,
                format!("{path} has no \"Often used with\" section"),
            ),
            Some(section) => {
                let words = [
                    "handoff",
                    reg.subject_prefix.as_str(),
                    reg.stream.name.as_str(),
                ];
                match words.iter().find(|w| section.contains(*w)) {
                    Some(w) => (
                        Kind::Verified,
                        format!("{path} \"Often used with\" mentions `{w}`"),
                    ),
                    None => (
                        Kind::Failed,
                        format!(
                            "{path} \"Often used with\" does not mention the handoff (`handoff` or `{}`)",
                            reg.subject_prefix
                        ),
                    ),
                }
            }
        },
    }
}

/// Step 7: where the legacy job is still installed on the host.
fn legacy_installed(m: &Migration, host: &Host) -> Vec<String> {
    match &m.legacy.systemd_timer {
        Some(timer) => host
            .systemd_units
            .iter()
            .filter(|u| u.rsplit('/').next() == Some(timer.as_str()))
            .map(|u| format!("{}/{u}", host.systemd_dir.as_deref().unwrap_or(".")))
            .collect(),
        None => Vec::new(),
    }
    .into_iter()
    .chain(
        host.crontab_jobs
            .iter()
            .filter(|j| same_command(&j.command, &m.legacy.command))
            .map(|j| j.origin.clone()),
    )
    .collect()
}

/// Two commands are the same job when one contains the other, spaces aside.
fn same_command(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

/// The text of a Markdown section whose heading contains "Often used with" (case-insensitive),
/// up to the next heading of the same or a higher level.
pub fn often_used_with(text: &str) -> Option<String> {
    let mut level = None;
    let mut out = String::new();
    for line in text.lines() {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        let is_heading = hashes > 0 && line[hashes..].starts_with(' ');
        match level {
            None if is_heading && line.to_lowercase().contains("often used with") => {
                level = Some(hashes);
            }
            Some(l) if is_heading && hashes <= l => break,
            Some(_) => {
                out.push_str(line);
                out.push('\n');
            }
            None => {}
        }
    }
    level.map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sections() {
        let text =
            "# Scope\n\n## Often used with\n\n- activity-core (handoff)\n\n## Other\n\nhandoff\n";
        assert_eq!(
            often_used_with(text).unwrap().trim(),
            "- activity-core (handoff)"
        );
        assert!(often_used_with("# Scope\n").is_none());
        assert!(same_command(
            "cd /srv && python x.py",
            "cd  /srv && python x.py"
        ));
        assert!(!same_command("python y.py", "python x.py"));
    }
}
