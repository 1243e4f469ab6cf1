//! Splitting a file into YAML documents at `---` / `...` marker lines.
//!
//! A marker is `---` or `...` at column 0 followed by a blank or the line end; YAML forbids
//! such lines inside any node, so this line scan agrees with a real parser. Each document
//! gets a contiguous *source* slice (its directives and comments before `---`, the marker
//! line, the content, an ending `...`), and the slices of all documents tile the file
//! (after a BOM), so every offset belongs to exactly one document.

use text_size::{TextRange, TextSize};

/// One document's place in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// What the parsers read.
    pub source: TextRange,
    /// The content: after the `---` marker (or from the first content line) up to the
    /// `...` marker or the next document.
    pub content: TextRange,
}

fn is_marker(line: &[u8], marker: &[u8; 3]) -> bool {
    line.starts_with(marker) && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r'))
}

/// Whether a line holds YAML content (not blank, not a comment).
fn has_content(line: &[u8]) -> bool {
    match line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r')) {
        None | Some(b'#') => false,
        Some(_) => true,
    }
}

/// Splits `text[start..]` (start skips a BOM) into document segments. A file with only
/// comments or blank lines has no documents.
pub(crate) fn split_documents(text: &str, start: usize) -> Vec<Segment> {
    let bytes = text.as_bytes();
    let end = bytes.len();
    let at = |i: usize| TextSize::from(i as u32);
    let mut segments = Vec::new();
    let mut seg_start = start;
    let mut content_start: Option<usize> = None;
    let mut explicit = false;
    let mut pos = start;
    while pos < end {
        let nl = memchr_newline(&bytes[pos..]).map_or(end, |i| pos + i);
        let next = (nl + 1).min(end);
        let line = &bytes[pos..nl];
        let is_doc = explicit || content_start.is_some();
        if is_marker(line, b"---") {
            if is_doc {
                segments.push(Segment {
                    source: TextRange::new(at(seg_start), at(pos)),
                    content: TextRange::new(at(content_start.unwrap_or(pos).min(pos)), at(pos)),
                });
                seg_start = pos;
            }
            explicit = true;
            content_start = Some(pos + 3);
        } else if is_marker(line, b"...") {
            if is_doc {
                segments.push(Segment {
                    source: TextRange::new(at(seg_start), at(next)),
                    content: TextRange::new(at(content_start.unwrap_or(pos).min(pos)), at(pos)),
                });
                seg_start = next;
                explicit = false;
                content_start = None;
            }
        } else if !is_doc && line.first() == Some(&b'%') {
            // A directive: part of the next document's prefix.
        } else if !is_doc && has_content(line) {
            content_start = Some(pos);
        }
        pos = next;
    }
    if explicit || content_start.is_some() {
        segments.push(Segment {
            source: TextRange::new(at(seg_start), at(end)),
            content: TextRange::new(at(content_start.unwrap_or(end).min(end)), at(end)),
        });
    } else if seg_start < end
        && let Some(last) = segments.last_mut()
    {
        // Trailing comments after a `...`: keep the tiling.
        last.source = TextRange::new(last.source.start(), at(end));
    }
    segments
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(&str, &str)> {
        split_documents(text, 0)
            .into_iter()
            .map(|s| (&text[s.source], &text[s.content]))
            .collect()
    }

    #[test]
    fn bare_single_document() {
        assert_eq!(split("a: 1\n"), vec![("a: 1\n", "a: 1\n")]);
        assert_eq!(split("# c\na: 1"), vec![("# c\na: 1", "a: 1")]);
    }

    #[test]
    fn comments_only_is_no_document() {
        assert_eq!(split("# c\n\n  # d\n"), vec![]);
        assert_eq!(split(""), vec![]);
    }

    #[test]
    fn markers() {
        assert_eq!(
            split("a: 1\n---\nb: 2\n---\n"),
            vec![
                ("a: 1\n", "a: 1\n"),
                ("---\nb: 2\n", "\nb: 2\n"),
                ("---\n", "\n")
            ]
        );
        assert_eq!(split("--- |\n  x\n"), vec![("--- |\n  x\n", " |\n  x\n")]);
        assert_eq!(split("---\n---\n"), vec![("---\n", "\n"), ("---\n", "\n")]);
        // `----` and `---x` are not markers.
        assert_eq!(
            split("a: |\n ---x\n----\n"),
            vec![("a: |\n ---x\n----\n", "a: |\n ---x\n----\n")]
        );
    }

    #[test]
    fn end_markers_and_prefixes() {
        assert_eq!(
            split("a: 1\n...\n# c\n%YAML 1.2\n---\nb: 2\n...\n# tail\n"),
            vec![
                ("a: 1\n...\n", "a: 1\n"),
                ("# c\n%YAML 1.2\n---\nb: 2\n...\n# tail\n", "\nb: 2\n"),
            ]
        );
        assert_eq!(
            split("a: 1\n...\nb: 2\n"),
            vec![("a: 1\n...\n", "a: 1\n"), ("b: 2\n", "b: 2\n")]
        );
        // A stray `...` before any document belongs to the next document's prefix.
        assert_eq!(split("...\n---\na\n"), vec![("...\n---\na\n", "\na\n")]);
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}a: 1\r\n---\r\nb: 2\r\n";
        let segs = split_documents(text, 3);
        let got: Vec<_> = segs.iter().map(|s| &text[s.source]).collect();
        assert_eq!(got, vec!["a: 1\r\n", "---\r\nb: 2\r\n"]);
    }

    proptest::proptest! {
        #[test]
        fn segments_tile_the_text(text in "([-.# a:\n]|---|\\.\\.\\.|%Y){0,60}") {
            let segs = split_documents(&text, 0);
            let mut pos = TextSize::from(0);
            for (i, s) in segs.iter().enumerate() {
                if i > 0 {
                    proptest::prop_assert_eq!(s.source.start(), pos);
                }
                proptest::prop_assert!(s.source.contains_range(s.content));
                pos = s.source.end();
            }
            if let Some(last) = segs.last() {
                proptest::prop_assert_eq!(last.source.end(), TextSize::of(&text));
            }
        }
    }
}
