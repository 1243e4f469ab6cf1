//! Times parse_file on hostile inputs: `cargo run --release -p koreo-syntax --example stress`.
use std::time::Instant;

fn run(name: &str, text: &str) {
    let t = Instant::now();
    let file = koreo_syntax::parse_file(text);
    let errors: Vec<_> = file
        .all_errors()
        .take(3)
        .map(|e| format!("{} {}", e.code, e.message))
        .collect();
    println!(
        "{name}: {} bytes, {} documents, {:?}; first errors: {errors:?}",
        text.len(),
        file.documents.len(),
        t.elapsed()
    );
}

fn main() {
    let n = 10_000;
    run(
        "flow nesting",
        &format!("{}{}", "[".repeat(n), "]".repeat(n)),
    );
    run("flow nesting unclosed", &"[".repeat(n));
    run("map flow nesting", &"{a: ".repeat(n));
    let mut indent = String::new();
    for i in 0..n {
        indent.push_str(&" ".repeat(i));
        indent.push_str("a:\n");
    }
    run("indentation nesting", &indent);
    let mut seq = String::new();
    for i in 0..n {
        seq.push_str(&" ".repeat(i));
        seq.push_str("-\n");
    }
    run("sequence nesting", &seq);
    run("dash nesting one line", &"- ".repeat(n));
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, c) in "bcdefghij".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    run("billion laughs", &bomb);
    let doc = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: x\nspec:\n  return:\n    value: =inputs.x + 1\n";
    run(
        "5000 documents",
        &doc.repeat(5000).replace("apiVersion", "---\napiVersion"),
    );
    let big = doc.repeat(10 * 1024 * 1024 / doc.len());
    run("10 MB, one document with duplicate keys", &big);
    let many_keys: String = (0..200_000)
        .map(|i| format!("key{i}: value {i}\n"))
        .collect();
    run("200k keys", &many_keys);
    run("empty docs", &"---\n".repeat(100_000));
    run(
        "long line",
        &format!("a: {}\n", "x".repeat(10 * 1024 * 1024)),
    );
    run("long quoted", &format!("a: \"{}", "x".repeat(1024 * 1024)));
    run(
        "binary-ish",
        &String::from_utf8_lossy(&(0..=255u8).cycle().take(1 << 20).collect::<Vec<_>>()),
    );
}
