//! Literal values, decoded exactly as cel-python 0.3.0 builds them.
//!
//! cel-python decodes string escapes with a second regex, separate from the lexer's:
//! `\\[abfnrtv"'\\]`, `\\\d{3}` (octal), `\\x..`, `\\u....`, `\\U........`, or any single
//! character except a line feed. Consequences reproduced here: an unknown escape keeps its
//! backslash, `\8xx`/`\9xx` fail at evaluation (`int(…, 8)`), and a raw line feed inside a
//! cooked `"""…"""` string is *dropped* (the `.` does not match it). Raw bytes take each
//! character's code point as a byte (`br"é"` is `b"\xe9"`).
//!
//! Known gap: Python's `\d` also matches non-ASCII decimal digits (`\٣٣٣`); we only treat
//! ASCII digits as octal, so such an escape keeps its backslash here.

use std::ops::Range;

use crate::ast::{Literal, LiteralError};

/// A problem inside a literal, with a byte range relative to the token start.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) range: Range<usize>,
    pub(crate) message: String,
}

/// Decodes an int token (`-?[0-9]+` or `-?0x[0-9a-fA-F]+`).
pub(crate) fn int(text: &str) -> (Literal, Option<Problem>) {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = match body.strip_prefix("0x") {
        Some(hex) => parse_radix(hex, 16),
        None => parse_radix(body, 10),
    };
    let value = magnitude.and_then(|m| {
        let signed = if neg { -(m as i128) } else { m as i128 };
        i64::try_from(signed).ok()
    });
    let problem = value.is_none().then(|| Problem {
        range: 0..text.len(),
        message: "integer literal out of the int64 range: evaluating it fails with `overflow`"
            .to_owned(),
    });
    (Literal::Int(value), problem)
}

/// Decodes a uint token (an int token plus `u`/`U`), as `UintType(text[:-1])` does.
pub(crate) fn uint(text: &str) -> (Literal, Option<Problem>) {
    let body = &text[..text.len().saturating_sub(1)];
    if body.starts_with("-0x") {
        // Python's `int()` rejects a signed hex string without a base.
        let message = format!("invalid literal for int() with base 10: '{body}'");
        return (
            Literal::Invalid(LiteralError::Value(message.clone())),
            Some(Problem {
                range: 0..text.len(),
                message: format!(
                    "a negative hex uint literal is not a number for cel-python: evaluating it \
                     fails with `{message}`"
                ),
            }),
        );
    }
    let (neg, digits) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let magnitude = match digits.strip_prefix("0x") {
        Some(hex) => parse_radix(hex, 16),
        None => parse_radix(digits, 10),
    };
    let value = magnitude.and_then(|m| {
        if neg && m != 0 {
            None
        } else {
            u64::try_from(m).ok()
        }
    });
    let problem = value.is_none().then(|| Problem {
        range: 0..text.len(),
        message: "uint literal out of the uint64 range: evaluating it fails with `overflow`"
            .to_owned(),
    });
    (Literal::UInt(value), problem)
}

/// Decodes a double token with Python's (correctly rounded) `float()`; `1e999` is `inf`.
pub(crate) fn double(text: &str) -> Literal {
    match text.parse::<f64>() {
        Ok(v) => Literal::Double(v),
        // The lexer only produces texts Rust's grammar accepts; stay total regardless.
        Err(_) => Literal::Invalid(LiteralError::Value(format!(
            "could not convert string to float: '{text}'"
        ))),
    }
}

/// `None` when empty or on overflow of u128.
fn parse_radix(digits: &str, radix: u32) -> Option<u128> {
    if digits.is_empty() {
        return None;
    }
    let mut acc: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        acc = acc
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
    }
    Some(acc)
}

/// The parts of a string or bytes token.
pub(crate) struct StringForm {
    pub(crate) bytes: bool,
    pub(crate) raw: bool,
    /// Length of the prefix letters plus the opening delimiter.
    pub(crate) open: usize,
    /// Length of the closing delimiter.
    pub(crate) close: usize,
}

/// Splits a string or bytes token into prefix, delimiters and body.
pub(crate) fn string_form(text: &str) -> StringForm {
    let b = text.as_bytes();
    let mut i = 0;
    let mut bytes = false;
    let mut raw = false;
    while i < b.len() && b[i].is_ascii_alphabetic() {
        match b[i].to_ascii_lowercase() {
            b'b' => bytes = true,
            _ => raw = true,
        }
        i += 1;
    }
    let q = b.get(i).copied().unwrap_or(b'"');
    let triple = b.len() >= i + 6 && b[i..i + 3] == [q, q, q];
    let delim = if triple { 3 } else { 1 };
    StringForm {
        bytes,
        raw,
        open: (i + delim).min(b.len()),
        close: delim.min(b.len().saturating_sub(i + delim)),
    }
}

/// Decodes a string or bytes token.
pub(crate) fn string(text: &str) -> (Literal, Vec<Problem>) {
    let form = string_form(text);
    let body_end = text.len() - form.close;
    let body = text.get(form.open..body_end).unwrap_or("");
    let mut problems = Vec::new();
    let lit = match (form.bytes, form.raw) {
        (false, true) => Literal::String(body.to_owned()),
        (true, true) => raw_bytes(body, form.open, &mut problems),
        (false, false) => cooked_string(body, form.open, &mut problems),
        (true, false) => cooked_bytes(body, form.open, &mut problems),
    };
    (lit, problems)
}

/// One unit of cel-python's escape regex.
#[derive(Clone, Copy)]
enum Unit {
    Char(char),
    /// A two-character escape, decoded.
    Simple(char),
    /// `\` + three ASCII digits (not necessarily octal).
    Octal(u32, bool),
    Hex(u32),
    Unicode4(u32),
    Unicode8(u32),
    /// A raw line feed, which the regex skips.
    Skipped,
}

/// Splits a cooked body into escape-regex units with their byte ranges (relative to the
/// body).
fn units(body: &str) -> impl Iterator<Item = (Range<usize>, Unit)> + '_ {
    let b = body.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = body[i..].chars().next()?;
        let start = i;
        let hex = |from: usize, n: usize| -> Option<u32> {
            let s = body.get(from..from + n)?;
            if s.bytes().all(|d| d.is_ascii_hexdigit()) {
                u32::from_str_radix(s, 16).ok()
            } else {
                None
            }
        };
        let unit = if c == '\\' {
            let next = b.get(i + 1).copied();
            let simple = match next {
                Some(b'a') => Some('\u{7}'),
                Some(b'b') => Some('\u{8}'),
                Some(b'f') => Some('\u{c}'),
                Some(b'n') => Some('\n'),
                Some(b'r') => Some('\r'),
                Some(b't') => Some('\t'),
                Some(b'v') => Some('\u{b}'),
                Some(b'"') => Some('"'),
                Some(b'\'') => Some('\''),
                Some(b'\\') => Some('\\'),
                _ => None,
            };
            let three_digits = b
                .get(i + 1..i + 4)
                .filter(|d| d.iter().all(u8::is_ascii_digit));
            if let Some(s) = simple {
                i += 2;
                Unit::Simple(s)
            } else if let Some(d) = three_digits {
                let octal = d.iter().all(|x| *x < b'8');
                let value = d.iter().fold(0u32, |acc, x| acc * 8 + u32::from(x - b'0'));
                i += 4;
                Unit::Octal(value, octal)
            } else if next == Some(b'x')
                && let Some(v) = hex(i + 2, 2)
            {
                i += 4;
                Unit::Hex(v)
            } else if next == Some(b'u')
                && let Some(v) = hex(i + 2, 4)
            {
                i += 6;
                Unit::Unicode4(v)
            } else if next == Some(b'U')
                && let Some(v) = hex(i + 2, 8)
            {
                i += 10;
                Unit::Unicode8(v)
            } else {
                i += 1;
                Unit::Char('\\')
            }
        } else if c == '\n' {
            i += 1;
            Unit::Skipped
        } else {
            i += c.len_utf8();
            Unit::Char(c)
        };
        Some((start..i, unit))
    })
}

fn bad_octal(body: &str, r: &Range<usize>) -> String {
    format!(
        "invalid literal for int() with base 8: '{}'",
        body.get(r.start + 1..r.end).unwrap_or("")
    )
}

/// Records the first evaluation failure (the one Python raises) and every problem.
struct Failures<'a> {
    body: &'a str,
    offset: usize,
    first: Option<LiteralError>,
    problems: &'a mut Vec<Problem>,
}

impl Failures<'_> {
    fn fail(&mut self, r: &Range<usize>, error: LiteralError, why: &str) {
        let text = self.body.get(r.clone()).unwrap_or("");
        let consequence = match &error {
            LiteralError::Value(m) => format!("evaluating it fails with `{m}`"),
            LiteralError::Crash(_) => "cel-python crashes evaluating it".to_owned(),
        };
        self.problems.push(Problem {
            range: self.offset + r.start..self.offset + r.end,
            message: format!("`{text}` {why}: {consequence}"),
        });
        if self.first.is_none() {
            self.first = Some(error);
        }
    }

    fn note(&mut self, r: &Range<usize>, why: &str) {
        let text = self.body.get(r.clone()).unwrap_or("");
        self.problems.push(Problem {
            range: self.offset + r.start..self.offset + r.end,
            message: format!("`{text}` {why}"),
        });
    }
}

const SURROGATE: &str = "is a lone surrogate, which koreo-ls cannot represent (cel-python keeps \
                         it); it is read as U+FFFD";

const SURROGATE_PAIR: &str = "is a surrogate pair, which cel-python keeps as two code points \
                              (size() counts 2); it is read as the one character it encodes";

fn cooked_string(body: &str, offset: usize, problems: &mut Vec<Problem>) -> Literal {
    let mut out = String::with_capacity(body.len());
    let mut f = Failures {
        body,
        offset,
        first: None,
        problems,
    };
    let all: Vec<_> = units(body).collect();
    let mut pending_pair = false;
    for (idx, (r, unit)) in all.iter().cloned().enumerate() {
        if std::mem::take(&mut pending_pair) {
            continue;
        }
        let code = match unit {
            Unit::Char(c) | Unit::Simple(c) => {
                out.push(c);
                continue;
            }
            Unit::Skipped => continue,
            Unit::Octal(_, false) => {
                let m = bad_octal(body, &r);
                f.fail(
                    &r,
                    LiteralError::Value(m),
                    "is not an octal escape (digits 0-7)",
                );
                continue;
            }
            Unit::Octal(v, true) | Unit::Hex(v) | Unit::Unicode4(v) => v,
            Unit::Unicode8(v) if v > 0x10ffff => {
                let m = "chr() arg not in range(0x110000)".to_owned();
                f.fail(
                    &r,
                    LiteralError::Value(m),
                    "is beyond the last code point U+10FFFF",
                );
                continue;
            }
            Unit::Unicode8(v) => v,
        };
        // An escaped surrogate pair reads as the character it encodes: cel-python keeps
        // two code points, but both print and serialise to JSON alike.
        let low = match all.get(idx + 1) {
            Some((_, Unit::Unicode4(lo) | Unit::Unicode8(lo))) if (0xdc00..0xe000).contains(lo) => {
                Some(*lo)
            }
            _ => None,
        };
        if let (0xd800..=0xdbff, Some(lo)) = (code, low)
            && let Some(c) = char::from_u32(0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00))
        {
            let end = all.get(idx + 1).map_or(r.end, |(r2, _)| r2.end);
            f.note(&(r.start..end), SURROGATE_PAIR);
            out.push(c);
            pending_pair = true;
            continue;
        }
        match char::from_u32(code) {
            Some(c) => out.push(c),
            None => {
                f.note(&r, SURROGATE);
                out.push('\u{fffd}');
            }
        }
    }
    match f.first {
        Some(e) => Literal::Invalid(e),
        None => Literal::String(out),
    }
}

const BYTE_RANGE: &str = "bytes must be in range(0, 256)";

fn cooked_bytes(body: &str, offset: usize, problems: &mut Vec<Problem>) -> Literal {
    let mut out = Vec::with_capacity(body.len());
    let mut f = Failures {
        body,
        offset,
        first: None,
        problems,
    };
    for (r, unit) in units(body) {
        let value = match unit {
            Unit::Char(c) => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                continue;
            }
            Unit::Skipped => continue,
            Unit::Simple(c) => c as u32,
            Unit::Octal(_, false) => {
                let m = bad_octal(body, &r);
                f.fail(
                    &r,
                    LiteralError::Value(m),
                    "is not an octal escape (digits 0-7)",
                );
                continue;
            }
            Unit::Octal(v, true) | Unit::Hex(v) | Unit::Unicode4(v) => v,
            Unit::Unicode8(_) => {
                let m = "ord() expected a character, but string of length 10 found".to_owned();
                f.fail(
                    &r,
                    LiteralError::Crash(m),
                    "is not supported in a bytes literal",
                );
                continue;
            }
        };
        match u8::try_from(value) {
            Ok(byte) => out.push(byte),
            Err(_) => f.fail(
                &r,
                LiteralError::Value(BYTE_RANGE.to_owned()),
                "is above 255 in a bytes literal",
            ),
        }
    }
    match f.first {
        Some(e) => Literal::Invalid(e),
        None => Literal::Bytes(out),
    }
}

fn raw_bytes(body: &str, offset: usize, problems: &mut Vec<Problem>) -> Literal {
    let mut out = Vec::with_capacity(body.len());
    let mut f = Failures {
        body,
        offset,
        first: None,
        problems,
    };
    for (i, c) in body.char_indices() {
        match u8::try_from(u32::from(c)) {
            Ok(byte) => out.push(byte),
            Err(_) => f.fail(
                &(i..i + c.len_utf8()),
                LiteralError::Value(BYTE_RANGE.to_owned()),
                "is beyond U+00FF, and a raw bytes literal takes each character's code point \
                 as a byte",
            ),
        }
    }
    match f.first {
        Some(e) => Literal::Invalid(e),
        None => Literal::Bytes(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Literal {
        string(text).0
    }

    #[test]
    fn cooked_strings_follow_cel_python() {
        assert_eq!(s(r#""a\"""#), Literal::String("a\"".into()));
        assert_eq!(s(r#""a\""#), Literal::String("a\\".into()));
        assert_eq!(s(r#""\8""#), Literal::String("\\8".into()));
        assert_eq!(s(r#""\777""#), Literal::String("\u{1ff}".into()));
        assert_eq!(s(r#""\x4""#), Literal::String("\\x4".into()));
        assert_eq!(s(r#""\d\?\`""#), Literal::String("\\d\\?\\`".into()));
        assert_eq!(s("\"\"\"a\nb\"\"\""), Literal::String("ab".into()));
        assert_eq!(s("r'''a\nb'''"), Literal::String("a\nb".into()));
        assert_eq!(s("'a\rb'"), Literal::String("a\rb".into()));
        assert_eq!(
            s(r#""\999""#),
            Literal::Invalid(LiteralError::Value(
                "invalid literal for int() with base 8: '999'".into()
            ))
        );
        assert_eq!(s(r#""\ud800""#), Literal::String("\u{fffd}".into()));
    }

    #[test]
    fn bytes_follow_cel_python() {
        assert_eq!(
            s(r#"b"\777""#),
            Literal::Invalid(LiteralError::Value(BYTE_RANGE.into()))
        );
        assert_eq!(s(r#"b"\u0041""#), Literal::Bytes(b"A".to_vec()));
        assert!(matches!(
            s(r#"b"\U00000041""#),
            Literal::Invalid(LiteralError::Crash(_))
        ));
        assert_eq!(s("br\"\u{e9}\""), Literal::Bytes(vec![0xe9]));
        assert_eq!(s("b\"\u{e9}\""), Literal::Bytes(vec![0xc3, 0xa9]));
    }

    #[test]
    fn numbers() {
        assert_eq!(int("-9223372036854775808").0, Literal::Int(Some(i64::MIN)));
        assert_eq!(int("9223372036854775808").0, Literal::Int(None));
        assert_eq!(int("-0x8000000000000000").0, Literal::Int(Some(i64::MIN)));
        assert_eq!(int("00012").0, Literal::Int(Some(12)));
        assert_eq!(uint("-0u").0, Literal::UInt(Some(0)));
        assert_eq!(uint("-1u").0, Literal::UInt(None));
        assert_eq!(uint("0xffffffffffffffffU").0, Literal::UInt(Some(u64::MAX)));
        assert!(matches!(uint("-0x1u").0, Literal::Invalid(_)));
        assert_eq!(double("1."), Literal::Double(1.0));
        assert_eq!(double("-.5"), Literal::Double(-0.5));
        assert_eq!(double("1.e3"), Literal::Double(1000.0));
        assert_eq!(double("1e999"), Literal::Double(f64::INFINITY));
    }
}

/// What a backslash sequence inside a string or bytes literal is, for the IDE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EscapeKind {
    /// An escape cel-python decodes (`\n`, `\"`, `\101`, `\x41`, `\u00e9`, `\U0001F600`).
    Valid,
    /// Not an escape: cel-python keeps the backslash and the character after it (`\d`,
    /// `\?`, `\x4`). Often intended (regular expressions), sometimes a typo.
    Kept,
    /// An escape that makes the literal fail at evaluation (see [`Literal::Invalid`]).
    Invalid,
}

/// A backslash sequence inside a string or bytes token, with its span in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Escape {
    pub span: text_size::TextRange,
    pub kind: EscapeKind,
}

/// The backslash sequences of a string or bytes token (`token` is its span in `src`), as
/// cel-python reads them; none for raw literals. Other tokens give none.
pub fn escapes(src: &str, token: crate::lexer::Token) -> Vec<Escape> {
    use crate::lexer::{TokenKind, size};
    if !matches!(token.kind, TokenKind::String | TokenKind::Bytes) {
        return Vec::new();
    }
    let Some(text) = src.get(std::ops::Range::<usize>::from(token.span)) else {
        return Vec::new();
    };
    let form = string_form(text);
    if form.raw {
        return Vec::new();
    }
    let body = text.get(form.open..text.len() - form.close).unwrap_or("");
    let base = usize::from(token.span.start()) + form.open;
    let mut out = Vec::new();
    for (r, unit) in units(body) {
        let kind = match unit {
            Unit::Skipped => continue,
            Unit::Char('\\') => EscapeKind::Kept,
            Unit::Char(_) => continue,
            Unit::Simple(_) | Unit::Hex(_) => EscapeKind::Valid,
            Unit::Octal(_, false) => EscapeKind::Invalid,
            Unit::Octal(v, true) | Unit::Unicode4(v) if form.bytes && v > 0xff => {
                EscapeKind::Invalid
            }
            Unit::Octal(..) | Unit::Unicode4(_) => EscapeKind::Valid,
            Unit::Unicode8(_) if form.bytes => EscapeKind::Invalid,
            Unit::Unicode8(v) if v > 0x10ffff => EscapeKind::Invalid,
            Unit::Unicode8(_) => EscapeKind::Valid,
        };
        // A kept backslash is shown with the character it precedes.
        let end = if kind == EscapeKind::Kept {
            body[r.end..]
                .chars()
                .next()
                .map_or(r.end, |c| r.end + c.len_utf8())
        } else {
            r.end
        };
        out.push(Escape {
            span: text_size::TextRange::new(size(base + r.start), size(base + end)),
            kind,
        });
    }
    out
}
