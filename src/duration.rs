//! The one duration grammar of handoff, used by the registry (`max_age`, `duplicate_window`,
//! instruction timeouts) and by the NATS options (`--connect-timeout`, `tap --timeout`).
//!
//! A duration is `0`, or one or more `<number><unit>` pairs written together: `30d`, `1h30m`,
//! `2m`, `90s`, `500ms`, `1.5s`. Units are `d` (24 hours), `h`, `m`, `s` and `ms`; only the
//! last number may have a fraction, and not a number of days. No spaces, no sign. The parsing itself is jiff's friendly
//! duration format ([`jiff::fmt::friendly`]); this module only narrows it to the compact form
//! above, so that one spelling is documented (docs/registry.md, "Durations").

use std::time::Duration;

use jiff::SpanRelativeTo;
use jiff::fmt::friendly::SpanParser;

/// Why a text is not a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Not of the grammar: no unit, an unknown unit, spaces, a sign, ...
    Invalid,
    /// Of the grammar, but too long to represent (beyond jiff's range, about 20,000 years).
    TooLong,
}

/// The units of the grammar, longest first so that `ms` is not read as `m` then `s`.
const UNITS: &[&str] = &["ms", "d", "h", "m", "s"];

/// Parses a duration of the grammar above.
pub fn parse(text: &str) -> Result<Duration, Error> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if !is_compact(text) {
        return Err(Error::Invalid);
    }
    static PARSER: SpanParser = SpanParser::new();
    let span = PARSER.parse_span(text).map_err(|_| Error::TooLong)?;
    let exact = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| Error::TooLong)?;
    Duration::try_from(exact).map_err(|_| Error::TooLong)
}

/// Whether `text` is `<number><unit>` pairs with known units, the last number alone allowed a
/// fraction (not of days, which jiff refuses): what remains for jiff to reject is a value out
/// of its range.
fn is_compact(text: &str) -> bool {
    let mut rest = text;
    let mut fraction_seen = false;
    while !rest.is_empty() {
        if fraction_seen {
            return false;
        }
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        let whole_digits = number
            .split('.')
            .all(|p| p.chars().all(|c| c.is_ascii_digit()));
        if number.is_empty()
            || !whole_digits
            || number.matches('.').count() > 1
            || number.starts_with('.')
            || number.ends_with('.')
        {
            return false;
        }
        fraction_seen = number.contains('.');
        rest = &rest[digits..];
        let Some(unit) = UNITS.iter().find(|u| rest.starts_with(*u)) else {
            return false;
        };
        if fraction_seen && *unit == "d" {
            return false;
        }
        rest = &rest[unit.len()..];
    }
    !text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Result<Duration, Error> {
        Ok(Duration::from_secs(s))
    }

    #[test]
    fn accepts_the_forms_registry_and_nats_took() {
        // The registry's old forms.
        assert_eq!(parse("2m"), secs(120));
        assert_eq!(parse("1h30m"), secs(5400));
        assert_eq!(parse("30d"), secs(2_592_000));
        assert_eq!(parse("90s"), secs(90));
        assert_eq!(parse("0"), secs(0));
        // The NATS options' old forms.
        assert_eq!(parse("2s"), secs(2));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("365d"), secs(365 * 86400));
        assert_eq!(parse("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("1.5h"), secs(5400));
        assert_eq!(parse("1d12h"), secs(129_600));
        assert_eq!(parse("0s"), secs(0));
    }

    #[test]
    fn rejects_anything_else() {
        for text in [
            "", "2 m", "m", "10", "soon", "-1s", "+1s", "1x", "1.5.2s", ".5s", "5.s", "1.5m30s",
            "1h 30m", "1 hour", "1y", "1mo", "1w", "1.5d", "2 s",
        ] {
            assert_eq!(parse(text), Err(Error::Invalid), "{text:?}");
        }
    }

    #[test]
    fn overflow_is_too_long_not_a_panic() {
        assert_eq!(parse("99999999999999999999999d"), Err(Error::TooLong));
        assert_eq!(parse("18446744073709551615s"), Err(Error::TooLong));
        assert_eq!(parse("10000000d"), Err(Error::TooLong));
    }
}
