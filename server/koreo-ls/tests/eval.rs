//! `koreo-ls eval`: the CLI wiring around the evaluator (its semantics are tested in koreo-cel).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// Runs `koreo-ls eval ARGS` and returns its output lines parsed as JSON (the exact
/// formatting belongs to koreo-cel) and the exit code.
fn eval(args: &[&str], stdin: Option<&str>) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_koreo-ls"))
        .arg("eval")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        pipe.write_all(s.as_bytes()).unwrap();
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    (lines, out.status.code().unwrap_or(-1))
}

#[test]
fn evaluates_with_vars() {
    let vars = r#"{"inputs": {"port": "8080", "n": 2}}"#;
    assert_eq!(
        eval(&["--vars", vars, "=inputs.n * 3"], None),
        (vec![json!({"value": 6})], 0)
    );
}

#[test]
fn evaluation_errors_exit_1_and_bad_arguments_exit_2() {
    let (out, code) = eval(&["1 + 1.5"], None);
    assert_eq!(code, 1);
    assert!(out[0]["error"].is_string(), "{out:?}");
    assert_eq!(eval(&["--vars", "{not json", "1"], None).1, 2);
    assert_eq!(eval(&[], None).1, 2);
}

#[test]
fn vars_file_and_batch() {
    let path = std::env::temp_dir().join(format!("koreo-eval-vars-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"name": "web"}"#).unwrap();
    let result = eval(
        &["--vars-file", path.to_str().unwrap(), "name + '-svc'"],
        None,
    );
    assert_eq!(result, (vec![json!({"value": "web-svc"})], 0));
    let _ = std::fs::remove_file(&path);
    let batch = "{\"id\": 1, \"expr\": \"[1, 2].size()\"}\n{\"id\": 2, \"expr\": \"x\", \"vars\": {\"x\": true}}\n";
    assert_eq!(
        eval(&["--batch", "-"], Some(batch)),
        (
            vec![
                json!({"id": 1, "value": 2}),
                json!({"id": 2, "value": true})
            ],
            0
        )
    );
}
