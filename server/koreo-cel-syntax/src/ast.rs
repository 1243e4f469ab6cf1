//! The CEL syntax tree. Every node keeps its exact byte span in the parsed source.
//!
//! The tree mirrors the source closely (parentheses are kept, macros are ordinary calls)
//! because Koreo's behaviour depends on the written shape: cel-python's dependency
//! extractor rejects `(a).b` and `f(x).y`, and error messages re-render sub-expressions.

pub use text_size::{TextRange, TextSize};

/// An expression node.
#[derive(Clone, Debug)]
pub struct Expr {
    pub span: TextRange,
    pub kind: ExprKind,
}

/// A name as written, with its span (identifiers, field names, function names, macro
/// variables).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub span: TextRange,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// Stands where error recovery could not build anything; the parse errors say why.
    /// A missing operand is an `Error` with an empty span (see the parser's docs).
    Error,
    Literal(Literal),
    /// `name`
    Ident(Name),
    /// `.name`: resolved in the root scope only.
    RootIdent(Name),
    /// `( e )`: kept because the shape is observable (see module docs).
    Paren(Box<Expr>),
    /// `!e`, `-e`. Repeated operators nest.
    Unary {
        op: UnaryOp,
        op_span: TextRange,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: TextRange,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `cond ? then : otherwise`
    Ternary {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `operand.field`
    Select {
        operand: Box<Expr>,
        field: Name,
    },
    /// `operand[index]`
    Index {
        operand: Box<Expr>,
        index: Box<Expr>,
    },
    /// `func(args)` (receiver `None`) or `receiver.func(args)`. Macros (`has`, `dyn`,
    /// `map`, `filter`, `all`, `exists`, `exists_one`, `reduce`, `min`) are calls too; their
    /// bound variable is the first argument, an `Ident` (cel-python binds the last plain
    /// identifier of that argument: see `macro_scope`). The unsupported `.f(args)` is also a
    /// call with receiver `None`, its span starting at the `.`, and a reported error.
    Call {
        receiver: Option<Box<Expr>>,
        func: Name,
        args: Vec<Expr>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v, ...}`
    Map(Vec<MapEntry>),
    /// `Type{field: value}`: parsed so the tree stays usable, always reported as an error
    /// (Koreo has no message types).
    Message {
        /// What precedes `{`; cel-python evaluates it and calls the result. Not a child in
        /// walks: `type_name` already names its parts.
        operand: Box<Expr>,
        type_name: Vec<Name>,
        fields: Vec<FieldInit>,
    },
}

#[derive(Clone, Debug)]
pub struct MapEntry {
    pub key: Expr,
    pub value: Expr,
    pub span: TextRange,
}

#[derive(Clone, Debug)]
pub struct FieldInit {
    pub field: Name,
    pub value: Expr,
    pub span: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// Int literal; `None` when it does not fit in i64 (evaluates to an `overflow` error).
    Int(Option<i64>),
    /// Uint literal (`1u`); `None` when it does not fit in u64.
    UInt(Option<u64>),
    Double(f64),
    /// Decoded string value (escapes applied unless raw).
    String(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Null,
    /// A literal cel-python's grammar accepts but whose value it cannot build: an escape
    /// such as `\999` (not octal) or `\U00110000` (not a code point), a byte escape above
    /// 255, a non-Latin-1 character in a raw bytes literal, `-0x1u`. Evaluating it fails;
    /// the parser also reports it in `Parse::errors`.
    Invalid(LiteralError),
}

/// Why cel-python cannot build a literal's value (see [`Literal::Invalid`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralError {
    /// Building raises a Python `ValueError` with this message: the literal evaluates to a
    /// CEL error value with that text (the way an out-of-range int gives `overflow`).
    Value(String),
    /// Building raises a Python `TypeError` with this message, which cel-python does not
    /// catch: the whole evaluation fails (Koreo reports an "Unknown failure").
    Crash(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A problem found while parsing, with the exact span to underline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: TextRange,
    pub message: String,
}

/// The result of parsing: always a tree (with `Error` nodes where recovery was needed) and
/// every error found.
#[derive(Clone, Debug)]
pub struct Parse {
    pub expr: Expr,
    /// Every problem, sorted by position.
    pub errors: Vec<ParseError>,
    /// Where cel-python's parser rejects the text, as a byte offset, following lark's
    /// convention: the start of the first token that cannot continue the expression (or of
    /// the character no token matches), the start of the last token when the text ends too
    /// early, 0 when there is no token at all. This is the position Koreo's
    /// `Parsing error at line …, column …` message reports (in characters, 1-based).
    /// When the offending token is `true` or `false`, cel-python itself raises an
    /// `AssertionError` instead of a parse error.
    ///
    /// `None` when cel-python accepts the text. `errors` can still be non-empty then: they
    /// are about constructs Koreo cannot use (message construction, `.f()` calls,
    /// [`Literal::Invalid`]) or about our nesting limit; the tree is evaluable as
    /// cel-python would evaluate it, except where that limit cut it off with an `Error` node.
    pub celpy_error: Option<TextSize>,
}
