//! `handoff plan [--at DATE] [--format human|json] [--fail-on-blocked] [--crontab FILE]…
//! [--systemd-dir DIR] [--scope FILE]`

use handoff::codes::Code;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde_json::{Value as J, json};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{OutputFormat, REPORT_FORMATS};
use crate::plan_evidence::{assess, evidence_inputs, evidence_of};
use handoff::evidence::{Evidence, Inputs, Kind};
use handoff::plan::{self, Blocker, DefinitionState, ParallelRun, Status};
use handoff::registry::{Migration, Registry, Step, StepState};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The date to plan at (YYYY-MM-DD; default: today, UTC).
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(REPORT_FORMATS))]
    pub format: OutputFormat,
    /// Exit 1 when any migration's next step is blocked.
    #[arg(long)]
    pub fail_on_blocked: bool,
    /// A crontab of the host (repeatable): evidence for step 7 (legacy job still installed?).
    #[arg(long, value_name = "FILE")]
    pub crontab: Vec<PathBuf>,
    /// The host's systemd unit folder (e.g. /etc/systemd/system): evidence for step 7.
    #[arg(long, value_name = "DIR")]
    pub systemd_dir: Option<PathBuf>,
    /// The service's scope document (default: `[source] scope` under the source root): evidence
    /// for step 8.
    #[arg(long, value_name = "FILE")]
    pub scope: Option<PathBuf>,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    // An event trigger whose subject is not registered yet does not stop the report: that is a
    // migration waiting for checklist step 3, which plan reports as its blocker.
    let (project, reg) = crate::options::require(registry, &[Code::UnregisteredSubject], err)?;
    let at: Date = match &args.at {
        Some(s) => s
            .parse()
            .map_err(|e| Failure::usage(format!("--at `{s}` is not a date (YYYY-MM-DD): {e}")))?,
        None => handoff::clock::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date(),
    };
    // What validate says of each definition file decides "missing or failing validation".
    let opts = handoff::validate::Options {
        root: project.root.clone(),
        paths: Vec::new(),
        templates: None,
        freshness: false,
    };
    let checked = handoff::validate::validate(registry, Some(&reg), Vec::new(), &opts)
        .map_err(Failure::tool)?;
    let audited = match crate::audit::source_root(&project.root, &reg, None) {
        Some((root, cfg)) if root.is_dir() => {
            Some(handoff::audit::audit(&reg, &root, &cfg).map_err(|e| Failure::tool(e.0))?)
        }
        _ => None,
    };
    let inputs = evidence_inputs(&project.root, &reg, &args, audited.as_ref())?;
    let report = plan_report(&reg, &checked.definitions, at, &inputs);
    match args.format {
        OutputFormat::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )?;
        }
        // REPORT_FORMATS: human (here) or json.
        _ => {
            write!(out, "{}", human(&reg, &checked.definitions, at, &inputs))?;
        }
    }
    let blocked = report["summary"]["blocked"].as_u64().unwrap_or(0);
    Ok(if args.fail_on_blocked && blocked > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}

fn definition_state(
    defs: &std::collections::BTreeMap<String, DefinitionState>,
    m: &Migration,
) -> DefinitionState {
    defs.get(m.definition.name.as_str())
        .copied()
        .unwrap_or(DefinitionState::Missing)
}

fn step_state(step: Step, state: &StepState, status: &Status) -> &'static str {
    match state {
        StepState::Done(_)
            if step == Step::ParallelRun && status.next_step == Some(Step::LegacyDisabled) =>
        {
            "running"
        }
        StepState::Done(_) => "done",
        StepState::NotApplicable => "n/a",
        StepState::Pending if status.next_step == Some(step) => "next",
        StepState::Pending => "pending",
    }
}

/// The JSON report (shape documented in docs/plan.md).
pub fn plan_report(
    reg: &Registry,
    defs: &std::collections::BTreeMap<String, DefinitionState>,
    at: Date,
    inputs: &Inputs,
) -> J {
    let mut migrations = Vec::new();
    let mut blocked_count = 0;
    for m in &reg.migrations {
        let def_state = definition_state(defs, m);
        let (effective, status, ev) = assess(reg, m, def_state, at, inputs);
        let blocking = plan::blocking_now(&status);
        if !blocking.is_empty() {
            blocked_count += 1;
        }
        migrations.push(json!({
            "name": m.name.value,
            "definition": {
                "name": m.definition.name.value,
                "file": format!("{}/{}.yaml", reg.output.definitions, m.definition.name.value),
                "state": match def_state {
                    DefinitionState::Missing => "missing",
                    DefinitionState::Invalid(_) => "invalid",
                    DefinitionState::Valid => "valid",
                },
                "trigger": {
                    "cron": m.definition.trigger.cron_value(),
                    "timezone": m.definition.trigger.timezone.value,
                    "events": m.definition.trigger.event_values(),
                },
            },
            "legacy": {
                "schedule": m.legacy.schedule.as_ref().map(|s| s.value.clone()),
                "timezone": m.legacy.timezone,
                "systemd_timer": m.legacy.systemd_timer,
                "description": status.legacy_words,
            },
            "steps": m.cutover.steps.iter().zip(&effective.cutover.steps).map(|((step, state, _), (_, eff, _))| {
                let (kind, by) = evidence_of(&ev, *step, state);
                json!({
                    "number": step.number(),
                    "key": step.key(),
                    "title": step.title(&reg.names),
                    "state": step_state(*step, eff, &status),
                    "date": match state { StepState::Done(d) => Some(d.to_string()), _ => None },
                    "evidence": kind.map(|k| json!({ "kind": k, "by": by })),
                })
            }).collect::<Vec<_>>(),
            "next_step": status.next_step.map(|s| json!({ "number": s.number(), "key": s.key(), "title": s.title(&reg.names) })),
            "blocked": !blocking.is_empty(),
            "blockers": status.blockers.iter().map(|b| json!({
                "step": b.step.key(),
                "blocks_next_step": blocking.iter().any(|x| std::ptr::eq(*x, b)),
                "message": b.message,
            })).collect::<Vec<_>>(),
            "parallel_run": status.parallel_run.as_ref().map(|p| json!({
                "start": p.start.to_string(),
                "earliest_disable": p.earliest_disable.to_string(),
                "window_days": p.window_days,
                "days_elapsed": p.days_elapsed,
                "legacy_fires": p.legacy_fires,
                "definition_fires": p.definition_fires,
                "same_minute": p.same_minute,
            })),
        }));
    }
    json!({
        "version": handoff::report::JSON_VERSION,
        "at": at.to_string(),
        "migrations": migrations,
        "summary": { "migrations": reg.migrations.len(), "blocked": blocked_count },
    })
}

fn human(
    reg: &Registry,
    defs: &std::collections::BTreeMap<String, DefinitionState>,
    at: Date,
    inputs: &Inputs,
) -> String {
    let mut out = format!(
        "Cutover plan at {at} ({} migration{})\n",
        reg.migrations.len(),
        if reg.migrations.len() == 1 { "" } else { "s" }
    );
    let mut blocked = 0;
    for m in &reg.migrations {
        let def_state = definition_state(defs, m);
        let (effective, status, ev) = assess(reg, m, def_state, at, inputs);
        let blocking = plan::blocking_now(&status);
        out.push_str(&format!(
            "\n{} → {}\n",
            m.name.value, m.definition.name.value
        ));
        human_migration(&mut out, m, def_state, &status);
        human_steps(&mut out, reg, m, &effective, &ev, &status);
        if let Some(p) = &status.parallel_run {
            human_parallel_run(&mut out, m, p);
        }
        if human_blockers(&mut out, &status, &blocking) {
            blocked += 1;
        }
    }
    out.push_str(&format!(
        "\n{blocked} of {} migrations blocked\n",
        reg.migrations.len()
    ));
    out
}

/// The migration's legacy job and definition, as the plan shows them.
fn human_migration(out: &mut String, m: &Migration, def_state: DefinitionState, status: &Status) {
    let legacy = match (&m.legacy.schedule, &m.legacy.systemd_timer) {
        (Some(s), Some(t)) => format!("`{}` ({}) via {t}", s.value, m.legacy.timezone),
        (Some(s), None) => format!("`{}` ({})", s.value, m.legacy.timezone),
        (None, Some(t)) => t.clone(),
        (None, None) => "—".to_string(),
    };
    out.push_str(&format!(
        "  legacy:     {legacy}{}\n",
        status
            .legacy_words
            .as_ref()
            .map(|w| format!(": {w}"))
            .unwrap_or_default()
    ));
    let events = m.definition.trigger.event_values().join(", ");
    let trigger = match (
        &m.definition.trigger.cron,
        m.definition.trigger.events.is_empty(),
    ) {
        (Some(c), true) => format!(
            "cron `{}` ({})",
            c.value, m.definition.trigger.timezone.value
        ),
        (Some(c), false) => format!(
            "cron `{}` ({}) and events {events}",
            c.value, m.definition.trigger.timezone.value
        ),
        (None, _) => format!("events {events}"),
    };
    let file_state = match def_state {
        DefinitionState::Missing => "missing".to_string(),
        DefinitionState::Invalid(n) => format!(
            "fails validation ({n} error{})",
            if n == 1 { "" } else { "s" }
        ),
        DefinitionState::Valid => "valid".to_string(),
    };
    out.push_str(&format!("  definition: {trigger}; file {file_state}\n\n"));
}

/// The table of the cutover's steps.
fn human_steps(
    out: &mut String,
    reg: &Registry,
    m: &Migration,
    effective: &Migration,
    ev: &Evidence,
    status: &Status,
) {
    out.push_str("   #  step                                                                        state     date        evidence\n");
    for ((step, state, _), (_, eff, _)) in m.cutover.steps.iter().zip(&effective.cutover.steps) {
        let date = match state {
            StepState::Done(d) => d.to_string(),
            _ => String::new(),
        };
        let evidence = match evidence_of(ev, *step, state) {
            (Some(Kind::Declared), None) => "declared".to_string(),
            (Some(Kind::Declared), Some(by)) => format!("declared ({by})"),
            (Some(Kind::Verified), by) => format!("verified: {}", by.unwrap_or_default()),
            (Some(Kind::Failed), by) => format!("NOT verified: {}", by.unwrap_or_default()),
            (None, _) => String::new(),
        };
        let row = format!(
            "   {}  {:<76}{:<10}{:<12}{}",
            step.number(),
            step.title(&reg.names),
            step_state(*step, eff, status),
            date,
            evidence
        );
        out.push_str(row.trim_end());
        out.push('\n');
    }
}

/// The parallel run: its dates and the fires in its window.
fn human_parallel_run(out: &mut String, m: &Migration, p: &ParallelRun) {
    let ended = match m.cutover.state(Step::LegacyDisabled) {
        StepState::Done(d) => Some(*d),
        _ => None,
    };
    let elapsed = match (ended, p.days_elapsed) {
        (Some(end), _) => format!(", ended {end} ({} days)", (end - p.start).get_days()),
        (None, Some(d)) if d >= p.window_days => format!(
            ", {d} days so far (the {}-day minimum is met)",
            p.window_days
        ),
        (None, Some(d)) if d < 0 => {
            format!(" (in {} day{})", -d, if d == -1 { "" } else { "s" })
        }
        (None, Some(d)) => format!(", {d} of {} days so far", p.window_days),
        (None, None) => String::new(),
    };
    let verb = if p.days_elapsed.is_some_and(|d| d < 0) {
        "starts"
    } else {
        "started"
    };
    out.push_str(&format!(
        "\n  parallel run: {verb} {}{elapsed}; legacy may be disabled from {}\n",
        p.start, p.earliest_disable
    ));
    let n = |x: Option<usize>, why: &str| x.map_or_else(|| format!("n/a{why}"), |v| v.to_string());
    out.push_str(&format!(
        "    fires in the first {} days: legacy {}, definition {}, in the same minute {} (double-fire exposure)\n",
        p.window_days,
        n(p.legacy_fires, " (no cron schedule)"),
        n(p.definition_fires, " (event-triggered)"),
        n(p.same_minute, "")
    ));
}

/// What blocks the next step and the later ones; says whether the migration is blocked.
fn human_blockers(out: &mut String, status: &Status, blocking: &[&Blocker]) -> bool {
    if blocking.is_empty() {
        match status.next_step {
            Some(s) => out.push_str(&format!(
                "\n  next: step {} — nothing blocks it\n",
                s.number()
            )),
            None => out.push_str("\n  done: every step is complete\n"),
        }
    } else {
        match status.next_step {
            Some(s) => out.push_str(&format!("\n  blocked at step {}:\n", s.number())),
            None => out.push_str("\n  blocked: every step is recorded as done, but\n"),
        }
        for b in blocking {
            out.push_str(&format!("    - {}\n", b.message));
        }
    }
    let later: Vec<_> = status
        .blockers
        .iter()
        .filter(|b| !blocking.iter().any(|x| std::ptr::eq(*x, *b)))
        .collect();
    if !later.is_empty() {
        out.push_str("  to fix before later steps:\n");
        for b in later {
            out.push_str(&format!("    - step {}: {}\n", b.step.number(), b.message));
        }
    }
    !blocking.is_empty()
}
