//! The tree-walking evaluator, reproducing cel-python's `Evaluator`.

use std::sync::Arc;

use indexmap::IndexMap;
use koreo_cel_syntax::{BinaryOp, Expr, ExprKind, Literal, LiteralError, UnaryOp};

use crate::budget::Budget;
use crate::dump::NodeTag;
use crate::error::{BudgetExceeded, ErrorSite, EvalError, Failure, PyErr, PyObj};
use crate::functions;
use crate::ops::{self, Arith, Cmp};
use crate::program::{Program, ProgramInner};
use crate::python::{py_str_repr, try_py_repr};
use crate::value::{Map, PyType, Value};

/// Which CEL dialect `matches()` follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Koreo (cel-python): `matches` is Python `re.search`.
    #[default]
    Koreo,
    /// Kubernetes CRD validation rules: `matches` is RE2 (POSIX classes such as `[[:word:]]`).
    Kubernetes,
}

/// Options for one evaluation.
#[derive(Clone, Copy, Debug, Default)]
pub struct EvalOptions {
    /// Cost limits.
    pub budget: Budget,
    /// Dialect switches.
    pub dialect: Dialect,
}

/// Variable bindings (`inputs`, `resource`, `steps`, …), in binding order.
#[derive(Clone, Debug, Default)]
pub struct Activation {
    vars: IndexMap<String, Value>,
}

impl Activation {
    /// No bindings.
    pub fn new() -> Activation {
        Activation::default()
    }

    /// Binds (or rebinds) a variable.
    pub fn bind(&mut self, name: impl Into<String>, value: Value) -> &mut Activation {
        self.vars.insert(name.into(), value);
        self
    }

    /// Builder form of [`Activation::bind`].
    pub fn with(mut self, name: impl Into<String>, value: Value) -> Activation {
        self.bind(name, value);
        self
    }

    /// The value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    /// Bound names in binding order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut cs = part.chars();
            matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
                && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
        })
}

/// Evaluates a program. The result is a value (which may still contain error values nested
/// in maps, see [`crate::find_nested_error`]) or the failure the engine would raise.
pub fn evaluate(
    program: &Program,
    activation: &Activation,
    options: &EvalOptions,
) -> Result<Value, Failure> {
    for name in activation.names() {
        if !valid_name(name) {
            return Err(Failure::Unknown {
                class: "ValueError".into(),
                message: format!("Invalid name {name}"),
            });
        }
    }
    crate::budget::set_size_limit(options.budget.max_size);
    let mut ev = Evaluator {
        prog: &program.inner,
        act: activation,
        locals: Vec::new(),
        steps: 0,
        depth: 0,
        opts: options,
    };
    match ev.eval(&program.inner.expr) {
        Ok(Value::Error(e)) => Err(Failure::Error(e)),
        Ok(v) => Ok(v),
        Err(e) => Err(Failure::from_pyerr(e)),
    }
}

type R = Result<Value, PyErr>;

const KOREO_ANNOTATIONS: [&str; 19] = [
    "to_ref",
    "self_ref",
    "group_ref",
    "kindless_ref",
    "config_connect_ready",
    "overlay",
    "lower",
    "flatten",
    "split",
    "split_first",
    "split_last",
    "split_index",
    "strip",
    "rstrip",
    "to_json",
    "from_json",
    "b64encode",
    "b64decode",
    "replace",
];

/// The engine environment's annotation container, as Python prints it.
fn annotations_repr() -> String {
    let func =
        "Referent(annotation=<class 'celpy.celtypes.FunctionType'>, container=None, _value=None)";
    let mut parts: Vec<String> = KOREO_ANNOTATIONS
        .iter()
        .map(|n| format!("'{n}': {func}"))
        .collect();
    let pb = [
        ("Int32Value", "IntType"),
        ("UInt32Value", "UintType"),
        ("Int64Value", "IntType"),
        ("UInt64Value", "UintType"),
        ("FloatValue", "DoubleType"),
        ("DoubleValue", "DoubleType"),
        ("BoolValue", "BoolType"),
        ("BytesValue", "BytesType"),
        ("StringValue", "StringType"),
        ("ListValue", "ListType"),
        ("Struct", "MessageType"),
    ]
    .iter()
    .map(|(n, c)| {
        format!(
            "'{n}': Referent(annotation=<class 'celpy.celtypes.{c}'>, container=None, _value=None)"
        )
    })
    .collect::<Vec<_>>()
    .join(", ");
    parts.push(format!(
        "'google': Referent(annotation=None, container=NameContainer({{'protobuf': Referent(annotation=None, container=NameContainer({{{pb}}}, parent=None), _value=None)}}, parent=None), _value=None)"
    ));
    format!("NameContainer({{{}}}, parent=None)", parts.join(", "))
}

struct Evaluator<'a> {
    prog: &'a Arc<ProgramInner>,
    act: &'a Activation,
    /// Macro variables, innermost last.
    locals: Vec<(String, Value)>,
    steps: u64,
    depth: u32,
    opts: &'a EvalOptions,
}

fn type_of(v: &Value) -> String {
    v.py_type().class_repr()
}

fn exc_args(e: &PyErr) -> PyObj {
    e.args()
}

impl<'a> Evaluator<'a> {
    fn site(&self, e: &Expr) -> Option<ErrorSite> {
        NodeTag::of(e).map(|tag| ErrorSite {
            program: self.prog.clone(),
            span: e.span,
            tag,
        })
    }

    fn error_at(&self, e: &Expr, err: EvalError) -> Value {
        let err = match self.site(e) {
            Some(s) => err.at(s),
            None => err,
        };
        Value::Error(Arc::new(err))
    }

    fn budget(&mut self) -> Result<(), PyErr> {
        self.steps += 1;
        if self.steps > self.opts.budget.max_steps {
            return Err(PyErr::Budget(BudgetExceeded {
                what: "steps",
                limit: self.opts.budget.max_steps,
            }));
        }
        Ok(())
    }

    /// The repr of the current activation, for `undeclared reference` messages.
    fn activation_repr(&self) -> Result<String, PyErr> {
        let ann = annotations_repr();
        let mut vars: IndexMap<&str, &Value> = IndexMap::new();
        for (k, v) in &self.act.vars {
            vars.insert(k, v);
        }
        for (k, v) in &self.locals {
            vars.insert(k, v);
        }
        let mut parts = Vec::with_capacity(vars.len());
        for (k, v) in vars {
            parts.push(format!(
                "{}: Referent(annotation=None, container=None, _value={})",
                py_str_repr(k),
                try_py_repr(v).map_err(ops::crash)?
            ));
        }
        Ok(format!(
            "Activation(annotations={ann}, package=None, vars=NameContainer({{{}}}, parent={ann}), parent={ann})",
            parts.join(", ")
        ))
    }

    fn undeclared(&self, name: &str) -> Result<EvalError, PyErr> {
        Ok(EvalError::with_exc(
            format!(
                "undeclared reference to '{name}' (in activation '{}')",
                self.activation_repr()?
            ),
            "KeyError",
            PyObj::Tuple(vec![PyObj::Str(name.to_string())]),
        ))
    }

    fn lookup(&self, name: &str) -> Option<Value> {
        if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        if let Some(v) = self.act.vars.get(name) {
            return Some(v.clone());
        }
        if KOREO_ANNOTATIONS.contains(&name) {
            return Some(Value::Type(PyType::FunctionType));
        }
        functions::global_name_value(name)
    }

    fn eval(&mut self, e: &Expr) -> R {
        self.budget()?;
        self.depth += 1;
        if self.depth > self.opts.budget.max_depth {
            self.depth -= 1;
            return Err(PyErr::Budget(BudgetExceeded {
                what: "nesting depth",
                limit: self.opts.budget.max_depth as u64,
            }));
        }
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_inner(e));
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr) -> R {
        match &e.kind {
            ExprKind::Error => Err(PyErr::Other {
                class: "CELSyntaxError",
                msg: "the expression has syntax errors".into(),
            }),
            ExprKind::Literal(lit) => self.literal(e, lit),
            ExprKind::Ident(n) => match self.lookup(&n.text) {
                Some(v) => Ok(v),
                None => {
                    let err = self.undeclared(&n.text)?;
                    Ok(self.error_at(e, err))
                }
            },
            ExprKind::RootIdent(n) => Ok(self.root_ident(e, &n.text)),
            ExprKind::Paren(inner) => self.eval(inner),
            ExprKind::Unary { op, operand, .. } => {
                let v = self.eval(operand)?;
                self.unary(e, *op, v)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let l = self.eval(lhs)?;
                let r = self.eval(rhs)?;
                self.binary(e, *op, l, r)
            }
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval(cond)?;
                let truthy = c.truthy();
                // cel-python evaluates the chosen branch inside its `except TypeError`: a
                // host TypeError raised anywhere in it becomes this node's overload error,
                // with both branches still at their `BoolType(False)` placeholders.
                let chosen = match self.eval(if truthy { then } else { otherwise }) {
                    Ok(v) => v,
                    Err(err) if err.is_type_error() => {
                        let b = type_of(&Value::Bool(false));
                        return Ok(self.error_at(
                            e,
                            EvalError::with_exc(
                                format!(
                                    "found no matching overload for _?_:_ applied to '({}, {b}, {b})'",
                                    type_of(&c)
                                ),
                                err.class(),
                                err.args(),
                            ),
                        ));
                    }
                    Err(err) => return Err(err),
                };
                let (left, right) = if truthy {
                    (chosen, Value::Bool(false))
                } else {
                    (Value::Bool(false), chosen)
                };
                match c {
                    Value::Bool(b) => Ok(if b { left } else { right }),
                    _ => Ok(self.error_at(
                        e,
                        EvalError::with_exc(
                            format!(
                                "found no matching overload for _?_:_ applied to '({}, {}, {})'",
                                type_of(&c),
                                type_of(&left),
                                type_of(&right)
                            ),
                            "TypeError",
                            PyObj::Tuple(vec![PyObj::Str(format!(
                                "Unexpected {} ? {} : {}",
                                type_of(&c),
                                type_of(&left),
                                type_of(&right)
                            ))]),
                        ),
                    )),
                }
            }
            ExprKind::Select { operand, field } => {
                let m = self.eval(operand)?;
                self.select(e, m, &field.text)
            }
            ExprKind::Index { operand, index } => {
                let m = self.eval(operand)?;
                let i = self.eval(index)?;
                self.index(e, m, i)
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item)?);
                }
                if let Some(err) = out.iter().find(|v| v.is_error()) {
                    return Ok(err.clone());
                }
                Ok(Value::list(out))
            }
            ExprKind::Map(entries) => {
                // cel-python builds a non-empty map literal inside `except (ValueError,
                // TypeError)`: such an exception raised while evaluating any key or value
                // becomes the literal's error value.
                let mut kvs = Vec::with_capacity(entries.len());
                for m in entries {
                    let kv = self
                        .eval(&m.key)
                        .and_then(|k| Ok((k, self.eval(&m.value)?)));
                    match kv {
                        Ok(kv) => kvs.push(kv),
                        Err(err) if err.is_type_error() || err.is_value_error() => {
                            return Ok(self.map_literal_error(e, err));
                        }
                        Err(err) => return Err(err),
                    }
                }
                let mut map = Map::with_capacity(kvs.len());
                for (k, v) in kvs {
                    let dup = match ops::dict_contains(&map, &k) {
                        Ok(d) => d,
                        Err(err) if err.is_type_error() || err.is_value_error() => {
                            return Ok(self.map_literal_error(e, err));
                        }
                        Err(other) => return Err(other),
                    };
                    if dup {
                        let msg = format!("Duplicate key {}", try_py_repr(&k).map_err(ops::crash)?);
                        return Ok(self.map_literal_error(e, PyErr::Value(msg)));
                    }
                    if let Err(err) = ops::dict_set(&mut map, k, v) {
                        return if err.is_type_error() || err.is_value_error() {
                            Ok(self.map_literal_error(e, err))
                        } else {
                            Err(err)
                        };
                    }
                }
                Ok(Value::map(map))
            }
            ExprKind::Message {
                operand, fields, ..
            } => self.message(e, operand, fields),
            ExprKind::Call {
                receiver: None,
                func,
                args,
            } if self.prog.source.as_bytes().get(usize::from(e.span.start())) == Some(&b'.') => {
                // `.f(args)`: cel-python evaluates the arguments, then resolves `f` as the
                // root name `.f` (the call itself is never made).
                for a in args {
                    self.eval(a)?;
                }
                Ok(self.root_ident(e, &func.text))
            }
            ExprKind::Call {
                receiver,
                func,
                args,
            } => match receiver {
                None => self.global_call(e, &func.text, args),
                Some(r) => self.method_call(e, r, &func.text, args),
            },
        }
    }

    /// `.name`: the variable or function, else a `KeyError` error value.
    fn root_ident(&self, e: &Expr, name: &str) -> Value {
        match self.lookup(name) {
            Some(v) => v,
            None => self.error_at(
                e,
                EvalError::with_exc(
                    name.to_string(),
                    "KeyError",
                    PyObj::Tuple(vec![PyObj::Str(name.to_string())]),
                ),
            ),
        }
    }

    /// `T{f: v, …}`: cel-python evaluates `T`, then the fields into a `MessageType` (a
    /// repeated label raises), and calls `T` with it (with `None` when there are no
    /// fields); a TypeError/ValueError of the call becomes the CEL error. Callees whose
    /// construction we do not model stay a host failure.
    fn message(
        &mut self,
        e: &Expr,
        operand: &Expr,
        fields: &[koreo_cel_syntax::ast::FieldInit],
    ) -> R {
        let callee = self.eval(operand)?;
        let mut inits: Vec<(&str, Value)> = Vec::with_capacity(fields.len());
        for f in fields {
            let v = self.eval(&f.value)?;
            let label = f.field.text.as_str();
            if inits.iter().any(|(l, _)| *l == label) {
                // The label is a plain `str` (lark's token text).
                return Err(PyErr::Value(format!(
                    "Duplicate field label {}",
                    py_str_repr(label)
                )));
            }
            inits.push((label, v));
        }
        if matches!(callee, Value::Error(_)) {
            return Ok(callee);
        }
        let not_none = |what: &str| PyErr::Type(format!("{what}, not 'NoneType'"));
        let int_arg = "int() argument must be a string, a bytes-like object or a real number";
        let empty = inits.is_empty();
        let made = match &callee {
            Value::Type(t) => match (t, empty) {
                (PyType::Int, true) => Ok(Value::Int(0)),
                (PyType::UInt, true) => Ok(Value::UInt(0)),
                (PyType::Double, true) => Ok(Value::Double(0.0)),
                (PyType::Bool, true) => Ok(Value::Bool(false)),
                (PyType::String, true) => Ok(Value::String("None".into())),
                (PyType::Bytes, true) => Ok(Value::Bytes(Arc::from(&[][..]))),
                (PyType::Int | PyType::Bool, false) => Err(not_none(int_arg)),
                // `UintType(MessageType)` looks up the wrapper's `value` field.
                (PyType::UInt, false) => Err(PyErr::Key(PyObj::Str("value".into()))),
                (PyType::Double, false) => Err(not_none(
                    "float() argument must be a string or a real number",
                )),
                (PyType::Bytes, false) => Err(PyErr::Type(
                    "cannot convert 'NoneType' object to bytes".into(),
                )),
                (PyType::List, true) => {
                    Err(PyErr::Type("'NoneType' object is not iterable".into()))
                }
                (PyType::List, false) => Ok(Value::list(
                    inits
                        .iter()
                        .map(|(l, _)| Value::String((*l).into()))
                        .collect(),
                )),
                (PyType::Map, _) => {
                    let mut map = Map::with_capacity(inits.len());
                    for (l, v) in inits {
                        ops::dict_set(&mut map, Value::String(l.into()), v)?;
                    }
                    Ok(Value::map(map))
                }
                (PyType::NoneType, _) => Err(PyErr::Type("NoneType takes no arguments".into())),
                (PyType::FunctionType, _) => {
                    Err(PyErr::Type("FunctionType() takes no arguments".into()))
                }
                _ => return Err(unsupported_message()),
            },
            Value::Function(_) | Value::Native(_) => return Err(unsupported_message()),
            other => Err(PyErr::Type(format!(
                "'{}' object is not callable",
                other.py_type().name()
            ))),
        };
        match made {
            Ok(v) => Ok(v),
            Err(err) if err.is_type_error() || err.is_value_error() => {
                Ok(self.map_literal_error(e, err))
            }
            Err(other) => Err(other),
        }
    }

    fn map_literal_error(&self, e: &Expr, err: PyErr) -> Value {
        let first = err.first_arg();
        self.error_at(
            e,
            EvalError::new(vec![
                first,
                PyObj::Class(err.class().to_string()),
                err.args(),
            ]),
        )
    }

    fn literal(&mut self, e: &Expr, lit: &Literal) -> R {
        let overflow = || {
            EvalError::with_exc(
                "overflow",
                "ValueError",
                PyObj::Tuple(vec![PyObj::Str("overflow".into())]),
            )
        };
        Ok(match lit {
            Literal::Int(Some(i)) => Value::Int(*i),
            Literal::UInt(Some(u)) => Value::UInt(*u),
            Literal::Int(None) | Literal::UInt(None) => self.error_at(e, overflow()),
            Literal::Double(f) => Value::Double(*f),
            Literal::String(s) => Value::String(s.as_str().into()),
            Literal::Bytes(b) => Value::Bytes(b.as_slice().into()),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Null => Value::Null,
            Literal::Invalid(LiteralError::Value(msg)) => self.error_at(
                e,
                EvalError::with_exc(
                    msg.clone(),
                    "ValueError",
                    PyObj::Tuple(vec![PyObj::Str(msg.clone())]),
                ),
            ),
            Literal::Invalid(LiteralError::Crash(msg)) => return Err(PyErr::Type(msg.clone())),
        })
    }

    fn unary(&mut self, e: &Expr, op: UnaryOp, v: Value) -> R {
        let (name, result) = match op {
            UnaryOp::Not => (
                "unary_not",
                match &v {
                    Value::Bool(b) => Ok(Value::Bool(!b)),
                    other => Err(PyErr::Type(format!("not {}", type_of(other)))),
                },
            ),
            UnaryOp::Neg => ("unary_neg", ops::neg(&v)),
        };
        match result {
            Ok(v) => Ok(v),
            Err(err @ PyErr::Type(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc(
                    format!(
                        "found no matching overload for '{name}' applied to '({})'",
                        type_of(&v)
                    ),
                    "TypeError",
                    exc_args(&err),
                ),
            )),
            Err(err @ PyErr::Value(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc("return error for overflow", err.class(), exc_args(&err)),
            )),
            Err(other) => Err(other),
        }
    }

    fn logical(&self, e: &Expr, and: bool, l: Value, r: Value) -> R {
        let lb = matches!(l, Value::Bool(_));
        let rb = matches!(r, Value::Bool(_));
        Ok(match (&l, &r) {
            (Value::Bool(x), Value::Bool(y)) => Value::Bool(if and { *x && *y } else { *x || *y }),
            (_, Value::Bool(y)) if !lb => {
                if *y == and {
                    l
                } else {
                    r
                }
            }
            (Value::Bool(x), _) if !rb => {
                if *x == and {
                    r
                } else {
                    l
                }
            }
            _ => {
                let sym = if and { "_&&_" } else { "_||_" };
                let word = if and { "and" } else { "or" };
                let detail = format!(
                    "{} {} {word} {} {}",
                    type_of(&l),
                    try_py_repr(&l).map_err(ops::crash)?,
                    type_of(&r),
                    try_py_repr(&r).map_err(ops::crash)?
                );
                self.error_at(
                    e,
                    EvalError::with_exc(
                        format!(
                            "found no matching overload for {sym} applied to '({}, {})'",
                            type_of(&l),
                            type_of(&r)
                        ),
                        "TypeError",
                        PyObj::Tuple(vec![PyObj::Str(detail)]),
                    ),
                )
            }
        })
    }

    fn binary(&mut self, e: &Expr, op: BinaryOp, l: Value, r: Value) -> R {
        let (name, result, is_mul) = match op {
            BinaryOp::And => return self.logical(e, true, l, r),
            BinaryOp::Or => return self.logical(e, false, l, r),
            BinaryOp::Eq => (
                "relation_eq",
                ops::richcmp(Cmp::Eq, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::Ne => (
                "relation_ne",
                ops::richcmp(Cmp::Ne, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::Lt => (
                "relation_lt",
                ops::richcmp(Cmp::Lt, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::Le => (
                "relation_le",
                ops::richcmp(Cmp::Le, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::Gt => (
                "relation_gt",
                ops::richcmp(Cmp::Gt, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::Ge => (
                "relation_ge",
                ops::richcmp(Cmp::Ge, &l, &r).map(Value::Bool),
                false,
            ),
            BinaryOp::In => ("relation_in", ops::operator_in(&l, &r), false),
            BinaryOp::Add => ("addition_add", ops::arith(Arith::Add, &l, &r), false),
            BinaryOp::Sub => ("addition_sub", ops::arith(Arith::Sub, &l, &r), false),
            BinaryOp::Mul => ("multiplication_mul", ops::arith(Arith::Mul, &l, &r), true),
            BinaryOp::Div => ("multiplication_div", ops::arith(Arith::Div, &l, &r), true),
            BinaryOp::Rem => ("multiplication_mod", ops::arith(Arith::Mod, &l, &r), true),
        };
        let arithmetic = !name.starts_with("relation");
        match result {
            Ok(v) => Ok(v),
            Err(err @ PyErr::Type(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc(
                    format!(
                        "found no matching overload for '{name}' applied to '({}, {})'",
                        type_of(&l),
                        type_of(&r)
                    ),
                    "TypeError",
                    exc_args(&err),
                ),
            )),
            Err(err @ PyErr::ZeroDivision(_)) if is_mul => Ok(self.error_at(
                e,
                EvalError::with_exc(
                    "modulus or divide by zero",
                    "ZeroDivisionError",
                    exc_args(&err),
                ),
            )),
            Err(err @ (PyErr::Value(_) | PyErr::Overflow(_))) if arithmetic => Ok(self.error_at(
                e,
                EvalError::with_exc("return error for overflow", err.class(), exc_args(&err)),
            )),
            Err(other) => Err(other),
        }
    }

    fn select(&mut self, e: &Expr, m: Value, field: &str) -> R {
        match &m {
            Value::Error(_) => Ok(m),
            Value::Map(map) => match map.get_str(field) {
                Some(v) => Ok(v.clone()),
                None => Ok(self.error_at(
                    e,
                    EvalError::with_exc(
                        format!("no such member in mapping: {}", py_str_repr(field)),
                        "KeyError",
                        PyObj::None,
                    ),
                )),
            },
            other => {
                let msg = format!(
                    "{} with type: '{}' does not support field selection",
                    try_py_repr(other).map_err(ops::crash)?,
                    type_of(other)
                );
                Ok(self.error_at(e, EvalError::with_exc(msg, "TypeError", PyObj::None)))
            }
        }
    }

    fn index(&mut self, e: &Expr, m: Value, i: Value) -> R {
        match ops::getitem(&m, &i) {
            Ok(v) => Ok(v),
            Err(err @ PyErr::Type(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc(
                    format!(
                        "found no matching overload for _[_] applied to '({}, {})'",
                        type_of(&m),
                        type_of(&i)
                    ),
                    "TypeError",
                    exc_args(&err),
                ),
            )),
            Err(err @ PyErr::Key(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc("no such key", "KeyError", exc_args(&err)),
            )),
            Err(err @ PyErr::Index(_)) => Ok(self.error_at(
                e,
                EvalError::with_exc("invalid_argument", "IndexError", exc_args(&err)),
            )),
            Err(other) => Err(other),
        }
    }

    fn call_result(&self, res: Result<Value, PyErr>) -> R {
        match res {
            Ok(v) => Ok(v),
            Err(err @ (PyErr::Value(_) | PyErr::ValueSub { .. })) => Ok(Value::Error(Arc::new(
                EvalError::with_exc("return error for overflow", err.class(), exc_args(&err)),
            ))),
            Err(err @ (PyErr::Type(_) | PyErr::Attribute(_))) => Ok(Value::Error(Arc::new(
                EvalError::with_exc("no such overload", err.class(), exc_args(&err)),
            ))),
            Err(other) => Err(other),
        }
    }

    fn global_call(&mut self, _e: &Expr, name: &str, args: &[Expr]) -> R {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a)?);
        }
        match name {
            "has" => {
                return match values.first() {
                    Some(v) => Ok(Value::Bool(!v.is_error())),
                    None => Err(PyErr::Index("list index out of range".into())),
                };
            }
            "dyn" => {
                return values
                    .into_iter()
                    .next()
                    .ok_or_else(|| PyErr::Index("list index out of range".into()));
            }
            _ => {}
        }
        if !functions::exists(name) {
            return Ok(Value::Error(Arc::new(self.undeclared(name)?)));
        }
        let res = functions::call(name, &values, self.opts.dialect);
        self.call_result(res)
    }

    fn method_call(&mut self, e: &Expr, receiver: &Expr, name: &str, args: &[Expr]) -> R {
        if matches!(
            name,
            "map" | "filter" | "all" | "exists" | "exists_one" | "reduce" | "min"
        ) {
            let target = self.eval(receiver)?;
            if target.is_error() {
                return Ok(target);
            }
            return self.macro_call(e, target, name, args);
        }
        let target = self.eval(receiver)?;
        let mut values = Vec::with_capacity(args.len() + 1);
        values.push(target);
        for a in args {
            values.push(self.eval(a)?);
        }
        if !functions::exists(name) {
            return Ok(Value::Error(Arc::new(self.undeclared(name)?)));
        }
        if values[0].is_error() {
            return Ok(values.swap_remove(0));
        }
        if let Some(err) = values[1..].iter().find(|v| v.is_error()) {
            return Ok(err.clone());
        }
        let res = functions::call(name, &values, self.opts.dialect);
        self.call_result(res)
    }

    /// The macro variable: cel-python takes the last identifier found in the argument.
    fn macro_var(&self, var: &Expr) -> Result<String, PyErr> {
        fn last_ident(e: &Expr) -> Option<String> {
            let mut found = None;
            visit_idents(e, &mut |n| found = Some(n.to_string()));
            found
        }
        last_ident(var).ok_or_else(|| PyErr::Other {
            class: "CELSyntaxError",
            msg: "bad macro node".into(),
        })
    }

    fn with_local<T>(&mut self, name: &str, v: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.locals.push((name.to_string(), v));
        let r = f(self);
        self.locals.pop();
        r
    }

    /// Evaluates a macro body; an error value is raised (aborting everything).
    fn body(&mut self, var: &str, item: Value, body: &Expr) -> R {
        self.budget()?;
        let v = self.with_local(var, item, |me| me.eval(body))?;
        match v {
            Value::Error(e) => Err(PyErr::Raised(e)),
            v => Ok(v),
        }
    }

    fn unpack(args: &[Expr], n: usize) -> Result<&[Expr], PyErr> {
        if args.len() == n {
            Ok(args)
        } else if args.len() > n {
            Err(PyErr::Value(format!(
                "too many values to unpack (expected {n})"
            )))
        } else {
            Err(PyErr::Value(format!(
                "not enough values to unpack (expected {n}, got {})",
                args.len()
            )))
        }
    }

    fn macro_call(&mut self, e: &Expr, target: Value, name: &str, args: &[Expr]) -> R {
        // Errors from the macro machinery itself escape as host exceptions (Unknown failure).
        let escape = |err: PyErr| match err {
            PyErr::Value(m) => PyErr::Other {
                class: "ValueError",
                msg: m,
            },
            other => other,
        };
        match name {
            "map" | "filter" | "exists_one" => {
                let a = Self::unpack(args, 2).map_err(escape)?;
                let var = self.macro_var(&a[0])?;
                let items = ops::py_iter(&target).map_err(escape_type)?;
                let mut out = Vec::new();
                let mut count = 0usize;
                for item in items {
                    let v = self.body(&var, item.clone(), &a[1])?;
                    match name {
                        "map" => out.push(v),
                        "filter" => {
                            if v.truthy() {
                                out.push(item);
                            }
                        }
                        _ => {
                            if v.truthy() {
                                count += 1;
                            }
                        }
                    }
                }
                Ok(match name {
                    "exists_one" => Value::Bool(count == 1),
                    _ => Value::list(out),
                })
            }
            "all" | "exists" => {
                let a = Self::unpack(args, 2).map_err(escape)?;
                let var = self.macro_var(&a[0])?;
                let items = ops::py_iter(&target).map_err(escape_type)?;
                let and = name == "all";
                let mut acc = Value::Bool(and);
                for item in items {
                    let v = match self.body(&var, item, &a[1]) {
                        Ok(v) => v,
                        Err(PyErr::Raised(err)) => Value::Error(err),
                        Err(other) => return Err(other),
                    };
                    acc = fold_logical(and, acc, v)?;
                }
                Ok(acc)
            }
            "reduce" => {
                let a = Self::unpack(args, 4).map_err(escape)?;
                let acc_var = self.macro_var(&a[0])?;
                let item_var = self.macro_var(&a[1])?;
                let init = self.eval(&a[2])?;
                // functools.reduce's own wording for a non-iterable.
                let items = ops::py_iter(&target).map_err(|_| PyErr::Other {
                    class: "TypeError",
                    msg: "reduce() arg 2 must support iteration".into(),
                })?;
                let mut acc = init;
                for item in items {
                    self.budget()?;
                    self.locals.push((acc_var.clone(), acc));
                    self.locals.push((item_var.clone(), item));
                    let v = self.eval(&a[3]);
                    self.locals.pop();
                    self.locals.pop();
                    acc = match v? {
                        Value::Error(err) => return Err(PyErr::Raised(err)),
                        v => v,
                    };
                }
                Ok(acc)
            }
            _ => {
                // min(): Python's min() over the iteration.
                let items = ops::py_iter(&target).map_err(escape_type)?;
                let mut it = items.into_iter();
                let Some(mut best) = it.next() else {
                    return Ok(self.error_at(
                        e,
                        EvalError::with_exc(
                            "Attempt to reduce an empty sequence or a sequence with a None value",
                            "ValueError",
                            PyObj::Tuple(vec![PyObj::Str(
                                "min() iterable argument is empty".into(),
                            )]),
                        ),
                    ));
                };
                for item in it {
                    self.budget()?;
                    if ops::richcmp(Cmp::Lt, &item, &best).map_err(escape_type)? {
                        best = item;
                    }
                }
                Ok(best)
            }
        }
    }
}

/// A `TypeError` escaping the macro machinery is a host exception, not a CEL error.
fn escape_type(err: PyErr) -> PyErr {
    match err {
        PyErr::Type(m) => PyErr::Other {
            class: "TypeError",
            msg: m,
        },
        other => other,
    }
}

/// One step of `all`/`exists`: celpy's `logical_and`/`logical_or` with a `TypeError` turned
/// into a `no such overload` error value.
fn fold_logical(and: bool, acc: Value, v: Value) -> R {
    let ab = matches!(acc, Value::Bool(_));
    let vb = matches!(v, Value::Bool(_));
    Ok(match (&acc, &v) {
        (Value::Bool(x), Value::Bool(y)) => Value::Bool(if and { *x && *y } else { *x || *y }),
        (_, Value::Bool(y)) if !ab => {
            if *y == and {
                acc
            } else {
                v
            }
        }
        (Value::Bool(x), _) if !vb => {
            if *x == and {
                v
            } else {
                acc
            }
        }
        _ => {
            let word = if and { "and" } else { "or" };
            let detail = format!(
                "{} {} {word} {} {}",
                type_of(&acc),
                try_py_repr(&acc).map_err(ops::crash)?,
                type_of(&v),
                try_py_repr(&v).map_err(ops::crash)?
            );
            Value::Error(Arc::new(EvalError::with_exc(
                "no such overload",
                "TypeError",
                PyObj::Tuple(vec![PyObj::Str(detail)]),
            )))
        }
    })
}

/// Visits identifier names in evaluation (post-)order.
fn visit_idents(e: &Expr, f: &mut impl FnMut(&str)) {
    match &e.kind {
        ExprKind::Ident(n) => f(&n.text),
        // cel-python's FindIdent sees `ident` nodes only, not `.name`.
        ExprKind::RootIdent(_) => {}
        ExprKind::Paren(x)
        | ExprKind::Unary { operand: x, .. }
        | ExprKind::Select { operand: x, .. } => visit_idents(x, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit_idents(lhs, f);
            visit_idents(rhs, f);
        }
        ExprKind::Ternary {
            cond,
            then,
            otherwise,
        } => {
            visit_idents(cond, f);
            visit_idents(then, f);
            visit_idents(otherwise, f);
        }
        ExprKind::Index { operand, index } => {
            visit_idents(operand, f);
            visit_idents(index, f);
        }
        ExprKind::Call { receiver, args, .. } => {
            if let Some(r) = receiver {
                visit_idents(r, f);
            }
            for a in args {
                visit_idents(a, f);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|i| visit_idents(i, f)),
        ExprKind::Map(entries) => entries.iter().for_each(|m| {
            visit_idents(&m.key, f);
            visit_idents(&m.value, f);
        }),
        ExprKind::Message { fields, .. } => fields.iter().for_each(|x| visit_idents(&x.value, f)),
        ExprKind::Error | ExprKind::Literal(_) => {}
    }
}

/// A message construction whose callee we do not model (a `uint` with fields, a bare
/// function, a protobuf wrapper type): reported as a host failure.
fn unsupported_message() -> PyErr {
    PyErr::Other {
        class: "CELEvalError",
        msg: "message construction is not supported".into(),
    }
}
