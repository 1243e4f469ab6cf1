//! Parse + evaluate every expression of the golden corpus for a fixed time and print the
//! throughput as JSON (used by `bench/cel/compare.sh`).

use std::time::{Duration, Instant};

use koreo_cel::{Activation, EvalOptions, Program, evaluate, from_json, raw_from_json};

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../tests/goldens/cel_goldens.json")).expect("goldens");
    let inputs = Activation::new().with("inputs", from_json(&doc["inputs"]).expect("inputs"));
    let raw = Activation::new().with("resource", raw_from_json(&doc["raw_resource"]));
    let none = Activation::new();
    let opts = EvalOptions::default();
    let cases: Vec<(&str, &Activation)> = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let act = match c["bindings"].as_str() {
                Some("inputs") => &inputs,
                Some("raw") => &raw,
                _ => &none,
            };
            (c["expr"].as_str().unwrap_or_default(), act)
        })
        .collect();
    let start = Instant::now();
    let mut evaluated = 0u64;
    while start.elapsed() < Duration::from_secs_f64(secs) {
        for (src, act) in &cases {
            if let Ok(p) = Program::parse(src) {
                let _ = std::hint::black_box(evaluate(&p, act, &opts));
            }
            evaluated += 1;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{{\"engine\": \"koreo-cel\", \"expressions\": {evaluated}, \"seconds\": {elapsed:.3}, \"per_second\": {:.1}}}",
        evaluated as f64 / elapsed
    );
}
