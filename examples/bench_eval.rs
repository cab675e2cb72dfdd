//! The rule-evaluation benchmark: the two rule shapes `scripts/bench-validate` generates,
//! evaluated on one thread with handoff's evaluator (`handoff::eval`), against events with varying
//! attributes. `scripts/bench-eval` runs it in release mode and prints the figures. Measures, in
//! one run:
//!
//! - `evaluate`: `Rule::evaluate` on an already converted event (what `tap --match` pays per
//!   triggered definition); `interpreter only`: the same without the fast path;
//! - `convert+evaluate`: converting the parsed envelope to CEL values too (once per event);
//! - `parse+convert+evaluate`: from the JSON payload bytes (what one envelope costs with one
//!   triggered definition);
//! - `Matcher`, 100 definitions on one subject: every definition evaluated per envelope.
//!
//!     cargo run --release --example bench_eval -- [N]

use std::collections::BTreeMap;
use std::time::Instant;

use handoff::eval::{ContextValues, EventValue, Rule, example_envelope};
use handoff::registry;
use handoff::source::SourceFile;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// bench-validate's registry shape: `n` subjects, each with the same four attributes.
fn registry_text(n: usize) -> String {
    let mut s = String::from(
        "version = \"1.0\"\nsubject_prefix = \"org.statehub\"\n[stream]\nname = \"ACTIVITY_EVENTS\"\nsubjects = [\"org.>\"]\nmax_age = \"30d\"\n[envelope]\nversion = \"1.0\"\npublisher = \"state-hub\"\n[contexts.\"state-hub.health\"]\ndescription = \"Hub health.\"\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            r#"[[subjects]]
subject = "org.statehub.entity{i}.changed"
since = "1.0"
summary = "Entity {i} changed."
trigger_site = "api/routers/e{i}.py:update"
fires = "After commit."
[subjects.attributes.id]
type = "uuid"
required = true
description = "Id."
example = "c0a8012e-5b7d-4e1f-a3c2-6d9e8f7a1b24"
[subjects.attributes.count]
type = "integer"
required = true
description = "Count."
example = 3
[subjects.attributes.status]
type = "enum"
values = ["open", "done", "failed"]
required = true
description = "Status."
example = "done"
[subjects.attributes.note]
type = "string"
required = false
description = "Note."
example = "x"
"#
        ));
    }
    s
}

/// The rule of bench-validate's definition with `threshold`, with the cron guard or without.
fn bench_rule(threshold: u32, guard: bool) -> String {
    let guard = if guard {
        "has(event.attributes.count) && "
    } else {
        ""
    };
    format!(
        r#"{guard}event.attributes.count > {threshold} && event.attributes.status == "done" && context["state-hub.health"].status == "ok""#
    )
}

fn rate(n: u64, t: Instant) -> f64 {
    n as f64 / t.elapsed().as_secs_f64()
}

const ROUNDS: usize = 5;

/// Runs `f(0..n)` once to warm up, then `ROUNDS` times: (best rate, median rate, a checksum).
fn measure(n: u64, mut f: impl FnMut(u64) -> u64) -> (f64, f64, u64) {
    let mut sum = 0;
    for i in 0..n / 10 {
        sum += f(i);
    }
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for i in 0..n {
            sum += f(i);
        }
        rates.push(rate(n, t));
    }
    rates.sort_by(|a, b| b.total_cmp(a));
    (rates[0], rates[ROUNDS / 2], sum)
}

#[allow(clippy::print_stdout)]
fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let reg = registry::load(SourceFile::new("subjects.toml", registry_text(100)))
        .0
        .expect("bench registry");
    let subject = &reg.subjects[0];
    let requires = vec!["state-hub.health".to_string()];
    let context = ContextValues::new(BTreeMap::from([(
        "state-hub.health".to_string(),
        serde_json::json!({"status": "ok"}),
    )]));
    // 64 events with different counts and statuses, converted once.
    let statuses = ["open", "done", "failed", "done"];
    let envelopes: Vec<serde_json::Value> = (0..64)
        .map(|i| {
            let attrs = serde_json::json!({"count": (i * 7) % 100, "status": statuses[i % 4]});
            example_envelope(&reg, subject, attrs.as_object().unwrap(), None)
        })
        .collect();
    let payloads: Vec<Vec<u8>> = envelopes
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap())
        .collect();
    let events: Vec<EventValue> = envelopes
        .iter()
        .map(|e| EventValue::from_envelope(e, Some(subject)))
        .collect();

    println!(
        "bench-eval: N={n} evaluations per figure, {ROUNDS} rounds each (best, median), one thread"
    );
    let mut fires = 0u64;
    for guard in [false, true] {
        let rule = Rule::compile(&bench_rule(42, guard), &requires).expect("compiles");
        let fired = |o: handoff::eval::Outcome| u64::from(o == handoff::eval::Outcome::Fires);
        let eval = measure(n, |i| {
            fired(rule.evaluate(Some(&events[(i % 64) as usize]), &context))
        });
        let interpreted = measure(n / 4, |i| {
            fired(rule.evaluate_interpreted(Some(&events[(i % 64) as usize]), &context))
        });
        let convert = measure(n / 4, |i| {
            let e = EventValue::from_envelope(&envelopes[(i % 64) as usize], Some(subject));
            fired(rule.evaluate(Some(&e), &context))
        });
        let parse = measure(n / 4, |i| {
            let j: serde_json::Value =
                serde_json::from_slice(&payloads[(i % 64) as usize]).unwrap();
            let e = EventValue::from_envelope(&j, Some(subject));
            fired(rule.evaluate(Some(&e), &context))
        });
        fires += eval.2 + interpreted.2 + convert.2 + parse.2;
        println!(
            "bench-eval: rule {}: evaluate {:.0}/s ({:.0}); interpreter only {:.0}/s ({:.0}); convert+evaluate {:.0}/s ({:.0}); parse+convert+evaluate {:.0}/s ({:.0})",
            if guard {
                "with has() guard (cron+event definitions)"
            } else {
                "without guard (event-only definitions)"
            },
            eval.0,
            eval.1,
            interpreted.0,
            interpreted.1,
            convert.0,
            convert.1,
            parse.0,
            parse.1
        );
    }
    assert!(fires > 0);

    // 100 definitions, as `tap --match` evaluates them per envelope: all on one subject (every
    // envelope triggers all 100), or spread one per subject (bench-validate's shape: an envelope
    // triggers one).
    let definitions = |spread: bool| -> Vec<(String, handoff::definition::Definition)> {
        (0..100)
            .map(|i| {
                let subject = if spread { i } else { 0 };
                let text = format!(
                    "apiVersion: activity-core/v1\nkind: ActivityDefinition\nmetadata:\n  name: bench.definition-{i}\ntrigger:\n  events:\n    - org.statehub.entity{subject}.changed\nrule:\n  when: '{}'\n  requires:\n    - state-hub.health\ninstruction:\n  shell:\n    command: /bin/true\n",
                    bench_rule(i, i % 2 == 0)
                );
                let file = SourceFile::new(format!("bench.definition-{i}.yaml"), text);
                let def = handoff::definition::parse(&file).0.expect("definition");
                (file.path.clone(), def)
            })
            .collect()
    };
    let health = || {
        BTreeMap::from([(
            "state-hub.health".to_string(),
            serde_json::json!({"status": "ok"}),
        )])
    };
    let subjects: Vec<String> = (0..100)
        .map(|i| format!("org.statehub.entity{i}.changed"))
        .collect();
    for spread in [false, true] {
        let matcher = handoff::matching::Matcher::new(&reg, definitions(spread), health());
        let m = if spread { n / 4 } else { (n / 100).max(1000) };
        let (best, median, verdicts) = measure(m, |i| {
            let subject = &subjects[if spread { (i % 100) as usize } else { 0 }];
            matcher
                .evaluate(&reg, subject, &payloads[(i % 64) as usize])
                .verdicts
                .len() as u64
        });
        println!(
            "bench-eval: Matcher, 100 definitions {}: {best:.0} envelopes/s ({median:.0}) ({verdicts} verdicts)",
            if spread {
                "one per subject, envelopes over 100 subjects (1 evaluation each)"
            } else {
                "all on one subject (100 evaluations per envelope)"
            }
        );
    }
}
