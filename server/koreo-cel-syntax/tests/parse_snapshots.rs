//! Snapshot tests of trees (with spans) and error lists, valid and broken inputs.

use expect_test::{Expect, expect};
use koreo_cel_syntax::{debug_tree, parse};

/// Tree, then errors (`start..end message` with the underlined text), then cel-python's
/// verdict.
fn render(src: &str) -> String {
    let p = parse(src);
    let mut out = debug_tree(&p.expr);
    for e in &p.errors {
        out.push_str(&format!(
            "error {:?} `{}`: {}\n",
            e.span, &src[e.span], e.message
        ));
    }
    match p.celpy_error {
        Some(at) => out.push_str(&format!("celpy rejects at {at:?}\n")),
        None => out.push_str("celpy accepts\n"),
    }
    out
}

fn check(src: &str, expect: Expect) {
    expect.assert_eq(&render(src));
}

#[test]
fn typical_koreo_expression() {
    check(
        "inputs.items.filter(i, i.active).map(i, i.name)",
        expect![[r#"
            Call@0..47 method map@33..36
              Call@0..32 method filter@13..19
                Select@0..12 .items@7..12
                  Ident@0..6 inputs
                Ident@20..21 i
                Select@23..31 .active@25..31
                  Ident@23..24 i
              Ident@37..38 i
              Select@40..46 .name@42..46
                Ident@40..41 i
            celpy accepts
        "#]],
    );
}

#[test]
fn precedence_and_associativity() {
    check(
        "1 + 2 * 3 - 4",
        expect![[r#"
        Binary@0..13 -@10..11
          Binary@0..9 +@2..3
            Literal@0..1 Int(Some(1))
            Binary@4..9 *@6..7
              Literal@4..5 Int(Some(2))
              Literal@8..9 Int(Some(3))
          Literal@12..13 Int(Some(4))
        celpy accepts
    "#]],
    );
    check(
        "1 < 2 < 3",
        expect![[r#"
        Binary@0..9 <@6..7
          Binary@0..5 <@2..3
            Literal@0..1 Int(Some(1))
            Literal@4..5 Int(Some(2))
          Literal@8..9 Int(Some(3))
        celpy accepts
    "#]],
    );
    check(
        "a || b && c == d",
        expect![[r#"
        Binary@0..16 ||@2..4
          Ident@0..1 a
          Binary@5..16 &&@7..9
            Ident@5..6 b
            Binary@10..16 ==@12..14
              Ident@10..11 c
              Ident@15..16 d
        celpy accepts
    "#]],
    );
    check(
        "a ? b : c ? d : e",
        expect![[r#"
        Ternary@0..17
          Ident@0..1 a
          Ident@4..5 b
          Ternary@8..17
            Ident@8..9 c
            Ident@12..13 d
            Ident@16..17 e
        celpy accepts
    "#]],
    );
    check(
        "!!-x",
        expect![[r#"
        Unary@0..4 !@0..1
          Unary@1..4 !@1..2
            Unary@2..4 -@2..3
              Ident@3..4 x
        celpy accepts
    "#]],
    );
    check(
        "x in [1, 2] && !(y in {})",
        expect![[r#"
        Binary@0..25 &&@12..14
          Binary@0..11 in@2..4
            Ident@0..1 x
            List@5..11
              Literal@6..7 Int(Some(1))
              Literal@9..10 Int(Some(2))
          Unary@15..25 !@15..16
            Paren@16..25
              Binary@17..24 in@19..21
                Ident@17..18 y
                Map@22..24
        celpy accepts
    "#]],
    );
}

#[test]
fn minus_in_literals() {
    check(
        "1-2",
        expect![[r#"
        Binary@0..3 -@1..2
          Literal@0..1 Int(Some(1))
          Literal@2..3 Int(Some(2))
        celpy accepts
    "#]],
    );
    check(
        "1--1",
        expect![[r#"
        Binary@0..4 -@1..2
          Literal@0..1 Int(Some(1))
          Literal@2..4 Int(Some(-1))
        celpy accepts
    "#]],
    );
    check(
        "-9223372036854775808",
        expect![[r#"
        Literal@0..20 Int(Some(-9223372036854775808))
        celpy accepts
    "#]],
    );
    check(
        "- 9223372036854775808",
        expect![[r#"
        Unary@0..21 -@0..1
          Literal@2..21 Int(None)
        error 2..21 `9223372036854775808`: integer literal out of the int64 range: evaluating it fails with `overflow`
        celpy accepts
    "#]],
    );
    check(
        "-x",
        expect![[r#"
        Unary@0..2 -@0..1
          Ident@1..2 x
        celpy accepts
    "#]],
    );
}

#[test]
fn members_and_calls() {
    check(
        "a.b[c].d(e, f)",
        expect![[r#"
        Call@0..14 method d@7..8
          Index@0..6
            Select@0..3 .b@2..3
              Ident@0..1 a
            Ident@4..5 c
          Ident@9..10 e
          Ident@12..13 f
        celpy accepts
    "#]],
    );
    check(
        ".root.x",
        expect![[r#"
        Select@0..7 .x@6..7
          RootIdent@0..5 root@1..5
        celpy accepts
    "#]],
    );
    check(
        "x.in + x.null",
        expect![[r#"
        Binary@0..13 +@5..6
          Select@0..4 .in@2..4
            Ident@0..1 x
          Select@7..13 .null@9..13
            Ident@7..8 x
        celpy accepts
    "#]],
    );
    check(
        "f()",
        expect![[r#"
        Call@0..3 global f@0..1
        celpy accepts
    "#]],
    );
    check(
        "\"abc\".size()",
        expect![[r#"
        Call@0..12 method size@6..10
          Literal@0..5 String("abc")
        celpy accepts
    "#]],
    );
    check(
        "1 .x",
        expect![[r#"
        Select@0..4 .x@3..4
          Literal@0..1 Int(Some(1))
        celpy accepts
    "#]],
    );
}

#[test]
fn literals() {
    check(
        r#"["a\n", 'b', r"\n", b"\x41", """x""", 1u, 0x1F, 1.5e3, .5, true, null]"#,
        expect![[r#"
        List@0..70
          Literal@1..6 String("a\n")
          Literal@8..11 String("b")
          Literal@13..18 String("\\n")
          Literal@20..27 Bytes([65])
          Literal@29..36 String("x")
          Literal@38..40 UInt(Some(1))
          Literal@42..46 Int(Some(31))
          Literal@48..53 Double(1500.0)
          Literal@55..57 Double(0.5)
          Literal@59..63 Bool(true)
          Literal@65..69 Null
        celpy accepts
    "#]],
    );
    check(
        r#"{"k": 1, 2: [3]}"#,
        expect![[r#"
        Map@0..16
          Entry@1..7
            Literal@1..4 String("k")
            Literal@6..7 Int(Some(1))
          Entry@9..15
            Literal@9..10 Int(Some(2))
            List@12..15
              Literal@13..14 Int(Some(3))
        celpy accepts
    "#]],
    );
}

#[test]
fn literals_that_fail_at_evaluation() {
    check(
        r#""ok \999 \U00110000""#,
        expect![[r#"
        Literal@0..20 Invalid(Value("invalid literal for int() with base 8: '999'"))
        error 4..8 `\999`: `\999` is not an octal escape (digits 0-7): evaluating it fails with `invalid literal for int() with base 8: '999'`
        error 9..19 `\U00110000`: `\U00110000` is beyond the last code point U+10FFFF: evaluating it fails with `chr() arg not in range(0x110000)`
        celpy accepts
    "#]],
    );
    check(
        r#"b"\u0141""#,
        expect![[r#"
        Literal@0..9 Invalid(Value("bytes must be in range(0, 256)"))
        error 2..8 `\u0141`: `\u0141` is above 255 in a bytes literal: evaluating it fails with `bytes must be in range(0, 256)`
        celpy accepts
    "#]],
    );
    check(
        "9223372036854775808",
        expect![[r#"
        Literal@0..19 Int(None)
        error 0..19 `9223372036854775808`: integer literal out of the int64 range: evaluating it fails with `overflow`
        celpy accepts
    "#]],
    );
    check(
        "-0x1u",
        expect![[r#"
        Literal@0..5 Invalid(Value("invalid literal for int() with base 10: '-0x1'"))
        error 0..5 `-0x1u`: a negative hex uint literal is not a number for cel-python: evaluating it fails with `invalid literal for int() with base 10: '-0x1'`
        celpy accepts
    "#]],
    );
}

#[test]
fn unsupported_constructs() {
    check(
        "a.b.T{x: 1, in: 2}",
        expect![[r#"
        Message@0..18 a@0..1.b@2..3.T@4..5
          Field@6..10 x@6..7
            Literal@9..10 Int(Some(1))
          Field@12..17 in@12..14
            Literal@16..17 Int(Some(2))
        error 0..18 `a.b.T{x: 1, in: 2}`: message construction `Type{field: value}` is not supported in Koreo expressions (there are no message types); use a map literal `{"field": value}`
        celpy accepts
    "#]],
    );
    check(
        ".f(1)",
        expect![[r#"
        Call@0..5 global f@1..2
          Literal@3..4 Int(Some(1))
        error 0..5 `.f(1)`: a call cannot start with `.`: cel-python reads `.f(…)` as the root variable `f` and ignores the arguments
        celpy accepts
    "#]],
    );
}

#[test]
fn incomplete_member_access_keeps_a_select() {
    check(
        "inputs.",
        expect![[r#"
        Select@0..7 .@7..7
          Ident@0..6 inputs
        error 7..7 ``: expected a name after `.`, found the end of the expression
        celpy rejects at 6
    "#]],
    );
    check(
        "inputs.spec.",
        expect![[r#"
        Select@0..12 .@12..12
          Select@0..11 .spec@7..11
            Ident@0..6 inputs
        error 12..12 ``: expected a name after `.`, found the end of the expression
        celpy rejects at 11
    "#]],
    );
    check(
        "inputs. && x",
        expect![[r#"
        Binary@0..12 &&@8..10
          Select@0..7 .@7..7
            Ident@0..6 inputs
          Ident@11..12 x
        error 8..10 `&&`: expected a name after `.`, found `&&`
        celpy rejects at 8
    "#]],
    );
    check(
        ".",
        expect![[r#"
        RootIdent@0..1 @1..1
        error 1..1 ``: expected a name after `.`, found the end of the expression
        celpy rejects at 0
    "#]],
    );
    check(
        "a..b",
        expect![[r#"
        Select@0..4 .b@3..4
          Select@0..2 .@2..2
            Ident@0..1 a
        error 2..3 `.`: expected a name after `.`, found `.`
        celpy rejects at 2
    "#]],
    );
}

#[test]
fn missing_operands_are_empty_holes() {
    check(
        "1 +",
        expect![[r#"
        Binary@0..3 +@2..3
          Literal@0..1 Int(Some(1))
          Error@3..3
        error 3..3 ``: expected an expression after `+`, found the end of the expression
        celpy rejects at 2
    "#]],
    );
    check(
        "a ? b",
        expect![[r#"
        Ternary@0..5
          Ident@0..1 a
          Ident@4..5 b
          Error@5..5
        error 5..5 ``: expected `:` and the `else` branch of `?`, found the end of the expression
        celpy rejects at 4
    "#]],
    );
    check(
        "a ? : b",
        expect![[r#"
        Ternary@0..7
          Ident@0..1 a
          Error@4..4
          Ident@6..7 b
        error 4..5 `:`: expected an expression after `?`, found `:`
        celpy rejects at 4
    "#]],
    );
    check(
        "",
        expect![[r#"
        Error@0..0
        error 0..0 ``: expected an expression, found nothing
        celpy rejects at 0
    "#]],
    );
    check(
        "  // only a comment",
        expect![[r#"
        Error@0..0
        error 0..0 ``: expected an expression, found nothing
        celpy rejects at 0
    "#]],
    );
    check(
        "* 2",
        expect![[r#"
        Binary@0..3 *@0..1
          Error@0..0
          Literal@2..3 Int(Some(2))
        error 0..1 `*`: expected an expression, found `*`
        celpy rejects at 0
    "#]],
    );
}

#[test]
fn unclosed_and_mismatched_delimiters() {
    check(
        "f(a, b",
        expect![[r#"
        Call@0..6 global f@0..1
          Ident@2..3 a
          Ident@5..6 b
        error 1..2 `(`: expected `)` to close the call of `f` opened here
        celpy rejects at 5
    "#]],
    );
    check(
        "inputs.items.map(x, x.",
        expect![[r#"
        Call@0..22 method map@13..16
          Select@0..12 .items@7..12
            Ident@0..6 inputs
          Ident@17..18 x
          Select@20..22 .@22..22
            Ident@20..21 x
        error 16..17 `(`: expected `)` to close the call of `map` opened here
        error 22..22 ``: expected a name after `.`, found the end of the expression
        celpy rejects at 21
    "#]],
    );
    check(
        "[1, 2",
        expect![[r#"
        List@0..5
          Literal@1..2 Int(Some(1))
          Literal@4..5 Int(Some(2))
        error 0..1 `[`: expected `]` to close the list opened here
        celpy rejects at 4
    "#]],
    );
    check(
        "{1: 2",
        expect![[r#"
        Map@0..5
          Entry@1..5
            Literal@1..2 Int(Some(1))
            Literal@4..5 Int(Some(2))
        error 0..1 `{`: expected `}` to close the map opened here
        celpy rejects at 4
    "#]],
    );
    check(
        "(1 + 2",
        expect![[r#"
        Paren@0..6
          Binary@1..6 +@3..4
            Literal@1..2 Int(Some(1))
            Literal@5..6 Int(Some(2))
        error 0..1 `(`: expected `)` to close the parenthesis opened here
        celpy rejects at 5
    "#]],
    );
    check(
        "[f(a]",
        expect![[r#"
        List@0..5
          Call@1..4 global f@1..2
            Ident@3..4 a
        error 2..3 `(`: expected `)` to close the call of `f` opened here
        celpy rejects at 4
    "#]],
    );
    check(
        "a[1:2]",
        expect![[r#"
        Index@0..6
          Ident@0..1 a
          Literal@2..3 Int(Some(1))
        error 3..4 `:`: expected `]` to close the index, found `:`
        celpy rejects at 3
    "#]],
    );
    check(
        "f(a))",
        expect![[r#"
        Call@0..4 global f@0..1
          Ident@2..3 a
        error 4..5 `)`: unmatched `)`
        celpy rejects at 4
    "#]],
    );
}

#[test]
fn lists_with_missing_or_extra_commas() {
    check(
        "f(1,)",
        expect![[r#"
        Call@0..5 global f@0..1
          Literal@2..3 Int(Some(1))
        error 3..4 `,`: trailing comma: cel-python does not accept a `,` before the closing delimiter
        celpy rejects at 4
    "#]],
    );
    check(
        "[,]",
        expect![[r#"
        List@0..3
        error 1..2 `,`: expected an element before `,`
        celpy rejects at 1
    "#]],
    );
    check(
        "f(a b)",
        expect![[r#"
        Call@0..6 global f@0..1
          Ident@2..3 a
          Ident@4..5 b
        error 4..5 `b`: expected `,` or `)` after the argument
        celpy rejects at 4
    "#]],
    );
    check(
        "{a:1, b}",
        expect![[r#"
        Map@0..8
          Entry@1..4
            Ident@1..2 a
            Literal@3..4 Int(Some(1))
          Entry@6..7
            Ident@6..7 b
            Error@7..7
        error 7..8 `}`: expected `:` after the map key, found `}`
        celpy rejects at 7
    "#]],
    );
}

#[test]
fn lexical_errors() {
    check(
        "1.strip()",
        expect![[r#"
        Call@0..9 method strip@2..7
          Literal@0..2 Double(1.0)
        error 2..7 `strip`: `1.` is a double literal, so `strip` cannot follow it: write `(1).strip()`
        celpy rejects at 2
    "#]],
    );
    check(
        "\"unterminated",
        expect![[r#"
        Error@0..13
        error 0..13 `"unterminated`: unterminated string: add the closing `"`
        celpy rejects at 0
    "#]],
    );
    check(
        "\"\"\"abc",
        expect![[r#"
        Literal@0..2 String("")
        error 0..6 `"""abc`: unterminated multi-line string: no closing `"""`
        celpy rejects at 2
    "#]],
    );
    check(
        "'a\nb'",
        expect![[r#"
        Error@0..2
        error 0..2 `'a`: unterminated string: a `'` string must close on the same line (use `'''` for text over several lines)
        error 3..4 `b`: expected an operator, found identifier `b`
        error 4..5 `'`: unterminated string: add the closing `'`
        celpy rejects at 0
    "#]],
    );
    check(
        "a = b",
        expect![[r#"
        Binary@0..5 ==@2..3
          Ident@0..1 a
          Ident@4..5 b
        error 2..3 `=`: `=` is not an operator: use `==` to compare
        celpy rejects at 2
    "#]],
    );
    check(
        "a & b | c",
        expect![[r#"
        Binary@0..9 ||@6..7
          Binary@0..5 &&@2..3
            Ident@0..1 a
            Ident@4..5 b
          Ident@8..9 c
        error 2..3 `&`: `&` is not an operator: use `&&`
        error 6..7 `|`: `|` is not an operator: use `||`
        celpy rejects at 2
    "#]],
    );
    check(
        "x @ y",
        expect![[r#"
        Ident@0..1 x
        error 2..3 `@`: unexpected character `@`
        error 4..5 `y`: expected an operator, found identifier `y`
        celpy rejects at 2
    "#]],
    );
    check(
        "x.true",
        expect![[r#"
        Select@0..2 .@2..2
          Ident@0..1 x
        error 2..6 `true`: `true` is a literal and cannot be a name after `.`
        celpy rejects at 2
    "#]],
    );
}

#[test]
fn stray_tokens_after_the_expression() {
    check(
        "a b",
        expect![[r#"
        Ident@0..1 a
        error 2..3 `b`: expected an operator, found identifier `b`
        celpy rejects at 2
    "#]],
    );
    check(
        "(1)(2)",
        expect![[r#"
        Paren@0..3
          Literal@1..2 Int(Some(1))
        error 3..4 `(`: unexpected `(`: only a name (`f(…)`) or a method (`x.f(…)`) can be called
        celpy rejects at 3
    "#]],
    );
    check(
        "a ? b ? c : d : e",
        expect![[r#"
        Ternary@0..17
          Ident@0..1 a
          Ternary@4..13
            Ident@4..5 b
            Ident@8..9 c
            Ident@12..13 d
          Ident@16..17 e
        error 6..7 `?`: a conditional inside the middle branch of `?:` needs parentheses: write `a ? (b ? c : d) : e`
        celpy rejects at 6
    "#]],
    );
}
