//! Time zone names: an IANA name, or a finding with a did-you-mean.

use jiff::tz::TimeZone;

use crate::codes::Code;
use crate::diagnostic::Finding;

/// Looks up an IANA time zone name (`UTC`, `Europe/Berlin`); an unknown one is a
/// `cron-unknown-timezone` finding spanning the whole name, with a did-you-mean when one is close.
pub fn parse_timezone(name: &str) -> Result<TimeZone, Finding> {
    if !name.trim().is_empty()
        && let Ok(tz) = TimeZone::get(name)
    {
        return Ok(tz);
    }
    let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    let lower = name.trim().to_ascii_lowercase();
    let wanted_city = lower.rsplit('/').next().map(|c| c.replace(' ', "_"));
    let by_city = names.iter().find(|n| {
        n.rsplit('/')
            .next()
            .is_some_and(|city| Some(city.to_ascii_lowercase()) == wanted_city)
    });
    let close = || {
        names
            .iter()
            .map(|n| (strsim::osa_distance(&lower, &n.to_ascii_lowercase()), n))
            .filter(|(d, n)| *d <= (n.len() / 5).clamp(1, 3))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    };
    let help = match by_city.or_else(close) {
        Some(s) if !lower.is_empty() => format!("did you mean `{s}`?"),
        _ => "use an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`"
            .to_string(),
    };
    Err(Finding::new(
        Code::CronUnknownTimezone,
        0..name.len(),
        format!("`{name}` is not an IANA time zone"),
    )
    .with_help(help))
}
