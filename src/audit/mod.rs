//! `handoff audit`: the publishing service's own source checked against the registry.
//!
//! Every subject names its trigger site (`api/routers/repos.py:register_repo`); the audit parses
//! the service's Python (ruff's parser: a real syntax tree, never patterns over text) and checks
//! that the site exists, publishes its subject there after the transaction commits, awaits the
//! publisher, publishes only registered subjects, publishes each subject only where the registry
//! says, and never imports a module that creates work. See docs/audit.md.

pub mod config;
pub mod files;
pub mod python;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;
use ruff_text_size::TextRange;
use serde::Serialize;

use crate::codes::Code;
use crate::diagnostic::{self, Diagnostic};
use crate::project::display_path;
use crate::registry::{Registry, Subject};
use crate::source::{SourceFile, did_you_mean};
use config::{SourceConfig, split_site};
use python::{FileFacts, Published};

/// What the audit found.
#[derive(Debug)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub files_checked: usize,
    /// Per registered subject: is its publish at its trigger site verified?
    pub subjects: Vec<SubjectAudit>,
}

/// The audit's verdict on one subject's trigger site (the evidence for checklist step 4).
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAudit {
    pub subject: String,
    pub trigger_site: String,
    /// Published at the site, after commit, awaited.
    pub verified: bool,
    /// The errors that stand against it, as `file:line:col: message`.
    pub findings: Vec<String>,
}

/// The source tree could not be read (exit 3).
#[derive(Debug)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct Parsed {
    rel: String,
    file: SourceFile,
    facts: Option<FileFacts>,
}

/// Audits the source tree at `root` (already resolved against the registry's folder).
pub fn audit(reg: &Registry, root: &Path, cfg: &SourceConfig) -> Result<Outcome, Unreadable> {
    if !root.is_dir() {
        return Err(Unreadable(format!(
            "source root {} is not a folder",
            display_path(root)
        )));
    }
    let rels = files::walk(root, &cfg.include, &cfg.exclude)
        .map_err(|e| Unreadable(format!("cannot read {}: {e}", display_path(root))))?;
    let publishers: HashMap<String, String> = reg
        .subjects
        .iter()
        .map(|s| (s.publisher_fn(&reg.subject_prefix), s.subject.value.clone()))
        .collect();
    let ctx = python::Ctx {
        publishers: &publishers,
        commit: &cfg.commit,
        forbidden: &cfg.forbidden_modules,
    };
    let shown_root = shown_root(root);
    let (parsed, mut diags) = parse_all(root, &rels, &ctx, &shown_root)?;
    let cx = Cx {
        reg,
        root,
        shown_root: &shown_root,
        parsed: &parsed,
        by_rel: parsed
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.as_str(), i))
            .collect(),
    };

    let mut sites = Sites::default();
    for s in reg.subjects.iter() {
        check_trigger_site(&cx, s, &mut sites, &mut diags);
    }
    for (subject, extra) in &cfg.extra_sites {
        for site in extra {
            if let Some((file_part, func)) = split_site(site)
                && let Some(&fi) = cx.by_rel.get(file_part.trim_start_matches("./"))
                && let Some(facts) = &parsed[fi].facts
                && let Some(&f) = facts.by_name.get(func)
            {
                sites
                    .allowed
                    .entry(subject.as_str())
                    .or_default()
                    .insert((fi, f));
            }
        }
    }

    // Per file: publishes and imports.
    let mut site_errors: Vec<(String, String)> = Vec::new();
    for (fi, p) in parsed.iter().enumerate() {
        check_file(reg, &sites, fi, p, &mut diags, &mut site_errors);
    }
    let mut subjects = sites.subjects;
    for sa in &mut subjects {
        sa.findings.extend(
            site_errors
                .iter()
                .filter(|(s, _)| *s == sa.subject)
                .map(|(_, m)| m.clone()),
        );
        sa.verified = sa.findings.is_empty();
    }
    diagnostic::sort(&mut diags);
    Ok(Outcome {
        diagnostics: diags,
        files_checked: parsed.len(),
        subjects,
    })
}

/// The source root as diagnostics show it (`src`, not `src/.`).
fn shown_root(root: &Path) -> String {
    let shown_root = display_path(root);
    match shown_root.strip_suffix("/.") {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => shown_root,
    }
}

/// Reads and analyses every file, in parallel, in `rels` order.
fn parse_all(
    root: &Path,
    rels: &[String],
    ctx: &python::Ctx,
    shown_root: &str,
) -> Result<(Vec<Parsed>, Vec<Diagnostic>), Unreadable> {
    // Parsing recurses per nesting level (bounded by `python::MAX_NESTING`): threads with
    // room for it.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(256 << 20)
        .build()
        .map_err(|e| Unreadable(format!("cannot start the audit's threads: {e}")))?;
    let results: Vec<(Parsed, Vec<Diagnostic>)> = pool.install(|| {
        rels.par_iter()
            .map(|rel| parse_one(root, rel, ctx, shown_root))
            .collect()
    });
    let mut diags = Vec::new();
    let mut parsed = Vec::with_capacity(results.len());
    for (p, d) in results {
        diags.extend(d);
        parsed.push(p);
    }
    Ok((parsed, diags))
}

/// One file read and analysed, with the diagnostics that stop it.
fn parse_one(
    root: &Path,
    rel: &String,
    ctx: &python::Ctx,
    shown_root: &str,
) -> (Parsed, Vec<Diagnostic>) {
    let shown = format!("{}/{rel}", shown_root.trim_end_matches('/'));
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    let mut diags = Vec::new();
    let text = match std::fs::read(root.join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => Some(t),
            Err(_) => {
                diags.push(Diagnostic::file_level(
                    Code::Io,
                    &shown,
                    "not UTF-8 text, so not Python source",
                ));
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::file_level(
                Code::Io,
                &shown,
                format!("cannot read: {e}"),
            ));
            None
        }
    };
    let readable = text.is_some();
    let file = SourceFile::new(shown, text.unwrap_or_default());
    let facts = match python::analyse(&file.text, ctx) {
        // An unreadable file is its `io` diagnostic, not an empty module.
        _ if !readable => None,
        Ok(f) => Some(f),
        Err((range, message)) => {
            if diags.is_empty() {
                diags.push(
                    file.diagnostic(Code::PythonSyntax, span(range), message)
                        .with_help(
                            "fix the syntax; the file's functions are not audited until it parses",
                        ),
                );
            }
            None
        }
    };
    (
        Parsed {
            rel: rel.clone(),
            file,
            facts,
        },
        diags,
    )
}

/// What the trigger-site checks share.
struct Cx<'a> {
    reg: &'a Registry,
    root: &'a Path,
    shown_root: &'a str,
    parsed: &'a [Parsed],
    by_rel: HashMap<&'a str, usize>,
}

/// What the trigger-site checks gather.
#[derive(Default)]
struct Sites<'a> {
    /// The functions each subject may be published from: (file index, function index).
    allowed: BTreeMap<&'a str, BTreeSet<(usize, usize)>>,
    subjects: Vec<SubjectAudit>,
    /// Subjects whose trigger site is missing: their publishes elsewhere are that same problem.
    lost: BTreeSet<&'a str>,
}

impl<'a> Sites<'a> {
    /// `s` has no trigger site: `d` says why.
    fn lose(&mut self, reg: &Registry, s: &'a Subject, d: Diagnostic, diags: &mut Vec<Diagnostic>) {
        let site = &s.trigger_site;
        diags.push(d);
        self.lost.insert(&s.subject.value);
        self.subjects.push(SubjectAudit {
            subject: s.subject.value.clone(),
            trigger_site: site.value.clone(),
            verified: false,
            findings: vec![format!(
                "{}: trigger site missing",
                display(&reg.file, &site.span)
            )],
        });
    }
}

/// Checks that `s`'s trigger site exists and publishes it.
fn check_trigger_site<'a>(
    cx: &Cx<'a>,
    s: &'a Subject,
    st: &mut Sites<'a>,
    diags: &mut Vec<Diagnostic>,
) {
    let reg = cx.reg;
    let site = &s.trigger_site;
    let Some((file_part, func)) = split_site(site) else {
        return;
    };
    let file_part = file_part.trim_start_matches("./");
    let Some(&fi) = cx.by_rel.get(file_part) else {
        let d = missing_file(cx, s, file_part, func);
        st.lose(reg, s, d, diags);
        return;
    };
    let p = &cx.parsed[fi];
    let Some(facts) = &p.facts else {
        st.subjects.push(SubjectAudit {
            subject: s.subject.value.clone(),
            trigger_site: site.value.clone(),
            verified: false,
            findings: vec![format!("{}: cannot be read or does not parse", p.file.path)],
        });
        return;
    };
    let Some(&f) = facts.by_name.get(func) else {
        let d = missing_function(reg, s, p, facts, file_part, func);
        st.lose(reg, s, d, diags);
        return;
    };
    st.allowed
        .entry(&s.subject.value)
        .or_default()
        .insert((fi, f));
    let reach = reach(facts, f);
    let published = reach.iter().any(|&g| {
        facts.functions[g]
            .publishes
            .iter()
            .any(|ps| ps.subject == Published::Subject(s.subject.value.clone()))
    });
    let mut findings = Vec::new();
    if !published {
        let func_facts = &facts.functions[f];
        let publisher = s.publisher_fn(&reg.subject_prefix);
        let d = p
            .file
            .diagnostic(
                Code::PublishMissing,
                span(func_facts.name_range),
                format!(
                    "`{func}` is the trigger site of `{}` but never publishes it",
                    s.subject.value
                ),
            )
            .with_help(format!(
                "after `await session.commit()`, add `await {publisher}(...)` (from the generated package)"
            ));
        findings.push(format!("{}: {}", loc(&d), d.message));
        diags.push(d);
    }
    st.subjects.push(SubjectAudit {
        subject: s.subject.value.clone(),
        trigger_site: site.value.clone(),
        verified: false,
        findings,
    });
}

/// The trigger site's file is not among the audited files.
fn missing_file(cx: &Cx, s: &Subject, file_part: &str, func: &str) -> Diagnostic {
    let site = &s.trigger_site;
    let shown_root = cx.shown_root;
    let on_disk = cx.root.join(file_part).is_file();
    let mut d = cx.reg.file.diagnostic(
        Code::TriggerSiteMissing,
        site.span.clone(),
        if on_disk {
            format!(
                "trigger site `{}` of `{}`: {file_part} is not among the audited files (see `[source] include` and `exclude`)",
                site.value, s.subject.value
            )
        } else {
            format!(
                "trigger site `{}` of `{}`: there is no {file_part} under {shown_root}",
                site.value, s.subject.value
            )
        },
    );
    // Suggest only files that define the function, so that the suggestion passes.
    let defining: Vec<&str> = cx
        .parsed
        .iter()
        .filter(|p| {
            p.facts
                .as_ref()
                .is_some_and(|f| f.by_name.contains_key(func))
        })
        .map(|p| p.rel.as_str())
        .collect();
    let only = match defining.as_slice() {
        [f] => Some(*f),
        _ => None,
    };
    d.help = Some(
        match did_you_mean(file_part, defining.iter().copied()).or(only) {
            Some(f) => format!("did you mean `{f}:{func}`?"),
            None => format!(
                "name the file that defines `{func}`, relative to the source root {shown_root}"
            ),
        },
    );
    d
}

/// The trigger site's file does not define its function.
fn missing_function(
    reg: &Registry,
    s: &Subject,
    p: &Parsed,
    facts: &FileFacts,
    file_part: &str,
    func: &str,
) -> Diagnostic {
    let site = &s.trigger_site;
    let names: Vec<&str> = facts
        .functions
        .iter()
        .skip(1)
        .map(|f| f.name.as_str())
        .collect();
    let mut d = reg.file.diagnostic(
        Code::TriggerSiteMissing,
        site.span.clone(),
        format!(
            "trigger site `{}` of `{}`: {} has no function `{func}`",
            site.value, s.subject.value, p.file.path
        ),
    );
    d.help = Some(match did_you_mean(func, names.iter().copied()) {
        Some(n) => format!("did you mean `{file_part}:{n}`?"),
        None if names.is_empty() => format!("{} defines no function", p.file.path),
        None => format!("its functions are: {}", names.join(", ")),
    });
    d
}

/// One file's forbidden imports, publishes and publishes before commit.
fn check_file(
    reg: &Registry,
    sites: &Sites,
    fi: usize,
    p: &Parsed,
    diags: &mut Vec<Diagnostic>,
    site_errors: &mut Vec<(String, String)>,
) {
    let Some(facts) = &p.facts else { return };
    for fb in &facts.forbidden {
        diags.push(
            p.file
                .diagnostic(
                    Code::ForbiddenModule,
                    span(fb.range),
                    format!(
                        "`{}` is loaded here: the publishing service must not create work itself",
                        fb.module
                    ),
                )
                .with_help("remove it: publish the lifecycle event after commit and let the automation engine create the work"),
        );
    }
    // Trigger-site functions report their own publishes even when called by others.
    let own: BTreeSet<usize> = sites
        .allowed
        .values()
        .flatten()
        .filter(|(f, _)| *f == fi)
        .map(|(_, g)| *g)
        .collect();
    for (gi, g) in facts.functions.iter().enumerate() {
        for ps in &g.publishes {
            let at = PublishAt {
                reg,
                sites,
                fi,
                p,
                facts,
                gi,
            };
            check_publish(&at, ps, diags, site_errors);
        }
        if g.called && !own.contains(&gi) {
            // A helper: its callers answer for its publishes.
            continue;
        }
        for u in &g.uncommitted {
            let what = match &u.subject {
                Published::Subject(s) => format!("`{s}`"),
                Published::Unknown => "an event".into(),
            };
            let message = match &u.via {
                None => format!(
                    "{what} is published before the transaction commits on every path to here"
                ),
                Some(h) => format!(
                    "`{h}` publishes {what}, and is called before the transaction commits on every path to here"
                ),
            };
            let d = p
                .file
                .diagnostic(Code::PublishBeforeCommit, span(u.range), message)
                .with_help("publish after `await session.commit()` (or after the `async with session.begin():` block): a rollback would otherwise leak the event");
            if let Published::Subject(s) = &u.subject {
                site_errors.push((s.clone(), format!("{}: {}", loc(&d), d.message)));
            }
            diags.push(d);
        }
    }
}

/// Where a publish is: function `gi` of file `fi`.
struct PublishAt<'a> {
    reg: &'a Registry,
    sites: &'a Sites<'a>,
    fi: usize,
    p: &'a Parsed,
    facts: &'a FileFacts,
    gi: usize,
}

/// One publish of function `gi` in file `fi`: awaited, of a registered subject, where allowed.
fn check_publish(
    at: &PublishAt,
    ps: &python::PublishSite,
    diags: &mut Vec<Diagnostic>,
    site_errors: &mut Vec<(String, String)>,
) {
    let PublishAt {
        reg,
        sites,
        fi,
        p,
        facts,
        gi,
    } = *at;
    let g = &facts.functions[gi];
    if ps.dropped {
        let d = p
            .file
            .diagnostic(
                Code::PublishNotAwaited,
                span(ps.range),
                format!(
                    "`{}(...)` is called without `await`: the coroutine is created and never runs",
                    ps.callee
                ),
            )
            .with_help(format!("write `await {}(...)`", ps.callee));
        if let Published::Subject(s) = &ps.subject {
            site_errors.push((s.clone(), format!("{}: {}", loc(&d), d.message)));
        }
        diags.push(d);
    }
    match &ps.subject {
        Published::Unknown => diags.push(
            p.file
                .diagnostic(
                    Code::UnverifiableSubject,
                    span(ps.subject_range.unwrap_or(ps.range)),
                    "the subject is not a string literal, so the audit cannot check that it is registered",
                )
                .with_help("call the generated publisher (`publish_<entity>_<event>`) or pass the subject as a literal"),
        ),
        Published::Subject(s) if reg.subject(s).is_none() => {
            let mut d = p.file.diagnostic(
                Code::UnknownPublishedSubject,
                span(ps.subject_range.unwrap_or(ps.range)),
                format!("`{s}` is not a registered subject"),
            );
            d.help = Some(
                match did_you_mean(s, reg.subjects.iter().map(|x| x.subject.value.as_str())) {
                    Some(x) => format!("did you mean `{x}`?"),
                    None => "register it in the registry's `[[subjects]]` first".into(),
                },
            );
            diags.push(d);
        }
        Published::Subject(s) => {
            let declared = sites.allowed.get(s.as_str()).is_some_and(|set| {
                set.iter().any(|&(afi, af)| {
                    afi == fi && (af == gi || reach(facts, af).contains(&gi))
                })
            });
            if !declared && !sites.lost.contains(s.as_str()) {
                let site = reg.subject(s).map(|x| x.trigger_site.value.clone()).unwrap_or_default();
                diags.push(
                    p.file
                        .diagnostic(
                            Code::PublishedElsewhere,
                            span(ps.range),
                            format!(
                                "`{s}` is published in `{}`, but its trigger site is `{site}`",
                                g.name
                            ),
                        )
                        .with_help(format!(
                            "publish it only at its trigger site, or list `{}:{}` under `[source.extra_sites]` for `{s}`",
                            p.rel, g.name
                        )),
                );
            }
        }
    }
}

/// The function and every function of its module it calls, transitively.
fn reach(facts: &FileFacts, f: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([f]);
    let mut stack = vec![f];
    while let Some(g) = stack.pop() {
        for &c in &facts.functions[g].calls {
            if seen.insert(c) {
                stack.push(c);
            }
        }
    }
    seen
}

fn span(r: TextRange) -> std::ops::Range<usize> {
    r.start().to_usize()..r.end().to_usize()
}

fn loc(d: &Diagnostic) -> String {
    format!("{}:{}:{}", d.file, d.line, d.column)
}

fn display(file: &SourceFile, span: &std::ops::Range<usize>) -> String {
    let (l, c) = file.line_col(span.start);
    format!("{}:{l}:{c}", file.path)
}
