//! Python's operator protocol over cel-python's classes.
//!
//! cel-python delegates most operators to Python, so results depend on which class defines
//! which special method and on Python's dispatch order (a right operand whose class is a
//! subclass of the left's is asked first; `NotImplemented` falls through to the reflected
//! method; sequence concatenation/repetition comes last). This module reproduces that protocol
//! for the classes values can have, which yields the asymmetries of §3.4 / Appendix A.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::error::{EvalError, PyErr, PyObj};
use crate::python::{py_repr, try_py_repr};
use crate::time::{Duration, TimeError, Timestamp, round_half_even};
use crate::value::{HashKey, Map, Native, PyType, Value};

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Arith {
    fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Mod => "%",
        }
    }
}

/// Rich comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn reflected(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Eq,
            Cmp::Ne => Cmp::Ne,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Ne => o != Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

type Slot = Result<Option<Value>, PyErr>;

const INT_NOT_IMPL: &str = "int() argument must be a string, a bytes-like object or a real number, not 'NotImplementedType'";
const FLOAT_NOT_IMPL: &str =
    "float() argument must be a string or a real number, not 'NotImplementedType'";

fn type_name(v: &Value) -> &'static str {
    v.py_type().name()
}

/// `IntType(x)` range check.
pub(crate) fn int64(v: i128) -> Result<Value, PyErr> {
    if v >= i64::MIN as i128 && v <= i64::MAX as i128 {
        Ok(Value::Int(v as i64))
    } else {
        Err(PyErr::Value("overflow".into()))
    }
}

/// `UintType(x)` range check.
pub(crate) fn uint64(v: i128) -> Result<Value, PyErr> {
    if v >= 0 && v <= u64::MAX as i128 {
        Ok(Value::UInt(v as u64))
    } else {
        Err(PyErr::Value("overflow".into()))
    }
}

fn native_int(v: Option<i128>) -> Result<Value, PyErr> {
    v.map(|i| Value::Native(Native::Int(i)))
        .ok_or_else(|| PyErr::Overflow("integer result beyond the emulated range".into()))
}

/// Python `round(float)` to an int.
pub(crate) fn py_round(f: f64) -> Result<i128, PyErr> {
    if f.is_nan() {
        return Err(PyErr::Value("cannot convert float NaN to integer".into()));
    }
    if f.is_infinite() {
        return Err(PyErr::Overflow(
            "cannot convert float infinity to integer".into(),
        ));
    }
    let r = round_half_even(f);
    if r.abs() >= 1.7e38 {
        return Err(PyErr::Overflow(
            "integer result beyond the emulated range".into(),
        ));
    }
    Ok(r as i128)
}

fn floor_div(a: i128, b: i128) -> Option<i128> {
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

fn floor_mod(a: i128, b: i128) -> Option<i128> {
    let r = a.checked_rem(b)?;
    if r != 0 && ((r < 0) != (b < 0)) {
        Some(r + b)
    } else {
        Some(r)
    }
}

fn float_mod(a: f64, b: f64) -> f64 {
    let mut r = a % b;
    if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
        r += b;
    } else if r == 0.0 {
        r = 0.0f64.copysign(b);
    }
    r
}

fn float_floordiv(a: f64, b: f64) -> f64 {
    let m = float_mod(a, b);
    let d = (a - m) / b;
    if d == 0.0 {
        0.0f64.copysign(a / b)
    } else {
        d.round()
    }
}

/// A numeric operand: Python int or float.
#[derive(Clone, Copy)]
enum Num {
    I(i128),
    F(f64),
}

fn num(v: &Value) -> Option<Num> {
    if let Some(i) = v.as_int_like() {
        Some(Num::I(i))
    } else {
        v.as_float().map(Num::F)
    }
}

fn to_f(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(f) => f,
    }
}

/// Python `int`/`float` arithmetic with an int-like on the left (`int.__op__`).
fn int_base(op: Arith, a: i128, b: &Value, reflected: bool) -> Slot {
    let Some(bi) = b.as_int_like() else {
        return Ok(None);
    };
    let (x, y) = if reflected { (bi, a) } else { (a, bi) };
    Ok(Some(match op {
        Arith::Add => native_int(x.checked_add(y))?,
        Arith::Sub => native_int(x.checked_sub(y))?,
        Arith::Mul => native_int(x.checked_mul(y))?,
        Arith::Div => {
            if y == 0 {
                return Err(PyErr::ZeroDivision("division by zero".into()));
            }
            Value::Native(Native::Float(x as f64 / y as f64))
        }
        Arith::Mod => {
            if y == 0 {
                return Err(PyErr::ZeroDivision("integer modulo by zero".into()));
            }
            native_int(floor_mod(x, y))?
        }
    }))
}

fn float_base(op: Arith, a: f64, b: &Value, reflected: bool) -> Slot {
    let Some(bn) = num(b) else {
        return Ok(None);
    };
    let bf = to_f(bn);
    let (x, y) = if reflected { (bf, a) } else { (a, bf) };
    Ok(Some(Value::Native(Native::Float(match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => {
            if y == 0.0 {
                return Err(PyErr::ZeroDivision("float division by zero".into()));
            }
            x / y
        }
        Arith::Mod => {
            if y == 0.0 {
                return Err(PyErr::ZeroDivision("float modulo by zero".into()));
            }
            float_mod(x, y)
        }
    }))))
}

fn lt_zero(v: &Value) -> Result<bool, PyErr> {
    richcmp(Cmp::Lt, v, &Value::Int(0))
}

fn py_abs_for(v: &Value, sym: &str) -> Result<Num, PyErr> {
    if let Value::Duration(_) | Value::Native(Native::Timedelta(_)) = v {
        return Err(PyErr::Type(format!(
            "unsupported operand type(s) for {sym}: 'int' and 'datetime.timedelta'"
        )));
    }
    py_abs(v)
}

fn py_abs(v: &Value) -> Result<Num, PyErr> {
    match num(v) {
        Some(Num::I(i)) => Ok(Num::I(i.abs())),
        Some(Num::F(f)) => Ok(Num::F(f.abs())),
        None => Err(PyErr::Type(format!(
            "bad operand type for abs(): '{}'",
            type_name(v)
        ))),
    }
}

fn num_floordiv(a: Num, b: Num) -> Result<Num, PyErr> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => {
            if y == 0 {
                Err(PyErr::ZeroDivision(
                    "integer division or modulo by zero".into(),
                ))
            } else {
                floor_div(x, y)
                    .map(Num::I)
                    .ok_or_else(|| PyErr::Overflow("overflow".into()))
            }
        }
        (x, y) => {
            let (x, y) = (to_f(x), to_f(y));
            if y == 0.0 {
                Err(PyErr::ZeroDivision("float floor division by zero".into()))
            } else {
                Ok(Num::F(float_floordiv(x, y)))
            }
        }
    }
}

fn num_mod(a: Num, b: Num) -> Result<Num, PyErr> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => {
            if y == 0 {
                Err(PyErr::ZeroDivision("integer modulo by zero".into()))
            } else {
                floor_mod(x, y)
                    .map(Num::I)
                    .ok_or_else(|| PyErr::Overflow("overflow".into()))
            }
        }
        (x, y) => {
            let (x, y) = (to_f(x), to_f(y));
            if y == 0.0 {
                Err(PyErr::ZeroDivision("float modulo by zero".into()))
            } else {
                Ok(Num::F(float_mod(x, y)))
            }
        }
    }
}

/// `IntType(n)` from an int or float intermediate (floats are rounded half-even).
fn int_type_from(n: Num, sign: i128) -> Result<Value, PyErr> {
    match n {
        Num::I(i) => int64(sign * i),
        Num::F(f) => int64(py_round_clamped(sign as f64 * f)?),
    }
}

/// `round(f)` for a result that is range-checked right after: a finite float beyond i128
/// is clamped (it fails the check exactly as Python's unbounded int would).
pub(crate) fn py_round_clamped(f: f64) -> Result<i128, PyErr> {
    if f.is_finite() && f.abs() >= 1.7e38 {
        return Ok(if f < 0.0 { i128::MIN } else { i128::MAX });
    }
    py_round(f)
}

/// `IntType` arithmetic: everything but int-likes raises `TypeError`.
fn int_type(op: Arith, a: i64, b: &Value, reflected: bool) -> Slot {
    let a = a as i128;
    match op {
        Arith::Add | Arith::Sub | Arith::Mul => {
            let Some(bi) = b.as_int_like() else {
                return Err(PyErr::Type(INT_NOT_IMPL.into()));
            };
            let (x, y) = if reflected { (bi, a) } else { (a, bi) };
            let r = match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                _ => x.checked_mul(y).unwrap_or(i128::MAX),
            };
            int64(r).map(Some)
        }
        Arith::Div => {
            // sign(l) * sign(r) * (|l| // |r|), as IntType.__truediv__ computes it.
            let this = Value::Int(a as i64);
            let (left, right) = if reflected { (b, &this) } else { (&this, b) };
            let ls = if lt_zero(left)? { -1 } else { 1 };
            let rs = if lt_zero(right)? { -1 } else { 1 };
            let q = num_floordiv(py_abs(left)?, py_abs_for(right, "//")?)?;
            int_type_from(q, ls * rs).map(Some)
        }
        Arith::Mod => {
            let this = Value::Int(a as i64);
            let (left, right) = if reflected { (b, &this) } else { (&this, b) };
            let ls = if lt_zero(left)? { -1 } else { 1 };
            let r = num_mod(py_abs(left)?, py_abs_for(right, "%")?)?;
            int_type_from(r, ls).map(Some)
        }
    }
}

fn uint_type(op: Arith, a: u64, b: &Value, reflected: bool) -> Slot {
    let Some(bi) = b.as_int_like() else {
        return Err(PyErr::Type(INT_NOT_IMPL.into()));
    };
    let a = a as i128;
    let (x, y) = if reflected { (bi, a) } else { (a, bi) };
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x.checked_mul(y).unwrap_or(i128::MAX),
        Arith::Div => {
            if y == 0 {
                return Err(PyErr::ZeroDivision(
                    "integer division or modulo by zero".into(),
                ));
            }
            floor_div(x, y).unwrap_or(i128::MAX)
        }
        Arith::Mod => {
            if y == 0 {
                return Err(PyErr::ZeroDivision("integer modulo by zero".into()));
            }
            floor_mod(x, y).unwrap_or(0)
        }
    };
    uint64(r).map(Some)
}

fn double_type(op: Arith, a: f64, b: &Value, reflected: bool) -> Slot {
    match op {
        Arith::Add | Arith::Sub | Arith::Mul => float_base(op, a, b, reflected),
        Arith::Mod => Err(PyErr::Type(if reflected {
            format!(
                "found no matching overload for '_%_' applied to '({}, double)'",
                b.py_type().class_repr()
            )
        } else {
            format!(
                "found no matching overload for '_%_' applied to '(double, {})'",
                b.py_type().class_repr()
            )
        })),
        Arith::Div => {
            if reflected {
                if a == 0.0 {
                    return Ok(Some(Value::Double(f64::INFINITY)));
                }
                match num(b) {
                    Some(n) => Ok(Some(Value::Double(to_f(n) / a))),
                    None => Err(PyErr::Type(FLOAT_NOT_IMPL.into())),
                }
            } else {
                if py_eq(b, &Value::Native(Native::Float(0.0)))? {
                    return Ok(Some(Value::Double(f64::INFINITY)));
                }
                match num(b) {
                    Some(n) => Ok(Some(Value::Double(a / to_f(n)))),
                    None => Err(PyErr::Type(FLOAT_NOT_IMPL.into())),
                }
            }
        }
    }
}

fn time_err(e: TimeError) -> PyErr {
    match e {
        TimeError::Overflow(m) => PyErr::Overflow(m),
        TimeError::Value(m) => PyErr::Value(m),
    }
}

fn as_timedelta(v: &Value) -> Option<Duration> {
    match v {
        Value::Duration(d) | Value::Native(Native::Timedelta(d)) => Some(*d),
        _ => None,
    }
}

/// `DurationType(td)`: range-checked.
pub(crate) fn duration_type(d: Duration) -> Result<Value, PyErr> {
    if d.in_cel_range() {
        Ok(Value::Duration(d))
    } else {
        Err(PyErr::Value("range error: {seconds}".into()))
    }
}

fn native_td(us: i128) -> Result<Value, PyErr> {
    Duration::from_micros(us)
        .map(|d| Value::Native(Native::Timedelta(d)))
        .map_err(time_err)
}

fn timestamp_op(op: Arith, t: &Timestamp, b: &Value, reflected: bool) -> Slot {
    match (op, reflected) {
        (Arith::Add, _) => match as_timedelta(b) {
            Some(d) => t
                .add(d)
                .map(|t| Some(Value::Timestamp(t)))
                .map_err(time_err),
            None => Ok(None),
        },
        (Arith::Sub, false) => match b {
            Value::Timestamp(o) => duration_type(t.since(o)).map(Some),
            _ => match as_timedelta(b) {
                Some(d) => t
                    .add(d.neg())
                    .map(|t| Some(Value::Timestamp(t)))
                    .map_err(time_err),
                None => Ok(None),
            },
        },
        _ => Ok(None),
    }
}

fn timedelta_op(op: Arith, d: Duration, cel: bool, b: &Value, reflected: bool) -> Slot {
    let us = d.micros();
    match op {
        Arith::Add => match as_timedelta(b) {
            Some(o) => {
                let r = Duration::from_micros(us + o.micros()).map_err(time_err)?;
                if cel {
                    duration_type(r).map(Some)
                } else {
                    Ok(Some(Value::Native(Native::Timedelta(r))))
                }
            }
            None => Ok(None),
        },
        Arith::Sub => match as_timedelta(b) {
            Some(o) => {
                let r = if reflected {
                    o.micros() - us
                } else {
                    us - o.micros()
                };
                native_td(r).map(Some)
            }
            None => Ok(None),
        },
        Arith::Mul => match num(b) {
            Some(Num::I(i)) => native_td(us.checked_mul(i).unwrap_or(i128::MAX)).map(Some),
            Some(Num::F(f)) => native_td(py_round(us as f64 * f)?).map(Some),
            None => Ok(None),
        },
        Arith::Div if !reflected => match (as_timedelta(b), num(b)) {
            (Some(o), _) => {
                if o.micros() == 0 {
                    return Err(PyErr::ZeroDivision(
                        "integer division or modulo by zero".into(),
                    ));
                }
                Ok(Some(Value::Native(Native::Float(
                    us as f64 / o.micros() as f64,
                ))))
            }
            (_, Some(Num::I(i))) => {
                if i == 0 {
                    return Err(PyErr::ZeroDivision(
                        "integer division or modulo by zero".into(),
                    ));
                }
                native_td(py_round(us as f64 / i as f64)?).map(Some)
            }
            (_, Some(Num::F(f))) => {
                if f == 0.0 {
                    return Err(PyErr::ZeroDivision(
                        "integer division or modulo by zero".into(),
                    ));
                }
                native_td(py_round(us as f64 / f)?).map(Some)
            }
            _ => Ok(None),
        },
        Arith::Mod if !reflected => match as_timedelta(b) {
            Some(o) => {
                if o.micros() == 0 {
                    return Err(PyErr::ZeroDivision("integer modulo by zero".into()));
                }
                native_td(floor_mod(us, o.micros()).unwrap_or(0)).map(Some)
            }
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Whether `x` supports Python's mapping protocol for `%`-formatting purposes.
fn is_format_mapping(v: &Value, for_bytes: bool) -> bool {
    match v {
        Value::List(_)
        | Value::Native(Native::List(_))
        | Value::Map(_)
        | Value::Native(Native::Dict(_)) => true,
        Value::Bytes(_) | Value::Native(Native::Bytes(_)) => !for_bytes,
        Value::String(_) | Value::Native(Native::Str(_)) => false,
        Value::Type(_) => false,
        _ => false,
    }
}

/// `str % x`: Python's printf-style formatting (see `pyformat`).
fn str_format(left: &Value, fmt: &str, arg: &Value) -> Slot {
    let mapping = is_format_mapping(arg, false);
    if !fmt.contains('%') {
        return if mapping {
            Ok(Some(left.clone()))
        } else {
            Err(PyErr::Type(
                "not all arguments converted during string formatting".into(),
            ))
        };
    }
    let chars: Vec<char> = fmt.chars().collect();
    let out = crate::pyformat::format(&chars, arg, mapping, false)?;
    Ok(Some(Value::Native(Native::Str(out.into()))))
}

/// `bytes % x` (the result is a native `bytes`).
fn bytes_format(fmt: &[u8], arg: &Value) -> Slot {
    let chars: Vec<char> = fmt.iter().map(|&b| b as char).collect();
    let out = crate::pyformat::format(&chars, arg, is_format_mapping(arg, true), true)?;
    let bytes: Vec<u8> = out.chars().map(|c| c as u32 as u8).collect();
    Ok(Some(Value::Native(Native::Bytes(bytes.into()))))
}

pub(crate) fn crash(_: crate::error::FormatterCrash) -> PyErr {
    if crate::budget::take_repr_overflow() {
        return PyErr::Budget(crate::error::BudgetExceeded {
            what: "value size",
            limit: crate::budget::size_limit() as u64,
        });
    }
    PyErr::Index("pop from empty list".into())
}

/// The class's own arithmetic method (`__op__`, or `__rop__` when `reflected`).
fn dunder(op: Arith, this: &Value, other: &Value, reflected: bool) -> Slot {
    match this {
        Value::Error(_) => Ok(Some(this.clone())),
        Value::Int(a) => int_type(op, *a, other, reflected),
        Value::UInt(a) => uint_type(op, *a, other, reflected),
        Value::Bool(b) | Value::Native(Native::Bool(b)) => {
            int_base(op, *b as i128, other, reflected)
        }
        Value::Native(Native::Int(i)) => int_base(op, *i, other, reflected),
        Value::Double(f) => double_type(op, *f, other, reflected),
        Value::Native(Native::Float(f)) => float_base(op, *f, other, reflected),
        Value::Timestamp(t) => timestamp_op(op, t, other, reflected),
        Value::Duration(d) => timedelta_op(op, *d, true, other, reflected),
        Value::Native(Native::Timedelta(d)) => timedelta_op(op, *d, false, other, reflected),
        Value::String(s) | Value::Native(Native::Str(s)) if op == Arith::Mod && !reflected => {
            str_format(this, s, other)
        }
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) if op == Arith::Mod && !reflected => {
            bytes_format(b, other)
        }
        _ => Ok(None),
    }
}

/// Whether a class defines its own reflected method for `op` (Python only gives a subclass
/// priority when it overrides the method).
fn overrides_reflected(t: PyType, op: Arith) -> bool {
    match t {
        PyType::Int | PyType::UInt => true,
        PyType::Double => matches!(op, Arith::Div | Arith::Mod),
        PyType::Duration | PyType::Timestamp => op == Arith::Add,
        _ => false,
    }
}

fn seq_len_ok(n: usize) -> Result<(), PyErr> {
    crate::budget::check_size(n)
}

fn repeat<T: Clone>(items: &[T], n: i128) -> Result<Vec<T>, PyErr> {
    if n <= 0 {
        return Ok(Vec::new());
    }
    let total = items
        .len()
        .saturating_mul(usize::try_from(n).unwrap_or(usize::MAX));
    seq_len_ok(total)?;
    let mut out = Vec::with_capacity(total);
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    Ok(out)
}

fn sequence_fallback(op: Arith, a: &Value, b: &Value) -> Result<Value, PyErr> {
    let seq = |v: &Value| {
        matches!(
            v.py_type().base(),
            PyType::NativeStr | PyType::NativeBytes | PyType::NativeList
        )
    };
    match op {
        Arith::Add if seq(a) => {
            match (a, b) {
                (
                    Value::String(x) | Value::Native(Native::Str(x)),
                    Value::String(y) | Value::Native(Native::Str(y)),
                ) => {
                    seq_len_ok(x.len() + y.len())?;
                    let mut s = String::with_capacity(x.len() + y.len());
                    s.push_str(x);
                    s.push_str(y);
                    Ok(Value::Native(Native::Str(s.into())))
                }
                (Value::String(_) | Value::Native(Native::Str(_)), _) => Err(PyErr::Type(format!(
                    "can only concatenate str (not \"{}\") to str",
                    type_name(b)
                ))),
                (
                    Value::Bytes(x) | Value::Native(Native::Bytes(x)),
                    Value::Bytes(y) | Value::Native(Native::Bytes(y)),
                ) => {
                    seq_len_ok(x.len() + y.len())?;
                    let mut v = x.to_vec();
                    v.extend_from_slice(y);
                    Ok(Value::Native(Native::Bytes(v.into())))
                }
                (Value::Bytes(_) | Value::Native(Native::Bytes(_)), _) => Err(PyErr::Type(
                    format!("can't concat {} to {}", type_name(b), type_name(a)),
                )),
                (
                    Value::List(x) | Value::Native(Native::List(x)),
                    Value::List(y) | Value::Native(Native::List(y)),
                ) => {
                    seq_len_ok(x.len() + y.len())?;
                    let mut v = Vec::with_capacity(x.len() + y.len());
                    v.extend_from_slice(x);
                    v.extend_from_slice(y);
                    Ok(Value::Native(Native::List(Arc::new(v))))
                }
                _ => Err(PyErr::Type(format!(
                    "can only concatenate list (not \"{}\") to list",
                    type_name(b)
                ))),
            }
        }
        Arith::Mul if seq(a) || seq(b) => {
            let (s, n) = if seq(a) { (a, b) } else { (b, a) };
            let Some(count) = n.as_int_like() else {
                return Err(PyErr::Type(format!(
                    "can't multiply sequence by non-int of type '{}'",
                    type_name(n)
                )));
            };
            Ok(match s {
                Value::String(x) | Value::Native(Native::Str(x)) => {
                    let n = count.max(0);
                    seq_len_ok(
                        x.len()
                            .saturating_mul(usize::try_from(n).unwrap_or(usize::MAX)),
                    )?;
                    Value::Native(Native::Str(x.repeat(n as usize).into()))
                }
                Value::Bytes(x) | Value::Native(Native::Bytes(x)) => {
                    Value::Native(Native::Bytes(repeat(x, count)?.into()))
                }
                Value::List(x) | Value::Native(Native::List(x)) => {
                    Value::Native(Native::List(Arc::new(repeat(x, count)?)))
                }
                _ => unreachable_type(s)?,
            })
        }
        _ => Err(PyErr::Type(format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op.symbol(),
            type_name(a),
            type_name(b)
        ))),
    }
}

fn unreachable_type(v: &Value) -> Result<Value, PyErr> {
    Err(PyErr::Type(format!(
        "unsupported operand type: '{}'",
        type_name(v)
    )))
}

/// Python `a OP b` for the arithmetic operators.
pub fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, PyErr> {
    // Fast paths for the overwhelmingly common cases; identical to the general protocol.
    match (op, a, b) {
        (Arith::Add, Value::Int(x), Value::Int(y)) => return int64(*x as i128 + *y as i128),
        (Arith::Sub, Value::Int(x), Value::Int(y)) => return int64(*x as i128 - *y as i128),
        (Arith::Mul, Value::Int(x), Value::Int(y)) => return int64(*x as i128 * *y as i128),
        _ => {}
    }
    let (ta, tb) = (a.py_type(), b.py_type());
    let mut reflected_done = false;
    if ta != tb && tb.is_subclass_of(ta) && overrides_reflected(tb, op) {
        if let Some(v) = dunder(op, b, a, true)? {
            return Ok(v);
        }
        reflected_done = true;
    }
    if let Some(v) = dunder(op, a, b, false)? {
        return Ok(v);
    }
    if ta != tb
        && !reflected_done
        && let Some(v) = dunder(op, b, a, true)?
    {
        return Ok(v);
    }
    sequence_fallback(op, a, b)
}

/// Python unary `-x`.
pub fn neg(v: &Value) -> Result<Value, PyErr> {
    match v {
        Value::Int(i) => int64(-(*i as i128)),
        Value::UInt(_) | Value::Bool(_) => Err(PyErr::Type("no such overload".into())),
        Value::Double(f) => Ok(Value::Double(-f)),
        Value::Native(Native::Float(f)) => Ok(Value::Native(Native::Float(-f))),
        Value::Native(Native::Int(i)) => native_int(i.checked_neg()),
        Value::Native(Native::Bool(b)) => Ok(Value::Native(Native::Int(-(*b as i128)))),
        Value::Duration(d) | Value::Native(Native::Timedelta(d)) => native_td(-d.micros()),
        Value::Error(_) => Ok(v.clone()),
        other => Err(PyErr::Type(format!(
            "bad operand type for unary -: '{}'",
            type_name(other)
        ))),
    }
}

fn cmp_i_f(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 1.0e38 {
        Some(i.cmp(&(f as i128)))
    } else {
        (i as f64).partial_cmp(&f)
    }
}

fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
        (Num::I(x), Num::F(y)) => cmp_i_f(x, y),
        (Num::F(x), Num::I(y)) => cmp_i_f(y, x).map(Ordering::reverse),
        (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
    }
}

fn num_holds(op: Cmp, a: Num, b: Num) -> bool {
    match num_cmp(a, b) {
        Some(o) => op.holds(o),
        None => op == Cmp::Ne, // NaN
    }
}

fn type_matched_err(a: &Value, b: &Value) -> PyErr {
    // The message is formatted when raised: an operand whose repr crashes crashes here.
    match (try_py_repr(a), try_py_repr(b)) {
        (Ok(ra), Ok(rb)) => PyErr::Type(format!(
            "no such overload: {ra} {} != {rb} {}",
            a.py_type().class_repr(),
            b.py_type().class_repr()
        )),
        (Err(c), _) | (_, Err(c)) => crash(c),
    }
}

/// celpy's `type_matched` decorator: the other class must be a sub- or superclass.
fn type_matched(a: &Value, b: &Value) -> Result<(), PyErr> {
    let (ta, tb) = (a.py_type(), b.py_type());
    if tb.is_subclass_of(ta) || ta.is_subclass_of(tb) {
        Ok(())
    } else {
        Err(type_matched_err(a, b))
    }
}

type CmpSlot = Result<Option<bool>, PyErr>;

fn ord_cmp<T: Ord + ?Sized>(op: Cmp, a: &T, b: &T) -> bool {
    op.holds(a.cmp(b))
}

/// `ListType.__eq__`/`__ne__`: element-wise with `&&`/`||` absorption of element errors.
fn list_type_eq(op: Cmp, a: &[Value], other: &Value) -> CmpSlot {
    let Some(b) = other.as_list() else {
        let sym = if op == Cmp::Eq { "==" } else { "!=" };
        return Err(PyErr::Type(format!(
            "no such overload: ListType {sym} {}",
            other.py_type().class_repr()
        )));
    };
    if a.len() != b.len() {
        return Ok(Some(op == Cmp::Ne));
    }
    let elems = a.iter().zip(b.iter()).map(|(x, y)| richcmp(op, x, y));
    fold_absorbing(op == Cmp::Eq, elems).map(Some)
}

/// Folds element results with celpy's `logical_and` (eq) / `logical_or` (ne), where an
/// element `TypeError` is an undecided operand.
fn fold_absorbing(
    and: bool,
    items: impl Iterator<Item = Result<bool, PyErr>>,
) -> Result<bool, PyErr> {
    // State: Ok(bool) or a pending TypeError.
    let mut acc: Result<bool, PyErr> = Ok(and);
    for item in items {
        let item = match item {
            Ok(b) => Ok(b),
            Err(e @ PyErr::Type(_)) => Err(e),
            Err(other) => return Err(other),
        };
        acc = match (acc, item) {
            (Ok(x), Ok(y)) => Ok(if and { x && y } else { x || y }),
            (Ok(x), Err(e)) => {
                if x == and {
                    Err(e)
                } else {
                    Ok(x)
                }
            }
            (Err(e), Ok(y)) => {
                if y == and {
                    Err(e)
                } else {
                    Ok(y)
                }
            }
            (Err(_), Err(_)) => Err(PyErr::Type(
                "<class 'TypeError'> TypeError and <class 'TypeError'> TypeError".into(),
            )),
        };
    }
    acc
}

fn map_type_eq(op: Cmp, a: &Map, other: &Value) -> CmpSlot {
    let Some(b) = other.as_map() else {
        let sym = if op == Cmp::Eq { "==" } else { "!=" };
        return Err(PyErr::Type(format!(
            "no such overload: MapType {sym} {}",
            other.py_type().class_repr()
        )));
    };
    let other_get = |k: &Value| -> Result<Value, PyErr> { getitem(other, k) };
    if op == Cmp::Ne && a.len() == 1 && b.len() == 1 && keys_equal(a, b)? {
        let (k, v) = a
            .iter()
            .next()
            .map(|(k, v)| (k.clone(), v.clone()))
            .unwrap_or((Value::Null, Value::Null));
        return richcmp(Cmp::Ne, &v, &other_get(&k)?).map(Some);
    }
    if !keys_equal(a, b)? {
        return Ok(Some(op == Cmp::Ne));
    }
    let mut results = Vec::with_capacity(a.len());
    for (k, v) in a.iter() {
        let ov = other_get(k)?;
        results.push(richcmp(op, v, &ov));
    }
    fold_absorbing(op == Cmp::Eq, results.into_iter()).map(Some)
}

/// `dict.keys() == dict.keys()`: same size and every key found (lookups may raise).
fn keys_equal(a: &Map, b: &Map) -> Result<bool, PyErr> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for k in a.keys() {
        if dict_lookup(b, k)?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn native_list_cmp(op: Cmp, a: &[Value], b: &[Value]) -> Result<bool, PyErr> {
    if matches!(op, Cmp::Eq | Cmp::Ne) && a.len() != b.len() {
        return Ok(op == Cmp::Ne);
    }
    for (x, y) in a.iter().zip(b.iter()) {
        if !py_eq(x, y)? {
            return match op {
                Cmp::Eq => Ok(false),
                Cmp::Ne => Ok(true),
                _ => richcmp(op, x, y),
            };
        }
    }
    Ok(op.holds(a.len().cmp(&b.len())))
}

fn dict_eq(a: &Map, b: &Map) -> Result<bool, PyErr> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (k, v) in a.iter() {
        match dict_lookup(b, k)? {
            Some(ov) => {
                if !py_eq(v, ov)? {
                    return Ok(false);
                }
            }
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// The class's own rich comparison method.
fn cmp_dunder(op: Cmp, a: &Value, b: &Value) -> CmpSlot {
    let eqne = matches!(op, Cmp::Eq | Cmp::Ne);
    match a {
        Value::Int(x) => {
            type_matched(a, b)?;
            Ok(b.as_int_like().map(|y| ord_cmp(op, &(*x as i128), &y)))
        }
        Value::UInt(x) if eqne => {
            type_matched(a, b)?;
            Ok(b.as_int_like().map(|y| ord_cmp(op, &(*x as i128), &y)))
        }
        Value::Double(x) if eqne => {
            type_matched(a, b)?;
            Ok(b.as_float().map(|y| num_holds(op, Num::F(*x), Num::F(y))))
        }
        Value::UInt(_) | Value::Bool(_) | Value::Native(Native::Int(_) | Native::Bool(_)) => {
            let x = a.as_int_like().unwrap_or_default();
            Ok(b.as_int_like().map(|y| ord_cmp(op, &x, &y)))
        }
        Value::Double(x) | Value::Native(Native::Float(x)) => {
            Ok(num(b).map(|y| num_holds(op, Num::F(*x), y)))
        }
        Value::String(x) | Value::Native(Native::Str(x)) => {
            Ok(b.as_str().map(|y| ord_cmp(op, x.as_ref(), y)))
        }
        Value::Bytes(x) | Value::Native(Native::Bytes(x)) => Ok(match b {
            Value::Bytes(y) | Value::Native(Native::Bytes(y)) => {
                Some(ord_cmp(op, x.as_ref(), y.as_ref()))
            }
            _ => None,
        }),
        Value::List(x) => {
            if eqne {
                list_type_eq(op, x, b)
            } else {
                Err(PyErr::Type("no such overload".into()))
            }
        }
        Value::Native(Native::List(x)) => match b.as_list() {
            Some(y) => native_list_cmp(op, x, y).map(Some),
            None => Ok(None),
        },
        Value::Map(m) => {
            if eqne {
                map_type_eq(op, m, b)
            } else {
                Ok(None)
            }
        }
        Value::Native(Native::Dict(m)) => match (eqne, b.as_map()) {
            (true, Some(o)) => {
                let e = dict_eq(m, o)?;
                Ok(Some(if op == Cmp::Eq { e } else { !e }))
            }
            _ => Ok(None),
        },
        Value::Null => Ok(match (op, b) {
            (Cmp::Eq, Value::Null) => Some(true),
            (Cmp::Ne, Value::Null) => Some(false),
            _ => None,
        }),
        Value::Timestamp(x) => Ok(match b {
            Value::Timestamp(y) => Some(ord_cmp(op, &x.utc_micros(), &y.utc_micros())),
            _ => None,
        }),
        Value::Duration(x) | Value::Native(Native::Timedelta(x)) => {
            Ok(as_timedelta(b).map(|y| ord_cmp(op, x, &y)))
        }
        Value::Type(x) => Ok(match (op, b) {
            (Cmp::Eq, Value::Type(y)) => Some(x == y),
            (Cmp::Ne, Value::Type(y)) => Some(x != y),
            _ => None,
        }),
        Value::Function(x) => Ok(match (op, b) {
            (Cmp::Eq, Value::Function(y)) => Some(x == y),
            (Cmp::Ne, Value::Function(y)) => Some(x != y),
            _ => None,
        }),
        Value::Error(x) => Ok(match (op, b) {
            (Cmp::Eq, Value::Error(y)) => Some(x.same_args(y)),
            (Cmp::Ne, Value::Error(y)) => Some(!x.same_args(y)),
            _ => None,
        }),
    }
}

fn overrides_cmp(t: PyType, op: Cmp) -> bool {
    match t {
        PyType::Int | PyType::List | PyType::Map => true,
        PyType::UInt | PyType::Double | PyType::String => matches!(op, Cmp::Eq | Cmp::Ne),
        PyType::EvalError => op == Cmp::Eq,
        _ => false,
    }
}

/// Python `a OP b` for comparisons, as a Python truth value.
pub fn richcmp(op: Cmp, a: &Value, b: &Value) -> Result<bool, PyErr> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => return Ok(ord_cmp(op, x.as_ref(), y.as_ref())),
        (Value::Int(x), Value::Int(y)) => return Ok(ord_cmp(op, x, y)),
        _ => {}
    }
    let (ta, tb) = (a.py_type(), b.py_type());
    let refl = op.reflected();
    let mut reflected_done = false;
    if ta != tb && tb.is_subclass_of(ta) && overrides_cmp(tb, refl) {
        if let Some(r) = cmp_dunder(refl, b, a)? {
            return Ok(r);
        }
        reflected_done = true;
    }
    if let Some(r) = cmp_dunder(op, a, b)? {
        return Ok(r);
    }
    if !reflected_done && let Some(r) = cmp_dunder(refl, b, a)? {
        return Ok(r);
    }
    match op {
        Cmp::Eq => Ok(false),
        Cmp::Ne => Ok(true),
        _ => Err(PyErr::Type(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op.symbol(),
            type_name(a),
            type_name(b)
        ))),
    }
}

/// Python `a == b`.
pub fn py_eq(a: &Value, b: &Value) -> Result<bool, PyErr> {
    richcmp(Cmp::Eq, a, b)
}

fn unhashable(v: &Value) -> PyErr {
    PyErr::Type(format!("unhashable type: '{}'", type_name(v)))
}

/// Python dict lookup: hash, then `stored == key` (which may raise).
pub fn dict_lookup<'m>(m: &'m Map, key: &Value) -> Result<Option<&'m Value>, PyErr> {
    if let Value::String(s) = key {
        return Ok(m.get_str(s));
    }
    let hk = HashKey::of(key).ok_or_else(|| unhashable(key))?;
    match m.get_hashed(&hk) {
        None => Ok(None),
        Some((stored, v)) => {
            if py_eq(stored, key)? {
                Ok(Some(v))
            } else {
                Ok(None)
            }
        }
    }
}

/// Python `d[key] = value` (keeps the stored key when an equal one exists).
pub fn dict_set(m: &mut Map, key: Value, value: Value) -> Result<(), PyErr> {
    let hk = HashKey::of(&key).ok_or_else(|| unhashable(&key))?;
    // Equal hash but unequal keys: Python keeps both; we keep the first (documented).
    if let Some((stored, _)) = m.get_hashed(&hk)
        && !py_eq(stored, &key)?
    {
        return Ok(());
    }
    m.insert_hashed(hk, key, value);
    Ok(())
}

/// `key in d` for a dict (`True` when found).
pub fn dict_contains(m: &Map, key: &Value) -> Result<bool, PyErr> {
    dict_lookup(m, key).map(|v| v.is_some())
}

/// Python iteration: list elements, map keys, string characters, byte values.
pub fn py_iter(v: &Value) -> Result<Vec<Value>, PyErr> {
    match v {
        Value::List(l) | Value::Native(Native::List(l)) => Ok(l.as_ref().clone()),
        Value::Map(m) | Value::Native(Native::Dict(m)) => Ok(m.keys().cloned().collect()),
        Value::String(s) | Value::Native(Native::Str(s)) => Ok(s
            .chars()
            .map(|c| Value::Native(Native::Str(c.to_string().into())))
            .collect()),
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => Ok(b
            .iter()
            .map(|&x| Value::Native(Native::Int(x as i128)))
            .collect()),
        other => Err(PyErr::Type(format!(
            "'{}' object is not iterable",
            type_name(other)
        ))),
    }
}

/// celpy's `in` operator: scan with `element == item`, absorbing `TypeError`s unless no
/// element matched.
pub fn operator_in(item: &Value, container: &Value) -> Result<Value, PyErr> {
    let mut result = Value::Bool(false);
    let scan = |c: &Value, result: &mut Value| -> Result<bool, PyErr> {
        match py_eq(c, item) {
            Ok(true) => Ok(true),
            Ok(false) => Ok(false),
            Err(PyErr::Type(msg)) => {
                *result = Value::Error(Arc::new(EvalError::with_exc(
                    "no such overload",
                    "TypeError",
                    PyObj::Tuple(vec![PyObj::Str(msg)]),
                )));
                Ok(false)
            }
            Err(e) => Err(e),
        }
    };
    match container {
        Value::List(l) | Value::Native(Native::List(l)) => {
            for c in l.iter() {
                if scan(c, &mut result)? {
                    return Ok(Value::Bool(true));
                }
            }
        }
        Value::Map(m) | Value::Native(Native::Dict(m)) => {
            for c in m.keys() {
                if scan(c, &mut result)? {
                    return Ok(Value::Bool(true));
                }
            }
        }
        other => {
            for c in py_iter(other)? {
                if scan(&c, &mut result)? {
                    return Ok(Value::Bool(true));
                }
            }
        }
    }
    Ok(result)
}

/// Python `t in s` (`__contains__`), as `contains()` and the Koreo functions use it.
pub fn py_contains(container: &Value, item: &Value) -> Result<bool, PyErr> {
    match container {
        Value::String(s) | Value::Native(Native::Str(s)) => match item.as_str() {
            Some(t) => Ok(s.contains(t)),
            None => Err(PyErr::Type(format!(
                "'in <string>' requires string as left operand, not {}",
                type_name(item)
            ))),
        },
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => match item {
            Value::Bytes(t) | Value::Native(Native::Bytes(t)) => {
                Ok(t.is_empty() || b.windows(t.len()).any(|w| w == t.as_ref()))
            }
            other => match other.as_int_like() {
                Some(i) if (0..256).contains(&i) => Ok(b.contains(&(i as u8))),
                Some(_) => Err(PyErr::Value("byte must be in range(0, 256)".into())),
                None => Err(PyErr::Type(format!(
                    "a bytes-like object is required, not '{}'",
                    type_name(other)
                ))),
            },
        },
        Value::List(l) | Value::Native(Native::List(l)) => {
            for x in l.iter() {
                if py_eq(x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Map(m) | Value::Native(Native::Dict(m)) => dict_contains(m, item),
        other => Err(PyErr::Type(format!(
            "argument of type '{}' is not iterable",
            type_name(other)
        ))),
    }
}

fn index_of(len: usize, idx: &Value, what: &str) -> Result<usize, PyErr> {
    let Some(i) = idx.as_int_like() else {
        return Err(PyErr::Type(match what {
            "list" => format!(
                "list indices must be integers or slices, not {}",
                type_name(idx)
            ),
            "string" => format!("string indices must be integers, not '{}'", type_name(idx)),
            _ => format!(
                "byte indices must be integers or slices, not {}",
                type_name(idx)
            ),
        }));
    };
    let n = len as i128;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(PyErr::Index(match what {
            "list" => "list index out of range".into(),
            "string" => "string index out of range".into(),
            _ => "index out of range".into(),
        }));
    }
    Ok(j as usize)
}

/// celpy's `MapType.valid_key_type`.
pub(crate) fn valid_key_type(k: &Value) -> bool {
    matches!(
        k,
        Value::Int(_)
            | Value::UInt(_)
            | Value::Bool(_)
            | Value::String(_)
            | Value::Native(Native::Str(_))
    )
}

/// Python `container[index]` (`operator.getitem`).
pub fn getitem(container: &Value, index: &Value) -> Result<Value, PyErr> {
    match container {
        Value::Map(m) => {
            if !valid_key_type(index) {
                return Err(PyErr::Type(format!(
                    "unsupported key type: {}",
                    index.py_type().class_repr()
                )));
            }
            dict_lookup(m, index)?
                .cloned()
                .ok_or_else(|| PyErr::Key(PyObj::Repr(py_repr(index))))
        }
        Value::Native(Native::Dict(m)) => dict_lookup(m, index)?
            .cloned()
            .ok_or_else(|| PyErr::Key(PyObj::Repr(py_repr(index)))),
        Value::List(l) | Value::Native(Native::List(l)) => {
            Ok(l[index_of(l.len(), index, "list")?].clone())
        }
        Value::String(s) | Value::Native(Native::Str(s)) => {
            // Python indexes code points.
            let n = s.chars().count();
            let i = index_of(n, index, "string")?;
            let c = s.chars().nth(i).map(String::from).unwrap_or_default();
            Ok(Value::Native(Native::Str(c.into())))
        }
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => Ok(Value::Native(Native::Int(
            b[index_of(b.len(), index, "bytes")?] as i128,
        ))),
        Value::Type(t) => Err(PyErr::Type(format!(
            "type '{}' is not subscriptable",
            t.name()
        ))),
        other => Err(PyErr::Type(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

/// Python `len(x)`.
pub fn py_len(v: &Value) -> Result<usize, PyErr> {
    match v {
        Value::String(s) | Value::Native(Native::Str(s)) => Ok(s.chars().count()),
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => Ok(b.len()),
        Value::List(l) | Value::Native(Native::List(l)) => Ok(l.len()),
        Value::Map(m) | Value::Native(Native::Dict(m)) => Ok(m.len()),
        other => Err(PyErr::Type(format!(
            "object of type '{}' has no len()",
            type_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn int_double_asymmetry() {
        assert!(
            matches!(arith(Arith::Add, &Value::Double(1.5), &Value::Int(1)), Ok(Value::Native(Native::Float(f))) if f == 2.5)
        );
        assert!(matches!(
            arith(Arith::Add, &Value::Int(1), &Value::Double(1.5)),
            Err(PyErr::Type(_))
        ));
        assert!(matches!(
            arith(Arith::Div, &Value::Int(10), &Value::Double(4.0)),
            Ok(Value::Int(2))
        ));
        assert!(matches!(
            arith(Arith::Div, &Value::Int(-7), &Value::Int(2)),
            Ok(Value::Int(-3))
        ));
        assert!(matches!(
            arith(Arith::Mod, &Value::Int(-7), &Value::Int(3)),
            Ok(Value::Int(-1))
        ));
        assert!(
            matches!(arith(Arith::Div, &Value::Double(-1.0), &Value::Double(0.0)), Ok(Value::Double(f)) if f == f64::INFINITY)
        );
        assert!(matches!(
            arith(Arith::Add, &Value::Int(i64::MAX), &Value::Int(1)),
            Err(PyErr::Value(_))
        ));
        let two = arith(Arith::Add, &Value::Bool(true), &Value::Bool(true)).unwrap();
        assert!(matches!(
            arith(Arith::Div, &two, &Value::Int(4)),
            Ok(Value::Int(0))
        ));
        assert!(
            matches!(arith(Arith::Mul, &Value::Bool(true), &s("ab")), Ok(Value::Native(Native::Str(x))) if &*x == "ab")
        );
        assert!(matches!(
            arith(Arith::Mul, &s("ab"), &Value::Int(2)),
            Err(PyErr::Type(_))
        ));
    }

    #[test]
    fn equality_rules() {
        assert!(py_eq(&Value::Int(1), &Value::Double(1.0)).is_err());
        assert!(py_eq(&Value::Bool(true), &Value::Int(1)).unwrap());
        assert!(py_eq(&Value::Int(1), &Value::Bool(true)).is_err());
        assert!(!py_eq(&s("a"), &Value::Null).unwrap());
        assert!(py_eq(&Value::Int(3), &Value::Null).is_err());
        assert!(py_eq(&Value::Null, &Value::Null).unwrap());
        let l1 = Value::list(vec![Value::Int(1)]);
        let l2 = Value::list(vec![Value::Double(1.0)]);
        assert!(py_eq(&l1, &l2).is_err());
        let nf = Value::Native(Native::Float(2.0));
        assert!(py_eq(&nf, &Value::Int(2)).unwrap());
        assert!(richcmp(Cmp::Lt, &Value::Double(1.5), &Value::Int(2)).unwrap());
        assert!(richcmp(Cmp::Lt, &Value::Int(1), &Value::Double(1.5)).is_err());
    }

    #[test]
    fn membership() {
        let l = Value::list(vec![s("a"), Value::Int(1)]);
        assert!(matches!(
            operator_in(&Value::Int(1), &l),
            Ok(Value::Bool(true))
        ));
        let l = Value::list(vec![s("a")]);
        assert!(matches!(
            operator_in(&Value::Int(1), &l),
            Ok(Value::Error(_))
        ));
        assert!(matches!(
            operator_in(&s("bc"), &s("abc")),
            Ok(Value::Bool(false))
        ));
        assert!(matches!(
            operator_in(&s("b"), &s("abc")),
            Ok(Value::Bool(true))
        ));
    }
}
