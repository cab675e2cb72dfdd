//! The envelope and stream rules: envelope version and publisher; stream name, filter (narrowed
//! or widened, judged by the old registry's subjects and by filter containment), retention,
//! storage, `max_age` and the duplicate window.

use crate::registry::{Registry, pattern_within};

use super::{Change, Location, Rule, Target, key_offset};

pub fn compare(old: &Registry, new: &Registry) -> Vec<Change> {
    let mut out = Vec::new();
    envelope(old, new, &mut out);
    stream_name(old, new, &mut out);
    filter(old, new, &mut out);
    retention_and_storage(old, new, &mut out);
    max_age(old, new, &mut out);
    duplicate_window(old, new, &mut out);
    out
}

/// Where `key` of the `header` table is in the new registry.
fn location(new: &Registry, header: &str, key: &str) -> Location {
    Location::at(&new.file, key_offset(&new.file.text, header, key))
}

/// The envelope's version and publisher.
fn envelope(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (oe, ne) = (&old.envelope, &new.envelope);
    if oe.version != ne.version {
        out.push(
            Change::new(
                Rule::EnvelopeVersionChanged,
                format!(
                    "the envelope version changed from `{}` to `{}`",
                    oe.version, ne.version
                ),
                at("[envelope]", "version"),
                Target::AllSubjects,
            )
            .with_help("consumers that check `event.version` stop matching; publish both versions during a transition, or keep the envelope version"),
        );
    }
    if oe.publisher != ne.publisher {
        out.push(
            Change::new(
                Rule::EnvelopePublisherChanged,
                format!(
                    "the envelope publisher changed from `{}` to `{}`",
                    oe.publisher, ne.publisher
                ),
                at("[envelope]", "publisher"),
                Target::AllSubjects,
            )
            .with_help("rules and consumers filtering on `event.publisher` stop matching"),
        );
    }
}

/// The stream's name.
fn stream_name(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (os, ns) = (&old.stream, &new.stream);
    if os.name != ns.name {
        out.push(
            Change::new(
                Rule::StreamRenamed,
                format!("the stream was renamed from `{}` to `{}`", os.name, ns.name),
                at("[stream]", "name"),
                Target::AllSubjects,
            )
            .with_help("consumers bind to the stream by name; create the new stream beside the old one and move consumers before the publishers switch"),
        );
    }
}

/// The stream's filter, narrowed (judged by the old registry's subjects too) or widened.
fn filter(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (os, ns) = (&old.stream, &new.stream);
    let covered = |filters: &[String], p: &str| filters.iter().any(|f| pattern_within(p, f));
    // A subject the old stream captured (old filters and old registry subjects) that the new
    // filters lose.
    let mut lost: Vec<String> = old
        .subjects
        .iter()
        .map(|s| s.subject.value.clone())
        .filter(|s| covered(&os.subjects, s) && !covered(&ns.subjects, s))
        .collect();
    let narrowed_filter = os.subjects.iter().any(|f| !covered(&ns.subjects, f));
    if narrowed_filter || !lost.is_empty() {
        lost.sort();
        out.push(
            Change::new(
                Rule::StreamFilterNarrowed,
                format!(
                    "the stream's filter changed from {:?} to {:?}{}",
                    os.subjects,
                    ns.subjects,
                    if lost.is_empty() {
                        String::new()
                    } else {
                        format!("; it no longer captures {}", lost.join(", "))
                    }
                ),
                at("[stream]", "subjects"),
                Target::Subjects { subjects: lost },
            )
            .with_help("other publishers sharing the stream, and events already published on the lost subjects, depend on the old filter; widen filters, never narrow them"),
        );
    } else if ns.subjects.iter().any(|f| !covered(&os.subjects, f)) {
        out.push(Change::new(
            Rule::StreamFilterWidened,
            format!(
                "the stream's filter changed from {:?} to {:?}",
                os.subjects, ns.subjects
            ),
            at("[stream]", "subjects"),
            Target::AllSubjects,
        ));
    }
}

/// The stream's retention and storage.
fn retention_and_storage(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (os, ns) = (&old.stream, &new.stream);
    if os.retention != ns.retention {
        out.push(
            Change::new(
                Rule::StreamRetentionChanged,
                format!(
                    "the stream's retention changed from `{}` to `{}`",
                    os.retention, ns.retention
                ),
                at("[stream]", "retention"),
                Target::AllSubjects,
            )
            .with_help("JetStream cannot change a stream's retention in place, and consumers rely on how long messages stay; create a new stream instead"),
        );
    }
    if os.storage != ns.storage {
        out.push(Change::new(
            Rule::StreamStorageChanged,
            format!(
                "the stream's storage changed from `{}` to `{}`",
                os.storage, ns.storage
            ),
            at("[stream]", "storage"),
            Target::AllSubjects,
        ));
    }
}

/// The stream's `max_age` (0, unlimited, being the longest).
fn max_age(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (os, ns) = (&old.stream, &new.stream);
    let age = |s: u64| if s == 0 { u64::MAX } else { s };
    let (oa, na) = (age(os.max_age.seconds), age(ns.max_age.seconds));
    if na < oa {
        out.push(
            Change::new(
                Rule::StreamMaxAgeShortened,
                format!(
                    "the stream keeps messages for `{}` instead of `{}`",
                    ns.max_age.text, os.max_age.text
                ),
                at("[stream]", "max_age"),
                Target::AllSubjects,
            )
            .with_help("a consumer down for longer than the new `max_age` loses events; make sure none relies on the old one"),
        );
    } else if na > oa {
        out.push(Change::new(
            Rule::StreamMaxAgeLengthened,
            format!(
                "the stream keeps messages for `{}` instead of `{}`",
                ns.max_age.text, os.max_age.text
            ),
            at("[stream]", "max_age"),
            Target::AllSubjects,
        ));
    }
}

/// The stream's duplicate window.
fn duplicate_window(old: &Registry, new: &Registry, out: &mut Vec<Change>) {
    let at = |header: &str, key: &str| location(new, header, key);
    let (os, ns) = (&old.stream, &new.stream);
    if os.duplicate_window.seconds != ns.duplicate_window.seconds {
        out.push(
            Change::new(
                Rule::StreamDuplicateWindowChanged,
                format!(
                    "the stream's duplicate window changed from `{}` to `{}`",
                    os.duplicate_window.text, ns.duplicate_window.text
                ),
                at("[stream]", "duplicate_window"),
                Target::AllSubjects,
            )
            .with_help("publishers' retry and idempotency guarantees rest on the window (a retry after it is stored twice); change it together with the publishers' retry policy"),
        );
    }
}
