//! `koreo-ls eval`: evaluate one expression, or a batch, and print JSON (the contract is
//! also explained in `docs/eval-cli.md`).
//!
//! `koreo-ls eval [--vars JSON | --vars-file FILE] EXPR` prints `{"value": …}` (exit 0) or
//! `{"error": "…"}` (exit 1). `koreo-ls eval --batch FILE` reads JSON lines
//! `{"id": …, "expr": …, "vars": {…}}` and writes one line per non-blank input line, in
//! order: `{"id": …, "value": …}` or `{"id": …, "error": "…"}`.
//!
//! # What a case means (the reference engine's view)
//!
//! The expression loses its leading `=` characters (as Koreo's encoder strips them) and is
//! evaluated with koreo-core's CEL environment. Each variable of `vars` is converted as Koreo
//! converts inputs (`celpy.json_to_cel` of Python's `json.loads`: an integer outside int64 is
//! an error, `1.0` stays a double). The vars are read with Python's JSON number rules, so
//! integers beyond 64 bits are seen as integers, not rounded floats. The result is walked for
//! nested errors (§2.6) and leaves the engine as Koreo hands values on (`convert_bools`, then
//! `json.dumps`): integers exact, floats as Python prints them (`2.0`, `1e+20`), non-finite
//! floats as the strings `"Infinity"`, `"-Infinity"`, `"NaN"`, map keys as strings.
//!
//! # Error texts
//!
//! `error` is the text a Koreo user matches on (spec §3.8), not a whole PermFail message
//! (which also names a location that a batch case does not have):
//!
//! * a CEL error (the result, or the first error nested in it): its **reason**, `err.args[0]`
//!   of the engine's `CELEvalError` — e.g. `modulus or divide by zero`,
//!   ``no such member in mapping: 'x'``, `` `name` must contain a value.``. The engine's
//!   PermFail reads ``Error evaluating `{location}` (at {dump}) ({reason!r}, …)``;
//! * the engine's error formatter crashing on that error (§3.8): `Unknown pop from empty
//!   list.`, as the reference language server reports it;
//! * any other host exception escaping the evaluator (the engine's ``Unknown failure
//!   evaluating `{location}`.``): `Unknown failure ({PythonClass}: {message})`;
//! * a parse error: ``Parsing error at line {l}, column {c}. '{context}'`` — the start of the
//!   engine's prepare message, with lark's position and context snippet (`Parsing error:
//!   AssertionError: …` where lark itself crashes: an error placed at a `true`/`false`
//!   token);
//! * a result the engine cannot serialise: Python's `json.dumps` message (`Object of type
//!   bytes is not JSON serializable`);
//! * the cost budget running out: `CEL evaluation budget exceeded: …` (ours; the engine
//!   would keep going);
//! * `vars` the engine's conversion rejects: `cannot convert vars: …` (a parse error of the
//!   expression comes first, as Koreo prepares before it evaluates);
//! * a line that is not a JSON object, or lacks a string `expr`: a message naming the
//!   problem, with the line's `id` when it can be read (else `null`). Processing continues
//!   with the next line; the exit code is then 2.

use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::convert::Data;
use crate::python::float_repr;
use crate::{
    Activation, EvalOptions, Failure, Program, Value, evaluate, find_nested_error, from_json,
    to_data,
};

/// The answer to one case: plain data, or the error text described in the module docs.
pub type Outcome = Result<Data, String>;

/// Evaluates `expr` (leading `=` optional) with already converted bindings.
pub fn eval_with(expr: &str, act: &Activation) -> Outcome {
    let source = expr.trim_start_matches('=');
    let program = Program::parse(source).map_err(|errors| parse_message(source, &errors))?;
    let value =
        evaluate(&program, act, &EvalOptions::default()).map_err(|f| failure_message(&f))?;
    if let Some(err) = find_nested_error(&value) {
        return Err(error_message(err));
    }
    to_data(&value).map_err(|e| e.to_string())
}

/// Evaluates one expression with `vars` (a JSON object of variable names to values) and
/// returns the result as JSON data, or the error text.
pub fn eval_json(expr: &str, vars: &serde_json::Value) -> Result<serde_json::Value, String> {
    let act = activation_from_json(vars)?;
    eval_with(expr, &act).map(|d| d.to_json())
}

fn activation_from_json(vars: &serde_json::Value) -> Result<Activation, String> {
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
    Ok(act)
}

/// Bindings from `vars` as read by Python's `json.loads` (see the module docs).
fn activation_from_value(vars: Option<&Value>) -> Result<Activation, String> {
    let mut act = Activation::new();
    match vars {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => {
            for (k, v) in m.iter() {
                let Some(name) = k.as_str() else {
                    return Err("vars must be a JSON object".into());
                };
                act.bind(name.to_string(), v.clone());
            }
        }
        Some(_) => return Err("vars must be a JSON object".into()),
    }
    Ok(act)
}

fn parse_message(source: &str, errors: &[koreo_cel_syntax::ParseError]) -> String {
    let parse = koreo_cel_syntax::parse(source);
    match parse.celpy_error {
        Some(offset) => {
            let rest = source.get(usize::from(offset)..).unwrap_or("");
            let at_bool = ["true", "false"].iter().any(|w| {
                rest.strip_prefix(w).is_some_and(|r| {
                    !r.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric())
                })
            });
            if at_bool {
                // lark cannot place an error at a `true`/`false` token (cel-python rebuilds
                // them without a position) and fails with an AssertionError instead.
                return "Parsing error: AssertionError: unexpected token at a `true`/`false` \
                        literal (cel-python cannot report its position)"
                    .into();
            }
            let (line, column, context) = koreo_cel_syntax::lark_position(source, offset);
            format!("Parsing error at line {line}, column {column}. '{context}'")
        }
        None => format!(
            "Parsing error: {}",
            errors
                .first()
                .map(|e| e.message.as_str())
                .unwrap_or("invalid expression")
        ),
    }
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

/// Writes `d` as JSON the way Python's `json.dumps` would (plus the CLI's spelling of
/// non-finite floats): exact integers, `repr()` floats, keys stringified in order.
pub fn write_data(d: &Data, out: &mut String) {
    match d {
        Data::Null => out.push_str("null"),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::Int(i) => out.push_str(&i.to_string()),
        Data::Float(f) if f.is_nan() => out.push_str("\"NaN\""),
        Data::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 {
                "\"Infinity\""
            } else {
                "\"-Infinity\""
            });
        }
        Data::Float(f) => out.push_str(&float_repr(*f)),
        Data::String(s) => push_json_str(s, out),
        Data::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_data(x, out);
            }
            out.push(']');
        }
        Data::Map(entries) => {
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_json_str(&k.json_key(), out);
                out.push_str(": ");
                write_data(x, out);
            }
            out.push('}');
        }
    }
}

fn push_json_str(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(t) => out.push_str(&t),
        Err(_) => out.push_str("\"\""),
    }
}

/// One answer line: `{"id": …, "value": …}` or `{"id": …, "error": "…"}`.
fn answer_line(id: Option<&serde_json::Value>, outcome: &Outcome) -> String {
    let mut line = String::from("{");
    if let Some(id) = id {
        line.push_str("\"id\": ");
        line.push_str(&id.to_string());
        line.push_str(", ");
    }
    match outcome {
        Ok(d) => {
            line.push_str("\"value\": ");
            write_data(d, &mut line);
        }
        Err(e) => {
            line.push_str("\"error\": ");
            push_json_str(e, &mut line);
        }
    }
    line.push('}');
    line
}

fn print_line(out: &mut dyn Write, line: &str) -> i32 {
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// `koreo-ls eval [--vars JSON] EXPR`: `vars` is the JSON text (or `None`). Returns the exit
/// code: 0 for a value, 1 for an evaluation error, 2 for bad arguments.
pub fn run_eval(expr: &str, vars: Option<&str>, out: &mut dyn Write) -> i32 {
    let act = match vars {
        None => Ok(Activation::new()),
        Some(text) => match crate::pyjson::loads(text) {
            Ok(v) => activation_from_value(Some(&v)),
            Err(e) => Err(format!("invalid --vars JSON: {e}")),
        },
    };
    let act = match act {
        Ok(a) => a,
        Err(e) => {
            let code = print_line(out, &answer_line(None, &Err(e)));
            return if code == 0 { 2 } else { code };
        }
    };
    let outcome = guarded(|| eval_with(expr, &act));
    let code = print_line(out, &answer_line(None, &outcome));
    match (code, outcome.is_ok()) {
        (0, true) => 0,
        (0, false) => 1,
        (c, _) => c,
    }
}

/// Runs `f`, turning a panic into an error outcome (the CLI answers every case).
fn guarded(f: impl FnOnce() -> Outcome) -> Outcome {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("internal error: koreo-ls panicked on this case".into()))
}

/// `koreo-ls eval --vars-file FILE EXPR`.
pub fn run_eval_vars_file(expr: &str, vars_file: &std::path::Path, out: &mut dyn Write) -> i32 {
    match std::fs::read_to_string(vars_file) {
        Ok(text) => run_eval(expr, Some(&text), out),
        Err(e) => {
            let msg = format!("cannot read {}: {e}", vars_file.display());
            let _ = print_line(out, &answer_line(None, &Err(msg)));
            2
        }
    }
}

/// One batch line → its id (if readable) and outcome; `Err` marks a malformed line.
fn batch_case(text: &str) -> (serde_json::Value, Result<Outcome, String>) {
    let sj = serde_json::from_str::<serde_json::Value>(text);
    // Python's json.loads reading of the same line: the source of truth for `vars`.
    let py = crate::pyjson::loads(text);
    let id = match (&sj, &py) {
        (Ok(v), _) => v.get("id").cloned().unwrap_or(serde_json::Value::Null),
        (Err(_), Ok(Value::Map(m))) => m
            .get_str("id")
            .and_then(|v| to_data(v).ok())
            .map(|d| d.to_json())
            .unwrap_or(serde_json::Value::Null),
        _ => serde_json::Value::Null,
    };
    let case = match (&py, &sj) {
        (Ok(Value::Map(m)), _) => m.clone(),
        (Err(e), Ok(serde_json::Value::Object(o))) => {
            // Valid JSON that Python's conversion rejects (an integer beyond int64). The
            // expression is parsed first (Koreo prepares before it evaluates).
            let expr = o.get("expr").and_then(|e| e.as_str()).unwrap_or_default();
            let source = expr.trim_start_matches('=');
            if let Err(errors) = Program::parse(source) {
                return (id, Ok(Err(parse_message(source, &errors))));
            }
            return (id, Ok(Err(format!("cannot convert vars: {e}"))));
        }
        (Err(e), Err(_)) => return (id, Err(format!("invalid JSON line: {e}"))),
        _ => return (id, Err("a batch line must be a JSON object".into())),
    };
    let Some(expr) = case
        .get_str("expr")
        .and_then(|e| e.as_str().map(str::to_owned))
    else {
        return (id, Err("a batch line needs \"expr\" (a string)".into()));
    };
    let vars = case.get_str("vars");
    let outcome = activation_from_value(vars).and_then(|act| eval_with(&expr, &act));
    (id, Ok(outcome))
}

/// `koreo-ls eval --batch FILE`: one JSON result line per non-blank input line, flushed as
/// it is written. Exit code 0, or 2 when some line was malformed (it still gets an error
/// line) or output failed; evaluation errors are results.
pub fn run_batch(input: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let mut status = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return 2,
        }
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s.trim_end_matches(['\n', '\r']),
            Err(e) => {
                status = 2;
                let msg = format!("invalid JSON line: not UTF-8 ({e})");
                if print_line(out, &answer_line(Some(&serde_json::Value::Null), &Err(msg))) != 0 {
                    return 2;
                }
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let (id, result) =
            catch_unwind(AssertUnwindSafe(|| batch_case(line))).unwrap_or_else(|_| {
                (
                    serde_json::Value::Null,
                    Ok(Err("internal error: koreo-ls panicked on this case".into())),
                )
            });
        let outcome = result.unwrap_or_else(|e| {
            status = 2;
            Err(e)
        });
        if print_line(out, &answer_line(Some(&id), &outcome)) != 0 {
            return 2;
        }
    }
    status
}
