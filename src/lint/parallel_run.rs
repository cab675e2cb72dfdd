//! Parallel-run safety: once a migration is at its parallel run, both sides fire, so every side
//! effect and the definition must say how a repeated fire is harmless (a `TODO` placeholder, as
//! `handoff import` writes, says nothing).

use crate::codes::Code;
use crate::definition::Definition;
use crate::diagnostic::Diagnostic;
use crate::plan::ParallelRunSafety;
use crate::registry::{self, SideEffect};
use crate::source::SourceFile;

/// A migration at or past its parallel run: every side effect and the definition must be
/// declared idempotent, with a mechanism.
pub(super) fn parallel_run(
    reg_file: &SourceFile,
    def_file: &SourceFile,
    def: &Definition,
    m: &registry::Migration,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = m
        .side_effects
        .iter()
        .filter_map(|se| {
            let problem = match ParallelRunSafety::of(se) {
                ParallelRunSafety::Safe => return None,
                ParallelRunSafety::NoMechanism => "is declared idempotent without a mechanism",
                ParallelRunSafety::NotIdempotent => "is not idempotent",
                ParallelRunSafety::Undeclared => "has no idempotency declaration",
            };
            Some(unsafe_side_effect(reg_file, m, se, problem))
        })
        .collect();
    let problem = match &def.idempotency {
        None => Some("this definition declares no `idempotency`"),
        Some(i) if i.is_placeholder() => {
            Some("this definition's `idempotency` is still a TODO placeholder")
        }
        Some(_) => None,
    };
    out.extend(problem.map(|p| undeclared_definition(def_file, def, m, p)));
    out
}

fn unsafe_side_effect(
    reg_file: &SourceFile,
    m: &registry::Migration,
    se: &SideEffect,
    problem: &str,
) -> Diagnostic {
    reg_file
        .diagnostic(
            Code::ParallelRunUnsafe,
            se.name.span.clone(),
            format!(
                "migration `{}` is at its parallel run, but side effect `{}` (by {}) {problem}",
                m.name.value,
                se.name.value,
                se.by.name()
            ),
        )
        .with_help("both sides fire during the parallel run: make the side effect idempotent and say how (`idempotent = true`, `mechanism = \"...\"`)")
}

fn undeclared_definition(
    def_file: &SourceFile,
    def: &Definition,
    m: &registry::Migration,
    problem: &str,
) -> Diagnostic {
    let span = def
        .name
        .as_ref()
        .map_or(def.trigger_span.clone(), |n| n.span.clone());
    def_file
        .diagnostic(
            Code::ParallelRunUnsafe,
            span,
            format!(
                "migration `{}` is at its parallel run, but {problem}",
                m.name.value
            ),
        )
        .with_help("add `idempotency: {key: ..., mechanism: ...}` saying how a repeated fire is made harmless")
}
