//! Recursive-descent parser (precedence climbing for binary operators) with error recovery.
//!
//! The grammar is cel-python's (`cel.lark`): `c ? a : b` takes an `||`-level expression as
//! its middle branch (so `a ? b ? c : d : e` is rejected) and is right-associative; `||`,
//! `&&`, one relation level (`< <= >= > == != in`), `+ -`, `* / %` are left-associative;
//! `!` and `-` repeat; members are `.f`, `.f(args)`, `[e]` and `T{f: e}`; no trailing
//! commas anywhere.
//!
//! Recovery, and what the tree looks like where the text is broken (what an editor needs):
//! * A missing operand is an `Error` node with an *empty* span right after the token that
//!   demanded it: `a +` ends with `Error@3..3`, `f(a,` holds `Error@4..4`.
//! * A missing field or method name is a `Select`/`Call` whose `Name` is empty, with an
//!   empty span right after the `.`: `inputs.` is `Select(inputs, ""@7..7)`, so completion
//!   knows it completes a member of `inputs`. A bare `.` gives `RootIdent(""@1..1)`.
//! * An unclosed `(`, `[` or `{` keeps everything parsed so far; the node ends at the last
//!   token consumed. The error points at the opening delimiter.
//! * A missing `,` between list items or arguments is assumed; junk tokens are skipped.
//! * Tokens left after a complete expression are reported; the expressions among them are
//!   parsed (their errors reported) but not kept in the tree.
//! * Past [`MAX_NESTING`] nested levels or a tree height of [`MAX_HEIGHT`], parsing stops
//!   with one error and the rest of the text is not examined.

use text_size::{TextRange, TextSize};

use crate::ast::{
    BinaryOp, Expr, ExprKind, FieldInit, Literal, MapEntry, Name, Parse, ParseError, UnaryOp,
};
use crate::lexer::{Lexer, Token, TokenKind, size};
use crate::literal;

/// Deepest nesting of parentheses, brackets, braces, calls and unary operators accepted.
/// cel-python itself fails (Python recursion limit) from about 55 nested parentheses.
pub const MAX_NESTING: u32 = 128;

/// Tallest tree accepted (long operator and member chains grow the tree without nesting).
/// Keeps every recursive consumer of the tree (drop, printer, evaluator) within the stack.
pub const MAX_HEIGHT: u32 = 512;

/// Parses one CEL expression. Never fails, never panics: see [`Parse`].
pub fn parse(src: &str) -> Parse {
    if u32::try_from(src.len()).is_err() {
        let span = TextRange::empty(TextSize::new(0));
        return Parse {
            expr: Expr {
                span,
                kind: ExprKind::Error,
            },
            errors: vec![ParseError {
                span,
                message: "expression too long (over 4 GiB)".to_owned(),
            }],
            celpy_error: None,
        };
    }
    let mut p = Parser::new(src);
    let expr = p.root();
    let mut errors = p.errors;
    errors.sort_by_key(|e| (e.span.start(), e.span.end()));
    Parse {
        expr,
        errors,
        celpy_error: p.celpy_error,
    }
}

/// The height of a subtree, carried alongside it while parsing.
type H = u32;

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    cur: Token,
    prev: Option<Token>,
    errors: Vec<ParseError>,
    celpy_error: Option<TextSize>,
    /// The token that triggered the last syntax error: later errors at the same token are
    /// cascades and are dropped.
    last_error_at: Option<TextSize>,
    depth: u32,
    /// Closers awaited by the enclosing constructs, innermost last.
    closers: Vec<TokenKind>,
    bailed: bool,
}

fn hole(at: TextSize) -> Expr {
    Expr {
        span: TextRange::empty(at),
        kind: ExprKind::Error,
    }
}

fn can_start_expr(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Ident
            | True
            | False
            | Null
            | Int
            | UInt
            | Double
            | String
            | Bytes
            | LParen
            | LBracket
            | LBrace
            | Dot
            | Bang
            | Minus
            | UnterminatedString
    )
}

fn binary_op(kind: TokenKind) -> Option<(BinaryOp, u8)> {
    use TokenKind::*;
    Some(match kind {
        OrOr => (BinaryOp::Or, 1),
        AndAnd => (BinaryOp::And, 2),
        EqEq => (BinaryOp::Eq, 3),
        NotEq => (BinaryOp::Ne, 3),
        Lt => (BinaryOp::Lt, 3),
        Le => (BinaryOp::Le, 3),
        Gt => (BinaryOp::Gt, 3),
        Ge => (BinaryOp::Ge, 3),
        In => (BinaryOp::In, 3),
        Plus => (BinaryOp::Add, 4),
        Minus => (BinaryOp::Sub, 4),
        Star => (BinaryOp::Mul, 5),
        Slash => (BinaryOp::Div, 5),
        Percent => (BinaryOp::Rem, 5),
        _ => return None,
    })
}

fn closer_text(kind: TokenKind) -> &'static str {
    kind.fixed_text().unwrap_or("?")
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        let mut lexer = Lexer::new(src);
        let cur = lexer.next_significant();
        Parser {
            src,
            lexer,
            cur,
            prev: None,
            errors: Vec::new(),
            celpy_error: None,
            last_error_at: None,
            depth: 0,
            closers: Vec::new(),
            bailed: false,
        }
    }

    // ---- tokens ----

    fn at(&self, kind: TokenKind) -> bool {
        self.cur.kind == kind
    }

    fn bump(&mut self) -> Token {
        let t = self.cur;
        self.prev = Some(t);
        self.cur = self.lexer.next_significant();
        t
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        self.at(kind).then(|| self.bump())
    }

    fn prev_end(&self) -> TextSize {
        self.prev.map_or(TextSize::new(0), |t| t.span.end())
    }

    fn text(&self, span: TextRange) -> &'a str {
        &self.src[span]
    }

    fn name(&self, t: Token) -> Name {
        Name {
            text: self.text(t.span).to_owned(),
            span: t.span,
        }
    }

    /// How to call the current token in a message.
    fn describe(&self, t: Token) -> String {
        use TokenKind::*;
        let text = self.text(t.span);
        let short = |s: &str| {
            let mut out: std::string::String = s.chars().take(24).collect();
            if out.len() < s.len() {
                out.push('…');
            }
            out
        };
        match t.kind {
            Eof => "the end of the expression".to_owned(),
            Ident => format!("identifier `{}`", short(text)),
            Int | UInt | Double => format!("number `{}`", short(text)),
            String => format!("string {}", short(text)),
            Bytes => format!("bytes {}", short(text)),
            UnterminatedString => "an unterminated string".to_owned(),
            Unknown => format!("`{}`", short(text)),
            _ => format!("`{text}`"),
        }
    }

    // ---- errors ----

    /// A syntax error: cel-python rejects the text. Records cel-python's position (the
    /// current token, or the last token when the text ended) for the first one.
    fn syntax_error(&mut self, span: TextRange, message: impl Into<std::string::String>) {
        let trigger = self.cur;
        self.syntax_error_at(trigger, span, message.into(), false);
    }

    /// The core of [`Self::syntax_error`]: `trigger` is the token cel-python stops at.
    /// Errors triggered by the same token as the previous one are cascades and dropped,
    /// unless `always`.
    fn syntax_error_at(
        &mut self,
        trigger: Token,
        span: TextRange,
        message: std::string::String,
        always: bool,
    ) {
        if self.bailed {
            return;
        }
        let at = trigger.span.start();
        if self.celpy_error.is_none() {
            self.celpy_error = Some(if trigger.kind == TokenKind::Eof {
                self.lexer.last_start().unwrap_or_default()
            } else {
                at
            });
        }
        if self.last_error_at == Some(at) && !always {
            return;
        }
        self.last_error_at = Some(at);
        self.push_error(span, message);
    }

    /// An unclosed delimiter, reported at the opener (never dropped as a cascade).
    fn unclosed(&mut self, open: Token, message: std::string::String) {
        let trigger = self.cur;
        self.syntax_error_at(trigger, open.span, message, true);
    }

    /// A problem with text cel-python accepts.
    fn report(&mut self, span: TextRange, message: impl Into<std::string::String>) {
        if !self.bailed {
            self.push_error(span, message.into());
        }
    }

    fn push_error(&mut self, span: TextRange, message: std::string::String) {
        if !self
            .errors
            .iter()
            .any(|e| e.span == span && e.message == message)
        {
            self.errors.push(ParseError { span, message });
        }
    }

    /// Gives up on the rest of the text (too deep): one error, then everything is skipped.
    fn bail(&mut self, why: &str) {
        if self.bailed {
            return;
        }
        let span = if self.cur.kind == TokenKind::Eof {
            TextRange::empty(self.prev_end())
        } else {
            self.cur.span
        };
        self.push_error(span, why.to_owned());
        self.bailed = true;
        self.lexer.finish();
        self.cur = Token {
            kind: TokenKind::Eof,
            span: TextRange::empty(size(self.src.len())),
        };
    }

    fn enter(&mut self) -> bool {
        if self.bailed {
            return false;
        }
        if self.depth >= MAX_NESTING {
            self.bail(&format!(
                "expression nested too deeply (more than {MAX_NESTING} levels)"
            ));
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn check_height(&mut self, h: H) -> H {
        if h > MAX_HEIGHT {
            self.bail(&format!(
                "expression too deeply nested or chained (tree taller than {MAX_HEIGHT})"
            ));
        }
        h
    }

    // ---- grammar ----

    fn root(&mut self) -> Expr {
        if self.at(TokenKind::Eof) {
            let at = TextSize::new(0);
            self.syntax_error(TextRange::empty(at), "expected an expression, found nothing");
            return hole(at);
        }
        let (expr, _) = self.expr();
        while !self.at(TokenKind::Eof) {
            self.trailing();
        }
        expr
    }

    /// A token after a complete expression.
    fn trailing(&mut self) {
        use TokenKind::*;
        let t = self.cur;
        let message = match t.kind {
            RParen | RBracket | RBrace => format!("unmatched `{}`", self.text(t.span)),
            LParen => "unexpected `(`: only a name (`f(…)`) or a method (`x.f(…)`) can be \
                       called"
                .to_owned(),
            Colon => "unexpected `:`: it only follows the middle of `c ? a : b` or a map key"
                .to_owned(),
            UnterminatedString => self.unterminated_message(t),
            Unknown => self.unknown_message(t),
            _ => format!("expected an operator, found {}", self.describe(t)),
        };
        let span = self.unterminated_span(t);
        self.syntax_error(span, message);
        if can_start_expr(t.kind) && t.kind != UnterminatedString {
            let _ = self.expr();
        } else {
            self.bump();
        }
        if self.cur.span == t.span && !self.at(Eof) {
            self.bump();
        }
    }

    fn expr(&mut self) -> (Expr, H) {
        if !self.enter() {
            return (hole(self.prev_end()), 1);
        }
        let r = self.ternary();
        self.leave();
        r
    }

    fn ternary(&mut self) -> (Expr, H) {
        let (cond, hc) = self.binary(1);
        if !self.at(TokenKind::Question) {
            return (cond, hc);
        }
        self.ternary_rest(cond, hc)
    }

    /// `? then : otherwise` after `cond`, at the `?`.
    fn ternary_rest(&mut self, cond: Expr, hc: H) -> (Expr, H) {
        if !self.enter() {
            return (cond, hc);
        }
        self.bump();
        let (mut then, mut ht) = self.binary(1);
        if self.at(TokenKind::Question) {
            // `a ? b ? c : d : e`: the middle branch is `||`-level only in cel-python.
            self.syntax_error(
                self.cur.span,
                "a conditional inside the middle branch of `?:` needs parentheses: write \
                 `a ? (b ? c : d) : e`",
            );
            (then, ht) = self.ternary_rest(then, ht);
        }
        let (otherwise, ho) = if self.eat(TokenKind::Colon).is_some() {
            self.expr()
        } else {
            let found = self.describe(self.cur);
            let span = self.error_span();
            self.syntax_error(
                span,
                format!("expected `:` and the `else` branch of `?`, found {found}"),
            );
            if can_start_expr(self.cur.kind) {
                self.expr()
            } else {
                (hole(self.prev_end()), 1)
            }
        };
        self.leave();
        let span = TextRange::new(cond.span.start(), otherwise.span.end().max(then.span.end()));
        let h = self.check_height(hc.max(ht).max(ho) + 1);
        (
            Expr {
                span,
                kind: ExprKind::Ternary {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                },
            },
            h,
        )
    }

    /// The span for an error at the current token (an empty span at the end of the text).
    fn error_span(&self) -> TextRange {
        if self.at(TokenKind::Eof) {
            TextRange::empty(self.prev_end())
        } else {
            self.cur.span
        }
    }

    /// The binary operator at the current token, including the likely typos `=`, `&`, `|`.
    fn peek_binary(&self) -> Option<(BinaryOp, u8, bool)> {
        if let Some((op, prec)) = binary_op(self.cur.kind) {
            return Some((op, prec, false));
        }
        if self.cur.kind == TokenKind::Unknown {
            let typo = match self.text(self.cur.span) {
                "=" => (BinaryOp::Eq, 3),
                "&" => (BinaryOp::And, 2),
                "|" => (BinaryOp::Or, 1),
                _ => return None,
            };
            return Some((typo.0, typo.1, true));
        }
        None
    }

    fn binary(&mut self, min_prec: u8) -> (Expr, H) {
        let (mut lhs, mut h) = self.unary();
        while let Some((op, prec, typo)) = self.peek_binary() {
            if prec < min_prec || self.bailed {
                break;
            }
            if typo {
                let message = self.unknown_message(self.cur);
                self.syntax_error(self.cur.span, message);
            }
            let op_tok = self.bump();
            let (rhs, hr) = self.binary(prec + 1);
            h = self.check_height(h.max(hr) + 1);
            let span = TextRange::new(lhs.span.start(), rhs.span.end().max(op_tok.span.end()));
            lhs = Expr {
                span,
                kind: ExprKind::Binary {
                    op,
                    op_span: op_tok.span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            };
        }
        (lhs, h)
    }

    fn unary(&mut self) -> (Expr, H) {
        let op = match self.cur.kind {
            TokenKind::Bang => UnaryOp::Not,
            TokenKind::Minus => UnaryOp::Neg,
            _ => return self.postfix(),
        };
        if !self.enter() {
            return (hole(self.prev_end()), 1);
        }
        let op_tok = self.bump();
        let (operand, h) = self.unary();
        self.leave();
        let h = self.check_height(h + 1);
        let span = TextRange::new(op_tok.span.start(), operand.span.end().max(op_tok.span.end()));
        (
            Expr {
                span,
                kind: ExprKind::Unary {
                    op,
                    op_span: op_tok.span,
                    operand: Box::new(operand),
                },
            },
            h,
        )
    }

    /// The name after a `.`: an identifier (the lexer makes `in` and `null` identifiers
    /// there). Otherwise an error and an empty name right after the dot.
    fn member_name(&mut self, dot: Token) -> Name {
        match self.cur.kind {
            TokenKind::Ident => {
                let t = self.bump();
                self.name(t)
            }
            kind => {
                let found = self.describe(self.cur);
                let message = if matches!(kind, TokenKind::True | TokenKind::False) {
                    format!("{found} is a literal and cannot be a name after `.`")
                } else {
                    format!("expected a name after `.`, found {found}")
                };
                let span = self.error_span();
                self.syntax_error(span, message);
                Name {
                    text: std::string::String::new(),
                    span: TextRange::empty(dot.span.end()),
                }
            }
        }
    }

    fn postfix(&mut self) -> (Expr, H) {
        let (mut expr, mut h) = self.primary();
        loop {
            if self.bailed {
                break;
            }
            match self.cur.kind {
                TokenKind::Dot => {
                    let dot = self.bump();
                    let name = self.member_name(dot);
                    (expr, h) = self.member(expr, h, name);
                }
                TokenKind::LBracket => {
                    let open = self.bump();
                    self.closers.push(TokenKind::RBracket);
                    let (index, hi) = if self.at(TokenKind::RBracket) {
                        self.syntax_error(self.cur.span, "expected an index inside `[ ]`");
                        (hole(open.span.end()), 1)
                    } else {
                        self.expr()
                    };
                    self.closers.pop();
                    let end = self.close(TokenKind::RBracket, open, "index");
                    h = self.check_height(h.max(hi) + 1);
                    expr = Expr {
                        span: TextRange::new(expr.span.start(), end),
                        kind: ExprKind::Index {
                            operand: Box::new(expr),
                            index: Box::new(index),
                        },
                    };
                }
                TokenKind::LBrace => {
                    let (e, he) = self.message(expr, h);
                    expr = e;
                    h = he;
                }
                TokenKind::Ident
                    if matches!(&expr.kind, ExprKind::Literal(Literal::Double(_)))
                        && self.text(expr.span).ends_with('.') =>
                {
                    // `1.strip()`: lark lexes `1.` as a double. Explain, then read it as
                    // the member access the user meant.
                    let number = self.text(expr.span);
                    let int = &number[..number.len() - 1];
                    let t = self.bump();
                    let field = self.name(t);
                    let call = if self.at(TokenKind::LParen) { "()" } else { "" };
                    let message = format!(
                        "`{number}` is a double literal, so `{0}` cannot follow it: write \
                         `({int}).{0}{call}`",
                        field.text
                    );
                    self.syntax_error_at(t, t.span, message, false);
                    (expr, h) = self.member(expr, h, field);
                }
                _ => break,
            }
        }
        (expr, h)
    }

    /// `operand.name` or, when `(` follows a non-empty name, `operand.name(args)`.
    fn member(&mut self, operand: Expr, h: H, name: Name) -> (Expr, H) {
        let start = operand.span.start();
        if !name.text.is_empty() && self.at(TokenKind::LParen) {
            let (args, end, ha) = self.args(&name.text);
            let h = self.check_height(h.max(ha) + 1);
            let expr = Expr {
                span: TextRange::new(start, end.max(start)),
                kind: ExprKind::Call {
                    receiver: Some(Box::new(operand)),
                    func: name,
                    args,
                },
            };
            return (expr, h);
        }
        let end = name.span.end();
        let h = self.check_height(h + 1);
        let expr = Expr {
            span: TextRange::new(start, end.max(start)),
            kind: ExprKind::Select {
                operand: Box::new(operand),
                field: name,
            },
        };
        (expr, h)
    }

    /// Consumes the closer or reports it missing; returns the end of the construct.
    fn close(&mut self, closer: TokenKind, open: Token, what: &str) -> TextSize {
        if let Some(t) = self.eat(closer) {
            return t.span.end();
        }
        let want = closer_text(closer);
        if self.at(TokenKind::Eof) || self.closers.contains(&self.cur.kind) {
            self.unclosed(
                open,
                format!("expected `{want}` to close the {what} opened here"),
            );
            return self.prev_end();
        }
        let found = self.describe(self.cur);
        self.syntax_error(
            self.cur.span,
            format!("expected `{want}` to close the {what}, found {found}"),
        );
        // Skip to our closer, stepping over balanced groups.
        let mut stack: Vec<TokenKind> = Vec::new();
        loop {
            let kind = self.cur.kind;
            if kind == TokenKind::Eof {
                return self.prev_end();
            }
            if stack.is_empty() {
                if kind == closer {
                    return self.bump().span.end();
                }
                if self.closers.contains(&kind) {
                    return self.prev_end();
                }
            }
            match kind {
                TokenKind::LParen => stack.push(TokenKind::RParen),
                TokenKind::LBracket => stack.push(TokenKind::RBracket),
                TokenKind::LBrace => stack.push(TokenKind::RBrace),
                k if stack.last() == Some(&k) => {
                    stack.pop();
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// `(args)` of a call at the current `(`: the arguments, the end, the tallest height.
    fn args(&mut self, func: &str) -> (Vec<Expr>, TextSize, H) {
        let open = self.bump();
        let what = format!("call of `{func}`");
        let mut items = Vec::new();
        let (end, h) = self.list_items(open, TokenKind::RParen, &what, "argument", |p| {
            let (e, h) = p.expr();
            items.push(e);
            h
        });
        (items, end, h)
    }

    /// The comma-separated items of a list-like construct up to `closer`; `item` parses
    /// one. Reports missing commas, trailing commas, empty items and junk.
    fn list_items(
        &mut self,
        open: Token,
        closer: TokenKind,
        what: &str,
        item_name: &str,
        mut item: impl FnMut(&mut Self) -> H,
    ) -> (TextSize, H) {
        self.closers.push(closer);
        let mut h: H = 0;
        let mut trailing_comma: Option<Token> = None;
        let want = closer_text(closer);
        let end = loop {
            if self.bailed {
                break self.prev_end();
            }
            if self.at(closer) {
                if let Some(comma) = trailing_comma {
                    self.syntax_error(
                        comma.span,
                        "trailing comma: cel-python does not accept a `,` before the closing \
                         delimiter",
                    );
                }
                break self.bump().span.end();
            }
            if self.at(TokenKind::Eof) {
                self.unclosed(
                    open,
                    format!("expected `{want}` to close the {what} opened here"),
                );
                break self.prev_end();
            }
            if self.at(TokenKind::Comma) {
                self.syntax_error(
                    self.cur.span,
                    format!("expected an {item_name} before `,`"),
                );
                self.bump();
                continue;
            }
            let closers_outside = &self.closers[..self.closers.len().saturating_sub(1)];
            if closers_outside.contains(&self.cur.kind) {
                self.unclosed(
                    open,
                    format!("expected `{want}` to close the {what} opened here"),
                );
                break self.prev_end();
            }
            if !can_start_expr(self.cur.kind) && !matches!(self.cur.kind, TokenKind::Unknown) {
                let found = self.describe(self.cur);
                self.syntax_error(
                    self.cur.span,
                    format!("expected an {item_name} or `{want}`, found {found}"),
                );
                self.bump();
                continue;
            }
            trailing_comma = None;
            let before = self.cur.span;
            h = h.max(item(self));
            if let Some(comma) = self.eat(TokenKind::Comma) {
                trailing_comma = Some(comma);
                continue;
            }
            if self.at(closer) || self.at(TokenKind::Eof) {
                continue;
            }
            if can_start_expr(self.cur.kind) {
                self.syntax_error(
                    self.cur.span,
                    format!("expected `,` or `{want}` after the {item_name}"),
                );
            } else if self.cur.span == before
                || !self.closers[..self.closers.len().saturating_sub(1)].contains(&self.cur.kind)
            {
                let found = self.describe(self.cur);
                self.syntax_error(
                    self.cur.span,
                    format!("expected `,` or `{want}`, found {found}"),
                );
                self.bump();
            }
        };
        self.closers.pop();
        (end, h)
    }

    /// `member { field: value, … }`: parsed, always reported (Koreo has no message types).
    fn message(&mut self, operand: Expr, ho: H) -> (Expr, H) {
        let open = self.bump();
        let mut fields: Vec<FieldInit> = Vec::new();
        let (end, hf) = self.list_items(open, TokenKind::RBrace, "message", "field", |p| {
            let name = match p.cur.kind {
                TokenKind::Ident | TokenKind::Null => {
                    let t = p.bump();
                    p.name(t)
                }
                _ => {
                    let found = p.describe(p.cur);
                    p.syntax_error(
                        p.cur.span,
                        format!("expected a field name, found {found}"),
                    );
                    let at = p.cur.span.start();
                    if !p.at(TokenKind::Colon) {
                        let _ = p.expr();
                    }
                    Name {
                        text: std::string::String::new(),
                        span: TextRange::empty(at),
                    }
                }
            };
            let (value, h) = p.colon_value("field name");
            let span = TextRange::new(name.span.start(), value.span.end().max(name.span.end()));
            fields.push(FieldInit {
                field: name,
                value,
                span,
            });
            h
        });
        let mut type_name = Vec::new();
        collect_type_name(&operand, &mut type_name);
        let span = TextRange::new(operand.span.start(), end);
        self.report(
            span,
            "message construction `Type{field: value}` is not supported in Koreo expressions \
             (there are no message types); use a map literal `{\"field\": value}`",
        );
        let h = self.check_height(ho.max(hf) + 1);
        (
            Expr {
                span,
                kind: ExprKind::Message { type_name, fields },
            },
            h,
        )
    }

    /// `: value` after a map key or field name; a missing `:` is reported and assumed.
    fn colon_value(&mut self, after: &str) -> (Expr, H) {
        if self.eat(TokenKind::Colon).is_some() {
            return self.expr();
        }
        let found = self.describe(self.cur);
        let span = self.error_span();
        self.syntax_error(span, format!("expected `:` after the {after}, found {found}"));
        if can_start_expr(self.cur.kind) {
            self.expr()
        } else {
            (hole(self.prev_end()), 1)
        }
    }

    fn literal(&mut self, t: Token) -> Expr {
        let text = self.text(t.span);
        let start = usize::from(t.span.start());
        let lit = match t.kind {
            TokenKind::Int | TokenKind::UInt => {
                let (lit, problem) = if t.kind == TokenKind::Int {
                    literal::int(text)
                } else {
                    literal::uint(text)
                };
                if let Some(p) = problem {
                    self.report(t.span, p.message);
                }
                lit
            }
            TokenKind::Double => literal::double(text),
            TokenKind::True => Literal::Bool(true),
            TokenKind::False => Literal::Bool(false),
            TokenKind::Null => Literal::Null,
            _ => {
                let (lit, problems) = literal::string(text);
                for p in problems {
                    let span = TextRange::new(
                        size(start + p.range.start),
                        size(start + p.range.end),
                    );
                    self.report(span, p.message);
                }
                lit
            }
        };
        Expr {
            span: t.span,
            kind: ExprKind::Literal(lit),
        }
    }

    fn unknown_message(&self, t: Token) -> std::string::String {
        match self.text(t.span) {
            "=" => "`=` is not an operator: use `==` to compare".to_owned(),
            "&" => "`&` is not an operator: use `&&`".to_owned(),
            "|" => "`|` is not an operator: use `||`".to_owned(),
            "\u{201c}" | "\u{201d}" | "\u{2018}" | "\u{2019}" => {
                "typographic quote: strings use `\"` or `'`".to_owned()
            }
            text => format!("unexpected character `{text}`"),
        }
    }

    /// An unterminated string right after an adjacent empty string is an unterminated
    /// `"""`: lark read the first two quotes as `""`.
    fn split_triple_quote(&self, t: Token) -> Option<Token> {
        let prev = self.prev?;
        let prev_text = self.text(prev.span);
        let q = self.text(t.span).chars().next()?;
        let empty = format!("{q}{q}");
        (matches!(prev.kind, TokenKind::String | TokenKind::Bytes)
            && prev.span.end() == t.span.start()
            && prev_text.ends_with(&empty)
            && prev_text.len() <= 4)
            .then_some(prev)
    }

    fn unterminated_span(&self, t: Token) -> TextRange {
        match (t.kind, self.split_triple_quote(t)) {
            (TokenKind::UnterminatedString, Some(prev)) => TextRange::new(
                prev.span.start(),
                size(self.src.len()).max(t.span.end()),
            ),
            _ => t.span,
        }
    }

    fn unterminated_message(&self, t: Token) -> std::string::String {
        let text = self.text(t.span);
        let q = text.chars().next().unwrap_or('"');
        if self.split_triple_quote(t).is_some() {
            return format!("unterminated multi-line string: no closing `{q}{q}{q}`");
        }
        if usize::from(t.span.end()) < self.src.len() {
            format!(
                "unterminated string: a `{q}` string must close on the same line (use \
                 `{q}{q}{q}` for text over several lines)"
            )
        } else {
            format!("unterminated string: add the closing `{q}`")
        }
    }

    fn primary(&mut self) -> (Expr, H) {
        use TokenKind::*;
        let t = self.cur;
        match t.kind {
            Int | UInt | Double | String | Bytes | True | False | Null => {
                self.bump();
                (self.literal(t), 1)
            }
            Ident => {
                self.bump();
                let name = self.name(t);
                if self.at(LParen) {
                    let (args, end, h) = self.args(&name.text);
                    let h = self.check_height(h + 1);
                    let span = TextRange::new(t.span.start(), end);
                    (
                        Expr {
                            span,
                            kind: ExprKind::Call {
                                receiver: None,
                                func: name,
                                args,
                            },
                        },
                        h,
                    )
                } else {
                    (
                        Expr {
                            span: t.span,
                            kind: ExprKind::Ident(name),
                        },
                        1,
                    )
                }
            }
            Dot => {
                let dot = self.bump();
                let name = self.member_name(dot);
                if !name.text.is_empty() && self.at(LParen) {
                    let (args, end, h) = self.args(&name.text);
                    let span = TextRange::new(t.span.start(), end);
                    self.report(
                        span,
                        format!(
                            "a call cannot start with `.`: cel-python reads `.{0}(…)` as the \
                             root variable `{0}` and ignores the arguments",
                            name.text
                        ),
                    );
                    let h = self.check_height(h + 1);
                    (
                        Expr {
                            span,
                            kind: ExprKind::Call {
                                receiver: None,
                                func: name,
                                args,
                            },
                        },
                        h,
                    )
                } else {
                    let span = TextRange::new(t.span.start(), name.span.end());
                    (
                        Expr {
                            span,
                            kind: ExprKind::RootIdent(name),
                        },
                        1,
                    )
                }
            }
            LParen => {
                if !self.enter() {
                    return (hole(self.prev_end()), 1);
                }
                let open = self.bump();
                self.closers.push(RParen);
                let (inner, h) = if self.at(RParen) {
                    self.syntax_error(self.cur.span, "expected an expression inside `( )`");
                    (hole(open.span.end()), 1)
                } else {
                    self.expr()
                };
                self.closers.pop();
                let end = self.close(RParen, open, "parenthesis");
                self.leave();
                let h = self.check_height(h + 1);
                (
                    Expr {
                        span: TextRange::new(open.span.start(), end),
                        kind: ExprKind::Paren(Box::new(inner)),
                    },
                    h,
                )
            }
            LBracket => {
                if !self.enter() {
                    return (hole(self.prev_end()), 1);
                }
                let open = self.bump();
                let mut items = Vec::new();
                let (end, h) = self.list_items(open, RBracket, "list", "element", |p| {
                    let (e, h) = p.expr();
                    items.push(e);
                    h
                });
                self.leave();
                let h = self.check_height(h + 1);
                (
                    Expr {
                        span: TextRange::new(open.span.start(), end),
                        kind: ExprKind::List(items),
                    },
                    h,
                )
            }
            LBrace => {
                if !self.enter() {
                    return (hole(self.prev_end()), 1);
                }
                let open = self.bump();
                let mut entries = Vec::new();
                let (end, h) = self.list_items(open, RBrace, "map", "entry", |p| {
                    let (key, hk) = p.expr();
                    let (value, hv) = p.colon_value("map key");
                    let span =
                        TextRange::new(key.span.start(), value.span.end().max(key.span.end()));
                    entries.push(MapEntry { key, value, span });
                    hk.max(hv)
                });
                self.leave();
                let h = self.check_height(h + 1);
                (
                    Expr {
                        span: TextRange::new(open.span.start(), end),
                        kind: ExprKind::Map(entries),
                    },
                    h,
                )
            }
            UnterminatedString | Unknown => {
                let message = if t.kind == Unknown {
                    self.unknown_message(t)
                } else {
                    self.unterminated_message(t)
                };
                let span = self.unterminated_span(t);
                self.syntax_error(span, message);
                self.bump();
                (
                    Expr {
                        span: t.span,
                        kind: ExprKind::Error,
                    },
                    1,
                )
            }
            _ => {
                let found = self.describe(t);
                let span = self.error_span();
                let message = match self.prev {
                    Some(p) => format!(
                        "expected an expression after `{}`, found {found}",
                        self.text(p.span)
                    ),
                    None => format!("expected an expression, found {found}"),
                };
                self.syntax_error(span, message);
                (hole(self.prev_end()), 1)
            }
        }
    }
}

/// `a.b.c` as names, for the type of a message construction; empty for other shapes.
fn collect_type_name(mut e: &Expr, out: &mut Vec<Name>) {
    loop {
        match &e.kind {
            ExprKind::Ident(n) | ExprKind::RootIdent(n) => {
                out.push(n.clone());
                out.reverse();
                return;
            }
            ExprKind::Select { operand, field } => {
                out.push(field.clone());
                e = operand;
            }
            _ => {
                out.clear();
                return;
            }
        }
    }
}
