//! `handoff explain [CODE]`: what a diagnostic code means, with a bad and a good example (the
//! section of docs/diagnostics.md); without a code, every code with its summary.

use std::io::Write;

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use handoff::codes::Code;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The code, e.g. cron-or-rule (as printed in brackets by validate).
    pub code: Option<String>,
}

pub fn run(args: Args, out: &mut dyn Write) -> CommandResult {
    let Some(name) = args.code else {
        for code in Code::ALL {
            writeln!(
                out,
                "{:<32} {:<7} {}",
                code.name(),
                severity(*code),
                code.summary()
            )?;
        }
        return Ok(Exit::Clean);
    };
    let Some(code) = Code::from_name(name.trim()) else {
        let similar: Vec<String> = handoff::explain::similar(&name)
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        let hint = if similar.is_empty() {
            "`handoff explain` lists every code".to_string()
        } else {
            format!("did you mean {}?", similar.join(", "))
        };
        return Err(Failure::usage(format!(
            "no diagnostic code `{name}`: {hint}"
        )));
    };
    let doc = handoff::explain::documentation(code)
        .ok_or_else(|| Failure::tool(format!("`{code}` has no section in docs/diagnostics.md")))?;
    writeln!(out, "{doc}")?;
    Ok(Exit::Clean)
}

fn severity(code: Code) -> &'static str {
    match code.severity() {
        handoff::diagnostic::Severity::Error => "error",
        handoff::diagnostic::Severity::Warning => "warning",
    }
}
