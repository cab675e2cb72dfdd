//! The definitions a change touches: those triggered by a changed subject, and, for attribute
//! changes, the places their `rule.when` reads the attribute. It reuses `validate`'s pieces: the
//! definition parser, the rule analysis (attribute paths with spans) and its placing of spans
//! inside the YAML value.

use std::path::PathBuf;

use crate::definition::{self, Definition};
use crate::registry::{Registry, subject_matches};
use crate::rule::{self, Analysis};
use crate::source::SourceFile;

use super::{Rule, Target, Use};

/// A definition file read and analysed once.
pub struct Loaded {
    file: SourceFile,
    def: Definition,
    analysis: Option<Analysis>,
}

/// Reads every YAML file under `paths` (folders walked, sorted); unreadable or invalid files are
/// skipped (`validate` reports them).
pub fn load(paths: &[PathBuf]) -> Vec<Loaded> {
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    let files = crate::validate::definition_files(&existing).unwrap_or_default();
    let mut out = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = SourceFile::new(crate::project::display_path(&path), text);
        let (Some(def), _) = definition::parse(&file) else {
            continue;
        };
        let analysis = def.rule.when.as_ref().and_then(|w| rule::analyze(w).ok());
        out.push(Loaded {
            file,
            def,
            analysis,
        });
    }
    out
}

fn triggered_by(def: &Definition, subject: &str) -> Option<usize> {
    def.trigger
        .events
        .iter()
        .find(|e| e.value == subject || subject_matches(&e.value, subject))
        .map(|e| e.span.start)
}

fn at(l: &Loaded, offset: usize, reads: String) -> Use {
    let (line, column) = l.file.line_col(offset);
    Use {
        file: l.file.path.clone(),
        line,
        column,
        definition: l
            .def
            .name
            .as_ref()
            .map_or_else(|| l.file.path.clone(), |n| n.value.clone()),
        reads,
    }
}

/// The offset in the file of a span inside `rule.when`.
fn in_when(l: &Loaded, span_start: usize) -> usize {
    match &l.def.rule.when {
        Some(w) if l.def.when_exact => (w.span.start + span_start).min(w.span.end),
        Some(w) => w.span.start,
        None => l.def.name.as_ref().map_or(0, |n| n.span.start),
    }
}

/// The uses of what `target` names, in file and line order. For `attribute-made-optional`
/// only unguarded reads break: a definition testing `has(event.attributes.x)` is left out.
pub fn find(defs: &[Loaded], old: &Registry, rule: Rule, target: &Target) -> Vec<Use> {
    let unguarded_only = rule == Rule::AttributeMadeOptional;
    let mut out = Vec::new();
    for l in defs {
        match target {
            Target::Subject { subject } => {
                if let Some(off) = triggered_by(&l.def, subject) {
                    out.push(at(l, off, format!("the trigger `{subject}`")));
                }
            }
            Target::Attribute { subject, attribute } => {
                if triggered_by(&l.def, subject).is_none() {
                    continue;
                }
                let reads =
                    |p: &&rule::PathUse| rule::attribute_name(&p.path) == Some(attribute.as_str());
                let paths = || l.analysis.iter().flat_map(|a| &a.paths).filter(reads);
                if unguarded_only && paths().any(|p| p.presence_test) {
                    continue;
                }
                for p in paths() {
                    out.push(at(l, in_when(l, p.span.start), p.path.join(".")));
                }
            }
            Target::EnumValue {
                subject,
                attribute,
                value,
            } => {
                if triggered_by(&l.def, subject).is_none() {
                    continue;
                }
                for p in l.analysis.iter().flat_map(|a| &a.paths) {
                    if rule::attribute_name(&p.path) != Some(attribute.as_str()) {
                        continue;
                    }
                    for c in &p.compared_with {
                        let lit = c.literal_text.trim_matches(|ch| ch == '"' || ch == '\'');
                        if lit == value {
                            out.push(at(
                                l,
                                in_when(l, c.span.start),
                                format!("{} {} {}", p.path.join("."), c.op, c.literal_text),
                            ));
                        }
                    }
                }
            }
            Target::AllSubjects => {
                if let Some((s, off)) = old
                    .subjects
                    .iter()
                    .find_map(|s| triggered_by(&l.def, &s.subject).map(|o| (s, o)))
                {
                    out.push(at(l, off, format!("the trigger `{}`", s.subject.value)));
                }
            }
            Target::Subjects { subjects } => {
                if let Some((s, off)) = subjects
                    .iter()
                    .find_map(|s| triggered_by(&l.def, s).map(|o| (s, o)))
                {
                    out.push(at(l, off, format!("the trigger `{s}`")));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    out.dedup();
    out
}
