//! Recursive-descent parser (precedence climbing for binary operators) with error recovery.
//!
//! The grammar is cel-python's (`cel.lark`): `c ? a : b` takes an `||`-level expression as
//! its middle branch (so `a ? b ? c : d : e` is rejected) and is right-associative; `||`,
//! `&&`, one relation level (`< <= >= > == != in`), `+ -`, `* / %` are left-associative;
//! `!` and `-` repeat; members are `.f`, `.f(args)`, `[e]` and `T{f: e}`; no trailing
//! commas anywhere.
//!
//! Recovery, and what the tree looks like where the text is broken (what an editor needs):
//! * A missing operand is an `Error` node with an *empty* span at the start of the next
//!   token, or at the end of the text: `a +` ends with `Error@3..3`, `(1 + )` holds
//!   `Error@5..5`. So a cursor typed after the operator (and any spaces) touches the hole.
//! * A missing field or method name is a `Select` whose `Name` is empty, with an empty span
//!   right after the `.`: `inputs.` is `Select(inputs, ""@7..7)`, so completion knows it
//!   completes a member of `inputs`. A bare `.` gives `RootIdent(""@1..1)`.
//! * An unclosed `(`, `[` or `{` keeps everything parsed so far and extends to the next
//!   token (an enclosing closer) or to the end of the text, trailing spaces included: in
//!   `f(a, ` the call spans all 5 bytes. The error points at the opening delimiter.
//! * A missing `,` between list items or arguments is assumed; junk tokens are skipped.
//! * Tokens left after a complete expression are reported; the expressions among them are
//!   parsed (their errors reported) but not kept in the tree.
//! * Past [`MAX_NESTING`] nested levels or a tree height of [`MAX_HEIGHT`], parsing stops
//!   with one error and the rest of the text is not examined.
//!
//! The functions on the recursive path are kept small (messages are built in cold helpers)
//! so that deep nesting costs little stack, even in debug builds.

use text_size::{TextRange, TextSize};

use crate::ast::{
    BinaryOp, Expr, ExprKind, FieldInit, Literal, MapEntry, Name, Parse, ParseError, UnaryOp,
};
use crate::lexer::{Lexer, Token, TokenKind, size};
use crate::literal;

/// Deepest nesting of parentheses, brackets, braces and calls accepted. cel-python itself
/// fails (Python recursion limit) from about 55 nested parentheses. Chains of unary
/// operators and of `?:` in the `else` branch are not nesting (only [`MAX_HEIGHT`] bounds
/// them).
pub const MAX_NESTING: u32 = 64;

/// Tallest tree accepted (long operator and member chains grow the tree without nesting;
/// cel-python evaluates chains of about 300). Keeps every recursive consumer of the tree
/// (drop, printer, evaluator) well within the stack.
pub const MAX_HEIGHT: u32 = 512;

/// Parses one CEL expression. Never fails, never panics: see [`Parse`].
pub fn parse(src: &str) -> Parse {
    if u32::try_from(src.len()).is_err() {
        let span = TextRange::empty(TextSize::new(0));
        return Parse {
            expr: hole(span.start()),
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

/// The bracketed constructs, for recovery and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Call,
    Paren,
    List,
    Map,
    Message,
    Index,
}

impl Group {
    fn closer(self) -> TokenKind {
        match self {
            Group::Call | Group::Paren => TokenKind::RParen,
            Group::List | Group::Index => TokenKind::RBracket,
            Group::Map | Group::Message => TokenKind::RBrace,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Group::Call => "call",
            Group::Paren => "parenthesis",
            Group::List => "list",
            Group::Map => "map",
            Group::Message => "message",
            Group::Index => "index",
        }
    }

    fn item(self) -> &'static str {
        match self {
            Group::Call => "argument",
            Group::List => "element",
            Group::Map => "entry",
            Group::Message => "field",
            Group::Paren | Group::Index => "expression",
        }
    }
}

/// What went wrong inside a comma-separated list (see `Parser::list_error`).
#[derive(Clone, Copy)]
enum ListError {
    TrailingComma(Token),
    EmptyItem,
    BadStart,
    MissingComma,
    Junk,
}

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

fn boxed(kind: ExprKind, span: TextRange) -> Expr {
    Expr { span, kind }
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
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
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

    /// Where a missing operand goes, and where a construct left unclosed ends: the start of
    /// the next token, or the end of the text (so a cursor after trailing whitespace is
    /// still inside).
    fn hole_at(&self) -> TextSize {
        if self.at(TokenKind::Eof) {
            size(self.src.len())
        } else {
            self.cur.span.start()
        }
    }

    /// An empty name right after `at` (a missing name).
    fn missing_name(at: TextSize) -> Name {
        Name {
            text: std::string::String::new(),
            span: TextRange::empty(at),
        }
    }

    // ---- errors (cold: keeps the recursive path's frames small) ----

    /// How to call a token in a message.
    #[cold]
    fn describe(&self, t: Token) -> std::string::String {
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

    /// The span for an error at the current token (an empty span at the end of the text).
    fn error_span(&self) -> TextRange {
        if self.at(TokenKind::Eof) {
            TextRange::empty(self.prev_end())
        } else {
            self.cur.span
        }
    }

    /// A syntax error triggered by the current token.
    #[cold]
    #[inline(never)]
    fn syntax_error(&mut self, span: TextRange, message: std::string::String) {
        let trigger = self.cur;
        self.syntax_error_at(trigger, span, message, false);
    }

    /// A syntax error: cel-python rejects the text at `trigger`, the token its parser stops
    /// at. Records cel-python's position for the first one. Errors triggered by the same
    /// token as the previous one are cascades and dropped, unless `always`.
    #[cold]
    #[inline(never)]
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

    /// A problem with text cel-python accepts.
    #[cold]
    #[inline(never)]
    fn report(&mut self, span: TextRange, message: std::string::String) {
        if !self.bailed {
            self.push_error(span, message);
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
    #[cold]
    #[inline(never)]
    fn bail(&mut self, why: std::string::String) {
        if self.bailed {
            return;
        }
        let span = self.error_span();
        self.push_error(span, why);
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
            self.bail(format!(
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
            self.bail(format!(
                "expression too deeply nested or chained (tree taller than {MAX_HEIGHT})"
            ));
        }
        h
    }

    /// No operand where one must start.
    #[cold]
    #[inline(never)]
    fn err_expected_expr(&mut self) {
        let found = self.describe(self.cur);
        let span = self.error_span();
        let message = match self.prev {
            Some(p) => format!(
                "expected an expression after `{}`, found {found}",
                self.text(p.span)
            ),
            None => format!("expected an expression, found {found}"),
        };
        self.syntax_error(span, message);
    }

    /// An unknown character or an unterminated string where the parser stands.
    #[cold]
    #[inline(never)]
    fn err_lexical(&mut self) {
        let t = self.cur;
        let message = if t.kind == TokenKind::Unknown {
            self.unknown_message(t)
        } else {
            self.unterminated_message(t)
        };
        let span = self.unterminated_span(t);
        self.syntax_error(span, message);
    }

    /// Missing `:` in `c ? a : b`, or a nested `?` in its middle branch.
    #[cold]
    #[inline(never)]
    fn err_ternary(&mut self, nested: bool) {
        let span = self.error_span();
        let message = if nested {
            "a conditional inside the middle branch of `?:` needs parentheses: write \
             `a ? (b ? c : d) : e`"
                .to_owned()
        } else {
            let found = self.describe(self.cur);
            format!("expected `:` and the `else` branch of `?`, found {found}")
        };
        self.syntax_error(span, message);
    }

    /// Missing `:` after a map key or a message field name.
    #[cold]
    #[inline(never)]
    fn err_missing_colon(&mut self, group: Group) {
        let found = self.describe(self.cur);
        let after = if group == Group::Map {
            "map key"
        } else {
            "field name"
        };
        let span = self.error_span();
        self.syntax_error(
            span,
            format!("expected `:` after the {after}, found {found}"),
        );
    }

    #[cold]
    #[inline(never)]
    fn err_member_name(&mut self) {
        let found = self.describe(self.cur);
        let message = if matches!(self.cur.kind, TokenKind::True | TokenKind::False) {
            format!("{found} is a literal and cannot be a name after `.`")
        } else {
            format!("expected a name after `.`, found {found}")
        };
        let span = self.error_span();
        self.syntax_error(span, message);
    }

    #[cold]
    #[inline(never)]
    fn err_field_name(&mut self) {
        let found = self.describe(self.cur);
        self.syntax_error(
            self.cur.span,
            format!("expected a field name, found {found}"),
        );
    }

    #[cold]
    #[inline(never)]
    fn err_empty(&mut self, group: Group) {
        let (open, close) = match group {
            Group::Index => ("[", "]"),
            _ => ("(", ")"),
        };
        self.syntax_error(
            self.cur.span,
            format!("expected an expression inside `{open} {close}`"),
        );
    }

    /// `=`, `&`, `|` used as operators.
    #[cold]
    #[inline(never)]
    fn err_typo_operator(&mut self) {
        let message = self.unknown_message(self.cur);
        self.syntax_error(self.cur.span, message);
    }

    /// `1.strip`: `1.` is a double, so the identifier cannot follow it.
    #[cold]
    #[inline(never)]
    fn err_double_then_name(&mut self, number: TextRange, name: Token) {
        let number = self.text(number);
        let int = &number[..number.len().saturating_sub(1)];
        let field = self.text(name.span);
        let call = if self.at(TokenKind::LParen) { "()" } else { "" };
        let message = format!(
            "`{number}` is a double literal, so `{field}` cannot follow it: write \
             `({int}).{field}{call}`"
        );
        self.syntax_error_at(name, name.span, message, false);
    }

    /// The name of the function whose call opens at `open`, for messages.
    fn callee(&self, open: Token) -> &'a str {
        let before = self.src[..usize::from(open.span.start())].trim_end();
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c == '_' || c.is_ascii_alphanumeric()))
            .map_or(0, |(i, c)| i + c.len_utf8());
        &before[start..]
    }

    /// An unclosed delimiter, reported at the opener (never dropped as a cascade).
    #[cold]
    #[inline(never)]
    fn err_unclosed(&mut self, open: Token, group: Group) {
        let want = closer_text(group.closer());
        let what = match group {
            Group::Call => format!("call of `{}`", self.callee(open)),
            g => g.what().to_owned(),
        };
        let message = format!("expected `{want}` to close the {what} opened here");
        let trigger = self.cur;
        self.syntax_error_at(trigger, open.span, message, true);
    }

    #[cold]
    #[inline(never)]
    fn err_wrong_closer(&mut self, group: Group) {
        let want = closer_text(group.closer());
        let found = self.describe(self.cur);
        let what = group.what();
        self.syntax_error(
            self.cur.span,
            format!("expected `{want}` to close the {what}, found {found}"),
        );
    }

    #[cold]
    #[inline(never)]
    fn list_error(&mut self, group: Group, error: ListError) {
        let want = closer_text(group.closer());
        let item = group.item();
        let found = self.describe(self.cur);
        let (span, message) = match error {
            ListError::TrailingComma(comma) => (
                comma.span,
                "trailing comma: cel-python does not accept a `,` before the closing delimiter"
                    .to_owned(),
            ),
            ListError::EmptyItem => (self.cur.span, format!("expected an {item} before `,`")),
            ListError::BadStart => (
                self.cur.span,
                format!("expected an {item} or `{want}`, found {found}"),
            ),
            ListError::MissingComma => (
                self.cur.span,
                format!("expected `,` or `{want}` after the {item}"),
            ),
            ListError::Junk => (
                self.cur.span,
                format!("expected `,` or `{want}`, found {found}"),
            ),
        };
        self.syntax_error(span, message);
    }

    /// A token after a complete expression.
    #[cold]
    #[inline(never)]
    fn err_trailing(&mut self) {
        use TokenKind::*;
        let t = self.cur;
        let message = match t.kind {
            RParen | RBracket | RBrace => format!("unmatched `{}`", self.text(t.span)),
            LParen => "unexpected `(`: only a name (`f(…)`) or a method (`x.f(…)`) can be \
                       called"
                .to_owned(),
            Colon => {
                "unexpected `:`: it only follows the middle of `c ? a : b` or a map key".to_owned()
            }
            UnterminatedString => self.unterminated_message(t),
            Unknown => self.unknown_message(t),
            _ => format!("expected an operator, found {}", self.describe(t)),
        };
        let span = self.unterminated_span(t);
        self.syntax_error(span, message);
    }

    #[cold]
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
        let prev_text = self.text(prev.span).as_bytes();
        let q = *self.text(t.span).as_bytes().first()?;
        (matches!(prev.kind, TokenKind::String | TokenKind::Bytes)
            && prev.span.end() == t.span.start()
            && prev_text.len() <= 4
            && prev_text.ends_with(&[q, q]))
        .then_some(prev)
    }

    fn unterminated_span(&self, t: Token) -> TextRange {
        match (t.kind, self.split_triple_quote(t)) {
            (TokenKind::UnterminatedString, Some(prev)) => {
                TextRange::new(prev.span.start(), size(self.src.len()).max(t.span.end()))
            }
            _ => t.span,
        }
    }

    #[cold]
    fn unterminated_message(&self, t: Token) -> std::string::String {
        let q = self.text(t.span).chars().next().unwrap_or('"');
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

    // ---- grammar ----

    fn root(&mut self) -> Expr {
        if self.at(TokenKind::Eof) {
            let at = TextSize::new(0);
            self.syntax_error(
                TextRange::empty(at),
                "expected an expression, found nothing".to_owned(),
            );
            return hole(at);
        }
        let (expr, _) = self.expr();
        while !self.at(TokenKind::Eof) {
            let t = self.cur;
            self.err_trailing();
            if can_start_expr(t.kind) && t.kind != TokenKind::UnterminatedString {
                let _ = self.expr();
            }
            if self.cur.span == t.span && !self.at(TokenKind::Eof) {
                self.bump();
            }
        }
        expr
    }

    fn expr(&mut self) -> (Expr, H) {
        if !self.enter() {
            return (hole(self.hole_at()), 1);
        }
        let r = self.ternary();
        self.leave();
        r
    }

    /// `c1 ? t1 : c2 ? t2 : … : e`, right-associative. The `else` chain is parsed in a loop
    /// (cel-python evaluates hundreds of chained conditionals) and folded from the right.
    fn ternary(&mut self) -> (Expr, H) {
        let (first, h) = self.binary(1);
        if !self.at(TokenKind::Question) {
            return (first, h);
        }
        self.ternary_chain(first, h)
    }

    /// The rest of [`Self::ternary`] at the first `?` (apart, to keep the common path's
    /// stack frame small).
    #[inline(never)]
    fn ternary_chain(&mut self, first: Expr, h: H) -> (Expr, H) {
        let mut arms: Vec<(Expr, H, Expr, H)> = Vec::new();
        let (mut cond, mut hc) = (first, h);
        let (mut last, mut hl) = loop {
            self.bump();
            let (then, ht) = self.then_branch();
            arms.push((cond, hc, then, ht));
            if self.eat(TokenKind::Colon).is_none() {
                self.err_ternary(false);
                if !can_start_expr(self.cur.kind) {
                    break (hole(self.hole_at()), 1);
                }
            }
            let (next, hn) = self.binary(1);
            if !self.at(TokenKind::Question) || self.bailed {
                break (next, hn);
            }
            if arms.len() >= MAX_HEIGHT as usize {
                self.check_height(MAX_HEIGHT + 1);
                break (next, hn);
            }
            (cond, hc) = (next, hn);
        };
        // Past the height limit the rest of the chain is dropped (the error is reported).
        while let Some((cond, hc, then, ht)) = arms.pop() {
            if self.bailed && hl >= MAX_HEIGHT {
                break;
            }
            (last, hl) = self.conditional(cond, hc, then, ht, last, hl);
        }
        (last, hl)
    }

    /// The middle branch of `?:`, an `||`-level expression; a nested `?:` there is an
    /// error, read as if parenthesised.
    fn then_branch(&mut self) -> (Expr, H) {
        let (then, ht) = self.binary(1);
        if !self.at(TokenKind::Question) {
            return (then, ht);
        }
        self.err_ternary(true);
        if !self.enter() {
            return (then, ht);
        }
        self.bump();
        let (inner_then, hi) = self.then_branch();
        let (otherwise, ho) = if self.eat(TokenKind::Colon).is_some() {
            self.binary(1)
        } else {
            (hole(self.hole_at()), 1)
        };
        self.leave();
        self.conditional(then, ht, inner_then, hi, otherwise, ho)
    }

    fn conditional(
        &mut self,
        cond: Expr,
        hc: H,
        then: Expr,
        ht: H,
        otherwise: Expr,
        ho: H,
    ) -> (Expr, H) {
        let span = TextRange::new(cond.span.start(), otherwise.span.end().max(then.span.end()));
        let h = self.check_height(hc.max(ht).max(ho) + 1);
        let kind = ExprKind::Ternary {
            cond: Box::new(cond),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        };
        (boxed(kind, span), h)
    }

    /// The binary operator at the current token, including the likely typos `=`, `&`, `|`.
    fn peek_binary(&self) -> Option<(BinaryOp, u8, bool)> {
        if let Some((op, prec)) = binary_op(self.cur.kind) {
            return Some((op, prec, false));
        }
        if self.cur.kind == TokenKind::Unknown {
            let (op, prec) = match self.text(self.cur.span) {
                "=" => (BinaryOp::Eq, 3),
                "&" => (BinaryOp::And, 2),
                "|" => (BinaryOp::Or, 1),
                _ => return None,
            };
            return Some((op, prec, true));
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
                self.err_typo_operator();
            }
            let op_tok = self.bump();
            let (rhs, hr) = self.binary(prec + 1);
            h = self.check_height(h.max(hr) + 1);
            let span = TextRange::new(lhs.span.start(), rhs.span.end().max(op_tok.span.end()));
            let kind = ExprKind::Binary {
                op,
                op_span: op_tok.span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
            lhs = boxed(kind, span);
        }
        (lhs, h)
    }

    /// `!`/`-` repeated, then an operand. Iterative: chains are bounded by height only.
    fn unary(&mut self) -> (Expr, H) {
        if matches!(self.cur.kind, TokenKind::Bang | TokenKind::Minus) {
            self.unary_chain()
        } else {
            self.postfix()
        }
    }

    #[inline(never)]
    fn unary_chain(&mut self) -> (Expr, H) {
        let mut ops: Vec<(UnaryOp, Token)> = Vec::new();
        loop {
            let op = match self.cur.kind {
                TokenKind::Bang => UnaryOp::Not,
                TokenKind::Minus => UnaryOp::Neg,
                _ => break,
            };
            ops.push((op, self.bump()));
            if ops.len() > MAX_HEIGHT as usize {
                self.check_height(MAX_HEIGHT + 1);
                break;
            }
        }
        let (mut operand, mut h) = self.postfix();
        while let Some((op, op_tok)) = ops.pop() {
            if self.bailed && h >= MAX_HEIGHT {
                break;
            }
            h = self.check_height(h + 1);
            let span = TextRange::new(
                op_tok.span.start(),
                operand.span.end().max(op_tok.span.end()),
            );
            let kind = ExprKind::Unary {
                op,
                op_span: op_tok.span,
                operand: Box::new(operand),
            };
            operand = boxed(kind, span);
        }
        (operand, h)
    }

    /// The name after a `.`: an identifier (the lexer makes `in` and `null` identifiers
    /// there). Otherwise an error and an empty name right after the dot.
    fn member_name(&mut self, dot: Token) -> Name {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            return self.name(t);
        }
        self.err_member_name();
        Self::missing_name(dot.span.end())
    }

    fn postfix(&mut self) -> (Expr, H) {
        let (expr, h) = self.primary();
        if matches!(
            self.cur.kind,
            TokenKind::Dot | TokenKind::LBracket | TokenKind::LBrace | TokenKind::Ident
        ) {
            self.postfix_chain(expr, h)
        } else {
            (expr, h)
        }
    }

    #[inline(never)]
    fn postfix_chain(&mut self, mut expr: Expr, mut h: H) -> (Expr, H) {
        while !self.bailed {
            match self.cur.kind {
                TokenKind::Dot => {
                    let dot = self.bump();
                    let name = self.member_name(dot);
                    (expr, h) = self.member(expr, h, name);
                }
                TokenKind::LBracket => (expr, h) = self.index(expr, h),
                TokenKind::LBrace => (expr, h) = self.message(expr, h),
                TokenKind::Ident
                    if matches!(&expr.kind, ExprKind::Literal(Literal::Double(_)))
                        && self.text(expr.span).ends_with('.') =>
                {
                    // `1.strip()`: lark lexes `1.` as a double. Explain, then read it as
                    // the member access the user meant.
                    let t = self.bump();
                    self.err_double_then_name(expr.span, t);
                    let name = self.name(t);
                    (expr, h) = self.member(expr, h, name);
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
            let (args, end, ha) = self.args();
            let h = self.check_height(h.max(ha) + 1);
            let kind = ExprKind::Call {
                receiver: Some(Box::new(operand)),
                func: name,
                args,
            };
            return (boxed(kind, TextRange::new(start, end.max(start))), h);
        }
        let end = name.span.end();
        let h = self.check_height(h + 1);
        let kind = ExprKind::Select {
            operand: Box::new(operand),
            field: name,
        };
        (boxed(kind, TextRange::new(start, end.max(start))), h)
    }

    /// `operand[index]` at the `[`.
    fn index(&mut self, operand: Expr, h: H) -> (Expr, H) {
        let open = self.bump();
        self.closers.push(TokenKind::RBracket);
        let (index, hi) = if self.at(TokenKind::RBracket) {
            self.err_empty(Group::Index);
            (hole(self.hole_at()), 1)
        } else {
            self.expr()
        };
        self.closers.pop();
        let end = self.close(open, Group::Index);
        let h = self.check_height(h.max(hi) + 1);
        let span = TextRange::new(operand.span.start(), end);
        let kind = ExprKind::Index {
            operand: Box::new(operand),
            index: Box::new(index),
        };
        (boxed(kind, span), h)
    }

    /// Consumes the closer or reports it missing; returns the end of the construct.
    fn close(&mut self, open: Token, group: Group) -> TextSize {
        let closer = group.closer();
        if let Some(t) = self.eat(closer) {
            return t.span.end();
        }
        if self.at(TokenKind::Eof) || self.closers.contains(&self.cur.kind) {
            self.err_unclosed(open, group);
            return self.hole_at();
        }
        self.err_wrong_closer(group);
        self.skip_to(closer)
    }

    /// Skips to `closer` (consumed), stepping over balanced groups; stops before a closer
    /// an enclosing construct awaits.
    #[cold]
    #[inline(never)]
    fn skip_to(&mut self, closer: TokenKind) -> TextSize {
        let mut stack: Vec<TokenKind> = Vec::new();
        loop {
            let kind = self.cur.kind;
            if kind == TokenKind::Eof {
                return self.hole_at();
            }
            if stack.is_empty() {
                if kind == closer {
                    return self.bump().span.end();
                }
                if self.closers.contains(&kind) {
                    return self.hole_at();
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
    fn args(&mut self) -> (Vec<Expr>, TextSize, H) {
        let open = self.bump();
        let mut items = Vec::new();
        let (end, h) = self.list_items(open, Group::Call, |p| {
            let (e, h) = p.expr();
            items.push(e);
            h
        });
        (items, end, h)
    }

    /// The comma-separated items of `group` up to its closer; `item` parses one. Reports
    /// missing commas, trailing commas, empty items and junk.
    fn list_items(
        &mut self,
        open: Token,
        group: Group,
        mut item: impl FnMut(&mut Self) -> H,
    ) -> (TextSize, H) {
        let closer = group.closer();
        self.closers.push(closer);
        let mut h: H = 0;
        let mut trailing_comma: Option<Token> = None;
        let end = loop {
            if self.bailed {
                break self.hole_at();
            }
            if self.at(closer) {
                if let Some(comma) = trailing_comma {
                    self.list_error(group, ListError::TrailingComma(comma));
                }
                break self.bump().span.end();
            }
            if self.at(TokenKind::Eof) || self.closer_outside(self.cur.kind) {
                self.err_unclosed(open, group);
                break self.hole_at();
            }
            if self.at(TokenKind::Comma) {
                self.list_error(group, ListError::EmptyItem);
                self.bump();
                continue;
            }
            if !can_start_expr(self.cur.kind) && !self.at(TokenKind::Unknown) {
                self.list_error(group, ListError::BadStart);
                self.bump();
                continue;
            }
            trailing_comma = None;
            h = h.max(item(self));
            if let Some(comma) = self.eat(TokenKind::Comma) {
                trailing_comma = Some(comma);
            } else if self.at(closer) || self.at(TokenKind::Eof) {
                // Handled at the top of the loop.
            } else if can_start_expr(self.cur.kind) {
                self.list_error(group, ListError::MissingComma);
            } else if !self.closer_outside(self.cur.kind) {
                self.list_error(group, ListError::Junk);
                self.bump();
            }
        };
        self.closers.pop();
        (end, h)
    }

    /// Whether an enclosing construct (not the innermost) awaits this closer.
    fn closer_outside(&self, kind: TokenKind) -> bool {
        let n = self.closers.len().saturating_sub(1);
        self.closers[..n].contains(&kind)
    }

    /// `member { field: value, … }`: parsed, always reported (Koreo has no message types).
    fn message(&mut self, operand: Expr, ho: H) -> (Expr, H) {
        let open = self.bump();
        let mut fields: Vec<FieldInit> = Vec::new();
        let (end, hf) = self.list_items(open, Group::Message, |p| {
            let field = if matches!(p.cur.kind, TokenKind::Ident | TokenKind::Null) {
                let t = p.bump();
                p.name(t)
            } else {
                p.err_field_name();
                let at = p.cur.span.start();
                if !p.at(TokenKind::Colon) {
                    let _ = p.expr();
                }
                Self::missing_name(at)
            };
            let (value, h) = p.colon_value(Group::Message);
            let span = TextRange::new(field.span.start(), value.span.end().max(field.span.end()));
            fields.push(FieldInit { field, value, span });
            h
        });
        let mut type_name = Vec::new();
        collect_type_name(&operand, &mut type_name);
        let span = TextRange::new(operand.span.start(), end);
        self.report(
            span,
            "message construction `Type{field: value}` is not supported in Koreo expressions \
             (there are no message types); use a map literal `{\"field\": value}`"
                .to_owned(),
        );
        let h = self.check_height(ho.max(hf) + 1);
        (
            boxed(
                ExprKind::Message {
                    operand: Box::new(operand),
                    type_name,
                    fields,
                },
                span,
            ),
            h,
        )
    }

    /// `: value` after a map key or field name; a missing `:` is reported and assumed.
    fn colon_value(&mut self, group: Group) -> (Expr, H) {
        if self.eat(TokenKind::Colon).is_some() {
            return self.expr();
        }
        self.err_missing_colon(group);
        if can_start_expr(self.cur.kind) {
            self.expr()
        } else {
            (hole(self.hole_at()), 1)
        }
    }

    /// A literal token, decoded; problems cel-python only finds at evaluation reported.
    #[inline(never)]
    fn literal(&mut self, t: Token) -> Expr {
        let text = self.text(t.span);
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
                let start = usize::from(t.span.start());
                for p in problems {
                    let span =
                        TextRange::new(size(start + p.range.start), size(start + p.range.end));
                    self.report(span, p.message);
                }
                lit
            }
        };
        boxed(ExprKind::Literal(lit), t.span)
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
                    self.call(t.span.start(), name)
                } else {
                    (boxed(ExprKind::Ident(name), t.span), 1)
                }
            }
            Dot => self.root_ident(),
            LParen => self.paren(),
            LBracket => self.list(),
            LBrace => self.map(),
            UnterminatedString | Unknown => {
                self.err_lexical();
                self.bump();
                (boxed(ExprKind::Error, t.span), 1)
            }
            _ => {
                self.err_expected_expr();
                (hole(self.hole_at()), 1)
            }
        }
    }

    /// A global call `f(args)` at the `(`.
    fn call(&mut self, start: TextSize, func: Name) -> (Expr, H) {
        let (args, end, h) = self.args();
        let h = self.check_height(h + 1);
        let kind = ExprKind::Call {
            receiver: None,
            func,
            args,
        };
        (boxed(kind, TextRange::new(start, end)), h)
    }

    /// `.name` (root scope), or the unsupported `.name(args)`.
    fn root_ident(&mut self) -> (Expr, H) {
        let dot = self.bump();
        let name = self.member_name(dot);
        if name.text.is_empty() || !self.at(TokenKind::LParen) {
            let span = TextRange::new(dot.span.start(), name.span.end());
            return (boxed(ExprKind::RootIdent(name), span), 1);
        }
        let text = name.text.clone();
        let (expr, h) = self.call(dot.span.start(), name);
        self.report(
            expr.span,
            format!(
                "a call cannot start with `.`: cel-python reads `.{text}(…)` as the root \
                 variable `{text}` and ignores the arguments"
            ),
        );
        (expr, h)
    }

    fn paren(&mut self) -> (Expr, H) {
        let open = self.bump();
        self.closers.push(TokenKind::RParen);
        let (inner, h) = if self.at(TokenKind::RParen) {
            self.err_empty(Group::Paren);
            (hole(self.hole_at()), 1)
        } else {
            self.expr()
        };
        self.closers.pop();
        let end = self.close(open, Group::Paren);
        let h = self.check_height(h + 1);
        let span = TextRange::new(open.span.start(), end);
        (boxed(ExprKind::Paren(Box::new(inner)), span), h)
    }

    fn list(&mut self) -> (Expr, H) {
        let open = self.bump();
        let mut items = Vec::new();
        let (end, h) = self.list_items(open, Group::List, |p| {
            let (e, h) = p.expr();
            items.push(e);
            h
        });
        let h = self.check_height(h + 1);
        let span = TextRange::new(open.span.start(), end);
        (boxed(ExprKind::List(items), span), h)
    }

    fn map(&mut self) -> (Expr, H) {
        let open = self.bump();
        let mut entries = Vec::new();
        let (end, h) = self.list_items(open, Group::Map, |p| {
            let (key, hk) = p.expr();
            let (value, hv) = p.colon_value(Group::Map);
            let span = TextRange::new(key.span.start(), value.span.end().max(key.span.end()));
            entries.push(MapEntry { key, value, span });
            hk.max(hv)
        });
        let h = self.check_height(h + 1);
        let span = TextRange::new(open.span.start(), end);
        (boxed(ExprKind::Map(entries), span), h)
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
