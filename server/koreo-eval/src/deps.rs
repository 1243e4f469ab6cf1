//! The engine's dependency extractor (§9.2.3), reproduced exactly, failures included.
//!
//! Every field selection and index in a prepared expression yields a dotted path; workflow
//! steps depend on the `steps.<label>` paths, overlayRef input checks use `inputs.<name>`.
//! The engine's extractor raises on member access over anything that is not an identifier
//! chain (`to_ref(x).name`, `(a).b`, `[1][i]`, `m[-i]`), which aborts the whole prepare;
//! [`ExtractError`] carries the span of the construct so the LS can point at it.

use koreo_cel_syntax::ast::{Expr, ExprKind, Literal};
use text_size::TextRange;

/// The extractor gave up (the engine raises; the resource is not prepared).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractError {
    /// Span (in the CEL text) of the construct the engine cannot handle.
    pub span: TextRange,
    /// An approximation of the engine's exception text (`UNKNOWN PRIMARY DATA TYPE! …`).
    pub message: String,
}

/// Extracts the referenced paths of an expression, in first-seen order, without duplicates.
pub fn extract_paths(expr: &Expr, source: &str) -> Result<Vec<String>, ExtractError> {
    let mut out = Vec::new();
    visit(expr, source, &mut out, 0)?;
    Ok(out)
}

const MAX_DEPTH: usize = 512;

fn push(out: &mut Vec<String>, path: String) {
    if !out.contains(&path) {
        out.push(path);
    }
}

fn visit(e: &Expr, src: &str, out: &mut Vec<String>, depth: usize) -> Result<(), ExtractError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let d = depth + 1;
    match &e.kind {
        ExprKind::Select { operand, .. } => {
            push(out, dot_path(e, src, 0)?);
            visit(operand, src, out, d)?;
        }
        ExprKind::Index { operand, index } => {
            push(out, index_path(e, src, 0)?);
            visit(operand, src, out, d)?;
            visit(index, src, out, d)?;
        }
        ExprKind::Error
        | ExprKind::Literal(_)
        | ExprKind::Ident(_)
        | ExprKind::RootIdent(_) => {}
        ExprKind::Paren(inner) => visit(inner, src, out, d)?,
        ExprKind::Unary { operand, .. } => visit(operand, src, out, d)?,
        ExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs, src, out, d)?;
            visit(rhs, src, out, d)?;
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            visit(cond, src, out, d)?;
            visit(then, src, out, d)?;
            visit(otherwise, src, out, d)?;
        }
        ExprKind::Call { receiver, args, .. } => {
            if let Some(r) = receiver {
                visit(r, src, out, d)?;
            }
            for a in args {
                visit(a, src, out, d)?;
            }
        }
        ExprKind::List(items) => {
            for i in items {
                visit(i, src, out, d)?;
            }
        }
        ExprKind::Map(entries) => {
            for entry in entries {
                visit(&entry.key, src, out, d)?;
                visit(&entry.value, src, out, d)?;
            }
        }
        ExprKind::Message { fields, .. } => {
            for f in fields {
                visit(&f.value, src, out, d)?;
            }
        }
    }
    Ok(())
}

fn text<'a>(src: &'a str, span: TextRange) -> &'a str {
    src.get(usize::from(span.start())..usize::from(span.end()))
        .unwrap_or("")
}

/// The lark rule name the engine's exception would print for a primary it cannot handle.
fn primary_error(e: &Expr, src: &str) -> ExtractError {
    let rule = match &e.kind {
        ExprKind::Paren(_) => "paren_expr",
        ExprKind::List(_) => "list_lit",
        ExprKind::Map(_) => "map_lit",
        ExprKind::RootIdent(_) => "dot_ident",
        ExprKind::Call { .. } => "ident_arg",
        _ => "expr",
    };
    ExtractError {
        span: e.span,
        message: format!(
            "UNKNOWN PRIMARY DATA TYPE! Tree('{rule}', …) at `{}`",
            text(src, e.span)
        ),
    }
}

fn too_deep(e: &Expr) -> ExtractError {
    ExtractError {
        span: e.span,
        message: "expression nested too deeply to extract dependencies".into(),
    }
}

/// Path of `X.f`.
fn dot_path(e: &Expr, src: &str, depth: usize) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Select { operand, field } => {
            Ok(format!("{}.{}", base_path(operand, src, depth + 1)?, field.text))
        }
        _ => base_path(e, src, depth + 1),
    }
}

/// Path of `X[e]`.
fn index_path(e: &Expr, src: &str, depth: usize) -> Result<String, ExtractError> {
    match &e.kind {
        ExprKind::Index { operand, index } => {
            let token = index_token(index, src)?;
            let base = base_path(operand, src, depth + 1)?;
            Ok(format!("{base}.{token}"))
        }
        _ => base_path(e, src, depth + 1),
    }
}

/// Path of the base of a member access: identifiers, literals, member chains and method
/// calls on them. Anything else makes the engine raise.
fn base_path(e: &Expr, src: &str, depth: usize) -> Result<String, ExtractError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(e));
    }
    match &e.kind {
        ExprKind::Select { .. } => dot_path(e, src, depth),
        ExprKind::Index { .. } => index_path(e, src, depth),
        ExprKind::Call {
            receiver: Some(r),
            func,
            ..
        } => Ok(format!("{}.{}", base_path(r, src, depth + 1)?, func.text)),
        ExprKind::Ident(name) => Ok(name.text.clone()),
        ExprKind::Literal(lit) => Ok(literal_token(lit, text(src, e.span))),
        ExprKind::Message { .. } => Err(ExtractError {
            span: e.span,
            message: format!(
                "UNKNOWN MEMBER_DOT ROOT TYPE! Tree('member_object', …) at `{}`",
                text(src, e.span)
            ),
        }),
        _ => Err(primary_error(e, src)),
    }
}

/// The engine's rendering of a literal token: ints verbatim, everything else with its first
/// character stripped from both ends (so `"a"` gives `a`, and `true` gives `rue`).
fn literal_token(lit: &Literal, token: &str) -> String {
    if matches!(lit, Literal::Int(_)) {
        return token.to_string();
    }
    match token.chars().next() {
        Some(first) => token.trim_matches(first).to_string(),
        None => String::new(),
    }
}

/// The index token: descend through first children to the first primary.
fn index_token(index: &Expr, src: &str) -> Result<String, ExtractError> {
    let mut cur = index;
    for _ in 0..=MAX_DEPTH {
        match &cur.kind {
            ExprKind::Binary { lhs, .. } => cur = lhs,
            ExprKind::Ternary { cond, .. } => cur = cond,
            ExprKind::Select { operand, .. } | ExprKind::Index { operand, .. } => cur = operand,
            ExprKind::Call {
                receiver: Some(r), ..
            } => cur = r,
            ExprKind::Ident(name) => return Ok(name.text.clone()),
            ExprKind::Literal(lit) => return Ok(literal_token(lit, text(src, cur.span))),
            ExprKind::Unary { .. } => {
                return Err(ExtractError {
                    span: cur.span,
                    message: format!(
                        "CAN NOT PROCESS MEMBER_INDEX terminal expr: `{}`",
                        text(src, cur.span)
                    ),
                });
            }
            _ => return Err(primary_error(cur, src)),
        }
    }
    Err(too_deep(index))
}

/// `re.match(r"{prefix}.(?P<name>[^.[]+)?\[?.*", path)`: the engine's way of reading a
/// label (`steps`) or input name (`inputs`) from a path. Note the `.` matches any one
/// character, so `steps_a.b` yields `a`.
pub fn name_after(prefix: &str, path: &str) -> Option<Option<String>> {
    let rest = path.strip_prefix(prefix)?;
    let mut chars = rest.chars();
    let c = chars.next()?;
    if c == '\n' {
        return None;
    }
    let rest = chars.as_str();
    let name: String = rest.chars().take_while(|c| *c != '.' && *c != '[' && *c != '\n').collect();
    Some(if name.is_empty() { None } else { Some(name) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_matches_like_python_re() {
        assert_eq!(name_after("steps", "steps.a.b"), Some(Some("a".into())));
        assert_eq!(name_after("steps", "steps_a.b"), Some(Some("a".into())));
        assert_eq!(name_after("steps", "steps"), None);
        assert_eq!(name_after("inputs", "inputs.x[0]"), Some(Some("x".into())));
        assert_eq!(name_after("inputs", "locals.x"), None);
    }

    #[test]
    fn literal_tokens() {
        assert_eq!(literal_token(&Literal::String("a".into()), "\"a\""), "a");
        assert_eq!(literal_token(&Literal::Bool(true), "true"), "rue");
        assert_eq!(literal_token(&Literal::Int(Some(-1)), "-1"), "-1");
    }
}
