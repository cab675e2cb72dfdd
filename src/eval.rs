//! Evaluation of a definition's `rule.when` with the `cel` crate's interpreter.
//!
//! A [`Rule`] is compiled once (the expression parsed, bounded in size and nesting, its
//! `requires` kept) and evaluated many times against its bindings: `event`, the envelope that
//! triggered it with attributes typed by the registry (timestamps as CEL timestamps, uuids and
//! enums as strings), and `context`, the named context values. The outcome is one of
//! [`Outcome`]: the rule fires (true), skips (false), skips because a required context is absent
//! (as the engine does when the context's source is down), or fails to evaluate (no such key,
//! a type mismatch, a non-bool result): an error is never read as "false".
//!
//! Bounds: the interpreter recurses once per nesting level and cannot be interrupted, so hostile
//! expressions are refused before evaluation instead: at most [`MAX_SOURCE_LEN`] bytes, a tree at
//! most [`MAX_DEPTH`] levels deep and comprehensions (`all`, `exists`, `map`, `filter`) nested at
//! most [`MAX_COMPREHENSION_NESTING`] deep. The operands a comprehension iterates come from the
//! expression's own list literals (bounded by its length) or from context values; events carry
//! scalars only.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};

use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use cel::common::traits::Indexer;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelTimestamp,
    CelUInt,
};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::objects::Key;
use cel::{Context, Env, ExecutionError, Program, Value};
use serde_json::Value as J;

use crate::registry::{AttrType, Registry, Subject};

/// The longest expression evaluated.
pub const MAX_SOURCE_LEN: usize = 4096;
/// The deepest expression tree evaluated (operators, calls, selections each add a level).
pub const MAX_DEPTH: usize = 48;
/// The deepest nesting of comprehensions (`[..].all(x, [..].exists(y, ..))` is 2).
pub const MAX_COMPREHENSION_NESTING: usize = 2;

/// The standard CEL environment, shared by every evaluation.
static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));

/// What evaluating a rule on one trigger gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `when` is true: the definition runs.
    Fires,
    /// `when` is false.
    Skips,
    /// A context listed in `requires` is absent: the rule skips cleanly, unevaluated.
    MissingContext(String),
    /// The expression could not be evaluated (the interpreter's message, reworded).
    Error(String),
}

impl Outcome {
    /// `fires`, `skips`, `skips: missing-context`, `error`: the words of test files and output.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Fires => "fires",
            Outcome::Skips => "skips",
            Outcome::MissingContext(_) => "skips: missing-context",
            Outcome::Error(_) => "error",
        }
    }

    /// The label with its detail (`skips: missing-context (billing.health)`, `error: …`).
    pub fn describe(&self) -> String {
        match self {
            Outcome::MissingContext(name) => format!("skips: missing-context (`{name}` is absent)"),
            Outcome::Error(message) => format!("error: {message}"),
            other => other.label().to_string(),
        }
    }
}

/// A compiled `rule.when` with its required contexts.
#[derive(Debug)]
pub struct Rule {
    source: String,
    program: Program,
    /// The same rule in the fast subset (see `fast`), when it fits.
    fast: Option<fast::Compiled>,
    requires: Vec<String>,
}

/// The event a rule sees, converted once and shared by every rule evaluated on it.
#[derive(Debug)]
pub struct EventValue(Box<dyn Val>);

/// Named context values; a name not present is an absent context.
#[derive(Debug)]
pub struct ContextValues {
    names: Vec<String>,
    value: Box<dyn Val>,
}

impl Default for ContextValues {
    fn default() -> Self {
        ContextValues::new(BTreeMap::new())
    }
}

impl ContextValues {
    /// From names and JSON values.
    pub fn new(values: BTreeMap<String, J>) -> ContextValues {
        let names = values.keys().cloned().collect();
        let map: HashMap<CelMapKey<'static>, Box<dyn Val>> = values
            .iter()
            .map(|(k, v)| (CelMapKey::from(k.clone()), json_val(v)))
            .collect();
        ContextValues {
            names,
            value: Box::new(CelMap::from(map)),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

impl EventValue {
    /// The envelope `envelope` (a JSON object, as received) with its attributes typed by
    /// `subject`'s declarations when the subject is registered. A timestamp that does not parse
    /// stays a string (tap reports it as invalid anyway).
    pub fn from_envelope(envelope: &J, subject: Option<&Subject>) -> EventValue {
        // Built as CEL values directly: going through `cel::Value` would copy everything a
        // second time when it is bound.
        let mut map: HashMap<CelMapKey<'static>, Box<dyn Val>> = HashMap::new();
        if let J::Object(fields) = envelope {
            map.reserve(fields.len());
            for (key, value) in fields {
                let converted: Box<dyn Val> = match (key.as_str(), value) {
                    ("attributes", J::Object(attrs)) => {
                        let attrs: HashMap<CelMapKey<'static>, Box<dyn Val>> = attrs
                            .iter()
                            .map(|(name, v)| {
                                let ty = subject.and_then(|s| s.attribute(name)).map(|a| &a.ty);
                                (CelMapKey::from(name.clone()), attribute_val(ty, v))
                            })
                            .collect();
                        Box::new(CelMap::from(attrs))
                    }
                    ("timestamp", J::String(s)) => {
                        timestamp_val(s).unwrap_or_else(|| json_val(value))
                    }
                    _ => json_val(value),
                };
                map.insert(CelMapKey::from(key.clone()), converted);
            }
        }
        EventValue(Box::new(CelMap::from(map)))
    }

    /// What a cron fire binds to `event`: no envelope fields and no attributes, so
    /// `has(event.attributes.x)` is false and reading `event.attributes.x` is an error.
    pub fn cron_fire() -> EventValue {
        let attrs: HashMap<CelMapKey<'static>, Box<dyn Val>> = HashMap::new();
        let attrs: Box<dyn Val> = Box::new(CelMap::from(attrs));
        let map = HashMap::from([(CelMapKey::from("attributes".to_string()), attrs)]);
        EventValue(Box::new(CelMap::from(map)))
    }
}

/// An envelope for `subject` as the registry's examples describe it: every attribute from
/// `attributes`, the others filled from the examples; an attribute given as `null` is left out
/// (an absent optional attribute). `id` and `timestamp` are fixed so results are reproducible;
/// `timestamp` is `at` when given.
pub fn example_envelope(
    reg: &Registry,
    subject: &Subject,
    attributes: &serde_json::Map<String, J>,
    at: Option<&str>,
) -> J {
    let mut attrs = serde_json::Map::new();
    for a in &subject.attributes {
        match attributes.get(&a.name) {
            Some(J::Null) => {}
            Some(v) => {
                attrs.insert(a.name.clone(), v.clone());
            }
            None => {
                attrs.insert(a.name.clone(), a.example.clone());
            }
        }
    }
    for (name, v) in attributes {
        if subject.attribute(name).is_none() && !v.is_null() {
            attrs.insert(name.clone(), v.clone());
        }
    }
    serde_json::json!({
        "id": "00000000-0000-4000-8000-000000000000",
        "type": subject.subject.value,
        "version": reg.envelope.version,
        "timestamp": at.unwrap_or("2026-01-01T00:00:00Z"),
        "publisher": reg.envelope.publisher,
        "attributes": attrs,
    })
}

/// A JSON value as CEL sees it: numbers that fit i64 are ints, others uints or doubles.
pub fn json_val(v: &J) -> Box<dyn Val> {
    match v {
        J::Null => Box::new(CelNull),
        J::Bool(b) => Box::new(CelBool::from(*b)),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                Box::new(CelInt::from(i))
            } else if let Some(u) = n.as_u64() {
                Box::new(CelUInt::from(u))
            } else {
                Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN)))
            }
        }
        J::String(s) => Box::new(CelString::from(s.clone())),
        J::Array(items) => Box::new(CelList::from(
            items.iter().map(json_val).collect::<Vec<_>>(),
        )),
        J::Object(fields) => {
            let map: HashMap<CelMapKey<'static>, Box<dyn Val>> = fields
                .iter()
                .map(|(k, v)| (CelMapKey::from(k.clone()), json_val(v)))
                .collect();
            Box::new(CelMap::from(map))
        }
    }
}

/// An attribute value by its declared type: a timestamp becomes a CEL timestamp, a number a CEL
/// double (`3` as well as `2.5`), everything else keeps its JSON form (uuids and enums are
/// strings).
fn attribute_val(ty: Option<&AttrType>, v: &J) -> Box<dyn Val> {
    match (ty, v) {
        (Some(AttrType::Number), J::Number(n)) => {
            Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN)))
        }
        (Some(AttrType::Timestamp), J::String(s)) => {
            timestamp_val(s).unwrap_or_else(|| json_val(v))
        }
        _ => json_val(v),
    }
}

fn timestamp_val(s: &str) -> Option<Box<dyn Val>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| Box::new(CelTimestamp::from(t)) as Box<dyn Val>)
}

/// The variables an evaluation resolves: `event` (absent for a rule evaluated without one) and
/// `context`.
struct Bindings<'a> {
    event: Option<&'a dyn Val>,
    context: &'a dyn Val,
}

impl VariableResolver for Bindings<'_> {
    /// The interpreter resolves a path such as `event.attributes.count` by asking for the whole
    /// dotted name first, then for shorter prefixes (CEL's qualified names), building each
    /// candidate and looking it up as a type too. Answering the whole path here, by walking the
    /// maps, saves those lookups on the hot path; a path that does not exist to the end is left
    /// to the interpreter, which then selects step by step and reports what is missing.
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let (root, rest) = match variable.split_once('.') {
            Some((root, rest)) => (root, Some(rest)),
            None => (variable, None),
        };
        let mut current: &'b dyn Val = match root {
            "event" => self.event?,
            "context" => self.context,
            _ => return None,
        };
        for segment in rest.into_iter().flat_map(|r| r.split('.')) {
            let map = current.downcast_ref::<CelMap>()?;
            match Indexer::get(map, &CelString::from(segment)) {
                Ok(CowVal::Borrowed(v)) => current = v,
                _ => return None,
            }
        }
        Some(CowVal::Borrowed(current))
    }
}

/// Why a rule could not be compiled for evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError(pub String);

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rule {
    /// Parses `when` for evaluation. Syntax errors are `validate`'s to report with positions
    /// (`rule::analyze`); here they are one message. Expressions beyond the bounds above are
    /// refused.
    pub fn compile(when: &str, requires: &[String]) -> Result<Rule, CompileError> {
        if when.len() > MAX_SOURCE_LEN {
            return Err(CompileError(format!(
                "the expression is {} bytes long; handoff evaluates at most {MAX_SOURCE_LEN}",
                when.len()
            )));
        }
        // The parser itself recurses deeply on nested input (see rule.rs): the static analysis
        // parses on a large stack first, so a deep expression is refused here without being
        // handed to the parser on this thread.
        if let Err(finding) = crate::rule::analyze(when) {
            return Err(CompileError(finding.message));
        }
        let depth = crate::rule::nesting_depth(when);
        if depth > MAX_DEPTH {
            return Err(CompileError(format!(
                "the expression nests brackets {depth} deep; handoff evaluates at most {MAX_DEPTH}"
            )));
        }
        let program = compile_bounded(when)?;
        let (depth, comprehensions) = shape(program.expression());
        if depth > MAX_DEPTH {
            return Err(CompileError(format!(
                "the expression is {depth} levels deep; handoff evaluates at most {MAX_DEPTH}"
            )));
        }
        if comprehensions > MAX_COMPREHENSION_NESTING {
            return Err(CompileError(format!(
                "the expression nests {comprehensions} comprehensions (all/exists/map/filter); handoff evaluates at most {MAX_COMPREHENSION_NESTING}"
            )));
        }
        Ok(Rule {
            source: when.to_string(),
            fast: fast::compile(program.expression()),
            program,
            requires: requires.to_vec(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn requires(&self) -> &[String] {
        &self.requires
    }

    /// Evaluates the rule. `event` is `None` only for callers that have no trigger at all; a
    /// cron fire passes [`EventValue::cron_fire`].
    pub fn evaluate(&self, event: Option<&EventValue>, context: &ContextValues) -> Outcome {
        if let Some(missing) = self.requires.iter().find(|r| !context.contains(r)) {
            return Outcome::MissingContext(missing.clone());
        }
        if let Some(f) = &self.fast {
            let (ev, ctx) = (event.map(|e| e.0.as_ref()), context.value.as_ref());
            let mut resolve = |i: usize| fast::resolve(&f.paths[i], ev, ctx);
            if let Some(b) = fast::eval(&f.expr, &mut resolve) {
                return if b { Outcome::Fires } else { Outcome::Skips };
            }
        }
        self.evaluate_interpreted(event, context)
    }

    /// The paths the fast path reads (empty when the rule is outside it), for callers that
    /// resolve them once for many rules ([`Rule::evaluate_resolved`]).
    pub fn fast_paths(&self) -> &[fast::Path] {
        self.fast.as_ref().map_or(&[], |f| &f.paths)
    }

    /// As [`Rule::evaluate`], with the fast path reading its path `i` through `resolve(i)`
    /// (which must give what `fast::resolve` gives for `fast_paths()[i]`).
    pub fn evaluate_resolved<'b>(
        &self,
        event: Option<&'b EventValue>,
        context: &'b ContextValues,
        resolve: &mut dyn FnMut(usize) -> Option<&'b dyn Val>,
    ) -> Outcome {
        if let Some(missing) = self.missing_context(context) {
            return Outcome::MissingContext(missing.to_string());
        }
        self.evaluate_resolved_with_context(event, context, resolve)
    }

    /// The first context the rule requires that `context` lacks.
    pub fn missing_context(&self, context: &ContextValues) -> Option<&str> {
        self.requires
            .iter()
            .find(|r| !context.contains(r))
            .map(String::as_str)
    }

    /// As [`Rule::evaluate_resolved`] when the caller knows every required context is present
    /// ([`Rule::missing_context`] is `None`): `tap --match` decides that once per definition,
    /// its context being fixed, not once per envelope.
    pub fn evaluate_resolved_with_context<'b>(
        &self,
        event: Option<&'b EventValue>,
        context: &'b ContextValues,
        resolve: &mut dyn FnMut(usize) -> Option<&'b dyn Val>,
    ) -> Outcome {
        if let Some(f) = &self.fast
            && let Some(b) = fast::eval(&f.expr, resolve)
        {
            return if b { Outcome::Fires } else { Outcome::Skips };
        }
        self.evaluate_interpreted(event, context)
    }

    /// The event and context values a resolver reads from.
    pub fn values<'b>(
        event: Option<&'b EventValue>,
        context: &'b ContextValues,
    ) -> (Option<&'b dyn Val>, &'b dyn Val) {
        (event.map(|e| e.0.as_ref()), context.value.as_ref())
    }

    /// Evaluates with the `cel` interpreter only (what the fast path is tested against).
    pub fn evaluate_interpreted(
        &self,
        event: Option<&EventValue>,
        context: &ContextValues,
    ) -> Outcome {
        if let Some(missing) = self.requires.iter().find(|r| !context.contains(r)) {
            return Outcome::MissingContext(missing.clone());
        }
        match self.run(&self.program, event, context) {
            Ok(Value::Bool(true)) => Outcome::Fires,
            Ok(Value::Bool(false)) => Outcome::Skips,
            Ok(other) => Outcome::Error(format!(
                "`rule.when` evaluated to {} {}, not a bool",
                other.type_of(),
                show(&other)
            )),
            Err(e) => Outcome::Error(error_message(&e)),
        }
    }

    fn run(
        &self,
        program: &Program,
        event: Option<&EventValue>,
        context: &ContextValues,
    ) -> Result<Value, ExecutionError> {
        let bindings = Bindings {
            event: event.map(|e| e.0.as_ref()),
            context: context.value.as_ref(),
        };
        let mut ctx = Context::with_env(Arc::clone(&ENV));
        ctx.set_variable_resolver(&bindings);
        program.execute(&ctx)
    }

    /// The values that decided the outcome: each operand of the top-level `&&` / `||` (and of
    /// those inside an outer `!` or parentheses), then each path the expression reads, as
    /// `(source text, value or error)`. For failure reports; not on the hot path.
    pub fn explain(
        &self,
        event: Option<&EventValue>,
        context: &ContextValues,
    ) -> Vec<(String, String)> {
        let mut parts = Vec::new();
        let operands = logical_operands(&self.source);
        let mut texts: Vec<String> = if operands.len() > 1 {
            operands
        } else {
            Vec::new()
        };
        if let Ok(analysis) = crate::rule::analyze(&self.source) {
            for p in analysis.paths {
                if p.presence_test {
                    continue;
                }
                if let Some(text) = self.source.get(p.span.clone()) {
                    texts.push(text.to_string());
                }
            }
        }
        for text in texts {
            if parts.iter().any(|(t, _)| *t == text) {
                continue;
            }
            let shown = match ENV.compile(&text) {
                Ok(program) => match self.run(&program, event, context) {
                    Ok(v) => show(&v),
                    Err(e) => format!("error: {}", error_message(&e)),
                },
                Err(_) => continue,
            };
            parts.push((text, shown));
        }
        parts
    }
}

/// Parses on this thread when the expression is small and shallow, else on a thread with a
/// stack large enough for the parser's recursion (as `rule::analyze` does).
fn compile_bounded(when: &str) -> Result<Program, CompileError> {
    let compile = |src: &str| {
        ENV.compile(src)
            .map_err(|e| CompileError(format!("`rule.when` is not valid CEL: {e}")))
    };
    if when.len() <= 1024 && crate::rule::nesting_depth(when) <= 12 {
        return compile(when);
    }
    let source = when.to_string();
    std::thread::Builder::new()
        .name("handoff-rule-compile".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || compile(&source))
        .map_err(|e| CompileError(format!("cannot start the parser thread: {e}")))?
        .join()
        .unwrap_or_else(|_| {
            Err(CompileError(
                "the CEL parser failed on the expression".into(),
            ))
        })
}

/// Tree depth and comprehension nesting of an expression, walked without recursion.
fn shape(root: &IdedExpr) -> (usize, usize) {
    let mut stack: Vec<(&IdedExpr, usize, usize)> = vec![(root, 1, 0)];
    let (mut max_depth, mut max_comp) = (0, 0);
    while let Some((e, depth, comp)) = stack.pop() {
        max_depth = max_depth.max(depth);
        max_comp = max_comp.max(comp);
        if depth > MAX_DEPTH * 4 {
            continue;
        }
        let d = depth + 1;
        match &e.expr {
            Expr::Call(call) => {
                if let Some(t) = &call.target {
                    stack.push((t, d, comp));
                }
                stack.extend(call.args.iter().map(|a| (a, d, comp)));
            }
            Expr::Comprehension(c) => {
                let inner = comp + 1;
                stack.push((&c.iter_range, d, comp));
                stack.push((&c.accu_init, d, inner));
                stack.push((&c.loop_cond, d, inner));
                stack.push((&c.loop_step, d, inner));
                stack.push((&c.result, d, inner));
            }
            Expr::List(list) => stack.extend(list.elements.iter().map(|a| (a, d, comp))),
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(m) = &entry.expr {
                        stack.push((&m.key, d, comp));
                        stack.push((&m.value, d, comp));
                    }
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        stack.push((&f.value, d, comp));
                    }
                }
            }
            Expr::Select(s) => stack.push((&s.operand, d, comp)),
            Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
        }
    }
    (max_depth, max_comp)
}

/// The operands of the outermost `&&` / `||` chain of `src`, split lexically (outside string
/// literals and brackets); an outer `!( … )` or `( … )` is looked through. One operand when there
/// is no such chain.
pub fn logical_operands(src: &str) -> Vec<String> {
    let mut s = src.trim();
    loop {
        let inner = s.strip_prefix('!').map(str::trim_start).unwrap_or(s);
        match inner
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .filter(|body| crate::rule::balanced(body))
        {
            Some(body) => s = body.trim(),
            None => break,
        }
    }
    let mut parts = Vec::new();
    let bytes = s.as_bytes();
    let (mut depth, mut quote, mut escaped, mut start) = (0i32, None::<u8>, false, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' | b'\'' => quote = Some(c),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'&' | b'|' if depth == 0 && bytes.get(i + 1) == Some(&c) => {
                parts.push(s[start..i].trim().to_string());
                start = i + 2;
                i += 2;
                continue;
            }
            b'?' if depth == 0 => return vec![s.to_string()],
            _ => {}
        }
        i += 1;
    }
    parts.push(s[start..].trim().to_string());
    parts
}

/// An interpreter error in words.
pub fn error_message(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(key) => format!("no such key `{key}`"),
        ExecutionError::UndeclaredReference(name) => format!("undeclared reference `{name}`"),
        ExecutionError::ValuesNotComparable(a, b) => format!(
            "{} {} cannot be compared with {} {}",
            a.type_of(),
            show(a),
            b.type_of(),
            show(b)
        ),
        ExecutionError::NoSuchOverload(o)
            if o.argument_types().iter().any(|t| t.ends_with("Timestamp"))
                && o.argument_types().iter().any(|t| t == "string") =>
        {
            format!(
                "{}; timestamp attributes are timestamps: compare them with timestamp(\"2026-01-01T00:00:00Z\")",
                readable(&e.to_string())
            )
        }
        other => readable(&other.to_string()),
    }
}

fn readable(message: &str) -> String {
    message
        .replace("google.protobuf.Timestamp", "timestamp")
        .replace("google.protobuf.Duration", "duration")
}

/// A value as CEL would write it: `"ok"`, `3`, `true`, `timestamp("…")`, `[…]`, `{…}`.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s.as_str()).unwrap_or_default(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => format!("{u}u"),
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Timestamp(t) => format!("timestamp(\"{}\")", t.to_rfc3339()),
        Value::Duration(d) => format!("duration(\"{}s\")", d.num_seconds()),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => {
            let mut entries: Vec<(String, String)> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Key::String(s) => serde_json::to_string(s.as_str()).unwrap_or_default(),
                        Key::Int(i) => i.to_string(),
                        Key::Uint(u) => format!("{u}u"),
                        Key::Bool(b) => b.to_string(),
                    };
                    (key, show(v))
                })
                .collect();
            entries.sort();
            format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        other => format!("{other:?}"),
    }
}

pub mod fast;

#[cfg(test)]
mod tests;
