//! `handoff diff`: compares an old registry with the current one, classifies every change by a
//! rule with a stable id (docs/breaking.md, one section per rule), checks the version policy
//! (a major bump for breaking changes, a minor bump for additions, `since` of new subjects,
//! deprecation before removal) and lists the definitions that read what a breaking change touched.
//!
//! The pipeline: [`compare`] (rule families in [`subjects`] and [`stream`]) → [`policy::check`]
//! → [`affected::find`] → [`render`]. Nothing here prints.

pub mod affected;
pub mod git;
pub mod policy;
pub mod render;
pub mod stream;
pub mod subjects;

use serde::Serialize;

use crate::registry::Registry;
use crate::source::SourceFile;

/// How a change affects consumers and publishers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Some consumer rule or publisher stops working: needs a major version bump.
    Breaking,
    /// An addition: needs a minor version bump.
    NonBreaking,
    /// Documentation or placement only: no bump needed.
    Info,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non-breaking",
            Class::Info => "info",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $class:ident, $summary:literal;)*) => {
        /// A change rule: a stable id (docs/breaking.md has its section), a class and a summary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every change rule, sorted by id.
            pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

            /// The id users see, e.g. `attribute-removed`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            pub fn class(self) -> Class {
                match self {
                    $(Rule::$variant => Class::$class,)*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => $summary,)*
                }
            }
        }
    };
}

rules! {
    AttributeAddedOptional = "attribute-added-optional", NonBreaking, "An optional attribute was added to a subject.";
    AttributeAddedRequired = "attribute-added-required", Breaking, "A required attribute was added to a subject: publishers built from the old registry do not send it.";
    AttributeDeprecated = "attribute-deprecated", NonBreaking, "An attribute was marked `deprecated`.";
    AttributeMadeOptional = "attribute-made-optional", Breaking, "A required attribute became optional: rules reading it without `has()` fail on events without it.";
    AttributeMadeRequired = "attribute-made-required", Breaking, "An optional attribute became required: every publisher must now send it.";
    AttributeRemoved = "attribute-removed", Breaking, "An attribute was removed from a subject.";
    AttributeTypeChanged = "attribute-type-changed", Breaking, "An attribute's type changed (`string` to `integer`, an enum to a string, ...).";
    DocumentationChanged = "documentation-changed", Info, "A summary, `fires`, description or example changed.";
    EnumValueAdded = "enum-value-added", NonBreaking, "A value was added to an enum attribute.";
    EnumValueRemoved = "enum-value-removed", Breaking, "A value was removed from an enum attribute.";
    EnvelopePublisherChanged = "envelope-publisher-changed", Breaking, "The envelope's `publisher` changed.";
    EnvelopeVersionChanged = "envelope-version-changed", Breaking, "The envelope's `version` changed.";
    StreamDuplicateWindowChanged = "stream-duplicate-window-changed", Breaking, "The stream's duplicate window changed: shorter lets retried publishes through twice, longer is refused by the server beyond `max_age` and changes what counts as a retry.";
    StreamFilterNarrowed = "stream-filter-narrowed", Breaking, "A subject the stream used to capture is no longer captured.";
    StreamFilterWidened = "stream-filter-widened", NonBreaking, "The stream captures subjects it did not before.";
    StreamMaxAgeLengthened = "stream-max-age-lengthened", NonBreaking, "Messages are kept longer (or without limit).";
    StreamMaxAgeShortened = "stream-max-age-shortened", Breaking, "Messages are kept for less time: a consumer that is down longer than that loses events.";
    StreamRenamed = "stream-renamed", Breaking, "The stream's name changed.";
    StreamRetentionChanged = "stream-retention-changed", Breaking, "The stream's retention policy changed.";
    StreamStorageChanged = "stream-storage-changed", Info, "The stream's storage type changed (file or memory).";
    SubjectAdded = "subject-added", NonBreaking, "A subject was added.";
    SubjectDeprecated = "subject-deprecated", NonBreaking, "A subject was marked `deprecated`.";
    SubjectRemoved = "subject-removed", Breaking, "A subject was removed.";
    SubjectRenamed = "subject-renamed", Breaking, "A subject was removed and a similar one added: most likely a rename.";
    TriggerSiteMoved = "trigger-site-moved", Info, "A subject's trigger site (`file:function`) changed.";
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Where in a registry file a change is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The text of `line`, for the human rendering.
    #[serde(skip)]
    pub source_line: String,
}

impl Location {
    pub fn at(file: &SourceFile, offset: usize) -> Location {
        let (line, column) = file.line_col(offset);
        Location {
            file: file.path.clone(),
            line,
            column,
            source_line: file.line_text(line).to_string(),
        }
    }
}

/// What a change touches, for finding the definitions that read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// A subject (as named in the old registry).
    Subject { subject: String },
    /// An attribute of a subject.
    Attribute { subject: String, attribute: String },
    /// One value of an enum attribute.
    EnumValue {
        subject: String,
        attribute: String,
        value: String,
    },
    /// Every subject of the registry (envelope and stream changes).
    AllSubjects,
    /// The subjects the stream no longer captures.
    Subjects { subjects: Vec<String> },
}

/// A definition that reads what a change touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The definition's name.
    pub definition: String,
    /// What it reads there (`event.attributes.slug`, the trigger `org.x.y.z`).
    pub reads: String,
}

/// One classified change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub rule: Rule,
    pub class: Class,
    pub message: String,
    /// Where it is: in the current registry, or in the old one for removals.
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub target: Target,
    /// The definitions reading what changed (breaking changes only).
    pub affected: Vec<Use>,
}

impl Change {
    pub fn new(rule: Rule, message: String, location: Location, target: Target) -> Change {
        Change {
            rule,
            class: rule.class(),
            message,
            location,
            help: None,
            target,
            affected: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Change {
        self.help = Some(help.into());
        self
    }
}

/// The result of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// How the old registry was named (`subjects.toml@HEAD`, `old.toml`).
    pub against: String,
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
    /// Version-policy and deprecation violations: each makes the diff fail (exit 1).
    pub violations: Vec<policy::Violation>,
}

impl Report {
    /// Whether the policy is violated (exit 1).
    pub fn fails(&self) -> bool {
        !self.violations.is_empty()
    }
}

/// Every change from `old` to `new`, in registry order (subjects, then envelope and stream).
pub fn compare(old: &Registry, new: &Registry) -> Vec<Change> {
    let mut changes = subjects::compare(old, new);
    changes.extend(stream::compare(old, new));
    changes
}

/// Compares, checks the policy and finds affected definitions among `definitions` (files).
pub fn diff(
    against: String,
    old: &Registry,
    new: &Registry,
    definitions: &[std::path::PathBuf],
) -> Report {
    let mut changes = compare(old, new);
    let violations = policy::check(old, new, &changes);
    let uses = affected::load(definitions);
    for c in &mut changes {
        if c.class == Class::Breaking {
            c.affected = affected::find(&uses, old, c.rule, &c.target);
        }
    }
    Report {
        against,
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        changes,
        violations,
    }
}

/// The offset of `key = ` inside the table whose header line is `header` (or of the header, or 0).
pub(crate) fn key_offset(text: &str, header: &str, key: &str) -> usize {
    let Some(start) = text
        .match_indices(header)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
    else {
        return 0;
    };
    let table_end = text[start + header.len()..]
        .find("\n[")
        .map_or(text.len(), |e| start + header.len() + e);
    text[start..table_end]
        .match_indices(key)
        .map(|(i, _)| start + i)
        .find(|&i| {
            i > 0
                && text.as_bytes()[i - 1] == b'\n'
                && text[i + key.len()..].trim_start().starts_with('=')
        })
        .unwrap_or(start)
}
