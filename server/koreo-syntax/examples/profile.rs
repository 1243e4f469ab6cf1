//! Parses a large multi-document file in a loop, for profilers:
//! `cargo run --release -p koreo-syntax --example profile [ITERATIONS]`.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut text = String::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    names.sort();
    while text.lines().count() < 5_000 {
        for p in names
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            text.push_str("---\n");
            text.push_str(&std::fs::read_to_string(p).unwrap());
            text.push('\n');
        }
    }
    let t = std::time::Instant::now();
    let mut docs = 0;
    for _ in 0..n {
        docs += koreo_syntax::parse_file(&text).documents.len();
    }
    println!(
        "{} lines, {docs} documents, {:?} per parse",
        text.lines().count(),
        t.elapsed() / n as u32
    );
}
