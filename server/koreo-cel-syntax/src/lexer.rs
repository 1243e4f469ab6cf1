//! The CEL lexer, reproducing cel-python's lark lexer token for token.
//!
//! lark runs a *contextual* lexer: in each parser state it only tries the terminals that
//! state accepts. We track the three kinds of state that matter from the previous
//! significant token, which agrees with lark on every text cel-python accepts and on where
//! it stops on every other:
//! * where an operand may start, `-` followed by a number is part of the literal
//!   (`-9223372036854775808` is one literal, `1-2` and `1 -2` are subtractions), `null` is
//!   the literal, `in` is an identifier, and `!=` is not a token (`!` then `=`);
//! * after an operand, identifiers cannot be lexed at all, so a word starting with `in` is
//!   the operator `in` followed by the rest (`a inputs` is `a in puts`);
//! * after `.`, only an identifier can follow, so `in` and `null` are names there.
//!
//! `true` and `false` are literals everywhere (cel-python's lexer callback forces them).

use text_size::{TextRange, TextSize};

/// A token with its exact byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub span: TextRange,
}

/// What a token is. Fine-grained so the IDE can highlight from it; see
/// [`TokenKind::category`] for the coarse grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `[_a-zA-Z][_a-zA-Z0-9]*`, including `in` and `null` where they act as names.
    Ident,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// The `in` operator.
    In,
    /// `12`, `-12`, `0x1F`, `-0x1F`
    Int,
    /// `12u`, `0x1FU`
    UInt,
    /// `1.5`, `1.`, `.5`, `1e3`, `-2.5e-3`
    Double,
    /// Any string form: `"…"`, `'…'`, `"""…"""`, `'''…'''`, with an optional `r`/`R` prefix.
    String,
    /// A string form with a `b`/`B` (or `br`, …) prefix.
    Bytes,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Question,
    Colon,
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// `// …` to the end of the line.
    Comment,
    /// A string whose closing quote is missing (single-line forms stop at the line end).
    UnterminatedString,
    /// Characters no token starts with (merged when adjacent), e.g. `=`, `&`, `@`, `é`.
    Unknown,
    /// The end of the text. Never returned by [`lex`]; the parser's sentinel.
    Eof,
}

/// Coarse token groups for semantic highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenCategory {
    Identifier,
    /// `true`, `false`, `null`, `in`
    Keyword,
    Number,
    String,
    Bytes,
    Operator,
    Punctuation,
    Comment,
    Error,
}

impl TokenKind {
    /// The highlighting group of this kind.
    pub fn category(self) -> TokenCategory {
        use TokenKind::*;
        match self {
            Ident => TokenCategory::Identifier,
            True | False | Null | In => TokenCategory::Keyword,
            Int | UInt | Double => TokenCategory::Number,
            String => TokenCategory::String,
            Bytes => TokenCategory::Bytes,
            Plus | Minus | Star | Slash | Percent | Bang | EqEq | NotEq | Lt | Le | Gt | Ge
            | AndAnd | OrOr | Question | Colon => TokenCategory::Operator,
            Dot | Comma | LParen | RParen | LBracket | RBracket | LBrace | RBrace | Eof => {
                TokenCategory::Punctuation
            }
            Comment => TokenCategory::Comment,
            UnterminatedString | Unknown => TokenCategory::Error,
        }
    }

    /// The fixed text of operator and punctuation kinds.
    pub fn fixed_text(self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            True => "true",
            False => "false",
            Null => "null",
            In => "in",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            Bang => "!",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            AndAnd => "&&",
            OrOr => "||",
            Question => "?",
            Colon => ":",
            Dot => ".",
            Comma => ",",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            _ => return None,
        })
    }

    /// Whether a value ends here, so that what follows is an operator position.
    fn ends_operand(self) -> bool {
        use TokenKind::*;
        matches!(
            self,
            Ident
                | True
                | False
                | Null
                | Int
                | UInt
                | Double
                | String
                | Bytes
                | RParen
                | RBracket
                | RBrace
        )
    }
}

/// Lexes the whole text: every token except whitespace, comments included.
pub fn lex(src: &str) -> Vec<Token> {
    let mut lexer = Lexer::new(src);
    let mut out = Vec::new();
    loop {
        let token = lexer.next_token();
        if token.kind == TokenKind::Eof {
            return out;
        }
        out.push(token);
    }
}

/// What lark's contextual lexer would accept at this point (see module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// An operand may start: signed numbers, `null` literal, `in` is a name.
    Operand,
    /// After an operand: `-` is an operator, `in` the operator.
    Operator,
    /// After `.`: a name is expected, `in` and `null` are names.
    Name,
}

/// A pull lexer; the parser uses it directly so no token vector is built.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    mode: Mode,
    /// Start of the last significant (non-comment) token returned.
    last_start: Option<TextSize>,
}

fn range(start: usize, end: usize) -> TextRange {
    // Lengths are bounded by the source, which the parser limits to u32 (see `parse`).
    TextRange::new(size(start), size(end))
}

pub(crate) fn size(n: usize) -> TextSize {
    TextSize::new(u32::try_from(n).unwrap_or(u32::MAX))
}

fn is_ident_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_ident_continue(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            mode: Mode::Operand,
            last_start: None,
        }
    }

    /// Start of the last significant token produced so far.
    pub(crate) fn last_start(&self) -> Option<TextSize> {
        self.last_start
    }

    /// Skips to the end of the text, still tracking the last significant token.
    pub(crate) fn finish(&mut self) {
        while self.next_significant().kind != TokenKind::Eof {}
    }

    /// The next token that is not a comment.
    pub(crate) fn next_significant(&mut self) -> Token {
        loop {
            let t = self.next_token();
            if t.kind != TokenKind::Comment {
                return t;
            }
        }
    }

    pub(crate) fn next_token(&mut self) -> Token {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && is_space(bytes[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        if start >= bytes.len() {
            return Token {
                kind: TokenKind::Eof,
                span: range(bytes.len(), bytes.len()),
            };
        }
        let (kind, end) = self.scan(start);
        self.pos = end;
        if kind != TokenKind::Comment {
            self.last_start = Some(size(start));
            self.mode = if kind == TokenKind::Dot {
                Mode::Name
            } else if kind.ends_operand() {
                Mode::Operator
            } else {
                Mode::Operand
            };
        }
        Token {
            kind,
            span: range(start, end),
        }
    }

    fn scan(&self, start: usize) -> (TokenKind, usize) {
        use TokenKind::*;
        let bytes = self.src.as_bytes();
        let b = bytes[start];
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let operand = self.mode == Mode::Operand;
        match b {
            b'0'..=b'9' => return scan_number(bytes, start),
            b'-' if operand && starts_number(bytes, start + 1) => {
                return scan_number(bytes, start + 1);
            }
            b'.' if operand && at(start + 1).is_ascii_digit() => {
                return scan_number(bytes, start);
            }
            b'"' | b'\'' => {
                return match scan_string(bytes, start) {
                    Some(end) => (String, end),
                    None => (UnterminatedString, unterminated_end(bytes, start)),
                };
            }
            b'/' if at(start + 1) == b'/' => {
                let end = memchr_newline(bytes, start);
                return (Comment, end);
            }
            b'!' if operand => return (Bang, start + 1),
            b'i' if self.mode == Mode::Operator && at(start + 1) == b'n' => {
                return (In, start + 2);
            }
            _ => {}
        }
        if is_ident_start(b) {
            if self.mode != Mode::Name
                && let Some(t) = scan_prefixed_string(bytes, start)
            {
                return t;
            }
            let mut end = start + 1;
            while end < bytes.len() && is_ident_continue(bytes[end]) {
                end += 1;
            }
            let kind = match &self.src[start..end] {
                "true" => True,
                "false" => False,
                "null" if self.mode == Mode::Operand => Null,
                _ => Ident,
            };
            return (kind, end);
        }
        let two = |k: TokenKind| (k, start + 2);
        let one = |k: TokenKind| (k, start + 1);
        match (b, at(start + 1)) {
            (b'=', b'=') => two(EqEq),
            (b'!', b'=') => two(NotEq),
            (b'<', b'=') => two(Le),
            (b'>', b'=') => two(Ge),
            (b'&', b'&') => two(AndAnd),
            (b'|', b'|') => two(OrOr),
            (b'<', _) => one(Lt),
            (b'>', _) => one(Gt),
            (b'!', _) => one(Bang),
            (b'+', _) => one(Plus),
            (b'-', _) => one(Minus),
            (b'*', _) => one(Star),
            (b'/', _) => one(Slash),
            (b'%', _) => one(Percent),
            (b'?', _) => one(Question),
            (b':', _) => one(Colon),
            (b'.', _) => one(Dot),
            (b',', _) => one(Comma),
            (b'(', _) => one(LParen),
            (b')', _) => one(RParen),
            (b'[', _) => one(LBracket),
            (b']', _) => one(RBracket),
            (b'{', _) => one(LBrace),
            (b'}', _) => one(RBrace),
            _ => (Unknown, self.unknown_end(start)),
        }
    }

    /// Extends an unknown run over following characters that cannot start a token.
    fn unknown_end(&self, start: usize) -> usize {
        let mut end = start + char_len(self.src, start);
        let bytes = self.src.as_bytes();
        while end < bytes.len() {
            let b = bytes[end];
            let starts_token = is_space(b)
                || is_ident_start(b)
                || b.is_ascii_digit()
                || b"\"'/<>!+-*%?:.,()[]{}".contains(&b)
                || (b == b'=' && bytes.get(end + 1) == Some(&b'='))
                || (b == b'&' && bytes.get(end + 1) == Some(&b'&'))
                || (b == b'|' && bytes.get(end + 1) == Some(&b'|'));
            if starts_token {
                break;
            }
            end += char_len(self.src, end);
        }
        end
    }
}

fn char_len(src: &str, at: usize) -> usize {
    src[at..].chars().next().map_or(1, char::len_utf8)
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

/// Whether a number starts at `i` (after a `-`): a digit, or `.` and a digit.
fn starts_number(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b) if b.is_ascii_digit() => true,
        Some(b'.') => bytes.get(i + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

fn digits(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// `[eE][+-]?[0-9]+` at `i`, all or nothing.
fn exponent(bytes: &[u8], i: usize) -> Option<usize> {
    if !matches!(bytes.get(i), Some(b'e' | b'E')) {
        return None;
    }
    let mut j = i + 1;
    if matches!(bytes.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let end = digits(bytes, j);
    (end > j).then_some(end)
}

/// Numbers, tried in lark's order: double, then uint, then int. `body` is past any `-`.
fn scan_number(bytes: &[u8], body: usize) -> (TokenKind, usize) {
    let int_end = digits(bytes, body);
    // Double: digits "." digits* exp? | digits* "." digits+ exp? | digits exp.
    if bytes.get(int_end) == Some(&b'.') {
        let frac_end = digits(bytes, int_end + 1);
        if int_end > body || frac_end > int_end + 1 {
            let end = exponent(bytes, frac_end).unwrap_or(frac_end);
            return (TokenKind::Double, end);
        }
    }
    if int_end > body
        && let Some(end) = exponent(bytes, int_end)
    {
        return (TokenKind::Double, end);
    }
    // Int: 0x hex+ | digits; uint adds a u/U suffix.
    let mut end = int_end;
    if bytes.get(body) == Some(&b'0') && bytes.get(body + 1) == Some(&b'x') {
        let mut j = body + 2;
        while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
            j += 1;
        }
        if j > body + 2 {
            end = j;
        }
    }
    if matches!(bytes.get(end), Some(b'u' | b'U')) {
        return (TokenKind::UInt, end + 1);
    }
    (TokenKind::Int, end)
}

/// `r"…"`, `b'…'`, `br"""…"""` and friends at an identifier start. `None` when the letters
/// are not such a prefix or the string does not close (lark then lexes an identifier).
fn scan_prefixed_string(bytes: &[u8], start: usize) -> Option<(TokenKind, usize)> {
    let lower = |i: usize| bytes.get(i).map(u8::to_ascii_lowercase);
    let (kind, quote_at) = match (lower(start), lower(start + 1)) {
        (Some(b'r'), _) => (TokenKind::String, start + 1),
        (Some(b'b'), Some(b'r')) => (TokenKind::Bytes, start + 2),
        (Some(b'b'), _) => (TokenKind::Bytes, start + 1),
        _ => return None,
    };
    if !matches!(bytes.get(quote_at), Some(b'"' | b'\'')) {
        return None;
    }
    scan_string(bytes, quote_at).map(|end| (kind, end))
}

/// Where an unterminated string's error token ends: the line end for a single-line form,
/// the text end for a multi-line one.
fn unterminated_end(bytes: &[u8], quote_at: usize) -> usize {
    let q = bytes[quote_at];
    if bytes.get(quote_at + 1) == Some(&q) && bytes.get(quote_at + 2) == Some(&q) {
        bytes.len()
    } else {
        memchr_newline(bytes, quote_at)
    }
}

/// The end (past the closing quote) of the string whose opening quote is at `quote_at`.
///
/// A triple quote opens a multi-line string; when it never closes, lark falls back to the
/// single-line rule, which matches the empty string `""` (the third quote starts a new
/// token).
pub(crate) fn scan_string(bytes: &[u8], quote_at: usize) -> Option<usize> {
    let q = bytes[quote_at];
    let triple = bytes.get(quote_at + 1) == Some(&q) && bytes.get(quote_at + 2) == Some(&q);
    if triple && let Some(end) = string_body_end(bytes, quote_at + 3, q, true) {
        return Some(end);
    }
    string_body_end(bytes, quote_at + 1, q, false)
}

/// Reproduces the backtracking of cel-python's lazy string regexes
/// (`"(?:\\["'\\…]|…|.)*?"`): the string ends at the first closing quote reached, where at
/// each backslash the two-character escape is tried before the lone backslash. So `"a\"`
/// is a complete string (`\` then `"`), while in `"a\" + "` the escape wins. Only escapes
/// that swallow a quote or a backslash can change the outcome, so only those are choices.
fn string_body_end(bytes: &[u8], from: usize, q: u8, triple: bool) -> Option<usize> {
    let closes = |i: usize| {
        if triple {
            bytes.get(i..i + 3) == Some(&[q, q, q][..])
        } else {
            bytes.get(i) == Some(&q)
        }
    };
    let close_len = if triple { 3 } else { 1 };
    let is_choice = |i: usize, limit: usize| {
        bytes[i] == b'\\' && i + 1 < limit && matches!(bytes[i + 1], b'"' | b'\'' | b'\\')
    };
    // The regex's first path always takes the escape; it usually succeeds.
    let mut i = from;
    let limit = loop {
        if closes(i) {
            return Some(i + close_len);
        }
        if i >= bytes.len() || (!triple && bytes[i] == b'\n') {
            break i;
        }
        i += if is_choice(i, bytes.len()) { 2 } else { 1 };
    };
    // Otherwise explore the backtracking exhaustively, right to left: `end[i]` is the first
    // match (in regex order) from position `i`, `None` when every path fails.
    let mut end: Vec<Option<usize>> = vec![None; limit - from + 2];
    for i in (from..limit).rev() {
        let k = i - from;
        end[k] = if closes(i) {
            Some(i + close_len)
        } else if is_choice(i, limit) {
            end[k + 2].or(end[k + 1])
        } else {
            end[k + 1]
        };
    }
    end[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src)
            .into_iter()
            .map(|t| (t.kind, &src[t.span]))
            .collect()
    }

    #[test]
    fn minus_joins_a_number_only_where_an_operand_starts() {
        use TokenKind::*;
        assert_eq!(kinds("1-2"), [(Int, "1"), (Minus, "-"), (Int, "2")]);
        assert_eq!(kinds("1 -2"), [(Int, "1"), (Minus, "-"), (Int, "2")]);
        assert_eq!(kinds("1--1"), [(Int, "1"), (Minus, "-"), (Int, "-1")]);
        assert_eq!(kinds("--1"), [(Minus, "-"), (Int, "-1")]);
        assert_eq!(
            kinds("(-.5)"),
            [(LParen, "("), (Double, "-.5"), (RParen, ")")]
        );
        assert_eq!(kinds("x -1u"), [(Ident, "x"), (Minus, "-"), (UInt, "1u")]);
    }

    #[test]
    fn in_and_null_depend_on_position() {
        use TokenKind::*;
        assert_eq!(
            kinds("in in x.in"),
            [
                (Ident, "in"),
                (In, "in"),
                (Ident, "x"),
                (Dot, "."),
                (Ident, "in")
            ]
        );
        assert_eq!(kinds("x.null"), [(Ident, "x"), (Dot, "."), (Ident, "null")]);
        assert_eq!(kinds("null"), [(Null, "null")]);
        assert_eq!(kinds("x.true"), [(Ident, "x"), (Dot, "."), (True, "true")]);
        assert_eq!(
            kinds("a inputs"),
            [(Ident, "a"), (In, "in"), (Ident, "puts")]
        );
        assert_eq!(kinds("inx"), [(Ident, "inx")]);
    }

    #[test]
    fn not_equal_is_no_token_where_an_operand_starts() {
        use TokenKind::*;
        assert_eq!(kinds("[!=x]")[1..3], [(Bang, "!"), (Unknown, "=")]);
        assert_eq!(kinds("a != x")[1], (NotEq, "!="));
    }

    #[test]
    fn string_ends_follow_the_regex_backtracking() {
        use TokenKind::*;
        assert_eq!(kinds(r#""a\"b""#), [(String, r#""a\"b""#)]);
        assert_eq!(kinds(r#""a\""#), [(String, r#""a\""#)]);
        assert_eq!(
            kinds(r#""a\" + "b""#),
            [
                (String, r#""a\" + ""#),
                (Ident, "b"),
                (UnterminatedString, "\"")
            ]
        );
        assert_eq!(kinds(r#""\\\""#), [(String, r#""\\\""#)]);
        assert_eq!(kinds("\"\"\"a\nb\"\"\""), [(String, "\"\"\"a\nb\"\"\"")]);
        assert_eq!(
            kinds("\"\"\"abc"),
            [(String, "\"\""), (UnterminatedString, "\"abc")]
        );
        assert_eq!(
            kinds("r\"ab\ncd\""),
            [
                (Ident, "r"),
                (UnterminatedString, "\"ab"),
                (Ident, "cd"),
                (UnterminatedString, "\"")
            ]
        );
    }

    #[test]
    fn numbers_take_lark_terminal_order() {
        use TokenKind::*;
        assert_eq!(kinds("1.strip"), [(Double, "1."), (Ident, "strip")]);
        assert_eq!(kinds("0x"), [(Int, "0"), (Ident, "x")]);
        assert_eq!(kinds("5e"), [(Int, "5"), (Ident, "e")]);
        assert_eq!(kinds("1e+3u"), [(Double, "1e+3"), (Ident, "u")]);
        assert_eq!(
            kinds("0x1Fu 0X1"),
            [(UInt, "0x1Fu"), (Int, "0"), (Ident, "X1")]
        );
        assert_eq!(kinds("x.5"), [(Ident, "x"), (Dot, "."), (Int, "5")]);
    }
}
