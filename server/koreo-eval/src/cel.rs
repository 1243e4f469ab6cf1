//! The bridge to the CEL evaluator: compiling encoded structures (with the engine's
//! `Parsing error …` messages) and evaluating them into values or outcomes (§3.8).

use crate::encode::Encoded;
use crate::outcome::{Failure, Outcome};
use crate::resource::ResourceRef;
use koreo_cel::Failure as CelFailure;
use koreo_cel::Value;
use koreo_cel::{Activation, EvalOptions, Program};
use std::fmt;
use std::sync::Arc;
use text_size::{TextRange, TextSize};

/// A host exception escaped the engine (the reference aborts the FunctionTest run or turns
/// the Workflow step into an "Unknown error" Retry). The message is `str(exception)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crash {
    /// `str(exception)`, e.g. `pop from empty list`.
    pub message: String,
    /// Where it happened, when known.
    pub origin: Option<Origin>,
}

impl fmt::Display for Crash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A position in a resource's file: the node whose evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The resource whose spec holds the node.
    pub resource: ResourceRef,
    /// Range of the node in that resource's file.
    pub range: TextRange,
}

/// A compiled structure: its encoded text (with the source map) and the program.
#[derive(Clone, Debug)]
pub struct CelProgram {
    /// The encoded text and its source map.
    pub encoded: Arc<Encoded>,
    program: Program,
    /// The resource whose spec the program was encoded from.
    pub owner: Option<ResourceRef>,
}

/// Why a structure did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    /// 1-based line in the encoded text.
    pub line: usize,
    /// 1-based column (characters) in the encoded text.
    pub column: usize,
    /// lark's context snippet (`before + after + "\n" + spaces + "^\n"`).
    pub context: String,
    /// Byte offset of the error in the encoded text.
    pub offset: TextSize,
    /// The error position mapped into the YAML file.
    pub file_range: Option<TextRange>,
    /// The first of our parser's messages (a clearer explanation for diagnostics).
    pub detail: String,
    /// cel-python raises an `AssertionError` instead of a parse error (a misplaced `true`/
    /// `false`): the engine's prepare crashes.
    pub crash: bool,
}

impl ParseFailure {
    /// ``Parsing error at line {l}, column {c}. '{context}' in {location} ('{source}')``.
    pub fn message(&self, location: &str, source: &str) -> String {
        format!(
            "Parsing error at line {}, column {}. '{}' in {location} ('{source}')",
            self.line, self.column, self.context
        )
    }

    /// The predicate-list form: ``… '{context}' in '{source}'``.
    pub fn predicate_message(&self, source: &str) -> String {
        format!(
            "Parsing error at line {}, column {}. '{}' in '{source}'",
            self.line, self.column, self.context
        )
    }
}

/// The first Koreo Expression of `encoded` that does not parse on its own: the file range
/// of its first error (exact when the body maps character for character, else its node)
/// and the message.
fn first_failing_expression(encoded: &Encoded) -> Option<(TextRange, String)> {
    encoded
        .segments
        .iter()
        .filter(|s| s.kind == crate::encode::SegmentKind::Expression)
        .find_map(|seg| {
            let body = encoded
                .text
                .get(std::ops::Range::<usize>::from(seg.encoded))?;
            let parse = koreo_cel_syntax::parse(body);
            parse.celpy_error?;
            let err = parse.errors.first()?;
            let range = match seg.exact {
                Some(exact) => {
                    // An error at the very end (a dangling operator) gets the last character.
                    let len = TextSize::of(body);
                    let start = err.span.start().min(len);
                    let end = err.span.end().clamp(start, len);
                    let (start, end) = if start == end && start > TextSize::from(0) {
                        (start - TextSize::from(1), end)
                    } else {
                        (start, end)
                    };
                    TextRange::new(exact + start, exact + end)
                }
                None => seg.node,
            };
            Some((range, err.message.clone()))
        })
}

/// Compiles encoded CEL text.
pub fn compile(encoded: Encoded, owner: Option<&ResourceRef>) -> Result<CelProgram, ParseFailure> {
    let parse = koreo_cel_syntax::parse(&encoded.text);
    if let Some(offset) = parse.celpy_error {
        let (line, column, context) = lark_position(&encoded.text, offset);
        let at = usize::from(offset);
        let rest = encoded.text.get(at..).unwrap_or("");
        let crash = ["true", "false"].iter().any(|w| {
            rest.starts_with(w)
                && !rest[w.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
        });
        let mut detail = parse
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "syntax error".into());
        let mut file_range = encoded.file_range(TextRange::at(offset, token_len(rest)));
        // The engine parses the whole encoded structure, so an unfinished expression is
        // reported at the bracket after it (`found ]`). The person wrote one `=` string:
        // point at the first one that fails alone, with what our parser says of it.
        if let Some((range, message)) = first_failing_expression(&encoded) {
            file_range = Some(range);
            detail = message;
        }
        return Err(ParseFailure {
            line,
            column,
            context,
            offset,
            file_range,
            detail,
            crash,
        });
    }
    let program = Program::from_ast(encoded.text.clone(), parse.expr);
    Ok(CelProgram {
        encoded: Arc::new(encoded),
        program,
        owner: owner.cloned(),
    })
}

/// Length of the token starting `rest` (a word, a two-character operator, or one character).
fn token_len(rest: &str) -> TextSize {
    let word: usize = rest
        .chars()
        .take_while(|c| *c == '_' || c.is_alphanumeric())
        .map(char::len_utf8)
        .sum();
    let len = if word > 0 {
        word
    } else if ["&&", "||", "==", "!=", "<=", ">="]
        .iter()
        .any(|op| rest.starts_with(op))
    {
        2
    } else {
        rest.chars().next().map(char::len_utf8).unwrap_or(0)
    };
    TextSize::try_from(len).unwrap_or_default()
}

/// Line, column and lark's `get_context(text, span=40)` for an error at `offset`.
pub fn lark_position(text: &str, offset: TextSize) -> (usize, usize, String) {
    let at = usize::from(offset).min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before_all = &text[..at];
    let line = before_all.matches('\n').count() + 1;
    let line_start = before_all.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..at].chars().count() + 1;
    // lark works in characters: 40 characters either side, cut at newlines.
    let chars_before: Vec<char> = before_all.chars().collect();
    let start = chars_before.len().saturating_sub(40);
    let window: String = chars_before[start..].iter().collect();
    let before = window.rsplit('\n').next().unwrap_or("").to_string();
    let after_window: String = text[at..].chars().take(40).collect();
    let after = after_window.split('\n').next().unwrap_or("");
    let width = expandtabs_len(&before);
    let context = format!("{before}{after}\n{}^\n", " ".repeat(width));
    (line, column, context)
}

/// `len(s.expandtabs())` with tab stops every 8 columns.
fn expandtabs_len(s: &str) -> usize {
    let mut col = 0;
    for c in s.chars() {
        if c == '\t' {
            col += 8 - col % 8;
        } else {
            col += 1;
        }
    }
    col
}

/// celpy's `extended_name_path`: `^\.?IDENT(\.IDENT)*$`.
pub fn valid_activation_name(name: &str) -> bool {
    let name = name.strip_prefix('.').unwrap_or(name);
    !name.is_empty() && name.split('.').all(is_cel_identifier)
}

/// `[_a-zA-Z][_a-zA-Z0-9]*`.
pub fn is_cel_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// How an evaluation stopped without a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// The engine's PermFail for this evaluation.
    Fail(Failure),
    /// A host exception escaped (the error formatter crash).
    Crash(Crash),
}

impl Stop {
    /// The stop as an outcome, or the crash.
    pub fn into_outcome<T>(self) -> Result<Outcome<T>, Crash> {
        match self {
            Stop::Fail(f) => Ok(Outcome::PermFail(f)),
            Stop::Crash(c) => Err(c),
        }
    }
}

/// How "Unknown failure" is reported: plain evaluations and predicate lists differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownStyle {
    /// ``Unknown failure evaluating `{location}`.`` without location.
    Plain,
    /// ``Error evaluating `{location}`: {message}`` with the location.
    Predicates,
}

impl CelProgram {
    /// The encoded source text.
    pub fn source(&self) -> &str {
        &self.encoded.text
    }

    /// The syntax tree.
    pub fn expr(&self) -> &koreo_cel_syntax::Expr {
        self.program.expr()
    }

    fn origin(&self, span: Option<TextRange>) -> Option<Origin> {
        let owner = self.owner.clone()?;
        let range = match span {
            Some(s) => self.encoded.file_range(s),
            None => self.encoded.root_range(),
        }?;
        Some(Origin {
            resource: owner,
            range,
        })
    }

    /// Evaluates the program; errors (also nested in the result, §2.6) become the engine's
    /// PermFail, host exceptions an "Unknown failure" PermFail, the formatter crash a
    /// [`Crash`].
    pub fn evaluate(&self, bindings: &Activation, location: &str) -> Result<Value, Stop> {
        self.evaluate_styled(bindings, location, UnknownStyle::Plain)
    }

    /// [`CelProgram::evaluate`] with a chosen "Unknown failure" style.
    pub fn evaluate_styled(
        &self,
        bindings: &Activation,
        location: &str,
        style: UnknownStyle,
    ) -> Result<Value, Stop> {
        let result = koreo_cel::evaluate(&self.program, bindings, &EvalOptions::default());
        match result {
            Ok(value) => match first_error(&value, 0) {
                None => Ok(value),
                Some(err) => Err(self.error_stop(&err, location)),
            },
            Err(CelFailure::Error(err)) => Err(self.error_stop(&err, location)),
            Err(CelFailure::Unknown { message, .. }) => Err(Stop::Fail(Failure {
                origin: self.origin(None),
                ..match style {
                    UnknownStyle::Plain => {
                        Failure::msg(format!("Unknown failure evaluating `{location}`."))
                    }
                    UnknownStyle::Predicates => Failure::at(
                        format!("Error evaluating `{location}`: {message}"),
                        location,
                    ),
                }
            })),
            Err(CelFailure::Budget(b)) => Err(Stop::Fail(Failure {
                origin: self.origin(None),
                ..Failure::msg(format!("Error evaluating `{location}`: {b}"))
            })),
        }
    }

    /// Evaluates without the engine's error handling: `Err` (the exception text) only when
    /// the evaluation itself raises; errors nested in the result are left in place.
    pub fn evaluate_raw(&self, bindings: &Activation) -> Result<Value, String> {
        koreo_cel::evaluate(&self.program, bindings, &EvalOptions::default()).map_err(|f| match f {
            CelFailure::Error(e) => e.py_str(),
            other => other.to_string(),
        })
    }

    fn error_stop(&self, err: &koreo_cel::EvalError, location: &str) -> Stop {
        let origin = self.origin(err.span());
        match (err.permfail_message(location), err.dump()) {
            (Ok(message), Ok(dump)) => Stop::Fail(Failure {
                message: Some(message),
                location: Some(dump),
                origin,
            }),
            (Err(crash), _) | (_, Err(crash)) => Stop::Crash(Crash {
                message: crash.to_string(),
                origin,
            }),
        }
    }
}

/// The engine's `check_for_celevalerror` walk: mappings (keys before values) and lists,
/// recursively, in order.
fn first_error(v: &Value, depth: usize) -> Option<Arc<koreo_cel::EvalError>> {
    if depth > 512 {
        return None;
    }
    match v {
        Value::Error(e) => Some(e.clone()),
        _ => {
            if let Some(m) = v.as_map() {
                for (k, val) in m.iter() {
                    if let Some(e) = first_error(k, depth + 1) {
                        return Some(e);
                    }
                    if let Some(e) = first_error(val, depth + 1) {
                        return Some(e);
                    }
                }
                None
            } else if let Some(items) = v.as_list() {
                items.iter().find_map(|i| first_error(i, depth + 1))
            } else {
                None
            }
        }
    }
}

/// Whether a value contains an error anywhere (§2.6).
pub fn contains_error(v: &Value) -> bool {
    first_error(v, 0).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lark_context_matches_engine() {
        let (l, c, ctx) = lark_position(r#"{"a":1 +,"b":"x"}"#, TextSize::from(8));
        assert_eq!((l, c), (1, 9));
        assert_eq!(ctx, "{\"a\":1 +,\"b\":\"x\"}\n        ^\n");
        let (l, c, ctx) = lark_position("x\n  + * 3", TextSize::from(6));
        assert_eq!((l, c), (2, 5));
        assert_eq!(ctx, "  + * 3\n    ^\n");
    }

    #[test]
    fn activation_names() {
        assert!(valid_activation_name("inputs"));
        assert!(valid_activation_name("a.b"));
        assert!(!valid_activation_name("my-key"));
        assert!(!valid_activation_name("1a"));
    }
}
