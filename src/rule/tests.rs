//! Unit tests of the rule analysis.

use super::*;

fn paths(expr: &str) -> Vec<PathUse> {
    // Where the quick parser takes the expression, its analysis is the `cel` parser's.
    super::quick_tests::check(expr);
    match analyze(expr) {
        Ok(a) => a.paths,
        Err(f) => panic!("{expr:?} did not parse: {f:?}"),
    }
}

fn dotted(uses: &[PathUse]) -> Vec<String> {
    uses.iter().map(|u| u.path.join("|")).collect()
}

fn text<'a>(expr: &'a str, span: &Range<usize>) -> &'a str {
    &expr[span.clone()]
}

fn syntax_error(expr: &str) -> Finding {
    assert!(
        !super::quick_tests::check(expr),
        "{expr:?} accepted by the quick parser"
    );
    match analyze(expr) {
        Ok(a) => panic!("{expr:?} parsed: {a:?}"),
        Err(f) => f,
    }
}

#[test]
fn simple_select_chain_with_comparison() {
    let e = r#"event.attributes.status == "done""#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|status"]);
    assert_eq!(text(e, &p[0].span), "event.attributes.status");
    assert!(!p[0].presence_test);
    let c = &p[0].compared_with;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].op, "==");
    assert_eq!(c[0].literal_type, ValueType::String);
    assert_eq!(c[0].literal_text, "\"done\"");
    assert_eq!(text(e, &c[0].span), "\"done\"");
    assert_eq!(attribute_name(&p[0].path), Some("status"));
    assert_eq!(context_name(&p[0].path), None);
}

#[test]
fn string_index_access() {
    let e = r#"event.attributes["retry-count"] >= 3 && event["type"] != 'x'"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|retry-count", "event|type"]);
    assert_eq!(text(e, &p[0].span), r#"event.attributes["retry-count"]"#);
    assert_eq!(text(e, &p[1].span), r#"event["type"]"#);
    assert_eq!(attribute_name(&p[0].path), Some("retry-count"));
    let c = &p[0].compared_with[0];
    assert_eq!((c.op.as_str(), c.literal_type), (">=", ValueType::Int));
    assert_eq!(text(e, &c.span), "3");
    let c = &p[1].compared_with[0];
    assert_eq!((c.op.as_str(), c.literal_type), ("!=", ValueType::String));
    assert_eq!(c.literal_text, "'x'");
}

#[test]
fn index_with_spaces_and_brackets_inside_the_key() {
    let e = r#"event.attributes[ "a]b" ].x == 1"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|a]b|x"]);
    assert_eq!(text(e, &p[0].span), r#"event.attributes[ "a]b" ].x"#);
}

#[test]
fn non_literal_index_ends_the_path() {
    let e = r#"event.attributes[event.type] == "a" && event.attributes[0] == 1"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        ["event|attributes", "event|type", "event|attributes"]
    );
    assert!(p.iter().all(|u| u.compared_with.is_empty()));
    assert_eq!(text(e, &p[0].span), "event.attributes");
    assert_eq!(text(e, &p[1].span), "event.type");
}

#[test]
fn in_list_literals() {
    let e = r#"event.attributes.status in ["done", 'failed', 3, -2.5, null]"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|status"]);
    let c = &p[0].compared_with;
    let got: Vec<_> = c
        .iter()
        .map(|c| (c.op.as_str(), c.literal_type, text(e, &c.span)))
        .collect();
    assert_eq!(
        got,
        [
            ("in", ValueType::String, "\"done\""),
            ("in", ValueType::String, "'failed'"),
            ("in", ValueType::Int, "3"),
            ("in", ValueType::Double, "-2.5"),
            ("in", ValueType::Null, "null"),
        ]
    );
}

#[test]
fn in_map_literal_compares_with_keys() {
    let e = r#"event.attributes.level in {"low": 1, 2: "x"}"#;
    let p = paths(e);
    let got: Vec<_> = p[0]
        .compared_with
        .iter()
        .map(|c| (c.literal_type, text(e, &c.span)))
        .collect();
    assert_eq!(got, [(ValueType::String, "\"low\""), (ValueType::Int, "2")]);
}

#[test]
fn in_with_a_path_on_the_right_is_a_plain_read() {
    let e = r#""x" in event.attributes.tags"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|tags"]);
    assert!(p[0].compared_with.is_empty());
}

#[test]
fn string_methods_imply_string() {
    let e = r#"event.attributes.name.startsWith("web-") || event.attributes.name.matches('^a') || size(event.attributes.list) > 0"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        [
            "event|attributes|name",
            "event|attributes|name",
            "event|attributes|list"
        ]
    );
    let c = &p[0].compared_with;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].op.as_str(), c[0].literal_type),
        ("startsWith", ValueType::String)
    );
    assert_eq!(text(e, &c[0].span), "startsWith");
    assert_eq!(p[1].compared_with[0].op, "matches");
    assert_eq!(text(e, &p[1].compared_with[0].span), "matches");
    // size() implies nothing, but `size(..) > 0` is not a comparison of the path either.
    assert!(p[2].compared_with.is_empty());
    assert_eq!(text(e, &p[2].span), "event.attributes.list");
}

#[test]
fn string_method_argument_and_chained_receiver() {
    let e = r#""prefix-abc".endsWith(event.attributes.suffix) && event.attributes.a.lowerAscii().contains("x")"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        ["event|attributes|suffix", "event|attributes|a"]
    );
    assert_eq!(p[0].compared_with[0].op, "endsWith");
    assert_eq!(text(e, &p[0].compared_with[0].span), "endsWith");
    assert_eq!(p[1].compared_with[0].op, "lowerAscii");
    assert_eq!(text(e, &p[1].compared_with[0].span), "lowerAscii");
    assert_eq!(p[1].compared_with.len(), 1);
}

#[test]
fn has_is_a_presence_test() {
    let e = r#"has(event.attributes.owner) && event.attributes.owner != "" "#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        ["event|attributes|owner", "event|attributes|owner"]
    );
    assert!(p[0].presence_test);
    assert_eq!(text(e, &p[0].span), "event.attributes.owner");
    assert!(!p[1].presence_test);
    assert_eq!(p[1].compared_with[0].literal_text, "\"\"");
}

/// The guards of each non-`has` read of `event.attributes.<name>`, as dotted paths.
fn guards_of(expr: &str, name: &str) -> Vec<Vec<String>> {
    paths(expr)
        .into_iter()
        .filter(|p| !p.presence_test && attribute_name(&p.path) == Some(name))
        .map(|p| p.guards.iter().map(|g| g.join(".")).collect())
        .collect()
}

#[test]
fn a_has_test_guards_only_where_it_is_known_true() {
    let x = || vec!["event.attributes.x".to_string()];
    let none: Vec<String> = Vec::new();
    for (expr, expected) in [
        // The right of && when the left is true; the right of || when the left is false.
        (
            "has(event.attributes.x) && event.attributes.x == 1",
            vec![x()],
        ),
        (
            "!has(event.attributes.x) || event.attributes.x == 1",
            vec![x()],
        ),
        (
            "has(event.attributes.x) || event.attributes.x == 1",
            vec![none.clone()],
        ),
        (
            "!has(event.attributes.x) && event.attributes.x == 1",
            vec![none.clone()],
        ),
        // Not the left side, nor anything outside the operator.
        (
            "event.attributes.x == 1 && has(event.attributes.x)",
            vec![none.clone()],
        ),
        (
            "(has(event.attributes.x) && true) || event.attributes.x == 1",
            vec![none.clone()],
        ),
        (
            "(has(event.attributes.x) || true) && event.attributes.x == 1",
            vec![none.clone()],
        ),
        // Ternary branches.
        (
            "has(event.attributes.x) ? event.attributes.x == 1 : false",
            vec![x()],
        ),
        (
            "!has(event.attributes.x) ? true : event.attributes.x == 1",
            vec![x()],
        ),
        (
            "has(event.attributes.x) ? false : event.attributes.x == 1",
            vec![none.clone()],
        ),
        // Chains and nesting.
        (
            "has(event.attributes.y) && has(event.attributes.x) && event.attributes.x > 1",
            vec![vec![
                "event.attributes.y".to_string(),
                "event.attributes.x".to_string(),
            ]],
        ),
        (
            "!(has(event.attributes.x) && true) || event.attributes.x == 1",
            vec![x()],
        ),
        (
            "!(!has(event.attributes.x) || false) ? true : event.attributes.x == 1",
            vec![none.clone()],
        ),
        (
            "!(has(event.attributes.x) || has(event.attributes.y)) ? event.attributes.x == 1 : false",
            vec![none],
        ),
        (
            "!(has(event.attributes.y) || has(event.attributes.x)) ? false : event.attributes.x == 1",
            vec![Vec::new()],
        ),
    ] {
        assert_eq!(guards_of(expr, "x"), expected, "{expr}");
    }
}

#[test]
fn has_on_an_indexed_operand() {
    let e = r#"has(context["svc.health"].status)"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["context|svc.health|status"]);
    assert!(p[0].presence_test);
    assert_eq!(text(e, &p[0].span), r#"context["svc.health"].status"#);
}

#[test]
fn comprehension_variables_are_not_reported() {
    let e = r#"event.attributes.items.all(i, i.kind == "a" && event.attributes.n > 1) && [1, 2].exists(event, event > 1)"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|items", "event|attributes|n"]);
    assert_eq!(p[1].compared_with[0].literal_type, ValueType::Int);
}

#[test]
fn nested_comprehensions() {
    let e = r#"event.attributes.groups.exists(g, g.members.exists_one(m, m == event.attributes.owner && g.name.startsWith(context["dir"].prefix))) || event.attributes.xs.map(x, x * 2).filter(y, y > event.attributes.min).size() > 0"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        [
            "event|attributes|groups",
            "event|attributes|owner",
            "context|dir|prefix",
            "event|attributes|xs",
            "event|attributes|min"
        ]
    );
    // `g.name.startsWith(context["dir"].prefix)` implies the argument is a string.
    assert_eq!(p[2].compared_with[0].literal_type, ValueType::String);
    assert_eq!(text(e, &p[2].span), r#"context["dir"].prefix"#);
}

#[test]
fn shadowing_ends_with_the_comprehension() {
    let e = r#"[1].all(context, context > 0) && context["a"].ok == true"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["context|a|ok"]);
    assert_eq!(p[0].compared_with[0].literal_type, ValueType::Bool);
}

#[test]
fn logical_operators_combine_comparisons() {
    let e = r#"(event.attributes.status == "done" || event.attributes.status == "failed") && !(event.attributes.count < 10u) && 2.5 <= event.attributes.ratio"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        [
            "event|attributes|status",
            "event|attributes|status",
            "event|attributes|count",
            "event|attributes|ratio"
        ]
    );
    assert_eq!(p[0].compared_with[0].literal_text, "\"done\"");
    assert_eq!(p[1].compared_with[0].literal_text, "\"failed\"");
    let c = &p[2].compared_with[0];
    assert_eq!((c.op.as_str(), c.literal_type), ("<", ValueType::Uint));
    assert_eq!(text(e, &c.span), "10u");
    // The literal is on the left: seen from the path, the operator flips.
    let c = &p[3].compared_with[0];
    assert_eq!((c.op.as_str(), c.literal_type), (">=", ValueType::Double));
    assert_eq!(text(e, &c.span), "2.5");
}

#[test]
fn context_paths() {
    let e = r#"context["acme-billing.health"].status == "ok" && context.simple.flag"#;
    let p = paths(e);
    assert_eq!(
        dotted(&p),
        ["context|acme-billing.health|status", "context|simple|flag"]
    );
    assert_eq!(context_name(&p[0].path), Some("acme-billing.health"));
    assert_eq!(context_name(&p[1].path), Some("simple"));
    assert_eq!(attribute_name(&p[0].path), None);
    assert_eq!(
        text(e, &p[0].span),
        r#"context["acme-billing.health"].status"#
    );
}

#[test]
fn envelope_fields_and_bare_roots() {
    let e = r#"event.type == "job.done" && event.version > 1 && event != null"#;
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|type", "event|version", "event"]);
    assert_eq!(p[2].compared_with[0].literal_type, ValueType::Null);
    assert_eq!(text(e, &p[2].span), "event");
}

#[test]
fn other_literal_kinds() {
    let e = r#"event.timestamp > timestamp("2024-01-01T00:00:00Z") && event.attributes.n != -3 && event.attributes.tags == [] && event.attributes.m == {"a": 1} && event.attributes.b == b"x""#;
    let p = paths(e);
    let got: Vec<_> = p
        .iter()
        .map(|u| {
            let c = &u.compared_with[0];
            (c.literal_type, c.literal_text.as_str(), text(e, &c.span))
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                ValueType::Timestamp,
                r#"timestamp("2024-01-01T00:00:00Z")"#,
                r#"timestamp("2024-01-01T00:00:00Z")"#
            ),
            (ValueType::Int, "-3", "-3"),
            (ValueType::List, "[]", "[]"),
            (ValueType::Map, r#"{"a": 1}"#, r#"{"a": 1}"#),
            (ValueType::Unknown, r#"b"x""#, r#"b"x""#),
        ]
    );
}

#[test]
fn duplicate_reads_are_kept_apart_and_sorted() {
    let e = "event.attributes.a == 1 || event.attributes.a == 2";
    let p = paths(e);
    assert_eq!(p.len(), 2);
    assert!(p[0].span.start < p[1].span.start);
    assert_eq!(p[0].compared_with.len(), 1);
}

#[test]
fn multiline_and_non_ascii_spans() {
    let e = "// é comment\n  event.attributes[\"état\"] == \"fini ü\"\n  && context['ü'].x == 1";
    let p = paths(e);
    assert_eq!(dotted(&p), ["event|attributes|état", "context|ü|x"]);
    assert_eq!(text(e, &p[0].span), "event.attributes[\"état\"]");
    assert_eq!(text(e, &p[1].span), "context['ü'].x");
    assert_eq!(text(e, &p[0].compared_with[0].span), "\"fini ü\"");
}

#[test]
fn unrelated_free_variables_are_ignored() {
    let e = r#"now > 3 && request.path == "/" && events.x == 1"#;
    assert!(paths(e).is_empty());
}

#[test]
fn negated_parenthesized_number() {
    let e = "event.attributes.n == -( 3 ) && event.attributes.m < -(2.5)";
    let p = paths(e);
    assert_eq!(text(e, &p[0].compared_with[0].span), "-( 3 )");
    assert_eq!(p[0].compared_with[0].literal_type, ValueType::Int);
    assert_eq!(text(e, &p[1].compared_with[0].span), "-(2.5)");
    assert_eq!(p[1].compared_with[0].literal_type, ValueType::Double);
}

#[test]
fn deep_nesting_is_a_finding_not_a_crash() {
    let ok = format!("{}event.x == 1{}", "(".repeat(60), ")".repeat(60));
    assert_eq!(dotted(&paths(&ok)), ["event|x"]);
    let deep = format!("{}event.x == 1{}", "(".repeat(500), ")".repeat(500));
    let f = syntax_error(&deep);
    assert!(f.message.contains("nested too deeply"), "{}", f.message);
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    assert_eq!(syntax_error(&deep).code, Code::RuleSyntax);
}

#[test]
fn internal_parser_messages_are_not_shown() {
    let e = "event[";
    let f = syntax_error(e);
    assert!(!f.message.contains("Incomplete"), "{}", f.message);
    assert_eq!(f.span, 6..6);
}

#[test]
fn parse_error_at_end() {
    let e = r#"event.attributes.status == "#;
    let f = syntax_error(e);
    assert_eq!(f.code, Code::RuleSyntax);
    assert_eq!(f.severity, crate::diagnostic::Severity::Error);
    assert_eq!(f.span, e.len()..e.len());
    assert!(f.message.contains("line 1, column 28"), "{}", f.message);
    assert!(f.help.is_some());
}

#[test]
fn parse_error_single_equals() {
    let e = r#"event.attributes.status = "done""#;
    let f = syntax_error(e);
    assert_eq!(text(e, &f.span), "=");
    assert_eq!(f.span.start, 24);
    assert!(f.help.unwrap().contains("`==`"));
}

#[test]
fn parse_error_on_a_later_line_with_multibyte_text() {
    let e = "event.attributes.x == \"é\" // ü\n&& && true";
    let f = syntax_error(e);
    let start = e.find("&& &&").unwrap() + 3;
    assert_eq!(f.span.start, start, "{f:?}");
    assert!(f.message.contains("line 2, column 4"), "{}", f.message);
}

#[test]
fn parse_error_unterminated_string() {
    let e = "event.type == 'abc";
    let f = syntax_error(e);
    assert_eq!(f.span.start, 14, "{f:?}");
}

#[test]
fn parse_error_reported_by_a_macro() {
    let e = "true && has(event)";
    let f = syntax_error(e);
    assert!(f.message.contains("has()"), "{}", f.message);
    assert!(e[f.span.clone()].contains("event"), "{f:?}");
}

#[test]
fn parse_error_bad_comprehension_variable() {
    let e = "event.attributes.xs.all(x.y, true)";
    let f = syntax_error(e);
    assert!(f.message.contains("simple name"), "{}", f.message);
    assert!(f.span.start >= 24 && f.span.end <= e.len(), "{f:?}");
}

#[test]
fn empty_expression() {
    let f = syntax_error("   ");
    assert_eq!(f.code, Code::RuleSyntax);
    assert!(f.message.contains("empty"));
}

#[test]
fn garbage_does_not_panic() {
    for e in [
        ")",
        "[",
        "{",
        "event.",
        "event[",
        "event[\"a\"",
        "has(",
        "a.all(",
        "..",
        "\"",
        "'''",
        "event.attributes.x in [",
        "`x`",
        "event.`a b`",
        "-",
        "!",
        "1 ? 2",
        "a.?b",
        "x[?0]",
        "é",
        "event.attributes.\u{e9}",
        "{1: }",
        "has(event.a.b.c",
        "f(,)",
    ] {
        let _ = analyze(e);
    }
}

#[test]
fn compatibility() {
    use ValueType as V;
    assert!(compatible("string", V::String));
    assert!(!compatible("string", V::Int));
    assert!(compatible("enum", V::String));
    assert!(!compatible("enum", V::Bool));
    assert!(compatible("uuid", V::String));
    assert!(!compatible("timestamp", V::String));
    assert!(compatible("timestamp", V::Timestamp));
    assert!(!compatible("timestamp", V::Int));
    assert!(compatible("integer", V::Int));
    assert!(compatible("integer", V::Uint));
    assert!(compatible("integer", V::Double));
    assert!(!compatible("integer", V::String));
    assert!(compatible("boolean", V::Bool));
    assert!(!compatible("boolean", V::String));
    for declared in ["string", "integer", "boolean", "timestamp", "uuid", "enum"] {
        assert!(compatible(declared, V::Null));
        assert!(!compatible(declared, V::List));
    }
}

#[test]
fn numbers_compare_with_numeric_literals_only() {
    use ValueType as V;
    for lit in [V::Int, V::Uint, V::Double, V::Null, V::Unknown] {
        assert!(compatible("number", lit), "{lit}");
    }
    for lit in [V::String, V::Bool, V::Timestamp, V::List, V::Map] {
        assert!(!compatible("number", lit), "{lit}");
    }
}

#[test]
fn one_bracket_scan_gives_depth_and_balance_outside_strings() {
    use crate::rule::{balanced, nesting_depth};
    assert_eq!(nesting_depth(r#"a(b[c{d}]) && e("((")"#), 3);
    assert!(balanced(r#"f(x[1], {"a": ")"})"#));
    assert!(!balanced(")("), "closes before it opens");
    assert!(!balanced("f(x"), "left open");
    assert!(!balanced(r#"f("x)"#), "a string left open");
    assert_eq!(
        nesting_depth(")(("),
        2,
        "an extra close does not go below zero"
    );
}

#[test]
fn many_paths_are_each_recorded_once() {
    // Beyond `walk::SCAN_MAX` uses, a use is found again through the index by span: each path
    // read is still one use, with its comparisons merged into it.
    let e = (0..40)
        .map(|i| format!("event.attributes.a{i} == {i}"))
        .collect::<Vec<_>>()
        .join(" && ")
        + " && has(event.attributes.a3) && event.attributes.a3 in [1, 2]";
    let p = paths(&e);
    assert_eq!(p.len(), 42);
    for (i, u) in p.iter().take(40).enumerate() {
        assert_eq!(
            u.path.last().map(String::as_str),
            Some(format!("a{i}").as_str())
        );
        assert_eq!(u.compared_with.len(), 1, "{:?}", u.path);
        assert_eq!(u.compared_with[0].literal_text, i.to_string());
    }
    assert!(p[40].presence_test);
    assert_eq!(p[41].compared_with.len(), 2);
    assert_eq!(p[41].guards, vec![vec!["event", "attributes", "a3"]]);
}
