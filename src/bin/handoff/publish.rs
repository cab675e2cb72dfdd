//! `handoff publish SUBJECT --attr KEY=VALUE …`: one event, built and checked exactly as the
//! Python stubs build it, published with a JetStream ack and `Nats-Msg-Id` = the envelope id.

use handoff::codes::Code;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::exit::{CommandResult, Exit, Failure};
use crate::options::{NatsArgs, connection};
use handoff::diagnostic::Diagnostic;
use handoff::envelope::{self, BuildError, Problem};
use handoff::nats;
use handoff::report::{self, Format};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The subject, a registered one: `<subject_prefix>.<entity>.<event>`.
    pub subject: String,
    /// An attribute, KEY=VALUE (repeatable); the value is parsed by the attribute's type.
    #[arg(long = "attr", value_name = "KEY=VALUE")]
    pub attrs: Vec<String>,
    /// The envelope id (default: a new UUID v4).
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub nats: NatsArgs,
}

/// How long to wait for each JetStream ack before retrying with the same id.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

pub fn run(registry: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> CommandResult {
    let reg = crate::options::require_registry(registry, err)?;
    let conn = connection(&args.nats)?;
    let env = match envelope::build(
        &reg,
        &args.subject,
        &args.attrs,
        args.id.as_deref(),
        handoff::clock::now(),
    ) {
        Ok(env) => env,
        Err(errors) => {
            let diags: Vec<Diagnostic> = errors
                .iter()
                .map(|e| diagnostic(&reg, &args.subject, e))
                .collect();
            let _ = write!(err, "{}", report::render(Format::Human, &diags, 1));
            let _ = writeln!(err, "handoff: nothing was published");
            return Ok(Exit::Problems);
        }
    };
    let id = env["id"].as_str().unwrap_or_default().to_string();
    let payload = serde_json::to_vec(&env).map_err(|e| Failure::tool(e.to_string()))?;
    let stream = nats::stream::config(&reg.stream);
    let rt = nats::runtime().map_err(Failure::tool)?;
    let published = rt
        .block_on(async {
            // The connect timeout bounds the whole wait for the server, connecting included.
            let started = std::time::Instant::now();
            let client = nats::connect(&conn, None).await?;
            // The context's timeout also bounds each awaited ack: at least ACK_TIMEOUT.
            let js = nats::jetstream(client.clone(), ACK_TIMEOUT.max(conn.timeout));
            let p = nats::publish::publish(
                &js,
                &args.subject,
                &id,
                payload,
                &stream,
                ACK_TIMEOUT,
                conn.timeout.saturating_sub(started.elapsed()),
            )
            .await;
            let _ = client.flush().await;
            p
        })
        .map_err(Failure::tool)?;
    if published.created_stream {
        let _ = writeln!(
            err,
            "handoff: stream {} was missing; created it from the registry",
            published.stream
        );
    }
    if published.attempts > 1 {
        let _ = writeln!(
            err,
            "handoff: the ack took {} attempts (same id, de-duplicated by the server)",
            published.attempts
        );
    }
    writeln!(
        out,
        "published {} id {} → stream {} sequence {}{}",
        args.subject,
        id,
        published.stream,
        published.sequence,
        if published.duplicate {
            " (duplicate: the stream already held this id; nothing was added)"
        } else {
            ""
        }
    )?;
    Ok(Exit::Clean)
}

fn diagnostic(reg: &handoff::registry::Registry, subject: &str, e: &BuildError) -> Diagnostic {
    let d = |code, message: String| Diagnostic::file_level(code, "<publish>", message);
    match e {
        BuildError::UnknownSubject { suggestion, .. } => {
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "registered subjects: {}",
                    reg.subjects
                        .iter()
                        .map(|s| s.subject.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            d(Code::PublishUnknownSubject, e.to_string()).with_help(help)
        }
        BuildError::BadArgument(_) | BuildError::RepeatedAttribute(_) => {
            d(Code::PublishArgument, e.to_string())
                .with_help("write each attribute as --attr KEY=VALUE, once")
        }
        BuildError::BadId(_) => d(Code::PublishArgument, e.to_string())
            .with_help("--id takes a UUID such as 5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91"),
        BuildError::Attribute(p) => {
            let s = reg.subject(subject);
            let declared = || {
                s.map(|s| {
                    s.attributes
                        .iter()
                        .map(|a| {
                            format!(
                                "{} ({}{})",
                                a.name,
                                a.ty.name(),
                                if a.required { ", required" } else { "" }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
            };
            match p {
                Problem::MissingAttribute(name) => {
                    let ex = s
                        .and_then(|s| s.attribute(name))
                        .map(|a| match &a.example {
                            serde_json::Value::String(v) => v.clone(),
                            v => v.to_string(),
                        })
                        .unwrap_or_default();
                    let arg = format!("{name}={ex}");
                    let arg = if arg.contains(' ') {
                        format!("'{arg}'")
                    } else {
                        arg
                    };
                    d(Code::PublishAttribute, p.to_string()).with_help(format!("add --attr {arg}"))
                }
                Problem::UnknownAttribute(_) => d(Code::PublishAttribute, p.to_string())
                    .with_help(format!("{subject} declares: {}", declared())),
                _ => d(Code::PublishAttribute, p.to_string()),
            }
        }
    }
}
