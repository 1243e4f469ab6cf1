//! The function library: cel-python's built-ins and Koreo's functions (§3.7, §4), with the
//! host-exception behaviour of their Python implementations (a `TypeError` or
//! `AttributeError` becomes `no such overload`, a `ValueError` `return error for overflow`).

use std::sync::Arc;

use base64::Engine as _;

use crate::error::{EvalError, PyErr, PyObj};
use crate::eval::Dialect;
use crate::ops::{self, Cmp};
use crate::python::{py_json_dumps, try_py_str};
use crate::regex_compat;
use crate::time::{Duration, Timestamp};
use crate::value::{Map, Native, PyType, Value};

const KOREO: [&str; 19] = [
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

const BUILTIN: [&str; 28] = [
    "size",
    "endsWith",
    "startsWith",
    "matches",
    "contains",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getFullYear",
    "getMonth",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getSeconds",
    "bool",
    "bytes",
    "double",
    "duration",
    "int",
    "list",
    "map",
    "null_type",
    "string",
    "timestamp",
    "uint",
    "type",
    "dyn",
];

/// Whether `name` is one of Koreo's library functions.
pub fn is_koreo_function(name: &str) -> bool {
    KOREO.contains(&name)
}

/// Whether a function of that name exists (global or method form).
pub fn exists(name: &str) -> bool {
    (KOREO.contains(&name) || BUILTIN.contains(&name)) && name != "dyn"
}

/// Every callable name, Koreo's first (for completion and docs).
pub fn function_names() -> impl Iterator<Item = &'static str> {
    KOREO
        .iter()
        .chain(BUILTIN.iter().filter(|n| **n != "dyn"))
        .copied()
}

/// What a bare identifier that is not a variable resolves to (a type or a function object).
pub(crate) fn global_name_value(name: &str) -> Option<Value> {
    Some(match name {
        "bool" => Value::Type(PyType::Bool),
        "bytes" => Value::Type(PyType::Bytes),
        "double" => Value::Type(PyType::Double),
        "duration" => Value::Type(PyType::Duration),
        "int" => Value::Type(PyType::Int),
        "list" => Value::Type(PyType::List),
        "map" => Value::Type(PyType::Map),
        "null_type" => Value::Type(PyType::NoneType),
        "string" => Value::Type(PyType::String),
        "timestamp" => Value::Type(PyType::Timestamp),
        "uint" => Value::Type(PyType::UInt),
        "type" => Value::Type(PyType::Type),
        _ => {
            let n = BUILTIN.iter().chain(KOREO.iter()).find(|n| **n == name)?;
            Value::Function(n)
        }
    })
}

fn tname(v: &Value) -> &'static str {
    v.py_type().name()
}

/// The type name CPython's argument parser prints: `None` rather than `NoneType`.
fn arg_tname(v: &Value) -> &'static str {
    match v {
        Value::Null => "None",
        other => tname(other),
    }
}

fn no_attr(v: &Value, attr: &str) -> PyErr {
    PyErr::Attribute(no_attr_text(v, attr))
}

/// Python's AttributeError text; a class (what `type(x)` or a function name evaluates to)
/// is a `type object`.
fn no_attr_text(v: &Value, attr: &str) -> String {
    match v {
        Value::Type(t) => {
            let q = t.qualname();
            let short = q.rsplit('.').next().unwrap_or(q);
            format!("type object '{short}' has no attribute '{attr}'")
        }
        other => format!("'{}' object has no attribute '{attr}'", tname(other)),
    }
}

/// Python's arity errors for a function with the given positional parameter names (the
/// first `min` required).
fn params(name: &str, args: &[Value], names: &[&str], min: usize) -> Result<(), PyErr> {
    if args.len() < min {
        let missing: Vec<String> = names[args.len()..min]
            .iter()
            .map(|n| format!("'{n}'"))
            .collect();
        let list = match missing.len() {
            1 => missing[0].clone(),
            _ => format!(
                "{} and {}",
                missing[..missing.len() - 1].join(", "),
                missing[missing.len() - 1]
            ),
        };
        return Err(PyErr::Type(format!(
            "{name}() missing {} required positional argument{}: {list}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )));
    }
    arity(name, args, 0, names.len())
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), PyErr> {
    if args.is_empty() && min == 1 && max == usize::MAX {
        return Err(PyErr::Type(format!(
            "{name}.__new__() missing 1 required positional argument: 'source'"
        )));
    }
    if args.len() < min || args.len() > max {
        return Err(PyErr::Type(format!(
            "{name}() takes {} positional argument{} but {} were given",
            max,
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

fn cel_err(msg: impl Into<String>) -> Value {
    Value::Error(Arc::new(EvalError::message(msg)))
}

/// `dict.get(key)` (no key-type validation, unlike `m[key]`).
fn get(v: &Value, key: &str) -> Result<Value, PyErr> {
    match v.as_map() {
        Some(m) => Ok(m.get_str(key).cloned().unwrap_or(Value::Null)),
        None => Err(no_attr(v, "get")),
    }
}

/// Calls a function with already evaluated arguments (method form: receiver first).
pub fn call(name: &str, args: &[Value], dialect: Dialect) -> Result<Value, PyErr> {
    match name {
        "size" => {
            params("function_size", args, &["container"], 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Int(0)),
                v => ops::py_len(v).map(|n| Value::Int(n as i64)),
            }
        }
        "endsWith" | "startsWith" => {
            arity("<lambda>", args, 2, 2)?;
            let meth = if name == "endsWith" {
                "endswith"
            } else {
                "startswith"
            };
            let r = match (&args[0], &args[1]) {
                (Value::String(a) | Value::Native(Native::Str(a)), b) => match b.as_str() {
                    Some(b) => {
                        if name == "endsWith" {
                            a.ends_with(b)
                        } else {
                            a.starts_with(b)
                        }
                    }
                    None => {
                        return Err(PyErr::Type(format!(
                            "{meth} first arg must be str or a tuple of str, not {}",
                            tname(b)
                        )));
                    }
                },
                (
                    Value::Bytes(a) | Value::Native(Native::Bytes(a)),
                    Value::Bytes(b) | Value::Native(Native::Bytes(b)),
                ) => {
                    if name == "endsWith" {
                        a.ends_with(b)
                    } else {
                        a.starts_with(b)
                    }
                }
                (Value::Bytes(_) | Value::Native(Native::Bytes(_)), b) => {
                    return Err(PyErr::Type(format!(
                        "{meth} first arg must be bytes or a tuple of bytes, not {}",
                        tname(b)
                    )));
                }
                (a, _) => return Err(no_attr(a, meth)),
            };
            Ok(Value::Bool(r))
        }
        "matches" => {
            arity("_function_matches_re", args, 2, 2)?;
            let text = &args[0];
            let pattern = match args[1].as_str() {
                Some(p) => p,
                None => {
                    return Err(PyErr::Type(
                        "first argument must be string or compiled pattern".into(),
                    ));
                }
            };
            let Some(text) = text.as_str() else {
                // re.search compiles the pattern before it looks at the text.
                match regex_compat::search(pattern, "", dialect) {
                    Err(regex_compat::SearchError::Pattern(msg)) => {
                        return Ok(Value::Error(Arc::new(EvalError::with_exc(
                            "match error",
                            "re.PatternError",
                            PyObj::Tuple(vec![PyObj::Str(msg)]),
                        ))));
                    }
                    Err(regex_compat::SearchError::Overflow(msg)) => {
                        return Err(PyErr::Overflow(msg));
                    }
                    Err(regex_compat::SearchError::Value(msg)) => return Err(PyErr::Value(msg)),
                    _ => {}
                }
                return Err(PyErr::Type(format!(
                    "expected string or bytes-like object, got '{}'",
                    tname(text)
                )));
            };
            match regex_compat::search(pattern, text, dialect) {
                Ok(b) => Ok(Value::Bool(b)),
                Err(regex_compat::SearchError::Budget) => {
                    Err(PyErr::Budget(crate::error::BudgetExceeded {
                        what: "regex backtracking",
                        limit: 1_000_000,
                    }))
                }
                Err(regex_compat::SearchError::Pattern(msg)) => {
                    Ok(Value::Error(Arc::new(EvalError::with_exc(
                        "match error",
                        "re.PatternError",
                        PyObj::Tuple(vec![PyObj::Str(msg)]),
                    ))))
                }
                Err(regex_compat::SearchError::Overflow(msg)) => Err(PyErr::Overflow(msg)),
                Err(regex_compat::SearchError::Value(msg)) => Err(PyErr::Value(msg)),
            }
        }
        "contains" => {
            arity("<lambda>", args, 2, 2)?;
            ops::py_contains(&args[0], &args[1]).map(Value::Bool)
        }
        "getDate" | "getDayOfMonth" | "getDayOfWeek" | "getDayOfYear" | "getFullYear"
        | "getMonth" | "getHours" | "getMilliseconds" | "getMinutes" | "getSeconds" => {
            arity("<lambda>", args, 1, 2)?;
            time_accessor(name, &args[0], args.get(1))
        }
        "bool" => {
            arity("BoolType", args, 1, 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Bool(false)),
                Value::Bool(b) => Ok(Value::Bool(*b)),
                v => py_int(v).map(|i| Value::Bool(i != 0)),
            }
        }
        "bytes" => {
            // `__new__(cls, source, *args)`: extra arguments are ignored.
            arity("BytesType", args, 1, usize::MAX)?;
            match &args[0] {
                Value::Null => Ok(Value::Bytes(Arc::from(&b""[..]))),
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => Ok(Value::Bytes(b.clone())),
                Value::String(x) | Value::Native(Native::Str(x)) => {
                    Ok(Value::Bytes(Arc::from(x.as_bytes())))
                }
                v @ (Value::List(_)
                | Value::Native(Native::List(_))
                | Value::Map(_)
                | Value::Native(Native::Dict(_))) => {
                    let mut out = Vec::new();
                    for item in ops::py_iter(v)? {
                        match item.as_int_like() {
                            Some(i) if (0..256).contains(&i) => out.push(i as u8),
                            Some(_) => {
                                return Err(PyErr::Value("bytes must be in range(0, 256)".into()));
                            }
                            None => {
                                return Err(PyErr::Type(format!(
                                    "'{}' object cannot be interpreted as an integer",
                                    tname(&item)
                                )));
                            }
                        }
                    }
                    Ok(Value::Bytes(out.into()))
                }
                v => Err(PyErr::Type(format!(
                    "Invalid initial value type: {}",
                    v.py_type().class_repr()
                ))),
            }
        }
        "double" => {
            arity("DoubleType", args, 1, 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Double(0.0)),
                v => py_float(v).map(Value::Double),
            }
        }
        "duration" => {
            arity("DurationType", args, 1, 2)?;
            match &args[0] {
                Value::Duration(d) | Value::Native(Native::Timedelta(d)) => ops::duration_type(*d),
                v @ (Value::String(x) | Value::Native(Native::Str(x))) => {
                    use crate::time::DurationError as E;
                    let py = crate::python::py_repr;
                    Duration::parse_celpy(x).map(Value::Duration).map_err(|e| {
                        PyErr::Value(match e {
                            E::Pattern => format!("Invalid duration {}", py(v)),
                            // `seconds[1:]` is a plain str; unsliced it keeps its class.
                            E::Unit {
                                stripped,
                                sign: true,
                            } => format!(
                                "Invalid duration {}",
                                crate::python::py_str_repr(&stripped)
                            ),
                            E::Unit { sign: false, .. } => format!("Invalid duration {}", py(v)),
                            other => other.message(x),
                        })
                    })
                }
                v => match v.as_int_like() {
                    Some(i) => {
                        if i.abs() > 315_576_000_000 {
                            Err(PyErr::Value("range error: {seconds}".into()))
                        } else {
                            Ok(Value::Duration(Duration::from_seconds(i as i64)))
                        }
                    }
                    None => Err(PyErr::Type(format!(
                        "Invalid initial value type: {}",
                        v.py_type().class_repr()
                    ))),
                },
            }
        }
        "int" => {
            // `__new__(cls, source, *args)`: extra arguments are ignored.
            arity("IntType", args, 1, usize::MAX)?;
            int_conv(&args[0])
        }
        "uint" => {
            // `__new__(cls, source, *args)`: extra arguments are ignored.
            arity("UintType", args, 1, usize::MAX)?;
            uint_conv(&args[0])
        }
        "string" => {
            // `__new__(cls, source, *args)`: extra arguments are ignored.
            arity("StringType", args, 1, usize::MAX)?;
            match &args[0] {
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => match std::str::from_utf8(b) {
                    Ok(x) => Ok(s(x)),
                    Err(e) => {
                        let (pos, end, reason) = utf8_error_span(b, &e);
                        Err(PyErr::ValueSub {
                            class: "UnicodeDecodeError",
                            args: PyObj::Tuple(vec![
                                PyObj::Str("utf-8".into()),
                                PyObj::Repr(crate::python::py_bytes_repr(b)),
                                PyObj::Int(pos as i128),
                                PyObj::Int(end as i128),
                                PyObj::Str(reason.into()),
                            ]),
                            msg: utf8_error(b, &e),
                        })
                    }
                },
                v => Ok(s(&try_py_str(v).map_err(ops::crash)?)),
            }
        }
        "timestamp" => timestamp_conv(args),
        "type" => {
            if args.len() != 1 {
                return Err(PyErr::Type("type() takes 1 or 3 arguments".into()));
            }
            Ok(Value::Type(args[0].py_type()))
        }
        "list" => {
            arity("ListType", args, 1, 1)?;
            Ok(Value::list(ops::py_iter(&args[0])?))
        }
        "map" => {
            arity("MapType", args, 0, 1)?;
            map_conv(args.first())
        }
        "null_type" => Err(PyErr::Type("NoneType takes no arguments".into())),
        _ => koreo(name, args),
    }
}

/// CPython's UTF-8 decoder verdict: the offending span (the maximal subpart of a
/// sequence, as Rust's `error_len`) and its reason.
fn utf8_error_span(b: &[u8], e: &std::str::Utf8Error) -> (usize, usize, &'static str) {
    let pos = e.valid_up_to();
    match e.error_len() {
        None => (pos, b.len(), "unexpected end of data"),
        Some(n) => {
            let lead = b.get(pos).copied().unwrap_or(0);
            if matches!(lead, 0x80..=0xC1 | 0xF5..=0xFF) {
                (pos, pos + 1, "invalid start byte")
            } else {
                (pos, pos + n, "invalid continuation byte")
            }
        }
    }
}

/// Koreo's `replace` on a bytes value: `bytes.replace(old, new)` (both must be bytes), then
/// `StringType(result)`, which decodes it as UTF-8.
fn bytes_replace(text: &[u8], old: &Value, new: &Value) -> Result<Value, PyErr> {
    let bytes_arg = |v: &Value| match v {
        Value::Bytes(b) => Ok(b.clone()),
        other => Err(cel_err(format!(
            "Replace error a bytes-like object is required, not '{}'",
            tname(other)
        ))),
    };
    let old = match bytes_arg(old) {
        Ok(b) => b,
        Err(e) => return Ok(e),
    };
    let new = match bytes_arg(new) {
        Ok(b) => b,
        Err(e) => return Ok(e),
    };
    let hits = if old.is_empty() {
        text.len() + 1
    } else {
        text.windows(old.len()).filter(|w| *w == &old[..]).count()
    };
    crate::budget::check_size(text.len() + hits * new.len())?;
    let mut out = Vec::with_capacity(text.len());
    if old.is_empty() {
        // Python inserts `new` before every byte and at the end.
        for &c in text {
            out.extend_from_slice(&new);
            out.push(c);
        }
        out.extend_from_slice(&new);
    } else {
        let mut i = 0;
        while i < text.len() {
            if text[i..].starts_with(&old) {
                out.extend_from_slice(&new);
                i += old.len();
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    Ok(match std::str::from_utf8(&out) {
        Ok(t) => s(t),
        Err(e) => cel_err(format!("Replace error {}", utf8_error(&out, &e))),
    })
}

/// `str(UnicodeDecodeError)` for a failed UTF-8 decode.
fn utf8_error(b: &[u8], e: &std::str::Utf8Error) -> String {
    let (start, end, reason) = utf8_error_span(b, e);
    if end - start == 1 {
        format!(
            "'utf-8' codec can't decode byte 0x{:02x} in position {start}: {reason}",
            b.get(start).copied().unwrap_or(0)
        )
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
            end - 1
        )
    }
}

/// Python `int(x)` (what `int()`/`bool()` delegate to).
fn py_int(v: &Value) -> Result<i128, PyErr> {
    if let Some(i) = v.as_int_like() {
        return Ok(i);
    }
    match v {
        Value::Double(f) | Value::Native(Native::Float(f)) => {
            if f.is_nan() {
                Err(PyErr::Value("cannot convert float NaN to integer".into()))
            } else if f.is_infinite() {
                Err(PyErr::Overflow(
                    "cannot convert float infinity to integer".into(),
                ))
            } else {
                Ok(f.trunc() as i128)
            }
        }
        Value::String(x) | Value::Native(Native::Str(x)) => parse_py_int(x).ok_or_else(|| {
            PyErr::Value(format!(
                "invalid literal for int() with base 10: {}",
                crate::python::py_repr(v)
            ))
        }),
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => std::str::from_utf8(b)
            .ok()
            .and_then(parse_py_int)
            .ok_or_else(|| {
                PyErr::Value(format!(
                    "invalid literal for int() with base 10: {}",
                    crate::python::py_bytes_repr(b)
                ))
            }),
        other => Err(PyErr::Type(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            tname(other)
        ))),
    }
}

/// Python `int(str)` with base 10: surrounding whitespace, sign, `_` between digits.
fn parse_py_int(s: &str) -> Option<i128> {
    let t = s.trim_matches(|c: char| c.is_whitespace());
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !clean.chars().all(|c| c.is_ascii_digit()) {
        // Python accepts other Unicode decimal digits too; rare enough to leave out.
        return None;
    }
    let v: i128 = clean.parse().ok()?;
    Some(if neg { -v } else { v })
}

fn hex_prefixed(s: &str) -> Option<(bool, &str)> {
    if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some((false, r))
    } else {
        s.strip_prefix("-0x")
            .or_else(|| s.strip_prefix("-0X"))
            .map(|r| (true, r))
    }
}

fn parse_hex(v: &Value, digits: &str) -> Result<i128, PyErr> {
    let clean: String = digits.trim().chars().filter(|c| *c != '_').collect();
    i128::from_str_radix(&clean, 16)
        .map_err(|_| {
            PyErr::Value(format!(
                "invalid literal for int() with base 16: {}",
                crate::python::py_str_repr(digits)
            ))
        })
        .and_then(|i| {
            if clean.is_empty() {
                Err(PyErr::Value(format!(
                    "invalid literal for int() with base 16: {}",
                    crate::python::py_repr(v)
                )))
            } else {
                Ok(i)
            }
        })
}

fn int_conv(v: &Value) -> Result<Value, PyErr> {
    match v {
        Value::Null => Ok(Value::Int(0)),
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Double(f) | Value::Native(Native::Float(f)) => {
            ops::int64(ops::py_round_clamped(*f)?)
        }
        Value::Timestamp(t) => ops::int64(t.epoch_seconds_f64().trunc() as i128),
        Value::String(x) | Value::Native(Native::Str(x)) if hex_prefixed(x).is_some() => {
            let (neg, digits) = hex_prefixed(x).unwrap_or((false, ""));
            let n = parse_hex(v, digits)?;
            ops::int64(if neg { -n } else { n })
        }
        other => ops::int64(py_int(other)?),
    }
}

fn uint_conv(v: &Value) -> Result<Value, PyErr> {
    match v {
        Value::UInt(u) => Ok(Value::UInt(*u)),
        Value::Null => Ok(Value::UInt(0)),
        Value::Double(f) | Value::Native(Native::Float(f)) => {
            ops::uint64(ops::py_round_clamped(*f)?)
        }
        Value::Timestamp(t) => ops::uint64(t.epoch_seconds_f64().trunc() as i128),
        Value::String(x) | Value::Native(Native::Str(x))
            if x.starts_with("0x") || x.starts_with("0X") =>
        {
            ops::uint64(parse_hex(v, &x[2..])?)
        }
        other => ops::uint64(py_int(other)?),
    }
}

/// Python `float(x)`.
fn py_float(v: &Value) -> Result<f64, PyErr> {
    if let Some(i) = v.as_int_like() {
        return Ok(i as f64);
    }
    match v {
        Value::Double(f) | Value::Native(Native::Float(f)) => Ok(*f),
        Value::String(_) | Value::Native(Native::Str(_)) => {
            parse_py_float(v.as_str().unwrap_or_default()).ok_or_else(|| {
                PyErr::Value(format!(
                    "could not convert string to float: {}",
                    crate::python::py_repr(v)
                ))
            })
        }
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => std::str::from_utf8(b)
            .ok()
            .and_then(parse_py_float)
            .ok_or_else(|| {
                PyErr::Value(format!(
                    "could not convert string to float: {}",
                    crate::python::py_repr(v)
                ))
            }),
        other => Err(PyErr::Type(format!(
            "float() argument must be a string or a real number, not '{}'",
            tname(other)
        ))),
    }
}

/// Python `float(str)`: whitespace, `_` between digits, `inf`/`nan`/`infinity` any case.
pub(crate) fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_whitespace());
    let (sign, body) = match t.as_bytes().first()? {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => return Some(sign * f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty() || body.contains("__") || body.starts_with('_') || body.ends_with('_') {
        return None;
    }
    let ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'));
    if !ok {
        return None;
    }
    // `_` must sit between digits.
    let b = body.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'_'
            && !(i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    if !clean.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    clean.parse::<f64>().ok().map(|f| sign * f)
}

fn timestamp_conv(args: &[Value]) -> Result<Value, PyErr> {
    let Some(first) = args.first() else {
        return Err(PyErr::Type(
            "TimestampType.__new__() missing 1 required positional argument: 'source'".into(),
        ));
    };
    match first {
        Value::Timestamp(t) => Ok(Value::Timestamp(*t)),
        // Extra arguments are ignored for a string source.
        Value::String(x) | Value::Native(Native::Str(x)) => crate::time::parse_pendulum(x)
            .map(Value::Timestamp)
            .map_err(|e| match e {
                crate::time::ParseFailure::Parser(m) => PyErr::ValueSub {
                    class: "pendulum.parsing.exceptions.ParserError",
                    args: PyObj::Tuple(vec![PyObj::Str(m.clone())]),
                    msg: m,
                },
                crate::time::ParseFailure::Value(m) => PyErr::Value(m),
                crate::time::ParseFailure::Type(m) => PyErr::Type(m),
                crate::time::ParseFailure::Attribute(m) => PyErr::Attribute(m),
            }),
        v if v.as_int_like().is_some() && args.len() >= 3 && args.len() <= 7 => {
            let mut f = [0i64; 7];
            for (i, a) in args.iter().enumerate() {
                f[i] = a.as_int_like().ok_or_else(|| {
                    PyErr::Type(format!(
                        "'{}' object cannot be interpreted as an integer",
                        tname(a)
                    ))
                })? as i64;
            }
            if !(0..1_000_000).contains(&f[6]) {
                return Err(PyErr::Value("microsecond must be in 0..999999".into()));
            }
            Timestamp::from_civil(f[0], f[1], f[2], f[3], f[4], f[5], f[6], 0)
                .map(Value::Timestamp)
                .map_err(|e| match e {
                    crate::time::TimeError::Value(m) | crate::time::TimeError::Overflow(m) => {
                        PyErr::Value(m)
                    }
                })
        }
        // The message holds the argument's repr, which can crash the formatter.
        v => Err(PyErr::Type(format!(
            "Cannot create {} from {}",
            PyType::Timestamp.class_repr(),
            crate::python::try_py_repr(v).map_err(ops::crash)?
        ))),
    }
}

fn map_conv(arg: Option<&Value>) -> Result<Value, PyErr> {
    let mut m = Map::new();
    match arg {
        None | Some(Value::Null) => {}
        Some(Value::Map(src) | Value::Native(Native::Dict(src))) => {
            for (k, v) in src.iter() {
                ops::dict_set(&mut m, k.clone(), v.clone())?;
            }
        }
        Some(
            seq @ (Value::List(_)
            | Value::Native(Native::List(_))
            | Value::String(_)
            | Value::Native(Native::Str(_))),
        ) => {
            for pair in ops::py_iter(seq)? {
                let items = ops::py_iter(&pair).map_err(|_| {
                    PyErr::Type(format!(
                        "cannot unpack non-iterable {} object",
                        tname(&pair)
                    ))
                })?;
                if items.len() != 2 {
                    return Err(PyErr::Value(if items.len() > 2 {
                        "too many values to unpack (expected 2)".to_string()
                    } else {
                        format!(
                            "not enough values to unpack (expected 2, got {})",
                            items.len()
                        )
                    }));
                }
                let mut it = items.into_iter();
                let (k, v) = (
                    it.next().unwrap_or(Value::Null),
                    it.next().unwrap_or(Value::Null),
                );
                ops::dict_set(&mut m, k, v)?;
            }
        }
        Some(other) => {
            return Err(PyErr::Type(format!(
                "Invalid initial value type: {}",
                other.py_type().class_repr()
            )));
        }
    }
    Ok(Value::map(m))
}

fn tz_offset(tz: Option<&Value>, at: &Timestamp) -> Result<i32, PyErr> {
    let Some(tz) = tz else { return Ok(0) };
    if !tz.truthy() {
        return Ok(0);
    }
    let Some(name) = tz.as_str() else {
        return Err(PyErr::Type(format!(
            "expected string or bytes-like object, got '{}'",
            tname(tz)
        )));
    };
    // IANA names first (as pendulum's `timezone()`), then `[+-]HH:MM`.
    if let Ok(zone) = jiff::tz::TimeZone::get(name) {
        // jiff's instants stop a day short of datetime's range; the zone's rules at the
        // edge are the same.
        let instant = jiff::Timestamp::from_microsecond(at.utc_micros() as i64).unwrap_or(
            if at.utc_micros() < 0 {
                jiff::Timestamp::MIN
            } else {
                jiff::Timestamp::MAX
            },
        );
        return Ok(zone.to_offset(instant).seconds());
    }
    let b = name.as_bytes();
    let (sign, rest) = match b.first() {
        Some(b'-') => (-1, &name[1..]),
        Some(b'+') => (1, &name[1..]),
        _ => (1, name),
    };
    if let Some((h, m)) = rest.split_once(':')
        && (1..=2).contains(&h.len())
        && m.len() == 2
        && h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit())
    {
        let h: i32 = h.parse().unwrap_or(0);
        let m: i32 = m.parse().unwrap_or(0);
        return Ok(sign * (h * 3600 + m * 60));
    }
    Err(PyErr::Value(format!(
        "Unparsable timezone: {}",
        crate::python::py_repr(tz)
    )))
}

fn time_accessor(name: &str, target: &Value, tz: Option<&Value>) -> Result<Value, PyErr> {
    match target {
        Value::Timestamp(t) => {
            let c = t.with_offset(tz_offset(tz, t)?).civil();
            // `astimezone` cannot leave datetime's years 1..=9999.
            if !(1..=9999).contains(&c.year) {
                return Err(PyErr::Overflow("date value out of range".into()));
            }
            Ok(Value::Int(match name {
                "getDate" => c.day,
                "getDayOfMonth" => c.day - 1,
                "getDayOfWeek" => (c.weekday + 1) % 7,
                "getDayOfYear" => c.yday - 1,
                "getFullYear" => c.year,
                "getMonth" => c.month - 1,
                "getHours" => c.hour,
                "getMilliseconds" => c.micro / 1000,
                "getMinutes" => c.minute,
                _ => c.second,
            }))
        }
        Value::Duration(d)
            if matches!(
                name,
                "getHours" | "getMilliseconds" | "getMinutes" | "getSeconds"
            ) =>
        {
            if tz.is_some() {
                return Err(PyErr::Other {
                    class: "AssertionError",
                    msg: String::new(),
                });
            }
            let secs = d.total_seconds();
            let v = match name {
                "getHours" => secs / 60.0 / 60.0,
                "getMilliseconds" => secs * 1000.0,
                "getMinutes" => secs / 60.0,
                _ => secs,
            };
            ops::int64(v.trunc() as i128)
        }
        other => Err(no_attr(other, name)),
    }
}

fn need_str<'v>(v: &'v Value, meth: &str) -> Result<&'v str, PyErr> {
    v.as_str().ok_or_else(|| no_attr(v, meth))
}

/// The bytes of a `bytes` value (CEL or host).
fn bytes_of(v: &Value) -> Option<&[u8]> {
    match v {
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => Some(b),
        _ => None,
    }
}

/// The TypeError of a bytes method given a non-bytes argument.
fn bytes_needed(v: &Value) -> PyErr {
    PyErr::Type(format!(
        "a bytes-like object is required, not '{}'",
        tname(v)
    ))
}

/// `StringType(b)`: a strict UTF-8 decode whose failure is a ValueError.
fn decoded(b: &[u8]) -> Result<Value, PyErr> {
    match std::str::from_utf8(b) {
        Ok(t) => Ok(s(t)),
        Err(e) => Err(PyErr::Value(utf8_error(b, &e))),
    }
}

/// Python `bytes.split(sep)` for a non-empty separator.
fn bytes_split<'b>(text: &'b [u8], sep: &[u8]) -> Vec<&'b [u8]> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + sep.len() <= text.len() {
        if &text[i..i + sep.len()] == sep {
            out.push(&text[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out
}

/// Python `str.split(sep)`.
fn py_split<'s>(s: &'s str, sep: &str) -> Vec<&'s str> {
    s.split(sep).collect()
}

fn str_arg<'v>(v: &'v Value, meth: &str, pos: usize) -> Result<&'v str, PyErr> {
    v.as_str().ok_or_else(|| {
        if meth == "split" || meth == "rsplit" || meth == "strip" || meth == "rstrip" {
            PyErr::Type(format!("must be str or None, not {}", tname(v)))
        } else {
            PyErr::Type(format!(
                "{meth}() argument {pos} must be str, not {}",
                arg_tname(v)
            ))
        }
    })
}

fn ref_common(source: &Value, reference: &mut Map, which: &str) -> Result<Option<Value>, PyErr> {
    let _ = which;
    // `"external" in source` comes before any `source.get(...)`: kindless_ref of a list or
    // string tests membership first.
    if ops::py_contains(source, &s("external"))? {
        let ext = get(source, "external")?;
        if !ext.truthy() {
            return Ok(Some(cel_err("`external` must contain a value.")));
        }
        reference.insert_str("external", ext);
        return Ok(None);
    }
    if !ops::py_contains(source, &s("name"))? {
        return Ok(Some(cel_err(
            "`external` or `name` are required to build a reference.",
        )));
    }
    let name = get(source, "name")?;
    if !name.truthy() {
        return Ok(Some(cel_err("`name` must contain a value.")));
    }
    reference.insert_str("name", name);
    let ns = get(source, "namespace")?;
    if ns.truthy() {
        reference.insert_str("namespace", ns);
    }
    Ok(None)
}

/// `str.isspace()` for one character (Unicode White_Space plus the information
/// separators U+001C..U+001F, which Python also counts).
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The Koreo string functions call methods on their first argument; when that argument is
/// the class `str` itself (`string.split(x)`, `type("a").strip(x)`), Python calls the
/// unbound method with the *next* argument as `self`.
fn unbound_str_method(name: &str, args: &[Value]) -> Option<Result<Value, PyErr>> {
    if !matches!(
        args.first(),
        Some(Value::Type(PyType::String | PyType::NativeStr))
    ) {
        return None;
    }
    let descriptor = |meth: &str, v: &Value| {
        PyErr::Type(format!(
            "descriptor '{meth}' for 'str' objects doesn't apply to a '{}' object",
            tname(v)
        ))
    };
    let unbound =
        |meth: &str| PyErr::Type(format!("unbound method str.{meth}() needs an argument"));
    let words = |t: &str| -> Vec<Value> {
        t.split(py_isspace)
            .filter(|w| !w.is_empty())
            .map(s)
            .collect()
    };
    Some(match (name, args) {
        ("lower", [_]) => Err(unbound("lower")),
        ("b64encode", [_]) => Ok(cel_err(format!(
            "Base64 Encoding error {}",
            unbound("encode").message()
        ))),
        ("strip" | "rstrip", [_, on]) => match on.as_str() {
            Some(t) => Ok(s(if name == "strip" {
                t.trim_matches(py_isspace)
            } else {
                t.trim_end_matches(py_isspace)
            })),
            None => Err(descriptor(name, on)),
        },
        ("split" | "split_index" | "split_first" | "split_last", [_, on, rest @ ..])
            if on.truthy() =>
        {
            let Some(t) = on.as_str() else {
                let meth = if name == "split_last" {
                    "rsplit"
                } else {
                    "split"
                };
                return Some(Err(descriptor(meth, on)));
            };
            match (name, rest) {
                ("split", []) => Ok(Value::list(words(t))),
                ("split_index", [index]) => {
                    let parts = words(t);
                    let Some(i) = index.as_int_like() else {
                        return Some(Err(PyErr::Type(format!(
                            "list indices must be integers or slices, not {}",
                            tname(index)
                        ))));
                    };
                    let n = parts.len() as i128;
                    let j = if i < 0 { i + n } else { i };
                    match usize::try_from(j).ok().and_then(|j| parts.get(j)) {
                        Some(p) => Ok(p.clone()),
                        None => Ok(cel_err("index out of bounds on split")),
                    }
                }
                // `str.split(on, 1)`: the 1 lands in `sep`.
                ("split_first" | "split_last", []) => {
                    Err(PyErr::Type("must be str or None, not int".into()))
                }
                _ => return None,
            }
        }
        ("replace", [_, old, _new]) => match old.as_str() {
            Some(_) => Ok(cel_err(
                "Replace error replace() takes at least 2 positional arguments (1 given)",
            )),
            None => Ok(cel_err(format!(
                "Replace error {}",
                descriptor("replace", old).message()
            ))),
        },
        _ => return None,
    })
}

fn koreo(name: &str, args: &[Value]) -> Result<Value, PyErr> {
    let fname = format!("_{name}");
    if let Some(r) = unbound_str_method(name, args) {
        return r;
    }
    match name {
        "self_ref" => {
            params(&fname, args, &["resource"], 1)?;
            let r = &args[0];
            let api = get(r, "apiVersion")?;
            if !api.truthy() {
                return Ok(cel_err("Missing `apiVersion`."));
            }
            let kind = get(r, "kind")?;
            if !kind.truthy() {
                return Ok(cel_err("Missing `kind`."));
            }
            let md = get(r, "metadata")?;
            if !md.truthy() {
                return Ok(cel_err("Missing `metadata`."));
            }
            let n = get(&md, "name")?;
            if !n.truthy() {
                return Ok(cel_err("Missing `metadata.name`."));
            }
            let ns = get(&md, "namespace")?;
            if !ns.truthy() {
                return Ok(cel_err("Missing `metadata.namespace`."));
            }
            let mut m = Map::with_capacity(4);
            m.insert_str("apiVersion", api);
            m.insert_str("kind", kind);
            m.insert_str("name", n);
            m.insert_str("namespace", ns);
            Ok(Value::map(m))
        }
        "to_ref" | "group_ref" | "kindless_ref" => {
            params(&fname, args, &["source"], 1)?;
            let src = &args[0];
            let mut m = Map::new();
            if name == "to_ref" {
                let api = get(src, "apiVersion")?;
                if api.truthy() {
                    m.insert_str("apiVersion", api);
                }
            } else if name == "group_ref" {
                let g = get(src, "apiGroup")?;
                if g.truthy() {
                    m.insert_str("apiGroup", g);
                } else {
                    let api = get(src, "apiVersion")?;
                    if let (true, Value::String(a)) = (api.truthy(), &api) {
                        let group = a.split('/').next().unwrap_or_default();
                        m.insert_str("apiGroup", s(group));
                    }
                }
            }
            if name != "kindless_ref" {
                let kind = get(src, "kind")?;
                if kind.truthy() {
                    m.insert_str("kind", kind);
                }
            }
            if let Some(err) = ref_common(src, &mut m, name)? {
                return Ok(err);
            }
            Ok(Value::map(m))
        }
        "config_connect_ready" => {
            params(&fname, args, &["resource"], 1)?;
            let r = &args[0];
            if !ops::py_contains(r, &s("status"))? {
                return Ok(Value::Bool(false));
            }
            let status = get(r, "status")?;
            if !ops::py_contains(&status, &s("conditions"))? {
                return Ok(Value::Bool(false));
            }
            let conditions = get(&status, "conditions")?;
            let mut ready: Option<Value> = None;
            for c in ops::py_iter(&conditions)? {
                let t = get(&c, "type")?;
                if ops::richcmp(Cmp::Ne, &t, &Value::Native(Native::Str("Ready".into())))? {
                    continue;
                }
                if ready.is_some() {
                    return Ok(Value::Bool(false));
                }
                ready = Some(c);
            }
            let Some(ready) = ready.filter(Value::truthy) else {
                return Ok(Value::Bool(false));
            };
            let reason = get(&ready, "reason")?;
            if ops::richcmp(
                Cmp::Ne,
                &reason,
                &Value::Native(Native::Str("UpToDate".into())),
            )? {
                return Ok(Value::Bool(false));
            }
            let st = get(&ready, "status")?;
            if ops::richcmp(Cmp::Ne, &st, &Value::Native(Native::Str("True".into())))? {
                return Ok(Value::Bool(false));
            }
            Ok(Value::Bool(true))
        }
        "overlay" => {
            params(&fname, args, &["resource", "overlay"], 2)?;
            deep_overlay(&args[0], &args[1])
        }
        "flatten" => {
            params(&fname, args, &["resource"], 1)?;
            if !args[0].truthy() {
                return Ok(Value::list(Vec::new()));
            }
            let mut out = Vec::new();
            for nested in ops::py_iter(&args[0])? {
                let items = ops::py_iter(&nested)?;
                crate::budget::check_size(out.len() + items.len())?;
                out.extend(items);
            }
            Ok(Value::list(out))
        }
        "lower" => {
            params(&fname, args, &["string"], 1)?;
            match &args[0] {
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => {
                    let low = b.to_ascii_lowercase();
                    match std::str::from_utf8(&low) {
                        Ok(x) => Ok(s(x)),
                        Err(e) => Err(PyErr::Value(utf8_error(&low, &e))),
                    }
                }
                v => Ok(s(&need_str(v, "lower")?.to_lowercase())),
            }
        }
        "strip" | "rstrip" => {
            params(&fname, args, &["string", "on"], 2)?;
            if let Some(b) = bytes_of(&args[0]) {
                let set: &[u8] = match &args[1] {
                    Value::Null => b" \t\n\r\x0b\x0c",
                    v => bytes_of(v).ok_or_else(|| bytes_needed(v))?,
                };
                let keep = |c: &u8| !set.contains(c);
                let end = b.iter().rposition(keep).map_or(0, |i| i + 1);
                let start = if name == "strip" {
                    b[..end].iter().position(keep).unwrap_or(end)
                } else {
                    0
                };
                return decoded(&b[start..end]);
            }
            let text = need_str(&args[0], name)?;
            let chars = match &args[1] {
                Value::Null => None,
                v => Some(
                    v.as_str()
                        .ok_or_else(|| PyErr::Type(format!("{name} arg must be None or str")))?,
                ),
            };
            let pred = |c: char| match chars {
                Some(set) => set.contains(c),
                None => py_isspace(c),
            };
            Ok(s(if name == "strip" {
                text.trim_matches(pred)
            } else {
                text.trim_end_matches(pred)
            }))
        }
        "split" | "split_first" | "split_last" => {
            params(&fname, args, &["string", "on"], 2)?;
            if !args[1].truthy() {
                return Ok(cel_err("split separator may not be empty"));
            }
            // split_first/split_last return "" for any falsy first argument before it is
            // used as a string.
            if name != "split" && !args[0].truthy() {
                return Ok(s(""));
            }
            let meth = if name == "split_last" {
                "rsplit"
            } else {
                "split"
            };
            if let Some(b) = bytes_of(&args[0]) {
                let sep = bytes_of(&args[1]).ok_or_else(|| bytes_needed(&args[1]))?;
                return match name {
                    "split" => {
                        let parts = bytes_split(b, sep);
                        crate::budget::check_size(parts.len())?;
                        let items: Result<Vec<Value>, PyErr> =
                            parts.into_iter().map(decoded).collect();
                        Ok(Value::list(items?))
                    }
                    "split_first" => decoded(bytes_split(b, sep)[0]),
                    _ => {
                        let at = b.windows(sep.len()).rposition(|w| w == sep);
                        decoded(at.map_or(b, |i| &b[i + sep.len()..]))
                    }
                };
            }
            let text = need_str(&args[0], meth)?;
            let sep = str_arg(&args[1], meth, 1)?;
            match name {
                "split" => {
                    let parts = py_split(text, sep);
                    crate::budget::check_size(parts.len())?;
                    Ok(Value::list(parts.into_iter().map(s).collect()))
                }
                "split_first" => Ok(s(text.split(sep).next().unwrap_or_default())),
                _ => Ok(s(text.rsplit(sep).next().unwrap_or_default())),
            }
        }
        "split_index" => {
            params(&fname, args, &["string", "on", "index"], 3)?;
            if !args[1].truthy() {
                return Ok(cel_err("split separator may not be empty"));
            }
            if !args[0].truthy() {
                return Ok(s(""));
            }
            let bytes_parts;
            let parts: Vec<&str>;
            let bytes_mode = bytes_of(&args[0]);
            if let Some(b) = bytes_mode {
                let sep = bytes_of(&args[1]).ok_or_else(|| bytes_needed(&args[1]))?;
                bytes_parts = bytes_split(b, sep);
                parts = Vec::new();
            } else {
                let text = need_str(&args[0], "split")?;
                let sep = str_arg(&args[1], "split", 1)?;
                bytes_parts = Vec::new();
                parts = py_split(text, sep);
            }
            let Some(i) = args[2].as_int_like() else {
                return Err(PyErr::Type(format!(
                    "list indices must be integers or slices, not {}",
                    tname(&args[2])
                )));
            };
            let n = if bytes_mode.is_some() {
                bytes_parts.len()
            } else {
                parts.len()
            } as i128;
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return Ok(cel_err("index out of bounds on split"));
            }
            if bytes_mode.is_some() {
                return decoded(bytes_parts[j as usize]);
            }
            Ok(s(parts[j as usize]))
        }
        "to_json" => {
            params(&fname, args, &["value"], 1)?;
            match py_json_dumps(&args[0], true) {
                Ok(text) => Ok(s(&text)),
                Err(PyErr::Budget(b)) => Err(PyErr::Budget(b)),
                Err(e) => Ok(cel_err(format!("JSON Encoding error {}", e.message()))),
            }
        }
        "from_json" => {
            params(&fname, args, &["value"], 1)?;
            let text = match &args[0] {
                Value::String(x) | Value::Native(Native::Str(x)) => x.to_string(),
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => {
                    String::from_utf8_lossy(b).into_owned()
                }
                other => {
                    return Ok(cel_err(format!(
                        "JSON Decoding error the JSON object must be str, bytes or bytearray, not {}",
                        tname(other)
                    )));
                }
            };
            match crate::pyjson::loads(&text) {
                Ok(v) => Ok(v),
                Err(msg) => Ok(cel_err(format!("JSON Decoding error {msg}"))),
            }
        }
        "b64encode" => {
            params(&fname, args, &["value"], 1)?;
            match args[0].as_str() {
                Some(x) => Ok(s(
                    &base64::engine::general_purpose::STANDARD.encode(x.as_bytes())
                )),
                None => Ok(cel_err(format!(
                    "Base64 Encoding error {}",
                    no_attr_text(&args[0], "encode")
                ))),
            }
        }
        "b64decode" => {
            params(&fname, args, &["value"], 1)?;
            let raw: Vec<u8> = match &args[0] {
                Value::String(x) | Value::Native(Native::Str(x)) => {
                    if !x.is_ascii() {
                        return Ok(cel_err(
                            "Base64 Encoding error string argument should contain only ASCII characters",
                        ));
                    }
                    x.as_bytes().to_vec()
                }
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => b.to_vec(),
                other => {
                    return Ok(cel_err(format!(
                        "Base64 Encoding error argument should be a bytes-like object or ASCII string, not '{}'",
                        tname(other)
                    )));
                }
            };
            match lenient_b64decode(&raw) {
                Err(msg) => Ok(cel_err(format!("Base64 Encoding error {msg}"))),
                Ok(bytes) => match std::str::from_utf8(&bytes) {
                    Ok(x) => Ok(s(x)),
                    Err(e) => Ok(cel_err(format!(
                        "Base64 Encoding error {}",
                        utf8_error(&bytes, &e)
                    ))),
                },
            }
        }
        "replace" => {
            params(&fname, args, &["value", "old", "new"], 3)?;
            if let Value::Bytes(b) = &args[0] {
                return bytes_replace(b, &args[1], &args[2]);
            }
            let text = match args[0].as_str() {
                Some(t) => t,
                None => {
                    return Ok(cel_err(format!(
                        "Replace error {}",
                        no_attr_text(&args[0], "replace")
                    )));
                }
            };
            let (Some(old), Some(new)) = (args[1].as_str(), args[2].as_str()) else {
                let bad = if args[1].as_str().is_none() {
                    (1, &args[1])
                } else {
                    (2, &args[2])
                };
                return Ok(cel_err(format!(
                    "Replace error replace() argument {} must be str, not {}",
                    bad.0,
                    arg_tname(bad.1)
                )));
            };
            let est = if old.is_empty() {
                text.len() + (text.chars().count() + 1) * new.len()
            } else {
                text.len() + text.matches(old).count() * new.len()
            };
            crate::budget::check_size(est)?;
            Ok(s(&text.replace(old, new)))
        }
        _ => Err(PyErr::Other {
            class: "KeyError",
            msg: name.to_string(),
        }),
    }
}

/// Python's non-strict `base64.b64decode`: characters outside the alphabet are dropped.
fn lenient_b64decode(raw: &[u8]) -> Result<Vec<u8>, String> {
    let val = |c: u8| -> Option<u8> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::new();
    let mut quad = 0u32;
    let mut acc = 0u32;
    let mut pads = 0;
    let mut data_chars = 0usize;
    for &c in raw {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    // Padding completes the quantum: flush it; decoding stops here.
                    if quad == 2 {
                        out.push((acc >> 4) as u8);
                    } else {
                        out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
                    }
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(v) = val(c) else { continue };
        if pads > 0 {
            pads = 0;
        }
        data_chars += 1;
        acc = (acc << 6) | v as u32;
        quad += 1;
        if quad == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            quad = 0;
            acc = 0;
        }
    }
    match quad {
        0 => Ok(out),
        1 => Err(format!(
            "Invalid base64-encoded string: number of data characters ({data_chars}) cannot be 1 more than a multiple of 4"
        )),
        _ => Err("Incorrect padding".into()),
    }
}

fn deep_overlay(resource: &Value, overlay: &Value) -> Result<Value, PyErr> {
    let Some(ov) = overlay.as_map() else {
        return Err(no_attr(overlay, "items"));
    };
    match resource {
        Value::Map(base) | Value::Native(Native::Dict(base)) => {
            let mut out: Map = (**base).clone();
            for (field, ov_value) in ov.iter() {
                if ops::dict_contains(&out, field)? {
                    // `resource[field]`: MapType's lookup rejects key types (null, double).
                    if matches!(resource, Value::Map(_)) && !ops::valid_key_type(field) {
                        return Err(PyErr::Type(format!(
                            "unsupported key type: {}",
                            field.py_type().class_repr()
                        )));
                    }
                    let current = ops::dict_lookup(&out, field)?
                        .cloned()
                        .unwrap_or(Value::Null);
                    if let (Value::Map(_), Value::Map(_)) = (ov_value, &current) {
                        let merged = deep_overlay(&current, ov_value)?;
                        ops::dict_set(&mut out, field.clone(), merged)?;
                        continue;
                    }
                }
                ops::dict_set(&mut out, field.clone(), ov_value.clone())?;
            }
            Ok(match resource {
                Value::Map(_) => Value::map(out),
                _ => Value::Native(Native::Dict(Arc::new(out))),
            })
        }
        Value::List(_) | Value::Native(Native::List(_)) => {
            // `resource[field] = value` on a (copied) list: integer fields assign in
            // range; the rest fail as Python's list does.
            let mut cur = resource.clone();
            for (field, ov_value) in ov.iter() {
                let mut value = ov_value.clone();
                if ops::py_contains(&cur, field)? {
                    let current = ops::getitem(&cur, field)?;
                    if let (Value::Map(_), Value::Map(_)) = (ov_value, &current) {
                        value = deep_overlay(&current, ov_value)?;
                    }
                }
                if let Value::List(l) | Value::Native(Native::List(l)) = &mut cur {
                    list_assign(Arc::make_mut(l).as_mut_slice(), field, value)?;
                }
            }
            Ok(cur)
        }
        other => {
            // Strings, numbers, … fail on membership, lookup or item assignment.
            if let Some((field, _)) = ov.iter().next() {
                if ops::py_contains(other, field)? {
                    ops::getitem(other, field)?;
                }
                return Err(PyErr::Type(format!(
                    "'{}' object does not support item assignment",
                    tname(other)
                )));
            }
            Ok(other.clone())
        }
    }
}

/// Python `items[index] = value` on a list.
fn list_assign(items: &mut [Value], index: &Value, value: Value) -> Result<(), PyErr> {
    let Some(i) = index.as_int_like() else {
        return Err(PyErr::Type(format!(
            "list indices must be integers or slices, not {}",
            tname(index)
        )));
    };
    let n = items.len() as i128;
    let j = if i < 0 { i + n } else { i };
    match usize::try_from(j).ok().and_then(|j| items.get_mut(j)) {
        Some(slot) => {
            *slot = value;
            Ok(())
        }
        None => Err(PyErr::Index("list assignment index out of range".into())),
    }
}
