//! Pathological nesting and chaining: a bounded error, never a stack overflow, and trees
//! that every recursive consumer (drop, clone, print, compare, debug) survives.

use koreo_cel_syntax::{MAX_HEIGHT, MAX_NESTING, debug_tree, parse, print};

/// Runs `f` on a thread with half the usual test stack (2 MiB): derived `Clone` and `Debug`
/// need about 1 KiB per tree level in debug builds, the parser about 4 KiB per nesting level.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow or panic");
}

fn assert_limited(src: String) {
    small_stack(move || {
        let p = parse(&src);
        let limit_errors = p
            .errors
            .iter()
            .filter(|e| e.message.contains("too deeply"))
            .count();
        assert_eq!(limit_errors, 1, "{:?}", &p.errors[..p.errors.len().min(3)]);
        for e in p.expr.preorder() {
            for c in e.children() {
                assert!(
                    e.span.contains_range(c.span),
                    "{:?} outside {:?}",
                    c.span,
                    e.span
                );
            }
        }
        // Every recursive consumer copes with the tallest tree we build.
        let copy = p.expr.clone();
        assert!(copy.same_shape(&p.expr));
        let _ = print(&p.expr);
        let _ = debug_tree(&p.expr);
        let _ = format!("{:?}", p.expr);
        drop(copy);
    });
}

#[test]
fn deep_nesting_is_an_error() {
    let n = 10_000;
    assert_limited(format!("{}1{}", "(".repeat(n), ")".repeat(n)));
    assert_limited(format!("{}{}", "[".repeat(n), "]".repeat(n)));
    assert_limited(format!("{}{}", "{1: ".repeat(n), "}".repeat(n)));
    assert_limited(format!("{}x", "!".repeat(n)));
    assert_limited(format!("{}x", "- ".repeat(n)));
    assert_limited(format!("{}x{}", "f(".repeat(n), ")".repeat(n)));
    assert_limited(format!("{}0{}", "a[".repeat(n), "]".repeat(n)));
    assert_limited("a ? b : ".repeat(n) + "c");
    assert_limited("a ? ".repeat(n) + "b");
    assert_limited("(".repeat(n));
    // Found by fuzzing: text after the cut-off must not leave a hole outside its parent.
    assert_limited(format!(
        "{}b\"xr\"c\n{}b\"\"",
        "[".repeat(49),
        "[".repeat(48)
    ));
}

#[test]
fn long_chains_are_an_error() {
    let n = 100_000;
    assert_limited(format!("a{}", " + a".repeat(n)));
    assert_limited(format!("a{}", ".b".repeat(n)));
    assert_limited(format!("a{}", ".f()".repeat(n)));
    assert_limited(format!("a{}", "[0]".repeat(n)));
    assert_limited(format!("a{}", " && a".repeat(n)));
}

#[test]
fn limits_leave_room_for_what_cel_python_evaluates() {
    // cel-python's own limits (Python recursion): 54 nested parentheses, 489-term `&&`
    // chains, 488 unary operators, 271-term `+` chains. All of these parse cleanly.
    let ok = |src: String| {
        let p = parse(&src);
        assert!(p.errors.is_empty(), "{:?}", p.errors.first());
    };
    ok(format!("{}1{}", "(".repeat(60), ")".repeat(60)));
    ok(format!("true{}", " && true".repeat(489)));
    ok(format!("{}true", "!".repeat(488)));
    ok(format!("a{}", " + a".repeat(300)));
    ok(format!("{}2", "false ? 1 : ".repeat(500)));
    let n = MAX_NESTING as usize - 1;
    ok(format!("{}1{}", "(".repeat(n), ")".repeat(n)));
    ok(format!("a{}", ".b".repeat(MAX_HEIGHT as usize - 1)));
    assert!(
        !parse(&format!("a{}", ".b".repeat(MAX_HEIGHT as usize)))
            .errors
            .is_empty()
    );
}
