//! TEMPORARY compile stub: replaced by the real cron engine (helper-1 is writing it).
use crate::diagnostic::{Finding, Severity};
use jiff::Timestamp;
use jiff::tz::TimeZone;

pub const CODES: &[(&str, Severity, &str)] = &[];

#[derive(Debug, Clone)]
pub struct Schedule {
    expr: String,
}
pub struct Parsed {
    pub schedule: Schedule,
    pub warnings: Vec<Finding>,
}
pub fn parse(expr: &str) -> Result<Parsed, Vec<Finding>> {
    Ok(Parsed {
        schedule: Schedule {
            expr: expr.to_string(),
        },
        warnings: Vec::new(),
    })
}
pub fn parse_timezone(name: &str) -> Result<TimeZone, Finding> {
    TimeZone::get(name)
        .map_err(|e| Finding::error("cron-unknown-timezone", 0..name.len(), e.to_string()))
}
impl Schedule {
    pub fn expr(&self) -> &str {
        &self.expr
    }
    pub fn describe(&self) -> String {
        self.expr.clone()
    }
    pub fn next_after(&self, _after: Timestamp, _tz: &TimeZone) -> Option<Timestamp> {
        None
    }
    pub fn upcoming(&self, _after: Timestamp, _tz: &TimeZone, _n: usize) -> Vec<Timestamp> {
        Vec::new()
    }
    pub fn fires_between(
        &self,
        _start: Timestamp,
        _end: Timestamp,
        _tz: &TimeZone,
    ) -> Vec<Timestamp> {
        Vec::new()
    }
    pub fn dst_findings(&self, _tz: &TimeZone, _from: Timestamp, _years: i16) -> Vec<Finding> {
        Vec::new()
    }
}
