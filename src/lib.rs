//! handoff: one registry (`subjects.toml`) is the single source of truth for what a service
//! publishes on NATS JetStream and for the maintenance jobs it hands over to an automation
//! engine (activity-core) as ActivityDefinitions.
//!
//! The pipeline, in the order a command runs it:
//!
//! 1. [`project::Project::open`] reads the registry ([`source`] gives positioned trees) and
//!    checks it fully ([`registry`], with the cron schedules and rules of its definition plans):
//!    the checked model, or positioned [`diagnostic`]s with a [`codes::Code`] each.
//! 2. Then one of: [`generate`] renders docs, drafts, schemas and the Python package;
//!    [`lint`] (`validate`) checks definition files ([`definition`], [`cron`], [`rule`]) against
//!    it, and [`audit`] checks the service's own Python; [`plan`] places each migration on the
//!    cutover checklist (with [`evidence`]); [`diff`] compares it with an older registry;
//!    [`eval`] runs rules ([`testcase`], [`matching`], [`simulate`]); [`nats`] talks to the
//!    server (the only async code).
//! 3. [`report`] renders diagnostics as human text, JSON, GitHub annotations or SARIF.
//!
//! The library never prints and knows nothing of the command line: the binary
//! (`src/bin/handoff/`) parses arguments, calls one of these and writes what it returns.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod audit;
pub mod clock;
pub mod codes;
pub mod cron;
pub mod definition;
pub mod diagnostic;
pub mod diff;
pub mod duration;
pub mod envelope;
pub mod eval;
pub mod evidence;
pub mod explain;
pub mod generate;
pub mod import;
pub mod init;
pub mod lint;
pub mod matching;
pub mod model;
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
pub mod stack;
pub mod testcase;
pub mod validate;
pub mod workspace;
