//! The JSON output contracts: every command's real `--format json` output, on inputs that reach
//! each part of its shape, is valid against its schema in docs/schemas/output/ (closed objects,
//! every field required: a field added, renamed or dropped fails here until the schema and
//! docs/json-output.md say so); a `--format json` failure is the error document on stdout with
//! the command's exit code; every command that writes JSON has a schema and a section in the
//! docs; SARIF rules link to their section of docs/diagnostics.md.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{Run, Test, copy_tree, fixture, handoff, read, repo, repo_copy};
use crate::support::{NatsServer, PUBLISH_REPO, block_on, json_lines};

/// The commands whose output has a schema, `docs/schemas/output/<name>.schema.json`.
const JSON_COMMANDS: &[&str] = &[
    "validate", "audit", "diff", "cron", "plan", "test", "simulate", "tap",
];

fn validator(name: &str) -> jsonschema::Validator {
    let path = repo().join(format!("docs/schemas/output/{name}.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: not a schema: {e}", path.display()))
}

/// Parses one JSON document and checks it against the schema `name`.
#[track_caller]
fn conforms(name: &str, text: &str) -> serde_json::Value {
    let value: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{text}"));
    assert_valid(&validator(name), name, &value);
    value
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, name: &str, value: &serde_json::Value) {
    let errors: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: output drifted from docs/schemas/output/{name}.schema.json: {errors:#?}\n{value:#}"
    );
    assert_eq!(value["version"], 1, "{name}: {value}");
}

#[test]
fn schemas_are_draft_2020_12_and_closed() {
    for name in JSON_COMMANDS.iter().chain(&["error"]) {
        let text = read(&repo().join(format!("docs/schemas/output/{name}.schema.json")));
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        // Each document names its version; the top level is closed.
        let top = schema
            .get("oneOf")
            .and_then(|o| o.get(0))
            .unwrap_or(&schema);
        assert_eq!(top["properties"]["version"]["const"], 1, "{name}");
        assert_eq!(top["additionalProperties"], false, "{name}");
        // A document with a field the schema does not know is rejected.
        let v = validator(name);
        assert!(
            !v.is_valid(&serde_json::json!({"version": 1, "surprise": true})),
            "{name}"
        );
    }
}

#[test]
fn every_command_with_json_output_has_a_schema_and_a_section() {
    let help = handoff(&repo(), &["--help"]).code(0).stdout;
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() > 10, "{help}");
    let mut with_json = BTreeSet::new();
    for c in &commands {
        let mut args: Vec<&str> = vec![c];
        let sub = handoff(&repo(), &[c, "--help"]).stdout;
        // `import` and `stream` have subcommands: look at each.
        let subs: Vec<String> = if sub.contains("Commands:") {
            sub.split("Commands:")
                .nth(1)
                .unwrap()
                .lines()
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                .filter(|s| s != "help")
                .collect()
        } else {
            vec![String::new()]
        };
        for s in &subs {
            if !s.is_empty() {
                args = vec![c, s];
            }
            let mut all = args.clone();
            all.push("--help");
            let text = handoff(&repo(), &all).code(0).stdout;
            if text.contains("--format") && text.contains("json") {
                with_json.insert(c.to_string());
            }
        }
    }
    let want: BTreeSet<String> = JSON_COMMANDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        with_json, want,
        "a command writes JSON without a schema here"
    );
    let doc = read(&repo().join("docs/json-output.md"));
    for c in JSON_COMMANDS.iter().chain(&["error"]) {
        assert!(
            doc.contains(&format!("schemas/output/{c}.schema.json")),
            "docs/json-output.md does not link the schema of {c}"
        );
    }
    assert!(read(&repo().join("README.md")).contains("docs/json-output.md"));
}

#[test]
fn validate_on_every_fixture_case() {
    let v = validator("validate");
    let mut codes = BTreeSet::new();
    for entry in std::fs::read_dir(fixture("cases")).unwrap() {
        let case = entry.unwrap().path();
        for side in ["bad", "good"] {
            let test = Test::tree(&fixture("base")).overlay(&case.join(side));
            let run = test
                .args(&["validate", "--no-freshness", "--format", "json"])
                .run();
            assert!(run.code <= 1, "{}: {}", case.display(), run.stderr);
            let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_valid(&v, "validate", &value);
            for d in value["diagnostics"].as_array().unwrap() {
                codes.insert(d["code"].as_str().unwrap().to_string());
            }
        }
    }
    // Errors and warnings, with and without help, whole-file and positioned findings.
    assert!(codes.len() > 40, "{codes:?}");
    // This repository, freshness included (and the audit of examples/state-hub).
    let run = handoff(&repo(), &["validate", "--format", "json"]).code(0);
    conforms("validate", &run.stdout);
    // Stale generated files: whole-file diagnostics (line 0).
    let tmp = repo_copy();
    std::fs::write(tmp.path().join("docs/nats-event-subjects.md"), "edited\n").unwrap();
    let run = handoff(tmp.path(), &["validate", "--format", "json"]).code(1);
    let value = conforms("validate", &run.stdout);
    assert!(
        value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["line"] == 0)
    );
}

#[test]
fn audit_clean_and_with_findings() {
    let run = handoff(&repo(), &["audit", "--format", "json"]).code(0);
    conforms("audit", &run.stdout);
    for case in [
        "publish-missing",
        "trigger-site-missing",
        "publish-before-commit",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixture(&format!("cases/{case}/bad")), tmp.path());
        let run = handoff(tmp.path(), &["audit", "--format", "json"]).code(1);
        let value = conforms("audit", &run.stdout);
        assert!(value["summary"]["errors"].as_u64().unwrap() > 0, "{case}");
    }
}

#[test]
fn diff_on_every_rule_fixture() {
    let v = validator("diff");
    let mut targets = BTreeSet::new();
    for entry in std::fs::read_dir(fixture("diff")).unwrap() {
        let dir = entry.unwrap().path();
        let run = handoff(&dir, &["diff", "--against", "old.toml", "--format", "json"]);
        assert!(run.code <= 1, "{}: {}", dir.display(), run.stderr);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_valid(&v, "diff", &value);
        for c in value["changes"].as_array().unwrap() {
            targets.insert(c["target"]["kind"].as_str().unwrap().to_string());
        }
    }
    // Every kind of target was seen, so each branch of the schema's `target` was checked.
    assert_eq!(
        targets.into_iter().collect::<Vec<_>>(),
        [
            "all-subjects",
            "attribute",
            "enum-value",
            "subject",
            "subjects"
        ]
    );
}

#[test]
fn cron_schedules_and_diagnostics() {
    for (args, code) in [
        (&["cron", "0 0 13 * 5", "--next", "3"][..], 0),
        (&["cron", "30 2 * * *", "--tz", "Europe/Berlin"], 0),
        (&["cron", "0 0 30 2 *"], 1),
        (&["cron", "0 0 * *"], 1),
        (&["cron", "* * * * *", "--tz", "Mars/Olympus"], 2),
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let run = handoff(&repo(), &all).code(code);
        conforms("cron", &run.stdout);
    }
}

#[test]
fn plan_at_several_dates_and_states() {
    for at in ["2026-10-01", "2026-11-20", "2026-11-26", "2027-06-01"] {
        let run = handoff(&repo(), &["plan", "--at", at, "--format", "json"]);
        conforms("plan", &run.stdout);
    }
    let run = handoff(
        &fixture("plan"),
        &["plan", "--at", "2026-11-24", "--format", "json"],
    );
    let value = conforms("plan", &run.stdout);
    assert!(value["summary"]["blocked"].as_u64().unwrap() > 0, "{value}");
}

#[test]
fn test_passing_failing_and_unreadable_cases() {
    let run = handoff(&repo(), &["test", "--format", "json"]).code(0);
    conforms("test", &run.stdout);
    let tmp = repo_copy();
    let cases = "cases:\n  - name: healthy hub\n    trigger: {cron: \"2026-11-16T00:30:00Z\"}\n    context:\n      state-hub.health: {status: degraded}\n    expect: fires\n";
    std::fs::write(
        tmp.path()
            .join("definitions/the-custodian.state-hub-consistency-sweep.test.yaml"),
        cases,
    )
    .unwrap();
    std::fs::write(
        tmp.path()
            .join("definitions/the-custodian.state-hub-stale-task-cleanup.test.yaml"),
        "cases: [",
    )
    .unwrap();
    let run = handoff(tmp.path(), &["test", "--format", "json"]).code(1);
    let value = conforms("test", &run.stdout);
    assert_eq!(value["summary"]["failed"], 1, "{value}");
    assert!(
        !value["diagnostics"].as_array().unwrap().is_empty(),
        "{value}"
    );
    assert!(
        !value["cases"][0]["values"].as_array().unwrap().is_empty(),
        "{value}"
    );
}

#[test]
fn simulate_a_window() {
    let run = handoff(
        &repo(),
        &[
            "simulate",
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-17",
            "--context",
            r#"state-hub.health={"status":"ok"}"#,
            "--tz",
            "Europe/Berlin",
            "--format",
            "json",
        ],
    )
    .code(0);
    let value = conforms("simulate", &run.stdout);
    assert!(value["summary"]["definition_runs"].as_u64().unwrap() > 0);
}

/// tap's JSON lines (with `--match`, an invalid envelope and a non-JSON payload), simulate
/// replaying them, and tap's failure line when the server is gone.
#[test]
fn tap_lines_and_simulate_replaying_them() {
    let mut server = NatsServer::start();
    let url = server.url();
    let tmp = repo_copy();
    let at = |args: &[&str]| {
        Test::in_dir(tmp.path())
            .real_clock()
            .nats(&url)
            .args(args)
            .run()
    };
    at(&["stream", "ensure"]).code(0);
    at(&PUBLISH_REPO).code(0);
    block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        for payload in [
            &b"{not json"[..],
            br#"{"type": "org.statehub.repo.registered"}"#,
        ] {
            js.publish("org.statehub.repo.registered", payload.to_vec().into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    });
    let run = at(&[
        "tap",
        "--count",
        "3",
        "--timeout",
        "5s",
        "--match",
        "--format",
        "json",
    ])
    .code(0);
    let v = validator("tap");
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for line in &lines {
        assert_valid(&v, "tap", line);
    }
    assert!(lines.iter().any(|l| l["ok"] == false));
    std::fs::write(tmp.path().join("recorded.jsonl"), &run.stdout).unwrap();
    let sim = at(&[
        "simulate",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-03",
        "--events",
        "recorded.jsonl",
        "--format",
        "json",
    ])
    .code(0);
    conforms("simulate", &sim.stdout);
    server.stop();
    let gone = at(&[
        "tap",
        "--timeout",
        "1s",
        "--connect-timeout",
        "300ms",
        "--format",
        "json",
    ]);
    let lines = json_lines(&gone.code(3).stdout);
    assert_eq!(lines.len(), 1);
    assert_valid(&validator("error"), "error", &lines[0]);
}

/// A `--format json` run that fails: the error document alone on stdout, the exit code kept,
/// the message on stderr too; the same failure without json writes nothing on stdout.
#[test]
fn failures_in_json_mode_are_json() {
    let empty = tempfile::tempdir().unwrap();
    let bad_registry = tempfile::tempdir().unwrap();
    std::fs::write(bad_registry.path().join("subjects.toml"), "version = [\n").unwrap();
    let here = repo();
    let cases: Vec<(&Path, Vec<&str>, i32, &str)> = vec![
        (&here, vec!["validate", "no/such/path"], 2, "usage"),
        (empty.path(), vec!["plan"], 3, "failed"),
        (
            &here,
            vec!["--registry", "missing.toml", "audit"],
            3,
            "failed",
        ),
        (
            &here,
            vec!["diff", "--against", "no-such-file.toml"],
            2,
            "usage",
        ),
        (
            &here,
            vec!["cron", "* * * * *", "--from", "yesterday"],
            2,
            "usage",
        ),
        (bad_registry.path(), vec!["test"], 1, "problems"),
        (
            &here,
            vec!["simulate", "--from", "2026-11-02", "--to", "2026-11-01"],
            2,
            "usage",
        ),
        (&here, vec!["tap"], 2, "usage"),
        // Rejected by the argument parser itself.
        (&here, vec!["plan", "--bogus"], 2, "usage"),
        (&here, vec!["cron"], 2, "usage"),
    ];
    let v = validator("error");
    for (dir, args, code, kind) in cases {
        let mut json = args.clone();
        json.extend(["--format", "json"]);
        let run: Run = Test::in_dir(dir).args(&json).run();
        assert_eq!(run.code, code, "{json:?}: {}{}", run.stdout, run.stderr);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{json:?}: one document: {}", run.stdout);
        let value: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_valid(&v, "error", &value);
        assert_eq!(value["error"]["kind"], kind, "{json:?}");
        assert_eq!(value["error"]["exit"], code, "{json:?}");
        // The same message on stderr (clap wraps its own over lines).
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let message = value["error"]["message"].as_str().unwrap();
        assert!(
            words(&run.stderr).contains(&words(message)),
            "{json:?}: {}",
            run.stderr
        );
        let human = Test::in_dir(dir).args(&args).run();
        assert_eq!(human.code, code, "{args:?}");
        assert_eq!(human.stdout, "", "{args:?}");
    }
    // An invalid --format value asks for no JSON: the error is text on stderr only.
    let xml = handoff(&here, &["cron", "* * * * *", "--format", "xml"]).code(2);
    assert_eq!(xml.stdout, "");
    assert!(xml.stderr.contains("invalid value 'xml'"), "{}", xml.stderr);
}

/// GitHub's anchor of a Markdown heading: lower case, punctuation but `-` and `_` dropped,
/// spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn sarif_rules_link_to_their_section_of_the_diagnostics_doc() {
    let doc = read(&repo().join("docs/diagnostics.md"));
    let anchors: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(slug)
        .collect();
    let cargo = read(&repo().join("Cargo.toml"));
    let repository = cargo
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("Cargo.toml names the repository")
        .trim_matches('"');
    let prefix = format!("{repository}/blob/main/docs/diagnostics.md#");
    // Every code, as the library renders it.
    let diags: Vec<_> = handoff::codes::Code::ALL
        .iter()
        .map(|c| handoff::diagnostic::Diagnostic::file_level(*c, "x", "m"))
        .collect();
    let sarif = handoff::report::render(handoff::report::Format::Sarif, &diags, 1);
    let value: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let rules = value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), handoff::codes::Code::ALL.len());
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let anchor = uri
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{uri} is not under {prefix}"));
        assert_eq!(anchor, rule["id"], "{uri}");
        assert!(
            anchors.contains(anchor),
            "no section #{anchor} in docs/diagnostics.md"
        );
    }
    // And from the binary.
    let run = Test::tree(&fixture("base"))
        .overlay(&fixture("cases/cron-or-rule/bad"))
        .args(&["validate", "--no-freshness", "--format", "sarif"])
        .run()
        .code(0);
    assert!(
        run.stdout
            .contains(&format!("\"helpUri\": \"{prefix}cron-or-rule\"")),
        "{}",
        run.stdout
    );
}
