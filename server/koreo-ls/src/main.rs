fn main() {
    println!("koreo-ls {}", env!("CARGO_PKG_VERSION"));
}
