//! Byte offsets <-> LSP positions (UTF-8, UTF-16 or UTF-32 columns), via `line-index`.
//!
//! Lines end at `\n`; a `\r` before it belongs to the line break, so a column past the end
//! of a CRLF line clamps before the `\r`. (A lone `\r` is not treated as a line break.)

use line_index::{LineCol, WideEncoding, WideLineCol};
use text_size::{TextRange, TextSize};

/// The column unit negotiated with the client (`general.positionEncodings`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Columns in bytes (`utf-8`).
    Utf8,
    /// Columns in UTF-16 code units (`utf-16`, the LSP default).
    #[default]
    Utf16,
    /// Columns in characters (`utf-32`).
    Utf32,
}

impl PositionEncoding {
    fn wide(self) -> Option<WideEncoding> {
        match self {
            PositionEncoding::Utf8 => None,
            PositionEncoding::Utf16 => Some(WideEncoding::Utf16),
            PositionEncoding::Utf32 => Some(WideEncoding::Utf32),
        }
    }
}

/// A 0-based line and column, columns counted in the negotiated encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextPosition {
    /// 0-based line.
    pub line: u32,
    /// 0-based column in the negotiated unit.
    pub character: u32,
}

impl TextPosition {
    /// A position from its line and column.
    pub const fn new(line: u32, character: u32) -> Self {
        Self { line, character }
    }
}

/// Line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    inner: line_index::LineIndex,
    /// Lines (0-based, ascending) whose terminator is `\r\n`.
    crlf_lines: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`. Texts of 4 GiB or more are indexed only up to the first 4 GiB - 1
    /// bytes (ranges are `u32` throughout the crate; parsers refuse such files anyway).
    pub fn new(text: &str) -> Self {
        let text = truncate_to_u32(text);
        let inner = line_index::LineIndex::new(text);
        let mut crlf_lines = Vec::new();
        if text.contains('\r') {
            let mut line = 0u32;
            let bytes = text.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' {
                    if i > 0 && bytes[i - 1] == b'\r' {
                        crlf_lines.push(line);
                    }
                    line += 1;
                }
            }
        }
        Self { inner, crlf_lines }
    }

    /// Length of the indexed text.
    pub fn len(&self) -> TextSize {
        self.inner.len()
    }

    /// Whether the indexed text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == TextSize::from(0)
    }

    /// Number of lines (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> u32 {
        self.inner
            .try_line_col(self.len())
            .map_or(1, |lc| lc.line + 1)
    }

    /// Byte range of `line`'s content, without its line terminator.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        // `line_index` ranges run up to the start of the next line, terminator included.
        let range = self.inner.line(line)?;
        let mut end = range.end();
        if self.inner.line(line.saturating_add(1)).is_some() {
            end -= TextSize::from(1);
            if self.is_crlf(line) {
                end -= TextSize::from(1);
            }
        }
        Some(TextRange::new(range.start(), end.max(range.start())))
    }

    fn is_crlf(&self, line: u32) -> bool {
        self.crlf_lines.binary_search(&line).is_ok()
    }

    /// The position of a byte offset; `None` past the end of the text or inside a
    /// multi-byte character.
    pub fn position(&self, offset: TextSize, enc: PositionEncoding) -> Option<TextPosition> {
        let lc = self.inner.try_line_col(offset)?;
        let character = match enc.wide() {
            None => lc.col,
            Some(w) => self.inner.to_wide(w, lc)?.col,
        };
        Some(TextPosition {
            line: lc.line,
            character,
        })
    }

    /// The position of a byte offset, clamped: offsets past the end map to the end of the
    /// text and offsets inside a character map to that character's start.
    pub fn position_clamped(&self, offset: TextSize, enc: PositionEncoding) -> TextPosition {
        let mut offset = offset.min(self.len());
        loop {
            if let Some(pos) = self.position(offset, enc) {
                return pos;
            }
            // Inside a multi-byte character: step back to its first byte (at most 3 steps).
            if offset == TextSize::from(0) {
                return TextPosition::default();
            }
            offset -= TextSize::from(1);
        }
    }

    /// The byte offset of a position. `None` when the line does not exist; a column past
    /// the end of its line clamps to the line end (before `\r\n`), and a column inside a
    /// character (e.g. between the halves of a UTF-16 surrogate pair) clamps to the
    /// character's start.
    pub fn offset(&self, pos: TextPosition, enc: PositionEncoding) -> Option<TextSize> {
        let line = self.line_range(pos.line)?;
        let col = match enc.wide() {
            None => Some(pos.character),
            Some(w) => self
                .inner
                .to_utf8(
                    w,
                    WideLineCol {
                        line: pos.line,
                        col: pos.character,
                    },
                )
                .map(|lc| lc.col),
        };
        let line_len = u32::from(line.len());
        let col = col.map_or(line_len, |c| c.min(line_len));
        let mut offset = line.start() + TextSize::from(col);
        // Snap back to a character boundary.
        while offset > line.start()
            && self
                .inner
                .try_line_col(offset)
                .is_none_or(|lc| lc.line != pos.line)
        {
            offset -= TextSize::from(1);
        }
        Some(offset)
    }

    /// Like [`LineIndex::offset`], but positions past the last line map to the end of the
    /// text (what editors mean by "the end").
    pub fn offset_clamped(&self, pos: TextPosition, enc: PositionEncoding) -> TextSize {
        self.offset(pos, enc).unwrap_or(self.len())
    }

    /// Start and end positions of a byte range (clamped as [`LineIndex::position_clamped`]).
    pub fn range_positions(
        &self,
        range: TextRange,
        enc: PositionEncoding,
    ) -> (TextPosition, TextPosition) {
        (
            self.position_clamped(range.start(), enc),
            self.position_clamped(range.end(), enc),
        )
    }

    /// The byte range between two positions (clamped as [`LineIndex::offset_clamped`]);
    /// a reversed pair is ordered.
    pub fn range(
        &self,
        start: TextPosition,
        end: TextPosition,
        enc: PositionEncoding,
    ) -> TextRange {
        let a = self.offset_clamped(start, enc);
        let b = self.offset_clamped(end, enc);
        TextRange::new(a.min(b), a.max(b))
    }

    /// The UTF-8 line and column of an offset, for messages (`None` past the end).
    pub fn line_col(&self, offset: TextSize) -> Option<(u32, u32)> {
        let LineCol { line, col } = self.inner.try_line_col(offset)?;
        Some((line, col))
    }
}

/// The longest prefix of `text` shorter than 4 GiB, cut at a character boundary.
fn truncate_to_u32(text: &str) -> &str {
    let max = u32::MAX as usize - 1;
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    fn pos(line: u32, character: u32) -> TextPosition {
        TextPosition::new(line, character)
    }

    #[test]
    fn ascii_round_trip() {
        let text = "ab\ncd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        for (off, p) in [
            (0, pos(0, 0)),
            (2, pos(0, 2)),
            (3, pos(1, 0)),
            (5, pos(1, 2)),
            (6, pos(2, 0)),
        ] {
            assert_eq!(
                idx.position(TextSize::from(off), Utf16),
                Some(p),
                "offset {off}"
            );
            assert_eq!(idx.offset(p, Utf16), Some(TextSize::from(off)), "{p:?}");
        }
        assert_eq!(idx.position(TextSize::from(7), Utf16), None);
        assert_eq!(idx.position_clamped(TextSize::from(70), Utf16), pos(2, 0));
    }

    #[test]
    fn non_ascii_columns_per_encoding() {
        // é is 2 UTF-8 bytes / 1 UTF-16 unit; 😀 is 4 bytes / 2 UTF-16 units / 1 char.
        let text = "é😀x\n";
        let idx = LineIndex::new(text);
        let x = TextSize::from(6);
        assert_eq!(idx.position(x, Utf8), Some(pos(0, 6)));
        assert_eq!(idx.position(x, Utf16), Some(pos(0, 3)));
        assert_eq!(idx.position(x, Utf32), Some(pos(0, 2)));
        assert_eq!(idx.offset(pos(0, 3), Utf16), Some(x));
        assert_eq!(idx.offset(pos(0, 2), Utf32), Some(x));
        assert_eq!(idx.offset(pos(0, 6), Utf8), Some(x));
        // Start of 😀.
        assert_eq!(idx.offset(pos(0, 1), Utf16), Some(TextSize::from(2)));
        // Between the surrogate halves of 😀: clamps to its start.
        assert_eq!(idx.offset(pos(0, 2), Utf16), Some(TextSize::from(2)));
        // Inside é in UTF-8: clamps to its start; as an offset it has no position.
        assert_eq!(idx.offset(pos(0, 1), Utf8), Some(TextSize::from(0)));
        assert_eq!(idx.position(TextSize::from(1), Utf16), None);
        assert_eq!(idx.position_clamped(TextSize::from(1), Utf16), pos(0, 0));
        assert_eq!(idx.position_clamped(TextSize::from(4), Utf16), pos(0, 1));
    }

    #[test]
    fn columns_past_line_end_clamp() {
        let text = "ab😀\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(pos(0, 99), Utf16), Some(TextSize::from(6)));
        assert_eq!(idx.offset(pos(1, 99), Utf16), Some(TextSize::from(9)));
        assert_eq!(idx.offset(pos(2, 0), Utf16), None);
        assert_eq!(idx.offset_clamped(pos(5, 0), Utf16), TextSize::from(9));
    }

    #[test]
    fn crlf_lines() {
        let text = "ab\r\ncé\r\n\r\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_range(0), Some(TextRange::new(0.into(), 2.into())));
        assert_eq!(idx.line_range(1), Some(TextRange::new(4.into(), 7.into())));
        assert_eq!(idx.line_range(2), Some(TextRange::new(9.into(), 9.into())));
        assert_eq!(
            idx.line_range(3),
            Some(TextRange::new(11.into(), 12.into()))
        );
        // Past the end of a CRLF line: before the `\r`.
        assert_eq!(idx.offset(pos(0, 10), Utf16), Some(TextSize::from(2)));
        assert_eq!(idx.offset(pos(1, 10), Utf16), Some(TextSize::from(7)));
        assert_eq!(idx.offset(pos(1, 2), Utf16), Some(TextSize::from(7)));
        assert_eq!(idx.position(TextSize::from(11), Utf16), Some(pos(3, 0)));
        assert_eq!(idx.position(TextSize::from(7), Utf16), Some(pos(1, 2)));
    }

    #[test]
    fn lf_line_ranges() {
        let idx = LineIndex::new("a\n\nbc");
        assert_eq!(idx.line_range(0), Some(TextRange::new(0.into(), 1.into())));
        assert_eq!(idx.line_range(1), Some(TextRange::new(2.into(), 2.into())));
        assert_eq!(idx.line_range(2), Some(TextRange::new(3.into(), 5.into())));
        assert_eq!(idx.line_range(3), None);
    }

    #[test]
    fn empty_text() {
        let idx = LineIndex::new("");
        assert!(idx.is_empty());
        assert_eq!(idx.line_count(), 1);
        assert_eq!(idx.offset(pos(0, 5), Utf16), Some(TextSize::from(0)));
        assert_eq!(idx.offset(pos(1, 0), Utf16), None);
        assert_eq!(idx.position(TextSize::from(0), Utf8), Some(pos(0, 0)));
    }

    #[test]
    fn range_helpers_order_and_clamp() {
        let idx = LineIndex::new("abc\ndef");
        let r = idx.range(pos(1, 2), pos(0, 1), Utf16);
        assert_eq!(r, TextRange::new(1.into(), 6.into()));
        let (s, e) = idx.range_positions(TextRange::new(1.into(), 60.into()), Utf16);
        assert_eq!((s, e), (pos(0, 1), pos(1, 3)));
        assert_eq!(idx.line_col(TextSize::from(5)), Some((1, 1)));
    }

    proptest::proptest! {
        #[test]
        fn offsets_round_trip(text in "[a-zé😀\r\n]{0,40}", enc in 0u8..3) {
            let enc = [Utf8, Utf16, Utf32][enc as usize];
            let idx = LineIndex::new(&text);
            for (off, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                let off = TextSize::from(off as u32);
                let p = idx.position(off, enc).unwrap();
                // An offset between `\r` and `\n` clamps to before the `\r`.
                let back = idx.offset(p, enc).unwrap();
                let in_crlf = u32::from(off) > 0
                    && text.as_bytes()[u32::from(off) as usize - 1] == b'\r'
                    && text.as_bytes().get(u32::from(off) as usize) == Some(&b'\n');
                if in_crlf {
                    proptest::prop_assert_eq!(back, off - TextSize::from(1));
                } else {
                    proptest::prop_assert_eq!(back, off);
                }
            }
        }
    }
}
