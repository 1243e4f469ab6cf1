//! Python `json.loads` followed by celpy's `json_to_cel`, with Python's error messages
//! (`Expecting ',' delimiter: line 1 column 3 (char 2)`), used by `from_json`.

use crate::value::{Map, Value};

struct P<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
    /// An integer beyond int64 was read: `json.loads` accepts it and only the conversion
    /// to CEL afterwards fails, so syntax errors later in the text win.
    overflow: bool,
}

fn err_at(s: &str, msg: &str, pos: usize) -> String {
    let mut pos = pos.min(s.len());
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &s[..pos];
    let line = before.matches('\n').count() + 1;
    let col = match before.rfind('\n') {
        Some(nl) => before[nl + 1..].chars().count() + 1,
        None => before.chars().count() + 1,
    };
    let ch = before.chars().count();
    format!("{msg}: line {line} column {col} (char {ch})")
}

/// Parses JSON text into CEL values; `Err` holds the Python exception text.
pub fn loads(s: &str) -> Result<Value, String> {
    let mut p = P {
        s,
        b: s.as_bytes(),
        i: 0,
        depth: 0,
        overflow: false,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(err_at(s, "Extra data", p.i));
    }
    if p.overflow {
        return Err("overflow".into());
    }
    Ok(v)
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn fail(&self, msg: &str, pos: usize) -> String {
        err_at(self.s, msg, pos)
    }

    fn value(&mut self) -> Result<Value, String> {
        let start = self.i;
        let rest = &self.s[self.i..];
        match self.b.get(self.i) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(|s| Value::String(s.into())),
            Some(b'n') if rest.starts_with("null") => {
                self.i += 4;
                Ok(Value::Null)
            }
            Some(b't') if rest.starts_with("true") => {
                self.i += 4;
                Ok(Value::Bool(true))
            }
            Some(b'f') if rest.starts_with("false") => {
                self.i += 5;
                Ok(Value::Bool(false))
            }
            Some(b'N') if rest.starts_with("NaN") => {
                self.i += 3;
                Ok(Value::Double(f64::NAN))
            }
            Some(b'I') if rest.starts_with("Infinity") => {
                self.i += 8;
                Ok(Value::Double(f64::INFINITY))
            }
            Some(b'-') if rest.starts_with("-Infinity") => {
                self.i += 9;
                Ok(Value::Double(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.fail("Expecting value", start)),
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else {
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        if self.i == int_start {
            return Err(self.fail("Expecting value", start));
        }
        let mut is_float = false;
        if self.b.get(self.i) == Some(&b'.')
            && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)
        {
            is_float = true;
            self.i += 1;
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            let save = self.i;
            let mut j = self.i + 1;
            if matches!(self.b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if self.b.get(j).is_some_and(u8::is_ascii_digit) {
                while self.b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                self.i = j;
                is_float = true;
            } else {
                self.i = save;
            }
        }
        let text = &self.s[start..self.i];
        if is_float {
            Ok(Value::Double(text.parse().unwrap_or(f64::NAN)))
        } else {
            Ok(text.parse::<i64>().map(Value::Int).unwrap_or_else(|_| {
                self.overflow = true;
                Value::Null
            }))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.fail("Unterminated string starting at", start));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let esc_pos = self.i;
                    let Some(&e) = self.b.get(self.i + 1) else {
                        return Err(self.fail("Unterminated string starting at", start));
                    };
                    self.i += 2;
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
                            let u = self.hex4(esc_pos)?;
                            if (0xD800..0xDC00).contains(&u)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4(save)?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                } else {
                                    out.push('\u{FFFD}');
                                    self.i = save;
                                }
                            } else {
                                out.push(char::from_u32(u).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => return Err(self.fail("Invalid \\escape", esc_pos)),
                    }
                }
                c if c < 0x20 => return Err(self.fail("Invalid control character at", self.i)),
                _ => {
                    let ch = self.s[self.i..].chars().next().unwrap_or('\u{FFFD}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self, _esc_pos: usize) -> Result<u32, String> {
        let h = self.s.get(self.i..self.i + 4).unwrap_or("");
        // CPython reports the `u`, and wants a character after the four digits.
        if self.i + 4 < self.b.len() && h.len() == 4 && h.bytes().all(|c| c.is_ascii_hexdigit()) {
            self.i += 4;
            Ok(u32::from_str_radix(h, 16).unwrap_or(0xFFFD))
        } else {
            Err(self.fail("Invalid \\uXXXX escape", self.i - 1))
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 500 {
            return Err("maximum recursion depth exceeded while decoding a JSON document".into());
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::list(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => {
                    // Python 3.13 names a trailing comma (at the comma's position).
                    let comma = self.i;
                    self.i += 1;
                    self.ws();
                    if self.b.get(self.i) == Some(&b']') {
                        return Err(self.fail("Illegal trailing comma before end of array", comma));
                    }
                }
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::list(items));
                }
                _ => return Err(self.fail("Expecting ',' delimiter", self.i)),
            }
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.i += 1;
        let mut m = Map::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::map(m));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.fail("Expecting property name enclosed in double quotes", self.i));
            }
            let k = self.string()?;
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.fail("Expecting ':' delimiter", self.i));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            m.insert_str(&k, v);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => {
                    let comma = self.i;
                    self.i += 1;
                    self.ws();
                    if self.b.get(self.i) == Some(&b'}') {
                        return Err(self.fail("Illegal trailing comma before end of object", comma));
                    }
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(
                            self.fail("Expecting property name enclosed in double quotes", self.i)
                        );
                    }
                }
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::map(m));
                }
                _ => return Err(self.fail("Expecting ',' delimiter", self.i)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_messages() {
        assert_eq!(
            loads("[1 2]").unwrap_err(),
            "Expecting ',' delimiter: line 1 column 4 (char 3)"
        );
        assert_eq!(
            loads("").unwrap_err(),
            "Expecting value: line 1 column 1 (char 0)"
        );
        assert_eq!(
            loads("{\"a\" 1}").unwrap_err(),
            "Expecting ':' delimiter: line 1 column 6 (char 5)"
        );
        assert_eq!(
            loads("1 2").unwrap_err(),
            "Extra data: line 1 column 3 (char 2)"
        );
        assert_eq!(loads("99999999999999999999").unwrap_err(), "overflow");
        // The big integer parses; the missing bracket is reported first.
        assert_eq!(
            loads("[99999999999999999999").unwrap_err(),
            "Expecting ',' delimiter: line 1 column 22 (char 21)"
        );
        assert_eq!(loads("[-99999999999999999999, 1]").unwrap_err(), "overflow");
        assert_eq!(
            loads("[1, ]").unwrap_err(),
            "Illegal trailing comma before end of array: line 1 column 3 (char 2)"
        );
        assert_eq!(
            loads("{\"a\":1 , }").unwrap_err(),
            "Illegal trailing comma before end of object: line 1 column 8 (char 7)"
        );
        assert_eq!(
            loads("[1,,]").unwrap_err(),
            "Expecting value: line 1 column 4 (char 3)"
        );
        assert!(matches!(loads("{\"n\": 1, \"f\": 1.0}"), Ok(Value::Map(_))));
    }
}
