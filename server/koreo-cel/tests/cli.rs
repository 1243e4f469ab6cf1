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

fn batch(input: &[u8]) -> (i32, Vec<String>) {
    let mut out = Vec::new();
    let code = run_batch(&mut &input[..], &mut out);
    let text = String::from_utf8(out).expect("utf8");
    (code, text.lines().map(str::to_string).collect())
}

#[test]
fn malformed_lines_get_an_answer_and_the_batch_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\": 1, \"expr\": \"1 + 1\"}\n");
    input.extend_from_slice(b"this is not json\n");
    input.extend_from_slice(b"{\"id\": 2, \"expr\": \"\xff\xfe\"}\n");
    input.extend_from_slice(b"[1, 2]\n");
    input.extend_from_slice(b"{\"id\": 3}\n");
    input.extend_from_slice(b"{\"id\": 4, \"expr\": 5}\n");
    input.extend_from_slice(b"{\"id\": 5, \"expr\": \"1\", \"vars\": [1]}\n");
    input.extend_from_slice(b"{\"id\": 6, \"expr\": \"2 * 3\"}\r\n");
    let (code, lines) = batch(&input);
    assert_eq!(code, 2, "malformed lines make the exit code 2");
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("every answer is JSON"))
        .collect();
    assert_eq!(parsed.len(), 8);
    assert_eq!(parsed[0], json!({"id": 1, "value": 2}));
    assert_eq!(parsed[1]["id"], json!(null));
    assert!(
        parsed[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON line")
    );
    assert_eq!(parsed[2]["id"], json!(null));
    assert!(parsed[2]["error"].as_str().unwrap().contains("not UTF-8"));
    assert_eq!(
        parsed[3],
        json!({"id": null, "error": "a batch line must be a JSON object"})
    );
    assert_eq!(
        parsed[4],
        json!({"id": 3, "error": "a batch line needs \"expr\" (a string)"})
    );
    assert_eq!(parsed[5]["id"], json!(4));
    assert_eq!(
        parsed[6],
        json!({"id": 5, "error": "vars must be a JSON object"})
    );
    assert_eq!(parsed[7], json!({"id": 6, "value": 6}));
}

#[test]
fn vars_follow_pythons_json_numbers() {
    let input = concat!(
        r#"{"id": 1, "expr": "inputs.a", "vars": {"inputs": {"a": 99999999999999999999}}}"#,
        "\n",
        r#"{"id": 2, "expr": "inputs.a", "vars": {"inputs": {"a": NaN}}}"#,
        "\n",
        r#"{"id": 3, "expr": "1 + inputs.a", "vars": {"inputs": {"a": 1.0}}}"#,
        "\n",
        r#"{"id": 4, "expr": "inputs.a", "vars": {"inputs": {"a": 9223372036854775807}}}"#,
        "\n",
    );
    let (code, lines) = batch(input.as_bytes());
    // A line the reference cannot convert is an answer, not a malformed line.
    assert_eq!(code, 0);
    assert_eq!(
        lines[0],
        r#"{"id": 1, "error": "cannot convert vars: overflow"}"#
    );
    assert_eq!(lines[1], r#"{"id": 2, "value": "NaN"}"#);
    assert!(lines[2].contains("found no matching overload for 'addition_add'"));
    assert_eq!(lines[3], r#"{"id": 4, "value": 9223372036854775807}"#);
}

#[test]
fn values_print_like_python_json() {
    let input = concat!(
        r#"{"id": 1, "expr": "18446744073709551615u"}"#,
        "\n",
        r#"{"id": 2, "expr": "[1e20, 2.0, -0.0, 0.1 + 0.2, 1e-7]"}"#,
        "\n",
        r#"{"id": 3, "expr": "{1: 'a', true: 'b', null: 'c', 1.5: 'd'}.size()"}"#,
        "\n",
        r#"{"id": 4, "expr": "{2: 'a', 1.5: 'd', null: 'c'}"}"#,
        "\n",
    );
    let (_, lines) = batch(input.as_bytes());
    assert_eq!(lines[0], r#"{"id": 1, "value": 18446744073709551615}"#);
    assert_eq!(
        lines[1],
        r#"{"id": 2, "value": [1e+20, 2.0, -0.0, 0.30000000000000004, 1e-07]}"#
    );
    assert_eq!(
        lines[3],
        r#"{"id": 4, "value": {"2": "a", "1.5": "d", "null": "c"}}"#
    );
}

#[test]
fn parse_errors_and_hostile_input_are_answers() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let open = "[".repeat(100_000);
    let cases = [
        json!({"id": 1, "expr": "1 +"}),
        json!({"id": 2, "expr": "(true"}),
        json!({"id": 3, "expr": deep}),
        json!({"id": 4, "expr": open}),
        json!({"id": 5, "expr": "[1, 2].map(x, [1, 2].map(y, [1, 2].map(z, x + y + z)))"}),
    ];
    let input: String = cases.iter().map(|c| format!("{c}\n")).collect();
    let (_, lines) = batch(input.as_bytes());
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(
        parsed[0],
        json!({"id": 1, "error": "Parsing error at line 1, column 3. '1 +\n  ^\n'"})
    );
    assert!(
        parsed[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("Parsing error: AssertionError")
    );
    assert!(parsed[2]["error"].is_string(), "{}", lines[2]);
    assert!(parsed[3]["error"].is_string(), "{}", lines[3]);
    assert_eq!(parsed[4]["value"][1][1], json!([5, 6]));
}
