//! The version policy: the registry's `version` grows with its changes (a major bump for
//! breaking changes, at least a minor bump for additions and deprecations), a new subject's
//! `since` is the new version, and nothing is removed that was not deprecated first.
//! Each violation makes `handoff diff` exit 1.

use serde::Serialize;

use crate::registry::Registry;

use super::{Change, Class, Location, Rule, Target};

macro_rules! policies {
    ($($variant:ident = $id:literal, $summary:literal;)*) => {
        /// A policy rule: each violation makes `handoff diff` exit 1 (docs/breaking.md has its
        /// section).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Policy {
            $($variant,)*
        }

        impl Policy {
            /// Every policy rule, sorted by id.
            pub const ALL: &[Policy] = &[$(Policy::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $(Policy::$variant => $id,)*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Policy::$variant => $summary,)*
                }
            }
        }
    };
}

policies! {
    DeprecatedVersionMismatch = "deprecated-version-mismatch", "A subject or attribute deprecated in this change whose `deprecated` is not the new registry version.";
    MajorBumpRequired = "major-bump-required", "A breaking change without a major version bump.";
    MinorBumpRequired = "minor-bump-required", "An addition or deprecation without a minor (or major) version bump.";
    RemovedWithoutDeprecation = "removed-without-deprecation", "A subject or attribute removed (or renamed) that the old registry did not mark `deprecated`.";
    SinceMismatch = "since-mismatch", "A new subject whose `since` is not the new registry version.";
    VersionDecreased = "version-decreased", "The registry version went down.";
    VersionUnparsable = "version-unparsable", "A registry version that is not numbers separated by dots (`1.0`, `2.1.3`).";
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One policy violation.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: Policy,
    pub message: String,
    pub location: Location,
    pub help: String,
}

/// A version as numbers: `1.0` = [1, 0].
pub fn parse_version(v: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = v.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 3)
}

/// The bump from `old` to `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    Decreased,
    None,
    Patch,
    Minor,
    Major,
}

pub fn bump(old: &[u64], new: &[u64]) -> Bump {
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    for (i, kind) in [(0, Bump::Major), (1, Bump::Minor), (2, Bump::Patch)] {
        match at(new, i).cmp(&at(old, i)) {
            std::cmp::Ordering::Greater => return kind,
            std::cmp::Ordering::Less => return Bump::Decreased,
            std::cmp::Ordering::Equal => {}
        }
    }
    Bump::None
}

/// `1.4` → `2.0`; `1.4` → `1.5` (keeping the number of parts).
fn next(old: &[u64], major: bool) -> String {
    let mut v: Vec<u64> = old.to_vec();
    while v.len() < 2 {
        v.push(0);
    }
    if major {
        v[0] += 1;
        for x in v.iter_mut().skip(1) {
            *x = 0;
        }
    } else {
        v[1] += 1;
        for x in v.iter_mut().skip(2) {
            *x = 0;
        }
    }
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

pub fn check(old: &Registry, new: &Registry, changes: &[Change]) -> Vec<Violation> {
    let version_at = top_level_version(new);
    let (Some(ov), Some(nv)) = (parse_version(&old.version), parse_version(&new.version)) else {
        return vec![unparsable(old, new, version_at)];
    };
    let mut out = Vec::new();
    out.extend(bump_violation(old, new, &ov, &nv, changes, version_at));
    out.extend(since_violations(old, new));
    for c in changes {
        out.extend(deprecated_version_violation(new, c));
        out.extend(removed_violation(old, c));
    }
    out
}

/// The version that does not parse (the old one first).
fn unparsable(old: &Registry, new: &Registry, version_at: Location) -> Violation {
    let bad = if parse_version(&old.version).is_none() {
        &old.version
    } else {
        &new.version
    };
    Violation {
        rule: Policy::VersionUnparsable,
        message: format!("registry version `{bad}` is not of the form MAJOR.MINOR[.PATCH]"),
        location: version_at,
        help: "write the version as numbers separated by dots, e.g. `1.0`".into(),
    }
}

/// A version that went down, or a bump too small for the changes (at most one).
fn bump_violation(
    old: &Registry,
    new: &Registry,
    ov: &[u64],
    nv: &[u64],
    changes: &[Change],
    version_at: Location,
) -> Option<Violation> {
    let b = bump(ov, nv);
    let breaking: Vec<&Change> = changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .collect();
    let additive: Vec<&Change> = changes
        .iter()
        .filter(|c| c.class == Class::NonBreaking)
        .collect();
    let list = |cs: &[&Change]| {
        let ids: std::collections::BTreeSet<&str> = cs.iter().map(|c| c.rule.id()).collect();
        ids.into_iter().collect::<Vec<_>>().join(", ")
    };
    if b == Bump::Decreased {
        Some(Violation {
            rule: Policy::VersionDecreased,
            message: format!(
                "the registry version went down from `{}` to `{}`",
                old.version, new.version
            ),
            location: version_at,
            help: format!(
                "versions only grow: use `{}` or higher",
                next(ov, !breaking.is_empty())
            ),
        })
    } else if !breaking.is_empty() && b < Bump::Major {
        Some(Violation {
            rule: Policy::MajorBumpRequired,
            message: format!(
                "{} breaking change{} ({}) but the version went from `{}` to `{}`",
                breaking.len(),
                if breaking.len() == 1 { "" } else { "s" },
                list(&breaking),
                old.version,
                new.version
            ),
            location: version_at,
            help: format!(
                "set `version = \"{}\"`, or make the change compatibly (see docs/breaking.md)",
                next(ov, true)
            ),
        })
    } else if !additive.is_empty() && b < Bump::Minor {
        Some(Violation {
            rule: Policy::MinorBumpRequired,
            message: format!(
                "{} addition{} ({}) but the version went from `{}` to `{}`",
                additive.len(),
                if additive.len() == 1 { "" } else { "s" },
                list(&additive),
                old.version,
                new.version
            ),
            location: version_at,
            help: format!("set `version = \"{}\"`", next(ov, false)),
        })
    } else {
        None
    }
}

/// New subjects whose `since` is not the new registry version.
fn since_violations(old: &Registry, new: &Registry) -> Vec<Violation> {
    let mut out = Vec::new();
    for s in new.subjects.iter() {
        if old.subject(&s.subject).is_none() && s.since != new.version {
            out.push(Violation {
                rule: Policy::SinceMismatch,
                message: format!(
                    "new subject `{}` says `since = \"{}\"`, but the registry version is `{}`",
                    s.subject.value, s.since, new.version
                ),
                location: Location::at(&new.file, s.subject.span.start),
                help: format!("set `since = \"{}\"`", new.version),
            });
        }
    }
    out
}

/// A deprecation in this change whose `deprecated` is not the new registry version.
fn deprecated_version_violation(new: &Registry, c: &Change) -> Option<Violation> {
    let deprecated = match (c.rule, &c.target) {
        (Rule::SubjectDeprecated, Target::Subject { subject }) => new
            .subject(subject)
            .and_then(|s| s.deprecated.as_ref())
            .map(|d| (format!("subject `{subject}`"), d)),
        (Rule::AttributeDeprecated, Target::Attribute { subject, attribute }) => new
            .subject(subject)
            .and_then(|s| s.attribute(attribute))
            .and_then(|a| a.deprecated.as_ref())
            .map(|d| (format!("attribute `{attribute}` of `{subject}`"), d)),
        _ => None,
    };
    let (what, d) = deprecated?;
    (d.version != new.version).then(|| Violation {
        rule: Policy::DeprecatedVersionMismatch,
        message: format!(
            "{what} is deprecated in this change with `deprecated = \"{}\"`, but the registry version is `{}`",
            d.version, new.version
        ),
        location: c.location.clone(),
        help: format!("set `deprecated = \"{}\"`", new.version),
    })
}

/// A removal (or rename) of something the old registry did not mark `deprecated`.
fn removed_violation(old: &Registry, c: &Change) -> Option<Violation> {
    let removed = match (c.rule, &c.target) {
        (Rule::SubjectRemoved | Rule::SubjectRenamed, Target::Subject { subject }) => old
            .subject(subject)
            .filter(|s| s.deprecated.is_none())
            .map(|_| format!("subject `{subject}`")),
        (Rule::AttributeRemoved, Target::Attribute { subject, attribute }) => old
            .subject(subject)
            .and_then(|s| s.attribute(attribute))
            .filter(|a| a.deprecated.is_none())
            .map(|_| format!("attribute `{attribute}` of `{subject}`")),
        _ => None,
    };
    removed.map(|what| Violation {
        rule: Policy::RemovedWithoutDeprecation,
        message: format!("{what} was removed without being deprecated first"),
        location: c.location.clone(),
        help: "restore it with `deprecated = \"<version>\"`, `deprecated_reason` and `replaced_by`, release that, and remove it in a later major version".into(),
    })
}

/// The top-level `version = ` line of the registry.
fn top_level_version(reg: &Registry) -> Location {
    let text = &reg.file.text;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            break;
        }
        if line.trim_start().starts_with("version") && line.contains('=') {
            return Location::at(&reg.file, offset);
        }
        offset += line.len();
    }
    Location::at(&reg.file, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps() {
        let v = |s: &str| parse_version(s).unwrap();
        assert_eq!(bump(&v("1.0"), &v("2.0")), Bump::Major);
        assert_eq!(bump(&v("1.0"), &v("1.1")), Bump::Minor);
        assert_eq!(bump(&v("1.0"), &v("1.0.1")), Bump::Patch);
        assert_eq!(bump(&v("1.0"), &v("1")), Bump::None);
        assert_eq!(bump(&v("1.2"), &v("1.1")), Bump::Decreased);
        assert_eq!(next(&v("1.4"), true), "2.0");
        assert_eq!(next(&v("1.4"), false), "1.5");
        assert_eq!(next(&v("1.4.2"), false), "1.5.0");
        assert!(parse_version("v1").is_none());
        assert!(parse_version("1..0").is_none());
    }
}
