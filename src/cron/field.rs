//! The five fields of a schedule: what each may hold (`Kind`) and what a parsed one selects
//! (`Field`: a bit set and cronie's `*` flag).

use std::ops::Range;

/// Month names as written in a field, `jan` first.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Day-of-week names as written in a field, `sun` (0 and 7) first.
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Which of the five fields, in their order in an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Minute,
    Hour,
    Dom,
    Month,
    Dow,
}

impl Kind {
    pub(super) const ALL: [Kind; 5] = [Kind::Minute, Kind::Hour, Kind::Dom, Kind::Month, Kind::Dow];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Minute => "minute",
            Kind::Hour => "hour",
            Kind::Dom => "day-of-month",
            Kind::Month => "month",
            Kind::Dow => "day-of-week",
        }
    }

    /// The values that may be written (day-of-week accepts 7 for Sunday).
    pub(super) fn bounds(self) -> (u32, u32) {
        match self {
            Kind::Minute => (0, 59),
            Kind::Hour => (0, 23),
            Kind::Dom => (1, 31),
            Kind::Month => (1, 12),
            Kind::Dow => (0, 7),
        }
    }

    /// The last distinct value (`*` in day-of-week is 0-6).
    pub(super) fn max(self) -> u32 {
        match self {
            Kind::Dow => 6,
            _ => self.bounds().1,
        }
    }

    pub(super) fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Month => &MONTHS,
            Kind::Dow => &DAYS,
            _ => &[],
        }
    }

    pub(super) fn name_value(self, i: usize) -> u32 {
        match self {
            Kind::Month => i as u32 + 1,
            _ => i as u32,
        }
    }

    pub(super) fn range_text(self) -> &'static str {
        match self {
            Kind::Minute => "0-59",
            Kind::Hour => "0-23",
            Kind::Dom => "1-31",
            Kind::Month => "1-12 or jan-dec",
            Kind::Dow => "0-7 or sun-sat (0 and 7 are Sunday)",
        }
    }

    /// Writes a value back, as a name when the user wrote names.
    pub(super) fn show(self, v: u32, names: bool) -> String {
        match (self, names) {
            (Kind::Month, true) => MONTHS[(v as usize).clamp(1, 12) - 1].to_string(),
            (Kind::Dow, true) => DAYS[v as usize % 7].to_string(),
            _ => v.to_string(),
        }
    }
}

/// One parsed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    /// Bit `v` is set when value `v` is selected (day-of-week 7 is stored as 0).
    pub(super) bits: u64,
    /// The text starts with `*` (cronie's `*_STAR` flags).
    pub(super) star: bool,
    /// The whole field is `*` (`Some(1)`) or `*/n` (`Some(n)`).
    pub(super) every: Option<u32>,
    pub(super) span: Range<usize>,
}

impl Field {
    pub(super) fn has(&self, v: u32) -> bool {
        v < 64 && self.bits & (1u64 << v) != 0
    }

    pub(super) fn values(&self) -> Vec<u32> {
        (0..64).filter(|v| self.has(*v)).collect()
    }

    /// The first selected value >= `v`.
    pub(super) fn next_from(&self, v: u32) -> Option<u32> {
        if v >= 64 {
            return None;
        }
        let rest = self.bits >> v;
        (rest != 0).then(|| v + rest.trailing_zeros())
    }

    pub(super) fn is_all(&self) -> bool {
        self.every == Some(1)
    }
}
