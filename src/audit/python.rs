//! One Python file of the publishing service, parsed with ruff's parser and reduced to what the
//! audit needs: its functions, where each publishes which subject, whether each publish is
//! preceded by a commit on every path from the function's entry, and its imports of modules
//! that create work.
//!
//! The commit analysis is a must-analysis over the syntax tree: the state at a point is
//! "committed on every path from the entry" (or unreachable). Branches join with AND; a loop
//! body may run zero times; an exception handler or `finally` may run from the start of its
//! `try`; `return`/`raise` end a path; a `with <x>.begin():` block commits when it exits, so a
//! publish inside it comes before its commit. Calls to functions of the same module are
//! followed through summaries (does it commit on every path, does it publish before committing).

use std::collections::{BTreeSet, HashMap};

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

mod calls;

use calls::{Calls, FoundCall};

/// What the audit knows about the registry while reading a file.
pub struct Ctx<'c> {
    /// Generated publisher function name -> subject.
    pub publishers: &'c HashMap<String, String>,
    /// What counts as a commit (see `SourceConfig::commit`).
    pub commit: &'c [String],
    pub forbidden: &'c [String],
}

/// How a publish names its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Through the generated publisher or `publish_event` with a literal.
    Subject(String),
    /// `publish_event` with a subject that is not a string literal.
    Unknown,
}

/// One publish call.
#[derive(Debug, Clone)]
pub struct PublishSite {
    pub subject: Published,
    /// The call, for positions.
    pub range: TextRange,
    /// The subject argument of `publish_event`, when it is there.
    pub subject_range: Option<TextRange>,
    /// The callee's name (`publish_event`, `publish_repo_registered`).
    pub callee: String,
    /// A bare expression statement: the coroutine is created and dropped.
    pub dropped: bool,
}

/// A publish (direct or through a helper) not preceded by a commit on every path.
#[derive(Debug, Clone)]
pub struct Uncommitted {
    pub range: TextRange,
    pub subject: Published,
    /// The helper called, when the publish happens inside it.
    pub via: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Function {
    pub name: String,
    /// The name in its `def`.
    pub name_range: TextRange,
    pub is_async: bool,
    pub publishes: Vec<PublishSite>,
    /// Functions of the module it calls (indices).
    pub calls: BTreeSet<usize>,
    /// Whether another function of the module calls it.
    pub called: bool,
    /// Commits on every path to its normal end.
    pub commits: bool,
    pub uncommitted: Vec<Uncommitted>,
}

/// A forbidden module imported or loaded.
#[derive(Debug, Clone)]
pub struct Forbidden {
    pub module: String,
    pub range: TextRange,
}

/// The audit's view of one file. Function 0 is the module's own top-level code.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub functions: Vec<Function>,
    pub by_name: HashMap<String, usize>,
    pub forbidden: Vec<Forbidden>,
}

/// The first syntax error of a file that does not parse: its range and message.
pub type SyntaxError = (TextRange, String);

/// Parses `text` and collects its facts.
pub fn analyse(text: &str, ctx: &Ctx) -> Result<FileFacts, SyntaxError> {
    if let Some(problem) = too_deep(text) {
        return Err((TextRange::default(), problem));
    }
    let parsed =
        ruff_python_parser::parse_module(text).map_err(|e| (e.location, e.error.to_string()))?;
    let module = parsed.syntax();
    let mut defs: Vec<Def> = vec![Def {
        name: "<module>".into(),
        name_range: TextRange::default(),
        is_async: false,
        body: &module.body,
    }];
    collect_defs(&module.body, &mut defs, 0);
    let mut facts = FileFacts::default();
    for (i, d) in defs.iter().enumerate().skip(1) {
        facts.by_name.entry(d.name.clone()).or_insert(i);
    }
    let mut summaries: Vec<Option<Function>> = vec![None; defs.len()];
    let mut in_progress = vec![false; defs.len()];
    let mut forbidden = Vec::new();
    for i in 0..defs.len() {
        summarise(
            i,
            &defs,
            &facts.by_name,
            ctx,
            &mut summaries,
            &mut in_progress,
            &mut forbidden,
        );
    }
    facts.functions = summaries
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    for i in 1..facts.functions.len() {
        for c in facts.functions[i].calls.clone() {
            if c != i {
                facts.functions[c].called = true;
            }
        }
    }
    forbidden.sort_by_key(|f: &Forbidden| f.range.start());
    forbidden.dedup_by_key(|f| f.range);
    facts.forbidden = forbidden;
    Ok(facts)
}

/// The parser and the tree's destructor recurse once per level of nesting: a file nested
/// deeper than this (brackets, attribute or call chains, unary operators, lambdas, conditional
/// expressions in one statement) is reported instead of parsed, so that hostile input cannot
/// exhaust the stack. Real code stays far below it.
pub const MAX_NESTING: usize = 5_000;

fn too_deep(text: &str) -> Option<String> {
    use ruff_python_ast::token::TokenKind as T;
    let mut lexer = ruff_python_parser::lexer::lex(text, ruff_python_parser::Mode::Module);
    let (mut weight, mut indent) = (0usize, 0usize);
    // The lexer always advances; the bound only guards against a surprise.
    for _ in 0..=text.len() + 2 {
        match lexer.next_token() {
            T::EndOfFile => return None,
            T::Newline => weight = 0,
            T::Indent => indent += 1,
            T::Dedent => indent = indent.saturating_sub(1),
            T::Lpar
            | T::Lsqb
            | T::Lbrace
            | T::Dot
            | T::Minus
            | T::Plus
            | T::Tilde
            | T::Not
            | T::Await
            | T::Lambda
            | T::Else
            | T::Star
            | T::DoubleStar
            | T::At => weight += 1,
            _ => {}
        }
        if weight > MAX_NESTING || indent > MAX_NESTING / 10 {
            return Some(format!(
                "nested too deeply to audit safely (a statement with more than {MAX_NESTING} brackets, dots and operators, or more than {} indentation levels)",
                MAX_NESTING / 10
            ));
        }
    }
    None
}

struct Def<'a> {
    name: String,
    name_range: TextRange,
    is_async: bool,
    body: &'a [Stmt],
}

/// Every `def` in the file, in classes and in other functions too (bounded depth).
fn collect_defs<'a>(body: &'a [Stmt], out: &mut Vec<Def<'a>>, depth: usize) {
    if depth > 64 {
        return;
    }
    for s in body {
        match s {
            Stmt::FunctionDef(f) => {
                out.push(Def {
                    name: f.name.id.to_string(),
                    name_range: f.name.range,
                    is_async: f.is_async,
                    body: &f.body,
                });
                collect_defs(&f.body, out, depth + 1);
            }
            Stmt::ClassDef(c) => collect_defs(&c.body, out, depth + 1),
            Stmt::If(x) => {
                collect_defs(&x.body, out, depth + 1);
                for c in &x.elif_else_clauses {
                    collect_defs(&c.body, out, depth + 1);
                }
            }
            Stmt::Try(t) => {
                collect_defs(&t.body, out, depth + 1);
                for h in &t.handlers {
                    let ExceptHandler::ExceptHandler(h) = h;
                    collect_defs(&h.body, out, depth + 1);
                }
                collect_defs(&t.orelse, out, depth + 1);
                collect_defs(&t.finalbody, out, depth + 1);
            }
            _ => {}
        }
    }
}

fn summarise(
    i: usize,
    defs: &[Def],
    by_name: &HashMap<String, usize>,
    ctx: &Ctx,
    summaries: &mut Vec<Option<Function>>,
    in_progress: &mut Vec<bool>,
    forbidden: &mut Vec<Forbidden>,
) {
    if summaries[i].is_some() || in_progress[i] {
        return;
    }
    in_progress[i] = true;
    let d = &defs[i];
    let mut flow = Flow {
        me: i,
        defs,
        by_name,
        ctx,
        summaries,
        in_progress,
        forbidden,
        f: Function {
            name: d.name.clone(),
            name_range: d.name_range,
            is_async: d.is_async,
            ..Function::default()
        },
        breaks: Vec::new(),
        continues: Vec::new(),
        depth: 0,
    };
    let end = flow.block(d.body, Some(false));
    flow.f.commits = end != Some(false);
    let f = flow.f;
    in_progress[i] = false;
    summaries[i] = Some(f);
}

/// `Some(committed on every path)`, or `None` when no path reaches the point.
type State = Option<bool>;

fn join(a: State, b: State) -> State {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a && b),
    }
}

struct Flow<'a, 'r> {
    me: usize,
    defs: &'r [Def<'a>],
    by_name: &'r HashMap<String, usize>,
    ctx: &'r Ctx<'r>,
    summaries: &'r mut Vec<Option<Function>>,
    in_progress: &'r mut Vec<bool>,
    forbidden: &'r mut Vec<Forbidden>,
    f: Function,
    breaks: Vec<State>,
    continues: Vec<State>,
    depth: usize,
}

/// What a call does, in evaluation order.
enum Event {
    Commit,
    Publish(PublishSite),
    Helper(usize, TextRange),
}

impl Flow<'_, '_> {
    fn block(&mut self, body: &[Stmt], mut state: State) -> State {
        for s in body {
            state = self.stmt(s, state);
        }
        state
    }

    fn stmt(&mut self, s: &Stmt, state: State) -> State {
        if self.depth > 200 {
            return state;
        }
        self.depth += 1;
        let out = self.stmt_inner(s, state);
        self.depth -= 1;
        out
    }

    fn stmt_inner(&mut self, s: &Stmt, state: State) -> State {
        match s {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => state,
            Stmt::Return(r) => {
                let st = self.exprs(r.value.as_deref().into_iter(), state, false);
                let _ = st;
                None
            }
            Stmt::Raise(r) => {
                let it = r.exc.as_deref().into_iter().chain(r.cause.as_deref());
                self.exprs(it, state, false);
                None
            }
            Stmt::Break(_) => {
                self.breaks.push(state);
                None
            }
            Stmt::Continue(_) => {
                self.continues.push(state);
                None
            }
            Stmt::Expr(e) => self.exprs(std::iter::once(&*e.value), state, true),
            Stmt::If(x) => self.if_stmt(x, state),
            Stmt::While(w) => {
                let st = self.exprs(std::iter::once(&*w.test), state, false);
                let forever = matches!(&*w.test, Expr::BooleanLiteral(b) if b.value);
                let (end, breaks) = self.loop_body(&w.body, st);
                let _ = end;
                let normal = if forever {
                    None
                } else {
                    self.block(&w.orelse, st)
                };
                join(normal, breaks)
            }
            Stmt::For(f) => {
                let st = self.exprs(std::iter::once(&*f.iter), state, false);
                let (_, breaks) = self.loop_body(&f.body, st);
                let normal = self.block(&f.orelse, st);
                join(normal, breaks)
            }
            Stmt::Try(t) => self.try_stmt(t, state),
            Stmt::With(w) => self.with_stmt(w, state),
            Stmt::Match(m) => {
                let st = self.exprs(std::iter::once(&*m.subject), state, false);
                let mut out = st;
                for c in &m.cases {
                    let cs = self.exprs(c.guard.as_deref().into_iter(), st, false);
                    out = join(out, self.block(&c.body, cs));
                }
                out
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    self.check_module(a.name.id.as_str(), a.range);
                }
                state
            }
            Stmt::ImportFrom(i) => {
                if i.level == 0
                    && let Some(m) = &i.module
                {
                    // `from temporalio import client` once; `from pkg import temporalio`-like
                    // submodules only when the package itself is allowed.
                    if !self.check_module(m.id.as_str(), m.range) {
                        for a in &i.names {
                            self.check_module(&format!("{}.{}", m.id, a.name.id), a.range);
                        }
                    }
                }
                state
            }
            other => {
                let mut c = Calls::default();
                c.walk_stmt(other);
                self.apply(c, state, false)
            }
        }
    }

    fn if_stmt(&mut self, x: &ast::StmtIf, state: State) -> State {
        let st = self.exprs(std::iter::once(&*x.test), state, false);
        let mut out = self.block(&x.body, st);
        let mut has_else = false;
        for c in &x.elif_else_clauses {
            let st = match &c.test {
                Some(t) => self.exprs(std::iter::once(t), st, false),
                None => {
                    has_else = true;
                    st
                }
            };
            out = join(out, self.block(&c.body, st));
        }
        if has_else { out } else { join(out, st) }
    }

    /// `finally` may run from the start of the `try`.
    fn try_stmt(&mut self, t: &ast::StmtTry, state: State) -> State {
        let body = self.block(&t.body, state);
        let mut out = self.block(&t.orelse, body);
        for h in &t.handlers {
            let ExceptHandler::ExceptHandler(h) = h;
            let st = self.exprs(h.type_.as_deref().into_iter(), state, false);
            out = join(out, self.block(&h.body, st));
        }
        if t.finalbody.is_empty() {
            out
        } else {
            // `finally` may run from the start of the `try`: its publishes are checked
            // from there; what follows the statement sees its commits too.
            let from_start = self.block(&t.finalbody, state);
            out.map(|c| c || from_start == Some(true))
        }
    }

    /// A `with <x>.begin():` block commits when it exits.
    fn with_stmt(&mut self, w: &ast::StmtWith, state: State) -> State {
        let mut st = state;
        let mut transaction = false;
        for item in &w.items {
            st = self.exprs(std::iter::once(&item.context_expr), st, false);
            if let Expr::Call(c) = &item.context_expr
                && let Expr::Attribute(a) = &*c.func
                && a.attr.id.as_str() == "begin"
            {
                transaction = true;
            }
        }
        let end = self.block(&w.body, st);
        if transaction { end.map(|_| true) } else { end }
    }

    fn loop_body(&mut self, body: &[Stmt], st: State) -> (State, State) {
        let (b, c) = (self.breaks.len(), self.continues.len());
        let end = self.block(body, st);
        let breaks = self.breaks.drain(b..).fold(None, join);
        self.continues.truncate(c);
        (end, breaks)
    }

    /// Records `module` when it is forbidden; says whether it was.
    fn check_module(&mut self, module: &str, range: TextRange) -> bool {
        let hit = self.ctx.forbidden.iter().any(|f| {
            module == f.as_str()
                || module
                    .strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        if hit {
            self.forbidden.push(Forbidden {
                module: module.to_string(),
                range,
            });
        }
        hit
    }

    fn exprs<'e>(
        &mut self,
        es: impl Iterator<Item = &'e Expr>,
        state: State,
        statement: bool,
    ) -> State {
        let mut c = Calls::default();
        for e in es {
            c.top = statement.then(|| e.range());
            c.visit_expr(e);
        }
        self.apply(c, state, statement)
    }

    /// Turns the calls of one statement into events, in evaluation order, and applies them.
    fn apply(&mut self, calls: Calls, mut state: State, _statement: bool) -> State {
        for call in calls.found {
            for ev in self.classify(&call) {
                match ev {
                    Event::Commit => state = state.map(|_| true),
                    Event::Publish(p) => {
                        if state == Some(false) {
                            self.f.uncommitted.push(Uncommitted {
                                range: p.range,
                                subject: p.subject.clone(),
                                via: None,
                            });
                        }
                        self.f.publishes.push(p);
                    }
                    Event::Helper(i, range) => {
                        self.f.calls.insert(i);
                        if self.me == 0 {
                            continue;
                        }
                        summarise(
                            i,
                            self.defs,
                            self.by_name,
                            self.ctx,
                            self.summaries,
                            self.in_progress,
                            self.forbidden,
                        );
                        let Some(h) = &self.summaries[i] else {
                            continue;
                        };
                        if state == Some(false) {
                            for u in &h.uncommitted {
                                self.f.uncommitted.push(Uncommitted {
                                    range,
                                    subject: u.subject.clone(),
                                    via: Some(h.name.clone()),
                                });
                            }
                        }
                        if h.commits {
                            state = state.map(|_| true);
                        }
                    }
                }
            }
        }
        state
    }

    fn classify(&mut self, call: &FoundCall) -> Vec<Event> {
        let mut out = Vec::new();
        let (chain, last) = (&call.chain, call.last.as_str());
        // A commit: awaited in a coroutine, called in a plain function.
        if call.is_attribute && (call.awaited || !self.f.is_async) {
            let dotted = chain.as_deref().map(|c| format!("{c}.{last}"));
            if self.ctx.commit.iter().any(|c| {
                if c.contains('.') {
                    dotted.as_deref() == Some(c.as_str())
                } else {
                    c == last
                }
            }) {
                out.push(Event::Commit);
            }
        }
        if last == "publish_event" {
            let subject = match &call.subject {
                Some((Some(s), _)) => Published::Subject(s.clone()),
                _ => Published::Unknown,
            };
            out.push(Event::Publish(PublishSite {
                subject,
                range: call.range,
                subject_range: call.subject.as_ref().map(|(_, r)| *r),
                callee: last.to_string(),
                dropped: call.dropped,
            }));
        } else if let Some(s) = self.ctx.publishers.get(last) {
            out.push(Event::Publish(PublishSite {
                subject: Published::Subject(s.clone()),
                range: call.range,
                subject_range: None,
                callee: last.to_string(),
                dropped: call.dropped,
            }));
        } else if !call.is_attribute
            && let Some(&i) = self.by_name.get(last)
        {
            if i != self.me {
                out.push(Event::Helper(i, call.range));
            }
        } else if (last == "import_module" || last == "__import__")
            && let Some((Some(m), r)) = &call.subject
        {
            let m = m.clone();
            self.check_module(&m, *r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines (1-based) of the publishes reported before commit in `func`.
    fn uncommitted(src: &str, func: &str) -> Vec<usize> {
        let publishers = HashMap::from([("publish_x_done".to_string(), "org.x.done".to_string())]);
        let commit = vec!["commit".to_string()];
        let forbidden = vec!["temporalio".to_string()];
        let ctx = Ctx {
            publishers: &publishers,
            commit: &commit,
            forbidden: &forbidden,
        };
        let facts = analyse(src, &ctx).unwrap();
        let f = &facts.functions[facts.by_name[func]];
        let file = crate::source::SourceFile::new("t.py", src);
        f.uncommitted
            .iter()
            .map(|u| file.line_col(u.range.start().to_usize()).0)
            .collect()
    }

    #[test]
    fn sequence_and_branches() {
        let src =
            "async def f(s, c):\n    if c:\n        await s.commit()\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [4]);
        let src = "async def f(s, c):\n    if c:\n        await s.commit()\n    else:\n        return\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), Vec::<usize>::new());
        let src = "async def f(s, c):\n    if c:\n        await s.commit()\n    elif d:\n        await s.commit()\n    else:\n        raise E()\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
    }

    #[test]
    fn commit_must_be_awaited_in_a_coroutine() {
        let src = "async def f(s):\n    s.commit()\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [3]);
        let src = "def f(s):\n    s.commit()\n    publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
    }

    #[test]
    fn try_except_finally() {
        // The handler may run before the commit in the body.
        let src = "async def f(s):\n    try:\n        await s.commit()\n    except E:\n        await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [5]);
        // `else` runs only after the body completed.
        let src = "async def f(s):\n    try:\n        await s.commit()\n    except E:\n        raise\n    else:\n        await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
        // A handler that re-raises leaves only the committed path.
        let src = "async def f(s):\n    try:\n        await s.commit()\n    except E:\n        await s.rollback()\n        raise\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
        let src = "async def f(s):\n    try:\n        await s.commit()\n    finally:\n        await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [5]);
        let src = "async def f(s):\n    try:\n        x = 1\n    finally:\n        await s.commit()\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
    }

    #[test]
    fn loops_and_with_blocks() {
        let src = "async def f(s, xs):\n    for x in xs:\n        await s.commit()\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [4]);
        let src = "async def f(s):\n    while True:\n        await s.commit()\n        break\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
        let src = "async def f(s):\n    async with s.begin():\n        await publish_x_done()\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [3]);
        let src = "async def f(s):\n    async with lock:\n        await s.commit()\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
    }

    #[test]
    fn helpers_of_the_module() {
        let src = "async def save(s):\n    await s.commit()\n\nasync def f(s):\n    await save(s)\n    await publish_x_done()\n";
        assert!(uncommitted(src, "f").is_empty());
        let src = "async def emit():\n    await publish_x_done()\n\nasync def f(s):\n    await emit()\n    await s.commit()\n";
        assert_eq!(uncommitted(src, "f"), [5]);
        // Recursion terminates.
        let src = "async def f(s):\n    await f(s)\n    await publish_x_done()\n";
        assert_eq!(uncommitted(src, "f"), [3]);
    }

    #[test]
    fn hostile_input_is_reported_not_parsed() {
        let ctx_p = HashMap::new();
        let ctx = Ctx {
            publishers: &ctx_p,
            commit: &[],
            forbidden: &[],
        };
        let deep = format!("x = {}a", "-".repeat(100_000));
        assert!(analyse(&deep, &ctx).is_err());
        let chain = format!("x = a{}", ".b".repeat(100_000));
        assert!(analyse(&chain, &ctx).is_err());
        // Random bytes: a diagnostic or facts, never a panic (bounded: 300 inputs).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet =
            b"()[]{}:.,=+-*/@ \n\t\"'#\\abcdefasyncawaitdefclassifelsetrywith0123\xc3\xa9";
        for _ in 0..300 {
            let mut bytes = Vec::new();
            for _ in 0..(x % 400) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                bytes.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = analyse(&text, &ctx);
        }
        // Arbitrary bytes, decoded as a file that is not UTF-8 would not be (bounded: 200).
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..(x % 300))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect();
            let _ = analyse(&String::from_utf8_lossy(&bytes), &ctx);
        }
    }
}
