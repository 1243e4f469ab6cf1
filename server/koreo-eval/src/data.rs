//! Plain data: the values that live outside the CEL evaluator.
//!
//! FunctionTest inputs and expectations, objects held by the (mock) Kubernetes API, returned
//! values and rendered resources are all plain data. The engine keeps them as Python objects,
//! so equality, truthiness and every rendering that leaks into a message follow Python rules
//! (`1 == 1.0`, `True`, `None`, `{'a': 1}`, `1e+20`, ...).

use indexmap::IndexMap;
use std::fmt::Write as _;

/// An ordered mapping with string keys (Python `dict` order: insertion order).
pub type DataMap = IndexMap<String, Data>;

/// A plain value, as the engine holds it in Python.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Data {
    #[default]
    /// Python `None`.
    Null,
    /// Python `bool`.
    Bool(bool),
    /// Python `int` within the i64 range.
    Int(i64),
    /// Python `float`.
    Float(f64),
    /// Python `str`.
    Str(String),
    /// Python `list`.
    List(Vec<Data>),
    /// Python `dict` (string keys, insertion order).
    Map(DataMap),
    /// A Python object that is not JSON: a YAML 1.1 `date`/`datetime`, or an integer outside
    /// the i64 range. `py_type` is the Python class name (`datetime.date`, `int`), `text` its
    /// `str()`.
    Other {
        /// The Python class (`datetime.date`, `int`, ...).
        py_type: &'static str,
        /// Python `str()` of the object.
        text: String,
    },
}

impl Data {
    /// An empty mapping.
    pub fn map() -> Data {
        Data::Map(DataMap::new())
    }

    /// Python truthiness (`None`, `False`, `0`, `0.0`, `""`, `[]`, `{}` are falsy).
    pub fn truthy(&self) -> bool {
        match self {
            Data::Null => false,
            Data::Bool(b) => *b,
            Data::Int(i) => *i != 0,
            Data::Float(f) => *f != 0.0,
            Data::Str(s) => !s.is_empty(),
            Data::List(l) => !l.is_empty(),
            Data::Map(m) => !m.is_empty(),
            Data::Other { .. } => true,
        }
    }

    /// The entries of a mapping.
    pub fn as_map(&self) -> Option<&DataMap> {
        match self {
            Data::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The entries of a mapping, mutably.
    pub fn as_map_mut(&mut self) -> Option<&mut DataMap> {
        match self {
            Data::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Data::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a list.
    pub fn as_list(&self) -> Option<&[Data]> {
        match self {
            Data::List(l) => Some(l),
            _ => None,
        }
    }

    /// `self[key]` for mappings, `None` otherwise or when absent.
    pub fn get(&self, key: &str) -> Option<&Data> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Data> {
        let mut cur = self;
        for key in path {
            cur = cur.get(key)?;
        }
        Some(cur)
    }

    /// Python `type(x)` rendered as `<class '...'>`.
    pub fn py_type(&self) -> String {
        let name = match self {
            Data::Null => "NoneType",
            Data::Bool(_) => "bool",
            Data::Int(_) => "int",
            Data::Float(_) => "float",
            Data::Str(_) => "str",
            Data::List(_) => "list",
            Data::Map(_) => "dict",
            Data::Other { py_type, .. } => py_type,
        };
        format!("<class '{name}'>")
    }

    /// Python `str(x)`.
    pub fn py_str(&self) -> String {
        match self {
            Data::Str(s) => s.clone(),
            Data::Other { text, .. } => text.clone(),
            other => other.py_repr(),
        }
    }

    /// Python `repr(x)` (`{'a': [1, True, None]}`).
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Data::Null => out.push_str("None"),
            Data::Bool(true) => out.push_str("True"),
            Data::Bool(false) => out.push_str("False"),
            Data::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Data::Float(f) => out.push_str(&py_float_repr(*f)),
            Data::Str(s) => out.push_str(&py_str_repr(s)),
            Data::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                out.push(']');
            }
            Data::Map(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&py_str_repr(k));
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
            Data::Other { py_type, text } => match *py_type {
                "int" => out.push_str(text),
                "datetime.date" => {
                    let parts: Vec<&str> = text.split('-').collect();
                    let nums: Vec<String> = parts
                        .iter()
                        .map(|p| p.trim_start_matches('0'))
                        .map(|p| {
                            if p.is_empty() {
                                "0".into()
                            } else {
                                p.to_string()
                            }
                        })
                        .collect();
                    let _ = write!(out, "datetime.date({})", nums.join(", "));
                }
                _ => {
                    let _ = write!(out, "{py_type}({text})");
                }
            },
        }
    }

    /// Python `==` between plain values: numbers compare numerically across int, float and
    /// bool (`True == 1`), containers element-wise, everything else by type and value.
    pub fn py_eq(&self, other: &Data) -> bool {
        match (self.as_number(), other.as_number()) {
            (Some(a), Some(b)) => return a.eq(&b),
            (Some(_), None) | (None, Some(_)) => return false,
            _ => {}
        }
        match (self, other) {
            (Data::Null, Data::Null) => true,
            (Data::Str(a), Data::Str(b)) => a == b,
            (Data::List(a), Data::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            (Data::Map(a), Data::Map(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.py_eq(w)))
            }
            (
                Data::Other {
                    py_type: ta,
                    text: a,
                },
                Data::Other {
                    py_type: tb,
                    text: b,
                },
            ) => ta == tb && a == b,
            _ => false,
        }
    }

    fn as_number(&self) -> Option<PyNum> {
        match self {
            Data::Bool(b) => Some(PyNum::Int(*b as i64)),
            Data::Int(i) => Some(PyNum::Int(*i)),
            Data::Float(f) => Some(PyNum::Float(*f)),
            _ => None,
        }
    }

    /// Python `json.dumps(x)` with the default settings: `", "`/`": "` separators, insertion
    /// key order, non-ASCII escaped, `Infinity`/`NaN` for non-finite floats.
    pub fn json_dumps(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Data::Null => out.push_str("null"),
            Data::Bool(true) => out.push_str("true"),
            Data::Bool(false) => out.push_str("false"),
            Data::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Data::Float(f) => out.push_str(&py_json_float(*f)),
            Data::Str(s) => write_json_string(out, s),
            Data::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Data::Map(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_json_string(out, k);
                    out.push_str(": ");
                    v.write_json(out);
                }
                out.push('}');
            }
            // `json.dumps` raises for these; callers that can meet them check first.
            Data::Other { text, .. } => write_json_string(out, text),
        }
    }

    /// Parses JSON text the way Python `json.loads` does (integers stay integers, other
    /// numbers become floats, `Infinity`/`NaN` accepted). `None` on invalid JSON.
    pub fn from_json_text(text: &str) -> Option<Data> {
        let mut p = JsonParser {
            bytes: text.as_bytes(),
            text,
            pos: 0,
        };
        p.skip_ws();
        let value = p.value(0)?;
        p.skip_ws();
        (p.pos == p.bytes.len()).then_some(value)
    }

    /// Converts to a `serde_json::Value`; non-finite floats become their Python repr
    /// strings (`"inf"`), matching the oracle's JSON output.
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Data::Null => J::Null,
            Data::Bool(b) => J::Bool(*b),
            Data::Int(i) => J::from(*i),
            Data::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(py_float_repr(*f))),
            Data::Str(s) => J::String(s.clone()),
            Data::List(l) => J::Array(l.iter().map(Data::to_serde).collect()),
            Data::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_serde())).collect()),
            Data::Other { text, .. } => J::String(text.clone()),
        }
    }

    /// Converts from a `serde_json::Value` (integers that fit i64 stay integers).
    pub fn from_serde(value: &serde_json::Value) -> Data {
        use serde_json::Value as J;
        match value {
            J::Null => Data::Null,
            J::Bool(b) => Data::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Data::Int(i),
                None => match n.as_u64() {
                    Some(u) => Data::Other {
                        py_type: "int",
                        text: u.to_string(),
                    },
                    None => Data::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            J::String(s) => Data::Str(s.clone()),
            J::Array(a) => Data::List(a.iter().map(Data::from_serde).collect()),
            J::Object(o) => Data::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Data::from_serde(v)))
                    .collect(),
            ),
        }
    }
}

#[derive(Clone, Copy)]
enum PyNum {
    Int(i64),
    Float(f64),
}

impl PyNum {
    fn eq(&self, other: &PyNum) -> bool {
        match (*self, *other) {
            (PyNum::Int(a), PyNum::Int(b)) => a == b,
            (PyNum::Float(a), PyNum::Float(b)) => a == b,
            (PyNum::Int(a), PyNum::Float(b)) | (PyNum::Float(b), PyNum::Int(a)) => {
                int_float_eq(a, b)
            }
        }
    }
}

/// Exact comparison of an integer with a float (Python compares them exactly).
fn int_float_eq(i: i64, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    // Every i64 is within ±2^63; floats outside cannot be equal.
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return false;
    }
    f as i64 == i
}

/// Python `repr(float)`: shortest round-trip digits, scientific notation outside
/// `1e-4 <= |x| < 1e16`, always a `.0` on integral values in fixed notation.
pub fn py_float_repr(f: f64) -> String {
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
    // `{:e}` gives the shortest round-trip digits: "d[.ddd]e[-]x".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp >= 0 {
            let int_len = exp + 1;
            if n <= int_len {
                format!("{}{}.0", digits, "0".repeat((int_len - n) as usize))
            } else {
                format!(
                    "{}.{}",
                    &digits[..int_len as usize],
                    &digits[int_len as usize..]
                )
            }
        } else {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        };
        format!("{sign}{body}")
    } else {
        let mant = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

/// Python `json.dumps(float)`.
pub fn py_json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        py_float_repr(f)
    }
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
            c if !py_printable(c) => {
                let cp = c as u32;
                if cp < 0x100 {
                    let _ = write!(out, "\\x{cp:02x}");
                } else if cp < 0x10000 {
                    let _ = write!(out, "\\u{cp:04x}");
                } else {
                    let _ = write!(out, "\\U{cp:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Approximates Python's `str.isprintable` for one character.
fn py_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    // Format characters, surrogates and private use are not printable in Python.
    !matches!(cp, 0xAD | 0x600..=0x605 | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF | 0xE000..=0xF8FF | 0xFFF9..=0xFFFB)
}

/// Writes a JSON string the way Python's `json.dumps` (ensure_ascii) does.
pub fn write_json_string(out: &mut String, s: &str) {
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
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.text[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Data> {
        if depth > 512 {
            return None;
        }
        self.skip_ws();
        match *self.bytes.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                let mut map = DataMap::new();
                self.skip_ws();
                if self.eat("}") {
                    return Some(Data::Map(map));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.skip_ws();
                    if !self.eat(":") {
                        return None;
                    }
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                    self.skip_ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("}") {
                        return Some(Data::Map(map));
                    }
                    return None;
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.eat("]") {
                    return Some(Data::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        return Some(Data::List(items));
                    }
                    return None;
                }
            }
            b'"' => self.string().map(Data::Str),
            _ => {
                if self.eat("null") {
                    Some(Data::Null)
                } else if self.eat("true") {
                    Some(Data::Bool(true))
                } else if self.eat("false") {
                    Some(Data::Bool(false))
                } else if self.eat("NaN") {
                    Some(Data::Float(f64::NAN))
                } else if self.eat("Infinity") {
                    Some(Data::Float(f64::INFINITY))
                } else if self.eat("-Infinity") {
                    Some(Data::Float(f64::NEG_INFINITY))
                } else {
                    self.number()
                }
            }
        }
    }

    fn number(&mut self) -> Option<Data> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        if self.pos == digits_start {
            return None;
        }
        let mut is_float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            is_float = true;
            self.pos += 1;
            let frac = self.pos;
            while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            }
            if frac == self.pos {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            is_float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            let exp = self.pos;
            while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            }
            if exp == self.pos {
                return None;
            }
        }
        let text = &self.text[start..self.pos];
        if is_float {
            text.parse().ok().map(Data::Float)
        } else {
            Some(match text.parse::<i64>() {
                Ok(i) => Data::Int(i),
                Err(_) => Data::Other {
                    py_type: "int",
                    text: text.trim_start_matches('-').to_string(),
                },
            })
        }
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") {
            return None;
        }
        let mut out = String::new();
        loop {
            let c = self.text[self.pos..].chars().next()?;
            self.pos += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = *self.bytes.get(self.pos)?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xD800..0xDC00).contains(&unit) && self.eat("\\u") {
                                let low = self.hex4()?;
                                let cp = 0x10000
                                    + ((unit - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF);
                                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            } else {
                                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => return None,
                    }
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.text.get(self.pos..self.pos + 4)?;
        let v = u32::from_str_radix(s, 16).ok()?;
        self.pos += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (2.5, "2.5"),
            (3.0, "3.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (1.5e-7, "1.5e-07"),
            (123456.789, "123456.789"),
            (f64::INFINITY, "inf"),
            (0.1, "0.1"),
        ];
        for (f, want) in cases {
            assert_eq!(py_float_repr(f), want, "{f}");
        }
        assert_eq!(py_json_float(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn repr_and_json() {
        let mut m = DataMap::new();
        m.insert(
            "a".into(),
            Data::List(vec![Data::Bool(true), Data::Null, Data::Float(1.0)]),
        );
        m.insert("it's".into(), Data::Str("é\n".into()));
        let d = Data::Map(m);
        assert_eq!(d.py_repr(), r#"{'a': [True, None, 1.0], "it's": 'é\n'}"#);
        assert_eq!(
            d.json_dumps(),
            r#"{"a": [true, null, 1.0], "it's": "\u00e9\n"}"#
        );
        assert_eq!(Data::from_json_text(&d.json_dumps()), Some(d));
    }

    #[test]
    fn python_equality() {
        assert!(Data::Int(3).py_eq(&Data::Float(3.0)));
        assert!(Data::Bool(true).py_eq(&Data::Int(1)));
        assert!(!Data::Str("1".into()).py_eq(&Data::Int(1)));
        assert!(!Data::Null.py_eq(&Data::Bool(false)));
        assert!(!Data::Int(i64::MAX).py_eq(&Data::Float(9.223372036854776e18)));
    }
}
