//! `handoff diff`: one fixture pair per rule id (tests/fixtures/diff/<rule>/old.toml and
//! subjects.toml, with definitions that read the changed parts), its expected changes, policy
//! violations, affected definitions and exit code in `expect.txt`; every rule documented in
//! docs/breaking.md; the output formats; `--against` a git revision; usage errors.
//!
//! `UPDATE_DIFF_EXPECT=1 cargo test --test suite diff` rewrites the expect files (review them).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::common::{self, copy_tree, fixture, handoff, read, repo};

use handoff::diff::{Rule, policy::Policy};

fn all_ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    ids.extend(Policy::ALL.iter().map(|p| p.id()));
    ids
}

/// `exit N`, then sorted: `change RULE CLASS`, `affects RULE FILE:LINE:COL`, `violation RULE`.
fn outcome(dir: &Path) -> (Vec<String>, serde_json::Value) {
    let run = handoff(dir, &["diff", "--against", "old.toml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}{}",
            dir.display(),
            run.stdout,
            run.stderr
        )
    });
    let mut lines = Vec::new();
    for c in json["changes"].as_array().unwrap() {
        let rule = c["rule"].as_str().unwrap();
        lines.push(format!("change {rule} {}", c["class"].as_str().unwrap()));
        for u in c["affected"].as_array().unwrap() {
            lines.push(format!(
                "affects {rule} {}:{}:{}",
                u["file"].as_str().unwrap(),
                u["line"],
                u["column"]
            ));
        }
    }
    for v in json["violations"].as_array().unwrap() {
        lines.push(format!("violation {}", v["rule"].as_str().unwrap()));
    }
    lines.sort();
    lines.insert(0, format!("exit {}", run.code));
    (lines, json)
}

#[test]
fn every_rule_has_a_fixture_pair_that_reports_it() {
    let root = fixture("diff");
    let ids = all_ids();
    let dirs: BTreeSet<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for id in &ids {
        assert!(
            dirs.contains(*id),
            "no fixture pair tests/fixtures/diff/{id}"
        );
    }
    for d in &dirs {
        assert!(
            ids.contains(&d.as_str()),
            "tests/fixtures/diff/{d} names no rule"
        );
    }
    let mut failures = Vec::new();
    for id in &ids {
        let dir = root.join(id);
        let (lines, _) = outcome(&dir);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("change {id} ")) || *l == format!("violation {id}")),
            "{id}: the fixture pair does not report its rule: {lines:?}"
        );
        let text = lines.join("\n") + "\n";
        let expect = dir.join("expect.txt");
        if std::env::var_os("UPDATE_DIFF_EXPECT").is_some() {
            std::fs::write(&expect, &text).unwrap();
        } else if read(&expect) != text {
            failures.push(format!(
                "{id}:\n--- expected\n{}--- found\n{text}",
                read(&expect)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn classes_and_exit_codes_follow_the_policy() {
    let root = fixture("diff");
    for id in all_ids() {
        let (lines, json) = outcome(&root.join(id));
        let violations = json["violations"].as_array().unwrap().len();
        // Exit 1 exactly when the policy is violated.
        assert_eq!(
            lines[0],
            if violations > 0 { "exit 1" } else { "exit 0" },
            "{id}: {lines:?}"
        );
        assert_eq!(json["summary"]["fails"], violations > 0, "{id}");
        for c in json["changes"].as_array().unwrap() {
            let rule = Rule::from_id(c["rule"].as_str().unwrap()).unwrap();
            assert_eq!(c["class"].as_str().unwrap(), rule.class().name(), "{id}");
            // Affected definitions are listed for breaking changes only.
            if rule.class() != handoff::diff::Class::Breaking {
                assert!(c["affected"].as_array().unwrap().is_empty(), "{id}");
            }
        }
    }
}

#[test]
fn every_rule_has_its_section_in_docs_breaking() {
    let doc = read(&repo().join("docs/breaking.md"));
    let headings: BTreeSet<&str> = doc.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let ids = all_ids();
    for id in &ids {
        assert!(
            headings.contains(id),
            "docs/breaking.md has no section `## {id}`"
        );
        let start = doc.find(&format!("\n## {id}\n")).unwrap();
        let body = &doc[start + id.len() + 5..];
        let body = &body[..body.find("\n## ").unwrap_or(body.len())];
        assert!(body.trim().len() > 40, "the section of {id} is empty");
    }
    for h in headings {
        if h.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            assert!(
                ids.contains(&h),
                "docs/breaking.md documents `{h}`, which is no rule"
            );
        }
    }
    // Rules are sorted and unique.
    let mut sorted: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, Rule::ALL.iter().map(|r| r.id()).collect::<Vec<_>>());
    let mut sorted: Vec<&str> = Policy::ALL.iter().map(|p| p.id()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted,
        Policy::ALL.iter().map(|p| p.id()).collect::<Vec<_>>()
    );
}

#[test]
fn human_output_names_rules_and_affected_definitions_at_file_line() {
    let dir = fixture("diff").join("attribute-type-changed");
    let run = handoff(&dir, &["diff", "--against", "old.toml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "breaking[attribute-type-changed]: `reason` of `org.example.order.cancelled` changed from string to integer\n  --> subjects.toml:"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "= affects definitions/example.on-cancel.yaml:9:10: `example.on-cancel` reads event.attributes.reason"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  --> subjects.toml:56:1\n   |\n56 | [subjects.attributes.reason]\n   |\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("error[major-bump-required]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("set `version = \"2.0\"`"),
        "{}",
        run.stdout
    );
}

#[test]
fn github_and_markdown_formats() {
    let dir = fixture("diff").join("enum-value-removed");
    let run = handoff(
        &dir,
        &["diff", "--against", "old.toml", "--format", "github"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with(
            "::warning file=subjects.toml,line=30,col=1,title=breaking [enum-value-removed]::`status` of `org.example.order.placed` can no longer be `paid`%0Aaffects definitions/example.follow-up.yaml:9:37"
        ),
        "{}",
        run.stdout
    );
    // Each affected definition is annotated where it reads the change.
    assert!(
        run.stdout.contains(
            "\n::warning file=definitions/example.follow-up.yaml,line=9,col=37,title=affected by breaking [enum-value-removed]::`example.follow-up` reads event.attributes.status == \"paid\": "
        ),
        "{}",
        run.stdout
    );
    // A removal is in the old registry, no file of the checkout: a general annotation.
    let dir = fixture("diff").join("removed-without-deprecation");
    let run = handoff(
        &dir,
        &["diff", "--against", "old.toml", "--format", "github"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("::warning title=breaking [subject-removed]::subject `org.example.order.cancelled` was removed%0A"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("%0A(in old.toml at line 44)\n"),
        "{}",
        run.stdout
    );
    let dir = fixture("diff").join("major-bump-required");
    let run = handoff(
        &dir,
        &["diff", "--against", "old.toml", "--format", "github"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "::error file=subjects.toml,line=2,col=1,title=handoff diff [major-bump-required]::"
        ),
        "{}",
        run.stdout
    );
    let run = handoff(
        &dir,
        &["diff", "--against", "old.toml", "--format", "markdown"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("### handoff diff\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("❌ **The version policy is not met:**"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("| breaking | `enum-value-removed` | `status` of `org.example.order.placed` can no longer be `paid` | `subjects.toml:30` |"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "`definitions/example.follow-up.yaml:9` (event.attributes.status == \"paid\")"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn extra_definition_folders_are_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture("diff").join("attribute-removed");
    std::fs::copy(dir.join("old.toml"), tmp.path().join("old.toml")).unwrap();
    std::fs::copy(dir.join("subjects.toml"), tmp.path().join("subjects.toml")).unwrap();
    copy_tree(&dir.join("definitions"), &tmp.path().join("elsewhere"));
    let run = handoff(tmp.path(), &["diff", "--against", "old.toml"]);
    assert!(!run.stdout.contains("affects"), "{}", run.stdout);
    let run = handoff(
        tmp.path(),
        &[
            "diff",
            "--against",
            "old.toml",
            "--definitions",
            "elsewhere",
        ],
    );
    assert!(
        run.stdout
            .contains("= affects elsewhere/example.follow-up.yaml:9:51"),
        "{}",
        run.stdout
    );
    let run = handoff(
        tmp.path(),
        &["diff", "--against", "old.toml", "--definitions", "nowhere"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--definitions nowhere: no such folder"),
        "{}",
        run.stderr
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn against_a_git_revision_reads_the_registry_there() {
    let tmp = common::repo_copy();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "v1.0"]);
    // Clean against HEAD.
    let run = handoff(dir, &["diff", "--against", "HEAD"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 changes"), "{}", run.stdout);
    // An uncommitted breaking edit: `slug` becomes an integer.
    let path = dir.join("subjects.toml");
    let text = read(&path)
        .replace(
            "[subjects.attributes.slug]\ntype = \"string\"",
            "[subjects.attributes.slug]\ntype = \"integer\"",
        )
        .replace("example = \"the-custodian/state-hub\"", "example = 7");
    std::fs::write(&path, text).unwrap();
    let run = handoff(dir, &["diff", "--against", "HEAD", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["against"], "subjects.toml@HEAD");
    assert_eq!(json["changes"][0]["rule"], "attribute-type-changed");
    assert_eq!(json["changes"][0]["class"], "breaking");
    assert_eq!(json["violations"][0]["rule"], "major-bump-required");
    // The explicit revision:path form, from a subfolder via --registry.
    std::fs::create_dir(dir.join("sub")).unwrap();
    let run = handoff(
        &dir.join("sub"),
        &[
            "--registry",
            "../subjects.toml",
            "diff",
            "--against",
            "HEAD:subjects.toml",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("against HEAD:subjects.toml"),
        "{}",
        run.stdout
    );
    // Neither a file nor a revision: a usage error naming it.
    let run = handoff(dir, &["diff", "--against", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("`no-such-branch` is not a file"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_old_registry_is_reported_not_compared() {
    let tmp = common::repo_copy();
    std::fs::write(tmp.path().join("old.toml"), "version = \"1.0\"\n[stream\n").unwrap();
    let run = handoff(tmp.path(), &["diff", "--against", "old.toml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("toml-syntax"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the old registry (old.toml) has errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn deprecation_keys_are_checked_and_their_suggestions_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let base = read(&fixture("diff").join("attribute-deprecated/subjects.toml"));
    // `replaced_by` naming no attribute of the subject, and a reason without `deprecated`.
    let bad = base
        .replace(
            "deprecated_reason = \"Notes move to the order itself.\"",
            "deprecated_reason = \"Notes move to the order itself.\"\nreplaced_by = \"order_idd\"",
        )
        .replace(
            "fires = \"After the order commits.\"",
            "fires = \"After the order commits.\"\ndeprecated_reason = \"why\"",
        );
    std::fs::write(tmp.path().join("subjects.toml"), &bad).unwrap();
    let run = handoff(tmp.path(), &["validate", "--no-freshness"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "error[invalid-value]: `replaced_by` of attribute `note` names `order_idd`, which is not another attribute of this subject"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("help: did you mean `order_id`?"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("error[missing-field]: `deprecated_reason` and `replaced_by` need `deprecated = \"<version>\"`"),
        "{}",
        run.stdout
    );
    // The suggestion applied (and the stray reason removed): clean.
    let good = bad
        .replace("replaced_by = \"order_idd\"", "replaced_by = \"order_id\"")
        .replace("\ndeprecated_reason = \"why\"", "");
    std::fs::write(tmp.path().join("subjects.toml"), good).unwrap();
    let run = handoff(tmp.path(), &["validate", "--no-freshness"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // A subject's replacement must be another registered subject.
    let bad = base.replace(
        "fires = \"After the order commits.\"",
        "fires = \"After the order commits.\"\ndeprecated = \"1.1\"\ndeprecated_reason = \"x\"\nreplaced_by = \"org.example.order.placed\"",
    );
    std::fs::write(tmp.path().join("subjects.toml"), bad).unwrap();
    let run = handoff(tmp.path(), &["validate", "--no-freshness"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("names `org.example.order.placed`, which is not another registered subject"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("did you mean `org.example.order.cancelled`?"),
        "{}",
        run.stdout
    );
}

/// Seeded edits of this repository's registry (values swapped, lines deleted or duplicated):
/// every version that still loads is diffed both ways and rendered in every format, never
/// panicking, and every change names a known rule.
#[test]
fn mutated_registries_diff_without_panics() {
    use handoff::diff::render::{Format, render};
    use handoff::source::SourceFile;
    let text = read(&repo().join("subjects.toml"));
    let lines: Vec<&str> = text.lines().collect();
    let (base, _) = handoff::registry::load(SourceFile::new("subjects.toml", text.clone()));
    let base = base.unwrap();
    let definitions = [
        repo().join("definitions"),
        fixture("diff/attribute-removed/definitions"),
    ];
    let mut state: u64 = 0x5eed_d1ff;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let swaps = [
        ("\"string\"", "\"integer\""),
        ("required = true", "required = false"),
        ("required = false", "required = true"),
        ("\"org.>\"", "\"org.statehub.repo.>\""),
        ("version = \"1.0\"", "version = \"2.0\""),
        ("\"accepted\", ", ""),
        ("30d", "1d"),
        ("limits", "interest"),
    ];
    let mut loaded = 0;
    for _ in 0..200 {
        let mut ls: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + next(3) {
            let i = next(ls.len());
            match next(3) {
                0 => {
                    ls.remove(i);
                }
                1 => {
                    let l = ls[next(ls.len())].clone();
                    ls.insert(i, l);
                }
                _ => {
                    let (a, b) = swaps[next(swaps.len())];
                    ls[i] = ls[i].replacen(a, b, 1);
                }
            }
        }
        let mutated = ls.join("\n");
        let (Some(reg), _) = handoff::registry::load(SourceFile::new("new.toml", mutated)) else {
            continue;
        };
        loaded += 1;
        for (old, new) in [(&base, &reg), (&reg, &base)] {
            let report = handoff::diff::diff("old".into(), old, new, &definitions);
            for c in &report.changes {
                assert_eq!(Rule::from_id(c.rule.id()), Some(c.rule));
            }
            for f in [
                Format::Human,
                Format::Json,
                Format::Github,
                Format::Markdown,
            ] {
                assert!(!render(f, &report).is_empty());
            }
        }
    }
    assert!(loaded > 50, "only {loaded} mutations loaded");
}

#[test]
fn a_renamed_attribute_is_a_removal_with_a_rename_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let old = read(&fixture("diff").join("attribute-removed/old.toml"));
    std::fs::write(tmp.path().join("old.toml"), &old).unwrap();
    let new = old
        .replace("[subjects.attributes.note]", "[subjects.attributes.notes]")
        .replace(
            "version = \"1.0\"\nsubject_prefix",
            "version = \"2.0\"\nsubject_prefix",
        );
    std::fs::write(tmp.path().join("subjects.toml"), new).unwrap();
    let run = handoff(
        tmp.path(),
        &["diff", "--against", "old.toml", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["attribute-removed", "attribute-added-optional"]);
    assert_eq!(
        json["changes"][0]["message"],
        "attribute `note` was removed from `org.example.order.placed`; `notes` (added, also string) looks like its new name"
    );
    assert_eq!(json["violations"][0]["rule"], "removed-without-deprecation");
}
