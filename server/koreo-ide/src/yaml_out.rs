//! A small YAML emitter for previews: plain data ([`Data`]) to block-style YAML.
//!
//! saphyr's emitter (the YAML crate we already use) quotes by YAML 1.2 rules and leaves `y`,
//! `n`, `1_000` or `0b1` plain, which go-yaml v2 (what `kubectl` and the controller read with)
//! and PyYAML turn into booleans and numbers. Here a string stays plain only when both of our
//! resolvers ([`resolve_k8s_plain`], [`resolve_pyyaml_plain`]) read it back as the same
//! string, so the preview means the same thing to every reader. Keys keep insertion order
//! (the order the controller sends), multi-line strings become literal block scalars.

use koreo_eval::Data;
use koreo_syntax::{Resolved, resolve_k8s_plain, resolve_pyyaml_plain};

/// Renders `data` as a YAML document body (no `---`), ending with a newline.
pub(crate) fn to_yaml(data: &Data) -> String {
    let mut out = String::new();
    match data {
        Data::Map(m) if !m.is_empty() => write_map(&mut out, m, 0, false),
        Data::List(l) if !l.is_empty() => write_list(&mut out, l, 0),
        other => {
            write_scalar(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes the entries of a non-empty map; with `inline`, the first entry continues the
/// current line (a list item's `- `).
fn write_map(out: &mut String, m: &koreo_eval::data::DataMap, indent: usize, inline: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !inline {
            push_indent(out, indent);
        }
        write_key(out, k);
        write_value_after_key(out, v, indent);
    }
}

/// After `key:`: a nested block on the next lines, or ` scalar` on this line.
fn write_value_after_key(out: &mut String, v: &Data, indent: usize) {
    out.push(':');
    match v {
        Data::Map(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2, false);
        }
        Data::List(l) if !l.is_empty() => {
            out.push('\n');
            write_list(out, l, indent + 2);
        }
        other => {
            out.push(' ');
            write_scalar(out, other, indent + 2);
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, l: &[Data], indent: usize) {
    for item in l {
        push_indent(out, indent);
        out.push_str("- ");
        match item {
            Data::Map(m) if !m.is_empty() => write_map(out, m, indent + 2, true),
            Data::List(inner) if !inner.is_empty() => {
                out.pop();
                out.push('\n');
                write_list(out, inner, indent + 2);
            }
            other => {
                write_scalar(out, other, indent + 2);
                out.push('\n');
            }
        }
    }
}

fn write_key(out: &mut String, k: &str) {
    // Implicit keys must be single-line and at most 1024 characters.
    if k.len() <= 1000 && plain_ok(k) {
        out.push_str(k);
    } else if !k.contains('\n') && single_quote_ok(k) && k.len() <= 1000 {
        single_quoted(out, k);
    } else {
        double_quoted(out, k);
    }
}

/// A scalar on the current line; block scalars continue on lines indented by `indent`.
fn write_scalar(out: &mut String, d: &Data, indent: usize) {
    match d {
        Data::Null => out.push_str("null"),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::Int(i) => out.push_str(&i.to_string()),
        Data::Float(f) => out.push_str(&float_text(*f)),
        Data::Str(s) => write_string(out, s, indent),
        Data::Other { text, .. } => out.push_str(text),
        Data::Map(_) => out.push_str("{}"),
        Data::List(_) => out.push_str("[]"),
    }
}

/// A float both go-yaml v2 and PyYAML read back as the same float. PyYAML's float pattern
/// needs a `.` in the mantissa, so `1e+20` is written `1.0e+20`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let repr = koreo_eval::data::py_float_repr(f);
    match repr.split_once('e') {
        Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0e{exp}"),
        _ => repr,
    }
}

fn write_string(out: &mut String, s: &str, indent: usize) {
    if plain_ok(s) {
        out.push_str(s);
    } else if s.contains('\n') && block_ok(s) {
        literal_block(out, s, indent);
    } else if single_quote_ok(s) && !s.contains('\n') {
        single_quoted(out, s);
    } else {
        double_quoted(out, s);
    }
}

/// Characters that only a double-quoted scalar can carry (escaped).
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Whether `s` can be written as a plain scalar that every reader reads back as this string.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return false;
    }
    // Indicators that start something else than a plain scalar (kept conservative).
    if matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) {
        return false;
    }
    if s.starts_with("...") || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if s.chars().any(|c| needs_escape(c) || c == '\n' || c == '\t') {
        return false;
    }
    // Flow indicators are harmless in block context, but a reader of flow YAML would split
    // on them; quoting keeps the preview pasteable anywhere.
    if s.contains(['{', '}', '[', ']', ',']) {
        return false;
    }
    matches!(resolve_k8s_plain(s), Resolved::Str(ref t) if t == s)
        && matches!(resolve_pyyaml_plain(s), Ok(Resolved::Str(ref t)) if t == s)
}

fn single_quote_ok(s: &str) -> bool {
    !s.chars().any(needs_escape)
}

fn single_quoted(out: &mut String, s: &str) {
    out.push('\'');
    out.push_str(&s.replace('\'', "''"));
    out.push('\'');
}

fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Literal blocks keep every character but these: escapes, and trailing spaces on the last
/// line before the chomping indicator can't be told apart from indentation on blank lines
/// (`"a\n  \n"` would read back as `"a\n\n"`), so lines made only of spaces are refused;
/// and a block with no content line reads back as `""` whatever its chomping.
fn block_ok(s: &str) -> bool {
    !s.trim_end_matches('\n').is_empty()
        && !s.chars().any(needs_escape)
        && !s.contains('\r')
        && s.split('\n').all(|l| l.is_empty() || !l.trim().is_empty())
}

fn literal_block(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    // An explicit indentation indicator when the content starts with a space or a blank
    // line (the reader would otherwise guess the indentation from it).
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push(match trailing {
        0 => '-',
        1 => ' ',
        _ => '+',
    });
    if out.ends_with(' ') {
        out.pop();
    }
    let block_indent = indent.max(2);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            push_indent(out, block_indent);
            out.push_str(line);
        }
    }
    // Kept (`+`) trailing newlines beyond the one the caller writes.
    for _ in 1..trailing {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use koreo_eval::spec::SNode;
    use koreo_syntax::ResolveRules;

    fn read_back(text: &str, rules: ResolveRules) -> Data {
        let parsed = koreo_syntax::parse_file(text);
        assert!(
            parsed.all_errors().next().is_none(),
            "errors in {text:?}: {:?}",
            parsed.all_errors().collect::<Vec<_>>()
        );
        let root = parsed.documents[0].root.as_ref().expect("a value");
        SNode::from_yaml(root, text, rules).to_data()
    }

    fn roundtrip(d: &Data) {
        let text = to_yaml(d);
        for rules in [ResolveRules::Kubernetes, ResolveRules::PyYaml] {
            let back = read_back(&text, rules);
            // NaN != NaN; compare their rendering instead.
            assert_eq!(
                format!("{back:?}"),
                format!("{d:?}"),
                "{rules:?} reads {text:?} differently"
            );
        }
    }

    fn j(s: &str) -> Data {
        Data::from_json_text(s).unwrap()
    }

    #[test]
    fn renders_kubernetes_objects_readably() {
        let d = j(r#"{"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web", "tier": ""}},
            "spec": {"replicas": 3, "paused": false, "ratio": 1e20, "empty": {}, "none": [],
              "containers": [{"name": "app", "args": ["--port", "8080", "y"], "env": [{"name": "A", "value": "on"}]}],
              "matrix": [[1, 2], []],
              "script": "echo hi\necho 'there'\n", "note": "a: b", "quote": "it's", "nul": null}}"#);
        expect![[r#"
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels:
                app: web
                tier: ''
            spec:
              replicas: 3
              paused: false
              ratio: 1.0e+20
              empty: {}
              none: []
              containers:
                - name: app
                  args:
                    - '--port'
                    - '8080'
                    - 'y'
                  env:
                    - name: A
                      value: 'on'
              matrix:
                -
                  - 1
                  - 2
                - []
              script: |
                echo hi
                echo 'there'
              note: 'a: b'
              quote: it's
              nul: null
        "#]]
        .assert_eq(&to_yaml(&d));
        roundtrip(&d);
    }

    #[test]
    fn strings_that_other_readers_would_retype_are_quoted() {
        for s in [
            "y",
            "n",
            "yes",
            "off",
            "~",
            "null",
            "1_000",
            "0x1F",
            "0o17",
            "017",
            "1e3",
            ".5",
            "+1",
            "2024-01-02",
            "2001-12-14t21:59:43.10-05:00",
            "1:20",
            "=",
            "<<",
            ".inf",
            "-",
            "---",
            "...",
            "? x",
            "- x",
            "a #b",
            "#x",
            "x:",
            "[a]",
            "{a}",
            "a,b",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "\"",
            "'",
            " lead",
            "trail ",
            "tab\tin",
            "",
            "=inputs.x + 1",
            "true",
            "True",
            "1.0",
            "-0",
            "Infinity",
            "nan",
        ] {
            roundtrip(&Data::Str(s.into()));
            roundtrip(&j(&format!(
                r#"{{"k": {}}}"#,
                Data::Str(s.into()).json_dumps()
            )));
        }
    }

    #[test]
    fn multi_line_and_control_characters() {
        for s in [
            "a\nb",
            "a\nb\n",
            "a\nb\n\n",
            "\nlead",
            " indented\nx",
            "a\n\nb",
            "x\n  y\n",
            "a\n  \nb",
            "bell\u{7}",
            "cr\r\nlf",
            "\u{feff}bom",
            "line\u{2028}sep",
            "tab\n\tx",
        ] {
            roundtrip(&Data::Str(s.into()));
            roundtrip(&j(&format!(
                r#"{{"k": [{}]}}"#,
                Data::Str(s.into()).json_dumps()
            )));
        }
    }

    #[test]
    fn numbers_and_odd_keys() {
        let mut m = koreo_eval::data::DataMap::new();
        for (i, k) in ["1", "true", "a: b", "", "multi\nline", "it's", "-x"]
            .into_iter()
            .enumerate()
        {
            m.insert(k.into(), Data::Int(i as i64));
        }
        for f in [
            0.0,
            -0.0,
            1.5,
            1e-7,
            1e16,
            -2.5e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            m.insert(format!("f{f}"), Data::Float(f));
        }
        m.insert("big".into(), Data::Int(i64::MIN));
        roundtrip(&Data::Map(m));
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips(s in "[ -~\n\t\u{a0}é😀\u{7}\r]{0,12}") {
            roundtrip(&Data::Str(s.clone()));
            let mut m = koreo_eval::data::DataMap::new();
            m.insert(s.clone(), Data::List(vec![Data::Str(s)]));
            roundtrip(&Data::Map(m));
        }

        #[test]
        fn any_float_round_trips(f in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            roundtrip(&Data::Float(f));
        }
    }
}
