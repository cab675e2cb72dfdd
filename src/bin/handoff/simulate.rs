//! `handoff simulate --from T --to T [--events FILE.jsonl] [--context NAME=JSON]… [--tz ZONE]
//! [--format human|json]`: the timeline of what would run in a window.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{OutputFormat, REPORT_FORMATS};
use handoff::codes::Code;
use handoff::matching::{self, Matcher};
use handoff::report::{self, Format};
use handoff::simulate::{self, Kind, Simulation};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Start of the window (RFC 3339, or a date: 00:00 UTC), inclusive.
    #[arg(long)]
    pub from: String,
    /// End of the window (RFC 3339, or a date: 00:00 UTC), exclusive.
    #[arg(long)]
    pub to: String,
    /// Recorded events to replay: `handoff tap --format json` output (JSON lines).
    #[arg(long, value_name = "FILE.jsonl")]
    pub events: Option<PathBuf>,
    /// A context value the rules see, NAME=JSON (repeatable); contexts not given are absent.
    #[arg(long = "context", value_name = "NAME=JSON")]
    pub context: Vec<String>,
    /// The time zone days and times are shown in (default UTC).
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(REPORT_FORMATS))]
    pub format: OutputFormat,
}

/// RFC 3339, or a date taken as 00:00 UTC.
fn instant(flag: &str, s: &str) -> Result<Timestamp, Failure> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    s.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned_datetime(TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            Failure::usage(format!(
                "{flag} `{s}` is neither an RFC 3339 instant nor a date (YYYY-MM-DD)"
            ))
        })
}

/// The definitions folder's definitions with the `--context NAME=JSON` values (shared with
/// `tap --match`). Definitions that do not parse are reported on `err` and left out.
pub fn matcher(
    project: &handoff::project::Project,
    reg: &handoff::registry::Registry,
    context_args: &[String],
    err: &mut dyn Write,
) -> Result<Matcher, Failure> {
    let mut context = BTreeMap::new();
    for c in context_args {
        let (k, v) = matching::parse_context_arg(c).map_err(Failure::usage)?;
        context.insert(k, v);
    }
    let (defs, diags) = matching::load_definitions(&project.root.join(&reg.output.definitions))
        .map_err(Failure::tool)?;
    if !diags.is_empty() {
        let _ = write!(err, "{}", report::render(Format::Human, &diags, 0));
        let _ = writeln!(
            err,
            "handoff: the definitions above do not parse and are left out"
        );
    }
    Ok(Matcher::new(reg, defs, context))
}

/// The longest window simulated (a year): a `* * * * *` schedule yields half a million fires.
const MAX_WINDOW_DAYS: i64 = 366;

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let from = instant("--from", &args.from)?;
    let to = instant("--to", &args.to)?;
    if to <= from {
        return Err(Failure::usage("--to must be after --from"));
    }
    if (to - from).as_secs() > MAX_WINDOW_DAYS * 86_400 {
        return Err(Failure::usage(format!(
            "the window is longer than {MAX_WINDOW_DAYS} days"
        )));
    }
    let tz = handoff::cron::parse_timezone(&args.tz)
        .map_err(|f| Failure::usage(format!("--tz: {}", f.message)))?;
    // As for plan: an event trigger waiting for its subject (checklist step 3) does not stop the
    // simulation; that definition simply has no events to react to.
    let (project, reg) = crate::options::require(registry, &[Code::UnregisteredSubject], err)?;
    let matcher = matcher(&project, &reg, &args.context, err)?;
    let (events, notes) = match &args.events {
        Some(p) => simulate::read_events(&crate::options::read(p)?),
        None => (Vec::new(), Vec::new()),
    };
    let mut sim = simulate::simulate(&reg, &matcher, from, to, &events);
    sim.notes.splice(0..0, notes);
    match args.format {
        OutputFormat::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&json_report(&sim, from, to, &tz)).unwrap_or_default()
            )?;
        }
        // REPORT_FORMATS: human (here) or json.
        _ => {
            write!(out, "{}", human(&sim, from, to, &tz, &args.tz))?;
        }
    }
    Ok(Exit::Clean)
}

fn utc(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn json_report(
    sim: &Simulation,
    from: Timestamp,
    to: Timestamp,
    tz: &TimeZone,
) -> serde_json::Value {
    json!({
        "version": handoff::report::JSON_VERSION,
        "from": utc(from),
        "to": utc(to),
        "entries": sim.entries.iter().map(|e| json!({
            "at": utc(e.at),
            "local": e.at.to_zoned_in(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "kind": e.kind,
            "name": e.name,
            "migration": e.migration,
            "trigger": e.trigger,
            "source": e.source,
            "timezone": e.timezone,
            "event_id": e.event_id,
            "outcome": e.outcome,
            "message": e.message,
            "double": e.double,
        })).collect::<Vec<_>>(),
        "migrations": sim.migrations,
        "notes": sim.notes,
        "summary": summary(sim),
    })
}

fn summary(sim: &Simulation) -> serde_json::Value {
    let count = |f: &dyn Fn(&simulate::Entry) -> bool| sim.entries.iter().filter(|e| f(e)).count();
    json!({
        "legacy_fires": count(&|e| e.kind == Kind::Legacy),
        "definition_fires": count(&|e| e.kind == Kind::Definition),
        "definition_runs": count(&|e| e.outcome == Some("fires")),
        "double_fires": count(&|e| e.kind == Kind::Definition && e.double),
    })
}

fn human(sim: &Simulation, from: Timestamp, to: Timestamp, tz: &TimeZone, tz_name: &str) -> String {
    let s = summary(sim);
    let mut o = format!(
        "Simulation {} .. {} (times in {tz_name}): {} legacy fires, {} definition fires ({} would run), {} double fires\n",
        utc(from),
        utc(to),
        s["legacy_fires"],
        s["definition_fires"],
        s["definition_runs"],
        s["double_fires"],
    );
    let mut day = None;
    let mut i = 0;
    while i < sim.entries.len() {
        let z = sim.entries[i].at.to_zoned_in(tz);
        let date = z.date();
        if day != Some(date) {
            day = Some(date);
            let same_day: Vec<&simulate::Entry> = sim.entries[i..]
                .iter()
                .take_while(|e| e.at.to_zoned_in(tz).date() == date)
                .collect();
            let legacy = same_day.iter().filter(|e| e.kind == Kind::Legacy).count();
            let defs = same_day.len() - legacy;
            let doubles = same_day
                .iter()
                .filter(|e| e.kind == Kind::Definition && e.double)
                .count();
            o.push_str(&format!(
                "\n{} {}: {legacy} legacy, {defs} definition fires, {doubles} double\n",
                date,
                z.strftime("%a")
            ));
        }
        let e = &sim.entries[i];
        let what = match e.kind {
            Kind::Legacy => format!(
                "legacy      {}  `{}` ({})",
                e.name,
                e.source,
                e.timezone.as_deref().unwrap_or("UTC")
            ),
            Kind::Definition => {
                let trigger = match e.trigger {
                    "cron" => format!("cron `{}`", e.source),
                    _ => format!(
                        "event {} {}",
                        e.source,
                        e.event_id.as_deref().unwrap_or("-")
                    ),
                };
                let outcome = match &e.message {
                    Some(m) => format!("{} ({m})", e.outcome.unwrap_or("")),
                    None => e.outcome.unwrap_or("").to_string(),
                };
                format!("definition  {}  {trigger}: {outcome}", e.name)
            }
        };
        o.push_str(&format!(
            "  {}  {what}{}\n",
            z.strftime("%H:%M"),
            if e.double { "  DOUBLE" } else { "" }
        ));
        i += 1;
    }
    if !sim.migrations.is_empty() {
        o.push_str("\nmigrations (fires in the window):\n");
        let n = |v: Option<usize>| v.map_or("n/a".to_string(), |v| v.to_string());
        for m in &sim.migrations {
            o.push_str(&format!(
                "  {} → {}: legacy {}, definition {}, in the same minute {}\n",
                m.migration,
                m.definition,
                n(m.legacy_fires),
                n(m.definition_fires),
                n(m.same_minute)
            ));
        }
    }
    for note in &sim.notes {
        o.push_str(&format!("note: {note}\n"));
    }
    o
}

/// `t` in the zone `tz`.
trait InZone {
    fn to_zoned_in(&self, tz: &TimeZone) -> jiff::ZonedDateTime;
}

impl InZone for Timestamp {
    fn to_zoned_in(&self, tz: &TimeZone) -> jiff::ZonedDateTime {
        self.to_zoned_datetime(tz.clone())
    }
}
