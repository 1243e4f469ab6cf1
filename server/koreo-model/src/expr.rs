//! A careful token scan of Koreo expressions for the variable paths they read
//! (`inputs.a`, `inputs["a"]`, `steps.label`). It skips string literals and comments, and
//! only accepts a root name that is not itself a field (`x.inputs.a` does not count).
//! It stands in until editor features are moved onto the CEL parser's AST.

/// First path segments read under `root` in `expr` (the text after the leading `=`s), in
/// order of first use, without duplicates.
pub fn root_fields(expr: &str, root: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in scan(expr.trim_start_matches('='), root) {
        if !out.contains(&seg) {
            out.push(seg);
        }
    }
    out
}

fn scan(src: &str, root: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // The previous significant byte, to reject `.inputs` (a field named like the root).
    let mut prev: u8 = b' ';
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' => {
                i = skip_string(b, i);
                prev = b'"';
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                let word = &src[start..i];
                if word == root && prev != b'.' {
                    let mut j = skip_ws(b, i);
                    if b.get(j) == Some(&b'.') {
                        j = skip_ws(b, j + 1);
                        let s = j;
                        while j < b.len() && (b[j] == b'_' || b[j].is_ascii_alphanumeric()) {
                            j += 1;
                        }
                        if j > s {
                            out.push(src[s..j].to_owned());
                        }
                    } else if b.get(j) == Some(&b'[') {
                        let k = skip_ws(b, j + 1);
                        if matches!(b.get(k), Some(b'"') | Some(b'\'')) {
                            let end = skip_string(b, k);
                            if end > k + 1 && b[end - 1] == b[k] {
                                let inner = &src[k + 1..end.saturating_sub(1)];
                                if !inner.is_empty() {
                                    out.push(inner.to_owned());
                                }
                            }
                        }
                    }
                }
                prev = b'a';
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                prev = c;
                i += 1;
            }
        }
    }
    out
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Index just past the string literal starting at `i` (handles triple quotes and escapes).
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if !triple {
                return j + 1;
            }
            if b.len() >= j + 3 && b[j + 1] == q && b[j + 2] == q {
                return j + 3;
            }
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::root_fields;

    #[test]
    fn finds_dotted_and_indexed_inputs() {
        assert_eq!(
            root_fields(
                "=inputs.name + inputs[\"ports\"][0] + inputs.name",
                "inputs"
            ),
            vec!["name", "ports"]
        );
    }

    #[test]
    fn skips_strings_comments_and_fields() {
        let e = "=\"inputs.a\" + x.inputs.b + 'inputs.c' // inputs.d\n + inputs . e";
        assert_eq!(root_fields(e, "inputs"), vec!["e"]);
    }

    #[test]
    fn handles_unterminated_text() {
        assert_eq!(root_fields("=inputs[\"a", "inputs"), Vec::<String>::new());
        assert_eq!(root_fields("=inputs.", "inputs"), Vec::<String>::new());
    }
}
