//! Printing trees back to CEL, comparing them by shape, and a compact debug dump.
//!
//! [`print`] writes valid CEL such that `parse(print(e))` has the same shape as `e` for
//! every tree the parser can produce from valid text. For other trees it adds the
//! parentheses precedence needs (so the shape gains `Paren` nodes) and cannot help with
//! shapes that have no text at all: `Error` prints as `<error>`, a NaN double as
//! `double("nan")`, a message construction with no type name as a map.

use std::fmt::Write;

use crate::ast::{BinaryOp, Expr, ExprKind, Literal, LiteralError, Name, UnaryOp};

/// Writes `expr` as CEL source (single line, canonical spacing).
pub fn print(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

/// Binding strength: 0 ternary, 1 `||`, 2 `&&`, 3 relations, 4 `+ -`, 5 `* / %`, 6 unary,
/// 7 member and primary.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Ternary { .. } => 0,
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::Unary { .. } => 6,
        _ => 7,
    }
}

fn binary_prec(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => 1,
        And => 2,
        Eq | Ne | Lt | Le | Gt | Ge | In => 3,
        Add | Sub => 4,
        Mul | Div | Rem => 5,
    }
}

/// The operator's text.
pub fn binary_op_text(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Or => "||",
        And => "&&",
        Eq => "==",
        Ne => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        In => "in",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "%",
    }
}

/// The operator's text.
pub fn unary_op_text(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Not => "!",
        UnaryOp::Neg => "-",
    }
}

fn write_at_least(out: &mut String, e: &Expr, min: u8) {
    if prec(e) < min {
        out.push('(');
        write_expr(out, e);
        out.push(')');
    } else {
        write_expr(out, e);
    }
}

/// An operand of `.`: an int literal needs a space, or `1.x` would lex as `1.` then `x`.
fn write_member_operand(out: &mut String, e: &Expr) {
    write_at_least(out, e, 7);
    if matches!(e.kind, ExprKind::Literal(Literal::Int(_))) {
        out.push(' ');
    }
}

fn write_list(out: &mut String, items: &[Expr]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, item);
    }
}

fn write_expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Error => out.push_str("<error>"),
        ExprKind::Literal(lit) => write_literal(out, lit),
        ExprKind::Ident(n) => out.push_str(&n.text),
        ExprKind::RootIdent(n) => {
            out.push('.');
            out.push_str(&n.text);
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner);
            out.push(')');
        }
        ExprKind::Unary { op, operand, .. } => {
            out.push_str(unary_op_text(*op));
            let start = out.len();
            write_at_least(out, operand, 6);
            // `- 1` is negation; `-1` would be a literal.
            let glued = out[start..].starts_with(|c: char| c.is_ascii_digit() || c == '.');
            if *op == UnaryOp::Neg && glued {
                out.insert(start, ' ');
            }
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            let p = binary_prec(*op);
            write_at_least(out, lhs, p);
            out.push(' ');
            out.push_str(binary_op_text(*op));
            out.push(' ');
            write_at_least(out, rhs, p + 1);
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            write_at_least(out, cond, 1);
            out.push_str(" ? ");
            write_at_least(out, then, 1);
            out.push_str(" : ");
            write_expr(out, otherwise);
        }
        ExprKind::Select { operand, field } => {
            write_member_operand(out, operand);
            out.push('.');
            out.push_str(&field.text);
        }
        ExprKind::Index { operand, index } => {
            write_at_least(out, operand, 7);
            out.push('[');
            write_expr(out, index);
            out.push(']');
        }
        ExprKind::Call {
            receiver,
            func,
            args,
        } => {
            if let Some(r) = receiver {
                write_member_operand(out, r);
                out.push('.');
            }
            out.push_str(&func.text);
            out.push('(');
            write_list(out, args);
            out.push(')');
        }
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items);
            out.push(']');
        }
        ExprKind::Map(entries) => {
            out.push('{');
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, &entry.key);
                out.push_str(": ");
                write_expr(out, &entry.value);
            }
            out.push('}');
        }
        ExprKind::Message {
            type_name, fields, ..
        } => {
            for (i, n) in type_name.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&n.text);
            }
            out.push('{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&f.field.text);
                out.push_str(": ");
                write_expr(out, &f.value);
            }
            out.push('}');
        }
    }
}

/// Writes a literal as CEL source that decodes to the same value.
pub fn write_literal(out: &mut String, lit: &Literal) {
    match lit {
        Literal::Int(Some(v)) => {
            let _ = write!(out, "{v}");
        }
        // Any out-of-range literal evaluates to the same `overflow` error.
        Literal::Int(None) => out.push_str("9223372036854775808"),
        Literal::UInt(Some(v)) => {
            let _ = write!(out, "{v}u");
        }
        Literal::UInt(None) => out.push_str("18446744073709551616u"),
        Literal::Double(v) => write_double(out, *v),
        Literal::String(s) => write_string(out, s),
        Literal::Bytes(b) => write_bytes(out, b),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Null => out.push_str("null"),
        Literal::Invalid(e) => write_invalid(out, e),
    }
}

fn write_double(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("double(\"nan\")");
    } else if v.is_infinite() {
        // Python's float() overflows such a literal to infinity.
        out.push_str(if v > 0.0 { "1e999" } else { "-1e999" });
    } else {
        // Rust's shortest round-trip form always has a `.` or an exponent.
        let _ = write!(out, "{v:?}");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_bytes(out: &mut String, bytes: &[u8]) {
    out.push_str("b\"");
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}

/// A literal that fails the same way, recovered from the message.
fn write_invalid(out: &mut String, e: &LiteralError) {
    match e {
        LiteralError::Value(m) => {
            if let Some(d) = m
                .strip_prefix("invalid literal for int() with base 8: '")
                .and_then(|r| r.strip_suffix('\''))
                .filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
            {
                let _ = write!(out, "\"\\{d}\"");
            } else if let Some(h) = m
                .strip_prefix("invalid literal for int() with base 10: '")
                .and_then(|r| r.strip_suffix('\''))
                .filter(|h| {
                    h.strip_prefix("-0x")
                        .is_some_and(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_hexdigit()))
                })
            {
                let _ = write!(out, "{h}u");
            } else if m == "chr() arg not in range(0x110000)" {
                out.push_str("\"\\U00110000\"");
            } else {
                out.push_str("b\"\\u0100\"");
            }
        }
        LiteralError::Crash(_) => out.push_str("b\"\\U00000000\""),
    }
}

impl Expr {
    /// Structural equality ignoring every span (node, name and operator spans). Doubles
    /// compare by bits, so `0.0` and `-0.0` differ and NaN equals NaN. Iterative.
    pub fn same_shape(&self, other: &Expr) -> bool {
        let mut stack = vec![(self, other)];
        while let Some((a, b)) = stack.pop() {
            if !same_node(a, b) {
                return false;
            }
            let (mut ca, mut cb) = (a.children(), b.children());
            loop {
                match (ca.next(), cb.next()) {
                    (Some(x), Some(y)) => stack.push((x, y)),
                    (None, None) => break,
                    _ => return false,
                }
            }
        }
        true
    }
}

/// Compares what a node holds itself (kind, operators, names, literal, arity), not its
/// sub-expressions.
fn same_node(a: &Expr, b: &Expr) -> bool {
    use ExprKind::*;
    let names = |x: &Name, y: &Name| x.text == y.text;
    match (&a.kind, &b.kind) {
        (Error, Error) | (Paren(_), Paren(_)) | (Index { .. }, Index { .. }) => true,
        (Ternary { .. }, Ternary { .. }) => true,
        (Literal(x), Literal(y)) => same_literal(x, y),
        (Ident(x), Ident(y)) | (RootIdent(x), RootIdent(y)) => names(x, y),
        (Unary { op: x, .. }, Unary { op: y, .. }) => x == y,
        (Binary { op: x, .. }, Binary { op: y, .. }) => x == y,
        (Select { field: x, .. }, Select { field: y, .. }) => names(x, y),
        (
            Call {
                receiver: r1,
                func: f1,
                args: a1,
            },
            Call {
                receiver: r2,
                func: f2,
                args: a2,
            },
        ) => r1.is_some() == r2.is_some() && names(f1, f2) && a1.len() == a2.len(),
        (List(x), List(y)) => x.len() == y.len(),
        (Map(x), Map(y)) => x.len() == y.len(),
        (
            Message {
                type_name: t1,
                fields: f1,
                ..
            },
            Message {
                type_name: t2,
                fields: f2,
                ..
            },
        ) => {
            t1.len() == t2.len()
                && t1.iter().zip(t2).all(|(x, y)| names(x, y))
                && f1.len() == f2.len()
                && f1.iter().zip(f2).all(|(x, y)| names(&x.field, &y.field))
        }
        _ => false,
    }
}

fn same_literal(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Double(x), Literal::Double(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// A compact, indented dump of the tree with every span, for tests and debugging:
/// one node per line, `Kind@start..end` then details; names are `text@start..end`.
/// Iterative, like every walk in this crate.
pub fn debug_tree(expr: &Expr) -> String {
    enum Item<'a> {
        Node(&'a Expr, usize),
        Line(String, usize),
    }
    let mut out = String::new();
    let mut stack = vec![Item::Node(expr, 0)];
    while let Some(item) = stack.pop() {
        let (e, depth) = match item {
            Item::Line(line, depth) => {
                let _ = writeln!(out, "{}{line}", "  ".repeat(depth));
                continue;
            }
            Item::Node(e, depth) => (e, depth),
        };
        let _ = writeln!(out, "{}{}", "  ".repeat(depth), node_line(e));
        // Children go on the stack in reverse so they come out in source order.
        match &e.kind {
            ExprKind::Map(entries) => {
                for entry in entries.iter().rev() {
                    stack.push(Item::Node(&entry.value, depth + 2));
                    stack.push(Item::Node(&entry.key, depth + 2));
                    stack.push(Item::Line(format!("Entry@{:?}", entry.span), depth + 1));
                }
            }
            ExprKind::Message { fields, .. } => {
                for f in fields.iter().rev() {
                    stack.push(Item::Node(&f.value, depth + 2));
                    let line = format!("Field@{:?} {}", f.span, name_str(&f.field));
                    stack.push(Item::Line(line, depth + 1));
                }
            }
            _ => {
                let children: Vec<&Expr> = e.children().collect();
                for c in children.into_iter().rev() {
                    stack.push(Item::Node(c, depth + 1));
                }
            }
        }
    }
    out
}

fn name_str(n: &Name) -> String {
    format!("{}@{:?}", n.text, n.span)
}

/// The dump line of one node, without its children.
fn node_line(e: &Expr) -> String {
    let span = format!("{:?}", e.span);
    match &e.kind {
        ExprKind::Error => format!("Error@{span}"),
        ExprKind::Literal(lit) => format!("Literal@{span} {lit:?}"),
        ExprKind::Ident(n) => format!("Ident@{span} {}", n.text),
        ExprKind::RootIdent(n) => format!("RootIdent@{span} {}", name_str(n)),
        ExprKind::Paren(_) => format!("Paren@{span}"),
        ExprKind::Unary { op, op_span, .. } => {
            format!("Unary@{span} {}@{op_span:?}", unary_op_text(*op))
        }
        ExprKind::Binary { op, op_span, .. } => {
            format!("Binary@{span} {}@{op_span:?}", binary_op_text(*op))
        }
        ExprKind::Ternary { .. } => format!("Ternary@{span}"),
        ExprKind::Select { field, .. } => format!("Select@{span} .{}", name_str(field)),
        ExprKind::Index { .. } => format!("Index@{span}"),
        ExprKind::Call { receiver, func, .. } => {
            let kind = if receiver.is_some() {
                "method"
            } else {
                "global"
            };
            format!("Call@{span} {kind} {}", name_str(func))
        }
        ExprKind::List(_) => format!("List@{span}"),
        ExprKind::Map(_) => format!("Map@{span}"),
        ExprKind::Message { type_name, .. } => {
            let names: Vec<String> = type_name.iter().map(name_str).collect();
            format!("Message@{span} {}", names.join("."))
        }
    }
}
