//! Errors: CEL error values (`CELEvalError`), host exceptions, and evaluation failures.

use std::fmt;
use std::sync::Arc;

use koreo_cel_syntax::TextRange;

use crate::program::ProgramInner;
use crate::python::{float_repr, py_str_repr};

/// A Python object as it appears inside an error's argument tuple, kept so the tuple can be
/// rendered exactly (`('no such key', <class 'KeyError'>, (StringType('b'),))`).
#[derive(Clone, Debug, PartialEq)]
pub enum PyObj {
    /// A Python `str`.
    Str(String),
    /// A class: the fully qualified name inside `<class '…'>`.
    Class(String),
    /// A tuple.
    Tuple(Vec<PyObj>),
    /// `None`.
    None,
    /// An int.
    Int(i128),
    /// A float.
    Float(f64),
    /// Anything else, already rendered with Python `repr()`.
    Repr(String),
}

impl PyObj {
    /// Python `repr()`.
    pub fn repr(&self) -> String {
        match self {
            PyObj::Str(s) => py_str_repr(s),
            PyObj::Class(c) => format!("<class '{c}'>"),
            PyObj::Tuple(items) => match items.len() {
                1 => format!("({},)", items[0].repr()),
                _ => format!(
                    "({})",
                    items.iter().map(PyObj::repr).collect::<Vec<_>>().join(", ")
                ),
            },
            PyObj::None => "None".into(),
            PyObj::Int(i) => i.to_string(),
            PyObj::Float(f) => float_repr(*f),
            PyObj::Repr(r) => r.clone(),
        }
    }

    /// Python `str()`.
    pub fn str(&self) -> String {
        match self {
            PyObj::Str(s) => s.clone(),
            other => other.repr(),
        }
    }
}

/// Where a CEL error was raised: the sub-expression the engine re-renders as `(at {dump})`.
#[derive(Clone)]
pub struct ErrorSite {
    pub(crate) program: Arc<ProgramInner>,
    pub(crate) span: TextRange,
    pub(crate) tag: crate::dump::NodeTag,
}

impl fmt::Debug for ErrorSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorSite({:?}, {:?})", self.span, self.tag)
    }
}

/// A CEL evaluation error (`celpy.CELEvalError`), usable as a value.
#[derive(Clone, Debug)]
pub struct EvalError {
    args: Vec<PyObj>,
    site: Option<ErrorSite>,
}

/// The broad class of an error, for callers that branch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Raised by the evaluator for an operator, selection, index, literal or macro.
    Expression,
    /// Returned by a function (built-in or Koreo); its dump is empty.
    Function,
}

/// The error formatter crashed (`IndexError: pop from empty list`) while re-rendering the
/// failing sub-expression (§3.8): the engine aborts instead of reporting a PermFail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatterCrash;

impl fmt::Display for FormatterCrash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pop from empty list")
    }
}

impl EvalError {
    /// An error with the given argument tuple and no site.
    pub fn new(args: Vec<PyObj>) -> EvalError {
        EvalError { args, site: None }
    }

    /// `CELEvalError(reason, <class 'Exc'>, exc_args)`: the shape of evaluator errors.
    pub fn with_exc(reason: impl Into<String>, exc: &str, exc_args: PyObj) -> EvalError {
        EvalError::new(vec![
            PyObj::Str(reason.into()),
            PyObj::Class(exc.to_string()),
            exc_args,
        ])
    }

    /// A 1-tuple error, as Koreo functions return (`('Missing `kind`.',)`).
    pub fn message(msg: impl Into<String>) -> EvalError {
        EvalError::new(vec![PyObj::Str(msg.into())])
    }

    pub(crate) fn at(mut self, site: ErrorSite) -> EvalError {
        self.site = Some(site);
        self
    }

    /// The reason text (first argument), e.g. `no such key`, `Missing `kind`.`.
    pub fn reason(&self) -> String {
        self.args.first().map(PyObj::str).unwrap_or_default()
    }

    /// The argument tuple.
    pub fn args(&self) -> &[PyObj] {
        &self.args
    }

    /// The Python repr of the argument tuple: the `{args}` part of PermFail messages.
    pub fn args_repr(&self) -> String {
        PyObj::Tuple(self.args.clone()).repr()
    }

    /// Python `str()` of the exception: what `string(err)` yields.
    pub fn py_str(&self) -> String {
        match self.args.len() {
            0 => String::new(),
            1 => self.args[0].str(),
            _ => self.args_repr(),
        }
    }

    /// Where it was raised, or `ErrorKind::Function` when it has no site.
    pub fn kind(&self) -> ErrorKind {
        if self.site.is_some() {
            ErrorKind::Expression
        } else {
            ErrorKind::Function
        }
    }

    /// Source range of the failing sub-expression, when it has one.
    pub fn span(&self) -> Option<TextRange> {
        self.site.as_ref().map(|s| s.span)
    }

    /// The re-rendered failing sub-expression (§3.8): `inputs.a +  inputs.b`; empty for
    /// errors returned by functions; `Err` when the engine's formatter would crash.
    pub fn dump(&self) -> Result<String, FormatterCrash> {
        match &self.site {
            None => Ok(String::new()),
            Some(site) => crate::dump::dump_site(site),
        }
    }

    /// The engine's PermFail message for this error:
    /// ``Error evaluating `{location}` (at {dump}) {args}``.
    pub fn permfail_message(&self, location: &str) -> Result<String, FormatterCrash> {
        Ok(format!(
            "Error evaluating `{location}` (at {}) {}",
            self.dump()?,
            self.args_repr()
        ))
    }

    /// `repr()` of the error object (as it appears inside `string(map)` etc.).
    pub(crate) fn py_repr(&self) -> Result<String, FormatterCrash> {
        match &self.site {
            None => Ok(format!("CELEvalError(*{})", self.args_repr())),
            Some(_) => Ok(format!(
                "CELEvalError(*{}, tree={})",
                self.args_repr(),
                py_str_repr(&self.dump()?)
            )),
        }
    }

    /// Python `==` between two errors: equal argument tuples.
    pub(crate) fn same_args(&self, other: &EvalError) -> bool {
        self.args == other.args
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.py_str())
    }
}

/// A Python exception raised inside the engine (internal: becomes an error value, an
/// "Unknown failure", or is absorbed, depending on where it is raised).
#[derive(Clone, Debug)]
pub enum PyErr {
    Type(String),
    Value(String),
    Overflow(String),
    ZeroDivision(String),
    /// `KeyError(key)`.
    Key(PyObj),
    Index(String),
    Attribute(String),
    /// A `CELEvalError` raised as an exception (macro bodies, `evaluate()`).
    Raised(Arc<EvalError>),
    /// A `ValueError` subclass with its own argument tuple (`UnicodeDecodeError`,
    /// pendulum's `ParserError`): handled like `ValueError`.
    ValueSub {
        class: &'static str,
        args: PyObj,
        msg: String,
    },
    /// Any other host exception, by class name.
    Other {
        class: &'static str,
        msg: String,
    },
    /// The cost budget ran out.
    Budget(BudgetExceeded),
}

impl PyErr {
    /// Python class name of the exception.
    pub fn class(&self) -> &'static str {
        match self {
            PyErr::Type(_) => "TypeError",
            PyErr::Value(_) => "ValueError",
            PyErr::Overflow(_) => "OverflowError",
            PyErr::ZeroDivision(_) => "ZeroDivisionError",
            PyErr::Key(_) => "KeyError",
            PyErr::Index(_) => "IndexError",
            PyErr::Attribute(_) => "AttributeError",
            PyErr::Raised(_) => "CELEvalError",
            PyErr::ValueSub { class, .. } | PyErr::Other { class, .. } => class,
            PyErr::Budget(_) => "BudgetExceeded",
        }
    }

    /// `exc.args`.
    pub fn args(&self) -> PyObj {
        match self {
            PyErr::Type(m)
            | PyErr::Value(m)
            | PyErr::Overflow(m)
            | PyErr::ZeroDivision(m)
            | PyErr::Index(m)
            | PyErr::Attribute(m)
            | PyErr::Other { msg: m, .. } => PyObj::Tuple(vec![PyObj::Str(m.clone())]),
            PyErr::Key(k) => PyObj::Tuple(vec![k.clone()]),
            PyErr::ValueSub { args, .. } => args.clone(),
            PyErr::Raised(e) => PyObj::Tuple(e.args().to_vec()),
            PyErr::Budget(b) => PyObj::Tuple(vec![PyObj::Str(b.to_string())]),
        }
    }

    /// `str(exc)`.
    pub fn message(&self) -> String {
        match self {
            PyErr::Type(m)
            | PyErr::Value(m)
            | PyErr::Overflow(m)
            | PyErr::ZeroDivision(m)
            | PyErr::Index(m)
            | PyErr::Attribute(m)
            | PyErr::Other { msg: m, .. }
            | PyErr::ValueSub { msg: m, .. } => m.clone(),
            PyErr::Key(k) => k.repr(),
            PyErr::Raised(e) => e.py_str(),
            PyErr::Budget(b) => b.to_string(),
        }
    }

    /// `isinstance(exc, TypeError)`: what cel-python's `except TypeError` clauses catch,
    /// including type errors we model as escaping host exceptions.
    pub(crate) fn is_type_error(&self) -> bool {
        matches!(
            self,
            PyErr::Type(_)
                | PyErr::Other {
                    class: "TypeError",
                    ..
                }
        )
    }

    /// `isinstance(exc, ValueError)` (`UnicodeDecodeError`, pendulum's `ParserError`, … are
    /// subclasses).
    pub(crate) fn is_value_error(&self) -> bool {
        matches!(
            self,
            PyErr::Value(_)
                | PyErr::ValueSub { .. }
                | PyErr::Other {
                    class: "ValueError" | "UnicodeDecodeError",
                    ..
                }
        )
    }

    /// The first argument, as `ex.args[0]` (used for map-literal errors).
    pub(crate) fn first_arg(&self) -> PyObj {
        match self.args() {
            PyObj::Tuple(mut v) if !v.is_empty() => v.swap_remove(0),
            other => other,
        }
    }
}

/// The cost budget ran out (steps, output size or nesting depth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetExceeded {
    /// What ran out.
    pub what: &'static str,
    /// The limit that was hit.
    pub limit: u64,
}

impl fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CEL evaluation budget exceeded: {} limit of {} reached",
            self.what, self.limit
        )
    }
}

/// Why an evaluation produced no value.
#[derive(Clone, Debug)]
pub enum Failure {
    /// A CEL error (the engine's `CELEvalError`): becomes
    /// ``PermFail("Error evaluating `{location}` (at {dump}) {args}")``.
    Error(Arc<EvalError>),
    /// A host exception escaped the evaluator: the engine reports
    /// ``Unknown failure evaluating `{location}`.`` (predicate lists:
    /// ``Error evaluating `{location}`: {message}``).
    Unknown {
        /// Python exception class, e.g. `ValueError`.
        class: String,
        /// `str(exception)`, e.g. `too many values to unpack (expected 2)`.
        message: String,
    },
    /// The cost budget ran out (ours; the engine would hang or exhaust memory).
    Budget(BudgetExceeded),
}

impl Failure {
    /// A short human description: the reason, the exception text, or the budget message.
    pub fn reason(&self) -> String {
        match self {
            Failure::Error(e) => e.reason(),
            Failure::Unknown { message, .. } => message.clone(),
            Failure::Budget(b) => b.to_string(),
        }
    }

    pub(crate) fn from_pyerr(e: PyErr) -> Failure {
        match e {
            PyErr::Raised(e) => Failure::Error(e),
            PyErr::Budget(b) => Failure::Budget(b),
            other => Failure::Unknown {
                class: other.class().to_string(),
                message: other.message(),
            },
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}
