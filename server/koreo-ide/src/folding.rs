//! Folding ranges: every mapping or sequence value that spans several lines, and every
//! document of a multi-document file.

use koreo_syntax::yaml::{Node, NodeKind};
use text_size::TextRange;

use crate::FileId;
use crate::db::Db;

/// A foldable region, from the line of `range.start()` to the line of `range.end()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Byte range in the file.
    pub range: TextRange,
}

pub(crate) fn folding_ranges(db: &Db, file: FileId) -> Vec<Fold> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let Some(parsed) = fa.parsed() else {
        return Vec::new();
    };
    let li = fa.line_index();
    let line = |o| li.line_col(o).map_or(0, |(l, _)| l);
    let mut out = Vec::new();
    let multi_doc = parsed.documents.len() > 1;
    for doc in &parsed.documents {
        if multi_doc {
            out.push(Fold { range: doc.range });
        }
        let Some(root) = &doc.root else { continue };
        // Iterative walk: documents may nest thousands of levels deep.
        let mut stack: Vec<(&Node, TextRange)> = Vec::new();
        push_children(root, &mut stack);
        while let Some((node, range)) = stack.pop() {
            if matches!(node.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                if line(range.start()) < line(range.end()) {
                    out.push(Fold { range });
                }
                push_children(node, &mut stack);
            }
        }
    }
    out.sort_by_key(|f| (f.range.start(), std::cmp::Reverse(f.range.end())));
    out.dedup();
    out
}

/// Children of a collection, each with the range to fold: for a map entry, from the key
/// (so the fold starts on the key's line) to the end of the value.
fn push_children<'a>(node: &'a Node, stack: &mut Vec<(&'a Node, TextRange)>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                stack.push((
                    &e.value,
                    TextRange::new(
                        e.key.range.start(),
                        e.value.range.end().max(e.key.range.start()),
                    ),
                ));
            }
        }
        NodeKind::Seq(items) => {
            for i in items {
                stack.push((i, i.range));
            }
        }
        NodeKind::Scalar(_) => {}
    }
}
