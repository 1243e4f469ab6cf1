//! A parsed expression ready to evaluate any number of times.

use std::sync::Arc;

use koreo_cel_syntax::{Expr, ParseError};

/// A CEL program: the source text and its syntax tree. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) inner: Arc<ProgramInner>,
}

#[derive(Debug)]
pub(crate) struct ProgramInner {
    pub(crate) source: String,
    pub(crate) expr: Expr,
}

impl Program {
    /// Wraps an already parsed tree (spans must index `source`).
    pub fn from_ast(source: impl Into<String>, expr: Expr) -> Program {
        Program {
            inner: Arc::new(ProgramInner {
                source: source.into(),
                expr,
            }),
        }
    }

    /// Parses `source`; fails with every parse error when cel-python would reject the text.
    /// (Problems cel-python only hits at evaluation, such as invalid literal escapes, stay in
    /// the tree and are reproduced by the evaluator.)
    pub fn parse(source: &str) -> Result<Program, Vec<ParseError>> {
        let parse = koreo_cel_syntax::parse(source);
        if parse.celpy_error.is_none() && !has_error_node(&parse.expr) {
            Ok(Program::from_ast(source, parse.expr))
        } else {
            Err(parse.errors)
        }
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.inner.expr
    }
}

fn has_error_node(e: &Expr) -> bool {
    use koreo_cel_syntax::ExprKind as K;
    match &e.kind {
        K::Error => true,
        K::Literal(_) | K::Ident(_) | K::RootIdent(_) => false,
        K::Paren(x) | K::Unary { operand: x, .. } | K::Select { operand: x, .. } => {
            has_error_node(x)
        }
        K::Binary { lhs, rhs, .. } => has_error_node(lhs) || has_error_node(rhs),
        K::Ternary {
            cond,
            then,
            otherwise,
        } => has_error_node(cond) || has_error_node(then) || has_error_node(otherwise),
        K::Index { operand, index } => has_error_node(operand) || has_error_node(index),
        K::Call { receiver, args, .. } => {
            receiver.as_deref().is_some_and(has_error_node) || args.iter().any(has_error_node)
        }
        K::List(items) => items.iter().any(has_error_node),
        K::Map(entries) => entries
            .iter()
            .any(|m| has_error_node(&m.key) || has_error_node(&m.value)),
        K::Message { fields, .. } => fields.iter().any(|f| has_error_node(&f.value)),
    }
}
