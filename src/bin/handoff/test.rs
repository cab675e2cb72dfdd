//! `handoff test [PATHS…] [--format human|json]`: runs the definitions' rule test cases.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use serde_json::json;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{OutputFormat, REPORT_FORMATS};
use handoff::report::{self, Format};
use handoff::testcase::{self, CaseResult, Report};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Case files, definitions or folders (default: the registry's definitions folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, default_value = "human", value_parser = OutputFormat::only(REPORT_FORMATS))]
    pub format: OutputFormat,
}

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let (project, reg) = crate::options::require(registry, &[], err)?;
    let report = testcase::run(&reg, &project.root, &args.paths).map_err(Failure::tool)?;
    match args.format {
        OutputFormat::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&json_report(&report)).unwrap_or_default()
            )?;
        }
        // REPORT_FORMATS: json (above) or human.
        _ => write!(out, "{}", human(&report))?,
    }
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    Ok(if report.failed() > 0 || errors > 0 {
        Exit::Problems
    } else {
        Exit::Clean
    })
}

fn label(r: &CaseResult) -> String {
    format!("{}:{} {} › {}", r.file, r.line, r.definition, r.name)
}

/// Test-runner output: one line per case, then each failure with expected vs got and the values
/// that decided it, then notes and a summary line.
pub fn human(report: &Report) -> String {
    let mut s = String::new();
    if !report.diagnostics.is_empty() {
        s.push_str(&report::render(
            Format::Human,
            &report.diagnostics,
            report.files,
        ));
    }
    for r in &report.results {
        let status = if r.passed { "ok" } else { "FAILED" };
        s.push_str(&format!("test {} ... {status}\n", label(r)));
    }
    let failed: Vec<&CaseResult> = report.results.iter().filter(|r| !r.passed).collect();
    if !failed.is_empty() {
        s.push_str("\nfailures:\n");
        for r in &failed {
            s.push_str(&format!(
                "\n---- {}:{}:{} {} › {} ----\n",
                r.file, r.line, r.column, r.definition, r.name
            ));
            s.push_str(&format!("  expected: {}\n", r.expected));
            match (&r.message, r.got) {
                (Some(m), "invalid") => s.push_str(&format!("  got:      invalid case: {m}\n")),
                (Some(m), _) => s.push_str(&format!("  got:      {m}\n")),
                (None, got) => s.push_str(&format!("  got:      {got}\n")),
            }
            if !r.values.is_empty() {
                s.push_str("  values:\n");
                for (text, value) in &r.values {
                    s.push_str(&format!("    {text} = {value}\n"));
                }
            }
        }
    }
    if !report.notes.is_empty() {
        s.push('\n');
        for n in &report.notes {
            s.push_str(&format!(
                "info: {}: {} {}\n",
                n.file, n.definition, n.message
            ));
        }
    }
    let passed = report.results.len() - failed.len();
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let verdict = if failed.is_empty() && errors == 0 {
        "ok"
    } else {
        "FAILED"
    };
    s.push_str(&format!(
        "\ntest result: {verdict}. {passed} passed; {} failed",
        failed.len()
    ));
    if errors > 0 {
        s.push_str(&format!(
            "; {errors} file error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    if !report.notes.is_empty() {
        s.push_str(&format!(
            "; {} note{}",
            report.notes.len(),
            if report.notes.len() == 1 { "" } else { "s" }
        ));
    }
    s.push('\n');
    s
}

fn json_report(report: &Report) -> serde_json::Value {
    let failed = report.failed();
    json!({
        "version": handoff::report::JSON_VERSION,
        "cases": report.results.iter().map(|r| json!({
            "file": r.file,
            "line": r.line,
            "column": r.column,
            "definition": r.definition,
            "name": r.name,
            "expected": r.expected,
            "got": r.got,
            "message": r.message,
            "passed": r.passed,
            "values": r.values.iter().map(|(t, v)| json!({"expression": t, "value": v})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "notes": report.notes,
        "diagnostics": report.diagnostics,
        "summary": {
            "passed": report.results.len() - failed,
            "failed": failed,
            "file_errors": report.diagnostics.iter().filter(|d| d.is_error()).count(),
            "notes": report.notes.len(),
        },
    })
}
