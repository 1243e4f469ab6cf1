//! Replays `tests/goldens/batch_goldens.jsonl` (the reference engine's answers, from
//! `tests/goldens/gen_batch_goldens.py`) through `koreo-ls eval --batch`'s `cli::run_batch`.
//!
//! Values must be equal as JSON (numbers keep their kind: `1`, `1.0` and `true` differ; map
//! key order counts). Errors must be equal texts, except host exceptions (`Unknown failure
//! (Class: …)`, compared by class: their texts can embed lark trees) and lark's own crash on
//! a misplaced `true`/`false` (compared by kind).

use koreo_cel::cli::run_batch;
use serde_json::Value as J;

/// JSON equality where numbers compare by kind and value and objects by ordered entries.
fn strict_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            if x.is_f64() != y.is_f64() {
                return false;
            }
            match (x.as_f64(), y.as_f64()) {
                _ if !x.is_f64() => x == y,
                (Some(p), Some(q)) => p == q && p.is_sign_negative() == q.is_sign_negative(),
                _ => false,
            }
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| strict_eq(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && strict_eq(v1, v2))
        }
        _ => a == b,
    }
}

fn check(expect: &J, got: &J) -> Result<(), String> {
    let kind = expect["kind"].as_str().unwrap_or_default();
    if kind == "value" {
        return match got.get("value") {
            Some(v) if strict_eq(v, &expect["value"]) => Ok(()),
            _ => Err(format!("want value {}", expect["value"])),
        };
    }
    let Some(err) = got.get("error").and_then(J::as_str) else {
        return Err(format!("want error {}", expect["error"]));
    };
    let want = expect["error"].as_str().unwrap_or_default();
    let ok = match kind {
        "unknown" => err.split(':').next() == want.split(':').next(),
        "parse" if want.contains("AssertionError") => {
            err.starts_with("Parsing error: AssertionError")
        }
        "bad-input" | "recursion" => true,
        _ => err == want,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("want error {want:?}"))
    }
}

#[test]
fn batch_answers_match_the_reference() {
    let goldens = include_str!("goldens/batch_goldens.jsonl");
    let cases: Vec<J> = goldens
        .lines()
        .map(|l| serde_json::from_str(l).expect("golden line"))
        .collect();
    let input: String = cases
        .iter()
        .map(|c| format!("{}\n", c["line"].as_str().expect("line")))
        .collect();
    let mut out = Vec::new();
    run_batch(&mut input.as_bytes(), &mut out);
    let text = String::from_utf8(out).expect("utf8 output");
    let answers: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(answers.len(), cases.len(), "one answer per line");
    let mut failures = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        // Lines may hold NaN (Python's JSON), which serde_json rejects: read expr leniently.
        let line: J = serde_json::from_str(case["line"].as_str().unwrap_or("{}"))
            .unwrap_or_else(|_| serde_json::json!({"id": case["id"], "expr": "(vars with NaN)"}));
        let got: J = match serde_json::from_str(answer) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: unparsable answer {answer} ({e})", line["id"]));
                continue;
            }
        };
        if got["id"] != case["id"] {
            failures.push(format!("{}: answer for {}", line["id"], got["id"]));
            continue;
        }
        if let Err(why) = check(&case["expect"], &got) {
            failures.push(format!(
                "{} `{}`: {why}\n    got {answer}",
                line["id"],
                line["expr"].as_str().unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
