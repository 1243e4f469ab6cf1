//! The IDE utilities: traversal, `node_at`, macro scopes and bindings.

use expect_test::{Expect, expect};
use koreo_cel_syntax::{
    Expr, ExprKind, MacroKind, TextSize, Visitor, bindings_at, macro_scope, node_at, parse, walk,
};

/// `$0` marks the cursor.
fn cursor(fixture: &str) -> (String, TextSize) {
    let at = fixture.find("$0").expect("fixture has a $0 cursor");
    (fixture.replace("$0", ""), TextSize::new(at as u32))
}

/// The innermost node's kind and text, the name under the cursor, the ancestors' texts.
fn check_node_at(fixture: &str, expect: Expect) {
    let (src, at) = cursor(fixture);
    let p = parse(&src);
    let found = node_at(&p.expr, at).expect("cursor inside the expression");
    let kind = format!("{:?}", found.node.kind);
    let kind = kind.split([' ', '(', '{']).next().unwrap_or_default();
    let mut out = format!("{kind} `{}`", &src[found.node.span]);
    if let Some(n) = found.name {
        out.push_str(&format!(" name `{}`@{:?}", n.text, n.span));
    }
    for a in found.ancestors.iter().rev() {
        out.push_str(&format!("\n  in `{}`", &src[a.span]));
    }
    expect.assert_eq(&out);
}

#[test]
fn node_at_finds_the_innermost_node_and_name() {
    check_node_at(
        "inputs.items.filter(i, i.act$0ive)",
        expect![[r#"
            Select `i.active` name `active`@25..31
              in `inputs.items.filter(i, i.active)`"#]],
    );
    check_node_at(
        "inp$0uts.items",
        expect![[r#"
            Ident `inputs` name `inputs`@0..6
              in `inputs.items`"#]],
    );
    check_node_at(
        "a$0+b",
        expect![[r#"
            Ident `a` name `a`@0..1
              in `a+b`"#]],
    );
    check_node_at(
        "[1, f(x$0)]",
        expect![[r#"
            Ident `x` name `x`@6..7
              in `f(x)`
              in `[1, f(x)]`"#]],
    );
}

#[test]
fn node_at_in_broken_text_lands_on_the_hole() {
    check_node_at("inputs.$0", expect![[r#"Select `inputs.` name ``@7..7"#]]);
    check_node_at(
        "inputs.spec.$0 && x",
        expect![[r#"
            Select `inputs.spec.` name ``@12..12
              in `inputs.spec. && x`"#]],
    );
    check_node_at("f(a, $0", expect!["Call `f(a, `"]);
    check_node_at(
        "(1 + $0)",
        expect![[r#"
            Error ``
              in `1 + `
              in `(1 + )`"#]],
    );
    check_node_at(
        "x.map(v, v.$0",
        expect![[r#"
            Select `v.` name ``@11..11
              in `x.map(v, v.`"#]],
    );
}

#[test]
fn outside_the_expression_there_is_no_node() {
    let p = parse("  a  ");
    assert!(node_at(&p.expr, TextSize::new(0)).is_none());
    assert!(node_at(&p.expr, TextSize::new(2)).is_some());
}

fn bindings(fixture: &str) -> Vec<String> {
    let (src, at) = cursor(fixture);
    let p = parse(&src);
    bindings_at(&p.expr, at)
        .into_iter()
        .map(|n| format!("{}@{:?}", n.text, n.span))
        .collect()
}

#[test]
fn macro_variables_are_visible_in_the_body_only() {
    assert_eq!(bindings("l.map(x, x$0 + 1)"), ["x@6..7"]);
    assert_eq!(bindings("l$0.map(x, x + 1)"), Vec::<String>::new());
    assert_eq!(bindings("l.map(x$0, x + 1)"), Vec::<String>::new());
    assert_eq!(
        bindings("a.all(x, x.b.exists(y, y > x$0))"),
        ["x@6..7", "y@20..21"]
    );
    assert_eq!(
        bindings("l.reduce(acc, x, 0$0, acc + x)"),
        Vec::<String>::new()
    );
    assert_eq!(
        bindings("l.reduce(acc, x, 0, acc + x$0)"),
        ["acc@9..12", "x@14..15"]
    );
    // Not a comprehension: global form, wrong arity.
    assert_eq!(bindings("map(l, x, x$0)"), Vec::<String>::new());
    assert_eq!(bindings("l.map(x, y, x$0)"), Vec::<String>::new());
    // While typing: the body is still a hole, but the scope is there.
    assert_eq!(bindings("l.filter(x, x.$0"), ["x@9..10"]);
}

#[test]
fn macro_scope_reports_kind_vars_and_body() {
    let p = parse("items.exists_one(i, i.ok)");
    let scope = macro_scope(&p.expr).expect("a macro");
    assert_eq!(scope.kind, MacroKind::ExistsOne);
    assert_eq!(scope.vars.len(), 1);
    assert_eq!(scope.vars[0].text, "i");
    assert_eq!(format!("{:?}", scope.scope()), "20..24");
    // cel-python binds the last plain identifier of the variable argument.
    let p = parse("l.map(a.b + c, 1)");
    let scope = macro_scope(&p.expr).expect("a macro");
    assert_eq!(scope.vars[0].text, "c");
    let p = parse("l.map(1, 2)");
    assert!(macro_scope(&p.expr).expect("a macro").vars.is_empty());
    assert!(macro_scope(&parse("l.size()").expr).is_none());
}

/// Records enter/leave events to check the traversal order.
struct Trace<'a> {
    src: &'a str,
    events: Vec<String>,
    skip_calls: bool,
}

impl<'a> Visitor<'a> for Trace<'a> {
    fn enter(&mut self, e: &'a Expr) -> bool {
        self.events.push(format!("+{}", &self.src[e.span]));
        !(self.skip_calls && matches!(e.kind, ExprKind::Call { .. }))
    }
    fn leave(&mut self, e: &'a Expr) {
        self.events.push(format!("-{}", &self.src[e.span]));
    }
}

#[test]
fn walk_and_preorder_visit_in_source_order() {
    let src = "a + f(b, {c: d})";
    let p = parse(src);
    let mut t = Trace {
        src,
        events: Vec::new(),
        skip_calls: false,
    };
    walk(&p.expr, &mut t);
    assert_eq!(
        t.events.join(" "),
        "+a + f(b, {c: d}) +a -a +f(b, {c: d}) +b -b +{c: d} +c -c +d -d -{c: d} \
         -f(b, {c: d}) -a + f(b, {c: d})"
    );
    let mut t = Trace {
        src,
        events: Vec::new(),
        skip_calls: true,
    };
    walk(&p.expr, &mut t);
    assert_eq!(
        t.events.join(" "),
        "+a + f(b, {c: d}) +a -a +f(b, {c: d}) -f(b, {c: d}) -a + f(b, {c: d})"
    );
    let order: Vec<&str> = p.expr.preorder().map(|e| &src[e.span]).collect();
    assert_eq!(
        order,
        [
            "a + f(b, {c: d})",
            "a",
            "f(b, {c: d})",
            "b",
            "{c: d}",
            "c",
            "d"
        ]
    );
}
