//! Recognizing the nodes that are paths (`event.attributes.x`, `context["name"]`, `has(...)`)
//! and literals (including negative numbers, `timestamp("...")`, lists and maps).

use cel::common::ast::operators;
use cel::common::ast::{Expr, IdedExpr, LiteralValue, SelectExpr};

use super::ROOTS;
use super::ValueType;
use super::spans::{ident_end, matching_close, skip_trivia_and};
use super::walk::{Literal, Path, Walker};

impl Walker<'_> {
    /// The path `e` spells, if it is a chain of field selections and string-literal indexes on
    /// the free variable `event` or `context`.
    pub(super) fn path_of(&self, e: &IdedExpr) -> Option<Path> {
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

    pub(super) fn select_path(&self, id: u64, select: &SelectExpr) -> Option<Path> {
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

    pub(super) fn literal_of(&self, e: &IdedExpr) -> Option<Literal> {
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
}
