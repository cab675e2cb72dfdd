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

/// Publishes `payload` on `subject` with `Nats-Msg-Id: id`. When no stream covers the subject,
/// creates `stream_config` first (as the hub does on first publish) and publishes again.
pub async fn publish(
    js: &jetstream::Context,
    subject: &str,
    id: &str,
    payload: Vec<u8>,
    stream_config: &stream::Config,
    ack_timeout: Duration,
) -> Result<Published, String> {
    let mut created_stream = false;
    let mut attempts = 0;
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
            Err(e) if e.kind() == PublishErrorKind::StreamNotFound && !created_stream => {
                super::stream::create(js, stream_config).await?;
                created_stream = true;
                attempts -= 1;
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
