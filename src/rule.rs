//! Static analysis of a rule's `when` expression (CEL).
//!
//! [`analyze`] parses the expression with the `cel` crate, without evaluating it, and walks the
//! parsed tree to find every path the expression reads from the free variables `event` and
//! `context`, each with its byte span in the expression and the literals it is compared with.
//! The linter then checks those paths against the attributes the triggering subjects declare.

use crate::codes::Code;
use std::collections::HashMap;
use std::ops::Range;

use cel::common::ast::operators;
use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue, SelectExpr, SourceInfo,
};
use cel::{ParseError, ParseErrors, Program};

use crate::diagnostic::Finding;

/// The free variables whose paths are reported.
const ROOTS: &[&str] = &["event", "context"];

/// The static type of a literal a path is compared with / a value's type as the linter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    String,
    Int,
    Uint,
    Double,
    Bool,
    Null,
    Timestamp,
    List,
    Map,
    Unknown,
}

impl ValueType {
    /// The CEL name of the type, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::Uint => "uint",
            ValueType::Double => "double",
            ValueType::Bool => "bool",
            ValueType::Null => "null",
            ValueType::Timestamp => "timestamp",
            ValueType::List => "list",
            ValueType::Map => "map",
            ValueType::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One place where the expression reads a path rooted at `event` or `context`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathUse {
    /// E.g. `["event", "attributes", "status"]`; an index with a string literal counts as a
    /// segment (`context["state-hub.health"]` is `["context", "state-hub.health"]`).
    pub path: Vec<String>,
    /// Byte span of the whole path expression in the source.
    pub span: Range<usize>,
    /// Every literal this path is compared with, and every use that implies its type.
    pub compared_with: Vec<Comparison>,
    /// The path is read by `has(...)`: a presence test, not a read of its value.
    pub presence_test: bool,
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
    // limit. A panic there becomes a finding too. Small, shallow expressions -- nearly all real
    // rules -- are parsed right here: spawning a thread costs more than parsing them.
    if expr.len() <= INLINE_MAX_LEN && nesting_depth(expr) <= INLINE_MAX_DEPTH {
        return analyze_here(expr);
    }
    let source = expr.to_string();
    let worker = std::thread::Builder::new()
        .name("handoff-rule-parse".into())
        .stack_size(PARSER_STACK)
        .spawn(move || analyze_here(&source));
    let failed = || {
        Finding::new(
            Code::RuleSyntax,
            0..expr.len(),
            "`rule.when` could not be parsed as CEL (the parser failed on it)",
        )
    };
    match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| Err(failed())),
        // No thread to be had: parse here, on whatever stack there is.
        Err(_) => analyze_here(expr),
    }
}

/// Stack for the parsing thread: it is reserved, not committed, until used.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Expressions up to this length and bracket depth parse on the caller's stack (measured: well
/// under 1 MiB of stack in a debug build).
const INLINE_MAX_LEN: usize = 1024;
const INLINE_MAX_DEPTH: usize = 12;

/// The deepest nesting of brackets, outside string literals.
pub fn nesting_depth(expr: &str) -> usize {
    let (mut depth, mut max, mut quote, mut escaped) = (0usize, 0usize, None::<char>, false);
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
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn analyze_here(expr: &str) -> Result<Analysis, Finding> {
    let program = Program::compile(expr).map_err(|errors| syntax_finding(expr, &errors))?;
    let mut walker = Walker {
        src: expr,
        info: program.source_info(),
        bound: Vec::new(),
        uses: Vec::new(),
        index: HashMap::new(),
    };
    walker.walk(program.expression());
    let mut paths = walker.uses;
    paths.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.path).cmp(&(b.span.start, b.span.end, &b.path))
    });
    Ok(Analysis { paths })
}

/// `Some("status")` for `["event", "attributes", "status", ...]`.
pub fn attribute_name(path: &[String]) -> Option<&str> {
    match path {
        [root, attrs, name, ..] if root == "event" && attrs == "attributes" => Some(name),
        _ => None,
    }
}

/// `Some("state-hub.health")` for `["context", "state-hub.health", ...]`.
pub fn context_name(path: &[String]) -> Option<&str> {
    match path {
        [root, name, ..] if root == "context" => Some(name),
        _ => None,
    }
}

/// Is a literal of `lit` comparable with an attribute declared as `declared` (`"string"`,
/// `"integer"`, `"boolean"`, `"timestamp"`, `"uuid"`, `"enum"`)?
///
/// Timestamps and UUIDs travel as strings in JSON, so string literals fit them; an integer fits
/// `Int`, `Uint` and `Double`; `null` fits everything (attributes may be optional). A literal of
/// unknown type, or an attribute type this function does not know, is given the benefit of the
/// doubt.
pub fn compatible(declared: &str, lit: ValueType) -> bool {
    use ValueType as V;
    if matches!(lit, V::Null | V::Unknown) {
        return true;
    }
    match declared {
        "string" | "enum" | "uuid" => lit == V::String,
        "timestamp" => matches!(lit, V::String | V::Timestamp),
        "integer" => matches!(lit, V::Int | V::Uint | V::Double),
        "boolean" => lit == V::Bool,
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// Parse errors

fn syntax_finding(src: &str, errors: &ParseErrors) -> Finding {
    // After a syntax error the parser also visits the broken tree, which adds errors such as
    // "Incomplete `IndexContext`!" that say nothing to a user: prefer any other one.
    let internal = |e: &&ParseError| e.msg.starts_with("Incomplete ") || e.msg.starts_with("No `");
    let Some(first) = errors
        .errors
        .iter()
        .find(|e| !internal(e))
        .or(errors.errors.first())
    else {
        return Finding::new(
            Code::RuleSyntax,
            0..src.len(),
            "`rule.when` is not valid CEL",
        );
    };
    let span = error_span(src, first);
    let (line, column) = first.pos;
    let detail = first
        .msg
        .strip_prefix("Syntax error: ")
        .unwrap_or(&first.msg)
        .replace("<EOF>", "end of expression");
    let mut message = if src.trim().is_empty() {
        "`rule.when` is empty".to_string()
    } else if detail.contains("Recursion limit of") {
        format!(
            "`rule.when` is nested too deeply for the CEL parser (line {line}, column {column})"
        )
    } else {
        format!("`rule.when` is not valid CEL: {detail} (line {line}, column {column})")
    };
    let more = errors.errors.len() - 1;
    if more > 0 {
        message.push_str(&format!(
            " (and {more} more error{})",
            if more == 1 { "" } else { "s" }
        ));
    }
    let single_equals = src[span.clone()] == *"="
        && !src[..span.start].ends_with(['=', '!', '<', '>'])
        && !src[span.end..].starts_with('=');
    let help = if single_equals {
        "CEL compares with `==`; a single `=` is not an operator"
    } else {
        "write a CEL boolean expression over `event` and `context`, e.g. \
         `event.attributes.status == \"done\" && context[\"svc.health\"].ok`; \
         CEL uses `&&`, `||`, `!`, `==` and quoted string literals"
    };
    Finding::new(Code::RuleSyntax, span, message).with_help(help)
}

/// The byte span of a parse error: the node it is about when known, else the character (or the
/// identifier/number) at its line:column.
fn error_span(src: &str, error: &ParseError) -> Range<usize> {
    if error.expr_id != 0
        && let Some(info) = &error.source_info
        && let Some((start, stop)) = info.offset_for(error.expr_id)
    {
        let start = (start as usize).min(src.len());
        let end = (stop as usize + 1).clamp(start, src.len());
        if src.is_char_boundary(start) && src.is_char_boundary(end) {
            return start..end;
        }
    }
    // Syntax errors come from the ANTLR lexer/parser, whose columns count characters; errors
    // raised while expanding macros count bytes.
    let chars = error.msg.starts_with("Syntax error");
    let start = line_col_to_offset(src, error.pos.0, error.pos.1, chars);
    start..token_end(src, start)
}

/// Byte offset of 1-based `line`:`column` (clamped to the source).
fn line_col_to_offset(src: &str, line: isize, column: isize, column_in_chars: bool) -> usize {
    let mut line_start = 0;
    for _ in 1..line.max(1) {
        match src[line_start..].find('\n') {
            Some(nl) => line_start += nl + 1,
            None => return src.len(),
        }
    }
    let line_end = src[line_start..]
        .find('\n')
        .map_or(src.len(), |nl| line_start + nl);
    let col = (column.max(1) - 1) as usize;
    let offset = if column_in_chars {
        src[line_start..line_end]
            .char_indices()
            .nth(col)
            .map_or(line_end, |(i, _)| line_start + i)
    } else {
        (line_start + col).min(line_end)
    };
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The end of the token starting at `start`: the whole identifier or number, else one character.
fn token_end(src: &str, start: usize) -> usize {
    let rest = &src[start..];
    let word = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        start + word
    } else {
        start + rest.chars().next().map_or(0, char::len_utf8)
    }
}

// ---------------------------------------------------------------------------------------------
// Walking the tree

/// String methods whose receiver must be a string.
const STRING_METHODS: &[&str] = &[
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "lowerAscii",
    "upperAscii",
    "trim",
    "split",
    "substring",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "replace",
];

/// String methods whose (first) argument must be a string too.
const STRING_ARG_METHODS: &[&str] = &["startsWith", "endsWith", "contains", "matches"];

struct Walker<'a> {
    src: &'a str,
    info: &'a SourceInfo,
    /// Names bound by enclosing comprehensions (innermost last).
    bound: Vec<String>,
    uses: Vec<PathUse>,
    index: HashMap<(Vec<String>, Range<usize>), usize>,
}

/// A path read, as found in the tree.
struct Path {
    segments: Vec<String>,
    span: Range<usize>,
    presence_test: bool,
}

/// A literal, as found in the tree.
struct Literal {
    ty: ValueType,
    span: Range<usize>,
}

impl Walker<'_> {
    fn walk(&mut self, e: &IdedExpr) {
        if let Some(path) = self.path_of(e) {
            self.record(path);
            return;
        }
        match &e.expr {
            Expr::Unspecified | Expr::Ident(_) | Expr::Literal(_) => {}
            Expr::Select(select) => self.walk(&select.operand),
            Expr::Call(call) => self.walk_call(call),
            Expr::Comprehension(comp) => self.walk_comprehension(comp),
            Expr::List(list) => list.elements.iter().for_each(|el| self.walk(el)),
            Expr::Map(map) => map.entries.iter().for_each(|entry| match &entry.expr {
                EntryExpr::MapEntry(m) => {
                    self.walk(&m.key);
                    self.walk(&m.value);
                }
                EntryExpr::StructField(f) => self.walk(&f.value),
            }),
            Expr::Struct(st) => st.entries.iter().for_each(|entry| match &entry.expr {
                EntryExpr::MapEntry(m) => {
                    self.walk(&m.key);
                    self.walk(&m.value);
                }
                EntryExpr::StructField(f) => self.walk(&f.value),
            }),
        }
    }

    fn walk_call(&mut self, call: &CallExpr) {
        let name = call.func_name.as_str();
        match (name, call.target.as_deref(), call.args.as_slice()) {
            (_, None, [lhs, rhs]) if relational(name).is_some() => {
                self.compare(name, lhs, rhs);
            }
            (operators::IN, None, [lhs, rhs]) => {
                // `x in [..]` compares x with each element, `x in {..}` with each key.
                let candidates: Vec<&IdedExpr> = match &rhs.expr {
                    Expr::List(list) => list.elements.iter().collect(),
                    Expr::Map(map) => map
                        .entries
                        .iter()
                        .filter_map(|entry| match &entry.expr {
                            EntryExpr::MapEntry(m) => Some(&m.key),
                            EntryExpr::StructField(_) => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if !candidates.is_empty()
                    && let Some(path) = self.path_of(lhs)
                {
                    let at = self.record(path);
                    for el in candidates {
                        if let Some(lit) = self.literal_of(el) {
                            self.add_comparison(at, "in", lit);
                        }
                    }
                }
            }
            (method, Some(target), args) if STRING_METHODS.contains(&method) => {
                let name_span = self.method_name_span(call);
                if let (Some(path), Some(span)) = (self.path_of(target), name_span.clone()) {
                    let at = self.record(path);
                    self.add_method_use(at, method, span);
                }
                if STRING_ARG_METHODS.contains(&method)
                    && let (Some(arg), Some(span)) = (args.first(), name_span)
                    && let Some(path) = self.path_of(arg)
                {
                    let at = self.record(path);
                    self.add_method_use(at, method, span);
                }
            }
            _ => {}
        }
        if let Some(target) = &call.target {
            self.walk(target);
        }
        for arg in &call.args {
            self.walk(arg);
        }
    }

    fn walk_comprehension(&mut self, comp: &ComprehensionExpr) {
        self.walk(&comp.iter_range);
        self.walk(&comp.accu_init);
        let depth = self.bound.len();
        self.bound.push(comp.iter_var.clone());
        if let Some(var) = &comp.iter_var2 {
            self.bound.push(var.clone());
        }
        self.bound.push(comp.accu_var.clone());
        self.walk(&comp.loop_cond);
        self.walk(&comp.loop_step);
        self.walk(&comp.result);
        self.bound.truncate(depth);
    }

    /// `lhs <op> rhs` where `op` is relational: a path on one side and a literal on the other.
    fn compare(&mut self, op: &str, lhs: &IdedExpr, rhs: &IdedExpr) {
        for (path_side, lit_side, flipped) in [(lhs, rhs, false), (rhs, lhs, true)] {
            if let (Some(path), Some(lit)) = (self.path_of(path_side), self.literal_of(lit_side)) {
                let symbol = relational(op).unwrap_or(op);
                let symbol = if flipped { flip(symbol) } else { symbol };
                let at = self.record(path);
                self.add_comparison(at, symbol, lit);
            }
        }
    }

    fn record(&mut self, path: Path) -> usize {
        let key = (path.segments, path.span);
        if let Some(&at) = self.index.get(&key) {
            self.uses[at].presence_test |= path.presence_test;
            return at;
        }
        let at = self.uses.len();
        self.uses.push(PathUse {
            path: key.0.clone(),
            span: key.1.clone(),
            compared_with: Vec::new(),
            presence_test: path.presence_test,
        });
        self.index.insert(key, at);
        at
    }

    fn add_comparison(&mut self, at: usize, op: &str, lit: Literal) {
        let comparison = Comparison {
            op: op.to_string(),
            literal_type: lit.ty,
            literal_text: self.src[lit.span.clone()].to_string(),
            span: lit.span,
        };
        push_unique(&mut self.uses[at].compared_with, comparison);
    }

    fn add_method_use(&mut self, at: usize, method: &str, span: Range<usize>) {
        let comparison = Comparison {
            op: method.to_string(),
            literal_type: ValueType::String,
            literal_text: method.to_string(),
            span,
        };
        push_unique(&mut self.uses[at].compared_with, comparison);
    }

    // -- recognizing paths ---------------------------------------------------------------------

    /// The path `e` spells, if it is a chain of field selections and string-literal indexes on
    /// the free variable `event` or `context`.
    fn path_of(&self, e: &IdedExpr) -> Option<Path> {
        match &e.expr {
            Expr::Ident(name) => {
                if ROOTS.contains(&name.as_str()) && !self.bound.iter().any(|b| b == name) {
                    Some(Path {
                        segments: vec![name.clone()],
                        span: self.token_span(e.id)?,
                        presence_test: false,
                    })
                } else {
                    None
                }
            }
            Expr::Select(select) => self.select_path(e.id, select),
            Expr::Call(call) if call.func_name == operators::INDEX && call.target.is_none() => {
                let [target, index] = call.args.as_slice() else {
                    return None;
                };
                let Expr::Literal(LiteralValue::String(key)) = &index.expr else {
                    return None;
                };
                let mut path = self.path_of(target)?;
                if path.presence_test {
                    return None;
                }
                // The node sits on the `[`; the path ends at its matching `]`.
                let open = self.token_span(e.id)?.start;
                let close = matching_close(self.src, open)?;
                path.segments.push(key.inner().to_string());
                path.span.end = close + 1;
                Some(path)
            }
            _ => None,
        }
    }

    fn select_path(&self, id: u64, select: &SelectExpr) -> Option<Path> {
        let mut path = self.path_of(&select.operand)?;
        if path.presence_test {
            return None;
        }
        let end = if select.test {
            // `has(a.b)`: the node sits on the `(` of `has`; the field follows the operand.
            let dot = skip_trivia_and(self.src, path.span.end, &[')']);
            if !self.src[dot..].starts_with('.') {
                return None;
            }
            ident_end(self.src, dot + 1)?
        } else {
            // `a.b`: the node sits on the `.`.
            let dot = self.token_span(id)?.start;
            ident_end(self.src, dot + 1)?
        };
        path.segments.push(select.field.clone());
        path.span.end = end;
        path.presence_test = select.test;
        Some(path)
    }

    // -- recognizing literals ------------------------------------------------------------------

    fn literal_of(&self, e: &IdedExpr) -> Option<Literal> {
        match &e.expr {
            Expr::Literal(value) => {
                let ty = match value {
                    LiteralValue::Boolean(_) => ValueType::Bool,
                    LiteralValue::Bytes(_) => ValueType::Unknown,
                    LiteralValue::Double(_) => ValueType::Double,
                    LiteralValue::Int(_) => ValueType::Int,
                    LiteralValue::Null => ValueType::Null,
                    LiteralValue::String(_) => ValueType::String,
                    LiteralValue::UInt(_) => ValueType::Uint,
                };
                let mut span = self.token_span(e.id)?;
                if matches!(ty, ValueType::Int | ValueType::Double) {
                    // The sign of a negative number is not part of its token.
                    let before = self.src[..span.start].trim_end();
                    if before.ends_with('-') {
                        span.start = before.len() - 1;
                    }
                }
                Some(Literal { ty, span })
            }
            Expr::Call(call) if call.target.is_none() => {
                match (call.func_name.as_str(), call.args.as_slice()) {
                    (operators::NEGATE, [inner]) => {
                        let lit = self.literal_of(inner)?;
                        if !matches!(lit.ty, ValueType::Int | ValueType::Double) {
                            return None;
                        }
                        let start = self.token_span(e.id)?.start;
                        // `-(3)`: close the parentheses opened between the sign and the number.
                        let opened = self.src[start..lit.span.start].matches('(').count();
                        let mut end = lit.span.end;
                        for _ in 0..opened {
                            let at = skip_trivia_and(self.src, end, &[]);
                            if !self.src[at..].starts_with(')') {
                                break;
                            }
                            end = at + 1;
                        }
                        Some(Literal {
                            ty: lit.ty,
                            span: start..end,
                        })
                    }
                    ("timestamp", [arg])
                        if matches!(&arg.expr, Expr::Literal(LiteralValue::String(_))) =>
                    {
                        Some(Literal {
                            ty: ValueType::Timestamp,
                            span: self.global_call_span(e.id)?,
                        })
                    }
                    _ => None,
                }
            }
            Expr::List(_) | Expr::Map(_) => {
                let open = self.token_span(e.id)?.start;
                let close = matching_close(self.src, open)?;
                let ty = if matches!(e.expr, Expr::List(_)) {
                    ValueType::List
                } else {
                    ValueType::Map
                };
                Some(Literal {
                    ty,
                    span: open..close + 1,
                })
            }
            _ => None,
        }
    }

    // -- source positions ----------------------------------------------------------------------

    /// The byte span of the token the parser placed node `id` on.
    fn token_span(&self, id: u64) -> Option<Range<usize>> {
        let (start, stop) = self.info.offset_for(id)?;
        let (start, end) = (start as usize, stop as usize + 1);
        (start < end
            && end <= self.src.len()
            && self.src.is_char_boundary(start)
            && self.src.is_char_boundary(end))
        .then_some(start..end)
    }

    /// `name(...)` for a global call whose node sits on its `(`.
    fn global_call_span(&self, id: u64) -> Option<Range<usize>> {
        let open = self.token_span(id)?.start;
        let close = matching_close(self.src, open)?;
        let before = self.src[..open].trim_end();
        let name_start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
            .last()
            .map(|(i, _)| i)?;
        Some(name_start..close + 1)
    }

    /// The method name of a receiver call, whose node sits on its `(`.
    fn method_name_span(&self, call: &CallExpr) -> Option<Range<usize>> {
        // The call's own id is not kept on `CallExpr`; find the name after the receiver.
        let target = call.target.as_deref()?;
        let receiver_end = self.expr_end(target)?;
        let dot = skip_trivia_and(self.src, receiver_end, &[')']);
        if !self.src[dot..].starts_with('.') {
            return None;
        }
        let start = skip_trivia_and(self.src, dot + 1, &[]);
        let end = ident_end(self.src, dot + 1)?;
        (self.src[start..end] == *call.func_name).then_some(start..end)
    }

    /// Where the expression `e` ends, for the node kinds a method receiver commonly is.
    fn expr_end(&self, e: &IdedExpr) -> Option<usize> {
        if let Some(path) = self.path_of(e) {
            return Some(path.span.end);
        }
        if let Some(lit) = self.literal_of(e) {
            return Some(lit.span.end);
        }
        match &e.expr {
            Expr::Ident(_) => Some(self.token_span(e.id)?.end),
            Expr::Select(select) if !select.test => ident_end(self.src, self.token_span(e.id)?.end),
            Expr::Call(call) if call.func_name == operators::INDEX => {
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            Expr::Call(call) if call.target.is_some() || !call.func_name.contains('_') => {
                // A call's node sits on its `(`.
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            // A macro's expansion sits on the `(` of the macro call.
            Expr::Comprehension(_) => {
                Some(matching_close(self.src, self.token_span(e.id)?.start)? + 1)
            }
            _ => None,
        }
    }
}

/// The relational operator symbol for a CEL operator function name.
fn relational(name: &str) -> Option<&'static str> {
    Some(match name {
        operators::EQUALS => "==",
        operators::NOT_EQUALS => "!=",
        operators::LESS => "<",
        operators::LESS_EQUALS => "<=",
        operators::GREATER => ">",
        operators::GREATER_EQUALS => ">=",
        _ => return None,
    })
}

/// `a < b` is `b > a`.
fn flip(op: &str) -> &str {
    match op {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        other => other,
    }
}

fn push_unique(list: &mut Vec<Comparison>, item: Comparison) {
    if !list.contains(&item) {
        list.push(item);
    }
}

// ---------------------------------------------------------------------------------------------
// Lexical helpers over the source text

/// Skips whitespace, `//` comments and any of `extra` from `at`.
fn skip_trivia_and(src: &str, mut at: usize, extra: &[char]) -> usize {
    loop {
        let rest = &src[at..];
        if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        match rest.chars().next() {
            Some(c) if c.is_whitespace() || extra.contains(&c) => at += c.len_utf8(),
            _ => return at,
        }
    }
}

/// The end of the identifier (or backtick-escaped identifier) after `at`, skipping trivia.
fn ident_end(src: &str, at: usize) -> Option<usize> {
    let start = skip_trivia_and(src, at, &[]);
    let rest = &src[start..];
    if let Some(quoted) = rest.strip_prefix('`') {
        return quoted.find('`').map(|i| start + i + 2);
    }
    let len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    (len > 0).then_some(start + len)
}

/// The byte offset of the bracket closing the one at `open` (`(`, `[` or `{`), skipping string
/// literals and comments.
fn matching_close(src: &str, open: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    if !matches!(bytes.get(open), Some(b'(' | b'[' | b'{')) {
        return None;
    }
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += src[i..].find('\n').unwrap_or(src.len() - i);
                continue;
            }
            b'"' | b'\'' => {
                i = string_end(src, i)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset just past the string literal whose opening quote is at `at` (handles raw
/// `r"..."` prefixes by looking back, and triple-quoted strings).
fn string_end(src: &str, at: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let quote = bytes[at];
    let raw = src[..at]
        .bytes()
        .rev()
        .take_while(u8::is_ascii_alphabetic)
        .any(|b| b == b'r' || b == b'R');
    let triple = bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote);
    let mut i = at + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && !raw {
            i += 2;
            continue;
        }
        if b == quote {
            if !triple {
                return Some(i + 1);
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(expr: &str) -> Vec<PathUse> {
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
        let e = r#"context["state-hub.health"].status == "ok" && context.simple.flag"#;
        let p = paths(e);
        assert_eq!(
            dotted(&p),
            ["context|state-hub.health|status", "context|simple|flag"]
        );
        assert_eq!(context_name(&p[0].path), Some("state-hub.health"));
        assert_eq!(context_name(&p[1].path), Some("simple"));
        assert_eq!(attribute_name(&p[0].path), None);
        assert_eq!(text(e, &p[0].span), r#"context["state-hub.health"].status"#);
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
        let e =
            "// é comment\n  event.attributes[\"état\"] == \"fini ü\"\n  && context['ü'].x == 1";
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
        assert!(compatible("timestamp", V::String));
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
}
