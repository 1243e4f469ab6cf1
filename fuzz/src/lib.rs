//! Invariants the fuzz targets check. A broken invariant panics, which libFuzzer reports
//! as a crash with the input saved under `artifacts/`.

use koreo_cel_syntax::{
    ExprKind, Parse, TextRange, TextSize, bindings_at, debug_tree, escapes, lex, node_at, parse,
    print,
};

fn in_text(src: &str, r: TextRange) -> bool {
    usize::from(r.end()) <= src.len()
        && src.is_char_boundary(r.start().into())
        && src.is_char_boundary(r.end().into())
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Tokens are non-empty, ordered, on char boundaries, separated by whitespace only;
/// escapes lie inside their token.
pub fn check_lex(src: &str) {
    let mut pos = 0usize;
    for t in lex(src) {
        assert!(in_text(src, t.span) && !t.span.is_empty(), "{t:?}");
        let start = usize::from(t.span.start());
        assert!(
            src.as_bytes()[pos..start].iter().all(|&b| is_space(b)),
            "gap before {t:?}"
        );
        pos = t.span.end().into();
        for e in escapes(src, t) {
            assert!(
                t.span.contains_range(e.span) && in_text(src, e.span),
                "{e:?} in {t:?}"
            );
        }
    }
    assert!(
        src.as_bytes()[pos..].iter().all(|&b| is_space(b)),
        "unlexed tail"
    );
}

/// Spans in bounds and nested, names matching their text, a consistent verdict, and the
/// IDE helpers total at every offset.
pub fn check_parse(src: &str) -> Parse {
    let p = parse(src);
    for e in &p.errors {
        assert!(in_text(src, e.span) && !e.message.is_empty(), "{e:?}");
    }
    if let Some(at) = p.celpy_error {
        assert!(src.is_char_boundary(at.into()) && !p.errors.is_empty());
    }
    for e in p.expr.preorder() {
        assert!(in_text(src, e.span), "{:?}", e.span);
        for n in e.names() {
            assert!(
                e.span.contains_range(n.span) && src[n.span] == n.text,
                "{n:?}"
            );
        }
        for c in e.children() {
            assert!(
                e.span.contains_range(c.span),
                "{:?} outside {:?}",
                c.span,
                e.span
            );
        }
    }
    let _ = debug_tree(&p.expr);
    let _ = print(&p.expr);
    for offset in (0..=src.len())
        .filter(|&i| src.is_char_boundary(i))
        .step_by(7)
    {
        let at = TextSize::new(offset as u32);
        if let Some(found) = node_at(&p.expr, at) {
            assert!(found.node.span.contains_inclusive(at));
        }
        let _ = bindings_at(&p.expr, at);
    }
    p
}

/// Whatever cel-python accepts prints to text that parses to the same shape, and printing
/// is canonical (printing that again gives the same text).
pub fn check_round_trip(src: &str) {
    let p = parse(src);
    // `1{}` (message construction on a non-name) keeps no operand: it has no text to print.
    // Past the nesting limit the verdict is unknown and an `Error` node stands in.
    let unprintable = p.expr.preorder().any(|e| match &e.kind {
        ExprKind::Message { type_name, .. } => type_name.is_empty(),
        ExprKind::Error => true,
        _ => false,
    });
    if p.celpy_error.is_some() || unprintable {
        return;
    }
    let printed = print(&p.expr);
    let again = parse(&printed);
    assert!(
        again.celpy_error.is_none(),
        "{src:?} printed as {printed:?}: {:?}",
        again.errors
    );
    assert!(
        again.expr.same_shape(&p.expr),
        "{src:?} printed as {printed:?}"
    );
    assert_eq!(
        print(&again.expr),
        printed,
        "printing is not canonical for {src:?}"
    );
}
