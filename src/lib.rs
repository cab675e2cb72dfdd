//! handoff: one registry (`subjects.toml`) drives the docs, ActivityDefinition drafts, schemas and
//! publisher stubs of a service's hand-off of maintenance work to activity-core over NATS
//! JetStream; `validate` lints definitions against it; `plan` tracks each migration's cutover.
//!
//! The pipeline: [`registry::load`] → validated [`registry::Registry`] → [`generate`] /
//! [`validate`] / [`plan`] / NATS commands. The library never prints: commands write to the
//! writers they are given and [`report`] renders diagnostics.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod clock;
pub mod codes;
pub mod cron;
pub mod definition;
pub mod diagnostic;
pub mod envelope;
pub mod eval;
pub mod generate;
pub mod import;
pub mod matching;
pub mod nats;
pub mod plan;
pub mod project;
pub mod registry;
pub mod render;
pub mod report;
pub mod rule;
pub mod schema;
pub mod simulate;
pub mod source;
pub mod testcase;
pub mod validate;
