//! The integration tests: one binary, a module per area. `common` runs the built binary on
//! fixture trees; `support` starts private nats-servers. The fixture cases of the diagnostic
//! codes run in their own harness, tests/cases.rs (a test per case).

mod common;
mod support;

mod cron_cli;
mod cron_croner;
mod cron_reference;
mod diagnostics_doc;
mod eval;
mod generate;
mod import;
mod nats_bench;
mod nats_cli;
mod nats_python;
mod plan;
mod python_tooling;
mod robustness;
mod validate;
