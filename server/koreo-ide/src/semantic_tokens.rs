//! Semantic tokens: the CEL inside `=` values (classified from the lexer, with the parse
//! tree for macro variables) and Koreo kind / resource names. Byte ranges, each on one
//! line; the server does the LSP delta encoding.

use koreo_cel_syntax::{Expr, TokenKind as T};
use koreo_model::{Body, Item};
use koreo_syntax::yaml::{Node, NodeKind};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::db::Db;

/// The token types, in legend order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// `true`, `false`, `null`, `in`.
    Keyword,
    /// A called function.
    Function,
    /// A root variable (`inputs`, `parent`, `resource`, `locals`, `steps`, ...).
    Variable,
    /// A field after `.`.
    Property,
    /// A string or bytes literal.
    String,
    /// A number literal.
    Number,
    /// An operator, and the `=` that starts an expression.
    Operator,
    /// A macro (`has`, `map`, `filter`, ...).
    Macro,
    /// A variable bound by a macro.
    Parameter,
    /// A Koreo kind or resource name.
    Type,
}

impl TokenType {
    /// Every type, in legend order (the index is the LSP token type).
    pub const ALL: [TokenType; 10] = [
        TokenType::Keyword,
        TokenType::Function,
        TokenType::Variable,
        TokenType::Property,
        TokenType::String,
        TokenType::Number,
        TokenType::Operator,
        TokenType::Macro,
        TokenType::Parameter,
        TokenType::Type,
    ];
}

/// Modifier bit: the token declares the name (a resource's `metadata.name`).
pub const MOD_DECLARATION: u32 = 1;
/// Modifier bit: a built-in function or variable of Koreo.
pub const MOD_DEFAULT_LIBRARY: u32 = 2;

/// One token; its range never crosses a line end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Byte range in the file.
    pub range: TextRange,
    /// The type.
    pub ty: TokenType,
    /// `MOD_*` bits.
    pub modifiers: u32,
}

const ROOT_VARIABLES: &[&str] = &["inputs", "parent", "resource", "locals", "steps", "value"];
const MACROS: &[&str] = &[
    "has",
    "dyn",
    "map",
    "filter",
    "all",
    "exists",
    "exists_one",
    "reduce",
    "min",
];

pub(crate) fn semantic_tokens(db: &Db, file: FileId) -> Vec<SemanticToken> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let text: &str = fa.text();
    let mut raw: Vec<(TextRange, TokenType, u32)> = Vec::new();
    for item in fa.items() {
        let Item::Resource(res) = item else { continue };
        raw.push((res.kind_range, TokenType::Type, 0));
        if let Some(n) = &res.name {
            raw.push((unquoted(text, n.range), TokenType::Type, MOD_DECLARATION));
        }
        for r in res.references() {
            if let Some(k) = &r.kind {
                raw.push((unquoted(text, k.range), TokenType::Type, 0));
            }
            if let Some(n) = &r.name
                && !text[unquoted(text, n.range)].starts_with('=')
            {
                raw.push((unquoted(text, n.range), TokenType::Type, 0));
            }
        }
        if let Body::Workflow(wf) = &res.body
            && let Some(k) = wf.crd_ref.as_ref().and_then(|c| c.kind.as_ref())
        {
            raw.push((unquoted(text, k.range), TokenType::Type, 0));
        }
        let Some(spec) = &res.spec else { continue };
        let mut stack = vec![spec];
        while let Some(n) = stack.pop() {
            match &n.kind {
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
                NodeKind::Scalar(_) => expression_tokens(n, text, &mut raw),
            }
        }
    }
    raw.sort_by_key(|(r, _, _)| (r.start(), r.end()));
    let mut out: Vec<SemanticToken> = Vec::new();
    let mut end = TextSize::from(0);
    for (range, ty, modifiers) in raw {
        if range.start() < end || range.is_empty() {
            continue;
        }
        end = range.end();
        split_lines(text, range, |range| {
            out.push(SemanticToken {
                range,
                ty,
                modifiers,
            })
        });
    }
    out
}

fn unquoted(text: &str, r: TextRange) -> TextRange {
    let s = text
        .get(usize::from(r.start())..usize::from(r.end()))
        .unwrap_or("");
    if s.len() >= 2
        && (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\''))
    {
        TextRange::new(r.start() + TextSize::from(1), r.end() - TextSize::from(1))
    } else {
        r
    }
}

/// Calls `f` with each non-empty single-line piece of `range` (line ends excluded; the
/// indentation of continuation lines too).
fn split_lines(text: &str, range: TextRange, mut f: impl FnMut(TextRange)) {
    let Some(s) = text.get(usize::from(range.start())..usize::from(range.end())) else {
        return;
    };
    let mut at = usize::from(range.start());
    for (i, line) in s.split('\n').enumerate() {
        let content = line.strip_suffix('\r').unwrap_or(line);
        let indent = if i == 0 {
            0
        } else {
            content.len() - content.trim_start_matches([' ', '\t']).len()
        };
        if content.len() > indent {
            f(TextRange::new(
                TextSize::from((at + indent) as u32),
                TextSize::from((at + content.len()) as u32),
            ));
        }
        at += line.len() + 1;
    }
}

fn expression_tokens(n: &Node, text: &str, out: &mut Vec<(TextRange, TokenType, u32)>) {
    let Some(src) = n.as_str().filter(|s| s.starts_with('=')) else {
        return;
    };
    let Some(map) = n.scalar_source_map(text) else {
        return;
    };
    let eqs = src.len() - src.trim_start_matches('=').len();
    let cel = &src[eqs..];
    let file_range = |span: TextRange| -> Option<TextRange> {
        let s = *map.get(eqs + usize::from(span.start()))?;
        // Where the next decoded byte comes from: covers escapes and closing quotes.
        let e = (*map.get(eqs + usize::from(span.end()))?).max(s);
        Some(TextRange::new(s, e))
    };
    if let (Some(s), Some(e)) = (map.first(), map.get(eqs)) {
        out.push((TextRange::new(*s, (*e).max(*s)), TokenType::Operator, 0));
    }
    let tokens: Vec<_> = koreo_cel_syntax::lex(cel)
        .into_iter()
        .filter(|t| t.kind != T::Comment)
        .collect();
    let parse = koreo_cel_syntax::parse(cel);
    let declared = macro_variables(&parse.expr);
    for (i, t) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| tokens[j].kind);
        let next = tokens.get(i + 1).map(|t| t.kind);
        let word = &cel[t.span];
        let (ty, modifiers) = match t.kind {
            T::Ident if next == Some(T::LParen) => {
                if MACROS.contains(&word) {
                    (TokenType::Macro, MOD_DEFAULT_LIBRARY)
                } else {
                    (TokenType::Function, MOD_DEFAULT_LIBRARY)
                }
            }
            T::Ident if prev == Some(T::Dot) => (TokenType::Property, 0),
            T::Ident => {
                let bound = declared.contains(&t.span)
                    || koreo_cel_syntax::bindings_at(&parse.expr, t.span.start())
                        .iter()
                        .any(|n| n.text == word);
                if bound {
                    (TokenType::Parameter, 0)
                } else if ROOT_VARIABLES.contains(&word) {
                    (TokenType::Variable, MOD_DEFAULT_LIBRARY)
                } else {
                    (TokenType::Variable, 0)
                }
            }
            T::True | T::False | T::Null | T::In => (TokenType::Keyword, 0),
            T::Int | T::UInt | T::Double => (TokenType::Number, 0),
            T::String | T::Bytes | T::UnterminatedString => (TokenType::String, 0),
            T::Plus
            | T::Minus
            | T::Star
            | T::Slash
            | T::Percent
            | T::Bang
            | T::EqEq
            | T::NotEq
            | T::Lt
            | T::Le
            | T::Gt
            | T::Ge
            | T::AndAnd
            | T::OrOr
            | T::Question
            | T::Colon => (TokenType::Operator, 0),
            _ => continue,
        };
        if let Some(r) = file_range(t.span) {
            out.push((r, ty, modifiers));
        }
    }
}

/// Spans of the variables macros declare (`x` in `l.map(x, …)`).
fn macro_variables(root: &Expr) -> Vec<TextRange> {
    root.preorder()
        .filter_map(koreo_cel_syntax::macro_scope)
        .flat_map(|s| s.vars.into_iter().map(|n| n.span))
        .collect()
}
