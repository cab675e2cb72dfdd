//! `[stream]`: the JetStream stream the registry's subjects are published to.

use super::{Duration, Stream};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Fields, Node, SourceFile, Value, did_you_mean, wrong_type};

pub(super) fn stream(
    file: &SourceFile,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Stream> {
    let mut f = Fields::new(file, node, "`[stream]`", diags)?;
    let name = f.require_string("name", diags);
    if let Some(n) = &name
        && (n.is_empty() || n.contains(|c: char| c.is_whitespace() || ".*>/\\".contains(c)))
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                n.span.clone(),
                format!("`{}` is not a valid JetStream stream name", n.value),
            )
            .with_help("use letters, digits, `-` and `_` only, e.g. `ACTIVITY_EVENTS`"),
        );
    }
    let subjects = f.string_list("subjects", diags).unwrap_or_default();
    if subjects.is_empty() && f.get("subjects").is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "`[stream]` is missing the required field `subjects`",
            )
            .with_help("add `subjects = [\"org.>\"]`"),
        );
    }
    let retention = choice(
        &mut f,
        "retention",
        &["limits", "interest", "workqueue"],
        "limits",
        diags,
    );
    let storage = choice(&mut f, "storage", &["file", "memory"], "file", diags);
    let max_age = duration(&mut f, "max_age", "0", diags);
    let duplicate_window = duration(&mut f, "duplicate_window", "2m", diags);
    let replicas = replicas(&mut f, diags);
    if max_age.seconds > 0 && duplicate_window.seconds > max_age.seconds {
        let span = f
            .get("duplicate_window")
            .map_or(node.span.clone(), |n| n.span.clone());
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                span,
                "the duplicate window cannot be longer than `max_age`",
            )
            .with_help("JetStream rejects such a stream; shorten `duplicate_window`"),
        );
    }
    f.finish(
        &[
            "name",
            "subjects",
            "retention",
            "storage",
            "max_age",
            "duplicate_window",
            "replicas",
        ],
        diags,
    );
    Some(Stream {
        name: name?.value,
        subjects: subjects.into_iter().map(|s| s.value).collect(),
        retention,
        storage,
        max_age,
        duplicate_window,
        replicas,
    })
}

/// `[stream] replicas`: an integer from 1 to 5 (JetStream's limit), default 1.
fn replicas(f: &mut Fields, diags: &mut Vec<Diagnostic>) -> usize {
    let Some(node) = f.get("replicas") else {
        return 1;
    };
    match node.value {
        Value::Int(n) if (1..=5).contains(&n) => n as usize,
        Value::Int(n) => {
            diags.push(
                f.file
                    .diagnostic(
                        Code::InvalidValue,
                        node.span.clone(),
                        format!("`replicas` is {n}; JetStream keeps 1 to 5 copies of a stream"),
                    )
                    .with_help("use 1 on a single server, 3 (or 5) on a JetStream cluster"),
            );
            1
        }
        ref other => {
            diags.push(wrong_type(f.file, node, "replicas", "an integer", other));
            1
        }
    }
}

fn choice(
    f: &mut Fields,
    name: &str,
    allowed: &[&str],
    default: &str,
    diags: &mut Vec<Diagnostic>,
) -> String {
    match f.string(name, diags) {
        None => default.to_string(),
        Some(v) if allowed.contains(&v.as_str()) => v.value,
        Some(v) => {
            let help = match did_you_mean(&v, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", allowed.join(", ")),
            };
            diags.push(
                f.file
                    .diagnostic(
                        Code::InvalidValue,
                        v.span.clone(),
                        format!("`{}` is not a valid `{name}`", v.value),
                    )
                    .with_help(help),
            );
            default.to_string()
        }
    }
}

fn duration(f: &mut Fields, name: &str, default: &str, diags: &mut Vec<Diagnostic>) -> Duration {
    let fallback = Duration {
        text: default.to_string(),
        seconds: parse_duration(default).unwrap_or(0),
    };
    let Some(v) = f.string(name, diags) else {
        return fallback;
    };
    let (message, help) = match crate::duration::parse(&v) {
        Ok(d) if d.subsec_nanos() == 0 => {
            return Duration {
                text: v.value,
                seconds: d.as_secs(),
            };
        }
        Ok(_) => (
            format!("`{}` is not a whole number of seconds", v.value),
            "the stream's durations are whole seconds: `90s`, `2m`, `1h30m`, `30d`, or `0` for unbounded",
        ),
        Err(_) => (
            format!("`{}` is not a duration", v.value),
            "write a number with a unit: `90s`, `2m`, `1h30m`, `30d`, or `0` for unbounded",
        ),
    };
    diags.push(
        f.file
            .diagnostic(Code::InvalidValue, v.span.clone(), message)
            .with_help(help),
    );
    fallback
}

/// A duration of the grammar in [`crate::duration`] in whole seconds: `30d`, `2m`, `1h30m`,
/// `90s` or `0`; `None` for anything else, including a fraction of a second.
pub fn parse_duration(text: &str) -> Option<u64> {
    crate::duration::parse(text)
        .ok()
        .filter(|d| d.subsec_nanos() == 0)
        .map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::load;

    #[test]
    fn stream_replicas_are_1_to_5() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/subjects.toml")).unwrap();
        let with = |value: &str| {
            let t = text.replacen(
                "duplicate_window = \"2m\"",
                &format!("duplicate_window = \"2m\"\nreplicas = {value}"),
                1,
            );
            let line = t
                .lines()
                .position(|l| l.starts_with("replicas = "))
                .unwrap()
                + 1;
            let (reg, diags) = load(SourceFile::new("subjects.toml", t));
            (reg, diags, line)
        };
        let (reg, diags, _) = with("3");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(reg.unwrap().stream.replicas, 3);
        let (reg, _) = load(SourceFile::new("subjects.toml", text.clone()));
        assert_eq!(reg.unwrap().stream.replicas, 1);
        for (value, code, message) in [
            (
                "0",
                Code::InvalidValue,
                "`replicas` is 0; JetStream keeps 1 to 5 copies",
            ),
            ("6", Code::InvalidValue, "`replicas` is 6"),
            ("-1", Code::InvalidValue, "`replicas` is -1"),
            (
                "\"3\"",
                Code::WrongType,
                "`replicas` must be an integer, found a string",
            ),
            ("2.5", Code::WrongType, "`replicas` must be an integer"),
        ] {
            let (reg, diags, line) = with(value);
            assert!(reg.is_none(), "{value}");
            assert_eq!(diags.len(), 1, "{value}: {diags:?}");
            let d = &diags[0];
            assert_eq!(d.code, code, "{value}");
            assert!(d.message.contains(message), "{value}: {}", d.message);
            assert_eq!((d.line, d.column), (line, 12), "{value}");
        }
    }
}
