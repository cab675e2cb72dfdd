//! The JetStream stream the registry describes: its config, creating it when missing, and the
//! difference between the live stream and the registry.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use crate::registry;

/// The stream configuration the registry asks for (everything else: server defaults).
pub fn config(s: &registry::Stream) -> stream::Config {
    stream::Config {
        name: s.name.clone(),
        subjects: s.subjects.clone(),
        retention: match s.retention.as_str() {
            "interest" => stream::RetentionPolicy::Interest,
            "workqueue" => stream::RetentionPolicy::WorkQueue,
            _ => stream::RetentionPolicy::Limits,
        },
        storage: match s.storage.as_str() {
            "memory" => stream::StorageType::Memory,
            _ => stream::StorageType::File,
        },
        max_age: Duration::from_secs(s.max_age.seconds),
        duplicate_window: Duration::from_secs(s.duplicate_window.seconds),
        num_replicas: s.replicas,
        ..Default::default()
    }
}

pub fn retention_name(r: stream::RetentionPolicy) -> &'static str {
    match r {
        stream::RetentionPolicy::Limits => "limits",
        stream::RetentionPolicy::Interest => "interest",
        stream::RetentionPolicy::WorkQueue => "workqueue",
    }
}

pub fn storage_name(s: stream::StorageType) -> &'static str {
    match s {
        stream::StorageType::File => "file",
        stream::StorageType::Memory => "memory",
    }
}

/// One field compared: its name, the live value and the registry's, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub live: String,
    pub registry: String,
}

impl Field {
    pub fn differs(&self) -> bool {
        self.live != self.registry
    }
}

/// The compared fields (subjects, retention, storage, max_age, duplicate_window, replicas), in
/// that order.
pub fn compare(live: &stream::Config, wanted: &stream::Config) -> Vec<Field> {
    let subjects = |c: &stream::Config| {
        let mut s = c.subjects.clone();
        s.sort();
        s.join(", ")
    };
    vec![
        Field {
            name: "subjects",
            live: subjects(live),
            registry: subjects(wanted),
        },
        Field {
            name: "retention",
            live: retention_name(live.retention).into(),
            registry: retention_name(wanted.retention).into(),
        },
        Field {
            name: "storage",
            live: storage_name(live.storage).into(),
            registry: storage_name(wanted.storage).into(),
        },
        Field {
            name: "max_age",
            live: super::format_duration(live.max_age),
            registry: super::format_duration(wanted.max_age),
        },
        Field {
            name: "duplicate_window",
            live: super::format_duration(live.duplicate_window),
            registry: super::format_duration(wanted.duplicate_window),
        },
        Field {
            name: "replicas",
            // The server reports 0 for a stream created without the field: that is 1 copy.
            live: live.num_replicas.max(1).to_string(),
            registry: wanted.num_replicas.max(1).to_string(),
        },
    ]
}

/// What the server says about the stream.
#[derive(Debug)]
pub enum Live {
    /// No such stream: creating it is safe.
    Missing,
    Present(Box<stream::Info>),
    /// The stream exists but cannot be used now (the servers holding it are down, its replicas
    /// have no leader, or JetStream did not answer): never create over it. The reason, one line.
    Unavailable(String),
}

/// Asks for the stream's info (within the context's timeout) and tells a missing stream apart
/// from an unavailable one.
pub async fn lookup(js: &jetstream::Context, name: &str) -> Result<Live, String> {
    use jetstream::context::GetStreamErrorKind;
    let unavailable = |code: jetstream::ErrorCode| {
        code == jetstream::ErrorCode::STREAM_OFFLINE
            || code == jetstream::ErrorCode::CLUSTER_NOT_AVAILABLE
            || code == jetstream::ErrorCode::CLUSTER_NO_PEERS
            || code == jetstream::ErrorCode::CLUSTER_NOT_LEADER
            || code == jetstream::ErrorCode::CLUSTER_INCOMPLETE
    };
    // `get_stream` asks for the stream's info (STREAM.INFO) and keeps the answer.
    let got = match js.get_stream(name).await {
        Ok(s) => Ok(s.cached_info().clone()),
        Err(e) => match e.kind() {
            GetStreamErrorKind::JetStream(j)
                if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND =>
            {
                return Ok(Live::Missing);
            }
            GetStreamErrorKind::JetStream(j) if unavailable(j.error_code()) => {
                Err(Live::Unavailable(j.to_string()))
            }
            GetStreamErrorKind::Request => {
                Err(Live::Unavailable(format!("no answer from JetStream ({e})")))
            }
            _ => return Err(format!("cannot read stream {name}: {e}")),
        },
    };
    Ok(match got {
        Ok(info) => match &info.cluster {
            Some(c) if c.leader.is_none() && info.config.num_replicas > 1 => Live::Unavailable(
                "its replicas have no leader (too few of the servers holding it are up)".into(),
            ),
            _ => Live::Present(Box::new(info)),
        },
        Err(live) => live,
    })
}

/// The message for an unavailable stream.
pub fn unavailable(name: &str, reason: &str) -> String {
    format!(
        "stream {name} is unavailable: {reason} (it exists, but the servers holding it are down or have no leader)"
    )
}

/// The live stream's info, or `None` when it does not exist; an unavailable stream is an error.
pub async fn info(js: &jetstream::Context, name: &str) -> Result<Option<stream::Info>, String> {
    match lookup(js, name).await? {
        Live::Missing => Ok(None),
        Live::Present(i) => Ok(Some(*i)),
        Live::Unavailable(reason) => Err(unavailable(name, &reason)),
    }
}

/// Creates the stream; a stream created meanwhile by someone else is fine.
pub async fn create(js: &jetstream::Context, wanted: &stream::Config) -> Result<(), String> {
    match js.create_stream(wanted.clone()).await {
        Ok(_) => Ok(()),
        Err(e) => match lookup(js, &wanted.name).await {
            Ok(Live::Present(_)) => Ok(()),
            Ok(Live::Unavailable(reason)) => Err(unavailable(&wanted.name, &reason)),
            _ => Err(format!("cannot create stream {}: {e}", wanted.name)),
        },
    }
}

/// What `ensure` did.
#[derive(Debug)]
pub enum Ensured {
    Created,
    /// It exists and matches the registry.
    Matches,
    /// It exists and differs (the differing fields); `updated` when `--update` changed it.
    Differs {
        fields: Vec<Field>,
        updated: bool,
    },
}

/// Creates the stream when missing; otherwise compares it and (when `update`) changes it.
pub async fn ensure(
    js: &jetstream::Context,
    wanted: &stream::Config,
    update: bool,
) -> Result<Ensured, String> {
    let Some(live) = info(js, &wanted.name).await? else {
        create(js, wanted).await?;
        return Ok(Ensured::Created);
    };
    let fields: Vec<Field> = compare(&live.config, wanted)
        .into_iter()
        .filter(Field::differs)
        .collect();
    if fields.is_empty() {
        return Ok(Ensured::Matches);
    }
    if update {
        let mut config = live.config.clone();
        config.subjects = wanted.subjects.clone();
        config.retention = wanted.retention;
        config.storage = wanted.storage;
        config.max_age = wanted.max_age;
        config.duplicate_window = wanted.duplicate_window;
        config.num_replicas = wanted.num_replicas;
        js.update_stream(config)
            .await
            .map_err(|e| format!("cannot update stream {}: {e}", wanted.name))?;
    }
    Ok(Ensured::Differs {
        fields,
        updated: update,
    })
}
