//! YAML layer benchmarks: `cargo bench -p koreo-syntax`. Figures go to
//! `docs/performance.md` ("YAML").

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use koreo_syntax::{TextRange, TextSize, YamlFile, parse_file};

/// A multi-document Koreo file of about `lines` lines, from the spec examples in
/// `tests/data` (repeated, documents renamed so they stay distinct).
fn koreo_file(lines: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut sources: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/data")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(char::is_numeric))
        })
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).expect("example"))
        .collect();
    sources.sort();
    let mut out = String::new();
    let mut round = 0;
    while out.lines().count() < lines {
        for s in &sources {
            out.push_str("---\n");
            out.push_str(&s.replace("name: ", &format!("name: r{round}-")));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        round += 1;
    }
    out
}

fn benches(c: &mut Criterion) {
    let text = koreo_file(5_000);
    let mut group = c.benchmark_group("yaml");
    group.bench_function("parse_file 5000 lines", |b| {
        b.iter(|| parse_file(black_box(&text)))
    });

    // A one-character edit in the middle document: insert, then (next iteration) the same
    // edit on a fresh copy.
    let file = YamlFile::new(text.clone());
    let mid = text.len() / 2;
    let at = text[mid..]
        .find("name: ")
        .map_or(mid, |i| mid + i + "name: ".len());
    let at = TextSize::from(at as u32);
    group.bench_function("apply_edit 1 char, 5000 lines", |b| {
        b.iter_batched(
            || file.clone(),
            |mut f| {
                f.apply_edit(TextRange::empty(at), "x");
                f
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("clone YamlFile (baseline of the edit bench)", |b| {
        b.iter(|| black_box(file.clone()))
    });

    let parsed = parse_file(&text);
    group.bench_function("path_at x100", |b| {
        b.iter(|| {
            for i in 0..100u32 {
                let offset = TextSize::from(i * (text.len() as u32 / 100));
                black_box(parsed.path_at(&text, offset));
            }
        })
    });
    group.finish();
}

criterion_group!(yaml, benches);
criterion_main!(yaml);
