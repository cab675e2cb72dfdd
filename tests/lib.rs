//! The integration tests: one binary, a module per area. `common` runs the built binary on
//! fixture trees; `support` starts private nats-servers. The fixture cases of the diagnostic
//! codes run in their own harness, tests/cases.rs (a test per case).

mod common;
mod support;

mod audit;
mod ci_integration;
mod completions;
mod cron_cli;
mod cron_croner;
mod cron_reference;
mod deprecation;
mod diagnostics_doc;
mod diff;
mod eval;
mod example_e2e;
mod explain;
mod generate;
mod import;
mod init;
mod json_output;
mod layout;
mod nats_bench;
mod nats_cli;
mod nats_python;
mod nats_shared;
mod number_type;
mod plan;
mod plan_evidence;
mod python_tooling;
mod registry_doc;
mod robustness;
mod suggestions;
mod suppress;
mod terminal;
mod validate;
mod workspace;
