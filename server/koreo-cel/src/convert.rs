//! Conversions between engine values and plain data (§2.7).

use std::sync::Arc;

use base64::Engine as _;

use crate::python::py_str;
use crate::value::{HashKey, Map, Native, Value};

/// Plain data as it leaves the evaluator (what Koreo's `convert_bools` produces): the
/// JSON-like model, with ints kept exact, non-finite floats allowed and non-string map keys
/// preserved (an int key stays an int; it only becomes a string when serialised).
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (int and uint values).
    Int(i128),
    /// A float (possibly non-finite).
    Float(f64),
    /// A string (also bytes as base64, timestamps and durations as text).
    String(String),
    /// A list.
    List(Vec<Data>),
    /// Entries in insertion order.
    Map(Vec<(Data, Data)>),
}

/// Why a value cannot leave the evaluator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConvertError {
    /// A JSON/YAML integer outside int64 (the engine's conversion raises).
    IntOverflow(String),
    /// A value the engine cannot serialise (type values, native bytes/durations, errors);
    /// the text is Python's `Object of type X is not JSON serializable`.
    NotSerializable(String),
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvertError::IntOverflow(n) => write!(f, "integer {n} is outside the int64 range"),
            ConvertError::NotSerializable(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConvertError {}

/// JSON → CEL (§2.7 "in"): the conversion the engine applies to inputs and resources.
pub fn from_json(v: &serde_json::Value) -> Result<Value, ConvertError> {
    Ok(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if n.is_u64() || (!n.is_f64()) {
                return Err(ConvertError::IntOverflow(n.to_string()));
            } else {
                Value::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::String(s.as_str().into()),
        serde_json::Value::Array(a) => {
            Value::list(a.iter().map(from_json).collect::<Result<_, _>>()?)
        }
        serde_json::Value::Object(o) => {
            let mut m = Map::with_capacity(o.len());
            for (k, x) in o {
                m.insert_str(k, from_json(x)?);
            }
            Value::map(m)
        }
    })
}

/// Plain data → CEL (§2.7 "in").
pub fn from_data(d: &Data) -> Result<Value, ConvertError> {
    Ok(match d {
        Data::Null => Value::Null,
        Data::Bool(b) => Value::Bool(*b),
        Data::Int(i) => match i64::try_from(*i) {
            Ok(i) => Value::Int(i),
            Err(_) => return Err(ConvertError::IntOverflow(i.to_string())),
        },
        Data::Float(f) => Value::Double(*f),
        Data::String(s) => Value::String(s.as_str().into()),
        Data::List(l) => Value::list(l.iter().map(from_data).collect::<Result<_, _>>()?),
        Data::Map(entries) => {
            let mut m = Map::with_capacity(entries.len());
            for (k, x) in entries {
                let key = from_data(k)?;
                let x = from_data(x)?;
                if let Some(hk) = HashKey::of(&key) {
                    m.insert_hashed(hk, key, x);
                }
            }
            Value::map(m)
        }
    })
}

/// JSON → a raw (native Python) mapping, as FunctionTest `overlayResource` binds
/// `resource`: indexing and `size()` work, field selection does not (§2.8).
pub fn raw_from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Native(Native::Bool(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Native(Native::Int(i as i128)),
            None => match n.as_u64() {
                Some(u) => Value::Native(Native::Int(u as i128)),
                None => Value::Native(Native::Float(n.as_f64().unwrap_or(f64::NAN))),
            },
        },
        serde_json::Value::String(s) => Value::Native(Native::Str(s.as_str().into())),
        serde_json::Value::Array(a) => Value::Native(Native::List(Arc::new(
            a.iter().map(raw_from_json).collect(),
        ))),
        serde_json::Value::Object(o) => {
            let mut m = Map::with_capacity(o.len());
            for (k, x) in o {
                let key: Arc<str> = k.as_str().into();
                m.insert_hashed(
                    HashKey::Str(key.clone()),
                    Value::Native(Native::Str(key)),
                    raw_from_json(x),
                );
            }
            Value::Native(Native::Dict(Arc::new(m)))
        }
    }
}

fn not_serializable(name: &str) -> ConvertError {
    ConvertError::NotSerializable(format!("Object of type {name} is not JSON serializable"))
}

/// CEL → plain data (§2.7 "out"): bytes → base64, timestamp → `YYYY-MM-DDTHH:MM:SSZ`,
/// duration → `{n}s`, uint → int, bool → bool.
pub fn to_data(v: &Value) -> Result<Data, ConvertError> {
    Ok(match v {
        Value::Null => Data::Null,
        Value::Bool(b) | Value::Native(Native::Bool(b)) => Data::Bool(*b),
        Value::Int(i) => Data::Int(*i as i128),
        Value::UInt(u) => Data::Int(*u as i128),
        Value::Native(Native::Int(i)) => Data::Int(*i),
        Value::Double(f) | Value::Native(Native::Float(f)) => Data::Float(*f),
        Value::String(s) | Value::Native(Native::Str(s)) => Data::String(s.to_string()),
        Value::Timestamp(_) | Value::Duration(_) => Data::String(py_str(v)),
        Value::Bytes(b) => Data::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::List(l) | Value::Native(Native::List(l)) => {
            Data::List(l.iter().map(to_data).collect::<Result<_, _>>()?)
        }
        Value::Map(m) | Value::Native(Native::Dict(m)) => Data::Map(
            m.iter()
                .map(|(k, x)| Ok((key_to_data(k)?, to_data(x)?)))
                .collect::<Result<_, ConvertError>>()?,
        ),
        Value::Native(Native::Bytes(_)) => return Err(not_serializable("bytes")),
        Value::Native(Native::Timedelta(_)) => return Err(not_serializable("timedelta")),
        Value::Type(_) => return Err(not_serializable("type")),
        Value::Function(_) => return Err(not_serializable("function")),
        Value::Error(_) => return Err(not_serializable("CELEvalError")),
    })
}

impl Data {
    /// JSON for output: non-finite floats become the strings `"Infinity"`, `"-Infinity"`,
    /// `"NaN"`; map keys are stringified as Python's `json` does (`1` → `"1"`,
    /// `true` → `"true"`, `null` → `"null"`, `1.5` → `"1.5"`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Data::Null => serde_json::Value::Null,
            Data::Bool(b) => serde_json::Value::Bool(*b),
            Data::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(x), _) => serde_json::Value::from(x),
                (_, Ok(x)) => serde_json::Value::from(x),
                _ => serde_json::Value::from(*i as f64),
            },
            Data::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => serde_json::Value::Number(n),
                None if f.is_nan() => serde_json::Value::String("NaN".into()),
                None if *f > 0.0 => serde_json::Value::String("Infinity".into()),
                None => serde_json::Value::String("-Infinity".into()),
            },
            Data::String(s) => serde_json::Value::String(s.clone()),
            Data::List(l) => serde_json::Value::Array(l.iter().map(Data::to_json).collect()),
            Data::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.json_key(), v.to_json()))
                    .collect(),
            ),
        }
    }

    pub(crate) fn json_key(&self) -> String {
        match self {
            Data::String(s) => s.clone(),
            Data::Null => "null".into(),
            Data::Bool(b) => b.to_string(),
            Data::Int(i) => i.to_string(),
            // json.dumps spells non-finite float keys as it spells the values.
            Data::Float(f) if f.is_nan() => "NaN".into(),
            Data::Float(f) if f.is_infinite() => {
                if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
            }
            Data::Float(f) => crate::python::float_repr(*f),
            other => other.to_json().to_string(),
        }
    }

    /// Python `repr()` of the data: `{'a': 1, 'b': [True, None, 1.5]}`.
    pub fn py_repr(&self) -> String {
        use crate::python::{float_repr, py_str_repr};
        match self {
            Data::Null => "None".into(),
            Data::Bool(b) => if *b { "True" } else { "False" }.into(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => float_repr(*f),
            Data::String(s) => py_str_repr(s),
            Data::List(l) => format!(
                "[{}]",
                l.iter().map(Data::py_repr).collect::<Vec<_>>().join(", ")
            ),
            Data::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{}: {}", k.py_repr(), v.py_repr()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Python `str()` of the data (strings bare, everything else as `repr`).
    pub fn py_str(&self) -> String {
        match self {
            Data::String(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python `json.dumps(data, sort_keys=…)` with default separators and ASCII escaping
    /// (what the engine writes, e.g. the last-applied annotation). Mixed-type keys cannot be
    /// sorted in Python; they keep insertion order here.
    pub fn py_json_dumps(&self, sort_keys: bool) -> String {
        use crate::python::{float_repr, json_quote};
        fn float(f: f64) -> String {
            if f.is_nan() {
                "NaN".into()
            } else if f.is_infinite() {
                if f > 0.0 {
                    "Infinity".into()
                } else {
                    "-Infinity".into()
                }
            } else {
                float_repr(f)
            }
        }
        fn go(d: &Data, sort: bool, out: &mut String) {
            match d {
                Data::Null => out.push_str("null"),
                Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Data::Int(i) => out.push_str(&i.to_string()),
                Data::Float(f) => out.push_str(&float(*f)),
                Data::String(s) => out.push_str(&json_quote(s)),
                Data::List(l) => {
                    out.push('[');
                    for (i, x) in l.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        go(x, sort, out);
                    }
                    out.push(']');
                }
                Data::Map(m) => {
                    let mut entries: Vec<&(Data, Data)> = m.iter().collect();
                    if sort {
                        entries.sort_by(|a, b| match (&a.0, &b.0) {
                            (Data::String(x), Data::String(y)) => x.cmp(y),
                            (Data::Int(x), Data::Int(y)) => x.cmp(y),
                            _ => std::cmp::Ordering::Equal,
                        });
                    }
                    out.push('{');
                    for (i, (k, v)) in entries.into_iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        let key = match k {
                            Data::Float(f) => float(*f),
                            other => other.json_key(),
                        };
                        out.push_str(&json_quote(&key));
                        out.push_str(": ");
                        go(v, sort, out);
                    }
                    out.push('}');
                }
            }
        }
        let mut out = String::new();
        go(self, sort_keys, &mut out);
        out
    }

    /// From JSON (string keys).
    pub fn from_json(v: &serde_json::Value) -> Data {
        match v {
            serde_json::Value::Null => Data::Null,
            serde_json::Value::Bool(b) => Data::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Data::Int(i as i128),
                (_, Some(u)) => Data::Int(u as i128),
                _ => Data::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Data::String(s.clone()),
            serde_json::Value::Array(a) => Data::List(a.iter().map(Data::from_json).collect()),
            serde_json::Value::Object(o) => Data::Map(
                o.iter()
                    .map(|(k, v)| (Data::String(k.clone()), Data::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// A map key on its way out: `json.dumps` rejects the key types it cannot stringify with
/// its own message (checked before the entry's value).
fn key_to_data(k: &Value) -> Result<Data, ConvertError> {
    to_data(k).map_err(|_| {
        let name = match k {
            Value::Native(Native::Bytes(_)) => "bytes",
            Value::Native(Native::Timedelta(_)) => "timedelta",
            Value::Type(_) => "type",
            Value::Function(_) => "function",
            _ => "CELEvalError",
        };
        ConvertError::NotSerializable(format!(
            "keys must be str, int, float, bool or None, not {name}"
        ))
    })
}
