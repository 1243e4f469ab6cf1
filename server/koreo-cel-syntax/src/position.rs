//! Where cel-python reports a parse error: lark's line, column and context snippet.

use crate::TextSize;

/// Line and column (1-based, in characters) and lark's `get_context(text, span=40)` for a
/// parse error at byte `offset` (see [`crate::Parse::celpy_error`]): the engine's
/// ``Parsing error at line {line}, column {column}. '{context}'`` message.
pub fn lark_position(text: &str, offset: TextSize) -> (usize, usize, String) {
    let at = usize::from(offset).min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before_all = &text[..at];
    let line = before_all.matches('\n').count() + 1;
    let line_start = before_all.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..at].chars().count() + 1;
    // lark works in characters: 40 either side of the position, cut at newlines.
    let chars_before: Vec<char> = before_all.chars().collect();
    let start = chars_before.len().saturating_sub(40);
    let window: String = chars_before[start..].iter().collect();
    let before = window.rsplit('\n').next().unwrap_or("").to_string();
    let after_window: String = text[at..].chars().take(40).collect();
    let after = after_window.split('\n').next().unwrap_or("");
    let width = expandtabs_len(&before);
    let context = format!("{before}{after}\n{}^\n", " ".repeat(width));
    (line, column, context)
}

/// `len(s.expandtabs())` with tab stops every 8 columns.
fn expandtabs_len(s: &str) -> usize {
    let mut col = 0;
    for c in s.chars() {
        if c == '\t' {
            col += 8 - col % 8;
        } else {
            col += 1;
        }
    }
    col
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_like_lark() {
        // Checked against cel-python: `ENV.compile("1 +")` → line 1, column 3.
        let (l, c, ctx) = lark_position("1 +", TextSize::from(2));
        assert_eq!((l, c, ctx.as_str()), (1, 3, "1 +\n  ^\n"));
        // `compile("a\n\tb c")` → line 2, column 2, the caret under the tab-expanded `b`.
        let (l, c, ctx) = lark_position("a\n\tb c", TextSize::from(3));
        assert_eq!((l, c, ctx.as_str()), (2, 2, "\tb c\n        ^\n"));
    }
}
