//! The files the registry implies, in a fixed order: first planned (path and kind, nothing
//! rendered), then rendered one by one, only when needed. A file whose seal shows it is current
//! is never rendered (see `seal`).

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value as J, json};

use crate::registry::Registry;
use crate::schema;

use super::seal::{SEAL, ZERO_HASH, digest_of, seal_with_inputs};
use super::views::{context_value, registry_label};
use super::{Artifact, Kind};

/// What one file is rendered from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A migration's ActivityDefinition draft.
    Draft(usize),
    /// A migration's starter test cases.
    Starter(usize),
    /// A template rendered with the whole context.
    Template(&'static str),
    SubjectSchema(usize),
    DefinitionSchema,
    TestSchema,
    RegistrySchema,
}

/// One file generate produces, not yet rendered.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Relative to the registry's folder.
    pub path: String,
    pub kind: Kind,
    source: Source,
}

impl Planned {
    /// Whether the file is rendered from the whole registry (a document, a Python module):
    /// at 10,000 subjects such a file is megabytes, each one a long task.
    pub fn whole_registry(&self) -> bool {
        matches!(self.source, Source::Template(_))
    }
}

/// The template context, built on first use and converted once for minijinja (each render would
/// otherwise convert the whole context again). Of the JSON only what drafts are rendered from is
/// kept (the subjects, by far the largest part, never exist as JSON all at once).
struct Context {
    registry: J,
    migrations: J,
    value: minijinja::Value,
}

/// Renders the files of one registry on demand.
pub struct Generator<'r> {
    reg: &'r Registry,
    env: minijinja::Environment<'static>,
    /// The digest of every input but the file's own path (see `seal`).
    inputs: String,
    planned: Vec<Planned>,
    context: OnceLock<Result<Context, String>>,
}

impl<'r> Generator<'r> {
    /// Plans the files of `reg`, with the templates of `templates` overriding the embedded ones.
    pub fn new(reg: &'r Registry, templates: Option<&Path>) -> Result<Self, String> {
        let texts = crate::render::template_texts(templates)?;
        let label = registry_label(&reg.file.path);
        let mut parts: Vec<&[u8]> = vec![
            b"handoff generate inputs 1",
            env!("HANDOFF_BUILD").as_bytes(),
            label.as_bytes(),
            reg.file.text.as_bytes(),
        ];
        for (name, text) in &texts {
            parts.push(name.as_bytes());
            parts.push(text.as_bytes());
        }
        let inputs = digest_of(&parts);
        Ok(Generator {
            reg,
            env: crate::render::environment_of(texts)?,
            inputs,
            planned: plan(reg),
            context: OnceLock::new(),
        })
    }

    /// Every file, in order.
    pub fn planned(&self) -> &[Planned] {
        &self.planned
    }

    /// The inputs digest a file at `path` records when it is current.
    pub fn inputs_of(&self, path: &str) -> String {
        digest_of(&[self.inputs.as_bytes(), path.as_bytes()])
    }

    fn context(&self) -> Result<&Context, String> {
        self.context
            .get_or_init(|| {
                let (registry, migrations, value) = context_value(self.reg, &self.env)?;
                Ok(Context {
                    registry,
                    migrations,
                    value,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Renders the file `planned[i]`, sealed.
    pub fn render(&self, i: usize) -> Result<Artifact, String> {
        let p = &self.planned[i];
        let reg = self.reg;
        let out = &reg.output;
        let label = || registry_label(&reg.file.path);
        let content = match p.source {
            Source::Draft(k) => {
                let ctx = self.context()?;
                crate::render::render(
                    &self.env,
                    "definition.yaml.j2",
                    &json!({
                        "registry": ctx.registry,
                        "migration": ctx.migrations[k],
                        "schema_path": relative(&out.definitions, &format!("{}/activity-definition.schema.json", out.schemas)),
                        "sealed": true,
                    }),
                )?
            }
            Source::Starter(k) => crate::testcase::starter(
                reg,
                &reg.migrations[k],
                &relative(
                    &out.definitions,
                    &format!("{}/activity-definition-test.schema.json", out.schemas),
                ),
            ),
            // Room for three times the registry's text is reserved up front: a document
            // rendered from the whole registry is of that order (1.8-1.9 times at 10,000
            // subjects), and growing it by doubling copied it three or four times and held the
            // copies (10-15 MiB of generate's peak). Room not written to is only reserved: the
            // system gives a page when it is first written.
            Source::Template(name) => crate::render::render_with_room(
                &self.env,
                name,
                &self.context()?.value,
                3 * reg.file.text.len(),
            )?,
            Source::SubjectSchema(k) => {
                let mut schema = schema::envelope(reg, &reg.subjects[k]);
                schema.comment = Some(json_comment(&label()));
                json_text(&schema)
            }
            Source::DefinitionSchema => json_file(schema::activity_definition(reg), &label()),
            Source::TestSchema => json_file(crate::testcase::schema(reg), &label()),
            Source::RegistrySchema => json_file(schema::registry(), &label()),
        };
        Ok(Artifact {
            content: seal_with_inputs(content, &self.inputs_of(&p.path)),
            path: p.path.clone(),
            kind: p.kind,
        })
    }

    /// Renders every file (in parallel), in order.
    pub fn render_all(&self) -> Result<Vec<Artifact>, String> {
        use rayon::prelude::*;
        (0..self.planned.len())
            .into_par_iter()
            .map(|i| self.render(i))
            .collect()
    }
}

/// Everything generate produces from the registry, rendered, in a fixed order.
pub fn artifacts(reg: &Registry, templates: Option<&Path>) -> Result<Vec<Artifact>, String> {
    Generator::new(reg, templates)?.render_all()
}

/// The files of `reg`, in a fixed order: each migration's draft and starter test cases, the two
/// documents, a schema per subject, the definition, test and registry schemas, the Python package.
fn plan(reg: &Registry) -> Vec<Planned> {
    let out = &reg.output;
    let mut list = Vec::new();
    let mut add = |path: String, kind: Kind, source: Source| {
        list.push(Planned { path, kind, source });
    };
    for (k, m) in reg.migrations.iter().enumerate() {
        let name = &m.definition.name.value;
        add(
            format!("{}/{name}.yaml", out.definitions),
            Kind::Draft,
            Source::Draft(k),
        );
        // Its starter test cases (`handoff test`), a draft too: kept once edited.
        add(
            format!("{}/{name}{}", out.definitions, crate::testcase::SUFFIX),
            Kind::Draft,
            Source::Starter(k),
        );
    }
    let template = |name| Source::Template(name);
    add(
        out.subjects_doc.clone(),
        Kind::Generated,
        template("nats-event-subjects.md.j2"),
    );
    add(
        out.migration_doc.clone(),
        Kind::Generated,
        template("cron-migration.md.j2"),
    );
    for (k, s) in reg.subjects.iter().enumerate() {
        add(
            format!("{}/{}.schema.json", out.schemas, s.subject.value),
            Kind::Generated,
            Source::SubjectSchema(k),
        );
    }
    for (name, source) in [
        ("activity-definition", Source::DefinitionSchema),
        ("activity-definition-test", Source::TestSchema),
        ("subjects", Source::RegistrySchema),
    ] {
        add(
            format!("{}/{name}.schema.json", out.schemas),
            Kind::Generated,
            source,
        );
    }
    for (file, name) in [
        ("__init__.py", "__init__.py.j2"),
        ("publishers.py", "publishers.py.j2"),
        ("runtime.py", "runtime.py.j2"),
        ("py.typed", "py.typed.j2"),
    ] {
        add(
            format!("{}/{file}", out.python),
            Kind::Generated,
            template(name),
        );
    }
    list
}

/// A JSON file with the seal's place in its `$comment`, first.
fn json_file(mut schema: J, registry: &str) -> String {
    if let J::Object(map) = &mut schema {
        let mut with_comment = serde_json::Map::new();
        with_comment.insert("$comment".into(), J::String(json_comment(registry)));
        for (k, v) in std::mem::take(map) {
            with_comment.insert(k, v);
        }
        *map = with_comment;
    }
    json_text(&schema)
}

/// The `$comment` a generated JSON file starts with: where it comes from, and its seal.
fn json_comment(registry: &str) -> String {
    format!(
        "Generated by handoff from {registry}; do not edit, run `handoff generate`. {SEAL}{ZERO_HASH}"
    )
}

/// Pretty JSON, two spaces, with a final line break.
fn json_text(value: &impl serde::Serialize) -> String {
    let mut text = Vec::with_capacity(4096);
    // Writing to memory fails only for a value serde cannot represent, which these are not.
    let _ = serde_json::to_writer_pretty(&mut text, value);
    text.push(b'\n');
    String::from_utf8(text).unwrap_or_default()
}

/// A path to `to` relative to the folder `from_dir` (both relative to the same root).
pub fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let to_parts: Vec<&str> = to
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}
