//! `handoff init [--prefix P] [--publisher NAME] [--stream NAME]`: writes a minimal, commented,
//! valid registry (`subjects.toml`, or the `--registry` path), creates the folders generate
//! writes to, and prints the next commands. An existing registry is never overwritten: exit 2,
//! nothing written.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use handoff::init::{self, Options};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The subject prefix every subject starts with.
    #[arg(long, value_name = "PREFIX", default_value = init::DEFAULT_PREFIX)]
    pub prefix: String,
    /// The publisher named in every envelope; also names the Python package
    /// (`stubs/<publisher>_events`). Default: the folder's name, else `my-service`.
    #[arg(long, value_name = "NAME")]
    pub publisher: Option<String>,
    /// The JetStream stream's name.
    #[arg(long, value_name = "NAME", default_value = init::DEFAULT_STREAM)]
    pub stream: String,
}

pub fn run(registries: &[PathBuf], args: Args, out: &mut dyn Write) -> CommandResult {
    let path = match registries {
        [] => PathBuf::from(init::REGISTRY_FILE),
        [one] => one.clone(),
        _ => return Err(Failure::usage("`handoff init` writes one registry")),
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let publisher = match args.publisher {
        Some(p) => p,
        None => {
            let abs = std::path::absolute(&folder).unwrap_or_else(|_| folder.clone());
            init::publisher_from_folder(&normalised(&abs))
        }
    };
    let opts = Options {
        prefix: args.prefix,
        publisher,
        stream: args.stream,
    };
    init::check(&opts).map_err(Failure::usage)?;
    let text = init::registry_text(&opts);
    std::fs::create_dir_all(&folder)
        .map_err(|e| Failure::tool(format!("cannot create {}: {e}", folder.display())))?;
    write_new(&path, &text)?;
    writeln!(
        out,
        "wrote {} (publisher `{}`, subjects under `{}.`)",
        path.display(),
        opts.publisher,
        opts.prefix
    )?;
    let mut made = Vec::new();
    for dir in init::output_folders(&text) {
        std::fs::create_dir_all(folder.join(&dir))
            .map_err(|e| Failure::tool(format!("cannot create {dir}/: {e}")))?;
        made.push(if folder == Path::new(".") {
            format!("{dir}/")
        } else {
            format!("{}/", folder.join(&dir).display())
        });
    }
    if !made.is_empty() {
        writeln!(out, "created {}", made.join(", "))?;
    }
    if let Some(above) = registry_above(&folder) {
        writeln!(
            out,
            "note: {} is a registry too; commands run in or below {} now use the new one",
            above.display(),
            folder.display()
        )?;
    }
    let flag = if path == Path::new(init::REGISTRY_FILE) {
        String::new()
    } else {
        format!(" --registry {}", path.display())
    };
    writeln!(out, "next:")?;
    writeln!(
        out,
        "  handoff{flag} generate      # docs, definition drafts, schemas and {}/",
        init::python_package(&opts.publisher)
    )?;
    writeln!(
        out,
        "  handoff{flag} validate      # the registry, definitions and generated files, as CI checks them"
    )?;
    writeln!(
        out,
        "  NATS_URL=nats://127.0.0.1:4222 handoff{flag} stream ensure   # create the stream {}",
        opts.stream
    )?;
    Ok(Exit::Clean)
}

/// A registry discovery would have found above `folder` before this one was written.
fn registry_above(folder: &Path) -> Option<PathBuf> {
    let abs = normalised(&std::path::absolute(folder).ok()?);
    if abs.join(".git").exists() {
        return None;
    }
    let parent = abs.parent()?;
    init::discover(parent)
        .ok()
        .map(|rel| normalised(&parent.join(rel)))
}

/// `a/./b/..` without `.` and `..`, so the last component is the folder's real name.
fn normalised(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Creates the registry, refusing an existing file (exit 2, nothing written).
fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Failure::usage(format!(
                "{} exists already; `handoff init` never overwrites a registry (remove it, or give --registry another path)",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Failure::tool(format!(
                "cannot create {}: {e}",
                path.display()
            )));
        }
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Failure::tool(format!("cannot write {}: {e}", path.display())))
}
