//! The subject and attribute rules: removed, renamed (by similarity), added, deprecated;
//! attributes removed, added, retyped, made optional or required; enum values; trigger sites and
//! documentation.

use crate::registry::{AttrType, Attribute, Registry, Subject};
use crate::source::SourceFile;

use super::{Change, Location, Rule, Target};

/// Where subject `s` is in `file`.
fn subject_at(file: &SourceFile, s: &Subject) -> Location {
    Location::at(file, s.subject.span.start)
}

/// Where attribute `name` of `s` is: its `[subjects.attributes.NAME]` header after the subject,
/// or the subject itself.
fn attribute_at(file: &SourceFile, s: &Subject, name: &str) -> Location {
    let from = s.subject.span.start.min(file.text.len());
    let rest = &file.text[from..];
    let next_subject = rest.find("[[subjects]]").unwrap_or(rest.len());
    let needle = format!("attributes.{name}");
    let found = rest[..next_subject].match_indices(&needle).find(|(i, _)| {
        rest[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| matches!(c, ']' | '.' | ' ' | '='))
    });
    match found {
        Some((i, _)) => {
            // The start of the line holding it.
            let line_start = rest[..i].rfind('\n').map_or(0, |n| n + 1);
            Location::at(file, from + line_start)
        }
        None => subject_at(file, s),
    }
}

/// How similar two subjects are: the attribute names they share and their text similarity.
fn similarity(a: &Subject, b: &Subject) -> f64 {
    let text = strsim::normalized_levenshtein(&a.subject, &b.subject);
    let na: Vec<&str> = a.attributes.iter().map(|x| x.name.as_str()).collect();
    let nb: Vec<&str> = b.attributes.iter().map(|x| x.name.as_str()).collect();
    let shared = na.iter().filter(|n| nb.contains(n)).count();
    let total = na.len().max(nb.len()).max(1);
    let attrs = shared as f64 / total as f64;
    0.5 * text + 0.5 * attrs
}

/// Subjects removed from `old` paired with their most likely replacement in `new` (a rename).
fn renames<'a>(removed: &[&'a Subject], added: &[&'a Subject]) -> Vec<(&'a Subject, &'a Subject)> {
    let mut pairs = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    for r in removed {
        let best = added
            .iter()
            .filter(|a| !taken.contains(&a.subject.as_str()))
            .map(|a| (similarity(r, a), *a))
            .filter(|(score, _)| *score >= 0.7)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((_, a)) = best {
            taken.push(a.subject.as_str());
            pairs.push((*r, a));
        }
    }
    pairs
}

pub fn compare(old: &Registry, new: &Registry) -> Vec<Change> {
    let mut out = Vec::new();
    let removed: Vec<&Subject> = old
        .subjects
        .iter()
        .filter(|s| new.subject(&s.subject).is_none())
        .collect();
    let added: Vec<&Subject> = new
        .subjects
        .iter()
        .filter(|s| old.subject(&s.subject).is_none())
        .collect();
    let renamed = renames(&removed, &added);
    for s in &removed {
        let target = Target::Subject {
            subject: s.subject.value.clone(),
        };
        let at = subject_at(&old.file, s);
        match renamed.iter().find(|(r, _)| std::ptr::eq(*r, *s)) {
            Some((_, to)) => out.push(
                Change::new(
                    Rule::SubjectRenamed,
                    format!(
                        "subject `{}` was removed; `{}` looks like its new name",
                        s.subject.value, to.subject.value
                    ),
                    subject_at(&new.file, to),
                    target,
                )
                .with_help(format!(
                    "keep publishing `{}` (deprecated, `replaced_by = \"{}\"`) until every definition triggers on the new subject, then remove it in a major version",
                    s.subject.value, to.subject.value
                )),
            ),
            None => out.push(
                Change::new(
                    Rule::SubjectRemoved,
                    format!("subject `{}` was removed", s.subject.value),
                    at,
                    target,
                )
                .with_help("deprecate it first (`deprecated`, `deprecated_reason`, `replaced_by`), and remove it in a major version once no definition triggers on it"),
            ),
        }
    }
    for s in &added {
        if renamed.iter().any(|(_, a)| std::ptr::eq(*a, *s)) {
            continue;
        }
        out.push(Change::new(
            Rule::SubjectAdded,
            format!("subject `{}` was added", s.subject.value),
            subject_at(&new.file, s),
            Target::Subject {
                subject: s.subject.value.clone(),
            },
        ));
    }
    for n in new.subjects.iter() {
        let Some(o) = old.subject(&n.subject) else {
            continue;
        };
        out.extend(compare_subject(old, new, o, n));
    }
    out
}

fn compare_subject(old: &Registry, new: &Registry, o: &Subject, n: &Subject) -> Vec<Change> {
    let mut out = Vec::new();
    let name = &n.subject.value;
    let here = subject_at(&new.file, n);
    if o.deprecated.is_none()
        && let Some(d) = &n.deprecated
    {
        out.push(Change::new(
            Rule::SubjectDeprecated,
            format!(
                "subject `{name}` is deprecated since {}: {}{}",
                d.version,
                d.reason,
                d.replaced_by
                    .as_ref()
                    .map(|r| format!(" (use `{}`)", r.value))
                    .unwrap_or_default()
            ),
            here.clone(),
            Target::Subject {
                subject: name.clone(),
            },
        ));
    }
    if o.trigger_site.value != n.trigger_site.value {
        out.push(Change::new(
            Rule::TriggerSiteMoved,
            format!(
                "`{name}` is now published at `{}` (was `{}`)",
                n.trigger_site.value, o.trigger_site.value
            ),
            here.clone(),
            Target::Subject {
                subject: name.clone(),
            },
        ));
    }
    if o.summary != n.summary || o.fires != n.fires {
        out.push(Change::new(
            Rule::DocumentationChanged,
            format!("the summary or `fires` of `{name}` changed"),
            here.clone(),
            Target::Subject {
                subject: name.clone(),
            },
        ));
    }
    for a in &o.attributes {
        if n.attribute(&a.name).is_none() {
            // An added attribute of the same type with a similar name: most likely a rename.
            let renamed = n
                .attributes
                .iter()
                .filter(|b| o.attribute(&b.name).is_none() && b.ty.name() == a.ty.name())
                .map(|b| (strsim::normalized_levenshtein(&a.name, &b.name), b))
                .filter(|(score, _)| *score >= 0.5)
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, b)| {
                    format!(
                        "; `{}` (added, also {}) looks like its new name",
                        b.name,
                        b.ty.name()
                    )
                })
                .unwrap_or_default();
            out.push(
                Change::new(
                    Rule::AttributeRemoved,
                    format!("attribute `{}` was removed from `{name}`{renamed}", a.name),
                    attribute_at(&old.file, o, &a.name),
                    attr_target(name, &a.name),
                )
                .with_help("deprecate it first and keep sending it; remove it in a major version once no rule reads it"),
            );
        }
    }
    for a in &n.attributes {
        let at = attribute_at(&new.file, n, &a.name);
        let Some(b) = o.attribute(&a.name) else {
            let (rule, help) = if a.required {
                (
                    Rule::AttributeAddedRequired,
                    "add it as `required = false` first; make it required in a major version once every publisher sends it",
                )
            } else {
                (Rule::AttributeAddedOptional, "")
            };
            let mut c = Change::new(
                rule,
                format!(
                    "{} attribute `{}` ({}) was added to `{name}`",
                    if a.required { "required" } else { "optional" },
                    a.name,
                    a.ty.name()
                ),
                at,
                attr_target(name, &a.name),
            );
            if !help.is_empty() {
                c = c.with_help(help);
            }
            out.push(c);
            continue;
        };
        out.extend(compare_attribute(name, b, a, at));
    }
    out
}

fn attr_target(subject: &str, attribute: &str) -> Target {
    Target::Attribute {
        subject: subject.to_string(),
        attribute: attribute.to_string(),
    }
}

fn compare_attribute(subject: &str, o: &Attribute, n: &Attribute, at: Location) -> Vec<Change> {
    let mut out = Vec::new();
    let name = &n.name;
    let target = attr_target(subject, name);
    match (&o.ty, &n.ty) {
        (AttrType::Enum(ov), AttrType::Enum(nv)) => {
            for v in ov.iter().filter(|v| !nv.contains(v)) {
                out.push(
                    Change::new(
                        Rule::EnumValueRemoved,
                        format!("`{name}` of `{subject}` can no longer be `{v}`"),
                        at.clone(),
                        Target::EnumValue {
                            subject: subject.to_string(),
                            attribute: name.clone(),
                            value: v.clone(),
                        },
                    )
                    .with_help("keep the value (deprecated in its description) until no rule compares with it, then remove it in a major version"),
                );
            }
            for v in nv.iter().filter(|v| !ov.contains(v)) {
                out.push(Change::new(
                    Rule::EnumValueAdded,
                    format!("`{name}` of `{subject}` can now be `{v}`"),
                    at.clone(),
                    Target::EnumValue {
                        subject: subject.to_string(),
                        attribute: name.clone(),
                        value: v.clone(),
                    },
                ));
            }
        }
        (a, b) if a.name() != b.name() => out.push(
            Change::new(
                Rule::AttributeTypeChanged,
                format!(
                    "`{name}` of `{subject}` changed from {} to {}",
                    a.name(),
                    b.name()
                ),
                at.clone(),
                target.clone(),
            )
            .with_help(format!(
                "add a new attribute of type {} beside `{name}`, deprecate `{name}` (`replaced_by`), and remove it in a major version",
                b.name()
            )),
        ),
        _ => {}
    }
    if o.required && !n.required {
        out.push(
            Change::new(
                Rule::AttributeMadeOptional,
                format!("`{name}` of `{subject}` is no longer required"),
                at.clone(),
                target.clone(),
            )
            .with_help(format!(
                "rules reading it must first guard it with `has(event.attributes.{name})`; make it optional in a major version"
            )),
        );
    } else if !o.required && n.required {
        out.push(
            Change::new(
                Rule::AttributeMadeRequired,
                format!("`{name}` of `{subject}` is now required"),
                at.clone(),
                target.clone(),
            )
            .with_help("every publisher must send it first; make it required in a major version"),
        );
    }
    if o.deprecated.is_none()
        && let Some(d) = &n.deprecated
    {
        out.push(Change::new(
            Rule::AttributeDeprecated,
            format!(
                "`{name}` of `{subject}` is deprecated since {}: {}{}",
                d.version,
                d.reason,
                d.replaced_by
                    .as_ref()
                    .map(|r| format!(" (use `{}`)", r.value))
                    .unwrap_or_default()
            ),
            at.clone(),
            target.clone(),
        ));
    }
    if o.description != n.description || o.example != n.example {
        out.push(Change::new(
            Rule::DocumentationChanged,
            format!("the description or example of `{name}` of `{subject}` changed"),
            at,
            target,
        ));
    }
    out
}
