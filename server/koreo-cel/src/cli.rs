//! `koreo-ls eval`: evaluate one expression, or a batch, and print JSON.
//!
//! `koreo-ls eval [--vars JSON | --vars-file FILE] EXPR` prints `{"value": …}` (exit 0) or
//! `{"error": "…"}` (exit 1). `koreo-ls eval --batch FILE` reads JSON lines
//! `{"id": …, "expr": …, "vars": {…}}` and writes one line per case, in order.

use std::io::{BufRead, Write};

use crate::{
    Activation, EvalOptions, Failure, Program, evaluate, find_nested_error, from_json, to_data,
};

/// Evaluates one expression (leading `=` optional) with `vars` (a JSON object of variable
/// names to values) and returns the result as the engine would hand it on: plain data, or
/// the error message a user compares against.
pub fn eval_json(expr: &str, vars: &serde_json::Value) -> Result<serde_json::Value, String> {
    let source = expr.trim_start_matches('=');
    let program = Program::parse(source).map_err(|errors| {
        let e = errors.first();
        format!(
            "Parsing error: {}",
            e.map(|e| e.message.as_str())
                .unwrap_or("invalid expression")
        )
    })?;
    let mut act = Activation::new();
    match vars {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                act.bind(k.clone(), from_json(v).map_err(|e| e.to_string())?);
            }
        }
        serde_json::Value::Null => {}
        _ => return Err("vars must be a JSON object".into()),
    }
    let value =
        evaluate(&program, &act, &EvalOptions::default()).map_err(|f| failure_message(&f))?;
    if let Some(err) = find_nested_error(&value) {
        return Err(error_message(err));
    }
    to_data(&value)
        .map(|d| d.to_json())
        .map_err(|e| e.to_string())
}

fn error_message(err: &crate::EvalError) -> String {
    match err.dump() {
        Ok(_) => err.reason(),
        Err(crash) => format!("Unknown {crash}."),
    }
}

fn failure_message(f: &Failure) -> String {
    match f {
        Failure::Error(e) => error_message(e),
        Failure::Unknown { class, message } => format!("Unknown failure ({class}: {message})"),
        Failure::Budget(b) => b.to_string(),
    }
}

fn print(out: &mut dyn Write, v: &serde_json::Value) -> i32 {
    match writeln!(out, "{v}") {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// `koreo-ls eval [--vars JSON] EXPR`: `vars` is the JSON text (or `None`). Returns the exit
/// code: 0 for a value, 1 for an evaluation error, 2 for bad arguments.
pub fn run_eval(expr: &str, vars: Option<&str>, out: &mut dyn Write) -> i32 {
    let vars = match vars.map(serde_json::from_str::<serde_json::Value>) {
        None => serde_json::Value::Null,
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            let code = print(
                out,
                &serde_json::json!({"error": format!("invalid --vars JSON: {e}")}),
            );
            return if code == 0 { 2 } else { code };
        }
    };
    match eval_json(expr, &vars) {
        Ok(v) => print(out, &serde_json::json!({ "value": v })),
        Err(e) => {
            let code = print(out, &serde_json::json!({ "error": e }));
            if code == 0 { 1 } else { code }
        }
    }
}

/// `koreo-ls eval --vars-file FILE EXPR`.
pub fn run_eval_vars_file(expr: &str, vars_file: &std::path::Path, out: &mut dyn Write) -> i32 {
    match std::fs::read_to_string(vars_file) {
        Ok(text) => run_eval(expr, Some(&text), out),
        Err(e) => {
            let _ = print(
                out,
                &serde_json::json!({"error": format!("cannot read {}: {e}", vars_file.display())}),
            );
            2
        }
    }
}

/// `koreo-ls eval --batch FILE`: one JSON result line per input line. Exit code 0 unless a
/// line is not valid JSON or output fails (then 2); evaluation errors are results.
pub fn run_batch(input: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let mut status = 0;
    for line in input.lines() {
        let Ok(line) = line else {
            return 2;
        };
        if line.trim().is_empty() {
            continue;
        }
        let case: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                status = 2;
                if print(
                    out,
                    &serde_json::json!({"id": null, "error": format!("invalid JSON line: {e}")}),
                ) != 0
                {
                    return 2;
                }
                continue;
            }
        };
        let id = case.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let expr = case
            .get("expr")
            .and_then(|e| e.as_str())
            .unwrap_or_default();
        let vars = case.get("vars").cloned().unwrap_or(serde_json::Value::Null);
        let line = match eval_json(expr, &vars) {
            Ok(v) => serde_json::json!({"id": id, "value": v}),
            Err(e) => serde_json::json!({"id": id, "error": e}),
        };
        if print(out, &line) != 0 {
            return 2;
        }
    }
    status
}
