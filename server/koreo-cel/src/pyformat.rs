//! Python's printf-style `%` formatting (`str % x`, `bytes % x`) with one argument.
//!
//! CEL has no tuples, so the right operand is always a single argument: it feeds one
//! conversion, or — when it is a mapping in Python's sense (lists, maps, bytes for `str`) —
//! `%(key)s` lookups. Flags, width, precision, every conversion (`s r a d i u o x X e E f F g
//! G c %`) and CPython's error messages and their order are reproduced.

use crate::error::PyErr;
use crate::ops::getitem;
use crate::python::{try_py_repr, try_py_str};
use crate::value::{Native, Value};

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

/// The argument state of CPython's formatter for a non-tuple argument.
struct Args {
    current: Value,
    used: bool,
}

impl Args {
    fn next(&mut self) -> Result<Value, PyErr> {
        if self.used {
            return Err(PyErr::Type("not enough arguments for format string".into()));
        }
        self.used = true;
        Ok(self.current.clone())
    }
}

fn type_name(v: &Value) -> &'static str {
    v.py_type().name()
}

/// `fmt % arg`. `bytes` selects the bytes formatter (then `fmt` holds one char per byte and
/// the result does too). `mapping` is Python's `PyMapping_Check` verdict for `arg`.
pub(crate) fn format(
    fmt: &[char],
    arg: &Value,
    mapping: bool,
    bytes: bool,
) -> Result<String, PyErr> {
    let mut out = String::new();
    let mut args = Args {
        current: arg.clone(),
        used: false,
    };
    let n = fmt.len();
    let mut pos = 0;
    while pos < n {
        if fmt[pos] != '%' {
            out.push(fmt[pos]);
            pos += 1;
            continue;
        }
        pos += 1;
        if fmt.get(pos) == Some(&'%') {
            out.push('%');
            pos += 1;
            continue;
        }
        // Mapping key.
        if fmt.get(pos) == Some(&'(') {
            if !mapping {
                return Err(PyErr::Type("format requires a mapping".into()));
            }
            pos += 1;
            let start = pos;
            let mut depth = 1;
            while depth > 0 && pos < n {
                match fmt[pos] {
                    ')' => depth -= 1,
                    '(' => depth += 1,
                    _ => {}
                }
                pos += 1;
            }
            if depth > 0 {
                return Err(PyErr::Value("incomplete format key".into()));
            }
            let key: String = fmt[start..pos - 1].iter().collect();
            let key = if bytes {
                Value::Native(Native::Bytes(key.chars().map(|c| c as u8).collect()))
            } else {
                Value::Native(Native::Str(key.into()))
            };
            args = Args {
                current: getitem(arg, &key)?,
                used: false,
            };
        }
        // Flags.
        let mut flags = 0u8;
        let mut ch = None;
        while pos < n {
            let c = fmt[pos];
            pos += 1;
            match c {
                '-' => flags |= F_LJUST,
                '+' => flags |= F_SIGN,
                ' ' => flags |= F_BLANK,
                '#' => flags |= F_ALT,
                '0' => flags |= F_ZERO,
                _ => {
                    ch = Some(c);
                    break;
                }
            }
        }
        // Width.
        let mut width: Option<usize> = None;
        if ch == Some('*') {
            let v = args.next()?;
            let w = star_int(&v)?;
            if w < 0 {
                flags |= F_LJUST;
            }
            width = Some(w.unsigned_abs() as usize);
            ch = next_char(fmt, &mut pos);
        } else if let Some(d) = ch.and_then(|c| c.to_digit(10)) {
            let mut w = d as usize;
            ch = None;
            while pos < n {
                let c = fmt[pos];
                pos += 1;
                match c.to_digit(10) {
                    Some(d) => {
                        w = w
                            .checked_mul(10)
                            .and_then(|w| w.checked_add(d as usize))
                            .ok_or_else(|| PyErr::Value("width too big".into()))?;
                    }
                    None => {
                        ch = Some(c);
                        break;
                    }
                }
            }
            width = Some(w);
        }
        // Precision.
        let mut prec: Option<usize> = None;
        if ch == Some('.') {
            prec = Some(0);
            ch = next_char(fmt, &mut pos);
            if ch == Some('*') {
                let v = args.next()?;
                let p = star_int(&v)?;
                if i32::try_from(p).is_err() {
                    return Err(PyErr::Overflow(
                        "Python int too large to convert to C int".into(),
                    ));
                }
                prec = Some(p.max(0) as usize);
                ch = next_char(fmt, &mut pos);
            } else if let Some(d) = ch.and_then(|c| c.to_digit(10)) {
                let mut p = d as usize;
                ch = None;
                while pos < n {
                    let c = fmt[pos];
                    pos += 1;
                    match c.to_digit(10) {
                        Some(d) => {
                            p = p * 10 + d as usize;
                            if p > i32::MAX as usize {
                                return Err(PyErr::Value("precision too big".into()));
                            }
                        }
                        None => {
                            ch = Some(c);
                            break;
                        }
                    }
                }
                prec = Some(p);
            }
        }
        if matches!(ch, Some('h' | 'l' | 'L')) {
            ch = next_char(fmt, &mut pos);
        }
        let Some(conv) = ch else {
            return Err(PyErr::Value("incomplete format".into()));
        };
        let v = args.next()?;
        let spec = Spec {
            flags,
            width,
            prec,
            conv,
        };
        let (body, numeric) = convert(&spec, &v, bytes, pos - 1)?;
        crate::budget::check_size(out.len() + body.len() + width.unwrap_or(0))?;
        pad(&mut out, &spec, &body, numeric);
    }
    if !args.used && !mapping {
        return Err(PyErr::Type(format!(
            "not all arguments converted during {} formatting",
            if bytes { "bytes" } else { "string" }
        )));
    }
    Ok(out)
}

fn next_char(fmt: &[char], pos: &mut usize) -> Option<char> {
    let c = fmt.get(*pos).copied();
    if c.is_some() {
        *pos += 1;
    }
    c
}

fn star_int(v: &Value) -> Result<i64, PyErr> {
    match v.as_int_like() {
        Some(i) => i64::try_from(i)
            .map_err(|_| PyErr::Overflow("Python int too large to convert to C ssize_t".into())),
        None => Err(PyErr::Type("* wants int".into())),
    }
}

struct Spec {
    flags: u8,
    width: Option<usize>,
    prec: Option<usize>,
    conv: char,
}

/// The converted text and whether it is numeric (sign, `0` padding and `#` prefixes apply).
fn convert(spec: &Spec, v: &Value, bytes: bool, at: usize) -> Result<(String, bool), PyErr> {
    let crash = crate::ops::crash;
    Ok(match spec.conv {
        's' | 'b' if bytes => {
            let b = match v {
                Value::Bytes(b) | Value::Native(Native::Bytes(b)) => b.clone(),
                other => {
                    return Err(PyErr::Type(format!(
                        "%b requires a bytes-like object, or an object that implements \
                         __bytes__, not '{}'",
                        type_name(other)
                    )));
                }
            };
            (
                truncate(b.iter().map(|&x| x as char).collect(), spec.prec),
                false,
            )
        }
        's' if !bytes => (truncate(try_py_str(v).map_err(crash)?, spec.prec), false),
        'r' | 'a' => {
            let r = try_py_repr(v).map_err(crash)?;
            let r = if spec.conv == 'a' || bytes {
                ascii(&r)
            } else {
                r
            };
            (truncate(r, spec.prec), false)
        }
        'd' | 'i' | 'u' | 'o' | 'x' | 'X' => (format_int(spec, v)?, true),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let f = match (v.as_int_like(), v.as_float()) {
                (Some(i), _) => i as f64,
                (_, Some(f)) => f,
                _ => {
                    return Err(PyErr::Type(format!(
                        "must be real number, not {}",
                        type_name(v)
                    )));
                }
            };
            (format_float(f, spec), true)
        }
        'c' => (format_char(v, bytes)?.to_string(), false),
        other => {
            let shown = if (31..=126).contains(&(other as u32)) {
                other
            } else {
                '?'
            };
            return Err(PyErr::Value(format!(
                "unsupported format character '{shown}' (0x{:x}) at index {at}",
                other as u32
            )));
        }
    })
}

fn truncate(s: String, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s,
    }
}

/// Python's `ascii()` escaping of a repr.
fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if u < 0x80 {
            out.push(c);
        } else if u < 0x100 {
            out.push_str(&format!("\\x{u:02x}"));
        } else if u < 0x10000 {
            out.push_str(&format!("\\u{u:04x}"));
        } else {
            out.push_str(&format!("\\U{u:08x}"));
        }
    }
    out
}

fn format_char(v: &Value, bytes: bool) -> Result<char, PyErr> {
    if bytes {
        if let Value::Bytes(b) | Value::Native(Native::Bytes(b)) = v
            && b.len() == 1
        {
            return Ok(b[0] as char);
        }
        return match v.as_int_like() {
            Some(i) if (0..256).contains(&i) => Ok(i as u8 as char),
            Some(_) => Err(PyErr::Overflow("%c arg not in range(256)".into())),
            None => Err(PyErr::Type(
                "%c requires an integer in range(256) or a single byte".into(),
            )),
        };
    }
    if let Some(s) = v.as_str() {
        let mut cs = s.chars();
        return match (cs.next(), cs.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(PyErr::Type("%c requires int or char".into())),
        };
    }
    match v.as_int_like() {
        Some(i) => u32::try_from(i)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| PyErr::Overflow("%c arg not in range(0x110000)".into())),
        None => Err(PyErr::Type("%c requires int or char".into())),
    }
}

/// The digits of an integer conversion (with `-`, precision zeros and the `#` prefix).
fn format_int(spec: &Spec, v: &Value) -> Result<String, PyErr> {
    let c = spec.conv;
    let digits_of = |neg: bool, mag: String| -> String {
        let mut body = mag;
        if let Some(p) = spec.prec
            && body.len() < p
        {
            body = "0".repeat(p - body.len()) + &body;
        }
        let prefix = match c {
            'o' if spec.flags & F_ALT != 0 => "0o",
            'x' if spec.flags & F_ALT != 0 => "0x",
            'X' if spec.flags & F_ALT != 0 => "0X",
            _ => "",
        };
        format!("{}{prefix}{body}", if neg { "-" } else { "" })
    };
    if let Some(i) = v.as_int_like() {
        let mag = i.unsigned_abs();
        let text = match c {
            'o' => format!("{mag:o}"),
            'x' => format!("{mag:x}"),
            'X' => format!("{mag:X}"),
            _ => mag.to_string(),
        };
        return Ok(digits_of(i < 0, text));
    }
    let Some(f) = v.as_float() else {
        return Err(PyErr::Type(match c {
            'o' | 'x' | 'X' => format!("%{c} format: an integer is required, not {}", type_name(v)),
            _ => format!(
                "%{c} format: a real number is required, not {}",
                type_name(v)
            ),
        }));
    };
    if matches!(c, 'o' | 'x' | 'X') {
        return Err(PyErr::Type(format!(
            "%{c} format: an integer is required, not float"
        )));
    }
    if f.is_nan() {
        return Err(PyErr::Value("cannot convert float NaN to integer".into()));
    }
    if f.is_infinite() {
        return Err(PyErr::Overflow(
            "cannot convert float infinity to integer".into(),
        ));
    }
    let t = f.trunc();
    Ok(digits_of(t < 0.0, exact_integer(t.abs())))
}

/// The exact decimal digits of an integral, finite, non-negative double.
fn exact_integer(f: f64) -> String {
    if f < 1e38 {
        return (f as u128).to_string();
    }
    let bits = f.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1075;
    let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
    // Little-endian base-1e9 limbs, doubled `exp` times.
    let mut limbs: Vec<u64> = vec![mant % 1_000_000_000, mant / 1_000_000_000];
    for _ in 0..exp.max(0) {
        let mut carry = 0;
        for l in limbs.iter_mut() {
            let x = *l * 2 + carry;
            *l = x % 1_000_000_000;
            carry = x / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut s = limbs.last().map(u64::to_string).unwrap_or_default();
    for l in limbs.iter().rev().skip(1) {
        s.push_str(&format!("{l:09}"));
    }
    s
}

/// `PyOS_double_to_string(f, conv, prec, alt)`.
fn format_float(f: f64, spec: &Spec) -> String {
    let upper = spec.conv.is_ascii_uppercase();
    let alt = spec.flags & F_ALT != 0;
    let prec = spec.prec.unwrap_or(6);
    let s = if !f.is_finite() {
        let t = if f.is_nan() {
            "nan".to_string()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
        return if upper { t.to_uppercase() } else { t };
    } else {
        match spec.conv.to_ascii_lowercase() {
            'e' => exp_format(f, prec, alt),
            'f' => {
                let mut s = format!("{f:.prec$}");
                if alt && prec == 0 {
                    s.push('.');
                }
                s
            }
            _ => {
                let p = prec.max(1);
                let e = exp_format(f, p - 1, false);
                let x: i32 = e
                    .rsplit_once('e')
                    .and_then(|(_, x)| x.parse().ok())
                    .unwrap_or(0);
                let mut s = if -4 <= x && x < p as i32 {
                    let fp = (p as i32 - 1 - x).max(0) as usize;
                    format!("{f:.fp$}")
                } else {
                    e
                };
                if !alt {
                    s = strip_zeros(&s);
                } else if !s.contains('.') {
                    // The alternate form keeps a decimal point.
                    match s.find('e') {
                        Some(i) => s.insert(i, '.'),
                        None => s.push('.'),
                    }
                }
                s
            }
        }
    };
    if upper { s.to_uppercase() } else { s }
}

/// C-style `%.{prec}e`: at least two exponent digits.
fn exp_format(f: f64, prec: usize, alt: bool) -> String {
    let s = format!("{f:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut mant = mant.to_string();
    if alt && prec == 0 {
        mant.push('.');
    }
    format!(
        "{mant}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    )
}

/// `%g` without `#`: drop trailing fractional zeros and a bare point.
fn strip_zeros(s: &str) -> String {
    let (mant, exp) = match s.find('e') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let mant = if mant.contains('.') {
        mant.trim_end_matches('0').trim_end_matches('.')
    } else {
        mant
    };
    format!("{mant}{exp}")
}

/// CPython's `unicode_format_arg_output`: sign, `#` prefix, fill and justification.
fn pad(out: &mut String, spec: &Spec, body: &str, numeric: bool) {
    let mut flags = spec.flags;
    if !numeric {
        flags &= !(F_ZERO | F_SIGN | F_BLANK);
    }
    let fill = if flags & F_ZERO != 0 && flags & F_LJUST == 0 {
        '0'
    } else {
        ' '
    };
    let mut text: Vec<char> = body.chars().collect();
    let mut sign: Option<char> = None;
    if numeric {
        match text.first() {
            Some('-') => {
                sign = Some('-');
                text.remove(0);
            }
            _ if flags & F_SIGN != 0 => sign = Some('+'),
            _ if flags & F_BLANK != 0 => sign = Some(' '),
            _ => {}
        }
    }
    let prefix: Vec<char> = if numeric
        && flags & F_ALT != 0
        && matches!(spec.conv, 'o' | 'x' | 'X')
        && text.len() >= 2
        && text[0] == '0'
    {
        text.drain(..2).collect()
    } else {
        Vec::new()
    };
    let len = text.len() + prefix.len() + usize::from(sign.is_some());
    let width = spec.width.unwrap_or(0).max(len);
    let padding = width - len;
    if fill == '0' {
        out.extend(sign);
        out.extend(prefix.iter());
        out.extend(std::iter::repeat_n('0', padding));
    } else {
        if flags & F_LJUST == 0 {
            out.extend(std::iter::repeat_n(' ', padding));
        }
        out.extend(sign);
        out.extend(prefix.iter());
    }
    out.extend(text.iter());
    if fill == ' ' && flags & F_LJUST != 0 {
        out.extend(std::iter::repeat_n(' ', padding));
    }
}
