//! The fast path of the rule parse: a small recursive-descent parser for the subset of CEL that
//! rules are written in, building the very tree the `cel` crate's parser builds -- the same
//! nodes, and each node placed on the same token -- so that the one [`Walker`](super::walk)
//! reads both alike.
//!
//! The `cel` crate parses with an ANTLR-generated parser, which is most of the cost of
//! `validate` on a tree of many definitions; nearly every rule is a few comparisons of paths
//! with literals, joined with `&&` and `||`. This parser accepts only that subset, spelled as
//! the CEL grammar (`CEL.g4` in the `cel` crate) spells it:
//!
//! - identifiers, field selections `a.b`, indexes `a[expr]`, global calls `f(..)` and receiver
//!   calls `a.f(..)` (not the comprehension macros `all`, `exists`, `exists_one`, `existsOne`,
//!   `map`, `filter`), `has(a.b)`, parentheses;
//! - decimal `int`, `uint` and `double` literals (with a sign), single-line `'…'` and `"…"`
//!   strings with the one-character escapes, `true`, `false`, `null`, lists and maps;
//! - `==` `!=` `<` `<=` `>` `>=` `in`, `!`, `&&`, `||` and `?:`; whitespace and `//` comments.
//!
//! Anything else -- arithmetic, a unary minus on anything but a number, another token, an
//! escape other than `\n`-style ones, a raw, bytes or triple-quoted string, a reserved word, a
//! literal out of range, deeper nesting than [`MAX_DEPTH`], and every syntax error -- makes it
//! answer `None`, and the caller parses with `cel` as before: errors (`rule-syntax`) and rare
//! shapes keep their behaviour. `rule::quick_tests` checks the two against each other.

use cel::common::ast::{
    CallExpr, EntryExpr, Expr, IdedEntryExpr, IdedExpr, ListExpr, LiteralValue, MapEntryExpr,
    MapExpr, SelectExpr, SourceInfo, operators,
};

/// Nesting of expressions (parentheses, arguments, list and map items, indexes, `?:` branches)
/// beyond which the parse is left to `cel` (whose own limit is 96).
const MAX_DEPTH: usize = 32;

/// Identifiers the `cel` parser rejects (`is_reserved_id` there).
const RESERVED: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// Receiver-call names the standard macros expand (into comprehensions).
const MACROS: &[&str] = &["all", "exists", "exists_one", "existsOne", "map", "filter"];

/// The tree and node positions of `src`, as `cel::Program::compile` would build them, or `None`
/// when `src` is outside the subset this parser knows (or is not valid CEL).
pub(super) fn parse(src: &str) -> Option<(IdedExpr, SourceInfo)> {
    u32::try_from(src.len()).ok()?;
    let mut parser = Parser {
        src,
        at: 0,
        peeked: None,
        next_id: 1,
        info: SourceInfo::default(),
        depth: 0,
    };
    let tree = parser.expr()?;
    (parser.peek()?.kind == Kind::End).then_some((tree, parser.info))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Int,
    Uint,
    Double,
    Str,
    True,
    False,
    Null,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Dot,
    Comma,
    Colon,
    Question,
    Bang,
    Minus,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    End,
}

/// A token: its kind and its byte range in the source.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

struct Parser<'a> {
    src: &'a str,
    /// Where the lexer is (after the peeked token, if any).
    at: usize,
    peeked: Option<Token>,
    next_id: u64,
    info: SourceInfo,
    depth: usize,
}

impl Parser<'_> {
    // -- tokens ----------------------------------------------------------------------------------

    fn peek(&mut self) -> Option<Token> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        self.peeked
    }

    fn bump(&mut self) -> Option<Token> {
        let token = self.peek()?;
        self.peeked = None;
        Some(token)
    }

    fn expect(&mut self, kind: Kind) -> Option<Token> {
        let token = self.bump()?;
        (token.kind == kind).then_some(token)
    }

    /// The next token, or `None` for a character or a literal form outside the subset.
    fn lex(&mut self) -> Option<Token> {
        let bytes = self.src.as_bytes();
        // Whitespace as the CEL lexer knows it, and `//` comments.
        loop {
            match bytes.get(self.at) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') => self.at += 1,
                Some(b'/') if bytes.get(self.at + 1) == Some(&b'/') => {
                    let rest = &self.src[self.at..];
                    self.at += rest.find('\n').unwrap_or(rest.len());
                }
                _ => break,
            }
        }
        let start = self.at;
        let Some(&first) = bytes.get(start) else {
            return Some(Token {
                kind: Kind::End,
                start,
                end: start,
            });
        };
        let next = bytes.get(start + 1).copied();
        let (kind, len) = match (first, next) {
            (b'a'..=b'z' | b'A'..=b'Z' | b'_', _) => return self.word(start),
            (b'0'..=b'9', _) => return self.number(start),
            (b'"' | b'\'', _) => return self.string(start),
            (b'=', Some(b'=')) => (Kind::Eq, 2),
            (b'!', Some(b'=')) => (Kind::Ne, 2),
            (b'<', Some(b'=')) => (Kind::Le, 2),
            (b'>', Some(b'=')) => (Kind::Ge, 2),
            (b'&', Some(b'&')) => (Kind::And, 2),
            (b'|', Some(b'|')) => (Kind::Or, 2),
            (b'<', _) => (Kind::Lt, 1),
            (b'>', _) => (Kind::Gt, 1),
            (b'!', _) => (Kind::Bang, 1),
            (b'(', _) => (Kind::LParen, 1),
            (b')', _) => (Kind::RParen, 1),
            (b'[', _) => (Kind::LBracket, 1),
            (b']', _) => (Kind::RBracket, 1),
            (b'{', _) => (Kind::LBrace, 1),
            (b'}', _) => (Kind::RBrace, 1),
            // `.5` is a number to the CEL lexer.
            (b'.', Some(b'0'..=b'9')) => return None,
            (b'.', _) => (Kind::Dot, 1),
            (b',', _) => (Kind::Comma, 1),
            (b':', _) => (Kind::Colon, 1),
            (b'?', _) => (Kind::Question, 1),
            (b'-', _) => (Kind::Minus, 1),
            _ => return None,
        };
        self.at = start + len;
        Some(Token {
            kind,
            start,
            end: self.at,
        })
    }

    /// An identifier or a keyword. One followed by a quote is a raw or bytes literal (`r"…"`,
    /// `b'…'`) or an error: left to `cel`.
    fn word(&mut self, start: usize) -> Option<Token> {
        let bytes = self.src.as_bytes();
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if matches!(bytes.get(end), Some(b'"' | b'\'')) {
            return None;
        }
        let kind = match &self.src[start..end] {
            "in" => Kind::In,
            "true" => Kind::True,
            "false" => Kind::False,
            "null" => Kind::Null,
            word if RESERVED.contains(&word) => return None,
            _ => Kind::Ident,
        };
        self.at = end;
        Some(Token { kind, start, end })
    }

    /// `123`, `123u`, `1.5`, `1e3`, `1.5e-3`; hexadecimal numbers, and a number run into a
    /// letter, a digit or a dot (`1.e3`, `3.x`), are left to `cel`.
    fn number(&mut self, start: usize) -> Option<Token> {
        let bytes = self.src.as_bytes();
        let digits = |mut at: usize| {
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            at
        };
        let mut end = digits(start);
        let mut kind = Kind::Int;
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end = digits(end + 1);
            kind = Kind::Double;
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
            if bytes.get(end + 1 + sign).is_some_and(u8::is_ascii_digit) {
                end = digits(end + 1 + sign);
                kind = Kind::Double;
            }
        }
        if kind == Kind::Int && matches!(bytes.get(end), Some(b'u' | b'U')) {
            end += 1;
            kind = Kind::Uint;
        }
        if bytes
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            return None;
        }
        self.at = end;
        Some(Token { kind, start, end })
    }

    /// A single-line string in `'…'` or `"…"`; triple quotes are left to `cel`.
    fn string(&mut self, start: usize) -> Option<Token> {
        let bytes = self.src.as_bytes();
        let quote = bytes[start];
        if bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote) {
            return None;
        }
        let mut at = start + 1;
        loop {
            match *bytes.get(at)? {
                b'\\' => at += 2,
                b'\n' | b'\r' => return None,
                b if b == quote => break,
                _ => at += 1,
            }
        }
        self.at = at + 1;
        Some(Token {
            kind: Kind::Str,
            start,
            end: self.at,
        })
    }

    // -- nodes -----------------------------------------------------------------------------------

    /// A new node id, placed on `token` (as `cel` records a token: its first and last byte).
    fn id(&mut self, token: Token) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        // Token ends fit: `parse` checked that the source length fits a u32.
        self.info
            .add_offset(id, token.start as u32, (token.end - 1) as u32);
        id
    }

    fn node(&mut self, token: Token, expr: Expr) -> IdedExpr {
        IdedExpr {
            id: self.id(token),
            expr,
        }
    }

    // -- grammar ---------------------------------------------------------------------------------

    /// `expr : conditionalOr ('?' conditionalOr ':' expr)?`
    fn expr(&mut self) -> Option<IdedExpr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let condition = self.logic(Kind::Or)?;
        let e = if self.peek()?.kind == Kind::Question {
            let question = self.bump()?;
            let id = self.id(question);
            let then = self.logic(Kind::Or)?;
            self.expect(Kind::Colon)?;
            let otherwise = self.expr()?;
            call(
                id,
                operators::CONDITIONAL,
                None,
                vec![condition, then, otherwise],
            )
        } else {
            condition
        };
        self.depth -= 1;
        Some(e)
    }

    /// `conditionalOr : conditionalAnd ('||' conditionalAnd)*` and `conditionalAnd : relation
    /// ('&&' relation)*`, built as `cel` builds them: a balanced tree of the terms.
    fn logic(&mut self, op: Kind) -> Option<IdedExpr> {
        let term = |p: &mut Self| match op {
            Kind::Or => p.logic(Kind::And),
            _ => p.relation(),
        };
        let mut terms = vec![term(self)?];
        let mut ops = Vec::new();
        while self.peek()?.kind == op {
            let token = self.bump()?;
            ops.push(self.id(token));
            terms.push(term(self)?);
        }
        if ops.is_empty() {
            return terms.pop();
        }
        let function = if op == Kind::Or {
            operators::LOGICAL_OR
        } else {
            operators::LOGICAL_AND
        };
        let mut terms: Vec<Option<IdedExpr>> = terms.into_iter().map(Some).collect();
        balanced(function, &mut terms, &ops, 0, ops.len() - 1)
    }

    /// `relation : calc | relation op relation` with `calc` narrowed to a unary expression (no
    /// arithmetic): a left-associative chain.
    fn relation(&mut self) -> Option<IdedExpr> {
        let mut lhs = self.unary()?;
        loop {
            let function = match self.peek()?.kind {
                Kind::Eq => operators::EQUALS,
                Kind::Ne => operators::NOT_EQUALS,
                Kind::Lt => operators::LESS,
                Kind::Le => operators::LESS_EQUALS,
                Kind::Gt => operators::GREATER,
                Kind::Ge => operators::GREATER_EQUALS,
                Kind::In => operators::IN,
                _ => return Some(lhs),
            };
            let token = self.bump()?;
            let id = self.id(token);
            let rhs = self.unary()?;
            lhs = call(id, function, None, vec![lhs, rhs]);
        }
    }

    /// `unary : member | '!'+ member`: an even number of `!` cancels out, an odd number is one
    /// `!_` placed on the first. (A `-` is handled only as the sign of a number literal.)
    fn unary(&mut self) -> Option<IdedExpr> {
        let mut first = None;
        let mut count = 0usize;
        while self.peek()?.kind == Kind::Bang {
            let token = self.bump()?;
            first.get_or_insert(token);
            count += 1;
        }
        let member = self.member()?;
        match first {
            Some(bang) if count % 2 == 1 => {
                let id = self.id(bang);
                Some(call(id, operators::LOGICAL_NOT, None, vec![member]))
            }
            _ => Some(member),
        }
    }

    /// `member : primary | member '.' IDENTIFIER | member '.' IDENTIFIER '(' args ')' |
    /// member '[' expr ']'`.
    fn member(&mut self) -> Option<IdedExpr> {
        let (mut e, suffixes) = self.primary()?;
        loop {
            match self.peek()?.kind {
                Kind::Dot => {
                    let dot = self.bump()?;
                    let name = self.expect(Kind::Ident)?;
                    let name = &self.src[name.start..name.end];
                    if !suffixes {
                        return None;
                    }
                    if self.peek()?.kind == Kind::LParen {
                        if MACROS.contains(&name) {
                            return None;
                        }
                        let open = self.bump()?;
                        let id = self.id(open);
                        let args = self.args()?;
                        e = call(id, name, Some(e), args);
                    } else {
                        let select = Expr::Select(SelectExpr {
                            operand: Box::new(e),
                            field: name.to_string(),
                            test: false,
                        });
                        e = self.node(dot, select);
                    }
                }
                Kind::LBracket => {
                    if !suffixes {
                        return None;
                    }
                    let open = self.bump()?;
                    let id = self.id(open);
                    let index = self.expr()?;
                    self.expect(Kind::RBracket)?;
                    e = call(id, operators::INDEX, None, vec![e, index]);
                }
                _ => return Some(e),
            }
        }
    }

    /// A primary expression, and whether it may take a `.` or `[` suffix here (not a number:
    /// `-3.x` and `3 .x` are left to `cel`).
    fn primary(&mut self) -> Option<(IdedExpr, bool)> {
        let token = self.bump()?;
        let e = match token.kind {
            Kind::Ident => return self.identifier(token).map(|e| (e, true)),
            Kind::LParen => {
                let e = self.expr()?;
                self.expect(Kind::RParen)?;
                e
            }
            Kind::LBracket => self.list(token)?,
            Kind::LBrace => self.map(token)?,
            Kind::Int | Kind::Uint | Kind::Double => {
                return Some((self.number_literal(token, false)?, false));
            }
            Kind::Minus => {
                let number = self.bump()?;
                if !matches!(number.kind, Kind::Int | Kind::Double) {
                    return None;
                }
                return Some((self.number_literal(number, true)?, false));
            }
            Kind::Str => {
                let value = unescape(&self.src[token.start + 1..token.end - 1])?;
                self.node(token, Expr::Literal(LiteralValue::String(value.into())))
            }
            Kind::True => self.node(token, Expr::Literal(LiteralValue::Boolean(true.into()))),
            Kind::False => self.node(token, Expr::Literal(LiteralValue::Boolean(false.into()))),
            Kind::Null => self.node(token, Expr::Literal(LiteralValue::Null)),
            _ => return None,
        };
        Some((e, true))
    }

    /// An identifier, or a global call (`has(a.b)` expanded as the `has` macro does).
    fn identifier(&mut self, token: Token) -> Option<IdedExpr> {
        let name = &self.src[token.start..token.end];
        if self.peek()?.kind != Kind::LParen {
            return Some(self.node(token, Expr::Ident(name.to_string())));
        }
        let open = self.bump()?;
        let id = self.id(open);
        let mut args = self.args()?;
        if name != "has" {
            return Some(call(id, name, None, args));
        }
        // `has(a.b)` is a presence-testing select, placed on the `(`.
        match args.pop() {
            Some(IdedExpr {
                expr: Expr::Select(mut select),
                ..
            }) if args.is_empty() && !select.test => {
                select.test = true;
                Some(IdedExpr {
                    id,
                    expr: Expr::Select(select),
                })
            }
            _ => None,
        }
    }

    /// The arguments of a call, after its `(`: `exprList? ')'` (no trailing comma).
    fn args(&mut self) -> Option<Vec<IdedExpr>> {
        let mut args = Vec::new();
        if self.peek()?.kind == Kind::RParen {
            self.bump()?;
            return Some(args);
        }
        loop {
            args.push(self.expr()?);
            match self.bump()?.kind {
                Kind::Comma => {}
                Kind::RParen => return Some(args),
                _ => return None,
            }
        }
    }

    /// `'[' (expr (',' expr)*)? ','? ']'`, after its `[`.
    fn list(&mut self, open: Token) -> Option<IdedExpr> {
        let id = self.id(open);
        let mut elements = Vec::new();
        while self.peek()?.kind != Kind::RBracket {
            elements.push(self.expr()?);
            if self.peek()?.kind != Kind::Comma {
                break;
            }
            self.bump()?;
        }
        self.expect(Kind::RBracket)?;
        Some(IdedExpr {
            id,
            expr: Expr::List(ListExpr::new(elements)),
        })
    }

    /// `'{' (expr ':' expr (',' expr ':' expr)*)? ','? '}'`, after its `{`; each entry is
    /// placed on its `:`.
    fn map(&mut self, open: Token) -> Option<IdedExpr> {
        let id = self.id(open);
        let mut entries = Vec::new();
        while self.peek()?.kind != Kind::RBrace {
            let key = self.expr()?;
            let colon = self.expect(Kind::Colon)?;
            let entry_id = self.id(colon);
            let value = self.expr()?;
            entries.push(IdedEntryExpr {
                id: entry_id,
                expr: EntryExpr::MapEntry(MapEntryExpr {
                    key,
                    value,
                    optional: false,
                }),
            });
            if self.peek()?.kind != Kind::Comma {
                break;
            }
            self.bump()?;
        }
        self.expect(Kind::RBrace)?;
        Some(IdedExpr {
            id,
            expr: Expr::Map(MapExpr { entries }),
        })
    }

    /// A number literal, placed on its digits (a sign is not part of the token); `None` when
    /// out of range, where `cel` reports an error.
    fn number_literal(&mut self, token: Token, negative: bool) -> Option<IdedExpr> {
        let text = &self.src[token.start..token.end];
        let value = match token.kind {
            Kind::Int => {
                let v: i128 = text.parse().ok()?;
                LiteralValue::Int(i64::try_from(if negative { -v } else { v }).ok()?.into())
            }
            Kind::Uint => LiteralValue::UInt(text[..text.len() - 1].parse::<u64>().ok()?.into()),
            _ => {
                let v: f64 = text.parse().ok()?;
                if !v.is_finite() {
                    return None;
                }
                LiteralValue::Double(if negative { -v } else { v }.into())
            }
        };
        Some(self.node(token, Expr::Literal(value)))
    }
}

fn call(id: u64, function: &str, target: Option<IdedExpr>, args: Vec<IdedExpr>) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: function.to_string(),
            target: target.map(Box::new),
            args,
        }),
    }
}

/// The balanced tree `cel` builds of `terms` joined by the operators `ops` (its
/// `LogicManager::balanced_tree`).
fn balanced(
    function: &str,
    terms: &mut [Option<IdedExpr>],
    ops: &[u64],
    lo: usize,
    hi: usize,
) -> Option<IdedExpr> {
    let mid = (lo + hi).div_ceil(2);
    let left = if mid == lo {
        terms[mid].take()?
    } else {
        balanced(function, terms, ops, lo, mid - 1)?
    };
    let right = if mid == hi {
        terms[mid + 1].take()?
    } else {
        balanced(function, terms, ops, mid + 1, hi)?
    };
    Some(call(ops[mid], function, None, vec![left, right]))
}

/// The value of a string literal's body: verbatim, but for the one-character escapes; other
/// escapes (`\x41`, `\u00e9`, `\101`) are left to `cel`.
fn unescape(body: &str) -> Option<String> {
    if !body.contains('\\') {
        return Some(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            c @ ('\\' | '\'' | '"' | '`' | '?') => c,
            _ => return None,
        });
    }
    Some(out)
}
