//! Byte offsets <-> LSP positions (UTF-8, UTF-16 or UTF-32 columns), via `line-index`.

/// The column unit negotiated with the client (`general.positionEncodings`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

/// A 0-based line and column, columns counted in the negotiated encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextPosition {
    pub line: u32,
    pub character: u32,
}

/// Line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    inner: line_index::LineIndex,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self { inner: line_index::LineIndex::new(text) }
    }
}
