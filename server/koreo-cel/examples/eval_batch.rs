//! `koreo-ls eval --batch` without the binary: reads JSON lines from FILE (or stdin) and
//! writes the CLI's answer lines to stdout. The differential tester (`tests/difftest/`)
//! drives this.

use std::io::{BufReader, Write};

fn main() {
    // Stdout is line-buffered: each answer is flushed, so a driver can talk to us line by line.
    let mut out = std::io::stdout().lock();
    let code = match std::env::args().nth(1) {
        Some(path) => match std::fs::File::open(&path) {
            Ok(f) => koreo_cel::cli::run_batch(&mut BufReader::new(f), &mut out),
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                2
            }
        },
        None => koreo_cel::cli::run_batch(&mut std::io::stdin().lock(), &mut out),
    };
    let _ = out.flush();
    std::process::exit(code);
}
