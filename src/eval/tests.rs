//! Every example of docs/activity-definition.md's rule section, and the hidden-case shapes of
//! issue 13 (thresholds, enums, `has()` guards, missing context, cron-only definitions).

use super::*;
use crate::registry::{self, Registry};
use crate::source::SourceFile;
use serde_json::json;

fn registry() -> Registry {
    let file = SourceFile::new("subjects.toml", include_str!("../../subjects.toml"));
    registry::load(file)
        .0
        .expect("the repository's registry loads")
}

/// Evaluates `when` on `subject`'s example event with `attrs` overriding the examples (`null`
/// removes one), or on a cron fire when `subject` is `None`.
fn run(when: &str, requires: &[&str], subject: Option<&str>, attrs: J, context: J) -> Outcome {
    let reg = registry();
    let requires: Vec<String> = requires.iter().map(|s| s.to_string()).collect();
    let rule = Rule::compile(when, &requires).expect("compiles");
    let event = match subject {
        Some(name) => {
            let s = reg.subject(name).expect("registered subject");
            let attrs = attrs.as_object().cloned().unwrap_or_default();
            EventValue::from_envelope(&example_envelope(&reg, s, &attrs, None), Some(s))
        }
        None => EventValue::cron_fire(),
    };
    let context: BTreeMap<String, J> = context
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    rule.evaluate(Some(&event), &ContextValues::new(context))
}

const HEALTH: &str = r#"context["state-hub.health"].status == "ok""#;

#[test]
fn health_rule_fires_skips_and_skips_cleanly() {
    let req = &["state-hub.health"];
    let ok = json!({"state-hub.health": {"status": "ok"}});
    let degraded = json!({"state-hub.health": {"status": "degraded"}});
    assert_eq!(run(HEALTH, req, None, json!({}), ok), Outcome::Fires);
    assert_eq!(run(HEALTH, req, None, json!({}), degraded), Outcome::Skips);
    assert_eq!(
        run(HEALTH, req, None, json!({}), json!({})),
        Outcome::MissingContext("state-hub.health".into())
    );
}

#[test]
fn an_unrequired_absent_context_is_an_error_not_false() {
    let got = run(HEALTH, &[], None, json!({}), json!({}));
    assert_eq!(got, Outcome::Error("no such key `state-hub.health`".into()));
}

#[test]
fn integer_thresholds() {
    let when = "event.attributes.stale_days >= 30";
    let s = Some("org.statehub.task.stale");
    assert_eq!(
        run(when, &[], s, json!({"stale_days": 45}), json!({})),
        Outcome::Fires
    );
    assert_eq!(
        run(when, &[], s, json!({"stale_days": 14}), json!({})),
        Outcome::Skips
    );
    assert_eq!(
        run(when, &[], s, json!({"stale_days": 30}), json!({})),
        Outcome::Fires
    );
}

#[test]
fn enum_comparisons() {
    let s = Some("org.statehub.decision.resolved");
    let when = r#"event.attributes.resolution in ["accepted", "superseded"]"#;
    assert_eq!(
        run(when, &[], s, json!({"resolution": "rejected"}), json!({})),
        Outcome::Skips
    );
    assert_eq!(
        run(when, &[], s, json!({"resolution": "superseded"}), json!({})),
        Outcome::Fires
    );
    let when = r#"event.attributes.resolution != "deferred""#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
}

#[test]
fn conjunction_of_enum_and_integer() {
    let when =
        r#"event.attributes.previous_status == "blocked" && event.attributes.open_task_count == 0"#;
    let s = Some("org.statehub.workstream.completed");
    let attrs = json!({"previous_status": "blocked", "open_task_count": 0});
    assert_eq!(run(when, &[], s, attrs, json!({})), Outcome::Fires);
    let attrs = json!({"previous_status": "active", "open_task_count": 0});
    assert_eq!(run(when, &[], s, attrs, json!({})), Outcome::Skips);
}

#[test]
fn has_guards_on_optional_attributes() {
    let s = Some("org.statehub.domain.goal.activated");
    let guarded = "has(event.attributes.priority) && event.attributes.priority <= 2";
    assert_eq!(
        run(guarded, &[], s, json!({"priority": null}), json!({})),
        Outcome::Skips
    );
    assert_eq!(
        run(guarded, &[], s, json!({"priority": 1}), json!({})),
        Outcome::Fires
    );
    assert_eq!(
        run(guarded, &[], s, json!({"priority": 4}), json!({})),
        Outcome::Skips
    );
    let unguarded = "event.attributes.priority <= 2";
    assert_eq!(
        run(unguarded, &[], s, json!({"priority": null}), json!({})),
        Outcome::Error("no such key `priority`".into())
    );
}

#[test]
fn timestamps_compare_as_timestamps() {
    let s = Some("org.statehub.workstream.completed");
    let when = r#"event.attributes.completed_at > timestamp("2026-11-01T00:00:00Z")"#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
    let when = r#"event.attributes.completed_at > timestamp("2026-12-01T00:00:00Z")"#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Skips);
    let when = r#"event.timestamp < timestamp("2027-01-01T00:00:00Z")"#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
    let when = r#"event.attributes.completed_at > "2026-11-01T00:00:00Z""#;
    match run(when, &[], s, json!({}), json!({})) {
        Outcome::Error(m) => assert_eq!(
            m,
            "found no matching overload for '_>_' applied to '(timestamp, string)'; timestamp attributes are timestamps: compare them with timestamp(\"2026-01-01T00:00:00Z\")"
        ),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn uuids_are_strings_and_string_methods_work() {
    let s = Some("org.statehub.repo.registered");
    let when = r#"event.attributes.slug.startsWith("the-custodian/")"#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
    let when = r#"event.attributes.repo_id == "5d1c2f0e-8a4b-4c37-9d0e-2f6b1a7c3e91""#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
    let when = r#"event.attributes.slug.matches("^the-custodian/")"#;
    assert_eq!(run(when, &[], s, json!({}), json!({})), Outcome::Fires);
}

#[test]
fn negated_presence_or_context() {
    let when =
        r#"!has(event.attributes.workstream_id) || context["state-hub.health"].status != "down""#;
    let s = Some("org.statehub.task.stale");
    let down = json!({"state-hub.health": {"status": "down"}});
    let req = &["state-hub.health"];
    assert_eq!(
        run(when, req, s, json!({"workstream_id": null}), down.clone()),
        Outcome::Fires
    );
    assert_eq!(run(when, req, s, json!({}), down), Outcome::Skips);
}

#[test]
fn cron_only_definitions() {
    assert_eq!(run("true", &[], None, json!({}), json!({})), Outcome::Fires);
    assert_eq!(
        run("false", &[], None, json!({}), json!({})),
        Outcome::Skips
    );
    // A cron fire has no attributes: guarded reads are false, unguarded ones errors.
    let guarded = "has(event.attributes.priority) && event.attributes.priority <= 2";
    assert_eq!(
        run(guarded, &[], None, json!({}), json!({})),
        Outcome::Skips
    );
    assert_eq!(
        run(
            "event.attributes.priority <= 2",
            &[],
            None,
            json!({}),
            json!({})
        ),
        Outcome::Error("no such key `priority`".into())
    );
}

#[test]
fn a_result_that_is_not_a_bool_is_an_error() {
    let got = run("1 + 2", &[], None, json!({}), json!({}));
    assert_eq!(
        got,
        Outcome::Error("`rule.when` evaluated to int 3, not a bool".into())
    );
    match run(r#"1 == "1" && true"#, &[], None, json!({}), json!({})) {
        Outcome::Error(_) | Outcome::Skips => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_expressions_are_refused_not_run() {
    let deep = format!("{}true{}", "(".repeat(60), ")".repeat(60));
    assert!(Rule::compile(&deep, &[]).is_err());
    let long = format!("true{}", " && true".repeat(1000));
    assert!(Rule::compile(&long, &[]).is_err());
    let nested = "[1,2].all(a, [1,2].all(b, [1,2].all(c, a + b + c > 0)))";
    let err = Rule::compile(nested, &[]).unwrap_err();
    assert!(err.0.contains("comprehensions"), "{err}");
    assert!(Rule::compile("[1,2].all(a, [1,2].exists(b, a < b))", &[]).is_ok());
    assert!(Rule::compile("event.attributes.x ==", &[]).is_err());
}

#[test]
fn explain_lists_operands_and_paths() {
    let reg = registry();
    let s = reg.subject("org.statehub.workstream.completed").unwrap();
    let when =
        r#"event.attributes.previous_status == "blocked" && event.attributes.open_task_count == 0"#;
    let rule = Rule::compile(when, &[]).unwrap();
    let event = EventValue::from_envelope(
        &example_envelope(&reg, s, &Default::default(), None),
        Some(s),
    );
    let parts = rule.explain(Some(&event), &ContextValues::default());
    assert_eq!(
        parts,
        vec![
            (
                r#"event.attributes.previous_status == "blocked""#.to_string(),
                "false".to_string()
            ),
            (
                "event.attributes.open_task_count == 0".to_string(),
                "true".to_string()
            ),
            (
                "event.attributes.previous_status".to_string(),
                "\"active\"".to_string()
            ),
            (
                "event.attributes.open_task_count".to_string(),
                "0".to_string()
            ),
        ]
    );
}

#[test]
fn logical_operands_split_at_the_top_level_only() {
    assert_eq!(logical_operands("a && (b || c)"), vec!["a", "(b || c)"]);
    assert_eq!(logical_operands("!(a || b)"), vec!["a", "b"]);
    assert_eq!(
        logical_operands(r#"x == "&&" || y"#),
        vec![r#"x == "&&""#, "y"]
    );
    assert_eq!(logical_operands("a ? b && c : d"), vec!["a ? b && c : d"]);
    assert_eq!(logical_operands("(a) && (b)"), vec!["(a)", "(b)"]);
}

#[test]
fn the_deepest_accepted_expression_evaluates_on_a_small_stack() {
    // Just inside the limits: brackets 40 deep and the tree under MAX_DEPTH levels.
    let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let chain = format!("1 < 2{}", " && 1 < 2".repeat(20));
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024) // a tokio worker's default
        .spawn(move || {
            let mut outcomes = Vec::new();
            for src in [deep, chain] {
                let rule = Rule::compile(&src, &[]).expect("within the limits");
                outcomes
                    .push(rule.evaluate(Some(&EventValue::cron_fire()), &ContextValues::default()));
            }
            outcomes
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), vec![Outcome::Fires, Outcome::Fires]);
}

/// The rules the fast path and the interpreter are compared on.
const AGREEMENT_EXPRESSIONS: &[&str] = &[
    // In the fast subset.
    r#"context["state-hub.health"].status == "ok""#,
    "event.attributes.stale_days >= 30",
    "30 <= event.attributes.stale_days",
    "event.attributes.stale_days != 45 || event.attributes.stale_days < 0",
    r#"event.attributes.resolution in ["accepted", "superseded"]"#,
    r#"event.attributes.previous_status == "blocked" && event.attributes.open_task_count == 0"#,
    "has(event.attributes.priority) && event.attributes.priority <= 2",
    "!has(event.attributes.workstream_id) || event.attributes.stale_days > 10",
    "event.attributes.priority <= 2",
    r#"event.attributes.completed_at > timestamp("2026-11-01T00:00:00Z")"#,
    r#"event.timestamp < timestamp("2027-01-01T00:00:00Z")"#,
    r#"event.attributes.completed_at > "2026-11-01T00:00:00Z""#,
    "event.attributes.stale_days == 45.0",
    "event.attributes.stale_days == 45u",
    r#"event.attributes.stale_days == "45""#,
    r#"event.attributes.slug == "the-custodian/state-hub""#,
    r#"event.attributes.slug < "u""#,
    "context.flag",
    "context.flag == true",
    "context.flag != false && context.n > 2",
    "context.n > 2.5",
    "context.n >= 2",
    "context.n == 3.0",
    "context.n != 2.5",
    "context.n < 3u",
    "context.big == 9007199254740993",
    "context.big > 9007199254740992.0",
    "context.n in [1, 2, 3]",
    r#"context.n in [1, "3"]"#,
    "context.missing == 1 || true",
    "true || context.missing == 1",
    "false && context.missing == 1",
    "context.missing == 1 && false",
    "has(context.nested.x)",
    "has(context.absent.x)",
    "event.attributes.x",
    "!context.n",
    "true",
    "false",
    // Outside it (always the interpreter).
    "event.attributes.slug.startsWith(\"the-\")",
    "event.attributes.stale_days + 1 > 45",
    "size(event.attributes) > 2",
];

/// The fast path gives what the interpreter gives, on every shape it takes and on the values
/// that make it hand over (missing keys, mixed types, nulls, non-bools).
#[test]
fn the_fast_path_agrees_with_the_interpreter() {
    let reg = registry();
    let contexts = [
        json!({}),
        json!({"state-hub.health": {"status": "ok"}, "flag": true, "n": 3, "nested": {"x": 1}, "big": 9007199254740993_i64}),
        json!({"state-hub.health": {"status": "down"}, "flag": false, "n": 2.5, "nested": {}, "big": 9007199254740992.0}),
        json!({"state-hub.health": null, "flag": "yes", "n": null, "nested": 1}),
    ];
    let mut events = vec![EventValue::cron_fire()];
    for (subject, attrs) in [
        ("org.statehub.task.stale", json!({"stale_days": 45})),
        (
            "org.statehub.task.stale",
            json!({"stale_days": 3, "workstream_id": null}),
        ),
        (
            "org.statehub.domain.goal.activated",
            json!({"priority": null}),
        ),
        ("org.statehub.domain.goal.activated", json!({"priority": 1})),
        (
            "org.statehub.decision.resolved",
            json!({"resolution": "superseded"}),
        ),
        (
            "org.statehub.workstream.completed",
            json!({"previous_status": "blocked", "open_task_count": 0}),
        ),
        ("org.statehub.repo.registered", json!({})),
    ] {
        let s = reg.subject(subject).unwrap();
        let env = example_envelope(&reg, s, attrs.as_object().unwrap(), None);
        events.push(EventValue::from_envelope(&env, Some(s)));
    }
    let mut decided = 0;
    for &expr in AGREEMENT_EXPRESSIONS {
        let rule = Rule::compile(expr, &[]).unwrap();
        for ctx in &contexts {
            let ctx: BTreeMap<String, J> = ctx
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let ctx = ContextValues::new(ctx);
            for (i, event) in events.iter().enumerate() {
                let interpreted = rule.evaluate_interpreted(Some(event), &ctx);
                assert_eq!(
                    rule.evaluate(Some(event), &ctx),
                    interpreted,
                    "{expr} on event {i}"
                );
                if let Some(f) = &rule.fast {
                    let (ev, cx) = (Some(event.0.as_ref()), ctx.value.as_ref());
                    let mut resolve = |i: usize| fast::resolve(&f.paths[i], ev, cx);
                    if fast::eval(&f.expr, &mut resolve).is_some() {
                        decided += 1;
                    }
                }
            }
        }
    }
    // The fast path decided most of them (and the rest fell back).
    assert!(decided > 300, "{decided}");
    for outside in [
        "event.attributes.slug.startsWith(\"the-\")",
        "size(event.attributes) > 2",
    ] {
        assert!(Rule::compile(outside, &[]).unwrap().fast.is_none());
    }
    for inside in [
        HEALTH,
        "has(event.attributes.priority) && event.attributes.priority <= 2",
    ] {
        assert!(Rule::compile(inside, &[]).unwrap().fast.is_some());
    }
}

/// A `number` attribute is bound as a CEL double whether the event carries `3` or `2.5`, so
/// comparing it with an int or a double literal works (CEL compares numbers across types), as
/// the linter's typing says, on the fast path and in the interpreter alike.
#[test]
fn number_attributes_compare_with_int_and_double_literals() {
    let text = include_str!("../../subjects.toml").replace(
        "[subjects.attributes.stale_days]",
        "[subjects.attributes.ratio]\ntype = \"number\"\nrequired = true\ndescription = \"r\"\nexample = 0.5\n\n[subjects.attributes.stale_days]",
    );
    let reg = registry::load(SourceFile::new("subjects.toml", text))
        .0
        .expect("loads");
    let s = reg.subject("org.statehub.task.stale").unwrap();
    let eval = |when: &str, ratio: J| {
        let attrs = json!({ "ratio": ratio });
        let env = example_envelope(&reg, s, attrs.as_object().unwrap(), None);
        let event = EventValue::from_envelope(&env, Some(s));
        let rule = Rule::compile(when, &[]).expect("compiles");
        rule.evaluate(Some(&event), &ContextValues::new(BTreeMap::new()))
    };
    for (when, ratio, want) in [
        ("event.attributes.ratio > 2", json!(3), Outcome::Fires),
        ("event.attributes.ratio > 2", json!(2.5), Outcome::Fires),
        ("event.attributes.ratio > 2", json!(1.5), Outcome::Skips),
        ("event.attributes.ratio == 3", json!(3), Outcome::Fires),
        ("event.attributes.ratio == 3.0", json!(3), Outcome::Fires),
        ("event.attributes.ratio >= 0.25", json!(0), Outcome::Skips),
        ("event.attributes.ratio < 1u", json!(0.5), Outcome::Fires),
        (
            "event.attributes.ratio in [1, 2.5]",
            json!(2.5),
            Outcome::Fires,
        ),
        (
            "2 < event.attributes.ratio && event.attributes.ratio <= 4",
            json!(4),
            Outcome::Fires,
        ),
    ] {
        assert_eq!(eval(when, ratio.clone()), want, "{when} with {ratio}");
    }
    // The fast path decides a number against an int literal itself (no interpreter).
    let env = example_envelope(&reg, s, &serde_json::Map::new(), None);
    let event = EventValue::from_envelope(&env, Some(s));
    let ctx = ContextValues::new(BTreeMap::new());
    for (when, want) in [
        ("event.attributes.ratio > 0", true),
        ("event.attributes.ratio == 1", false),
    ] {
        let rule = Rule::compile(when, &[]).unwrap();
        let f = rule.fast.as_ref().expect("in the fast subset");
        let (ev, cx) = (Some(event.0.as_ref()), ctx.value.as_ref());
        let mut resolve = |i: usize| fast::resolve(&f.paths[i], ev, cx);
        assert_eq!(fast::eval(&f.expr, &mut resolve), Some(want), "{when}");
    }
}
