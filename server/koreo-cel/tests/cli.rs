//! The `koreo-ls eval` library entry points.

use koreo_cel::cli::{eval_json, run_batch, run_eval};
use serde_json::json;

fn run(expr: &str, vars: Option<&str>) -> (i32, serde_json::Value) {
    let mut out = Vec::new();
    let code = run_eval(expr, vars, &mut out);
    let text = String::from_utf8(out).expect("utf8");
    (
        code,
        serde_json::from_str(text.trim()).expect("one JSON line"),
    )
}

#[test]
fn single_expression() {
    assert_eq!(run("=1.5 + 1", None), (0, json!({"value": 2.5})));
    assert_eq!(run("1.0 / 0.0", None), (0, json!({"value": "Infinity"})));
    assert_eq!(run("-1.0 / 0.0", None), (0, json!({"value": "Infinity"})));
    assert_eq!(
        run("double('-inf')", None),
        (0, json!({"value": "-Infinity"}))
    );
    assert_eq!(run("double('nan')", None), (0, json!({"value": "NaN"})));
    assert_eq!(run("b'ab'", None), (0, json!({"value": "YWI="})));
    assert_eq!(
        run("timestamp('2024-01-01T00:00:00+00:00')", None),
        (0, json!({"value": "2024-01-01T00:00:00Z"}))
    );
    assert_eq!(
        run("duration('1h30m')", None),
        (0, json!({"value": "5400s"}))
    );
    assert_eq!(run("{1: 'a'}", None), (0, json!({"value": {"1": "a"}})));
    assert_eq!(
        run(
            "inputs.a + inputs.b",
            Some(r#"{"inputs": {"a": 1, "b": 2}}"#)
        ),
        (0, json!({"value": 3}))
    );
    let (code, out) = run("1 + 1.5", None);
    assert_eq!(code, 1);
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .starts_with("found no matching overload for 'addition_add'")
    );
    assert_eq!(
        run("{'a': 1/0}", None),
        (1, json!({"error": "modulus or divide by zero"}))
    );
    assert_eq!(
        run("inputs.x == []", Some(r#"{"inputs": {}}"#)),
        (1, json!({"error": "Unknown pop from empty list."}))
    );
    assert_eq!(run("1 +", None).0, 1);
    assert_eq!(run("1", Some("not json")).0, 2);
}

#[test]
fn batch_lines_in_order() {
    let input = concat!(
        r#"{"id": 1, "expr": "=inputs.a * 2", "vars": {"inputs": {"a": 21}}}"#,
        "\n",
        r#"{"id": "two", "expr": "size(inputs)", "vars": {"inputs": [1, 2]}}"#,
        "\n",
        "\n",
        r#"{"id": 3, "expr": "nothing"}"#,
        "\n",
    );
    let mut out = Vec::new();
    let code = run_batch(&mut input.as_bytes(), &mut out);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines[0], json!({"id": 1, "value": 42}));
    assert_eq!(lines[1], json!({"id": "two", "value": 2}));
    assert_eq!(lines[2]["id"], json!(3));
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("undeclared reference to 'nothing'")
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn eval_json_rejects_non_object_vars() {
    assert!(eval_json("1", &json!([1])).is_err());
}
