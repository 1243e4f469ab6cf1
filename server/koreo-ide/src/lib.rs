//! Layer 4: workspace index and every editor feature as plain Rust data (no LSP types).
