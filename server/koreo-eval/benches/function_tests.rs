//! FunctionTest throughput: loads every Koreo file under the given directories (default:
//! `fixtures/reference`), prepares them, then runs all FunctionTests repeatedly and prints
//! one JSON line with cases per second. `bench/tests/function_tests.sh` compares it with the
//! reference engine.

use koreo_eval::{Registry, Verdict};
use koreo_syntax::yaml::ResolveRules;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            yaml_files(&p, out);
        } else if [".yaml", ".yml", ".koreo", ".k"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            out.push(p);
        }
    }
}

fn main() {
    let mut dirs: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if dirs.is_empty() {
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference"));
    }
    let mut files = Vec::new();
    for d in &dirs {
        yaml_files(d, &mut files);
    }
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| {
            Some((
                f.to_string_lossy().to_string(),
                std::fs::read_to_string(f).ok()?,
            ))
        })
        .collect();

    // Load + prepare, best of a few rounds.
    let mut load_best = Duration::MAX;
    let mut registry = Registry::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut reg = Registry::new();
        for (name, text) in &texts {
            reg.load_text(name, text, ResolveRules::PyYaml);
        }
        reg.prepare_all();
        load_best = load_best.min(start.elapsed());
        registry = reg;
    }

    // Run every FunctionTest until at least two seconds have passed; keep the best round.
    let mut cases = 0usize;
    let mut best = Duration::MAX;
    let mut rounds = 0u32;
    let total = Instant::now();
    while rounds < 5 || (total.elapsed() < Duration::from_secs(2) && rounds < 10_000) {
        let start = Instant::now();
        let runs = registry.run_all_tests();
        let elapsed = start.elapsed();
        // Cases of runs the engine aborts are not reported by it either.
        cases = runs
            .iter()
            .filter(|r| r.crash.is_none())
            .flat_map(|r| &r.cases)
            .filter(|c| !matches!(c.verdict, Verdict::NotRun | Verdict::Skip))
            .count();
        best = best.min(elapsed);
        rounds += 1;
    }
    let secs = best.as_secs_f64().max(1e-9);
    println!(
        "{{\"files\": {}, \"function_tests\": {}, \"cases\": {cases}, \"rounds\": {rounds}, \"run_seconds\": {secs:.6}, \"cases_per_second\": {:.1}, \"load_prepare_seconds\": {:.6}}}",
        texts.len(),
        registry.run_all_tests().len(),
        cases as f64 / secs,
        load_best.as_secs_f64()
    );
}
