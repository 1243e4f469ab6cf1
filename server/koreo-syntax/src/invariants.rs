//! Consistency checks over parse results, shared by the tests, the property tests and the
//! fuzz target. Each check panics with a description when an invariant is broken.

use text_size::{TextRange, TextSize};

use crate::load::MAX_DEPTH;
use crate::yaml::{Node, NodeKind, ParsedFile, ScalarStyle};

fn in_text(text: &str, r: TextRange) -> bool {
    usize::from(r.end()) <= text.len()
        && text.is_char_boundary(r.start().into())
        && text.is_char_boundary(r.end().into())
}

/// Ranges lie in the text on character boundaries; document sources tile the file (after
/// a BOM) in order; content lies in its source; value trees stay within the depth limit;
/// a plain, untagged one-line scalar's text equals its source.
pub fn check_parse(text: &str, file: &ParsedFile) {
    for e in &file.errors {
        assert!(in_text(text, e.range), "file error out of bounds: {e:?}");
    }
    let mut expected_start: Option<TextSize> = None;
    for (i, doc) in file.documents.iter().enumerate() {
        assert_eq!(doc.index, i);
        assert!(in_text(text, doc.source_range), "{:?}", doc.source_range);
        assert!(
            doc.source_range.contains_range(doc.range),
            "{:?} ⊄ {:?}",
            doc.range,
            doc.source_range
        );
        if let Some(start) = expected_start {
            assert_eq!(
                doc.source_range.start(),
                start,
                "document {i} does not follow the previous one"
            );
        }
        expected_start = Some(doc.source_range.end());
        for e in &doc.errors {
            assert!(in_text(text, e.range), "error out of bounds: {e:?}");
        }
        if let Some(root) = &doc.root {
            check_tree(text, root);
        }
    }
    if let Some(last) = file.documents.last()
        && file.errors.is_empty()
    {
        assert_eq!(
            usize::from(last.source_range.end()),
            text.len(),
            "the last document ends the file"
        );
    }
}

/// A scalar's source map is as long as its text (plus one), non-decreasing, and inside
/// the node's range.
fn check_source_map(text: &str, node: &Node) {
    let Some(map) = node.scalar_source_map(text) else {
        return;
    };
    let len = node.as_scalar().map_or(0, |s| s.text.len());
    assert_eq!(map.len(), len + 1, "source map length");
    assert!(
        map.windows(2).all(|w| w[0] <= w[1]),
        "source map not monotonic"
    );
    assert!(
        map.iter()
            .all(|&o| node.range.start() <= o && o <= node.range.end()),
        "source map outside the node"
    );
}

fn check_tree(text: &str, root: &Node) {
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        assert!(depth <= MAX_DEPTH + 1, "value tree deeper than the limit");
        assert!(
            in_text(text, node.range),
            "node out of bounds: {:?}",
            node.range
        );
        match &node.kind {
            NodeKind::Scalar(s) => {
                check_source_map(text, node);
                let src = &text[node.range];
                if s.style == ScalarStyle::Plain
                    && node.tag.is_none()
                    && !src.is_empty()
                    && !src.contains(['\n', '\r'])
                    && !src.starts_with(['&', '*', '!'])
                {
                    assert_eq!(src, s.text, "plain scalar differs from its source");
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter().map(|n| (n, depth + 1))),
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push((&e.key, depth + 1));
                    stack.push((&e.value, depth + 1));
                }
            }
        }
    }
}

/// The editor helpers are total: `path_at` at (up to `max_offsets` spread) offsets, the
/// ranges it returns, `range_at_path` for its paths, folding ranges and the CST walk.
pub fn check_editor_helpers(text: &str, file: &ParsedFile, max_offsets: usize) {
    let len = text.len();
    let step = (len / max_offsets.max(1)).max(1);
    let mut offset = 0;
    while offset <= len {
        if text.is_char_boundary(offset)
            && let Some(at) = file.path_at(text, TextSize::from(offset as u32))
        {
            if let Some(r) = at.node_range {
                assert!(in_text(text, r), "path_at node range out of bounds: {r:?}");
            }
            let doc = &file.documents[at.document];
            for part in [crate::Part::Key, crate::Part::Value, crate::Part::Entry] {
                if let Some(r) = doc.range_at_path(text, &at.path, part) {
                    assert!(in_text(text, r), "range_at_path out of bounds: {r:?}");
                }
            }
        }
        offset += step;
    }
    for doc in &file.documents {
        for r in doc.folding_ranges(text) {
            assert!(in_text(text, r), "folding range out of bounds: {r:?}");
        }
        for node in doc.cst_nodes() {
            assert!(in_text(text, doc.cst_range(node)), "CST node out of bounds");
        }
    }
}
