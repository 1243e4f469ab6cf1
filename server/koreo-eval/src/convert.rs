//! Conversions between plain data and CEL values (§2.7).
//!
//! In: the engine's `json_to_cel` (YAML/JSON objects become CEL-typed values; a Python
//! object without a CEL form, such as a YAML date, makes it raise). Out: `convert_bools`
//! followed by what the engine's consumers do with the result: timestamps and durations
//! become their string forms, bytes base64 text; values the engine cannot serialise (native
//! bytes, timedeltas, type values) stay opaque [`Data::Other`] objects.

use crate::data::{Data, DataMap};
use koreo_cel::{HashKey, Map, Native, Value};
use std::sync::Arc;

/// The engine raised while converting a value into CEL (e.g. a YAML `date`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    /// What the engine would raise.
    pub message: String,
}

/// `celpy.json_to_cel`: plain data to CEL values.
pub fn data_to_value(d: &Data) -> Result<Value, ConvertError> {
    Ok(match d {
        Data::Null => Value::Null,
        Data::Bool(b) => Value::Bool(*b),
        Data::Int(i) => Value::Int(*i),
        Data::Float(f) => Value::Double(*f),
        Data::Str(s) => Value::string(s.as_str()),
        Data::List(items) => {
            Value::list(items.iter().map(data_to_value).collect::<Result<_, _>>()?)
        }
        Data::Map(m) => Value::map(data_map_to_map(m)?),
        Data::Other { py_type, text } => {
            return Err(ConvertError {
                message: if *py_type == "int" {
                    format!("integer {text} does not fit the CEL int range")
                } else {
                    format!("unsupported type: <class '{py_type}'>")
                },
            });
        }
    })
}

/// A plain mapping as a CEL map.
pub fn data_map_to_map(m: &DataMap) -> Result<Map, ConvertError> {
    let mut out = Map::with_capacity(m.len());
    for (k, v) in m {
        out.insert_str(k, data_to_value(v)?);
    }
    Ok(out)
}

/// A plain mapping bound as a *raw* Python dict (FunctionTest `overlayResource` binds
/// `resource` that way: index access works, field selection does not).
pub fn data_to_raw(d: &Data) -> Value {
    match d {
        Data::Null => Value::Null,
        Data::Bool(b) => Value::Native(Native::Bool(*b)),
        Data::Int(i) => Value::Native(Native::Int(*i as i128)),
        Data::Float(f) => Value::Native(Native::Float(*f)),
        Data::Str(s) => Value::Native(Native::Str(Arc::from(s.as_str()))),
        Data::List(items) => Value::Native(Native::List(Arc::new(
            items.iter().map(data_to_raw).collect(),
        ))),
        Data::Map(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m {
                let key = Value::Native(Native::Str(Arc::from(k.as_str())));
                out.insert_hashed(HashKey::str(k), key, data_to_raw(v));
            }
            Value::Native(Native::Dict(Arc::new(out)))
        }
        Data::Other { text, .. } => Value::Native(Native::Str(Arc::from(text.as_str()))),
    }
}

/// `convert_bools` and JSON-ification of a CEL value (§2.7). Map keys become their
/// Python `str()`.
pub fn value_to_data(v: &Value) -> Data {
    value_to_data_depth(v, 0)
}

const MAX_DEPTH: usize = 512;

fn value_to_data_depth(v: &Value, depth: usize) -> Data {
    if depth > MAX_DEPTH {
        return Data::Null;
    }
    let d = depth + 1;
    match v {
        Value::Null => Data::Null,
        Value::Bool(b) | Value::Native(Native::Bool(b)) => Data::Bool(*b),
        Value::Int(i) => Data::Int(*i),
        Value::UInt(u) => int_data(*u as i128),
        Value::Native(Native::Int(i)) => int_data(*i),
        Value::Double(f) | Value::Native(Native::Float(f)) => Data::Float(*f),
        Value::String(s) | Value::Native(Native::Str(s)) => Data::Str(s.to_string()),
        Value::Bytes(b) => Data::Str(base64_standard(b)),
        Value::Timestamp(t) => Data::Str(t.render()),
        Value::Duration(dur) => Data::Str(dur.render_cel()),
        Value::List(items) | Value::Native(Native::List(items)) => {
            Data::List(items.iter().map(|i| value_to_data_depth(i, d)).collect())
        }
        Value::Map(m) | Value::Native(Native::Dict(m)) => {
            let mut out = DataMap::with_capacity(m.len());
            for (k, val) in m.iter() {
                out.insert(key_str(k), value_to_data_depth(val, d));
            }
            Data::Map(out)
        }
        Value::Native(Native::Bytes(_)) => Data::Other {
            py_type: "bytes",
            text: koreo_cel::python::py_str(v),
        },
        Value::Native(Native::Timedelta(_)) => Data::Other {
            py_type: "datetime.timedelta",
            text: koreo_cel::python::py_str(v),
        },
        Value::Type(_) | Value::Function(_) | Value::Error(_) => Data::Other {
            py_type: v.py_type().qualname(),
            text: koreo_cel::python::py_str(v),
        },
    }
}

fn int_data(i: i128) -> Data {
    match i64::try_from(i) {
        Ok(x) => Data::Int(x),
        Err(_) => Data::Other {
            py_type: "int",
            text: i.to_string(),
        },
    }
}

/// Python `str()` of a map key after `convert_bools`.
fn key_str(k: &Value) -> String {
    match k {
        Value::String(s) | Value::Native(Native::Str(s)) => s.to_string(),
        Value::Bool(true) | Value::Native(Native::Bool(true)) => "True".into(),
        Value::Bool(false) | Value::Native(Native::Bool(false)) => "False".into(),
        other => value_to_data(other).py_str(),
    }
}

/// Whether a converted value can be serialised as JSON (the engine's `json.dumps` raises
/// otherwise). Returns the offending Python type.
pub fn first_unserialisable(d: &Data) -> Option<&'static str> {
    match d {
        Data::Other { py_type, .. } => Some(py_type),
        Data::List(items) => items.iter().find_map(first_unserialisable),
        Data::Map(m) => m.values().find_map(first_unserialisable),
        _ => None,
    }
}

fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_python() {
        assert_eq!(base64_standard(b"koreo"), "a29yZW8=");
        assert_eq!(base64_standard(b""), "");
        assert_eq!(base64_standard(b"ab"), "YWI=");
        assert_eq!(base64_standard(b"abc"), "YWJj");
    }

    #[test]
    fn round_trip() {
        let d = Data::from_json_text(r#"{"a": [1, 2.5, null, "x", true], "b": {}}"#).unwrap();
        assert_eq!(value_to_data(&data_to_value(&d).unwrap()), d);
        assert!(
            data_to_value(&Data::Other {
                py_type: "datetime.date",
                text: "2024-01-02".into()
            })
            .is_err()
        );
    }
}
