//! Layer 1: CEL lexer, parser with exact spans and error recovery, and printer.
//!
//! The grammar is CEL's, as cel-python 0.3.0 (the engine behind Koreo) accepts it.
//! Parsing never fails and never panics: `parse` always returns a tree plus every error.

pub mod ast;
mod lexer;
mod literal;
mod parser;

pub use lexer::{Token, TokenCategory, TokenKind, lex};
pub use parser::{MAX_HEIGHT, MAX_NESTING, parse};

pub use ast::{
    BinaryOp, Expr, ExprKind, FieldInit, Literal, LiteralError, MapEntry, Name, Parse, ParseError,
    UnaryOp,
};
