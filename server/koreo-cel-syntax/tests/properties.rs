//! Property tests: arbitrary text never panics and yields a consistent tree; generated
//! trees round-trip through the printer; mutated valid expressions never panic.

use koreo_cel_syntax::{
    BinaryOp, Expr, ExprKind, FieldInit, Literal, LiteralError, MapEntry, Name, Parse, TextRange,
    UnaryOp, lex, parse, print,
};
use proptest::prelude::*;

// ---- invariants of any parse ----

fn on_boundary(src: &str, r: TextRange) -> bool {
    usize::from(r.end()) <= src.len()
        && src.is_char_boundary(r.start().into())
        && src.is_char_boundary(r.end().into())
}

/// Every span is in bounds, on char boundaries and inside its parent's span; the verdict
/// and the error list are consistent.
fn check_parse(src: &str, p: &Parse) -> Result<(), TestCaseError> {
    for e in &p.errors {
        prop_assert!(
            on_boundary(src, e.span),
            "error span {:?} in {src:?}",
            e.span
        );
        prop_assert!(!e.message.is_empty());
    }
    if p.celpy_error.is_some() {
        prop_assert!(!p.errors.is_empty(), "rejected without an error: {src:?}");
    }
    if let Some(at) = p.celpy_error {
        prop_assert!(src.is_char_boundary(at.into()) && usize::from(at) <= src.len());
    }
    let mut stack = vec![&p.expr];
    while let Some(e) = stack.pop() {
        prop_assert!(on_boundary(src, e.span), "span {:?} in {src:?}", e.span);
        for n in e.names() {
            prop_assert!(on_boundary(src, n.span));
            prop_assert!(
                e.span.contains_range(n.span),
                "name outside node in {src:?}"
            );
            prop_assert_eq!(&src[n.span], n.text.as_str());
        }
        for c in e.children() {
            prop_assert!(
                e.span.contains_range(c.span),
                "child {:?} outside parent {:?} in {src:?}",
                c.span,
                e.span
            );
            stack.push(c);
        }
    }
    Ok(())
}

fn check_lex(src: &str) -> Result<(), TestCaseError> {
    let tokens = lex(src);
    let mut pos = 0usize;
    for t in &tokens {
        prop_assert!(on_boundary(src, t.span));
        prop_assert!(!t.span.is_empty(), "empty token in {src:?}");
        let start = usize::from(t.span.start());
        // Only whitespace between tokens.
        prop_assert!(
            src[pos..start]
                .bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)),
            "gap {:?} in {src:?}",
            &src[pos..start]
        );
        pos = t.span.end().into();
    }
    prop_assert!(
        src[pos..]
            .trim_matches(&[' ', '\t', '\n', '\r', '\x0c'][..])
            .is_empty()
    );
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "1",
    "-1",
    "1u",
    "1.",
    ".5",
    "1e3",
    "0x1F",
    "\"a\"",
    "'b'",
    "r\"c\"",
    "b\"d\"",
    "\"\"\"e\"\"\"",
    "true",
    "null",
    "x",
    "in",
    "inputs",
    "y.z",
    ".w",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "?",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "==",
    "!=",
    "<",
    "<=",
    ">=",
    "&&",
    "||",
    "f(",
    "a.m(",
    "//c\n",
    "=",
    "&",
    "|",
    "\"",
    "'",
    "\\",
    "\"\"\"",
    "é",
    "\n",
    " ",
    "T{",
    "map(x, ",
];

fn cel_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(src in ".{0,64}") {
        check_lex(&src)?;
        check_parse(&src, &parse(&src))?;
    }

    #[test]
    fn cel_like_text_never_panics(src in cel_like()) {
        check_lex(&src)?;
        let p = parse(&src);
        check_parse(&src, &p)?;
        // Whatever cel-python accepts prints back to the same shape, except `1{}` (message
        // construction on a non-name), which keeps no operand to print, and text past the
        // nesting limit (verdict unknown, an `Error` node stands in).
        let unprintable = p.expr.preorder().any(|e| match &e.kind {
            ExprKind::Message { type_name, .. } => type_name.is_empty(),
            ExprKind::Error => true,
            _ => false,
        });
        if p.celpy_error.is_none() && !unprintable {
            let printed = print(&p.expr);
            let again = parse(&printed);
            prop_assert!(again.celpy_error.is_none(), "{src:?} printed as {printed:?}");
            prop_assert!(again.expr.same_shape(&p.expr), "{src:?} printed as {printed:?}");
        }
    }
}

// ---- generated trees ----

fn span() -> TextRange {
    TextRange::default()
}

fn e(kind: ExprKind) -> Expr {
    Expr { span: span(), kind }
}

fn name(text: &str) -> Name {
    Name {
        text: text.to_owned(),
        span: span(),
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Ternary { .. } => 0,
        ExprKind::Binary { op, .. } => match op {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 5,
            _ => 3,
        },
        ExprKind::Unary { .. } => 6,
        _ => 7,
    }
}

/// Wraps in parentheses where the parser would need them, so the tree is one the parser
/// can produce.
fn at_least(x: Expr, min: u8) -> Box<Expr> {
    Box::new(if prec(&x) < min {
        e(ExprKind::Paren(Box::new(x)))
    } else {
        x
    })
}

/// Identifiers usable as plain names (`null`, `true`, `false` are literals there).
fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "x",
            "inputs",
            "in",
            "inx",
            "_",
            "has",
            "map",
            "if",
            "namespace"
        ])
        .prop_map(str::to_owned),
        "[_a-zA-Z][_a-zA-Z0-9]{0,6}".prop_filter("literal words", |s| {
            !matches!(s.as_str(), "true" | "false" | "null")
        }),
    ]
}

/// Names after `.` (and message field names): also `null`.
fn member() -> impl Strategy<Value = String> {
    prop_oneof![ident(), Just("null".to_owned())]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<i64>().prop_map(|v| Literal::Int(Some(v))),
        Just(Literal::Int(None)),
        any::<u64>().prop_map(|v| Literal::UInt(Some(v))),
        Just(Literal::UInt(None)),
        any::<f64>()
            .prop_filter("no NaN literal", |v| !v.is_nan())
            .prop_map(Literal::Double),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            0.5,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY
        ])
        .prop_map(Literal::Double),
        any::<String>().prop_map(Literal::String),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Literal::Bytes),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
        prop::sample::select(vec![
            LiteralError::Value("invalid literal for int() with base 8: '089'".into()),
            LiteralError::Value("chr() arg not in range(0x110000)".into()),
            LiteralError::Value("bytes must be in range(0, 256)".into()),
            LiteralError::Value("invalid literal for int() with base 10: '-0x1f'".into()),
        ])
        .prop_map(Literal::Invalid),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    use BinaryOp::*;
    prop::sample::select(vec![
        Or, And, Eq, Ne, Lt, Le, Gt, Ge, In, Add, Sub, Mul, Div, Rem,
    ])
}

fn tree() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(|l| e(ExprKind::Literal(l))),
        ident().prop_map(|n| e(ExprKind::Ident(name(&n)))),
        member().prop_map(|n| e(ExprKind::RootIdent(name(&n)))),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| e(ExprKind::Paren(Box::new(x)))),
            (any::<bool>(), inner.clone()).prop_map(|(not, x)| e(ExprKind::Unary {
                op: if not { UnaryOp::Not } else { UnaryOp::Neg },
                op_span: span(),
                operand: at_least(x, 6),
            })),
            (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let p = prec(&e(ExprKind::Binary {
                    op,
                    op_span: span(),
                    lhs: Box::new(e(ExprKind::Error)),
                    rhs: Box::new(e(ExprKind::Error)),
                }));
                e(ExprKind::Binary {
                    op,
                    op_span: span(),
                    lhs: at_least(l, p),
                    rhs: at_least(r, p + 1),
                })
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, o)| e(
                ExprKind::Ternary {
                    cond: at_least(c, 1),
                    then: at_least(t, 1),
                    otherwise: Box::new(o),
                }
            )),
            (inner.clone(), member()).prop_map(|(x, f)| e(ExprKind::Select {
                operand: at_least(x, 7),
                field: name(&f),
            })),
            (inner.clone(), inner.clone()).prop_map(|(x, i)| e(ExprKind::Index {
                operand: at_least(x, 7),
                index: Box::new(i),
            })),
            (
                inner.clone(),
                member(),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(r, f, args)| e(ExprKind::Call {
                    receiver: Some(at_least(r, 7)),
                    func: name(&f),
                    args,
                })),
            (ident(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(f, args)| e(
                ExprKind::Call {
                    receiver: None,
                    func: name(&f),
                    args,
                }
            )),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| e(ExprKind::List(v))),
            prop::collection::vec((inner.clone(), inner.clone()), 0..3).prop_map(|v| e(
                ExprKind::Map(
                    v.into_iter()
                        .map(|(key, value)| MapEntry {
                            key,
                            value,
                            span: span()
                        })
                        .collect()
                )
            )),
            (
                ident(),
                prop::collection::vec(member(), 0..2),
                prop::collection::vec((member(), inner), 0..3)
            )
                .prop_map(|(first, rest, fields)| e(ExprKind::Message {
                    operand: Box::new(rest.iter().fold(
                        e(ExprKind::Ident(name(&first))),
                        |operand, field| {
                            e(ExprKind::Select {
                                operand: Box::new(operand),
                                field: name(field),
                            })
                        }
                    )),
                    type_name: std::iter::once(first)
                        .chain(rest)
                        .map(|n| name(&n))
                        .collect(),
                    fields: fields
                        .into_iter()
                        .map(|(f, value)| FieldInit {
                            field: name(&f),
                            value,
                            span: span(),
                        })
                        .collect(),
                })),
        ]
    })
}

/// A few edits to a text: delete a range, insert a fragment, or move a range.
fn mutations() -> impl Strategy<Value = Vec<(u8, usize, usize, usize)>> {
    prop::collection::vec(
        (0u8..3, any::<usize>(), any::<usize>(), any::<usize>()),
        1..4,
    )
}

fn apply(src: &str, edits: &[(u8, usize, usize, usize)]) -> String {
    let mut s = src.to_owned();
    for &(kind, a, b, f) in edits {
        let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let i = bounds[a % bounds.len()];
        let j = bounds[b % bounds.len()];
        let (lo, hi) = (i.min(j), i.max(j));
        s = match kind {
            0 => format!("{}{}", &s[..lo], &s[hi..]),
            1 => format!("{}{}{}", &s[..i], FRAGMENTS[f % FRAGMENTS.len()], &s[i..]),
            _ => format!("{}{}{}", &s[..lo], &s[hi..], &s[lo..hi]),
        };
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_trees_round_trip(ast in tree()) {
        let printed = print(&ast);
        let p = parse(&printed);
        prop_assert!(p.celpy_error.is_none(), "{printed:?}: {:?}", p.errors);
        prop_assert!(p.expr.same_shape(&ast), "{printed:?} parsed as {:?}", p.expr);
        // Printing is canonical: the parsed tree prints the same text.
        prop_assert_eq!(print(&p.expr), printed);
    }

    #[test]
    fn mutated_expressions_never_panic(ast in tree(), edits in mutations()) {
        let src = apply(&print(&ast), &edits);
        check_lex(&src)?;
        check_parse(&src, &parse(&src))?;
    }
}
