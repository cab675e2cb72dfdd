//! A fast path for the rules most definitions have: paths into `event` and `context` compared
//! with literals, `has()` guards, `in [literals]`, and `&&`, `||`, `!` over those.
//!
//! It decides only what it can decide with certainty: both sides of a comparison of the same
//! kind (ints, uints, doubles, strings, bools, timestamps; an int and a double when the int is
//! exactly a double, as CEL compares numbers across types), `has()` on a map that exists, boolean
//! operands. Anything else — a missing key, mixed types, a non-bool operand, a null — returns
//! `None` and the rule is evaluated by the `cel` interpreter instead, which then gives the
//! result or the error exactly as it would have. `&&` and `||` short-circuit as CEL's do (a
//! decisive left operand decides whatever the right one is, as CEL's commutative `&&`/`||` do).
//! The unit tests check it against the interpreter on every shape it accepts.

use cel::common::ast::{Expr, IdedExpr, LiteralValue, operators};
use cel::common::traits::Indexer;
use cel::common::types::{CelBool, CelDouble, CelInt, CelMap, CelString, CelTimestamp, CelUInt};
use cel::common::value::{CowVal, Val};

/// A compiled rule in the fast subset.
#[derive(Debug)]
pub enum Fast {
    And(Box<Fast>, Box<Fast>),
    Or(Box<Fast>, Box<Fast>),
    Not(Box<Fast>),
    /// `path OP literal` (or `literal OP path`, flipped); paths are indices into
    /// [`Compiled::paths`].
    Compare(usize, Op, Lit),
    /// `path in [literals]`.
    In(usize, Vec<Lit>),
    /// `has(path.field)`: the path (which must be a map) and `path.field` (present or not).
    /// Both are paths so that a caller resolving paths once for many rules answers `has()` from
    /// that cache too, without a map look-up per rule.
    Has(usize, usize),
    /// A boolean path used as an operand (`event.attributes.flag && ...`).
    Truthy(usize),
    Const(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub enum Lit {
    Int(i64),
    UInt(u64),
    Double(f64),
    Str(String),
    Bool(bool),
    Timestamp(chrono::DateTime<chrono::FixedOffset>),
}

/// A rule in the fast subset and the distinct paths it reads.
#[derive(Debug)]
pub struct Compiled {
    pub expr: Fast,
    pub paths: Vec<Path>,
}

/// `event` or `context`, then map keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub event: bool,
    pub keys: Vec<String>,
}

/// Compiles `e` into the fast subset, or `None` when any part is outside it.
pub fn compile(e: &IdedExpr) -> Option<Compiled> {
    let mut paths = Vec::new();
    let expr = compile_in(e, &mut paths)?;
    Some(Compiled { expr, paths })
}

fn intern(paths: &mut Vec<Path>, p: Path) -> usize {
    match paths.iter().position(|q| *q == p) {
        Some(i) => i,
        None => {
            paths.push(p);
            paths.len() - 1
        }
    }
}

fn compile_in(e: &IdedExpr, paths: &mut Vec<Path>) -> Option<Fast> {
    match &e.expr {
        Expr::Literal(LiteralValue::Boolean(b)) => Some(Fast::Const(*b.inner())),
        Expr::Select(s) if s.test => {
            let parent = path(&s.operand)?;
            let mut child = parent.clone();
            child.keys.push(s.field.clone());
            Some(Fast::Has(intern(paths, parent), intern(paths, child)))
        }
        Expr::Select(_) | Expr::Ident(_) => Some(Fast::Truthy(intern(paths, path(e)?))),
        Expr::Call(call) if call.target.is_none() => {
            let args = &call.args;
            match (call.func_name.as_str(), args.len()) {
                (operators::LOGICAL_AND, 2) => Some(Fast::And(
                    Box::new(compile_in(&args[0], paths)?),
                    Box::new(compile_in(&args[1], paths)?),
                )),
                (operators::LOGICAL_OR, 2) => Some(Fast::Or(
                    Box::new(compile_in(&args[0], paths)?),
                    Box::new(compile_in(&args[1], paths)?),
                )),
                (operators::LOGICAL_NOT, 1) => {
                    Some(Fast::Not(Box::new(compile_in(&args[0], paths)?)))
                }
                (operators::INDEX, 2) => Some(Fast::Truthy(intern(paths, path(e)?))),
                (operators::IN, 2) => {
                    let p = path(&args[0])?;
                    let Expr::List(list) = &args[1].expr else {
                        return None;
                    };
                    if !list.optional_indices.is_empty() {
                        return None;
                    }
                    let lits = list
                        .elements
                        .iter()
                        .map(literal)
                        .collect::<Option<Vec<_>>>()?;
                    Some(Fast::In(intern(paths, p), lits))
                }
                (name, 2) => {
                    let op = match name {
                        operators::EQUALS => Op::Eq,
                        operators::NOT_EQUALS => Op::Ne,
                        operators::LESS => Op::Lt,
                        operators::LESS_EQUALS => Op::Le,
                        operators::GREATER => Op::Gt,
                        operators::GREATER_EQUALS => Op::Ge,
                        _ => return None,
                    };
                    if let (Some(p), Some(l)) = (path(&args[0]), literal(&args[1])) {
                        return Some(Fast::Compare(intern(paths, p), op, l));
                    }
                    let (l, p) = (literal(&args[0])?, path(&args[1])?);
                    let flipped = match op {
                        Op::Lt => Op::Gt,
                        Op::Le => Op::Ge,
                        Op::Gt => Op::Lt,
                        Op::Ge => Op::Le,
                        other => other,
                    };
                    Some(Fast::Compare(intern(paths, p), flipped, l))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn path(e: &IdedExpr) -> Option<Path> {
    let mut keys = Vec::new();
    let mut cur = e;
    loop {
        match &cur.expr {
            Expr::Select(s) if !s.test => {
                keys.push(s.field.clone());
                cur = &s.operand;
            }
            Expr::Call(c)
                if c.func_name == operators::INDEX && c.target.is_none() && c.args.len() == 2 =>
            {
                let Expr::Literal(LiteralValue::String(k)) = &c.args[1].expr else {
                    return None;
                };
                keys.push(k.inner().to_string());
                cur = &c.args[0];
            }
            Expr::Ident(name) => {
                let event = match name.as_str() {
                    "event" => true,
                    "context" => false,
                    _ => return None,
                };
                keys.reverse();
                return Some(Path { event, keys });
            }
            _ => return None,
        }
    }
}

fn literal(e: &IdedExpr) -> Option<Lit> {
    match &e.expr {
        Expr::Literal(l) => match l {
            LiteralValue::Int(i) => Some(Lit::Int(*i.inner())),
            LiteralValue::UInt(u) => Some(Lit::UInt(*u.inner())),
            LiteralValue::Double(d) => Some(Lit::Double(*d.inner())),
            LiteralValue::String(s) => Some(Lit::Str(s.inner().to_string())),
            LiteralValue::Boolean(b) => Some(Lit::Bool(*b.inner())),
            _ => None,
        },
        Expr::Call(c) if c.func_name == "timestamp" && c.target.is_none() && c.args.len() == 1 => {
            let Expr::Literal(LiteralValue::String(s)) = &c.args[0].expr else {
                return None;
            };
            chrono::DateTime::parse_from_rfc3339(s.inner())
                .ok()
                .map(Lit::Timestamp)
        }
        _ => None,
    }
}

/// Evaluates `f`, reading path `i` through `resolve(i)`; `None` hands the rule to the
/// interpreter.
pub fn eval<'b>(f: &Fast, resolve: &mut dyn FnMut(usize) -> Option<&'b dyn Val>) -> Option<bool> {
    match f {
        Fast::Const(b) => Some(*b),
        Fast::And(a, b) => match eval(a, resolve)? {
            false => Some(false),
            true => eval(b, resolve),
        },
        Fast::Or(a, b) => match eval(a, resolve)? {
            true => Some(true),
            false => eval(b, resolve),
        },
        Fast::Not(a) => eval(a, resolve).map(|b| !b),
        Fast::Truthy(p) => resolve(*p)?.downcast_ref::<CelBool>().map(|b| *b.inner()),
        Fast::Has(p, child) => {
            // The parent is a map, so the child path resolves exactly when the field is there.
            resolve(*p)?.downcast_ref::<CelMap>()?;
            Some(resolve(*child).is_some())
        }
        Fast::Compare(p, op, lit) => compare(resolve(*p)?, *op, lit),
        Fast::In(p, lits) => {
            let v = resolve(*p)?;
            let mut found = false;
            for l in lits {
                // Every element must be comparable, as the interpreter would otherwise say more.
                found |= compare(v, Op::Eq, l)?;
            }
            Some(found)
        }
    }
}

fn get<'b, 'v>(map: &'b CelMap<'v>, key: &str) -> Option<&'b (dyn Val + 'v)> {
    match Indexer::get(map, &CelString::from(key)) {
        Ok(CowVal::Borrowed(v)) => Some(v),
        _ => None,
    }
}

/// The value at `p`, when every key on the way exists.
pub fn resolve<'b>(
    p: &Path,
    event: Option<&'b dyn Val>,
    context: &'b dyn Val,
) -> Option<&'b dyn Val> {
    let mut cur: &'b dyn Val = if p.event { event? } else { context };
    for k in &p.keys {
        let map = cur.downcast_ref::<CelMap>()?;
        cur = get(map, k)?;
    }
    Some(cur)
}

fn order<T: PartialOrd + ?Sized>(a: &T, op: Op, b: &T) -> Option<bool> {
    Some(match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    })
}

/// An int as a double, when the conversion is exact (|i| ≤ 2⁵³).
fn exact_f64(i: i64) -> Option<f64> {
    (i.unsigned_abs() <= 1 << 53).then_some(i as f64)
}

/// Doubles ordered; a NaN on either side is the interpreter's to decide.
fn order_f64(d: f64, op: Op, l: f64) -> Option<bool> {
    if d.is_nan() || l.is_nan() {
        return None;
    }
    order(&d, op, &l)
}

fn compare(v: &dyn Val, op: Op, lit: &Lit) -> Option<bool> {
    match lit {
        // A `number` attribute is a double, usually compared with an int literal: CEL compares
        // numbers across types, and exactly converted ints compare the same either way.
        Lit::Int(l) => match v.downcast_ref::<CelInt>() {
            Some(i) => order(i.inner(), op, l),
            None => order_f64(*v.downcast_ref::<CelDouble>()?.inner(), op, exact_f64(*l)?),
        },
        Lit::UInt(l) => order(v.downcast_ref::<CelUInt>()?.inner(), op, l),
        Lit::Double(l) => {
            let d = match v.downcast_ref::<CelDouble>() {
                Some(d) => *d.inner(),
                None => exact_f64(*v.downcast_ref::<CelInt>()?.inner())?,
            };
            order_f64(d, op, *l)
        }
        Lit::Str(l) => order(v.downcast_ref::<CelString>()?.inner(), op, l.as_str()),
        // Only equality: whether the interpreter orders bools is not this path's to decide.
        Lit::Bool(l) if matches!(op, Op::Eq | Op::Ne) => {
            order(v.downcast_ref::<CelBool>()?.inner(), op, l)
        }
        Lit::Bool(_) => None,
        Lit::Timestamp(l) => order(v.downcast_ref::<CelTimestamp>()?.inner(), op, l),
    }
}
