//! `import`: legacy schedules (crontab lines, systemd timers) become registry migration entries.
//!
//! An entry is a complete `[[migrations]]` table: the legacy job as found, and a first draft of
//! its ActivityDefinition (same schedule, `when = "true"`, the same command), with an empty
//! cutover checklist. Side effects cannot be read from a schedule, so none are declared: step 1
//! of the checklist is exactly what comes next. Entries are TOML text, added to the registry by
//! `--write` after its last migration (so nothing in the file is reformatted, see [`write`](mod@write)) once
//! the result is known to load.

pub mod crontab;
pub mod systemd;
pub mod write;

use crate::diagnostic::Diagnostic;
use crate::registry::Registry;

/// A legacy job read from a crontab line or a timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The migration's name, derived from the command.
    pub name: String,
    pub schedule: String,
    pub timezone: String,
    pub systemd_timer: Option<String>,
    pub command: String,
    pub notes: Vec<String>,
    /// Where it came from, e.g. `crontab:12`.
    pub origin: String,
}

/// What an import found: jobs, and the problems of the lines or units it could not import.
#[derive(Debug, Default)]
pub struct Found {
    pub jobs: Vec<Job>,
    pub problems: Vec<Diagnostic>,
}

/// A migration name from a command: the task or script it runs, lowercase, dashes.
/// `python3 /srv/scripts/cleanup_stale_tasks.py --days 14` → `cleanup-stale-tasks`;
/// `php artisan billing:close-week` → `billing-close-week` (a framework runner's task);
/// `flock -n /tmp/x.lock /opt/bin/sync.sh` → `sync` (a script before any other argument).
pub fn name_from_command(command: &str) -> String {
    // The last command of a `cd dir && run` chain is the job.
    let last = command.rsplit("&&").next().unwrap_or(command);
    let last = last.rsplit(';').next().unwrap_or(last);
    // Up to the first redirection or pipe: `> /dev/null 2>&1` names nothing.
    let words: Vec<&str> = last
        .split_whitespace()
        .take_while(|w| !w.contains(['>', '<', '|']))
        .collect();
    let interpreters = [
        "python", "python3", "sh", "bash", "node", "ruby", "perl", "php", "env", "exec", "nice",
        "ionice", "flock", "timeout", "cd", "&&", "sudo", "nohup", "chronic",
    ];
    let base = |w: &str| -> String { w.rsplit('/').next().unwrap_or(w).to_string() };
    let args: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-') && !w.contains('='))
        .collect();
    // Framework runners name the task in their first argument.
    let runners = ["artisan", "manage.py", "console", "rake"];
    let task = args
        .iter()
        .position(|w| runners.contains(&base(w).as_str()))
        .and_then(|i| args.get(i + 1))
        .map(|w| w.to_string());
    let script_ext = [".py", ".sh", ".php", ".rb", ".pl", ".js"];
    let script = args.iter().map(|w| base(w)).find(|w| {
        script_ext
            .iter()
            .any(|e| w.len() > e.len() && w.ends_with(e))
    });
    let program = task.or(script).or_else(|| {
        args.iter().map(|w| base(w)).find(|w| {
            let trimmed = w.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            !interpreters.contains(&w.as_str())
                && !interpreters.contains(&trimmed)
                && !w.starts_with('.')
                && !w.is_empty()
        })
    });
    let program = program.unwrap_or_else(|| "job".to_string());
    let stem = script_ext
        .iter()
        .find_map(|e| program.strip_suffix(e))
        .unwrap_or(&program);
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "job".to_string()
    } else {
        out
    }
}

/// The namespace for drafted definition names: the one every existing migration uses, if they
/// agree, else `imported`. `--namespace` overrides it.
pub fn default_namespace(reg: &Registry) -> String {
    let mut namespaces = reg.migrations.iter().filter_map(|m| {
        m.definition
            .name
            .split_once('.')
            .map(|(ns, _)| ns.to_string())
    });
    match namespaces.next() {
        Some(first) if namespaces.all(|n| n == first) => first,
        _ => "imported".to_string(),
    }
}

/// The outcome of matching jobs against the registry.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// A new entry, with the name it gets (made unique).
    New(String),
    /// Already in the registry as this migration (same timer unit, or same command and schedule).
    Existing(String),
    /// The same job appeared earlier in this import (a repeated crontab line).
    Repeated(String),
}

/// Whether a job is the one a migration (or an earlier job) describes: the same systemd timer
/// unit, or the same command on the same cron schedule.
fn same_job(command: &str, schedule: Option<&str>, timer: Option<&str>, job: &Job) -> bool {
    (timer.is_some() && timer == job.systemd_timer.as_deref())
        || (command == job.command && schedule == Some(job.schedule.as_str()))
}

/// Decides, for each job, whether it is new (and under which name: unique among migrations, and
/// `namespace.name` unique among definitions) or already imported.
pub fn place(reg: &Registry, jobs: &[Job], namespace: &str) -> Vec<Placement> {
    let mut taken: Vec<String> = reg
        .migrations
        .iter()
        .map(|m| m.name.value.clone())
        .collect();
    let definitions: Vec<&str> = reg
        .migrations
        .iter()
        .map(|m| m.definition.name.as_str())
        .collect();
    let mut out: Vec<Placement> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let existing = reg.migrations.iter().find(|m| {
            same_job(
                &m.legacy.command,
                m.legacy.schedule.as_ref().map(|s| s.value.as_str()),
                m.legacy.systemd_timer.as_deref(),
                job,
            )
        });
        if let Some(m) = existing {
            out.push(Placement::Existing(m.name.value.clone()));
            continue;
        }
        let earlier = jobs[..i].iter().zip(&out).find_map(|(j, p)| match p {
            Placement::New(name)
                if same_job(
                    &j.command,
                    Some(&j.schedule),
                    j.systemd_timer.as_deref(),
                    job,
                ) =>
            {
                Some(name.clone())
            }
            _ => None,
        });
        if let Some(name) = earlier {
            out.push(Placement::Repeated(name));
            continue;
        }
        let mut name = job.name.clone();
        let mut n = 2;
        while taken.contains(&name) || definitions.contains(&format!("{namespace}.{name}").as_str())
        {
            name = format!("{}-{n}", job.name);
            n += 1;
        }
        taken.push(name.clone());
        out.push(Placement::New(name));
    }
    out
}

fn toml_str(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// The `[[migrations]]` entry for a job, as TOML text.
pub fn entry(job: &Job, name: &str, namespace: &str) -> String {
    let def_name = format!("{namespace}.{name}");
    let mut notes = vec![format!("imported from {}", job.origin)];
    notes.extend(job.notes.iter().cloned());
    let notes = notes
        .iter()
        .map(|n| toml_str(n))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    out.push_str(&format!("[[migrations]]\nname = {}\n", toml_str(name)));
    out.push_str(&format!(
        "summary = {}\n\n",
        toml_str(&format!(
            "Imported from {}: `{}`. Describe what it does and what moves.",
            job.origin, job.command
        ))
    ));
    out.push_str("[migrations.legacy]\n");
    out.push_str(&format!("schedule = {}\n", toml_str(&job.schedule)));
    out.push_str(&format!("timezone = {}\n", toml_str(&job.timezone)));
    if let Some(t) = &job.systemd_timer {
        out.push_str(&format!("systemd_timer = {}\n", toml_str(t)));
    }
    out.push_str(&format!("command = {}\n", toml_str(&job.command)));
    out.push_str(&format!("notes = [{notes}]\n\n"));
    out.push_str("[migrations.definition]\n");
    out.push_str(&format!("name = {}\n", toml_str(&def_name)));
    out.push_str(&format!("owner = {}\n", toml_str(namespace)));
    out.push_str(&format!(
        "description = {}\n\n",
        toml_str(&format!(
            "Runs `{}` on the legacy schedule. Drafted by handoff import; review it.",
            job.command
        ))
    ));
    out.push_str("[migrations.definition.trigger]\n");
    out.push_str(&format!("cron = {}\n", toml_str(&job.schedule)));
    out.push_str(&format!("timezone = {}\n\n", toml_str(&job.timezone)));
    out.push_str("[migrations.definition.rule]\nwhen = \"true\"\n\n");
    out.push_str("[migrations.definition.instruction.shell]\n");
    out.push_str(&format!("command = {}\n\n", toml_str(&job.command)));
    out.push_str("[migrations.definition.idempotency]\n");
    out.push_str(&format!("key = {}\n", toml_str(TODO_KEY)));
    out.push_str(&format!("mechanism = {}\n\n", toml_str(TODO_MECHANISM)));
    out.push_str("[migrations.cutover]\n# Record each checklist step's date here as it is done (docs/registry.md).\n");
    out
}

/// Placeholders an imported entry carries until someone declares idempotency; `plan` reports
/// them as blocking the parallel run.
pub const TODO_KEY: &str = "TODO: what identifies one run";
pub const TODO_MECHANISM: &str = "TODO: how a repeated fire is made harmless";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_script() {
        assert_eq!(
            name_from_command("python3 /srv/scripts/cleanup_stale_tasks.py --days 14"),
            "cleanup-stale-tasks"
        );
        assert_eq!(
            name_from_command("/usr/local/bin/backup.sh > /dev/null 2>&1"),
            "backup"
        );
        assert_eq!(
            name_from_command("cd /srv/hub && .venv/bin/python scripts/consistency_check.py"),
            "consistency-check"
        );
        assert_eq!(name_from_command("/usr/bin/env FOO=1 python3.11 x.py"), "x");
        // Not the interpreter, the task or script.
        assert_eq!(
            name_from_command("php artisan billing:close-week"),
            "billing-close-week"
        );
        assert_eq!(
            name_from_command("cd /var/www/app && php8.2 artisan billing:close-week --force"),
            "billing-close-week"
        );
        assert_eq!(
            name_from_command("python3 /opt/x/cleanup_stale_tasks.py"),
            "cleanup-stale-tasks"
        );
        assert_eq!(
            name_from_command("/srv/app/.venv/bin/python manage.py clearsessions"),
            "clearsessions"
        );
        assert_eq!(
            name_from_command("flock -n /tmp/sync.lock /opt/bin/sync.sh >> /var/log/sync.log 2>&1"),
            "sync"
        );
        assert_eq!(
            name_from_command("/usr/sbin/logrotate /etc/logrotate.conf"),
            "logrotate"
        );
    }
}
