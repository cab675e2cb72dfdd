//! `handoff stream ensure|show`: the JetStream stream against the registry's `[stream]`.

use std::io::Write;
use std::path::Path;

use async_nats::jetstream::stream::{ClusterInfo, Config as StreamConfig};
use clap::{Args as ClapArgs, Subcommand};
use tokio::runtime::Runtime;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::NatsArgs;
use handoff::nats::{self, shared::Outcome, stream::Ensured};
use handoff::registry::{Registry, pattern_within};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the stream if missing; report differences from the registry if it exists.
    Ensure(EnsureArgs),
    /// Print the live stream configuration beside the registry's.
    Show(ShowArgs),
}

#[derive(Debug, ClapArgs)]
pub struct EnsureArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Update an existing stream to the registry's configuration.
    #[arg(long)]
    pub update: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ShowArgs {
    #[command(flatten)]
    pub nats: NatsArgs,
}

pub fn run(
    registry: &Path,
    args: Command,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let reg = crate::options::require_registry(registry, err)?;
    let wanted = nats::stream::config(&reg.stream);
    let rt = nats::runtime().map_err(Failure::tool)?;
    match args {
        Command::Ensure(a) => ensure(&reg, &wanted, &rt, &a, out),
        Command::Show(a) => show(&wanted, &rt, &a, out),
    }
}

/// `stream ensure`: create the stream, or compare (and with `--update` update) the live one.
fn ensure(
    reg: &Registry,
    wanted: &StreamConfig,
    rt: &Runtime,
    a: &EnsureArgs,
    out: &mut dyn Write,
) -> CommandResult {
    let conn = crate::options::connection(&a.nats)?;
    let shown = conn.display();
    let outcome = rt
        .block_on(async {
            let client = nats::connect(&conn, None).await?;
            let js = nats::jetstream(client, conn.timeout);
            nats::shared::ensure(&js, wanted, a.update).await
        })
        .map_err(Failure::tool)?;
    match outcome {
        Outcome::Own(e) => Ok(ensured(reg, &wanted.name, &shown, e, out)),
        Outcome::Shared {
            live_subjects,
            fields,
            updated,
        } => Ok(shared(reg, &shown, &live_subjects, &fields, updated, out)),
        Outcome::Conflict {
            other,
            other_subjects,
        } => Err(conflict(reg, &wanted.name, &shown, &other, &other_subjects)),
    }
}

/// Another stream already captures the registry's subjects.
fn conflict(
    reg: &Registry,
    name: &str,
    shown: &str,
    other: &str,
    other_subjects: &[String],
) -> Failure {
    Failure {
        exit: Exit::Problems,
        message: format!(
            "stream {name} (subjects {}) cannot be created on {shown}: stream {other} there already captures {}, and JetStream lets no two streams share subjects. To publish into the shared stream, set `[stream] name = \"{other}\"` and `subjects = [{}]` in the registry; otherwise choose a filter that does not overlap {}",
            reg.stream.subjects.join(", "),
            other_subjects.join(", "),
            other_subjects
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", "),
            other_subjects.join(", ")
        ),
    }
}

/// The registry's own stream: created, matching, or differing (and perhaps updated).
fn ensured(reg: &Registry, name: &str, shown: &str, outcome: Ensured, out: &mut dyn Write) -> Exit {
    match outcome {
        Ensured::Created => {
            let _ = writeln!(
                out,
                "created stream {name} on {shown} (subjects {}, retention {}, storage {}, max_age {}, duplicate_window {}, replicas {})",
                reg.stream.subjects.join(", "),
                reg.stream.retention,
                reg.stream.storage,
                reg.stream.max_age.text,
                reg.stream.duplicate_window.text,
                reg.stream.replicas
            );
            Exit::Clean
        }
        Ensured::Matches => {
            let _ = writeln!(out, "stream {name} on {shown} matches the registry");
            shared_note(reg, out);
            Exit::Clean
        }
        Ensured::Differs { fields, updated } => {
            let _ = writeln!(
                out,
                "stream {name} on {shown} differs from the registry in {} field{}:",
                fields.len(),
                if fields.len() == 1 { "" } else { "s" }
            );
            for f in &fields {
                let _ = writeln!(
                    out,
                    "  {}: live {}, registry {}",
                    f.name, f.live, f.registry
                );
            }
            if updated {
                let _ = writeln!(out, "updated stream {name} to the registry's configuration");
                Exit::Clean
            } else {
                let _ = writeln!(
                    out,
                    "nothing changed: run `handoff stream ensure --update` to apply the registry's configuration"
                );
                Exit::Problems
            }
        }
    }
}

/// `stream show`: the live configuration beside the registry's, the state and the cluster.
fn show(wanted: &StreamConfig, rt: &Runtime, a: &ShowArgs, out: &mut dyn Write) -> CommandResult {
    let conn = crate::options::connection(&a.nats)?;
    let shown = conn.display();
    let info = rt
        .block_on(async {
            let client = nats::connect(&conn, None).await?;
            let js = nats::jetstream(client, conn.timeout);
            nats::stream::info(&js, &wanted.name).await
        })
        .map_err(Failure::tool)?;
    let name = &wanted.name;
    let Some(info) = info else {
        let _ = writeln!(
            out,
            "stream {name} does not exist on {shown} (run `handoff stream ensure`)"
        );
        let _ = writeln!(out, "registry:");
        for f in nats::stream::compare(wanted, wanted) {
            let _ = writeln!(out, "  {:<17} {}", f.name, f.registry);
        }
        return Ok(Exit::Problems);
    };
    let fields = nats::stream::compare(&info.config, wanted);
    let _ = writeln!(out, "stream {name} on {shown}");
    field_table(&fields, out);
    let s = &info.state;
    let _ = writeln!(
        out,
        "  messages: {} ({} bytes), sequences {}..{}, consumers: {}",
        s.messages, s.bytes, s.first_sequence, s.last_sequence, s.consumer_count
    );
    if let Some(c) = &info.cluster {
        cluster_line(c, out);
    }
    Ok(Exit::Clean)
}

/// The fields, live beside registry, the differing ones marked.
fn field_table(fields: &[nats::stream::Field], out: &mut dyn Write) {
    let w = fields
        .iter()
        .map(|f| f.live.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(out, "  {:<17} {:<w$}  registry", "field", "live");
    for f in fields {
        let mark = if f.differs() { "  (differs)" } else { "" };
        let _ = writeln!(out, "  {:<17} {:<w$}  {}{mark}", f.name, f.live, f.registry);
    }
}

/// The cluster's leader and replicas, when it has a leader.
fn cluster_line(c: &ClusterInfo, out: &mut dyn Write) {
    let Some(leader) = &c.leader else {
        return;
    };
    let peers: Vec<String> = c
        .replicas
        .iter()
        .map(|p| {
            let state = if p.offline {
                "offline"
            } else if p.current {
                "current"
            } else {
                "catching up"
            };
            format!("{} ({state})", p.name)
        })
        .collect();
    let _ = writeln!(
        out,
        "  cluster {}: leader {leader}{}{}",
        c.name.as_deref().unwrap_or("-"),
        if peers.is_empty() { "" } else { ", replicas " },
        peers.join(", ")
    );
}

/// The live stream of the registry's name is wider than the registry's filter: shared with
/// other publishers. Its filter is never narrowed; the other fields are compared.
fn shared(
    reg: &Registry,
    shown: &str,
    live_subjects: &[String],
    fields: &[nats::stream::Field],
    updated: bool,
    out: &mut dyn Write,
) -> Exit {
    let name = &reg.stream.name;
    let _ = writeln!(
        out,
        "stream {name} on {shown} is a shared stream: its filter {} covers this registry's {} (prefix {}); using it as this registry's stream, its filter left as it is",
        live_subjects.join(", "),
        reg.stream.subjects.join(", "),
        reg.subject_prefix
    );
    if fields.is_empty() {
        let _ = writeln!(out, "its other fields match the registry");
        return Exit::Clean;
    }
    let _ = writeln!(
        out,
        "it differs from the registry in {} field{}:",
        fields.len(),
        if fields.len() == 1 { "" } else { "s" }
    );
    for f in fields {
        let _ = writeln!(
            out,
            "  {}: live {}, registry {}",
            f.name, f.live, f.registry
        );
    }
    if updated {
        let _ = writeln!(
            out,
            "updated stream {name}'s other fields to the registry's configuration"
        );
        Exit::Clean
    } else {
        let _ = writeln!(
            out,
            "nothing changed: run `handoff stream ensure --update` to apply them (the filter stays)"
        );
        Exit::Problems
    }
}

/// When the registry's own filter reaches beyond its prefix, the stream is one other
/// publishers can share: say so.
fn shared_note(reg: &Registry, out: &mut dyn Write) {
    let own = format!("{}.>", reg.subject_prefix);
    if reg.stream.subjects.iter().any(|f| !pattern_within(f, &own)) {
        let _ = writeln!(
            out,
            "note: its filter {} also captures subjects outside this registry's prefix {}: other publishers can share it",
            reg.stream.subjects.join(", "),
            reg.subject_prefix
        );
    }
}
