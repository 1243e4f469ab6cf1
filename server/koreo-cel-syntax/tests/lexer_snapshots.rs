//! Snapshots of the token stream: kinds, categories and exact spans.

use expect_test::{Expect, expect};
use koreo_cel_syntax::lex;

fn check(src: &str, expect: Expect) {
    let out: Vec<String> = lex(src)
        .iter()
        .map(|t| {
            format!(
                "{:?}/{:?}@{:?} {:?}",
                t.kind,
                t.kind.category(),
                t.span,
                &src[t.span]
            )
        })
        .collect();
    expect.assert_eq(&out.join("\n"));
}

#[test]
fn a_typical_expression() {
    check(
        "inputs.items.map(i, i.name) // names\n  + [\"x\", -1, 2u, .5]",
        expect![[r#"
            Ident/Identifier@0..6 "inputs"
            Dot/Punctuation@6..7 "."
            Ident/Identifier@7..12 "items"
            Dot/Punctuation@12..13 "."
            Ident/Identifier@13..16 "map"
            LParen/Punctuation@16..17 "("
            Ident/Identifier@17..18 "i"
            Comma/Punctuation@18..19 ","
            Ident/Identifier@20..21 "i"
            Dot/Punctuation@21..22 "."
            Ident/Identifier@22..26 "name"
            RParen/Punctuation@26..27 ")"
            Comment/Comment@28..36 "// names"
            Plus/Operator@39..40 "+"
            LBracket/Punctuation@41..42 "["
            String/String@42..45 "\"x\""
            Comma/Punctuation@45..46 ","
            Int/Number@47..49 "-1"
            Comma/Punctuation@49..50 ","
            UInt/Number@51..53 "2u"
            Comma/Punctuation@53..54 ","
            Double/Number@55..57 ".5"
            RBracket/Punctuation@57..58 "]""#]],
    );
}

#[test]
fn contextual_tokens() {
    check(
        "x in [in, null, x.null, -1, a -1, a inputs]",
        expect![[r#"
        Ident/Identifier@0..1 "x"
        In/Keyword@2..4 "in"
        LBracket/Punctuation@5..6 "["
        Ident/Identifier@6..8 "in"
        Comma/Punctuation@8..9 ","
        Null/Keyword@10..14 "null"
        Comma/Punctuation@14..15 ","
        Ident/Identifier@16..17 "x"
        Dot/Punctuation@17..18 "."
        Ident/Identifier@18..22 "null"
        Comma/Punctuation@22..23 ","
        Int/Number@24..26 "-1"
        Comma/Punctuation@26..27 ","
        Ident/Identifier@28..29 "a"
        Minus/Operator@30..31 "-"
        Int/Number@31..32 "1"
        Comma/Punctuation@32..33 ","
        Ident/Identifier@34..35 "a"
        In/Keyword@36..38 "in"
        Ident/Identifier@38..42 "puts"
        RBracket/Punctuation@42..43 "]""#]],
    );
}

#[test]
fn strings_and_errors() {
    check(
        r#"r"\d" b'\x00' """a"b""" "open"#,
        expect![[r#"
        String/String@0..5 "r\"\\d\""
        Bytes/Bytes@6..13 "b'\\x00'"
        String/String@14..23 "\"\"\"a\"b\"\"\""
        UnterminatedString/Error@24..29 "\"open""#]],
    );
    check(
        "a = b & c @@ é",
        expect![[r#"
        Ident/Identifier@0..1 "a"
        Unknown/Error@2..3 "="
        Ident/Identifier@4..5 "b"
        Unknown/Error@6..7 "&"
        Ident/Identifier@8..9 "c"
        Unknown/Error@10..12 "@@"
        Unknown/Error@13..15 "é""#]],
    );
}

#[test]
fn escapes_inside_strings() {
    let src = r#"["\n\d\101\999", b"\u0141\x41", r"\n", '''\U0001F600\U00110000\'''']"#;
    let out: Vec<String> = lex(src)
        .into_iter()
        .flat_map(|t| koreo_cel_syntax::escapes(src, t))
        .map(|e| format!("{:?}@{:?} {}", e.kind, e.span, &src[e.span]))
        .collect();
    expect![[r#"
        Valid@2..4 \n
        Kept@4..6 \d
        Valid@6..10 \101
        Invalid@10..14 \999
        Invalid@19..25 \u0141
        Valid@25..29 \x41
        Valid@42..52 \U0001F600
        Invalid@52..62 \U00110000
        Valid@62..64 \'"#]]
    .assert_eq(&out.join("\n"));
}
