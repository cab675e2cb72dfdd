//! `[[subjects]]`: the lifecycle subjects and their typed attributes.

use super::names::check_attribute_name;
use super::{AttrType, Attribute, Deprecation, Subject};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{Fields, Key, Node, SourceFile, Spanned, Value, did_you_mean};

const SUBJECT_KEYS: &[&str] = &[
    "subject",
    "since",
    "summary",
    "trigger_site",
    "fires",
    "attributes",
    "deprecated",
    "deprecated_reason",
    "replaced_by",
];

pub(super) fn subject(
    file: &SourceFile,
    node: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Subject> {
    let mut f = Fields::new(file, node, "a `[[subjects]]` entry", diags)?;
    let subject = f.require_string("subject", diags);
    let since = f.require_string("since", diags);
    let summary = f.require_string("summary", diags);
    let trigger_site = f.require_string("trigger_site", diags);
    if let Some(site) = &trigger_site
        && !matches!(site.split_once(':'), Some((file_part, func)) if !file_part.is_empty() && !func.trim().is_empty())
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                site.span.clone(),
                format!(
                    "trigger site `{}` is not of the form `file:function`",
                    site.value
                ),
            )
            .with_help("e.g. `api/routers/repos.py:register_repo`"),
        );
    }
    let fires = f.require_string("fires", diags);
    let attributes = match f.get("attributes") {
        Some(n) => attributes(file, n, diags),
        None => Vec::new(),
    };
    let deprecated = deprecation(file, node, &mut f, diags);
    f.finish(SUBJECT_KEYS, diags);
    Some(Subject {
        subject: subject?,
        since: since?.value,
        summary: summary?.value,
        trigger_site: trigger_site?,
        fires: fires?.value,
        attributes,
        deprecated,
    })
}

const ATTRIBUTE_KEYS: &[&str] = &[
    "type",
    "required",
    "description",
    "example",
    "values",
    "deprecated",
    "deprecated_reason",
    "replaced_by",
];

/// `deprecated`, `deprecated_reason` (required with it) and `replaced_by`.
fn deprecation(
    file: &SourceFile,
    node: &Node,
    f: &mut Fields,
    diags: &mut Vec<Diagnostic>,
) -> Option<Deprecation> {
    let version = f.string("deprecated", diags);
    let reason = f.string("deprecated_reason", diags);
    let replaced_by = f.string("replaced_by", diags);
    let Some(version) = version else {
        if let Some(extra) = reason.as_ref().or(replaced_by.as_ref()) {
            diags.push(
                file.diagnostic(
                    Code::MissingField,
                    extra.span.clone(),
                    "`deprecated_reason` and `replaced_by` need `deprecated = \"<version>\"`",
                )
                .with_help("add `deprecated = \"<the registry version that deprecates it>\"`"),
            );
        }
        return None;
    };
    let Some(reason) = reason else {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                node.span.start..node.span.start + 1,
                "a deprecation needs `deprecated_reason`",
            )
            .with_help("add `deprecated_reason = \"why, and what consumers should do\"`"),
        );
        return None;
    };
    Some(Deprecation {
        version: version.value,
        reason: reason.value,
        replaced_by,
    })
}

fn attributes(file: &SourceFile, node: &Node, diags: &mut Vec<Diagnostic>) -> Vec<Attribute> {
    let Some(mut f) = Fields::new(file, node, "`attributes`", diags) else {
        return Vec::new();
    };
    let Value::Map(entries) = &node.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, _) in entries {
        let Some(n) = f.get(&key.name) else { continue };
        check_attribute_name(file, key, diags);
        out.extend(attribute(file, key, n, diags));
    }
    check_attribute_replacements(file, &out, diags);
    out
}

/// A deprecated attribute's `replaced_by` names another attribute of the same subject.
fn check_attribute_replacements(file: &SourceFile, out: &[Attribute], diags: &mut Vec<Diagnostic>) {
    for a in out {
        let Some(r) = a.deprecated.as_ref().and_then(|d| d.replaced_by.as_ref()) else {
            continue;
        };
        if r.value != a.name && out.iter().any(|b| b.name == r.value) {
            continue;
        }
        let known: Vec<&str> = out
            .iter()
            .filter(|b| b.name != a.name)
            .map(|b| b.name.as_str())
            .collect();
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                r.span.clone(),
                format!(
                    "`replaced_by` of attribute `{}` names `{}`, which is not another attribute of this subject",
                    a.name, r.value
                ),
            )
            .with_help(match did_you_mean(r, known.iter().copied()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => "add the replacement attribute first, or remove `replaced_by`".to_string(),
            }),
        );
    }
}

/// One `[subjects.attributes.<name>]` table.
fn attribute(
    file: &SourceFile,
    key: &Key,
    n: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<Attribute> {
    let what = format!("attribute `{}`", key.name);
    let mut a = Fields::new(file, n, what, diags)?;
    let ty_name = a.require_string("type", diags);
    let values = a.string_list("values", diags);
    let ty = ty_name
        .as_ref()
        .and_then(|t| attribute_type(file, key, t, &values, diags));
    if let (Some(v), Some(t)) = (&values, &ty)
        && !matches!(t, AttrType::Enum(_))
        && let Some(first) = v.first()
    {
        diags.push(
            file.diagnostic(
                Code::UnknownKey,
                first.span.clone(),
                format!(
                    "`values` only applies to enum attributes, and `{}` is a {}",
                    key.name,
                    t.name()
                ),
            )
            .with_help("remove `values`, or set `type = \"enum\"`"),
        );
    }
    let required = a.bool("required", diags).map(|b| b.value);
    if required.is_none() && a.get("required").is_none() {
        diags.push(
            file.diagnostic(
                Code::MissingField,
                n.span.start..n.span.start + 1,
                format!(
                    "attribute `{}` is missing the required field `required`",
                    key.name
                ),
            )
            .with_help("add `required = true` or `required = false`"),
        );
    }
    let description = a.require_string("description", diags);
    let example = a.require("example", diags).map(|n| (n, node_to_json(n)));
    let deprecated = deprecation(file, n, &mut a, diags);
    if let (Some((n, ex)), Some(t)) = (&example, &ty)
        && let Err(expected) = t.check(ex)
    {
        diags.push(
            file.diagnostic(
                Code::InvalidValue,
                n.span.clone(),
                format!("example for `{}` must be {expected}", key.name),
            )
            .with_help(format!("give an example of type `{}`", t.name())),
        );
    }
    a.finish(ATTRIBUTE_KEYS, diags);
    Some(Attribute {
        name: key.name.clone(),
        ty: ty?,
        required: required?,
        description: description?.value,
        example: example?.1,
        deprecated,
    })
}

/// The attribute type named by `type` (and, for `enum`, its `values`).
fn attribute_type(
    file: &SourceFile,
    key: &Key,
    t: &Spanned<String>,
    values: &Option<Vec<Spanned<String>>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<AttrType> {
    match t.as_str() {
        "string" => Some(AttrType::String),
        "integer" => Some(AttrType::Integer),
        "number" => Some(AttrType::Number),
        "boolean" => Some(AttrType::Boolean),
        "timestamp" => Some(AttrType::Timestamp),
        "uuid" => Some(AttrType::Uuid),
        "enum" => match &values {
            Some(v) if !v.is_empty() => {
                Some(AttrType::Enum(v.iter().map(|s| s.value.clone()).collect()))
            }
            _ => {
                diags.push(
                    file.diagnostic(
                        Code::MissingField,
                        t.span.clone(),
                        format!(
                            "enum attribute `{}` needs a non-empty `values` list",
                            key.name
                        ),
                    )
                    .with_help("add `values = [\"a\", \"b\"]`"),
                );
                None
            }
        },
        other => {
            let help = match did_you_mean(other, AttrType::NAMES.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", AttrType::NAMES.join(", ")),
            };
            diags.push(
                file.diagnostic(
                    Code::UnknownType,
                    t.span.clone(),
                    format!("unknown attribute type `{other}`"),
                )
                .with_help(help),
            );
            None
        }
    }
}

/// A positioned node as JSON (dates become strings).
pub fn node_to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) | Value::Datetime(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), node_to_json(v)))
                .collect(),
        ),
    }
}
