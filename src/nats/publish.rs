//! Publishing one envelope with a JetStream ack, de-duplicated by `Nats-Msg-Id`.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, context::PublishErrorKind, stream};

/// What the server said.
#[derive(Debug, Clone)]
pub struct Published {
    pub stream: String,
    pub sequence: u64,
    /// The server already held this id (within the duplicate window): nothing was added.
    pub duplicate: bool,
    /// The stream was missing and was created first.
    pub created_stream: bool,
    /// How many attempts the ack took (1 unless it timed out).
    pub attempts: u32,
}

/// How many times an ack timeout is retried (with the same id, so the server de-duplicates).
pub const ATTEMPTS: u32 = 3;

/// Publishes `payload` on `subject` with `Nats-Msg-Id: id`. When no stream answers, asks the
/// server why: a stream that does not exist is created from `stream_config` (as the hub does on
/// first publish) and the publish repeated; a stream that exists but is unavailable (its servers
/// down, no leader) is never created over: the publish is repeated (same id) until `wait` has
/// passed, then it fails with the reason.
pub async fn publish(
    js: &jetstream::Context,
    subject: &str,
    id: &str,
    payload: Vec<u8>,
    stream_config: &stream::Config,
    ack_timeout: Duration,
    wait: Duration,
) -> Result<Published, String> {
    use super::stream::Live;
    let mut created_stream = false;
    let mut attempts = 0;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        attempts += 1;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        let sent = js
            .publish_with_headers(subject.to_string(), headers, payload.clone().into())
            .await;
        let ack = match sent {
            Ok(fut) => match tokio::time::timeout(ack_timeout, fut.into_future()).await {
                Ok(r) => r,
                Err(_) => Err(jetstream::context::PublishError::new(
                    PublishErrorKind::TimedOut,
                )),
            },
            Err(e) => Err(e),
        };
        match ack {
            Ok(ack) => {
                return Ok(Published {
                    stream: ack.stream,
                    sequence: ack.sequence,
                    duplicate: ack.duplicate,
                    created_stream,
                    attempts,
                });
            }
            Err(e) if e.kind() == PublishErrorKind::StreamNotFound => {
                attempts -= 1;
                // A lookup sent while the stream's leader is going away may never be answered:
                // ask again every 2 s (at most) until `wait` is over.
                let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
                let asked = tokio::time::timeout(
                    remaining.clamp(Duration::from_millis(100), Duration::from_secs(2)),
                    super::stream::lookup(js, &stream_config.name),
                )
                .await
                .unwrap_or_else(|_| Ok(Live::Unavailable("no answer from JetStream".into())));
                let reason = match asked? {
                    Live::Missing if !created_stream => {
                        // As `stream ensure` does: a stream of another name on an overlapping
                        // filter would make the creation fail with a bare server error.
                        if let Some((other, subjects)) =
                            super::shared::overlapping(js, stream_config).await?
                        {
                            return Err(format!(
                                "cannot publish {subject}: no stream captures it, and stream {} (subjects {}) cannot be created because stream {other} already captures {}; run `handoff stream ensure` for what to change; nothing was published",
                                stream_config.name,
                                stream_config.subjects.join(", "),
                                subjects.join(", ")
                            ));
                        }
                        super::stream::create(js, stream_config).await?;
                        created_stream = true;
                        continue;
                    }
                    Live::Missing => {
                        return Err(format!(
                            "cannot publish {subject}: stream {} disappeared after it was created",
                            stream_config.name
                        ));
                    }
                    Live::Present(_) => {
                        "it exists but did not answer the publish (a leader election?)".into()
                    }
                    Live::Unavailable(reason) => reason,
                };
                if tokio::time::Instant::now() >= deadline {
                    return Err(format!(
                        "cannot publish {subject}: {}; nothing was published",
                        super::stream::unavailable(&stream_config.name, &reason)
                    ));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) if e.kind() == PublishErrorKind::TimedOut && attempts < ATTEMPTS => {}
            Err(e) if e.kind() == PublishErrorKind::TimedOut => {
                return Err(format!(
                    "no ack for {subject} after {attempts} attempts ({}s each)",
                    ack_timeout.as_secs_f64()
                ));
            }
            Err(e) => return Err(format!("cannot publish {subject}: {e}")),
        }
    }
}
