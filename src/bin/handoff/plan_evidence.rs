//! `plan`'s evidence (see docs/plan.md#evidence): what it reads besides the registry — the
//! audit, the generated subject document, the host's crontabs and systemd units, the scope
//! document — and a migration's status with that evidence applied.

use std::path::Path;

use jiff::civil::Date;

use crate::exit::Failure;
use crate::plan::Args;
use handoff::evidence::{self, Evidence, Inputs, Kind};
use handoff::plan::{self, DefinitionState, Status};
use handoff::registry::{Migration, Registry, Step, StepState};

/// What plan looks at besides the registry: the audit, the generated subject document, the
/// host's legacy schedules and the scope document.
pub fn evidence_inputs<'a>(
    root: &Path,
    reg: &Registry,
    args: &Args,
    audited: Option<&'a handoff::audit::Outcome>,
) -> Result<Inputs<'a>, Failure> {
    let audit = match (audited, &reg.source) {
        (Some(o), _) => Ok(o),
        (None, Some(cfg)) => Err(format!(
            "not verified: the source root {} does not exist",
            cfg.root.value
        )),
        (None, None) => Err("not verified: the registry has no `[source]` to audit".to_string()),
    };
    let subjects_doc = handoff::generate::artifacts(reg, None)
        .map_err(|e| format!("not verified: {e}"))
        .and_then(|arts| {
            let art = arts
                .iter()
                .find(|a| a.path == reg.output.subjects_doc)
                .ok_or_else(|| "not verified: no subject document is generated".to_string())?;
            match std::fs::read_to_string(root.join(&art.path)) {
                // Current when it is what generate writes, whichever build's seal it has.
                Ok(t) => Ok(handoff::generate::same_but_seal(
                    &handoff::generate::normalise(&t),
                    &handoff::generate::normalise(&art.content),
                )),
                Err(_) => Err(format!("not verified: {} has not been generated", art.path)),
            }
        });
    let mut host = evidence::Host::default();
    for file in &args.crontab {
        let text = crate::options::read(file)?;
        let shown = handoff::project::display_path(file);
        let found = handoff::import::crontab::read(
            &handoff::source::SourceFile::new(shown, text),
            false,
            None,
        );
        host.crontab_jobs.extend(found.jobs);
        host.crontabs_given = true;
    }
    if let Some(dir) = &args.systemd_dir {
        host.systemd_units = unit_files(dir)
            .map_err(|e| Failure::tool(format!("cannot read {}: {e}", dir.display())))?;
        host.systemd_dir = Some(handoff::project::display_path(dir));
    }
    let scope_path = match (&args.scope, &reg.source) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(cfg)) => Some(root.join(&cfg.root.value).join(&cfg.scope)),
        (None, None) => None,
    };
    let scope = scope_path.map(|p| {
        (
            handoff::project::display_path(&p),
            std::fs::read_to_string(&p).map_err(|e| format!("cannot be read ({e})")),
        )
    });
    Ok(Inputs {
        audit,
        subjects_doc,
        host,
        scope,
    })
}

/// Unit files under a systemd folder and its `*.wants` folders, relative to it.
fn unit_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        if e.path().is_dir() {
            for w in std::fs::read_dir(e.path())? {
                out.push(format!("{name}/{}", w?.file_name().to_string_lossy()));
            }
        } else {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// A migration's status with its evidence: steps the evidence verifies count as done, and a
/// recorded date the evidence contradicts is a blocker.
pub fn assess(
    reg: &Registry,
    m: &Migration,
    def_state: DefinitionState,
    at: Date,
    inputs: &Inputs,
) -> (Migration, Status, Evidence) {
    let ev = evidence::evidence(reg, m, inputs, at);
    let mut early = None;
    // A legacy job already gone counts as step 7 done only after the week of parallel run;
    // before that it is a blocker of its own (the protocol runs both sides for a week first).
    if ev.verified(Step::LegacyDisabled)
        && *m.cutover.state(Step::LegacyDisabled) == StepState::Pending
    {
        let by = ev
            .steps
            .get(&Step::LegacyDisabled)
            .map(|e| e.by.clone())
            .unwrap_or_default();
        let problem = match m.cutover.state(Step::ParallelRun) {
            StepState::Done(start) => {
                let days = (at - *start).get_days() as i64;
                (days < plan::PARALLEL_RUN_DAYS).then(|| {
                    format!(
                        "the parallel run started on {start} has lasted {} of {} days",
                        days.max(0),
                        plan::PARALLEL_RUN_DAYS
                    )
                })
            }
            _ => Some("no parallel run is recorded".to_string()),
        };
        early = problem.map(|p| plan::Blocker {
            step: Step::LegacyDisabled,
            message: format!(
                "{by}, but {p}: run both sides for a week before disabling the legacy job"
            ),
        });
    }
    let mut effective = m.clone();
    for (step, state, _) in &mut effective.cutover.steps {
        let too_early = *step == Step::LegacyDisabled && early.is_some();
        if *state == StepState::Pending && ev.verified(*step) && !too_early {
            *state = StepState::Done(at);
        }
    }
    let mut status = plan::status(reg, &effective, Some(def_state), Some(at));
    status.next_step = effective.cutover.next_step();
    status.blockers.extend(ev.blockers.iter().cloned());
    status.blockers.extend(early);
    status.blockers.sort_by_key(|b| b.step);
    (effective, status, ev)
}

/// How a step's state is known: verified or failed by evidence, declared by a recorded date.
pub fn evidence_of(ev: &Evidence, step: Step, state: &StepState) -> (Option<Kind>, Option<String>) {
    match ev.steps.get(&step) {
        Some(e) => (Some(e.kind), Some(e.by.clone())),
        None if matches!(state, StepState::Done(_) | StepState::NotApplicable) => {
            (Some(Kind::Declared), None)
        }
        None => (None, None),
    }
}
