//! One stream, several publishers: the protocol's `ACTIVITY_EVENTS` on `org.>` is shared by
//! every service that publishes lifecycle events, each under its own prefix. `ensure` wraps
//! [`super::stream::ensure`] so that a second service's `stream ensure`
//!
//! - recognises the live stream of the same name whose filter covers the registry's filters as
//!   its stream (and never narrows it, even with `--update`), and says so;
//! - before creating a missing stream, finds a stream of another name whose filter overlaps the
//!   registry's (which the server would refuse with a bare overlap error) and names both.

use async_nats::jetstream::{self, stream};
use futures::StreamExt;

use super::stream::{Ensured, Field, compare, info};
use crate::registry::pattern_within;

/// What `ensure` found or did.
#[derive(Debug)]
pub enum Outcome {
    /// The registry's stream, as [`super::stream::ensure`] reports it.
    Own(Ensured),
    /// The live stream of the registry's name has a wider filter that covers the registry's:
    /// it is shared with other publishers. `fields` are the other fields that differ (updated
    /// when `updated`); the filter is left as it is.
    Shared {
        live_subjects: Vec<String>,
        fields: Vec<Field>,
        updated: bool,
    },
    /// The registry's stream does not exist, and another stream's filter overlaps its filter:
    /// creating it would fail.
    Conflict {
        other: String,
        other_subjects: Vec<String>,
    },
}

/// Whether some subject matches both NATS patterns.
pub fn patterns_overlap(a: &str, b: &str) -> bool {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (Some(">"), Some(_)) | (Some(_), Some(">")) => return true,
            (Some("*"), Some(_)) | (Some(_), Some("*")) => {}
            (Some(p), Some(q)) if p == q => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Whether every filter of `inner` lies inside one of `outer`.
fn covers(outer: &[String], inner: &[String]) -> bool {
    inner
        .iter()
        .all(|i| outer.iter().any(|o| pattern_within(i, o)))
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Creates, recognises or compares the registry's stream (see the module docs).
pub async fn ensure(
    js: &jetstream::Context,
    wanted: &stream::Config,
    update: bool,
) -> Result<Outcome, String> {
    match info(js, &wanted.name).await? {
        Some(live)
            if sorted(&live.config.subjects) != sorted(&wanted.subjects)
                && covers(&live.config.subjects, &wanted.subjects) =>
        {
            let fields: Vec<Field> = compare(&live.config, wanted)
                .into_iter()
                .filter(|f| f.name != "subjects" && f.differs())
                .collect();
            if update && !fields.is_empty() {
                let mut config = live.config.clone();
                config.retention = wanted.retention;
                config.storage = wanted.storage;
                config.max_age = wanted.max_age;
                config.duplicate_window = wanted.duplicate_window;
                js.update_stream(config)
                    .await
                    .map_err(|e| format!("cannot update stream {}: {e}", wanted.name))?;
            }
            Ok(Outcome::Shared {
                live_subjects: live.config.subjects.clone(),
                updated: update && !fields.is_empty(),
                fields,
            })
        }
        Some(_) => super::stream::ensure(js, wanted, update)
            .await
            .map(Outcome::Own),
        None => match overlapping(js, wanted).await? {
            Some((other, other_subjects)) => Ok(Outcome::Conflict {
                other,
                other_subjects,
            }),
            None => super::stream::ensure(js, wanted, update)
                .await
                .map(Outcome::Own),
        },
    }
}

/// Another stream (its name and filter) whose filter overlaps `wanted`'s: creating `wanted`
/// would fail, as JetStream lets no two streams share subjects.
pub async fn overlapping(
    js: &jetstream::Context,
    wanted: &stream::Config,
) -> Result<Option<(String, Vec<String>)>, String> {
    let mut streams = js.streams();
    while let Some(s) = streams.next().await {
        let s = s.map_err(|e| format!("cannot list streams: {e}"))?;
        let overlaps = s
            .config
            .subjects
            .iter()
            .any(|o| wanted.subjects.iter().any(|w| patterns_overlap(o, w)));
        if overlaps && s.config.name != wanted.name {
            return Ok(Some((s.config.name.clone(), s.config.subjects.clone())));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_follows_nats_wildcards() {
        assert!(patterns_overlap("org.>", "org.billing.>"));
        assert!(patterns_overlap("org.billing.>", "org.>"));
        assert!(patterns_overlap("org.*.x", "org.billing.>"));
        assert!(patterns_overlap(
            "org.billing.invoice.paid",
            "org.*.invoice.*"
        ));
        assert!(!patterns_overlap("org.inventory.>", "org.billing.>"));
        assert!(!patterns_overlap("org.a", "org.a.b"));
        assert!(!patterns_overlap("com.>", "org.>"));
    }
}
