//! The quick parser (`quick`) checked against the `cel` crate's parser: wherever it accepts an
//! expression, the tree it builds must be `cel`'s (the same nodes, each placed on the same
//! token) and the analysis must be the one `cel`'s tree gives. Run on every rule in the
//! repository's fixtures and examples, on `scripts/bench-validate`'s two rule shapes, on a
//! generated corpus and on hand-picked edge cases; each also counts what the quick parser
//! accepted, so that a parser that always declines fails too.

use std::path::{Path, PathBuf};

use cel::Program;
use cel::common::ast::{EntryExpr, Expr, IdedExpr, SourceInfo};

use super::{analyze, analyze_with_cel, quick, walk_tree};
use crate::source::{Node, SourceFile, Value, parse_toml, parse_yaml};

/// Whether the quick parser accepted `expr`. When it did, `cel` accepts it too, with the same
/// tree and positions, and both analyses (and `analyze`'s) are equal.
pub(super) fn check(expr: &str) -> bool {
    let Some((tree, info)) = quick::parse(expr) else {
        return false;
    };
    let program = Program::compile(expr)
        .unwrap_or_else(|e| panic!("the quick parser accepted {expr:?}, which cel rejects: {e}"));
    same_tree(
        expr,
        &tree,
        &info,
        program.expression(),
        program.source_info(),
    );
    let quick_analysis = walk_tree(expr, &tree, &info);
    assert_eq!(
        Ok(&quick_analysis),
        analyze_with_cel(expr).as_ref(),
        "{expr:?}"
    );
    assert_eq!(Ok(quick_analysis), analyze(expr), "{expr:?}");
    true
}

/// `a` (quick) and `b` (cel) are the same tree, node for node, each node at the same position.
fn same_tree(src: &str, a: &IdedExpr, ai: &SourceInfo, b: &IdedExpr, bi: &SourceInfo) {
    assert_eq!(
        ai.offset_for(a.id),
        bi.offset_for(b.id),
        "position of {:?} in {src:?}",
        a.expr
    );
    match (&a.expr, &b.expr) {
        (Expr::Call(x), Expr::Call(y)) => {
            assert_eq!(x.func_name, y.func_name, "in {src:?}");
            assert_eq!(x.target.is_some(), y.target.is_some(), "in {src:?}");
            if let (Some(t), Some(u)) = (&x.target, &y.target) {
                same_tree(src, t, ai, u, bi);
            }
            assert_eq!(
                x.args.len(),
                y.args.len(),
                "arguments of {} in {src:?}",
                x.func_name
            );
            for (p, q) in x.args.iter().zip(&y.args) {
                same_tree(src, p, ai, q, bi);
            }
        }
        (Expr::Select(x), Expr::Select(y)) => {
            assert_eq!((&x.field, x.test), (&y.field, y.test), "in {src:?}");
            same_tree(src, &x.operand, ai, &y.operand, bi);
        }
        (Expr::List(x), Expr::List(y)) => {
            assert_eq!(x.elements.len(), y.elements.len(), "in {src:?}");
            assert_eq!(x.optional_indices, y.optional_indices, "in {src:?}");
            for (p, q) in x.elements.iter().zip(&y.elements) {
                same_tree(src, p, ai, q, bi);
            }
        }
        (Expr::Map(x), Expr::Map(y)) => {
            assert_eq!(x.entries.len(), y.entries.len(), "in {src:?}");
            for (p, q) in x.entries.iter().zip(&y.entries) {
                assert_eq!(ai.offset_for(p.id), bi.offset_for(q.id), "in {src:?}");
                let (EntryExpr::MapEntry(p), EntryExpr::MapEntry(q)) = (&p.expr, &q.expr) else {
                    panic!("a map entry that is not a key and a value in {src:?}");
                };
                assert_eq!(p.optional, q.optional, "in {src:?}");
                same_tree(src, &p.key, ai, &q.key, bi);
                same_tree(src, &p.value, ai, &q.value, bi);
            }
        }
        // Identifiers and literals have no children; anything else differs in kind.
        (x, y) => assert_eq!(x, y, "in {src:?}"),
    }
}

// -- the repository's rules ----------------------------------------------------------------------

/// Every `when` string in the YAML and TOML files under tests/fixtures and examples.
fn repository_rules() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        collect_files(&root.join(dir), &mut files);
    }
    let mut rules = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = SourceFile::new(path.display().to_string(), text);
        let tree = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => parse_yaml(&file).ok(),
            Some("toml") => parse_toml(&file).ok(),
            _ => None,
        };
        if let Some(tree) = tree {
            collect_when(&tree, &mut rules);
        }
    }
    rules
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn collect_when(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                if key.name == "when"
                    && let Some(s) = value.as_str()
                {
                    out.push(s.to_string());
                }
                collect_when(value, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|item| collect_when(item, out)),
        _ => {}
    }
}

#[test]
fn every_rule_in_the_repository() {
    let rules = repository_rules();
    assert!(rules.len() >= 150, "only {} rules found", rules.len());
    let mut valid = 0;
    let mut accepted = 0;
    let mut declined = Vec::new();
    for rule in &rules {
        let quick = check(rule);
        accepted += usize::from(quick);
        if Program::compile(rule).is_ok() {
            valid += 1;
            if !quick {
                declined.push(rule.as_str());
            }
        }
    }
    // Every valid rule in the repository is in the subset (202 rules, 201 valid, on
    // 2026-11-28), and the quick parser takes no invalid one.
    declined.sort_unstable();
    declined.dedup();
    assert_eq!(
        declined,
        Vec::<&str>::new(),
        "valid rules the quick parser declined"
    );
    assert_eq!(accepted, valid);
}

// -- scripts/bench-validate's rules ----------------------------------------------------------------

#[test]
fn the_benchmark_rule_shapes() {
    for threshold in [0, 7, 42, 99] {
        for guard in ["has(event.attributes.count) && ", ""] {
            let rule = format!(
                "{guard}event.attributes.count > {threshold} && event.attributes.status == \"done\" && context[\"acme-billing.health\"].status == \"ok\""
            );
            assert!(check(&rule), "{rule:?} declined");
        }
    }
}

// -- a generated corpus ----------------------------------------------------------------------------

/// A seeded generator of rules over the subset grammar (with whitespace, comments, unicode and
/// escapes in strings), now and then mixing in a construct outside the subset (`exotic`).
struct Gen {
    state: u64,
    /// Whether the expression being built has a construct the quick parser declines.
    exotic: bool,
}

const FIELDS: &[&str] = &[
    "attributes",
    "status",
    "count",
    "note",
    "type",
    "id",
    "subject",
    "open_task_count",
    "a",
    "_b2",
    "size",
    "ok",
];

impl Gen {
    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Optional whitespace between tokens.
    fn ws(&mut self) -> &'static str {
        self.pick(&[
            "",
            "",
            "",
            " ",
            " ",
            "  ",
            "\n",
            "\n  ",
            "\t",
            "\r\n",
            " // note\n",
        ])
    }

    /// Whitespace that separates two words.
    fn sp(&mut self) -> &'static str {
        self.pick(&[" ", " ", " ", "  ", "\n", "\t ", " // a \"comment\" ]\n"])
    }

    fn exotic(&mut self, text: &str) -> String {
        self.exotic = true;
        text.to_string()
    }

    fn string(&mut self) -> String {
        let quote = if self.below(3) == 0 { '\'' } else { '"' };
        let mut s = String::from(quote);
        for _ in 0..self.below(5) {
            let piece = match self.below(16) {
                0 => "é",
                1 => "😀",
                2 => "中文",
                3 => " ",
                4 => "\\n",
                5 => "\\t",
                6 => "\\\\",
                7 => "a]b",
                8 => "// x",
                9 => "(",
                10 => {
                    s.push_str(if quote == '"' { "'" } else { "\"" });
                    continue;
                }
                11 => {
                    s.push('\\');
                    s.push(quote);
                    continue;
                }
                12 => {
                    let escape = self.pick(&[
                        "\\x41", "\\u00e9", "\\101", "\\?", "\\?", "\\?", "\\?", "\\?", "\\?",
                    ]);
                    if escape != "\\?" {
                        self.exotic = true;
                    }
                    escape
                }
                _ => self.pick(&["done", "ok", "acme-billing.health", "x.y", "A_b-9"]),
            };
            s.push_str(piece);
        }
        s.push(quote);
        s
    }

    fn number(&mut self) -> String {
        match self.below(40) {
            0 => self.exotic("0x1F"),
            1 => self.exotic("1e400"),
            2 => self.exotic("9223372036854775808"),
            3 => self.exotic(".5"),
            4 => self.exotic("--3"),
            5 => "9223372036854775807".into(),
            6 => "-9223372036854775808".into(),
            7 => "3u".into(),
            8 => "0U".into(),
            9 => "1.5".into(),
            10 => "-0.25".into(),
            11 => "1e3".into(),
            12 => "2.5E-2".into(),
            13 => format!("-{}{}", self.ws(), self.below(100)),
            _ => self.below(1000).to_string(),
        }
    }

    fn literal(&mut self, depth: usize) -> String {
        match self.below(if depth > 0 { 13 } else { 11 }) {
            0..=3 => self.string(),
            4..=6 => self.number(),
            7 => self.pick(&["true", "false", "null"]).into(),
            8 => format!(
                "timestamp({})",
                self.pick(&["\"2026-01-01T00:00:00Z\"", "'2024-02-29T12:00:00+01:00'"])
            ),
            9 => format!("duration({}\"1h\"{})", self.ws(), self.ws()),
            10 => {
                let odd = self.pick(&["b\"x\"", "r\"raw\\d\"", "\"\"\"t\"\"\"", "'''t'''"]);
                self.exotic(odd)
            }
            11 => {
                let items: Vec<String> = (0..self.below(4))
                    .map(|_| self.literal(depth - 1))
                    .collect();
                let trailing = if items.is_empty() || self.below(4) > 0 {
                    ""
                } else {
                    ","
                };
                format!(
                    "[{}{}{trailing}]",
                    self.ws(),
                    items.join(&format!(",{}", self.ws()))
                )
            }
            _ => {
                let entries: Vec<String> = (0..1 + self.below(3))
                    .map(|_| format!("{}:{}{}", self.string(), self.ws(), self.literal(depth - 1)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    fn path(&mut self) -> String {
        let mut s = self
            .pick(&["event", "event", "event", "context", "x", "item"])
            .to_string();
        if s == "event" && self.below(3) > 0 {
            s.push_str(".attributes");
        }
        for _ in 0..self.below(4) {
            match self.below(8) {
                0 => {
                    let key = self.string();
                    s.push_str(&format!("{}[{}{key}{}]", self.ws(), self.ws(), self.ws()));
                }
                1 => s.push_str(&format!("[{}]", self.below(3))),
                2 => {
                    let inner = self.path();
                    s.push_str(&format!("[{inner}]"));
                }
                3 if self.below(8) == 0 => s.push_str(&self.exotic(".?opt")),
                4 if self.below(8) == 0 => s.push_str(&self.exotic(".if")),
                _ => s.push_str(&format!("{}.{}{}", self.ws(), self.ws(), self.pick(FIELDS))),
            }
        }
        s
    }

    /// A path ending in a field selection (what `has()` takes).
    fn select_path(&mut self) -> String {
        format!("{}.{}", self.path(), self.pick(FIELDS))
    }

    fn op(&mut self) -> &'static str {
        self.pick(&["==", "!=", "<", "<=", ">", ">="])
    }

    fn atom(&mut self, depth: usize) -> String {
        let (w1, w2) = (self.ws(), self.ws());
        match self.below(if depth > 0 { 17 } else { 13 }) {
            0..=3 => format!("{}{w1}{}{w2}{}", self.path(), self.op(), self.literal(1)),
            4 => format!("{}{w1}{}{w2}{}", self.literal(1), self.op(), self.path()),
            5 => format!(
                "{}{}in{}{}",
                self.path(),
                self.sp(),
                self.sp(),
                self.literal(1)
            ),
            6 => format!("has({w1}{}{w2})", self.select_path()),
            7 => {
                let method = self.pick(&[
                    "startsWith",
                    "endsWith",
                    "contains",
                    "matches",
                    "lowerAscii",
                    "size",
                ]);
                let arg = if matches!(method, "lowerAscii" | "size") {
                    String::new()
                } else {
                    self.string()
                };
                format!("{}{w1}.{method}({arg}){w2}", self.path())
            }
            8 => format!("{}.startsWith({})", self.string(), self.path()),
            9 => format!("size({}) {} {}", self.path(), self.op(), self.number()),
            10 => format!("{} {} {}", self.path(), self.op(), self.path()),
            11 => self.path(),
            12 => {
                let p = self.path();
                self.exotic = true;
                match self.below(10) {
                    0 => format!("{p} + 1 > 2"),
                    1 => format!("-{p} < 3"),
                    2 => format!("{p}.exists(v, v == 1)"),
                    3 => format!("{p}.all(v, v > 0)"),
                    4 => format!("{p} == .event.a"),
                    5 => "Msg{a: 1}.a == 1".into(),
                    6 => format!("{p} = \"x\""),
                    7 => format!("{p} == -3.x"),
                    8 => format!("has({p}[\"a\"])"),
                    _ => format!("{p} == 1.e5"),
                }
            }
            13 | 14 => format!(
                "{}{w1}{}",
                "!".repeat(1 + self.below(3)),
                self.atom(depth - 1)
            ),
            _ => format!("({w1}{}{w2})", self.expr(depth - 1)),
        }
    }

    /// Atoms joined by `&&` and `||`.
    fn chain(&mut self, depth: usize) -> String {
        let mut s = self.atom(depth);
        for _ in 0..self.below(4) {
            let op = self.pick(&["&&", "||", "&&"]);
            s = format!("{s}{}{op}{}{}", self.ws(), self.ws(), self.atom(depth));
        }
        s
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth > 0 && self.below(5) == 0 {
            let condition = self.chain(depth - 1);
            let then = self.chain(depth - 1);
            let otherwise = self.expr(depth - 1);
            return format!(
                "{condition}{}?{}{then}{}:{}{otherwise}",
                self.sp(),
                self.sp(),
                self.sp(),
                self.sp()
            );
        }
        self.chain(depth)
    }
}

#[test]
fn a_generated_corpus() {
    let mut g = Gen {
        state: 0x9e37_79b9_7f4a_7c15,
        exotic: false,
    };
    let (mut plain, mut exotic, mut exotic_accepted) = (0, 0, 0);
    for _ in 0..3000 {
        g.exotic = false;
        let expr = g.expr(3);
        let accepted = check(&expr);
        if g.exotic {
            exotic += 1;
            exotic_accepted += usize::from(accepted);
        } else {
            plain += 1;
            // In the subset and valid CEL: the quick parser must take it.
            assert!(
                accepted,
                "the quick parser declined {expr:?} ({:?})",
                Program::compile(&expr).err()
            );
        }
    }
    assert!(
        plain >= 1000 && exotic >= 300,
        "{plain} in the subset, {exotic} not"
    );
    // Constructs outside the subset are declined whatever surrounds them.
    assert_eq!(exotic_accepted, 0);
}

// -- edge cases ------------------------------------------------------------------------------------

/// Shapes the quick parser takes, each with a trap for a parser that gets the CEL grammar wrong.
const ACCEPTED: &[&str] = &[
    "a && b && c && d && e",
    "a || b && c || d",
    "a ? b : c ? d : e",
    "(a ? b : c) ? d : e",
    "a == b == c",
    "a < b in c",
    "!a == b",
    "!!a",
    "!!!has(event.a.b) || event.a.b == 1",
    "!-3",
    "- 3 < x",
    "-\n3.5 >= event.x",
    "x == -9223372036854775808",
    "x in [1, 2,]",
    "x in {\"a\": 1, 'b': 2,}",
    "[] == x && {} == y",
    "has( event . attributes . x )",
    "has((event.a))",
    "event.attributes[\"a]b\"].c == 'x\\'y'",
    "context[\"acme-billing.health\"].status == \"ok\" // trailing comment",
    "event.a.startsWith(\"é😀\") && \"中\".contains(event.b)",
    "f(a, b).g() == h()",
    "timestamp(\"2026-01-01T00:00:00Z\") < event.attributes.at",
    "event.attributes.in_progress == true && event.attributes.nullable != null",
    "x.exist(y) && x.mapped",
    "x.has(y.z) && exists(x, y) && all(x)",
    "!x in y && x in y in z",
    "1u == x && 2.5e-3 < y && 1E3 > z",
    "\"\" == x && '' == y",
    "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\'\\\"\\`\\?\" == x",
];

/// Valid CEL outside the subset, and invalid CEL: the quick parser declines both.
const DECLINED: &[&str] = &[
    "--3 == x",
    "-3.y == x",
    "3 .y == x",
    "1.e5 == x",
    ".5 == x",
    "x.5",
    "-x < 3",
    "x + 1 > 2",
    "x - 1 > 2",
    "x == 0x10",
    "x == 9223372036854775808",
    "x == 18446744073709551616u",
    "x == 1e400",
    "x == r\"a\\d\"",
    "x == b\"a\"",
    "x == \"\"\"a\"\"\"",
    "x == '''a'''",
    "x == \"\\x41\"",
    "x == \"\\u00e9\"",
    "x == \"\\101\"",
    "x == \"\\q\"",
    "x == \"a\nb\"",
    "x == \"open",
    "x.exists(y, y == 1)",
    "x.map(y, y)",
    "x.filter(y, y)",
    "has(x)",
    "has(x[\"a\"])",
    "has(has(x.a))",
    "has(x.a, x.b)",
    "if == 1",
    "x.if == 1",
    "x.`a-b` == 1",
    "x.?a == 1",
    "x[?0] == 1",
    ".x == 1",
    "Msg{a: 1}.a == 1",
    "a ? b ? c : d : e",
    "[,] == x",
    "x = 1",
    "x & y",
    "x é y",
    "é == x",
    "",
    "  // nothing\n",
    "(x",
    "x)",
    "x y",
    "in == x",
];

#[test]
fn edge_cases() {
    for expr in ACCEPTED {
        assert!(check(expr), "{expr:?} declined");
    }
    for expr in DECLINED {
        assert!(!check(expr), "{expr:?} accepted");
    }
}

#[test]
fn nesting_beyond_the_limit_is_left_to_cel() {
    // The `cel` parser needs a deep stack for these in a debug build.
    crate::stack::run_deep("quick-nesting", nesting_beyond_the_limit)
        .expect("a thread")
        .expect("no panic");
}

fn nesting_beyond_the_limit() {
    let nested = |n: usize| format!("{}x == 1{}", "(".repeat(n), ")".repeat(n));
    assert!(check(&nested(20)));
    assert!(!check(&nested(40)));
    let ternaries = |n: usize| format!("{}z", "a ? b : ".repeat(n));
    assert!(check(&ternaries(20)));
    assert!(!check(&ternaries(40)));
}
