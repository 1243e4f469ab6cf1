//! Lexing, parsing and printing speed on typical Koreo expressions.
//! Figures are recorded in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use koreo_cel_syntax::{lex, parse, print};
use std::hint::black_box;

const TYPICAL: &str = "inputs.items.filter(i, i.active).map(i, i.name)";

const LONGER: &str = r#"has(inputs.spec.replicas) && inputs.spec.replicas > 0 ?
    {"name": inputs.metadata.name + "-" + string(inputs.spec.replicas),
     "labels": inputs.metadata.labels.filter(k, k.startsWith("app.")).map(k, k),
     "ports": [8080, 8443].map(p, {"port": p, "protocol": "TCP"})}
    : {"name": inputs.metadata.name, "ports": []}"#;

const BROKEN: &str = "inputs.items.filter(i, i.active && ).map(i, i.";

fn benches(c: &mut Criterion) {
    c.bench_function("parse typical", |b| b.iter(|| parse(black_box(TYPICAL))));
    c.bench_function("lex typical", |b| b.iter(|| lex(black_box(TYPICAL))));
    c.bench_function("parse longer", |b| b.iter(|| parse(black_box(LONGER))));
    c.bench_function("parse broken", |b| b.iter(|| parse(black_box(BROKEN))));
    let tree = parse(LONGER).expr;
    c.bench_function("print longer", |b| b.iter(|| print(black_box(&tree))));
}

criterion_group!(parse_benches, benches);
criterion_main!(parse_benches);
