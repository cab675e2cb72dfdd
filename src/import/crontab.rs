//! Crontab files: user crontabs (`crontab -l`) and, with `system`, the system form
//! (`/etc/crontab`, `/etc/cron.d/*`) that has a user field before the command.

use super::{Found, Job, name_from_command};
use crate::codes::Code;
use crate::source::SourceFile;

/// Reads a crontab. Lines that cannot be imported are reported with their line number; the
/// rest are still imported.
///
/// Jobs run in the `CRON_TZ` set above them; without one, cron used the machine's local time
/// zone, which is `local_tz` when the caller knows it (`--timezone`), else assumed to be UTC and
/// noted on the entry for review.
pub fn read(file: &SourceFile, system: bool, local_tz: Option<&str>) -> Found {
    let mut found = Found::default();
    let mut timezone = local_tz.unwrap_or("UTC").to_string();
    let mut cron_tz = false;
    let mut env_notes: Vec<String> = Vec::new();
    let mut offset = 0;
    for (i, raw) in file.text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let at = line_start + indent;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Environment lines: NAME=value (before any whitespace-separated field).
        if let Some((name, value)) = env_assignment(trimmed) {
            match name {
                "CRON_TZ" => match crate::cron::parse_timezone(value) {
                    Ok(_) => {
                        timezone = value.to_string();
                        cron_tz = true;
                    }
                    Err(f) => {
                        let start = at + trimmed.find('=').map_or(0, |p| p + 1);
                        let mut d = file.diagnostic(
                            f.code, start..start + value.len().max(1),
                            f.message,
                        );
                        d.help = f.help;
                        found.problems.push(d);
                    }
                },
                // cronie and Vixie cron schedule by CRON_TZ; TZ only reaches the command.
                "TZ" => env_notes.push(format!(
                    "{name}={value} (crontab environment: the command's time zone, not the schedule's; cron schedules by CRON_TZ)"
                )),
                _ => env_notes.push(format!("{name}={value} (crontab environment)")),
            }
            continue;
        }
        let (schedule, schedule_span, rest) = match split_schedule(trimmed) {
            Some(x) => x,
            None => {
                found.problems.push(
                    file.diagnostic(Code::ImportLine, at..at + trimmed.len(), "not a crontab job line: expected 5 schedule fields (or a macro) and a command")
                        .with_help("fix or comment out the line; the others are imported"),
                );
                continue;
            }
        };
        let (user, command) = if system {
            let rest = rest.trim_start();
            match rest.split_once(char::is_whitespace) {
                Some((user, command)) => (Some(user.to_string()), command.trim().to_string()),
                None => {
                    found.problems.push(
                        file.diagnostic(
                            Code::ImportLine,
                            at..at + trimmed.len(),
                            "a system crontab line needs a user and a command after the schedule",
                        )
                        .with_help("drop --system for a user crontab"),
                    );
                    continue;
                }
            }
        } else {
            let command = rest.trim();
            if let Some(user) = system_user(command) {
                let start = at + schedule_span.end + (rest.len() - rest.trim_start().len());
                found.problems.push(
                    file.diagnostic(
                        Code::ImportLine,
                        start..start + user.len(),
                        format!(
                            "this looks like a system crontab line: `{user}` is the user the job runs as, not part of the command"
                        ),
                    )
                    .with_help("import /etc/crontab and /etc/cron.d files with --system"),
                );
                continue;
            }
            (None, command.to_string())
        };
        if command.is_empty() {
            found.problems.push(file.diagnostic(
                Code::ImportLine,
                at..at + trimmed.len(),
                "the line has a schedule but no command",
            ));
            continue;
        }
        let base = at + schedule_span.start;
        if let Err(findings) = crate::cron::parse(&schedule) {
            for f in findings {
                let mut d = file.diagnostic(
                    f.code,
                    base + f.span.start..base + f.span.end,
                    format!("line {} not imported: {}", i + 1, f.message),
                );
                d.help = f.help;
                found.problems.push(d);
            }
            continue;
        }
        let mut notes = env_notes.clone();
        // cronie's DST catch-up applies only in the daemon's zone: a CRON_TZ job is checked
        // minute by minute in its own zone, which handoff's schedule model does not do.
        if cron_tz
            && let (Ok(parsed), Ok(tz)) = (
                crate::cron::parse(&schedule),
                crate::cron::parse_timezone(&timezone),
            )
        {
            let differences = parsed
                .schedule
                .differs_as_cron_tz_job(&tz, crate::clock::now(), 1);
            if !differences.is_empty() {
                let mut d = file.diagnostic(
                    Code::ImportDst, base..base + schedule.len(),
                    format!(
                        "line {}: as a CRON_TZ={timezone} job, cronie ran `{schedule}` differently at DST changes than the definition will: {}",
                        i + 1,
                        differences.join("; ")
                    ),
                );
                d.help = Some("check those runs after the cutover, or schedule outside the DST change hours (or in UTC)".to_string());
                found.problems.push(d);
                notes.push(format!(
                    "DST: as a CRON_TZ job cronie differs ({})",
                    differences.join("; ")
                ));
            }
        }
        if !cron_tz && local_tz.is_none() {
            notes.push("no CRON_TZ: cron ran this in the machine's local time zone, assumed UTC here; check it (or import with --timezone)".to_string());
        }
        if let Some(user) = user {
            notes.push(format!("runs as user {user}"));
        }
        if command.contains('%') {
            notes.push("the command contains `%`, which cron turns into a newline (stdin); check the command".to_string());
        }
        found.jobs.push(Job {
            name: name_from_command(&command),
            schedule,
            timezone: timezone.clone(),
            systemd_timer: None,
            command,
            notes,
            origin: format!("{}:{}", file.path, i + 1),
        });
    }
    found
}

/// The user field of a system crontab line read as a user crontab: `root` before any command
/// (`root cd / && run-parts …`), or another common service account before an absolute path
/// (`www-data /usr/bin/php …`). No program is called `root`; the others are checked only before
/// an absolute path so that a command named like an account is not mistaken.
fn system_user(command: &str) -> Option<&str> {
    const ACCOUNTS: [&str; 15] = [
        "daemon", "bin", "sys", "nobody", "www-data", "postgres", "mysql", "redis", "nginx",
        "apache", "deploy", "ubuntu", "admin", "operator", "jenkins",
    ];
    let mut words = command.split_whitespace();
    let user = words.next()?;
    let next = words.next()?;
    (user == "root" || (ACCOUNTS.contains(&user) && next.starts_with('/'))).then_some(user)
}

/// `NAME=value` (optionally quoted), the crontab environment-line form.
fn env_assignment(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((name, value))
}

/// Splits `m h dom mon dow rest` or `@macro rest`; returns the schedule, its span within the
/// line, and the rest.
fn split_schedule(line: &str) -> Option<(String, std::ops::Range<usize>, &str)> {
    let fields = if line.starts_with('@') { 1 } else { 5 };
    let mut end = 0;
    let mut count = 0;
    let mut chars = line.char_indices().peekable();
    while count < fields {
        // Skip whitespace, then a field.
        while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
            chars.next();
        }
        chars.peek()?;
        while let Some((i, c)) = chars.peek().copied() {
            if c.is_whitespace() {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        count += 1;
    }
    let rest = &line[end..];
    if rest.trim().is_empty() {
        return None;
    }
    Some((line[..end].to_string(), 0..end, rest))
}
