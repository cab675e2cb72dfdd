//! Walking the parsed tree: every path read from `event` or `context`, with the literals it is
//! compared with and the string methods called on it.

use std::collections::HashMap;
use std::ops::Range;

use cel::common::ast::operators;
use cel::common::ast::{CallExpr, EntryExpr, Expr, IdedExpr, SourceInfo};

use super::{Comparison, PathUse, ValueType};

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

/// Uses recorded before [`Walker::record`] looks them up in an index rather than scanning.
const SCAN_MAX: usize = 32;

/// String methods whose (first) argument must be a string too.
const STRING_ARG_METHODS: &[&str] = &["startsWith", "endsWith", "contains", "matches"];

pub(super) struct Walker<'a> {
    pub(super) src: &'a str,
    pub(super) info: &'a SourceInfo,
    /// Names bound by enclosing comprehensions (innermost last).
    pub(super) bound: Vec<String>,
    pub(super) uses: Vec<PathUse>,
    /// The first use recorded at each span (`(start, end)`), kept once there are [`SCAN_MAX`]
    /// uses: below that, finding a use again is a scan of `uses`.
    pub(super) index: HashMap<(usize, usize), usize>,
    /// The presence tests known true where the walk is (see [`PathUse::guards`]).
    pub(super) guards: Vec<Vec<String>>,
}

/// A path read, as found in the tree.
pub(super) struct Path {
    pub(super) segments: Vec<String>,
    pub(super) span: Range<usize>,
    pub(super) presence_test: bool,
}

/// A literal, as found in the tree.
pub(super) struct Literal {
    pub(super) ty: ValueType,
    pub(super) span: Range<usize>,
}

impl Walker<'_> {
    pub(super) fn walk(&mut self, e: &IdedExpr) {
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
        // Short-circuit operators: what the left side (or the condition) proves when the right
        // side (or a branch) is evaluated guards the reads there.
        match (name, call.target.as_deref(), call.args.as_slice()) {
            (operators::LOGICAL_AND, None, [lhs, rhs]) => {
                self.walk(lhs);
                let facts = self.true_when(lhs, true);
                self.walk_guarded(rhs, facts);
                return;
            }
            (operators::LOGICAL_OR, None, [lhs, rhs]) => {
                self.walk(lhs);
                let facts = self.true_when(lhs, false);
                self.walk_guarded(rhs, facts);
                return;
            }
            (operators::CONDITIONAL, None, [cond, then, otherwise]) => {
                self.walk(cond);
                let facts = self.true_when(cond, true);
                self.walk_guarded(then, facts);
                let facts = self.true_when(cond, false);
                self.walk_guarded(otherwise, facts);
                return;
            }
            _ => {}
        }
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

    pub(super) fn record(&mut self, path: Path) -> usize {
        if let Some(at) = self.find(&path.segments, &path.span) {
            self.uses[at].presence_test |= path.presence_test;
            return at;
        }
        let at = self.uses.len();
        let key = (path.span.start, path.span.end);
        self.uses.push(PathUse {
            path: path.segments,
            span: path.span,
            compared_with: Vec::new(),
            presence_test: path.presence_test,
            guards: self.guards.clone(),
        });
        // From SCAN_MAX uses on, the index holds every span's first use.
        if self.uses.len() == SCAN_MAX {
            for (i, u) in self.uses.iter().enumerate() {
                self.index.entry((u.span.start, u.span.end)).or_insert(i);
            }
        } else if self.uses.len() > SCAN_MAX {
            self.index.entry(key).or_insert(at);
        }
        at
    }

    /// The use already recorded for `segments` at `span`: a scan of the few uses a rule has,
    /// the index by span beyond [`SCAN_MAX`].
    fn find(&self, segments: &[String], span: &Range<usize>) -> Option<usize> {
        let scan = || {
            self.uses
                .iter()
                .position(|u| u.span == *span && u.path == segments)
        };
        if self.uses.len() < SCAN_MAX {
            return scan();
        }
        match self.index.get(&(span.start, span.end)) {
            Some(&at) if self.uses[at].path == segments => Some(at),
            Some(_) => scan(),
            None => None,
        }
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
