//! A workspace: one definitions folder checked against several publishers' registries, as in a
//! definitions repository (activity-core's) that reacts to events of many services sharing one
//! stream. The registries come from `--registry` given more than once, or from a workspace file
//! (`handoff.toml`, docs/registry.md#workspaces).
//!
//! Checks besides each registry's own: a subject is registered by one registry only
//! (`subject-clash`), every registry names the shared stream (`stream-mismatch`, the shared
//! stream being the first registry's) and its prefix lies inside the stream's filter
//! (`prefix-outside-stream`). Definitions are checked against all registries' subjects and
//! contexts; each registry's migrations are linked to the definitions as in a single-registry
//! run. Generated files are checked only for registries that own their outputs here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic};
use crate::generate;
use crate::project::{Project, display_path};
use crate::registry::{Registry, pattern_within};
use crate::source::{Fields, SourceFile, Value, parse_toml};
use crate::validate::{self, Outcome};

/// The conventional workspace file name, looked for in the working folder.
pub const FILE_NAME: &str = "handoff.toml";

/// One registry of a workspace.
#[derive(Debug, Clone)]
pub struct Member {
    pub path: PathBuf,
    /// Whether its generated files live in this repository (their freshness is checked).
    pub owns_outputs: bool,
    /// Where the workspace file names it, for positioned errors (`None` for `--registry`).
    pub declared_at: Option<std::ops::Range<usize>>,
}

/// A workspace, from a file or from several `--registry` options.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace file, when there is one.
    pub file: Option<SourceFile>,
    /// The definitions folder.
    pub definitions: PathBuf,
    pub members: Vec<Member>,
}

/// Whether two paths name the same file (`subjects.toml`, `./subjects.toml`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Whether a registry owns its generated files in this checkout: its `.handoff-manifest` (which
/// `generate` writes beside the registry) is there.
pub fn owns_outputs(registry: &Path) -> bool {
    generate::root_of(registry)
        .join(".handoff-manifest")
        .is_file()
}

impl Workspace {
    /// Registries given as `--registry` options; definitions in `./definitions`.
    pub fn from_registries(paths: &[PathBuf]) -> Workspace {
        Workspace {
            file: None,
            definitions: PathBuf::from("definitions"),
            members: paths
                .iter()
                .enumerate()
                // The same path given twice is one registry.
                .filter(|(i, p)| !paths[..*i].iter().any(|q| same_file(p, q)))
                .map(|(_, p)| Member {
                    path: p.clone(),
                    owns_outputs: owns_outputs(p),
                    declared_at: None,
                })
                .collect(),
        }
    }

    /// Reads a workspace file. Paths in it are relative to its folder. Problems in the file
    /// are diagnostics; `Err` only when it cannot be read.
    pub fn load(path: &Path) -> Result<(Workspace, Vec<Diagnostic>), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file = SourceFile::new(display_path(path), text);
        let root = generate::root_of(path);
        let mut diags = Vec::new();
        let mut ws = Workspace {
            file: None,
            definitions: root.join("definitions"),
            members: Vec::new(),
        };
        let node = match parse_toml(&file) {
            Ok(n) => n,
            Err(d) => return Ok((ws, vec![*d])),
        };
        if let Some(mut top) = Fields::new(&file, &node, "the workspace file", &mut diags) {
            if let Some(d) = top.string("definitions", &mut diags) {
                ws.definitions = root.join(&d.value);
            }
            match top.require("registries", &mut diags).map(|n| &n.value) {
                Some(Value::Seq(items)) => {
                    for item in items {
                        let Some(mut f) =
                            Fields::new(&file, item, "a `[[registries]]` entry", &mut diags)
                        else {
                            continue;
                        };
                        let p = f.require_string("path", &mut diags);
                        let owns = f.bool("owns_outputs", &mut diags).map(|b| b.value);
                        f.finish(&["path", "owns_outputs"], &mut diags);
                        if let Some(p) = p {
                            let path = root.join(&p.value);
                            if ws.members.iter().any(|m| same_file(&m.path, &path)) {
                                diags.push(
                                    file.diagnostic(
                                        Code::DuplicateName,
                                        p.span.clone(),
                                        format!("registry `{}` is listed twice", p.value),
                                    )
                                    .with_help("remove this `[[registries]]` entry"),
                                );
                                continue;
                            }
                            ws.members.push(Member {
                                owns_outputs: owns.unwrap_or_else(|| owns_outputs(&path)),
                                path,
                                declared_at: Some(p.span.clone()),
                            });
                        }
                    }
                }
                Some(_) => {
                    if let Some(n) = top.get("registries") {
                        diags.push(
                            file.diagnostic(
                                Code::WrongType,
                                n.span.clone(),
                                "`registries` must be an array of tables",
                            )
                            .with_help("write each registry as a `[[registries]]` table with `path = \"...\"`"),
                        );
                    }
                }
                None => {}
            }
            top.finish(&["definitions", "registries"], &mut diags);
        }
        ws.file = Some(file);
        Ok((ws, diags))
    }
}

/// A diagnostic's identity across passes: code, file, line, column, message.
type Key = (Code, String, usize, usize, String);

/// What to check besides the workspace itself.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Definition files or folders; empty means the workspace's definitions folder.
    pub paths: Vec<PathBuf>,
    pub templates: Option<PathBuf>,
    /// Whether to check generated files of the registries that own them.
    pub freshness: bool,
}

/// Validates the workspace: every registry, the checks across them, every definition against
/// all of them, and the freshness of owned generated files.
pub fn validate(
    ws: &Workspace,
    file_diags: Vec<Diagnostic>,
    opts: &Options,
) -> Result<Outcome, String> {
    let mut diags = file_diags;
    let loaded = load_members(ws, &mut diags);
    diags.extend(across(&loaded));
    let paths = definition_paths(ws, opts);
    let definition_files = validate::definition_files(&paths)?.len();
    diags.extend(check_definitions(&loaded, &paths, opts)?);
    if opts.freshness {
        for (m, p, r) in &loaded {
            if m.owns_outputs {
                diags.extend(crate::lint::generated_problems(
                    r,
                    &p.root,
                    opts.templates.as_deref(),
                )?);
            }
        }
    }
    diagnostic::sort(&mut diags);
    Ok(Outcome {
        diagnostics: diags,
        files_checked: ws.members.len() + usize::from(ws.file.is_some()) + definition_files,
        definitions: Default::default(),
    })
}

/// Opens every member's registry; what cannot be read (or has no registry) goes to `diags`.
fn load_members<'a>(
    ws: &'a Workspace,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'a Member, Project, Registry)> {
    let mut loaded = Vec::new();
    for m in &ws.members {
        match Project::open(&m.path, &[]) {
            Ok(mut p) => {
                diags.append(&mut p.diagnostics);
                if let Some(r) = p.registry.take() {
                    loaded.push((m, p, r));
                }
            }
            Err(e) => diags.push(match (&ws.file, &m.declared_at) {
                (Some(f), Some(span)) => f
                    .diagnostic(
                        Code::Io,
                        span.clone(),
                        format!("cannot read the registry: {}", e.error),
                    )
                    .with_help("give the path of a registry file, relative to the workspace file"),
                _ => Diagnostic::file_level(
                    Code::Io,
                    e.path.clone(),
                    format!("cannot read: {}", e.error),
                ),
            }),
        }
    }
    loaded
}

/// The subjects and contexts of every registry, first registration winning.
fn all_subjects_and_contexts(
    loaded: &[(&Member, Project, Registry)],
) -> (Vec<crate::registry::Subject>, Vec<crate::registry::Context>) {
    let mut subjects = Vec::new();
    let mut contexts = Vec::new();
    for (_, _, r) in loaded {
        for s in r.subjects.iter() {
            if !subjects
                .iter()
                .any(|x: &crate::registry::Subject| x.subject.value == s.subject.value)
            {
                subjects.push(s.clone());
            }
        }
        for c in &r.contexts {
            if !contexts
                .iter()
                .any(|x: &crate::registry::Context| x.name == c.name)
            {
                contexts.push(c.clone());
            }
        }
    }
    (subjects, contexts)
}

/// The definitions to check: the options' paths, else the workspace's folder when it exists.
fn definition_paths(ws: &Workspace, opts: &Options) -> Vec<PathBuf> {
    if opts.paths.is_empty() {
        if ws.definitions.is_dir() {
            vec![ws.definitions.clone()]
        } else {
            Vec::new()
        }
    } else {
        opts.paths.clone()
    }
}

/// One pass per registry: its migrations against the definitions, with every registry's
/// subjects in view. A definition's own findings come out of every pass and are kept once;
/// `definition-without-migration` only when no registry has the migration.
fn check_definitions(
    loaded: &[(&Member, Project, Registry)],
    paths: &[PathBuf],
    opts: &Options,
) -> Result<Vec<Diagnostic>, String> {
    let vopts = |root: PathBuf| validate::Options {
        root,
        // An explicit list (never empty here): `validate` must not fall back to a registry's
        // own definitions folder.
        paths: paths.to_vec(),
        templates: opts.templates.clone(),
        freshness: false,
    };
    let mut diags = Vec::new();
    let mut passes = 0;
    let mut seen: HashMap<Key, (usize, Diagnostic)> = HashMap::new();
    let mut order = Vec::new();
    if paths.is_empty() {
        // Nothing to check against: no definitions.
    } else if loaded.is_empty() {
        let out = validate::validate(Path::new(""), None, Vec::new(), &vopts(PathBuf::from(".")))?;
        diags.extend(out.diagnostics);
    } else {
        let (subjects, contexts) = all_subjects_and_contexts(loaded);
        let shared = loaded[0].2.stream.clone();
        for (_, p, r) in loaded {
            let mut view = r.clone();
            view.subjects = std::sync::Arc::new(subjects.clone());
            view.contexts = contexts.clone();
            view.stream = shared.clone();
            view.reindex();
            let out = validate::validate(
                &p.registry_path,
                Some(&view),
                Vec::new(),
                &vopts(p.root.clone()),
            )?;
            passes += 1;
            for d in out.diagnostics {
                let key = (d.code, d.file.clone(), d.line, d.column, d.message.clone());
                match seen.get_mut(&key) {
                    Some((n, _)) => *n += 1,
                    None => {
                        order.push(key.clone());
                        seen.insert(key, (1, d));
                    }
                }
            }
        }
    }
    for key in order {
        if let Some((n, d)) = seen.remove(&key)
            && (d.code != Code::DefinitionWithoutMigration || n == passes)
        {
            diags.push(d);
        }
    }
    Ok(diags)
}

/// The offset of a top-level `key =` line (before the first table), if there is one.
fn top_level(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            return None;
        }
        let t = line.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

/// The span of the value of the `key = value` line starting at `at` (the key when there is no
/// value on the line).
fn value_span(text: &str, at: usize, key: &str) -> std::ops::Range<usize> {
    let line = text[at..].split('\n').next().unwrap_or_default();
    match line.find('=') {
        Some(eq) => {
            let value = line[eq + 1..].trim();
            let start = at + eq + 1 + (line[eq + 1..].len() - line[eq + 1..].trim_start().len());
            start..start + value.len()
        }
        None => at..at + key.len().min(line.len()),
    }
}

/// `subject-clash`, `stream-mismatch`, `prefix-outside-stream`.
fn across(loaded: &[(&Member, Project, Registry)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some((_, first_p, first)) = loaded.first() else {
        return out;
    };
    let shared = &first.stream;
    for (i, (_, p, r)) in loaded.iter().enumerate() {
        let f = &r.file;
        if i > 0 && r.stream.name != shared.name {
            let off = crate::diff::key_offset(&f.text, "[stream]", "name");
            out.push(
                f.diagnostic(
                    Code::StreamMismatch,
                    value_span(&f.text, off, "name"),
                    format!(
                        "{} names stream `{}`, but the workspace's shared stream is `{}` (from {})",
                        p.registry_name, r.stream.name, shared.name, first_p.registry_name
                    ),
                )
                .with_help(format!(
                    "set `name = \"{}\"`: every registry of a workspace publishes to one stream",
                    shared.name
                )),
            );
        }
        let own = format!("{}.>", r.subject_prefix);
        if !shared.subjects.iter().any(|s| pattern_within(&own, s)) {
            // At its value, or at the top of the file when the prefix is the default.
            let span = top_level(&f.text, "subject_prefix")
                .map_or(0..0, |off| value_span(&f.text, off, "subject_prefix"));
            out.push(
                f.diagnostic(
                    Code::PrefixOutsideStream,
                    span,
                    format!(
                        "subject prefix `{}` of {} is not inside the shared stream `{}`'s filter {:?}",
                        r.subject_prefix, p.registry_name, shared.name, shared.subjects
                    ),
                )
                .with_help(match shared.subjects.first().and_then(|s| s.strip_suffix(".>")) {
                    Some(base) => format!(
                        "use a prefix under `{base}`, e.g. `{base}.{}`",
                        r.subject_prefix.rsplit('.').next().unwrap_or("service")
                    ),
                    None => "widen the shared stream's filter in the first registry".to_string(),
                }),
            );
        }
        for s in r.subjects.iter() {
            let Some((_, op, other)) = loaded[..i]
                .iter()
                .find(|(_, _, o)| o.subject(&s.subject).is_some())
            else {
                continue;
            };
            let first_at = other
                .subject(&s.subject)
                .map(|x| other.file.line_col(x.subject.span.start).0)
                .unwrap_or(0);
            let rest = s
                .subject
                .strip_prefix(&other.subject_prefix)
                .and_then(|x| x.strip_prefix('.'))
                .unwrap_or(&s.subject);
            out.push(
                f.diagnostic(
                    Code::SubjectClash,
                    s.subject.span.clone(),
                    format!(
                        "subject `{}` is also registered in {}:{first_at}; each subject has one publisher",
                        s.subject.value, op.registry_name
                    ),
                )
                .with_help(if r.subject_prefix != other.subject_prefix {
                    format!("publish it under this registry's prefix: `{}.{rest}`", r.subject_prefix)
                } else {
                    format!(
                        "give the registries different prefixes, or remove it from one of {} and {}",
                        op.registry_name, p.registry_name
                    )
                }),
            );
        }
    }
    out
}
