//! The calls of one statement, collected in evaluation order for the commit analysis: what
//! each call names, whether it is awaited or dropped, and its subject argument.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// One call found in a statement.
pub(super) struct FoundCall {
    pub(super) range: TextRange,
    /// The callee's last name (`commit` in `session.commit`).
    pub(super) last: String,
    /// The dotted names before it, when they are plain names (`session`, `self.db`).
    pub(super) chain: Option<String>,
    pub(super) is_attribute: bool,
    pub(super) awaited: bool,
    /// A bare expression statement.
    pub(super) dropped: bool,
    /// The first argument (or `subject=`): its literal text, when a string literal.
    pub(super) subject: Option<(Option<String>, TextRange)>,
}

/// The calls of an expression in evaluation order (arguments before the call), without
/// entering lambdas.
#[derive(Default)]
pub(super) struct Calls {
    pub(super) found: Vec<FoundCall>,
    pub(super) top: Option<TextRange>,
    pub(super) depth: usize,
}

impl Calls {
    pub(super) fn walk_stmt(&mut self, s: &Stmt) {
        visitor::walk_stmt(self, s);
    }

    fn call(&mut self, c: &ast::ExprCall, awaited: bool) {
        if self.depth > 200 {
            return;
        }
        self.visit_expr(&c.func);
        for a in &c.arguments.args {
            self.visit_expr(a);
        }
        for k in &c.arguments.keywords {
            self.visit_expr(&k.value);
        }
        let (chain, last, is_attribute) = match &*c.func {
            Expr::Name(n) => (None, n.id.to_string(), false),
            Expr::Attribute(a) => (dotted(&a.value), a.attr.id.to_string(), true),
            _ => return,
        };
        let first = c.arguments.args.first().or_else(|| {
            c.arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "subject"))
                .map(|k| &k.value)
        });
        let subject = first.map(|e| {
            let lit = match e {
                Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
                _ => None,
            };
            (lit, e.range())
        });
        self.found.push(FoundCall {
            range: c.range(),
            last,
            chain,
            is_attribute,
            awaited,
            dropped: !awaited && self.top == Some(c.range()),
            subject,
        });
    }
}

fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => dotted(&a.value).map(|d| format!("{d}.{}", a.attr.id)),
        _ => None,
    }
}

impl<'a> Visitor<'a> for Calls {
    fn visit_stmt(&mut self, s: &'a Stmt) {
        // Nested definitions do not run here.
        if !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, s);
        }
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        if self.depth > 200 {
            return;
        }
        self.depth += 1;
        match e {
            Expr::Lambda(_) => {}
            Expr::Await(a) => match &*a.value {
                Expr::Call(c) => self.call(c, true),
                other => self.visit_expr(other),
            },
            Expr::Call(c) => self.call(c, false),
            other => visitor::walk_expr(self, other),
        }
        self.depth -= 1;
    }
}
