//! Crontab files: user crontabs (`crontab -l`) and, with `system`, the system form
//! (`/etc/crontab`, `/etc/cron.d/*`) that has a user field before the command.

use super::{Found, Job, name_from_command};
use crate::codes::Code;
use crate::source::SourceFile;

/// Reads a crontab. Lines that cannot be imported are reported with their line number; the
/// rest are still imported.
///
/// Jobs run in the `CRON_TZ` set above them; without one, cron used the machine's local time
/// zone, which is `local_tz` when the caller knows it (`--tz`), else assumed to be UTC and
/// noted on the entry for review.
pub fn read(file: &SourceFile, system: bool, local_tz: Option<&str>) -> Found {
    let mut reader = Reader {
        file,
        system,
        local_tz,
        found: Found::default(),
        timezone: local_tz.unwrap_or("UTC").to_string(),
        cron_tz: false,
        env_notes: Vec::new(),
    };
    let mut offset = 0;
    for (i, raw) in file.text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        let at = line_start + (line.len() - trimmed.len());
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Environment lines: NAME=value (before any whitespace-separated field).
        if let Some((name, value)) = env_assignment(trimmed) {
            reader.environment(name, value, at + trimmed.find('=').map_or(0, |p| p + 1));
        } else {
            reader.job(i + 1, trimmed, at);
        }
    }
    reader.found
}

/// The state of a crontab as it is read from top to bottom.
struct Reader<'a> {
    file: &'a SourceFile,
    system: bool,
    local_tz: Option<&'a str>,
    found: Found,
    /// The zone of the jobs that follow: the last `CRON_TZ`, else the machine's.
    timezone: String,
    cron_tz: bool,
    env_notes: Vec<String>,
}

impl Reader<'_> {
    /// A `NAME=value` line; `value` starts at byte `at`.
    fn environment(&mut self, name: &str, value: &str, at: usize) {
        match name {
            "CRON_TZ" => match crate::cron::parse_timezone(value) {
                Ok(_) => {
                    self.timezone = value.to_string();
                    self.cron_tz = true;
                }
                Err(f) => {
                    let mut d = self
                        .file
                        .diagnostic(f.code, at..at + value.len().max(1), f.message);
                    d.help = f.help;
                    self.found.problems.push(d);
                }
            },
            // cronie and Vixie cron schedule by CRON_TZ; TZ only reaches the command.
            "TZ" => self.env_notes.push(format!(
                "{name}={value} (crontab environment: the command's time zone, not the schedule's; cron schedules by CRON_TZ)"
            )),
            _ => self
                .env_notes
                .push(format!("{name}={value} (crontab environment)")),
        }
    }

    /// A job line (number `n`, its text `trimmed` starting at byte `at`).
    fn job(&mut self, n: usize, trimmed: &str, at: usize) {
        let whole = at..at + trimmed.len();
        let Some((schedule, schedule_span, rest)) = split_schedule(trimmed) else {
            self.found.problems.push(
                self.file
                    .diagnostic(
                        Code::ImportLine,
                        whole,
                        "not a crontab job line: expected 5 schedule fields (or a macro) and a command",
                    )
                    .with_help("fix or comment out the line; the others are imported"),
            );
            return;
        };
        let user_start = at + schedule_span.end + (rest.len() - rest.trim_start().len());
        let Some((user, command)) = self.user_and_command(rest, whole.clone(), user_start) else {
            return;
        };
        if command.is_empty() {
            self.found.problems.push(self.file.diagnostic(
                Code::ImportLine,
                whole,
                "the line has a schedule but no command",
            ));
            return;
        }
        let base = at + schedule_span.start;
        if let Err(findings) = crate::cron::parse(&schedule) {
            for f in findings {
                let mut d = self.file.diagnostic(
                    f.code,
                    base + f.span.start..base + f.span.end,
                    format!("line {n} not imported: {}", f.message),
                );
                d.help = f.help;
                self.found.problems.push(d);
            }
            return;
        }
        let notes = self.notes(n, &schedule, base, user.as_deref(), &command);
        self.found.jobs.push(Job {
            name: name_from_command(&command),
            schedule,
            timezone: self.timezone.clone(),
            systemd_timer: None,
            command,
            notes,
            origin: format!("{}:{n}", self.file.path),
        });
    }

    /// The user (system crontabs) and the command after the schedule, or `None` with the
    /// problem reported.
    fn user_and_command(
        &mut self,
        rest: &str,
        whole: std::ops::Range<usize>,
        user_start: usize,
    ) -> Option<(Option<String>, String)> {
        if self.system {
            let Some((user, command)) = rest.trim_start().split_once(char::is_whitespace) else {
                self.found.problems.push(
                    self.file
                        .diagnostic(
                            Code::ImportLine,
                            whole,
                            "a system crontab line needs a user and a command after the schedule",
                        )
                        .with_help("drop --system for a user crontab"),
                );
                return None;
            };
            return Some((Some(user.to_string()), command.trim().to_string()));
        }
        let command = rest.trim();
        if let Some(user) = system_user(command) {
            self.found.problems.push(
                self.file
                    .diagnostic(
                        Code::ImportLine,
                        user_start..user_start + user.len(),
                        format!(
                            "this looks like a system crontab line: `{user}` is the user the job runs as, not part of the command"
                        ),
                    )
                    .with_help("import /etc/crontab and /etc/cron.d files with --system"),
            );
            return None;
        }
        Some((None, command.to_string()))
    }

    /// The notes an imported job carries for review (and the DST warning of a CRON_TZ job).
    fn notes(
        &mut self,
        n: usize,
        schedule: &str,
        base: usize,
        user: Option<&str>,
        command: &str,
    ) -> Vec<String> {
        let mut notes = self.env_notes.clone();
        if self.cron_tz {
            self.cron_tz_dst(n, schedule, base, &mut notes);
        }
        if !self.cron_tz && self.local_tz.is_none() {
            notes.push("no CRON_TZ: cron ran this in the machine's local time zone, assumed UTC here; check it (or import with --tz)".to_string());
        }
        if let Some(user) = user {
            notes.push(format!("runs as user {user}"));
        }
        if command.contains('%') {
            notes.push("the command contains `%`, which cron turns into a newline (stdin); check the command".to_string());
        }
        notes
    }

    /// cronie's DST catch-up applies only in the daemon's zone: a CRON_TZ job is checked
    /// minute by minute in its own zone, which handoff's schedule model does not do.
    fn cron_tz_dst(&mut self, n: usize, schedule: &str, base: usize, notes: &mut Vec<String>) {
        let (Ok(parsed), Ok(tz)) = (
            crate::cron::parse(schedule),
            crate::cron::parse_timezone(&self.timezone),
        ) else {
            return;
        };
        let differences = parsed
            .schedule
            .differs_as_cron_tz_job(&tz, crate::clock::now(), 1);
        if differences.is_empty() {
            return;
        }
        let timezone = &self.timezone;
        let mut d = self.file.diagnostic(
            Code::ImportDst,
            base..base + schedule.len(),
            format!(
                "line {n}: as a CRON_TZ={timezone} job, cronie ran `{schedule}` differently at DST changes than the definition will: {}",
                differences.join("; ")
            ),
        );
        d.help = Some("check those runs after the cutover, or schedule outside the DST change hours (or in UTC)".to_string());
        self.found.problems.push(d);
        notes.push(format!(
            "DST: as a CRON_TZ job cronie differs ({})",
            differences.join("; ")
        ));
    }
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
