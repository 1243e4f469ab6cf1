//! `koreo-ls eval`: the CLI wiring around the evaluator (its semantics are tested in koreo-cel).

use std::io::Write;
use std::process::{Command, Stdio};

fn eval(args: &[&str], stdin: Option<&str>) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_koreo-ls"))
        .arg("eval")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        pipe.write_all(s.as_bytes()).unwrap();
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn evaluates_with_vars() {
    assert_eq!(
        eval(
            &[
                "--vars",
                r#"{"inputs": {"port": "8080", "n": 2}}"#,
                "=inputs.n * 3"
            ],
            None
        ),
        ("{\"value\":6}\n".to_owned(), 0)
    );
}

#[test]
fn evaluation_errors_exit_1_and_bad_vars_exit_2() {
    let (out, code) = eval(&["1 + 1.5"], None);
    assert_eq!(code, 1);
    assert!(out.starts_with("{\"error\":"), "{out}");
    let (_, code) = eval(&["--vars", "{not json", "1"], None);
    assert_eq!(code, 2);
    let (_, code) = eval(&[], None);
    assert_eq!(code, 2);
}

#[test]
fn vars_file_and_batch() {
    let path = std::env::temp_dir().join(format!("koreo-eval-vars-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"name": "web"}"#).unwrap();
    let (out, code) = eval(
        &["--vars-file", path.to_str().unwrap(), "name + '-svc'"],
        None,
    );
    assert_eq!((out.as_str(), code), ("{\"value\":\"web-svc\"}\n", 0));
    let _ = std::fs::remove_file(&path);
    let (out, code) = eval(
        &["--batch", "-"],
        Some(
            "{\"id\": 1, \"expr\": \"[1, 2].size()\"}\n{\"id\": 2, \"expr\": \"x\", \"vars\": {\"x\": true}}\n",
        ),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "{\"id\":1,\"value\":2}\n{\"id\":2,\"value\":true}\n");
}
