//! The common form of a UTC timestamp, recognised without jiff: `handoff tap` checks one or more
//! per event, and jiff's general RFC 3339 / ISO 8601 parser was a thirtieth of its time.

/// True for `YYYY-MM-DDTHH:MM:SS`, 0 to 9 fraction digits after a `.`, and `Z`: a valid date
/// (years 1000–9998, leap years counted) and time (no leap second), every one of which jiff
/// accepts too. False says nothing: the text goes to jiff (`registry::is_utc_timestamp`).
pub(super) fn plain_utc(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return false;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let fields = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    );
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields
    else {
        return false;
    };
    let fraction = &b[19..b.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction[0] == b'.'
            && (2..=10).contains(&fraction.len())
            && fraction[1..].iter().all(u8::is_ascii_digit));
    fraction_ok
        && (1000..=9998).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second < 60
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jiff_accepts(s: &str) -> bool {
        s.ends_with('Z')
            && s.parse::<jiff::Timestamp>().is_ok()
            && s.as_bytes().get(10) == Some(&b'T')
    }

    #[test]
    fn the_common_forms_are_recognised() {
        for s in [
            "2026-11-26T12:00:00Z",
            "2026-11-26T12:00:00.000000Z",
            "2026-11-02T09:14:27.123456Z",
            "2024-02-29T23:59:59.123456789Z",
            "2000-02-29T00:00:00.5Z",
            "1000-01-01T00:00:00Z",
            "9998-12-31T23:59:59Z",
        ] {
            assert!(plain_utc(s), "{s}");
            assert!(jiff_accepts(s), "{s}");
        }
    }

    #[test]
    fn whatever_it_accepts_jiff_accepts() {
        // Every field through and past its range, each of the separators and the fraction's
        // length: the fast check may leave a text to jiff, never accept one jiff rejects.
        let mut texts = Vec::new();
        for year in [
            "0999", "1000", "1900", "2000", "2023", "2024", "2100", "9998", "9999",
        ] {
            for month in ["00", "01", "02", "04", "12", "13", "1a"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    texts.push(format!("{year}-{month}-{day}T12:00:00Z"));
                }
            }
        }
        for time in [
            "00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "12:00:61", "1:00:000",
            "12-00-00", "12:00:0x",
        ] {
            texts.push(format!("2026-11-26T{time}Z"));
            texts.push(format!("2026-11-26t{time}z"));
        }
        for fraction in [
            "",
            ".",
            ".1",
            ".123456789",
            ".1234567890",
            ",5",
            ".5x",
            ". 5",
        ] {
            texts.push(format!("2026-11-26T12:00:00{fraction}Z"));
            texts.push(format!("2026-11-26T12:00:00{fraction}"));
            texts.push(format!("2026-11-26T12:00:00{fraction}+00:00"));
        }
        for other in [
            "2026-11-26 12:00:00Z",
            "2026-11-26T12:00Z",
            "2026-11-26Z",
            "+2026-11-26T12:00:00Z",
            "2026-11-26T12:00:00ZZ",
            " 2026-11-26T12:00:00Z",
            "2026-11-26T12:00:00Z ",
            "2026-11-26T12:00:00\u{e9}Z",
            "",
            "Z",
        ] {
            texts.push(other.to_string());
        }
        let mut fast = 0;
        for t in &texts {
            if plain_utc(t) {
                fast += 1;
                assert!(jiff_accepts(t), "{t:?} accepted, jiff rejects it");
            }
        }
        assert!(fast > 100, "only {fast} recognised");
    }
}
