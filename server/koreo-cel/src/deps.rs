//! Referenced-path extraction (§9.2.3), reproducing Koreo's `extract_argument_structure`,
//! including the shapes it rejects (which fail the whole resource's prepare).

use std::collections::BTreeSet;

use koreo_cel_syntax::{Expr, ExprKind, Literal, TextRange};

/// The extractor rejected a construct (member access on a call, a parenthesised or literal
/// base, a leading-dot identifier, an index with no usable first primary, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractError {
    /// The node the engine's extractor could not process.
    pub span: TextRange,
    /// What it was (the engine's message embeds a parse-tree dump instead).
    pub message: String,
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every path referenced by field selections and indexes (`steps.a`, `steps.a.b`,
/// `inputs.locals` for `inputs[locals.k]`, …), sorted; or the extractor's crash.
pub fn extract_paths(expr: &Expr, source: &str) -> Result<BTreeSet<String>, ExtractError> {
    let mut out = BTreeSet::new();
    visit(expr, source, &mut out)?;
    Ok(out)
}

/// Step labels a path set depends on: `steps` + any one character + the label, up to the
/// next `.` or `[`.
pub fn step_labels<'a>(paths: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    paths
        .into_iter()
        .filter_map(|p| {
            let rest = p.strip_prefix("steps")?;
            let mut chars = rest.chars();
            chars.next()?;
            let label: String = chars
                .as_str()
                .chars()
                .take_while(|c| *c != '.' && *c != '[')
                .collect();
            (!label.is_empty()).then_some(label)
        })
        .collect()
}

fn visit(e: &Expr, src: &str, out: &mut BTreeSet<String>) -> Result<(), ExtractError> {
    match &e.kind {
        ExprKind::Select { .. } | ExprKind::Index { .. } => {
            out.insert(path(e, src)?);
        }
        _ => {}
    }
    match &e.kind {
        ExprKind::Error | ExprKind::Literal(_) | ExprKind::Ident(_) | ExprKind::RootIdent(_) => {
            Ok(())
        }
        ExprKind::Paren(x)
        | ExprKind::Unary { operand: x, .. }
        | ExprKind::Select { operand: x, .. } => visit(x, src, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs, src, out)?;
            visit(rhs, src, out)
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            visit(cond, src, out)?;
            visit(then, src, out)?;
            visit(otherwise, src, out)
        }
        ExprKind::Index { operand, index } => {
            visit(operand, src, out)?;
            visit(index, src, out)
        }
        ExprKind::Call { receiver, args, .. } => {
            if let Some(r) = receiver {
                visit(r, src, out)?;
            }
            args.iter().try_for_each(|a| visit(a, src, out))
        }
        ExprKind::List(items) => items.iter().try_for_each(|i| visit(i, src, out)),
        ExprKind::Map(entries) => entries.iter().try_for_each(|m| {
            visit(&m.key, src, out)?;
            visit(&m.value, src, out)
        }),
        ExprKind::Message { fields, .. } => {
            fields.iter().try_for_each(|f| visit(&f.value, src, out))
        }
    }
}

fn crash(e: &Expr, what: &str) -> ExtractError {
    ExtractError {
        span: e.span,
        message: format!("cannot extract a reference path from {what}"),
    }
}

/// Text of a literal as the engine keeps it: ints verbatim, others with every leading and
/// trailing copy of their first character stripped (`"a"` → `a`, `true` → `rue`).
fn literal_token(e: &Expr, src: &str) -> String {
    let text = src
        .get(usize::from(e.span.start())..usize::from(e.span.end()))
        .unwrap_or_default();
    let is_int = matches!(&e.kind, ExprKind::Literal(Literal::Int(_)));
    if is_int {
        return text.to_string();
    }
    match text.chars().next() {
        Some(c) => text.trim_matches(c).to_string(),
        None => String::new(),
    }
}

/// A primary: an identifier or a literal; anything else crashes the engine's extractor.
fn primary(e: &Expr, src: &str) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Ident(n) => Ok(n.text.clone()),
        ExprKind::Literal(_) => Ok(literal_token(e, src)),
        ExprKind::Call { receiver: None, .. } => Err(crash(e, "a function call")),
        ExprKind::Paren(_) => Err(crash(e, "a parenthesised expression")),
        ExprKind::List(_) => Err(crash(e, "a list literal")),
        ExprKind::Map(_) => Err(crash(e, "a map literal")),
        ExprKind::RootIdent(_) => Err(crash(e, "a leading-dot identifier")),
        _ => Err(crash(e, "this expression")),
    }
}

/// Path of a member base (`member.children[0]` in the engine's parse tree).
fn base(e: &Expr, src: &str) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Select { .. } | ExprKind::Index { .. } => path(e, src),
        // The engine only handles method calls with arguments as a base.
        ExprKind::Call {
            receiver: Some(_),
            args,
            ..
        } if args.is_empty() => Err(crash(e, "a method call without arguments")),
        ExprKind::Call {
            receiver: Some(r),
            func,
            ..
        } => Ok(format!("{}.{}", base(r, src)?, func.text)),
        ExprKind::Message { .. } => Err(crash(e, "a message construction")),
        _ => primary(e, src),
    }
}

/// The index token: descend through first children to the first primary.
fn index_token(e: &Expr, src: &str) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Binary { lhs, .. } => index_token(lhs, src),
        ExprKind::Ternary { cond, .. } => index_token(cond, src),
        ExprKind::Select { operand, .. } | ExprKind::Index { operand, .. } => {
            index_token(operand, src)
        }
        ExprKind::Call {
            receiver: Some(r), ..
        } => index_token(r, src),
        ExprKind::Unary { .. } => Err(crash(e, "an index with a unary operator")),
        ExprKind::Message { .. } => Err(crash(e, "a message construction")),
        _ => primary(e, src),
    }
}

fn path(e: &Expr, src: &str) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Select { operand, field } => {
            Ok(format!("{}.{}", base(operand, src)?, field.text))
        }
        ExprKind::Index { operand, index } => {
            let token = index_token(index, src)?;
            Ok(format!("{}.{}", base(operand, src)?, token))
        }
        _ => base(e, src),
    }
}
