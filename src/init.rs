//! `handoff init`: a minimal, commented registry to start from, valid as written, so that
//! `handoff generate` then `handoff validate` succeed at once; and finding the registry of a
//! command run anywhere inside a project (the current folder and its parents, up to the
//! repository's root).

use std::path::{Path, PathBuf};

use crate::registry;
use crate::source::SourceFile;

/// The registry's file name, looked for by [`discover`].
pub const REGISTRY_FILE: &str = "subjects.toml";

/// What `handoff init` writes into the registry.
#[derive(Debug, Clone)]
pub struct Options {
    /// Every subject lives under it, e.g. `org.example`.
    pub prefix: String,
    /// The envelope's `publisher`, e.g. `billing`; also names the Python package.
    pub publisher: String,
    /// The JetStream stream's name.
    pub stream: String,
}

/// The default `--prefix`.
pub const DEFAULT_PREFIX: &str = "org.example";
/// The default `--stream`.
pub const DEFAULT_STREAM: &str = "ACTIVITY_EVENTS";
/// The `--publisher` when the folder's name gives none.
pub const FALLBACK_PUBLISHER: &str = "my-service";

/// A publisher name made from a folder's name (`Billing Service` gives `billing-service`), or
/// [`FALLBACK_PUBLISHER`] when nothing usable is left.
pub fn publisher_from_folder(folder: &Path) -> String {
    let name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if is_publisher(&out) {
        out
    } else {
        FALLBACK_PUBLISHER.to_string()
    }
}

/// The Python package a publisher's stubs go to: `billing-api` gives `stubs/billing_api_events`.
pub fn python_package(publisher: &str) -> String {
    let mut name: String = publisher
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert(0, 'p');
    }
    let name = name
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("stubs/{name}_events")
}

/// A publisher name: lowercase letters, digits, `-`, `_` and `.`, starting with a letter.
fn is_publisher(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// A subject prefix: dot-separated lowercase tokens (`[a-z][a-z0-9_]*`).
fn is_prefix(prefix: &str) -> bool {
    prefix.split('.').all(|t| {
        t.starts_with(|c: char| c.is_ascii_lowercase())
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// A JetStream stream name: letters, digits, `-` and `_`.
fn is_stream(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// The options checked: a message naming the first bad one, with what is expected.
pub fn check(opts: &Options) -> Result<(), String> {
    if !is_prefix(&opts.prefix) {
        return Err(format!(
            "--prefix `{}` is not a subject prefix: dot-separated lowercase tokens, each starting with a letter (e.g. `org.billing`)",
            opts.prefix.escape_debug()
        ));
    }
    if !is_publisher(&opts.publisher) {
        return Err(format!(
            "--publisher `{}` is not a publisher name: lowercase letters, digits, `-`, `_` and `.`, starting with a letter (e.g. `billing`)",
            opts.publisher.escape_debug()
        ));
    }
    if !is_stream(&opts.stream) {
        return Err(format!(
            "--stream `{}` is not a stream name: letters, digits, `-` and `_` (e.g. `{DEFAULT_STREAM}`)",
            opts.stream.escape_debug()
        ));
    }
    Ok(())
}

/// The registry's text. Its first line is a `#:schema` directive (taplo, Even Better TOML)
/// naming the registry schema `handoff generate` writes. Checked with the loader in tests: it
/// loads without a diagnostic for any options [`check`] accepts.
pub fn registry_text(opts: &Options) -> String {
    let Options {
        prefix,
        publisher,
        stream,
    } = opts;
    let python = python_package(publisher);
    let entity = "example";
    format!(
        r#"#:schema ./docs/schemas/subjects.schema.json
# {publisher}'s event registry: the single source of truth for what it publishes on NATS
# JetStream, and for the scheduled jobs it hands over to an automation engine.
#
# Format: docs/registry.md in handoff's documentation (`handoff --help` lists the commands).
# After editing, run `handoff generate` and commit what it writes; in CI, `handoff validate`
# keeps the registry, the definitions and the generated files in step.

# The registry's own version: a minor bump for additions, a major one for breaking changes
# (`handoff diff --against main` checks the policy).
version = "1.0"
# Every subject starts with this prefix.
subject_prefix = "{prefix}"

[stream]
# The JetStream stream the events go to (`handoff stream ensure` creates it).
name = "{stream}"
# Its subject filter must cover every subject below; a stream shared by several publishers
# may use a wider one (e.g. "org.>").
subjects = ["{prefix}.>"]
retention = "limits"
storage = "file"
max_age = "30d"
# Publishing the same event id twice within this window is stored once.
duplicate_window = "2m"

[envelope]
version = "1.0"
# Who publishes: every event's envelope names it.
publisher = "{publisher}"

# How the generated docs and `handoff plan` name this service and the engine that runs the
# ActivityDefinitions, as the words read mid-sentence (without this table: "the publishing
# service" and "the automation engine").
[names]
service = "{publisher}"
engine = "the automation engine"

# Where `handoff generate` writes, relative to this file's folder.
[output]
subjects_doc = "docs/nats-event-subjects.md"
migration_doc = "docs/cron-migration.md"
definitions = "definitions"
schemas = "docs/schemas"
python = "{python}"

# ---------------------------------------------------------------------------------------------
# Lifecycle subjects: one [[subjects]] table per event. Rename this example to a real one.
# ---------------------------------------------------------------------------------------------

[[subjects]]
subject = "{prefix}.{entity}.created"
since = "1.0"
summary = "An example was created."
# The function that publishes it: `path/to/module.py:function` (`handoff audit` checks it).
trigger_site = "app/{entity}s.py:create_{entity}"
fires = "Once per new example, after the transaction that creates it commits."

[subjects.attributes.{entity}_id]
type = "uuid"
required = true
description = "The example's primary key."
example = "5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91"

# Legacy scheduled jobs being handed over are [[migrations]] tables (`handoff import crontab`
# writes them); see docs/registry.md.
"#
    )
}

/// The folders `init` creates beside the registry: where generate writes.
pub fn output_folders(text: &str) -> Vec<String> {
    let (reg, _) = registry::load(SourceFile::new(REGISTRY_FILE, text));
    let Some(reg) = reg else {
        return Vec::new();
    };
    let o = &reg.output;
    let mut dirs: Vec<String> = [
        parent(&o.subjects_doc),
        parent(&o.migration_doc),
        Some(o.definitions.clone()),
        Some(o.schemas.clone()),
        parent(&o.python),
    ]
    .into_iter()
    .flatten()
    .filter(|d| !d.is_empty())
    .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

fn parent(path: &str) -> Option<String> {
    path.rsplit_once('/').map(|(dir, _)| dir.to_string())
}

/// The registry a command without `--registry` works on: `subjects.toml` in `start` or the
/// nearest of its parents, not above the repository's root (a folder holding `.git`). The path
/// is relative to `start` (`subjects.toml`, `../subjects.toml`), so messages read as before.
/// `Err` holds the folders searched, nearest first.
pub fn discover(start: &Path) -> Result<PathBuf, Vec<PathBuf>> {
    let mut searched = Vec::new();
    let mut rel = PathBuf::new();
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(REGISTRY_FILE).is_file() {
            return Ok(rel.join(REGISTRY_FILE));
        }
        searched.push(d.to_path_buf());
        if d.join(".git").exists() {
            break;
        }
        rel.push("..");
        dir = d.parent();
    }
    Err(searched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(prefix: &str, publisher: &str, stream: &str) -> Options {
        Options {
            prefix: prefix.into(),
            publisher: publisher.into(),
            stream: stream.into(),
        }
    }

    #[test]
    fn written_registry_loads_without_a_diagnostic() {
        for o in [
            opts(DEFAULT_PREFIX, FALLBACK_PUBLISHER, DEFAULT_STREAM),
            opts("org.billing", "billing", "BILLING"),
            opts("com.acme.ops_2", "acme.ops-2", "acme-events_1"),
        ] {
            check(&o).unwrap();
            let text = registry_text(&o);
            let (reg, diags) = registry::load(SourceFile::new(REGISTRY_FILE, text.clone()));
            assert!(diags.is_empty(), "{o:?}: {diags:?}");
            let reg = reg.unwrap();
            assert_eq!(reg.output.python, python_package(&o.publisher));
            assert!(text.starts_with("#:schema ./docs/schemas/subjects.schema.json\n"));
            assert_eq!(
                output_folders(&text),
                ["definitions", "docs", "docs/schemas", "stubs"]
            );
        }
    }

    #[test]
    fn bad_options_are_named() {
        assert!(
            check(&opts("Org.Billing", "b", "S"))
                .unwrap_err()
                .contains("--prefix")
        );
        assert!(
            check(&opts("org..x", "b", "S"))
                .unwrap_err()
                .contains("--prefix")
        );
        assert!(
            check(&opts("org.x", "Billing", "S"))
                .unwrap_err()
                .contains("--publisher")
        );
        assert!(
            check(&opts("org.x", "b", "A.B"))
                .unwrap_err()
                .contains("--stream")
        );
    }

    #[test]
    fn names_from_folders_and_publishers() {
        assert_eq!(
            publisher_from_folder(Path::new("/x/Billing Service")),
            "billing-service"
        );
        assert_eq!(
            publisher_from_folder(Path::new("/x/9lives")),
            FALLBACK_PUBLISHER
        );
        assert_eq!(publisher_from_folder(Path::new("/")), FALLBACK_PUBLISHER);
        assert_eq!(python_package("billing"), "stubs/billing_events");
        assert_eq!(python_package("acme.ops-2"), "stubs/acme_ops_2_events");
    }
}
