//! Python rendering conventions that leak into values and messages (Appendix B): `repr()`,
//! `str()`, float formatting, class names and `json.dumps`.

use crate::error::{FormatterCrash, PyErr};
use crate::value::{Native, PyType, Value};

/// Python `repr(float)` / `str(float)`: shortest round-trip digits, `1e+20`, `1e-05`, `inf`,
/// `nan`, `-0.0`, `2.0`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.5e0", "-1e20".
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let s = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{s}")
    } else {
        let (first, rest) = digits.split_at(1);
        let m = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// Whether Python's `str.isprintable()` holds for a character (approximation without the
/// Unicode database: controls, format characters, separators other than space, private use).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    !matches!(u,
        0xA0 | 0xAD | 0x1680 | 0x180E | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x2064
        | 0x2066..=0x206F | 0x3000 | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF
        | 0xF0000..=0x10FFFF | 0xE0001 | 0xE0020..=0xE007F | 0x110BD | 0x1D173..=0x1D17A)
}

/// Python `repr(str)`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python `repr(bytes)`.
pub fn py_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote as char);
    out
}

fn function_repr(name: &str) -> String {
    let py = match name {
        "size" => "function_size".to_string(),
        "matches" => "_function_matches_re".to_string(),
        n if crate::functions::is_koreo_function(n) => format!("_{n}"),
        _ => "<lambda>".to_string(),
    };
    format!("<function {py} at 0x7f0000000000>")
}

/// Python `repr()` of a value; fails only when an embedded error's dump crashes the formatter.
pub fn try_py_repr(v: &Value) -> Result<String, FormatterCrash> {
    let mut out = String::new();
    repr_into(v, &mut out)?;
    Ok(out)
}

/// Python `repr()` of a value (a crashing embedded error renders as `<formatter crash>`).
pub fn py_repr(v: &Value) -> String {
    try_py_repr(v).unwrap_or_else(|_| {
        crate::budget::take_repr_overflow();
        "<formatter crash>".into()
    })
}

fn repr_seq(items: &[Value], out: &mut String) -> Result<(), FormatterCrash> {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        repr_into(v, out)?;
    }
    out.push(']');
    Ok(())
}

fn repr_dict(m: &crate::value::Map, out: &mut String) -> Result<(), FormatterCrash> {
    out.push('{');
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        repr_into(k, out)?;
        out.push_str(": ");
        repr_into(v, out)?;
    }
    out.push('}');
    Ok(())
}

fn repr_into(v: &Value, out: &mut String) -> Result<(), FormatterCrash> {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b {
            "BoolType(True)"
        } else {
            "BoolType(False)"
        }),
        Value::Int(i) => out.push_str(&format!("IntType({i})")),
        Value::UInt(u) => out.push_str(&format!("UintType({u})")),
        Value::Double(f) => out.push_str(&format!("DoubleType({})", float_repr(*f))),
        Value::String(s) => out.push_str(&format!("StringType({})", py_str_repr(s))),
        Value::Bytes(b) => out.push_str(&format!("BytesType({})", py_bytes_repr(b))),
        Value::List(l) => {
            out.push_str("ListType(");
            repr_seq(l, out)?;
            out.push(')');
        }
        Value::Map(m) => {
            out.push_str("MapType(");
            repr_dict(m, out)?;
            out.push(')');
        }
        Value::Timestamp(t) => {
            out.push_str(&format!("TimestampType({})", py_str_repr(&t.render())))
        }
        Value::Duration(d) => {
            out.push_str(&format!("DurationType({})", py_str_repr(&d.render_cel())))
        }
        Value::Type(t) => out.push_str(&t.class_repr()),
        Value::Function(name) => out.push_str(&function_repr(name)),
        Value::Error(e) => out.push_str(&e.py_repr()?),
        Value::Native(n) => match n {
            Native::Int(i) => out.push_str(&i.to_string()),
            Native::Float(f) => out.push_str(&float_repr(*f)),
            Native::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Native::Str(s) => out.push_str(&py_str_repr(s)),
            Native::Bytes(b) => out.push_str(&py_bytes_repr(b)),
            Native::List(l) => repr_seq(l, out)?,
            Native::Dict(m) => repr_dict(m, out)?,
            Native::Timedelta(d) => out.push_str(&d.render_timedelta_repr()),
        },
    }
    if crate::budget::repr_too_big(out.len()) {
        return Err(FormatterCrash);
    }
    Ok(())
}

/// Python `str()` of a value; fails only when an embedded error's dump crashes.
pub fn try_py_str(v: &Value) -> Result<String, FormatterCrash> {
    Ok(match v {
        Value::Null => "None".into(),
        Value::Bool(b) | Value::Native(Native::Bool(b)) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Native(Native::Int(i)) => i.to_string(),
        Value::Double(f) | Value::Native(Native::Float(f)) => float_repr(*f),
        Value::String(s) | Value::Native(Native::Str(s)) => s.to_string(),
        Value::Bytes(b) | Value::Native(Native::Bytes(b)) => py_bytes_repr(b),
        Value::Timestamp(t) => t.render(),
        Value::Duration(d) => d.render_cel(),
        Value::Native(Native::Timedelta(d)) => d.render_timedelta_str(),
        Value::Error(e) => {
            let text = e.py_str();
            if crate::budget::repr_too_big(text.len()) {
                return Err(FormatterCrash);
            }
            text
        }
        other => try_py_repr(other)?,
    })
}

/// Python `str()` of a value.
pub fn py_str(v: &Value) -> String {
    try_py_str(v).unwrap_or_else(|_| {
        crate::budget::take_repr_overflow();
        "<formatter crash>".into()
    })
}

/// Python `str(type(x))`: `<class 'celpy.celtypes.IntType'>`, `<class 'int'>`, …
pub fn py_type_repr(v: &Value) -> String {
    v.py_type().class_repr()
}

/// The Python class name of plain data: `<class 'int'>`, `<class 'dict'>`, … (as messages
/// print `type(value)` for values that left the evaluator).
pub fn py_data_type_repr(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "<class 'NoneType'>",
        serde_json::Value::Bool(_) => "<class 'bool'>",
        serde_json::Value::Number(n) if n.is_f64() => "<class 'float'>",
        serde_json::Value::Number(_) => "<class 'int'>",
        serde_json::Value::String(_) => "<class 'str'>",
        serde_json::Value::Array(_) => "<class 'list'>",
        serde_json::Value::Object(_) => "<class 'dict'>",
    }
}

/// Python `repr()` of plain data: `{'a': 1, 'b': [True, None]}`.
pub fn py_data_repr(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "None".into(),
        serde_json::Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => float_repr(f),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => py_str_repr(s),
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(py_data_repr).collect::<Vec<_>>().join(", ")
        ),
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", py_str_repr(k), py_data_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python `str()` of plain data (strings bare, everything else as `repr`).
pub fn py_data_str(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => py_data_repr(other),
    }
}

/// A JSON string literal with Python's `ensure_ascii` escaping.
pub fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn json_float(f: f64) -> String {
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

/// Python `json.dumps(value, sort_keys=…)` with default separators over engine values: CEL
/// bools are ints there (`1`/`0`), bytes/timestamps/durations are not serialisable.
pub fn py_json_dumps(v: &Value, sort_keys: bool) -> Result<String, PyErr> {
    let mut out = String::new();
    json_into(v, sort_keys, &mut out)?;
    Ok(out)
}

fn json_key(k: &Value) -> Result<String, PyErr> {
    Ok(match k {
        Value::String(s) | Value::Native(Native::Str(s)) => s.to_string(),
        Value::Double(f) | Value::Native(Native::Float(f)) => json_float(*f),
        Value::Native(Native::Bool(b)) => if *b { "true" } else { "false" }.into(),
        Value::Null => "null".into(),
        other => match other.as_int_like() {
            Some(i) => i.to_string(),
            None => {
                return Err(PyErr::Type(format!(
                    "keys must be str, int, float, bool or None, not {}",
                    other.py_type().name()
                )));
            }
        },
    })
}

fn json_into(v: &Value, sort_keys: bool, out: &mut String) -> Result<(), PyErr> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Native(Native::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Value::Bool(b) => out.push_str(if *b { "1" } else { "0" }),
        Value::Int(_) | Value::UInt(_) | Value::Native(Native::Int(_)) => {
            out.push_str(&v.as_int_like().unwrap_or_default().to_string())
        }
        Value::Double(f) | Value::Native(Native::Float(f)) => out.push_str(&json_float(*f)),
        Value::String(s) | Value::Native(Native::Str(s)) => out.push_str(&json_quote(s)),
        Value::List(l) | Value::Native(Native::List(l)) => {
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_into(item, sort_keys, out)?;
            }
            out.push(']');
        }
        Value::Map(m) | Value::Native(Native::Dict(m)) => {
            let mut entries: Vec<(&Value, &Value)> = m.iter().collect();
            if sort_keys {
                // `sorted(d.items())`: tuples compare keys with `==`, then `<`; a key pair
                // that cannot be compared raises, so the comparison order matters.
                py_list_sort(&mut entries, |a, b| {
                    if crate::ops::py_eq(a.0, b.0)? {
                        if crate::ops::py_eq(a.1, b.1)? {
                            return Ok(false);
                        }
                        return crate::ops::richcmp(crate::ops::Cmp::Lt, a.1, b.1);
                    }
                    crate::ops::richcmp(crate::ops::Cmp::Lt, a.0, b.0)
                })?;
            }
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&json_quote(&json_key(k)?));
                out.push_str(": ");
                json_into(val, sort_keys, out)?;
            }
            out.push('}');
        }
        other => {
            let name = match other.py_type() {
                PyType::NativeTimedelta => "timedelta",
                t => t.name(),
            };
            return Err(PyErr::Type(format!(
                "Object of type {name} is not JSON serializable"
            )));
        }
    }
    Ok(())
}

/// Python `json.dumps` of plain data (the last-applied annotation and other engine outputs).
pub fn py_json_dumps_data(v: &serde_json::Value, sort_keys: bool) -> String {
    fn go(v: &serde_json::Value, sort: bool, out: &mut String) {
        match v {
            serde_json::Value::Null => out.push_str("null"),
            serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => out.push_str(&i.to_string()),
                (_, Some(u), _) => out.push_str(&u.to_string()),
                (_, _, Some(f)) => out.push_str(&json_float(f)),
                _ => out.push_str(&n.to_string()),
            },
            serde_json::Value::String(s) => out.push_str(&json_quote(s)),
            serde_json::Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(x, sort, out);
                }
                out.push(']');
            }
            serde_json::Value::Object(o) => {
                let mut entries: Vec<_> = o.iter().collect();
                if sort {
                    // Python compares str by code point; UTF-8 byte order agrees.
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                }
                out.push('{');
                for (i, (k, x)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&json_quote(k));
                    out.push_str(": ");
                    go(x, sort, out);
                }
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    go(v, sort_keys, &mut out);
    out
}

/// CPython 3.13's `list.sort` for short lists (a natural run, then binary insertion), with
/// a fallible `<`: the same comparisons in the same order, so the same one raises first.
/// Longer lists use the same procedure (CPython would merge runs; only the order of
/// comparisons, hence which failure is reported, can differ).
fn py_list_sort<T: Copy>(
    a: &mut [T],
    mut lt: impl FnMut(&T, &T) -> Result<bool, PyErr>,
) -> Result<(), PyErr> {
    let n = a.len();
    if n < 2 {
        return Ok(());
    }
    // count_run: the longest ascending (or strictly descending, then reversed) prefix.
    let mut k = 1;
    while k < n && !lt(&a[k], &a[k - 1])? {
        k += 1;
    }
    if k < n {
        let mut descending = true;
        if k > 1 {
            if lt(&a[0], &a[k - 1])? {
                descending = false;
            } else {
                a[..k].reverse();
            }
        }
        if descending {
            k += 1;
            let mut neq = 0usize;
            while k < n {
                if lt(&a[k], &a[k - 1])? {
                    if neq > 0 {
                        a[k - neq - 1..k].reverse();
                        neq = 0;
                    }
                } else if lt(&a[k - 1], &a[k])? {
                    break;
                } else {
                    neq += 1;
                }
                k += 1;
            }
            if neq > 0 {
                a[k - neq - 1..k].reverse();
            }
            a[..k].reverse();
            while k < n && !lt(&a[k], &a[k - 1])? {
                k += 1;
            }
        }
    }
    // binarysort from `k`.
    for ok in k..n {
        let pivot = a[ok];
        let (mut l, mut r) = (0, ok);
        while l < r {
            let m = (l + r) >> 1;
            if lt(&pivot, &a[m])? {
                r = m;
            } else {
                l = m + 1;
            }
        }
        a.copy_within(l..ok, l + 1);
        a[l] = pivot;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_render_like_python() {
        for (f, s) in [
            (2.5, "2.5"),
            (3.0, "3.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.5e-7, "1.5e-07"),
            (123456789.125, "123456789.125"),
        ] {
            assert_eq!(float_repr(f), s, "{f}");
        }
    }

    #[test]
    fn strings_render_like_python() {
        assert_eq!(py_str_repr("a"), "'a'");
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("'\""), "'\\'\"'");
        assert_eq!(py_str_repr("a\nb\x01é"), "'a\\nb\\x01é'");
        assert_eq!(py_bytes_repr(b"a\xff'"), "b\"a\\xff'\"");
        assert_eq!(
            json_quote("é\u{1F600}\"\n"),
            "\"\\u00e9\\ud83d\\ude00\\\"\\n\""
        );
    }

    #[test]
    fn data_reprs() {
        let v: serde_json::Value = serde_json::json!({"a": 1, "b": [true, null, 1.5, "x"]});
        assert_eq!(py_data_repr(&v), "{'a': 1, 'b': [True, None, 1.5, 'x']}");
        assert_eq!(
            py_json_dumps_data(&serde_json::json!({"b": 1, "a": [true]}), true),
            "{\"a\": [true], \"b\": 1}"
        );
    }
}
