//! An open file that follows the editor's changes: re-splits documents on every edit and
//! re-parses only the documents whose text changed, re-using the edited document's
//! tree-sitter tree.
//!
//! Policy for structure while the user types: [`YamlFile::last_good_root`] gives, per
//! document, the current value tree when saphyr accepts the document, otherwise the value
//! tree of the last version it accepted, its ranges carried through the later edits
//! (positions inside replaced text collapse to the end of the replacement). The current
//! [`Document::root`] of a rejected document is the CST recovery (see
//! [`Document::recovered`]); features choose which suits them.

use text_size::{TextRange, TextSize};
use tree_sitter::{InputEdit, Point, Tree};

use crate::codes;
use crate::cst;
use crate::parse::{self, parse_document};
use crate::split::Segment;
use crate::text::{LineIndex, PositionEncoding, TextPosition};
use crate::yaml::{Document, Entry, Node, NodeKind, ParsedFile};

/// A file's text with its parse, kept up to date edit by edit.
#[derive(Clone, Debug)]
pub struct YamlFile {
    text: String,
    parsed: ParsedFile,
    line_index: LineIndex,
    /// Per document: the last value tree saphyr accepted, when the current one was not.
    last_good: Vec<Option<Node>>,
}

/// What an edit did to the documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditSummary {
    /// Indices (after the edit) of the documents that were parsed again.
    pub reparsed: Vec<usize>,
    /// Whether the number of documents changed.
    pub documents_changed: bool,
}

impl YamlFile {
    /// Parses `text`.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parsed = parse::parse_file(&text);
        let line_index = LineIndex::new(&text);
        let last_good = vec![None; parsed.documents.len()];
        Self {
            text,
            parsed,
            line_index,
            last_good,
        }
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The current parse.
    pub fn parsed(&self) -> &ParsedFile {
        &self.parsed
    }

    /// The current documents.
    pub fn documents(&self) -> &[Document] {
        &self.parsed.documents
    }

    /// Line index of the current text.
    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The value tree of document `index` to use for structure: the current one when the
    /// document parses, otherwise the last one that did (see the module docs).
    pub fn last_good_root(&self, index: usize) -> Option<&Node> {
        let doc = self.parsed.documents.get(index)?;
        if !doc.has_syntax_errors() {
            return doc.root.as_ref();
        }
        self.last_good
            .get(index)
            .and_then(Option::as_ref)
            .or(doc.root.as_ref())
    }

    /// Replaces the whole text.
    pub fn set_text(&mut self, text: impl Into<String>) {
        let len = TextSize::of(self.text.as_str());
        self.apply_edit(TextRange::new(TextSize::from(0), len), &text.into());
    }

    /// Applies one LSP content change: `range` in `enc` positions, or the whole text
    /// when `None`. Positions past line ends or the end of the text are clamped.
    pub fn apply_change(
        &mut self,
        range: Option<(TextPosition, TextPosition)>,
        new_text: &str,
        enc: PositionEncoding,
    ) -> EditSummary {
        let range = match range {
            Some((start, end)) => self.line_index.range(start, end, enc),
            None => TextRange::up_to(TextSize::of(self.text.as_str())),
        };
        self.apply_edit(range, new_text)
    }

    /// Replaces `range` (byte offsets, clamped to the text and to character boundaries)
    /// with `new_text`, and brings the parse up to date.
    pub fn apply_edit(&mut self, range: TextRange, new_text: &str) -> EditSummary {
        let (start, old_end) = self.clamp(range);
        let old_text = std::mem::take(&mut self.text);
        let mut text = String::with_capacity(old_text.len() - (old_end - start) + new_text.len());
        text.push_str(&old_text[..start]);
        text.push_str(new_text);
        text.push_str(&old_text[old_end..]);
        let new_end = start + new_text.len();
        let delta = new_end as i64 - old_end as i64;
        let newlines = |s: &str| s.bytes().filter(|&b| b == b'\n').count();
        let lines_moved = newlines(&old_text[start..old_end]) != newlines(new_text);
        let edit = Edit {
            start,
            old_end,
            new_end,
            delta,
            lines_moved,
        };

        let old_docs = std::mem::take(&mut self.parsed.documents);
        let old_last_good = std::mem::take(&mut self.last_good);
        let (segments, file_errors) = match parse::prepare(&text) {
            Ok(x) => x,
            Err(e) => {
                self.text = text;
                self.line_index = LineIndex::new(&self.text);
                self.parsed = ParsedFile {
                    documents: Vec::new(),
                    errors: vec![e],
                };
                return EditSummary {
                    reparsed: Vec::new(),
                    documents_changed: !old_docs.is_empty(),
                };
            }
        };
        let documents_changed = segments.len() != old_docs.len();
        let mut old: Vec<Option<(Document, Option<Node>)>> =
            old_docs.into_iter().zip(old_last_good).map(Some).collect();
        let mut parser = cst::new_parser();
        let mut documents = Vec::with_capacity(segments.len());
        let mut last_good = Vec::with_capacity(segments.len());
        let mut reparsed = Vec::new();
        let mut search_from = 0;
        for (index, seg) in segments.into_iter().enumerate() {
            match find_reusable(&mut old, &mut search_from, &seg, &edit) {
                Reuse::Unchanged(mut doc, good, delta) => {
                    doc.index = index;
                    let shift_range = |r: TextRange| {
                        TextRange::new(shift(r.start(), delta), shift(r.end(), delta))
                    };
                    if delta != 0 {
                        doc.source_range = shift_range(doc.source_range);
                        doc.range = shift_range(doc.range);
                        for e in &mut doc.errors {
                            e.range = shift_range(e.range);
                        }
                        if let Some(root) = &mut doc.root {
                            map_node_ranges(root, &shift_range);
                        }
                    }
                    documents.push(doc);
                    last_good.push(good.map(|mut n| {
                        map_node_ranges(&mut n, &shift_range);
                        n
                    }));
                }
                Reuse::Edited(old_doc, good) => {
                    let tree = old_doc
                        .tree
                        .as_ref()
                        .and_then(|t| edited_tree(t, &old_text, &text, &old_doc, &edit));
                    let doc = self.reparse(&mut parser, &text, index, seg, tree.as_ref());
                    last_good.push(carry_last_good(&doc, old_doc, good, &edit));
                    documents.push(doc);
                    reparsed.push(index);
                }
                Reuse::None => {
                    documents.push(self.reparse(&mut parser, &text, index, seg, None));
                    last_good.push(None);
                    reparsed.push(index);
                }
            }
        }
        self.text = text;
        self.line_index = LineIndex::new(&self.text);
        self.parsed = ParsedFile {
            documents,
            errors: file_errors,
        };
        self.last_good = last_good;
        EditSummary {
            reparsed,
            documents_changed,
        }
    }

    fn reparse(
        &self,
        parser: &mut tree_sitter::Parser,
        text: &str,
        index: usize,
        seg: Segment,
        tree: Option<&Tree>,
    ) -> Document {
        let line =
            parse::count_newlines(&text.as_bytes()[..u32::from(seg.source.start()) as usize]);
        let doc = parse_document(parser, text, index, seg, line, tree);
        // Error recovery may differ between an incremental and a fresh parse; a document
        // with errors is parsed afresh so that results never depend on the edit history.
        if tree.is_some() && doc.tree.as_ref().is_some_and(|t| t.root_node().has_error()) {
            return parse_document(parser, text, index, seg, line, None);
        }
        doc
    }

    /// `range` clamped to the text and snapped back to character boundaries.
    fn clamp(&self, range: TextRange) -> (usize, usize) {
        let len = self.text.len();
        let snap = |mut i: usize| {
            i = i.min(len);
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let a = snap(u32::from(range.start()) as usize);
        let b = snap(u32::from(range.end()) as usize);
        (a.min(b), a.max(b))
    }
}

impl Document {
    /// Whether saphyr rejected this document (its value tree may then be a recovery).
    pub fn has_syntax_errors(&self) -> bool {
        self.errors.iter().any(|e| e.code == codes::YAML_SYNTAX)
    }
}

/// One text replacement, in bytes of the old (`old_end`) and new (`new_end`) text.
#[derive(Clone, Copy, Debug)]
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
    delta: i64,
    /// Whether the edit changed the number of lines.
    lines_moved: bool,
}

impl Edit {
    /// Where an old offset ends up; offsets inside the replaced text go to its end.
    fn map(&self, p: TextSize) -> TextSize {
        let p = u32::from(p) as usize;
        let mapped = if p <= self.start {
            p
        } else if p >= self.old_end {
            (p as i64 + self.delta) as usize
        } else {
            self.new_end
        };
        TextSize::from(mapped as u32)
    }

    fn map_range(&self, r: TextRange) -> TextRange {
        let (a, b) = (self.map(r.start()), self.map(r.end()));
        TextRange::new(a.min(b), b.max(a))
    }
}

enum Reuse {
    /// Same text as before, maybe moved by the given delta: keep the parse, shift it.
    Unchanged(Document, Option<Node>, i64),
    /// The document the edit fell into, starting where it did: re-parse with its tree.
    Edited(Document, Option<Node>),
    None,
}

/// Finds the old document a new segment can reuse. Old documents are consumed in order.
fn find_reusable(
    old: &mut [Option<(Document, Option<Node>)>],
    search_from: &mut usize,
    seg: &Segment,
    edit: &Edit,
) -> Reuse {
    for (i, slot) in old.iter_mut().enumerate().skip(*search_from) {
        let Some((doc, _)) = slot.as_ref() else {
            continue;
        };
        let src = doc.source_range;
        let (s, e) = (
            u32::from(src.start()) as usize,
            u32::from(src.end()) as usize,
        );
        if edit.map(src.start()) > seg.source.end() {
            break;
        }
        // Parsing depends on the document's text only, except for the line numbers in
        // duplicate-key messages: such a document is re-parsed when lines move.
        let shifted = TextRange::new(shift(src.start(), edit.delta), shift(src.end(), edit.delta));
        let untouched = ((e <= edit.start && seg.source == src)
            || (s >= edit.old_end && seg.source == shifted))
            && !(edit.lines_moved
                && s >= edit.old_end
                && doc.errors.iter().any(|e| e.code == codes::DUPLICATE_KEY));
        // The new source must be the old one with the edit applied, and nothing else.
        let edited = s <= edit.start
            && edit.old_end <= e
            && seg.source.start() == src.start()
            && seg.source.end() == shifted.end();
        if untouched || edited {
            *search_from = i + 1;
            let Some((doc, good)) = slot.take() else {
                break;
            };
            return if !untouched {
                Reuse::Edited(doc, good)
            } else if e <= edit.start {
                Reuse::Unchanged(doc, good, 0)
            } else {
                Reuse::Unchanged(doc, good, edit.delta)
            };
        }
    }
    Reuse::None
}

fn shift(p: TextSize, delta: i64) -> TextSize {
    TextSize::from((i64::from(u32::from(p)) + delta).max(0) as u32)
}

/// Maps every range of a value tree (iteratively).
fn map_node_ranges(node: &mut Node, map: &impl Fn(TextRange) -> TextRange) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.range = map(n.range);
        match &mut n.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for Entry { key, value } in entries.iter_mut() {
                    stack.push(key);
                    stack.push(value);
                }
            }
        }
    }
}

/// The last-good tree to keep for a re-parsed document.
fn carry_last_good(
    new_doc: &Document,
    old_doc: Document,
    good: Option<Node>,
    edit: &Edit,
) -> Option<Node> {
    if !new_doc.has_syntax_errors() {
        return None;
    }
    // The previous version was fine: it becomes the last good one; otherwise keep the
    // older one.
    let candidate = if old_doc.has_syntax_errors() {
        good
    } else {
        old_doc.root
    };
    candidate.map(|mut n| {
        map_node_ranges(&mut n, &|r| edit.map_range(r));
        n
    })
}

/// The old document's tree, edited to match the new text (coordinates relative to the
/// document source, which starts at the same offset in both texts).
fn edited_tree(
    tree: &Tree,
    old_text: &str,
    new_text: &str,
    doc: &Document,
    edit: &Edit,
) -> Option<Tree> {
    let base = u32::from(doc.source_range.start()) as usize;
    let point = |text: &str, offset: usize| -> Point {
        let slice = &text.as_bytes()[base..offset];
        let row = slice.iter().filter(|&&b| b == b'\n').count();
        let col = slice
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(slice.len(), |p| slice.len() - p - 1);
        Point { row, column: col }
    };
    let mut tree = tree.clone();
    tree.edit(&InputEdit {
        start_byte: edit.start.checked_sub(base)?,
        old_end_byte: edit.old_end - base,
        new_end_byte: edit.new_end - base,
        start_position: point(old_text, edit.start),
        old_end_position: point(old_text, edit.old_end),
        new_end_position: point(new_text, edit.new_end),
    });
    Some(tree)
}

impl From<&YamlFile> for ParsedFile {
    fn from(f: &YamlFile) -> Self {
        f.parsed.clone()
    }
}

#[cfg(test)]
mod tests {
    /// Files are handed to request handlers on other threads.
    #[test]
    fn yaml_file_is_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<super::YamlFile>();
    }
}
