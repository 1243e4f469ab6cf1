//! Prints the parse of a YAML file: `cargo run -p koreo-syntax --example dump FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    match std::fs::read(&path) {
        Ok(bytes) => print!("{}", koreo_syntax::parse_bytes(&bytes).dump()),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
