//! Static analysis of a rule's `when` expression (CEL).
//!
//! [`analyze`] parses the expression, without evaluating it, and walks the parsed tree to find
//! every path the expression reads from the free variables `event` and `context`, each with its
//! byte span in the expression and the literals it is compared with. The linter then checks
//! those paths against the attributes the triggering subjects declare.
//!
//! The tree is the `cel` crate's. Rules in the subset of CEL that `quick` knows (paths,
//! literals, comparisons, `in`, `!`, `&&`, `||`, `?:`, `has()`, calls) are parsed by that small
//! hand-written parser, which builds the tree `cel`'s ANTLR-generated parser would, several
//! times faster; anything else, and every syntax error, is parsed by `cel` (`quick_tests` checks
//! that the two agree).
//!
//! The walk (`walk`) records paths and the literals they are compared with; `guards` tracks what
//! `has()` tests prove along the walk; `recognize` turns nodes into paths and literals; `spans`
//! finds their extent in the source; `types` says which literal types fit which attributes;
//! `syntax` turns parse errors into findings.
//!
//! The parser keeps only each node's token position (a `.`, a `(`, a `[`), not where the node's
//! source ends, so `spans` still reads the source text around that token to find the end of a
//! path, a literal or a call.

mod guards;
mod quick;
#[cfg(test)]
mod quick_tests;
mod recognize;
mod spans;
mod syntax;
#[cfg(test)]
mod tests;
mod types;
mod walk;

use crate::codes::Code;
use std::collections::HashMap;
use std::ops::Range;

use cel::Program;
use cel::common::ast::{IdedExpr, SourceInfo};

use crate::diagnostic::Finding;

pub use types::{ValueType, compatible};
use walk::Walker;

/// The free variables whose paths are reported.
const ROOTS: &[&str] = &["event", "context"];

/// One place where the expression reads a path rooted at `event` or `context`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathUse {
    /// E.g. `["event", "attributes", "status"]`; an index with a string literal counts as a
    /// segment (`context["billing.health"]` is `["context", "billing.health"]`).
    pub path: Vec<String>,
    /// Byte span of the whole path expression in the source.
    pub span: Range<usize>,
    /// Every literal this path is compared with, and every use that implies its type.
    pub compared_with: Vec<Comparison>,
    /// The path is read by `has(...)`: a presence test, not a read of its value.
    pub presence_test: bool,
    /// The paths a `has(...)` test has proved present wherever this read is evaluated:
    /// `has(a.b) && <here>`, `!has(a.b) || <here>`, `has(a.b) ? <here> : ...`,
    /// `!has(a.b) ? ... : <here>`. A `has()` anywhere else guards nothing here.
    pub guards: Vec<Vec<String>>,
}

/// A literal a path is compared with (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in [..]`), or a use that
/// implies the path's type (a string method such as `startsWith`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// `"=="`, `"!="`, `"<"`, `"<="`, `">"`, `">="` (as seen from the path: `3 < x` is `x > 3`),
    /// `"in"` for each literal of an `x in [..]` list, or the method name (`"startsWith"`,
    /// `"endsWith"`, `"contains"`, `"matches"`, ...) when a string method implies `String`.
    pub op: String,
    pub literal_type: ValueType,
    /// The literal as written, e.g. `"\"done\""`, `"3"`, `"-1"`,
    /// `"timestamp(\"2024-01-01T00:00:00Z\")"`; for a method, the method name.
    pub literal_text: String,
    /// Byte span of the literal (of the method name, for a method).
    pub span: Range<usize>,
}

/// What [`analyze`] found in an expression.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// Sorted by span start, deduplicated by `(path, span)`.
    pub paths: Vec<PathUse>,
}

/// Parses `expr` as CEL (without evaluating it) and lists the paths it reads from `event` and
/// `context`. A parse error is a `rule-syntax` finding spanning the error position.
pub fn analyze(expr: &str) -> Result<Analysis, Finding> {
    // The ANTLR-generated parser recurses deeply per nesting level (a hundred nested parentheses
    // overflow an 8 MiB stack in a debug build before its own depth limit answers), so anything
    // but a small, shallow expression is parsed on a thread with a stack large enough for that
    // limit (`crate::stack`). A panic there becomes a finding too. Small, shallow expressions -- nearly all real
    // rules -- are parsed right here: spawning a thread costs more than parsing them.
    if expr.len() <= INLINE_MAX_LEN && nesting_depth(expr) <= INLINE_MAX_DEPTH {
        return analyze_here(expr);
    }
    let worker = crate::stack::run_deep("handoff-rule-parse", || analyze_here(expr));
    let failed = || {
        Finding::new(
            Code::RuleSyntax,
            0..expr.len(),
            "`rule.when` could not be parsed as CEL (the parser failed on it)",
        )
    };
    match worker {
        Some(result) => result.unwrap_or_else(|_| Err(failed())),
        // No thread to be had: parse here, on whatever stack there is.
        None => analyze_here(expr),
    }
}

/// Expressions up to this length and bracket depth parse on the caller's stack (measured: well
/// under 1 MiB of stack in a debug build).
const INLINE_MAX_LEN: usize = 1024;
const INLINE_MAX_DEPTH: usize = 12;

/// The deepest nesting of brackets, outside string literals.
pub fn nesting_depth(expr: &str) -> usize {
    brackets(expr).deepest
}

/// Whether brackets in `expr` (outside string literals) never close more than they opened, and
/// all are closed at the end with no string left open.
pub fn balanced(expr: &str) -> bool {
    brackets(expr).balanced
}

/// What one scan of an expression's brackets (outside string literals) finds.
struct Brackets {
    deepest: usize,
    balanced: bool,
}

fn brackets(expr: &str) -> Brackets {
    let (mut depth, mut deepest, mut quote, mut escaped) = (0usize, 0usize, None::<char>, false);
    let mut underflow = false;
    for c in expr.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => underflow = true,
            },
            _ => {}
        }
    }
    Brackets {
        deepest,
        balanced: !underflow && depth == 0 && quote.is_none(),
    }
}

fn analyze_here(expr: &str) -> Result<Analysis, Finding> {
    // Nearly every rule is in the subset the quick parser knows; it builds the tree `cel` would.
    if let Some((tree, info)) = quick::parse(expr) {
        return Ok(walk_tree(expr, &tree, &info));
    }
    analyze_with_cel(expr)
}

/// [`analyze`] with the `cel` crate's parser alone, on the caller's stack (kept callable for the
/// tests that check the quick parser against it).
pub(crate) fn analyze_with_cel(expr: &str) -> Result<Analysis, Finding> {
    let program = Program::compile(expr).map_err(|errors| syntax::syntax_finding(expr, &errors))?;
    Ok(walk_tree(expr, program.expression(), program.source_info()))
}

fn walk_tree(expr: &str, tree: &IdedExpr, info: &SourceInfo) -> Analysis {
    let mut walker = Walker {
        src: expr,
        info,
        bound: Vec::new(),
        uses: Vec::new(),
        index: HashMap::new(),
        guards: Vec::new(),
    };
    walker.walk(tree);
    let mut paths = walker.uses;
    paths.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.path).cmp(&(b.span.start, b.span.end, &b.path))
    });
    Analysis { paths }
}

/// `Some("status")` for `["event", "attributes", "status", ...]`.
pub fn attribute_name(path: &[String]) -> Option<&str> {
    match path {
        [root, attrs, name, ..] if root == "event" && attrs == "attributes" => Some(name),
        _ => None,
    }
}

/// `Some("billing.health")` for `["context", "billing.health", ...]`.
pub fn context_name(path: &[String]) -> Option<&str> {
    match path {
        [root, name, ..] if root == "context" => Some(name),
        _ => None,
    }
}
