//! The day rule: how day-of-month and day-of-week combine (OR when both are restricted, AND
//! otherwise, as cronie decides "restricted"), and its findings: `cron-or-rule`,
//! `cron-step-or-rule` and `cron-never-fires`.

use jiff::civil;

use super::explain::{DAY_WORDS, MONTH_WORDS, ordinal, words_list};
use super::field::{Field, Kind};
use super::schedule::Schedule;
use crate::codes::Code;
use crate::diagnostic::Finding;

impl Schedule {
    /// The POSIX OR rule applies: both day fields are restricted (their text does not start with
    /// `*`), so a day matches when EITHER matches.
    pub(super) fn uses_or_rule(&self) -> bool {
        !self.dom.star && !self.dow.star
    }

    pub(super) fn day_matches(&self, year: i16, month: u32, day: u32) -> bool {
        let dom = self.dom.has(day);
        if self.dom.is_all() && self.dow.is_all() {
            return true;
        }
        let Ok(date) = civil::Date::new(year, month as i8, day as i8) else {
            return false;
        };
        let weekday = date.weekday().to_sunday_zero_offset() as u32;
        let dow = self.dow.has(weekday);
        if self.uses_or_rule() {
            dom || dow
        } else {
            dom && dow
        }
    }

    /// The day-of-month/day-of-week findings: the OR rule, and `*/n` against a restricted field.
    pub(super) fn day_rule_warning(&self) -> Option<Finding> {
        let text = |f: &Field| &self.expr[f.span.clone()];
        if self.uses_or_rule() {
            let (dom, dow) = (self.dom.values(), self.dow.values());
            let message = if dom.len() == 1 && dow.len() == 1 {
                let (d, w) = (ordinal(dom[0]), DAY_WORDS[dow[0] as usize]);
                format!(
                    "`{}` fires on every {d} of the month AND on every {w} (POSIX OR rule), not on {w} the {d}",
                    self.expr.trim()
                )
            } else {
                format!(
                    "`{}` fires {} AND {} (POSIX OR rule), not only on days that match both fields",
                    self.expr.trim(),
                    self.dom_words(),
                    self.dow_words()
                )
            };
            return Some(
                Finding::new(
                    Code::CronOrRule,
                    self.dom.span.start..self.dow.span.end,
                    message,
                )
                .with_help(format!(
                    "cron cannot require both: to fire only on days that match both, use `{}` and check the weekday in the rule",
                    self.with_fields(None, Some("*"))
                )),
            );
        }
        let (stepped, other) = if self.dom.star && !self.dom.is_all() && !self.dow.star {
            (&self.dom, &self.dow)
        } else if self.dow.star && !self.dow.is_all() && !self.dom.star {
            (&self.dow, &self.dom)
        } else {
            return None;
        };
        let (stepped_kind, other_kind) = if std::ptr::eq(stepped, &self.dom) {
            (Kind::Dom, Kind::Dow)
        } else {
            (Kind::Dow, Kind::Dom)
        };
        let (lo, hi) = (stepped_kind.bounds().0, stepped_kind.max());
        let rewritten = text(stepped).replacen('*', &format!("{lo}-{hi}"), 1);
        Some(
            Finding::new(
                Code::CronStepOrRule,
                stepped.span.clone(),
                format!(
                    "`{}` in the {} field starts with `*`, so cronie treats the field as unrestricted and requires the {} field `{}` to match too (AND); croniter and others treat it as restricted and fire when EITHER matches (OR)",
                    text(stepped),
                    stepped_kind.name(),
                    other_kind.name(),
                    text(other)
                ),
            )
            .with_help(format!(
                "handoff follows cronie (AND); write `{rewritten}` to get the OR rule in every implementation, or make the {} field `*`",
                other_kind.name()
            )),
        )
    }

    /// The expression with the day-of-month and/or day-of-week field replaced.
    fn with_fields(&self, dom: Option<&str>, dow: Option<&str>) -> String {
        let t = |f: &Field| self.expr[f.span.clone()].to_string();
        [
            t(&self.minute),
            t(&self.hour),
            dom.map_or_else(|| t(&self.dom), str::to_string),
            t(&self.month),
            dow.map_or_else(|| t(&self.dow), str::to_string),
        ]
        .join(" ")
    }

    /// `cron-never-fires` when no selected month has any selected day (AND rule only: with the OR
    /// rule, the day-of-week alone fires every week).
    pub(super) fn never_fires(&self) -> Option<Finding> {
        if self.uses_or_rule() {
            return None;
        }
        let months = self.month.values();
        let max = |m: u32| civil::date(2000, m as i8, 1).days_in_month() as u32;
        if months
            .iter()
            .any(|m| self.dom.values().iter().any(|d| *d <= max(*m)))
        {
            return None;
        }
        let days = words_list(
            &self
                .dom
                .values()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>(),
            "or",
        );
        let month_names: Vec<String> = months
            .iter()
            .map(|m| MONTH_WORDS[*m as usize - 1].to_string())
            .collect();
        Some(
            Finding::new(
                Code::CronNeverFires,
                self.dom.span.start..self.month.span.end,
                format!(
                    "`{}` never fires: {} {} no day {days}",
                    self.expr.trim(),
                    words_list(&month_names, "and"),
                    if months.len() == 1 { "has" } else { "have" }
                ),
            )
            .with_help("pick days that exist in the chosen months: February has at most 29 days; April, June, September and November have 30"),
        )
    }
}
