//! `[source]`: where the publishing service's code is and what `audit` looks for in it.

use std::collections::BTreeMap;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Fields, Node, SourceFile, Spanned, Value, expect_str};

/// The modules that create work and so never belong in the publishing service, whatever the
/// registry lists besides.
pub const DEFAULT_FORBIDDEN: &[&str] = &["temporalio"];

/// The `[source]` table.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// The service's source folder, relative to the registry's folder (or absolute).
    pub root: Spanned<String>,
    /// Globs of the files audited, relative to `root` (default `**/*.py`).
    pub include: Vec<String>,
    /// Globs of files left out (hidden folders and `__pycache__` always are).
    pub exclude: Vec<String>,
    /// What counts as committing: a method name (`commit`: any `<x>.commit()`) or a dotted
    /// call (`session.commit`). Default `commit`.
    pub commit: Vec<String>,
    /// Modules the service must not import or call: `temporalio` and those listed.
    pub forbidden_modules: Vec<String>,
    /// Subject -> further `file:function` sites where it may be published.
    pub extra_sites: BTreeMap<String, Vec<Spanned<String>>>,
    /// The service's scope document (checklist step 8), relative to `root`; default `SCOPE.md`.
    pub scope: String,
}

impl SourceConfig {
    /// The configuration `audit --source DIR` uses when the registry has no `[source]`.
    pub fn with_root(root: &str) -> Self {
        SourceConfig {
            root: Spanned::new(root.to_string(), 0..0),
            include: vec!["**/*.py".into()],
            exclude: Vec::new(),
            commit: vec!["commit".into()],
            forbidden_modules: DEFAULT_FORBIDDEN.iter().map(|s| s.to_string()).collect(),
            extra_sites: BTreeMap::new(),
            scope: "SCOPE.md".into(),
        }
    }
}

const KEYS: &[&str] = &[
    "root",
    "include",
    "exclude",
    "commit",
    "forbidden_modules",
    "extra_sites",
    "scope",
];

/// Reads `[source]`, reporting problems into `diags`.
pub fn parse(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<SourceConfig> {
    let mut f = Fields::new(file, node, "`[source]`", diags)?;
    let root = f.require_string("root", diags);
    let mut cfg = SourceConfig::with_root("");
    if let Some(v) = f.string_list("include", diags) {
        cfg.include = v.into_iter().map(|s| s.value).collect();
    }
    if let Some(v) = f.string_list("exclude", diags) {
        cfg.exclude = v.into_iter().map(|s| s.value).collect();
    }
    if let Some(v) = f.string_list("commit", diags) {
        for c in &v {
            if !is_dotted_name(c) {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        c.span.clone(),
                        format!("`{}` is not a method name or a dotted call", c.value),
                    )
                    .with_help("write `commit` (any `<x>.commit()`) or `session.commit`"),
                );
            }
        }
        cfg.commit = v.into_iter().map(|s| s.value).collect();
    }
    if let Some(v) = f.string_list("forbidden_modules", diags) {
        for m in v {
            if !is_dotted_name(&m) {
                diags.push(
                    file.diagnostic(
                        Code::InvalidValue,
                        m.span.clone(),
                        format!("`{}` is not a Python module name", m.value),
                    )
                    .with_help("write a dotted module name, e.g. `celery` or `temporalio.client`"),
                );
            } else if !cfg.forbidden_modules.contains(&m.value) {
                cfg.forbidden_modules.push(m.value);
            }
        }
    }
    if let Some(n) = f.get("extra_sites")
        && let Some(mut sites) = Fields::new(file, n, "`[source.extra_sites]`", diags)
        && let Value::Map(entries) = &n.value
    {
        for (key, _) in entries {
            let Some(list) = sites.get(&key.name) else {
                continue;
            };
            let items: Vec<Spanned<String>> = match &list.value {
                Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| expect_str(file, i, &key.name, diags))
                    .collect(),
                _ => expect_str(file, list, &key.name, diags)
                    .into_iter()
                    .collect(),
            };
            for site in &items {
                if split_site(site).is_none() {
                    diags.push(
                        file.diagnostic(
                            Code::InvalidValue,
                            site.span.clone(),
                            format!("site `{}` is not of the form `file:function`", site.value),
                        )
                        .with_help("e.g. `app/routes/items.py:import_items`"),
                    );
                }
            }
            cfg.extra_sites.insert(key.name.clone(), items);
        }
        sites.finish(&[], diags);
    }
    if let Some(s) = f.string("scope", diags) {
        cfg.scope = s.value;
    }
    f.finish(KEYS, diags);
    cfg.root = root?;
    Some(cfg)
}

/// `file.py:function` split in two, when it has that form.
pub fn split_site(site: &str) -> Option<(&str, &str)> {
    let (file, func) = site.split_once(':')?;
    // A note may follow the name: `update_workstream (on transition)`.
    let func = func.split_whitespace().next()?;
    (!file.is_empty()).then_some((file, func))
}

fn is_dotted_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            let mut c = p.chars();
            c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
        })
}
