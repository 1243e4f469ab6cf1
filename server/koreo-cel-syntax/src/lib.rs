//! Layer 1: CEL lexer, parser with exact spans and error recovery, and printer.
//!
//! The grammar is CEL's, as cel-python 0.3.0 (the engine behind Koreo) accepts it.
//! Parsing never fails and never panics: `parse` always returns a tree plus every error.
//!
//! * [`lex`]: tokens with exact spans, for highlighting; [`escapes`]: the backslash
//!   sequences inside a string token.
//! * [`parse`]: the tree, every error, and where cel-python itself would reject the text;
//!   [`lark_position`]: how the engine reports that place.
//! * [`print`]: the tree back to CEL; [`Expr::same_shape`] compares trees without spans;
//!   [`debug_tree`] dumps a tree with its spans.
//! * [`walk`], [`Expr::preorder`], [`node_at`], [`macro_scope`], [`bindings_at`]: what the
//!   IDE layer needs to navigate a (possibly broken) tree.

pub mod ast;
mod lexer;
mod literal;
mod parser;
mod position;
mod printer;
mod walk;

pub use ast::{
    BinaryOp, Expr, ExprKind, FieldInit, Literal, LiteralError, MapEntry, Name, Parse, ParseError,
    TextRange, TextSize, UnaryOp,
};
pub use lexer::{Token, TokenCategory, TokenKind, lex};
pub use literal::{Escape, EscapeKind, escapes};
pub use parser::{MAX_HEIGHT, MAX_NESTING, parse};
pub use position::lark_position;
pub use printer::{binary_op_text, debug_tree, print, unary_op_text, write_literal};
pub use walk::{
    Children, MacroKind, MacroScope, NodeAt, Preorder, Visitor, bindings_at, macro_scope, node_at,
    walk,
};
