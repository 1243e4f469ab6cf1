//! Parse + evaluate the golden corpus (`cargo bench -p koreo-cel`).

use criterion::{Criterion, criterion_group, criterion_main};
use koreo_cel::{Activation, EvalOptions, Program, evaluate, from_json, raw_from_json};

fn corpus() -> (Vec<(String, String)>, serde_json::Value) {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../tests/goldens/cel_goldens.json")).expect("goldens");
    let cases = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["expr"].as_str().unwrap_or_default().to_string(),
                c["bindings"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (cases, doc)
}

fn bench(c: &mut Criterion) {
    let (cases, doc) = corpus();
    let inputs = Activation::new().with("inputs", from_json(&doc["inputs"]).expect("inputs"));
    let raw = Activation::new().with("resource", raw_from_json(&doc["raw_resource"]));
    let none = Activation::new();
    let opts = EvalOptions::default();
    let pick = |b: &str| match b {
        "inputs" => &inputs,
        "raw" => &raw,
        _ => &none,
    };
    c.bench_function("golden corpus: parse + evaluate", |b| {
        b.iter(|| {
            for (src, bindings) in &cases {
                if let Ok(p) = Program::parse(src) {
                    let _ = std::hint::black_box(evaluate(&p, pick(bindings), &opts));
                }
            }
        })
    });
    let programs: Vec<(Program, &str)> = cases
        .iter()
        .filter_map(|(s, b)| Program::parse(s).ok().map(|p| (p, b.as_str())))
        .collect();
    c.bench_function("golden corpus: evaluate (pre-parsed)", |b| {
        b.iter(|| {
            for (p, bindings) in &programs {
                let _ = std::hint::black_box(evaluate(p, pick(bindings), &opts));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
