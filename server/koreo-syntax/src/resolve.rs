//! Implicit typing of scalars, the Kubernetes way and the PyYAML way.
//!
//! * Kubernetes: sigs.k8s.io/yaml decodes with its go-yaml v2 fork into `interface{}`
//!   (`resolve.go`): a lookup table of YAML 1.1 booleans / nulls / special floats, then
//!   Go `strconv.ParseInt(s without '_', 0, 64)`, `ParseUint`, and a float regex;
//!   timestamps are handed back as strings.
//! * PyYAML: `SafeLoader` implicit resolvers (YAML 1.1 regexes, chosen by the first
//!   character) followed by the `SafeConstructor` conversions, including their failures
//!   (an invalid date or `0b_` makes PyYAML raise).

use std::sync::LazyLock;

use regex::Regex;

use crate::yaml::{ResolveRules, Resolved, Scalar, ScalarStyle};

impl Scalar {
    /// The typed value of this scalar under `rules`, honouring an explicit `tag` (as
    /// written: `!!int`, or the full `tag:yaml.org,2002:int`). Only plain scalars are typed
    /// implicitly; quoted and block scalars are strings unless tagged. When the reader
    /// would fail on the scalar (see [`Scalar::try_resolve`]) the text is returned as a
    /// string.
    pub fn resolve(&self, rules: ResolveRules, tag: Option<&str>) -> Resolved {
        self.try_resolve(rules, tag)
            .unwrap_or_else(|_| Resolved::Str(self.text.clone()))
    }

    /// Like [`Scalar::resolve`], but reports the scalars the reader rejects (PyYAML: an
    /// invalid date, `0b_`, a lone `=`, an unknown tag; Kubernetes: `!!int abc`) with the
    /// reason.
    pub fn try_resolve(&self, rules: ResolveRules, tag: Option<&str>) -> Result<Resolved, String> {
        match (tag.map(core_tag), rules) {
            (Some(t), ResolveRules::Kubernetes) => k8s_tagged(&self.text, t),
            (Some(t), ResolveRules::PyYaml) => pyyaml_tagged(&self.text, t, self.style),
            (None, _) if self.style != ScalarStyle::Plain => Ok(Resolved::Str(self.text.clone())),
            (None, ResolveRules::Kubernetes) => Ok(resolve_k8s_plain(&self.text)),
            (None, ResolveRules::PyYaml) => resolve_pyyaml_plain(&self.text),
        }
    }
}

/// A tag as our resolvers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CoreTag<'a> {
    /// `!!name` / `tag:yaml.org,2002:name`.
    Core(&'a str),
    /// The non-specific tag `!`.
    NonSpecific,
    /// Anything else (`!custom`, `!<tag:example.com:x>`).
    Other(&'a str),
}

fn core_tag(tag: &str) -> CoreTag<'_> {
    if let Some(name) = tag
        .strip_prefix("!!")
        .or_else(|| tag.strip_prefix("tag:yaml.org,2002:"))
    {
        CoreTag::Core(name)
    } else if tag == "!" {
        CoreTag::NonSpecific
    } else {
        CoreTag::Other(tag)
    }
}

// ---------------------------------------------------------------------------------------
// Kubernetes (go-yaml v2)

/// Resolves a plain scalar the way sigs.k8s.io/yaml (go-yaml v2) does when decoding into
/// `interface{}`. Never fails: anything unrecognised is a string.
pub fn resolve_k8s_plain(s: &str) -> Resolved {
    if let Some(v) = k8s_table(s) {
        return v;
    }
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    match first {
        b'.' => {
            // Only `strconv.ParseFloat` on the text as is (no `_` removal).
            if K8S_DOT_FLOAT.is_match(s)
                && let Some(f) = go_parse_float(s)
            {
                return Resolved::Float(f);
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            // A timestamp would stay a string here, and no timestamp is a number: skip it.
            let plain = s.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::BigInt(u.to_string());
            }
            if K8S_FLOAT.is_match(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Resolved::Float(f);
            }
        }
        _ => {}
    }
    Resolved::Str(s.to_owned())
}

/// go-yaml v2 `resolveMap`: the spellings it knows by heart.
fn k8s_table(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

static K8S_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
});
/// What Go's `ParseFloat` accepts of a text starting with `.` (decimal only; `.inf` forms
/// are in the table).
static K8S_DOT_FLOAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\.[0-9]+([eE][-+]?[0-9]+)?$").expect("valid regex"));

/// Go `strconv.ParseFloat(s, 64)` for texts already matching the decimal float syntax:
/// overflow to infinity is an error (`ErrRange`) there.
fn go_parse_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go `strconv.ParseUint(s, 0, 64)` (underscores already removed by the caller).
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (base, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(base)?;
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// go-yaml v2 `resolve` with an explicit tag (style does not matter then).
fn k8s_tagged(s: &str, tag: CoreTag<'_>) -> Result<Resolved, String> {
    let name = match tag {
        CoreTag::Core(name) => name,
        // Unresolvable tags decode to the text.
        CoreTag::NonSpecific | CoreTag::Other(_) => return Ok(Resolved::Str(s.to_owned())),
    };
    match name {
        "str" | "binary" => Ok(Resolved::Str(s.to_owned())),
        "int" | "float" | "bool" | "null" | "timestamp" => {
            let v = if name == "timestamp" && go_timestamp_like(s) {
                Resolved::Str(s.to_owned())
            } else {
                resolve_k8s_plain(s)
            };
            let ok = match (name, &v) {
                ("int", Resolved::Int(_) | Resolved::BigInt(_)) => true,
                ("float", Resolved::Float(_)) => true,
                ("bool", Resolved::Bool(_)) => true,
                ("null", Resolved::Null) => true,
                ("timestamp", Resolved::Str(_)) => go_timestamp_like(s),
                _ => false,
            };
            if ok {
                return Ok(v);
            }
            // go-yaml converts an int to a float for `!!float`.
            if name == "float" {
                match v {
                    Resolved::Int(i) => return Ok(Resolved::Float(i as f64)),
                    Resolved::BigInt(ref t) => {
                        return Ok(Resolved::Float(t.parse().unwrap_or(f64::INFINITY)));
                    }
                    _ => {}
                }
            }
            Err(format!("cannot decode `{s}` as a !!{name}"))
        }
        _ => Ok(Resolved::Str(s.to_owned())),
    }
}

/// go-yaml v2 `parseTimestamp`'s shape check (four digits and a dash, then one of its
/// layouts); only used for `!!timestamp`, where the value stays a string anyway.
fn go_timestamp_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

// ---------------------------------------------------------------------------------------
// PyYAML (SafeLoader, YAML 1.1)

static PY_BOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
        .expect("valid regex")
});
static PY_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    )
    .expect("valid regex")
});
static PY_INT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
    )
    .expect("valid regex")
});
static PY_NULL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:~|null|Null|NULL|)$").expect("valid regex"));
static PY_TIMESTAMP_IMPLICIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
    )
    .expect("valid regex")
});
static PY_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<year>[0-9][0-9][0-9][0-9])-(?P<month>[0-9][0-9]?)-(?P<day>[0-9][0-9]?)(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9][0-9]?):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])(?:\.(?P<fraction>[0-9]*))?(?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)(?::(?P<tz_minute>[0-9][0-9]))?))?)?$",
    )
    .expect("valid regex")
});

/// Which implicit tag PyYAML's resolver picks for a plain scalar (resolvers are tried per
/// first character in registration order: bool, float, int, merge, null, timestamp, value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PyTag {
    Bool,
    Float,
    Int,
    Merge,
    Null,
    Timestamp,
    Value,
    Str,
}

fn pyyaml_implicit_tag(s: &str) -> PyTag {
    let Some(first) = s.chars().next() else {
        return PyTag::Null;
    };
    let candidates: &[PyTag] = match first {
        'y' | 'Y' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' => &[PyTag::Bool],
        'n' | 'N' => &[PyTag::Bool, PyTag::Null],
        '-' | '+' | '.' => &[PyTag::Float, PyTag::Int],
        '0'..='9' => &[PyTag::Float, PyTag::Int, PyTag::Timestamp],
        '<' => &[PyTag::Merge],
        '~' => &[PyTag::Null],
        '=' => &[PyTag::Value],
        _ => &[],
    };
    for &tag in candidates {
        let hit = match tag {
            PyTag::Bool => PY_BOOL.is_match(s),
            PyTag::Float => PY_FLOAT.is_match(s),
            // `.` is a float-only first character.
            PyTag::Int => first != '.' && PY_INT.is_match(s),
            PyTag::Merge => s == "<<",
            PyTag::Null => PY_NULL.is_match(s),
            PyTag::Timestamp => PY_TIMESTAMP_IMPLICIT.is_match(s),
            PyTag::Value => s == "=",
            PyTag::Str => false,
        };
        if hit {
            return tag;
        }
    }
    PyTag::Str
}

/// Resolves a plain scalar like PyYAML 6 `safe_load`; `Err` when PyYAML raises on it.
pub fn resolve_pyyaml_plain(s: &str) -> Result<Resolved, String> {
    match pyyaml_implicit_tag(s) {
        PyTag::Bool => py_bool(s),
        PyTag::Float => py_float(s),
        PyTag::Int => py_int(s),
        PyTag::Null => Ok(Resolved::Null),
        PyTag::Timestamp => py_timestamp(s),
        PyTag::Merge => {
            Err("PyYAML has no value for a `<<` merge key used as a plain value".to_owned())
        }
        PyTag::Value => Err(
            "PyYAML cannot load a lone `=` (YAML 1.1 reserves it for the `value` tag)".to_owned(),
        ),
        PyTag::Str => Ok(Resolved::Str(s.to_owned())),
    }
}

fn pyyaml_tagged(s: &str, tag: CoreTag<'_>, style: ScalarStyle) -> Result<Resolved, String> {
    match tag {
        CoreTag::NonSpecific => Ok(Resolved::Str(s.to_owned())),
        CoreTag::Other(t) => Err(format!(
            "PyYAML SafeLoader has no constructor for the tag `{t}`"
        )),
        CoreTag::Core(name) => match name {
            "str" => Ok(Resolved::Str(s.to_owned())),
            "int" => py_int(s),
            "float" => py_float(s),
            "bool" => py_bool(s),
            "null" => Ok(Resolved::Null),
            "timestamp" => py_timestamp(s),
            // Base64 bytes; as data it is the text.
            "binary" => Ok(Resolved::Str(s.to_owned())),
            _ => {
                let _ = style;
                Err(format!(
                    "PyYAML SafeLoader cannot construct `!!{name}` from a scalar"
                ))
            }
        },
    }
}

fn py_bool(s: &str) -> Result<Resolved, String> {
    match s.to_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(Resolved::Bool(true)),
        "no" | "false" | "off" => Ok(Resolved::Bool(false)),
        _ => Err(format!("`{s}` is not a boolean")),
    }
}

/// `SafeConstructor.construct_yaml_int`.
fn py_int(s: &str) -> Result<Resolved, String> {
    let v = s.replace('_', "");
    let (neg, v) = match v.as_bytes().first() {
        None => return Err("empty integer".to_owned()),
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        Some(_) => (false, v.as_str()),
    };
    let bad = || format!("`{s}` is not a valid integer");
    let mag = if v == "0" {
        BigUint::zero()
    } else if let Some(rest) = v.strip_prefix("0b") {
        python_int(rest, 2).ok_or_else(bad)?
    } else if let Some(rest) = v.strip_prefix("0x") {
        python_int(rest, 16).ok_or_else(bad)?
    } else if v.starts_with('0') {
        python_int(v, 8).ok_or_else(bad)?
    } else if v.contains(':') {
        let mut acc = BigUint::zero();
        for part in v.split(':') {
            let p = python_int(part, 10).ok_or_else(bad)?;
            if p.negative {
                return Err(bad());
            }
            acc.mul_small(60);
            acc.add(&p);
        }
        acc
    } else {
        python_int(v, 10).ok_or_else(bad)?
    };
    Ok(mag.into_resolved(neg))
}

/// `SafeConstructor.construct_yaml_float`.
fn py_float(s: &str) -> Result<Resolved, String> {
    let v = s.replace('_', "").to_lowercase();
    let (sign, v) = match v.as_bytes().first() {
        None => return Err("empty float".to_owned()),
        Some(b'-') => (-1.0, &v[1..]),
        Some(b'+') => (1.0, &v[1..]),
        Some(_) => (1.0, v.as_str()),
    };
    let bad = || format!("`{s}` is not a valid float");
    if v == ".inf" {
        return Ok(Resolved::Float(sign * f64::INFINITY));
    }
    if v == ".nan" {
        return Ok(Resolved::Float(f64::NAN));
    }
    if v.contains(':') {
        let mut acc = 0.0f64;
        let mut base = 1.0f64;
        for part in v.rsplit(':') {
            acc += python_float(part).ok_or_else(bad)? * base;
            base *= 60.0;
        }
        return Ok(Resolved::Float(sign * acc));
    }
    Ok(Resolved::Float(sign * python_float(v).ok_or_else(bad)?))
}

/// Python `float(str)` for ASCII input (surrounding whitespace allowed).
fn python_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() {
        return None;
    }
    t.parse().ok()
}

/// `SafeConstructor.construct_yaml_timestamp`; the result is rendered like Python `str()`.
fn py_timestamp(s: &str) -> Result<Resolved, String> {
    let caps = PY_TIMESTAMP
        .captures(s)
        .ok_or_else(|| format!("`{s}` is not a timestamp"))?;
    let num = |name: &str| -> u32 {
        caps.name(name)
            .map_or(0, |m| m.as_str().parse().unwrap_or(0))
    };
    let (year, month, day) = (num("year"), num("month"), num("day"));
    if year == 0 {
        return Err(format!("year 0 is out of range in `{s}`"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month must be in 1..12 in `{s}`"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!("day is out of range for month in `{s}`"));
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if caps.name("hour").is_none() {
        return Ok(Resolved::Date(date));
    }
    let (hour, minute, second) = (num("hour"), num("minute"), num("second"));
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!("time is out of range in `{s}`"));
    }
    let mut out = format!("{date} {hour:02}:{minute:02}:{second:02}");
    if let Some(f) = caps.name("fraction") {
        let mut frac: String = f.as_str().chars().take(6).collect();
        while frac.len() < 6 {
            frac.push('0');
        }
        if frac != "000000" {
            out.push('.');
            out.push_str(&frac);
        }
    }
    if let Some(sign) = caps.name("tz_sign") {
        let minutes = num("tz_hour") * 60 + num("tz_minute");
        if minutes >= 24 * 60 {
            return Err(format!("time zone offset out of range in `{s}`"));
        }
        let sign = if sign.as_str() == "-" && minutes != 0 {
            '-'
        } else {
            '+'
        };
        out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    } else if caps.name("tz").is_some() {
        out.push_str("+00:00");
    }
    Ok(Resolved::DateTime(out))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Python `int(s, base)` for ASCII input: surrounding whitespace, one sign, an optional
/// prefix matching `base` (`0b`/`0o`/`0x`), digits (underscores were removed already).
fn python_int(s: &str, base: u32) -> Option<BigUint> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let prefix = match base {
        2 => Some("0b"),
        8 => Some("0o"),
        16 => Some("0x"),
        _ => None,
    };
    let lower = t.to_ascii_lowercase();
    let digits = match prefix {
        Some(p) if lower.starts_with(p) => &t[2..],
        _ => t,
    };
    if digits.is_empty() {
        return None;
    }
    // Python rejects leading zeros in base 10 ("007"), except for zero itself.
    if base == 10
        && digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().any(|b| b != b'0')
    {
        return None;
    }
    let mut n = BigUint::zero();
    for c in digits.chars() {
        let d = c.to_digit(base)?;
        n.mul_small(base);
        n.add_small(d);
    }
    n.negative = negative;
    Some(n)
}

/// Just enough of an arbitrary-precision integer for Python's unbounded `int`:
/// little-endian limbs in base 10^9, plus a sign.
#[derive(Clone, Debug)]
struct BigUint {
    limbs: Vec<u32>,
    negative: bool,
}

const LIMB: u64 = 1_000_000_000;

impl BigUint {
    fn zero() -> Self {
        Self {
            limbs: Vec::new(),
            negative: false,
        }
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.limbs.push((carry % LIMB) as u32);
            carry /= LIMB;
        }
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.limbs {
            if carry == 0 {
                return;
            }
            let v = u64::from(*limb) + carry;
            *limb = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.limbs.push((carry % LIMB) as u32);
            carry /= LIMB;
        }
    }

    fn add(&mut self, other: &BigUint) {
        let mut carry = 0u64;
        for i in 0..self.limbs.len().max(other.limbs.len()) {
            if i == self.limbs.len() {
                self.limbs.push(0);
            }
            let v = u64::from(self.limbs[i]) + u64::from(*other.limbs.get(i).unwrap_or(&0)) + carry;
            self.limbs[i] = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.limbs.iter().rev().skip_while(|&&l| l == 0);
        let Some(first) = limbs.next() else {
            return "0".to_owned();
        };
        let mut out = first.to_string();
        for l in limbs {
            out.push_str(&format!("{l:09}"));
        }
        out
    }

    /// The value, negated when `neg` (the sign already parsed is folded in, as Python's
    /// `sign * int(...)` does).
    fn into_resolved(self, neg: bool) -> Resolved {
        let negative = neg != self.negative;
        let digits = self.to_decimal();
        if self.is_zero() {
            return Resolved::Int(0);
        }
        let text = if negative {
            format!("-{digits}")
        } else {
            digits
        };
        match text.parse::<i64>() {
            Ok(i) => Resolved::Int(i),
            Err(_) => Resolved::BigInt(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Resolved {
        resolve_k8s_plain(s)
    }

    fn p(s: &str) -> Result<Resolved, String> {
        resolve_pyyaml_plain(s)
    }

    #[test]
    fn go_int_parsing() {
        assert_eq!(go_parse_int("0755"), Some(0o755));
        assert_eq!(go_parse_int("0o17"), Some(15));
        assert_eq!(go_parse_int("0O17"), Some(15));
        assert_eq!(go_parse_int("0x1F"), Some(31));
        assert_eq!(go_parse_int("-0b101"), Some(-5));
        assert_eq!(go_parse_int("0"), Some(0));
        assert_eq!(go_parse_int("0x"), None);
        assert_eq!(go_parse_int("08"), None);
        assert_eq!(go_parse_int("+"), None);
        assert_eq!(go_parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_parse_int("9223372036854775808"), None);
        assert_eq!(go_parse_uint("18446744073709551615"), Some(u64::MAX));
        assert_eq!(go_parse_uint("18446744073709551616"), None);
    }

    #[test]
    fn kubernetes_special_cases() {
        assert_eq!(k("08"), Resolved::Float(8.0));
        assert_eq!(k("1e999"), Resolved::Str("1e999".into()));
        assert_eq!(
            k("9223372036854775808"),
            Resolved::BigInt("9223372036854775808".into())
        );
        assert_eq!(
            k("-9223372036854775809"),
            Resolved::Float(-9223372036854775809.0)
        );
        assert_eq!(k(".5_0"), Resolved::Str(".5_0".into()));
        assert_eq!(k("1.5_0"), Resolved::Float(1.5));
        assert_eq!(k("<<"), Resolved::Str("<<".into()));
    }

    #[test]
    fn python_big_ints() {
        assert_eq!(
            p("0x1_0000_0000_0000_0000"),
            Ok(Resolved::BigInt("18446744073709551616".into()))
        );
        assert_eq!(
            p("-9223372036854775809"),
            Ok(Resolved::BigInt("-9223372036854775809".into()))
        );
        assert_eq!(p("-9223372036854775808"), Ok(Resolved::Int(i64::MIN)));
        assert_eq!(p("190:20:30"), Ok(Resolved::Int(190 * 3600 + 20 * 60 + 30)));
        assert!(p("0b_").is_err());
    }

    #[test]
    fn tagged() {
        let s = |text: &str, style| Scalar {
            text: text.to_owned(),
            style,
        };
        let plain = |t| s(t, ScalarStyle::Plain);
        let quoted = |t| s(t, ScalarStyle::DoubleQuoted);
        use ResolveRules::*;
        assert_eq!(
            plain("3").resolve(Kubernetes, Some("!!str")),
            Resolved::Str("3".into())
        );
        assert_eq!(
            quoted("3").resolve(Kubernetes, Some("!!int")),
            Resolved::Int(3)
        );
        assert_eq!(
            quoted("3").resolve(PyYaml, Some("tag:yaml.org,2002:int")),
            Resolved::Int(3)
        );
        assert_eq!(
            plain("3").resolve(Kubernetes, Some("!!float")),
            Resolved::Float(3.0)
        );
        assert!(plain("abc").try_resolve(Kubernetes, Some("!!int")).is_err());
        assert!(plain("abc").try_resolve(PyYaml, Some("!!int")).is_err());
        assert_eq!(
            plain("1e3").resolve(PyYaml, Some("!!float")),
            Resolved::Float(1000.0)
        );
        assert_eq!(
            plain("5").resolve(Kubernetes, Some("!custom")),
            Resolved::Str("5".into())
        );
        assert!(plain("5").try_resolve(PyYaml, Some("!custom")).is_err());
        assert_eq!(
            plain("5").resolve(PyYaml, Some("!")),
            Resolved::Str("5".into())
        );
        assert_eq!(
            quoted("yes").resolve(Kubernetes, None),
            Resolved::Str("yes".into())
        );
        assert_eq!(
            plain("anything").resolve(PyYaml, Some("!!null")),
            Resolved::Null
        );
    }
}
