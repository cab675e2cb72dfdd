//! systemd timers: `OnCalendar=` translated into a standard 5-field cron expression when it is
//! exactly expressible, and an error saying why when it is not. See docs/import.md.

mod job;

pub use job::read;

/// A unit file's `Key=value` lines by section, in order.
#[derive(Debug, Default)]
pub struct Unit {
    pub entries: Vec<(String, String, String, usize)>, // (section, key, value, line)
}

impl Unit {
    pub fn parse(text: &str) -> Unit {
        let mut unit = Unit::default();
        let mut section = String::new();
        let mut pending: Option<(String, String, usize)> = None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some((key, value, at)) = pending.take() {
                // A continuation of the previous line (trailing backslash).
                let (v, more) = match line.strip_suffix('\\') {
                    Some(v) => (v, true),
                    None => (line, false),
                };
                let value = format!("{value} {}", v.trim());
                if more {
                    pending = Some((key, value, at));
                } else {
                    unit.entries.push((section.clone(), key, value, at));
                }
                continue;
            }
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = line[1..line.len() - 1].to_string();
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                let (value, more) = match value.trim().strip_suffix('\\') {
                    Some(v) => (v.trim().to_string(), true),
                    None => (value.trim().to_string(), false),
                };
                if more {
                    pending = Some((key.trim().to_string(), value, i + 1));
                } else {
                    unit.entries
                        .push((section.clone(), key.trim().to_string(), value, i + 1));
                }
            }
        }
        unit
    }

    /// Values of `key` in `section`, honouring systemd's "an empty assignment resets the list".
    pub fn values(&self, section: &str, key: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for (s, k, v, line) in &self.entries {
            if s == section && k == key {
                if v.is_empty() {
                    out.clear();
                } else {
                    out.push((v.clone(), *line));
                }
            }
        }
        out
    }

    pub fn last(&self, section: &str, key: &str) -> Option<String> {
        self.values(section, key).pop().map(|(v, _)| v)
    }
}

/// A translated calendar: five cron fields and an optional time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub fields: [String; 5],
    pub timezone: Option<String>,
}

impl Translated {
    pub fn expr(&self) -> String {
        self.fields.join(" ")
    }
}

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Translates one `OnCalendar=` value into cron fields, or says why it cannot be.
pub fn translate(spec: &str) -> Result<Translated, String> {
    let shorthand = match spec.trim().to_ascii_lowercase().as_str() {
        "minutely" => Some("* * * * *"),
        "hourly" => Some("0 * * * *"),
        "daily" => Some("0 0 * * *"),
        "weekly" => Some("0 0 * * 1"),
        "monthly" => Some("0 0 1 * *"),
        "yearly" | "annually" => Some("0 0 1 1 *"),
        "quarterly" => Some("0 0 1 1,4,7,10 *"),
        "semiannually" => Some("0 0 1 1,7 *"),
        _ => None,
    };
    if let Some(s) = shorthand {
        let f: Vec<String> = s.split(' ').map(str::to_string).collect();
        return Ok(Translated {
            fields: [
                f[0].clone(),
                f[1].clone(),
                f[2].clone(),
                f[3].clone(),
                f[4].clone(),
            ],
            timezone: None,
        });
    }
    let mut parts: Vec<&str> = spec.split_whitespace().collect();
    // A trailing time zone (`Europe/Berlin`, `UTC`).
    let mut timezone = None;
    if let Some(last) = parts.last()
        && !last.contains(':')
        && !last.contains('-')
        && !last.starts_with(|c: char| c.is_ascii_digit() || c == '*')
        && (last.contains('/')
            || last.eq_ignore_ascii_case("UTC")
            || jiff::tz::TimeZone::get(last).is_ok())
        && !looks_like_weekdays(last)
    {
        timezone = Some(zone_name(last)?);
        parts.pop();
    }
    let mut weekdays = None;
    if let Some(first) = parts.first()
        && looks_like_weekdays(first)
    {
        weekdays = Some(weekday_field(first)?);
        parts.remove(0);
    }
    let (mut date, mut time) = (None, None);
    for p in parts {
        if p.contains(':') && time.is_none() {
            time = Some(p);
        } else if p.contains('-') && date.is_none() {
            date = Some(p);
        } else {
            return Err(format!("`{p}` is not a date (`*-*-*`) or a time (`HH:MM`)"));
        }
    }
    // Date: [year-]month-day; the year must be `*`.
    let (month, day) = match date {
        None => ("*".to_string(), "*".to_string()),
        Some(d) => {
            let pieces: Vec<&str> = d.split('-').collect();
            let (year, month, day) = match pieces.as_slice() {
                [y, m, d] => (Some(*y), *m, *d),
                [m, d] => (None, *m, *d),
                _ => return Err(format!("`{d}` is not a date of the form year-month-day")),
            };
            if let Some(y) = year
                && y != "*"
            {
                return Err(format!("it names the year `{y}`; cron has no year field"));
            }
            if day.contains('~') {
                return Err(
                    "`~` (days from the end of the month) has no cron equivalent".to_string(),
                );
            }
            (
                component(month, 1, 12, "month")?,
                component(day, 1, 31, "day")?,
            )
        }
    };
    // Time: hour:minute[:second]; seconds must be 0.
    let (hour, minute) = match time {
        None => ("0".to_string(), "0".to_string()),
        Some(t) => {
            let pieces: Vec<&str> = t.split(':').collect();
            let (h, m, s) = match pieces.as_slice() {
                [h, m] => (*h, *m, None),
                [h, m, s] => (*h, *m, Some(*s)),
                _ => return Err(format!("`{t}` is not a time of the form HH:MM[:SS]")),
            };
            if let Some(s) = s {
                let zero = s.split('.').next().unwrap_or(s);
                if !(zero.chars().all(|c| c == '0') && s.chars().all(|c| c == '0' || c == '.')) {
                    return Err(format!(
                        "it has a seconds component (`{s}`); cron's resolution is one minute"
                    ));
                }
            }
            (component(h, 0, 23, "hour")?, component(m, 0, 59, "minute")?)
        }
    };
    let dow = weekdays.unwrap_or_else(|| "*".to_string());
    if dow != "*" && day != "*" {
        return Err("it restricts both the weekday and the day of the month; systemd requires both to match, cron would fire when either does".to_string());
    }
    Ok(Translated {
        fields: [minute, hour, day, month, dow],
        timezone,
    })
}

/// A time zone as systemd reads it: `UTC` in any case (written `UTC`), other names exactly as
/// the tz database spells them (systemd rejects `Europe/berlin`).
fn zone_name(name: &str) -> Result<String, String> {
    if name.eq_ignore_ascii_case("UTC") {
        return Ok("UTC".to_string());
    }
    match jiff::tz::TimeZone::get(name) {
        Ok(tz) => match tz.iana_name() {
            Some(canonical) if canonical == name => Ok(name.to_string()),
            Some(canonical) => Err(format!(
                "systemd does not accept the time zone `{name}`: names are case-sensitive (`{canonical}`)"
            )),
            None => Ok(name.to_string()),
        },
        Err(_) => Err(format!("`{name}` is not a time zone systemd knows")),
    }
}

const DAY_NAMES: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

fn looks_like_weekdays(s: &str) -> bool {
    s.split([',', '.', '-']).filter(|p| !p.is_empty()).all(|p| {
        DAYS.iter().any(|d| p.to_ascii_lowercase().starts_with(d))
            && p.chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// systemd's weekday spellings: the full English name or its first three letters, in any case.
fn weekday_index(name: &str) -> Result<usize, String> {
    let lower = name.to_ascii_lowercase();
    DAYS.iter()
        .zip(DAY_NAMES)
        .position(|(short, full)| lower == *short || lower == full)
        .ok_or_else(|| {
            format!(
                "`{name}` is not a weekday systemd accepts (full names such as `Monday` or three-letter abbreviations such as `Mon`)"
            )
        })
}

/// `Mon..Fri,Sun` (or `Mon-Fri`) → `1-5,0`; every day of the week → `*`.
fn weekday_field(spec: &str) -> Result<String, String> {
    let mut days = [false; 7];
    let mut out: Vec<String> = Vec::new();
    for item in spec.split(',') {
        match item.split_once("..").or_else(|| item.split_once('-')) {
            Some((a, b)) => {
                let (x, y) = (weekday_index(a)?, weekday_index(b)?);
                // systemd counts the week from Monday and rejects a range that runs backwards
                // (`Sat..Mon`); `Mon..Sun` ends on cron's 0.
                let (x, y) = ((x + 6) % 7, (y + 6) % 7);
                if x > y {
                    return Err(format!(
                        "the weekday range `{item}` runs backwards through the week, which systemd itself rejects"
                    ));
                }
                for d in x..=y {
                    days[(d + 1) % 7] = true;
                }
                out.push(match (x, y) {
                    (6, 6) => "0".to_string(),
                    (x, 6) => format!("{}-6,0", x + 1),
                    (x, y) => format!("{}-{}", x + 1, y + 1),
                });
            }
            None => {
                let d = weekday_index(item)?;
                days[d] = true;
                out.push(d.to_string());
            }
        }
    }
    if days.iter().all(|d| *d) {
        // `Mon..Sun` restricts nothing: as cron, `*` (a restricted day-of-week would OR with a
        // day of the month).
        return Ok("*".to_string());
    }
    let mut seen: Vec<String> = Vec::new();
    for item in out {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    Ok(seen.join(","))
}

/// A numeric component (`*`, `5`, `1,15`, `1..5`, `0/15`, `*/2`) as a cron field.
fn component(spec: &str, lo: u32, hi: u32, what: &str) -> Result<String, String> {
    let mut out = Vec::new();
    for item in spec.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (
                b,
                Some(
                    s.parse::<u32>()
                        .map_err(|_| format!("`{item}` is not a valid {what} repetition"))?,
                ),
            ),
            None => (item, None),
        };
        let num = |s: &str| -> Result<u32, String> {
            let v: u32 = s
                .parse()
                .map_err(|_| format!("`{s}` is not a valid {what}"))?;
            if (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{what} {v} is out of range {lo}-{hi}"))
            }
        };
        // systemd rejects a repetition `a/s` (or `*/s`, from the lowest value) whose first
        // repeat passes the field's maximum; a range with a step (`8..18/20`) is accepted.
        if let Some(s) = step
            && !base.contains("..")
        {
            let start = if base == "*" {
                lo
            } else {
                base.parse::<u32>().unwrap_or(lo)
            };
            if s == 0 || start.saturating_add(s) > hi {
                return Err(format!(
                    "the {what} repetition `{item}` is one systemd rejects: {start} + {s} is past the last {what}, {hi}"
                ));
            }
        }
        let text = match (base, step) {
            ("*", None) => "*".to_string(),
            ("*", Some(s)) => format!("*/{s}"),
            (b, s) => {
                let (a, z) = match b.split_once("..") {
                    Some((a, z)) => (num(a)?, Some(num(z)?)),
                    None => (num(b)?, None),
                };
                match (z, s) {
                    (None, None) => a.to_string(),
                    (Some(z), None) => format!("{a}-{z}"),
                    // `a/s`: from a, every s, to the end of the range.
                    (None, Some(s)) if a == lo => format!("*/{s}"),
                    (None, Some(s)) => format!("{a}-{hi}/{s}"),
                    (Some(z), Some(s)) => format!("{a}-{z}/{s}"),
                }
            }
        };
        // `02,2` is one value.
        if !out.contains(&text) {
            out.push(text);
        }
    }
    if out.len() > 1 && out.iter().any(|t| t == "*") {
        return Ok("*".to_string());
    }
    Ok(out.join(","))
}

/// Several translated calendars as one expression: possible when they differ in one field only.
pub fn merge(all: &[Translated]) -> Result<Translated, String> {
    let first = all.first().ok_or("no OnCalendar= line")?;
    if all.iter().any(|t| t.timezone != first.timezone) {
        return Err("its OnCalendar= lines use different time zones".to_string());
    }
    // Drop the lines another one already covers (`Fri` beside `daily`); then at most one field
    // may differ.
    let schedules: Vec<Option<crate::cron::Schedule>> = all
        .iter()
        .map(|t| crate::cron::parse(&t.expr()).ok().map(|p| p.schedule))
        .collect();
    let kept: Vec<Translated> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let Some(me) = &schedules[*i] else {
                return true;
            };
            !schedules.iter().enumerate().any(|(j, other)| {
                j != *i
                    && other.as_ref().is_some_and(|o| {
                        // Of two equal lines keep the first.
                        o.covers(me) && (!me.covers(o) || j < *i)
                    })
            })
        })
        .map(|(_, t)| t.clone())
        .collect();
    let all = kept.as_slice();
    let first = &all[0];
    let differing: Vec<usize> = (0..5)
        .filter(|&i| all.iter().any(|t| t.fields[i] != first.fields[i]))
        .collect();
    match differing.as_slice() {
        [] => Ok(first.clone()),
        [i] => {
            let mut merged = first.clone();
            let mut items: Vec<String> = Vec::new();
            for t in all {
                if t.fields[*i] == "*" {
                    // Unreachable after dropping covered lines; a union with `*` is `*`.
                    merged.fields[*i] = "*".to_string();
                    return Ok(merged);
                }
                for item in t.fields[*i].split(',') {
                    if !items.iter().any(|x| x == item) {
                        items.push(item.to_string());
                    }
                }
            }
            merged.fields[*i] = items.join(",");
            Ok(merged)
        }
        // A weekday line and a day-of-month line, otherwise equal: cron's OR rule is their
        // union (`Mon` + `*-*-01` → `0 0 1 * 1`), as long as neither day field starts with `*`
        // (cronie would AND it).
        [2, 4] if all.len() == 2 => {
            let (a, b) = (&all[0], &all[1]);
            let pick = |x: &Translated, y: &Translated| {
                (x.fields[2] == "*" && y.fields[4] == "*")
                    .then(|| (y.fields[2].clone(), x.fields[4].clone()))
            };
            match pick(a, b).or_else(|| pick(b, a)) {
                Some((dom, dow)) if !dom.starts_with('*') && !dow.starts_with('*') => {
                    let mut merged = first.clone();
                    merged.fields[2] = dom;
                    merged.fields[4] = dow;
                    Ok(merged)
                }
                _ => Err(
                    "its 2 OnCalendar= lines differ in more than one field; no single cron expression covers them"
                        .to_string(),
                ),
            }
        }
        _ => Err(format!(
            "it has {} OnCalendar= lines that differ in more than one field; no single cron expression covers them",
            all.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(spec: &str) -> String {
        translate(spec)
            .unwrap_or_else(|e| panic!("{spec}: {e}"))
            .expr()
    }

    #[test]
    fn translations() {
        assert_eq!(cron("*-*-* 03:00:00"), "0 3 * * *");
        assert_eq!(cron("Mon..Fri *-*-* 09:00"), "0 9 * * 1-5");
        assert_eq!(cron("*:0/15"), "*/15 * * * *");
        assert_eq!(cron("daily"), "0 0 * * *");
        assert_eq!(cron("weekly"), "0 0 * * 1");
        assert_eq!(cron("*-*-01 04:30"), "30 4 1 * *");
        assert_eq!(cron("Sat,Sun 10:00"), "0 10 * * 6,0");
        assert_eq!(cron("Mon-Fri 09:00"), "0 9 * * 1-5");
        assert_eq!(cron("Fri..Sun 09:00"), "0 9 * * 5-6,0");
        assert_eq!(cron("Sun..Sun 09:00"), "0 9 * * 0");
        assert_eq!(cron("*:5/20"), "5-59/20 * * * *");
        assert_eq!(cron("*-*-* 08..18/2:00"), "0 8-18/2 * * *");
        assert_eq!(cron("*-01,07-01 00:00"), "0 0 1 1,7 *");
        assert_eq!(cron("*-*-* 08..18:00"), "0 8-18 * * *");
        assert_eq!(cron("*-*-* *:05:00"), "5 * * * *");
        assert_eq!(
            translate("*-*-* 03:00 Europe/Berlin")
                .unwrap()
                .timezone
                .as_deref(),
            Some("Europe/Berlin")
        );
    }

    #[test]
    fn refusals_say_why() {
        assert!(translate("*-*-* 03:00:30").unwrap_err().contains("seconds"));
        assert!(translate("2027-*-* 03:00").unwrap_err().contains("year"));
        assert!(
            translate("*-*~01 03:00")
                .unwrap_err()
                .contains("end of the month")
        );
        assert!(translate("Mon *-*-01 03:00").unwrap_err().contains("both"));
        assert!(
            translate("Sat..Mon 10:00")
                .unwrap_err()
                .contains("backwards")
        );
    }

    #[test]
    fn systemd_spellings_repetitions_and_duplicates() {
        assert_eq!(cron("MONDAY 09:00"), "0 9 * * 1");
        assert_eq!(cron("wednesday,Wed 09:00"), "0 9 * * 3");
        assert_eq!(cron("Mon..Sun *-*-01 00:00"), "0 0 1 * *");
        assert_eq!(cron("Mon,Tue,Wed,Thu,Fri,Sat,Sun 00:00"), "0 0 * * *");
        assert_eq!(cron("*-*-* 02,2:16"), "16 2 * * *");
        assert_eq!(cron("*-*-* 13/10:03:00"), "3 13-23/10 * * *");
        assert_eq!(cron("*-*-* 8..18/20:00"), "0 8-18/20 * * *");
        assert_eq!(
            translate("*-*-* 03:00 utc").unwrap().timezone.as_deref(),
            Some("UTC")
        );
        for (spec, why) in [
            ("Monkey 09:00", "`Monkey` is not a weekday"),
            ("Thurs 09:00", "`Thurs` is not a weekday"),
            ("*-*-* 16/10:03:00", "16 + 10 is past the last hour, 23"),
            ("*-*-* */30:00", "0 + 30 is past the last hour, 23"),
            ("*-*-20/12 00:00", "20 + 12 is past the last day, 31"),
            ("*-12/1-01 00:00", "12 + 1 is past the last month, 12"),
            ("*-*-* 03:00 Europe/berlin", "case-sensitive"),
        ] {
            let err = translate(spec).unwrap_err();
            assert!(err.contains(why), "{spec}: {err}");
        }
    }

    #[test]
    fn a_line_another_covers_is_dropped_before_merging() {
        let t = |s: &str| translate(s).unwrap();
        assert_eq!(merge(&[t("Fri"), t("daily")]).unwrap().expr(), "0 0 * * *");
        assert_eq!(merge(&[t("daily"), t("Fri")]).unwrap().expr(), "0 0 * * *");
        assert_eq!(
            merge(&[t("Fri 00:00"), t("*-*-* *:00")]).unwrap().expr(),
            "0 * * * *"
        );
        assert_eq!(
            merge(&[t("daily"), t("daily")]).unwrap().expr(),
            "0 0 * * *"
        );
        // A weekday line and a day-of-month line: cron's OR rule is exactly their union.
        assert_eq!(
            merge(&[t("Mon 00:00"), t("*-*-01 00:00")]).unwrap().expr(),
            "0 0 1 * 1"
        );
        assert_eq!(
            merge(&[t("*-*-01,15 06:00"), t("Sat,Sun 06:00")])
                .unwrap()
                .expr(),
            "0 6 1,15 * 6,0"
        );
        // Not when a day field starts with `*` (cronie ANDs it).
        assert!(merge(&[t("Mon 00:00"), t("*-*-1/10 00:00")]).is_err());
        // Still refused when neither covers the other and two fields differ.
        assert!(merge(&[t("Fri 03:00"), t("daily")]).is_err());
    }

    #[test]
    fn several_lines_merge_when_one_field_differs() {
        let a = translate("*-*-* 03:00").unwrap();
        let b = translate("*-*-* 15:00").unwrap();
        assert_eq!(merge(&[a.clone(), b]).unwrap().expr(), "0 3,15 * * *");
        let c = translate("Mon *-*-* 04:30").unwrap();
        assert!(merge(&[a, c]).is_err());
    }
}
