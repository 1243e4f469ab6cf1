//! Re-rendering of the failing sub-expression (`(at {dump})` in messages), reproducing
//! cel-python's `tree_dump` exactly — including its stack bug: an empty `[]`/`{}` literal
//! that is not the first thing rendered pops a sibling, and the formatter later fails with
//! `pop from empty list` (§3.8, E22).

use koreo_cel_syntax::{BinaryOp, Expr, ExprKind, TextRange, UnaryOp};

use crate::error::{ErrorSite, FormatterCrash};

/// Which kind of node an error site designates (spans alone can coincide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeTag {
    Literal,
    Ident,
    RootIdent,
    Unary,
    Binary,
    Ternary,
    Select,
    Index,
    Call,
    List,
    Map,
    Message,
}

impl NodeTag {
    pub(crate) fn of(e: &Expr) -> Option<NodeTag> {
        Some(match &e.kind {
            ExprKind::Literal(_) => NodeTag::Literal,
            ExprKind::Ident(_) => NodeTag::Ident,
            ExprKind::RootIdent(_) => NodeTag::RootIdent,
            ExprKind::Unary { .. } => NodeTag::Unary,
            ExprKind::Binary { .. } => NodeTag::Binary,
            ExprKind::Ternary { .. } => NodeTag::Ternary,
            ExprKind::Select { .. } => NodeTag::Select,
            ExprKind::Index { .. } => NodeTag::Index,
            ExprKind::Call { .. } => NodeTag::Call,
            ExprKind::List(_) => NodeTag::List,
            ExprKind::Map(_) => NodeTag::Map,
            ExprKind::Message { .. } => NodeTag::Message,
            ExprKind::Paren(_) | ExprKind::Error => return None,
        })
    }
}

fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Error | ExprKind::Literal(_) | ExprKind::Ident(_) | ExprKind::RootIdent(_) => {
            vec![]
        }
        ExprKind::Paren(x)
        | ExprKind::Unary { operand: x, .. }
        | ExprKind::Select { operand: x, .. } => vec![x],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => vec![cond, then, otherwise],
        ExprKind::Index { operand, index } => vec![operand, index],
        ExprKind::Call { receiver, args, .. } => {
            receiver.iter().map(|r| &**r).chain(args.iter()).collect()
        }
        ExprKind::List(items) => items.iter().collect(),
        ExprKind::Map(entries) => entries.iter().flat_map(|m| [&m.key, &m.value]).collect(),
        ExprKind::Message { fields, .. } => fields.iter().map(|f| &f.value).collect(),
    }
}

/// Finds the node with this span and tag.
pub(crate) fn find_node(e: &Expr, span: TextRange, tag: NodeTag) -> Option<&Expr> {
    if !e.span.contains_range(span) {
        return None;
    }
    if e.span == span && NodeTag::of(e) == Some(tag) {
        return Some(e);
    }
    children(e)
        .into_iter()
        .find_map(|c| find_node(c, span, tag))
}

pub(crate) fn dump_site(site: &ErrorSite) -> Result<String, FormatterCrash> {
    match find_node(&site.program.expr, site.span, site.tag) {
        Some(node) => dump(node, &site.program.source),
        None => Ok(String::new()),
    }
}

/// Renders a node the way `celpy.celparser.tree_dump` does.
pub fn dump(e: &Expr, source: &str) -> Result<String, FormatterCrash> {
    let mut st = Vec::new();
    walk(e, source, &mut st)?;
    st.into_iter().next().ok_or(FormatterCrash)
}

fn pop(st: &mut Vec<String>) -> Result<String, FormatterCrash> {
    st.pop().ok_or(FormatterCrash)
}

fn binop_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "||",
        BinaryOp::And => "&&",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::In => "in",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
    }
}

fn exprlist(items: &[Expr], source: &str, st: &mut Vec<String>) -> Result<(), FormatterCrash> {
    for i in items {
        walk(i, source, st)?;
    }
    let mut parts = Vec::with_capacity(items.len());
    for _ in items {
        parts.push(pop(st)?);
    }
    parts.reverse();
    st.push(parts.join(", "));
    Ok(())
}

fn walk(e: &Expr, source: &str, st: &mut Vec<String>) -> Result<(), FormatterCrash> {
    match &e.kind {
        ExprKind::Error => st.push(String::new()),
        ExprKind::Literal(_) => {
            let text = source
                .get(usize::from(e.span.start())..usize::from(e.span.end()))
                .unwrap_or_default();
            st.push(text.to_string());
        }
        ExprKind::Ident(n) => st.push(n.text.clone()),
        ExprKind::RootIdent(n) => st.push(format!(".{}", n.text)),
        ExprKind::Paren(inner) => {
            walk(inner, source, st)?;
            if let Some(l) = st.pop() {
                st.push(format!("({l})"));
            }
        }
        ExprKind::Unary { op, operand, .. } => {
            st.push(match op {
                UnaryOp::Not => "!".into(),
                UnaryOp::Neg => "-".into(),
            });
            walk(operand, source, st)?;
            let right = pop(st)?;
            let left = pop(st)?;
            st.push(format!("{left} {right}"));
        }
        ExprKind::Binary {
            op: op @ (BinaryOp::Or | BinaryOp::And),
            lhs,
            rhs,
            ..
        } => {
            walk(lhs, source, st)?;
            walk(rhs, source, st)?;
            let right = pop(st)?;
            let left = pop(st)?;
            st.push(format!("{left} {} {right}", binop_symbol(*op)));
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            walk(lhs, source, st)?;
            let left = pop(st)?;
            st.push(format!("{left} {} ", binop_symbol(*op)));
            walk(rhs, source, st)?;
            let right = pop(st)?;
            let left = pop(st)?;
            st.push(format!("{left} {right}"));
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            walk(cond, source, st)?;
            walk(then, source, st)?;
            walk(otherwise, source, st)?;
            let right = pop(st)?;
            let left = pop(st)?;
            let c = pop(st)?;
            st.push(format!("{c} ? {left} : {right}"));
        }
        ExprKind::Select { operand, field } => {
            walk(operand, source, st)?;
            if let Some(l) = st.pop() {
                st.push(format!("{l}.{}", field.text));
            }
        }
        ExprKind::Index { operand, index } => {
            walk(operand, source, st)?;
            walk(index, source, st)?;
            let right = pop(st)?;
            let left = pop(st)?;
            st.push(format!("{left}[{right}]"));
        }
        ExprKind::Call {
            receiver: Some(r),
            func,
            args,
        } => {
            walk(r, source, st)?;
            let list = if args.is_empty() {
                String::new()
            } else {
                exprlist(args, source, st)?;
                pop(st)?
            };
            let left = pop(st)?;
            st.push(format!("{left}.{}({list})", func.text));
        }
        ExprKind::Call {
            receiver: None,
            func,
            args,
        } => {
            let list = if args.is_empty() {
                String::new()
            } else {
                exprlist(args, source, st)?;
                pop(st)?
            };
            st.push(format!("{}({list})", func.text));
        }
        ExprKind::List(items) => {
            if items.is_empty() {
                // celpy's bug: an empty literal wraps whatever is on the stack.
                match st.pop() {
                    Some(l) => st.push(format!("[{l}]")),
                    None => st.push(String::new()),
                }
            } else {
                exprlist(items, source, st)?;
                let l = pop(st)?;
                st.push(format!("[{l}]"));
            }
        }
        ExprKind::Map(entries) => {
            if entries.is_empty() {
                match st.pop() {
                    Some(l) => st.push(format!("{{{l}}}")),
                    None => st.push("{}".into()),
                }
            } else {
                for m in entries {
                    walk(&m.key, source, st)?;
                    walk(&m.value, source, st)?;
                }
                let mut pairs = Vec::with_capacity(entries.len());
                for _ in entries {
                    let v = pop(st)?;
                    let k = pop(st)?;
                    pairs.push(format!("{k}: {v}"));
                }
                pairs.reverse();
                st.push(pairs.join(", "));
                let l = pop(st)?;
                st.push(format!("{{{l}}}"));
            }
        }
        ExprKind::Message {
            type_name, fields, ..
        } => {
            let name: Vec<&str> = type_name.iter().map(|n| n.text.as_str()).collect();
            st.push(name.join("."));
            for f in fields {
                walk(&f.value, source, st)?;
            }
            let inits = if fields.is_empty() {
                String::new()
            } else {
                let mut parts = Vec::with_capacity(fields.len());
                for f in fields.iter().rev() {
                    parts.push(format!("{}: {}", f.field.text, pop(st)?));
                }
                parts.reverse();
                parts.join(", ")
            };
            let left = pop(st)?;
            st.push(format!("{left}{{{inits}}}"));
        }
    }
    Ok(())
}
