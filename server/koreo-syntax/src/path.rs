//! YAML paths and CST helpers for editor features. They read the tree-sitter CST, so they
//! work on documents saphyr rejects (while the user is typing).

use std::fmt;

use text_size::{TextRange, TextSize};
use tree_sitter::Node as TsNode;

use crate::cst::{self, ts_range};
use crate::yaml::{Document, ParsedFile};

/// One step of a YAML path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A mapping key (decoded text).
    Key(String),
    /// A sequence index.
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(k) => write!(f, ".{k}"),
            PathSegment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a path like `.spec.steps[0].label`.
pub fn path_to_string(path: &[PathSegment]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// What the cursor is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathTarget {
    /// On a mapping key; the path ends with that key.
    Key,
    /// On a value, or where a value goes (after `key: ` or `- `); the path leads to it.
    Value,
    /// On a blank spot where a new key of the mapping at `path` would go (e.g. an empty
    /// line indented under `spec:`).
    NewKey,
}

/// Where a position is in a document's structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathAt {
    /// Index of the document.
    pub document: usize,
    /// Keys and indices from the document root. For [`PathTarget::Key`] and
    /// [`PathTarget::Value`] it ends at the key / value; for [`PathTarget::NewKey`] it
    /// leads to the mapping that would get the key.
    pub path: Vec<PathSegment>,
    /// What is at the position.
    pub target: PathTarget,
    /// The key or value node under the cursor, if there is one.
    pub node_range: Option<TextRange>,
    /// The keys already present in the mapping the cursor's key belongs to (for `Key` and
    /// `NewKey`), in document order; the cursor's own key is left out.
    pub sibling_keys: Vec<String>,
    /// A plain scalar alone on the line below its key (`spec:\n  na|`): YAML reads it as
    /// the value, but the user may be typing a key of the mapping at `path`.
    pub could_be_key: bool,
}

impl ParsedFile {
    /// The structural position of `offset` (see [`Document::path_at`]).
    pub fn path_at(&self, text: &str, offset: TextSize) -> Option<PathAt> {
        self.document_at(offset)?.path_at(text, offset)
    }
}

fn is_scalar_kind(kind: &str) -> bool {
    matches!(
        kind,
        "plain_scalar" | "double_quote_scalar" | "single_quote_scalar" | "block_scalar" | "alias"
    )
}

fn is_pair(kind: &str) -> bool {
    matches!(kind, "block_mapping_pair" | "flow_pair")
}

impl Document {
    /// The structural position of `offset` (a file offset; `text` is the whole file).
    /// `None` when the document has no CST or the offset is outside it.
    pub fn path_at(&self, text: &str, offset: TextSize) -> Option<PathAt> {
        let tree = self.tree.as_ref()?;
        let src = self.source(text);
        if offset < self.source_range.start() || offset > self.source_range.end() {
            return None;
        }
        let o = u32::from(offset - self.source_range.start()) as usize;
        let base = self.source_range.start();
        let root = tree.root_node();
        let mut at = PathAt {
            document: self.index,
            path: Vec::new(),
            target: PathTarget::NewKey,
            node_range: None,
            sibling_keys: Vec::new(),
            could_be_key: false,
        };

        // On a scalar (the end of a token counts: the cursor usually sits right after it).
        if let Some(scalar) = scalar_at(root, o) {
            at.node_range = Some(ts_range(scalar, base));
            let (path, in_key, pair) = path_of(scalar, src);
            at.path = path;
            if in_key {
                at.target = PathTarget::Key;
                if let Some(mapping) = pair.and_then(|p| p.parent()) {
                    at.sibling_keys = mapping_keys(mapping, src, pair);
                }
            } else {
                at.target = PathTarget::Value;
                let direct_value = |p: &TsNode<'_>| {
                    p.child_by_field_name("value")
                        .and_then(block_content)
                        .is_some_and(|v| v.id() == scalar.id())
                };
                if let Some(pair) =
                    pair.filter(|p| p.kind() == "block_mapping_pair" && direct_value(p))
                    && scalar.kind() == "plain_scalar"
                    && scalar.start_position().row > pair.start_position().row
                {
                    at.could_be_key = true;
                    at.sibling_keys = Vec::new();
                }
            }
            return Some(at);
        }

        // Between tokens: look at what comes before the cursor.
        let bytes = src.as_bytes();
        let line_start = bytes[..o.min(bytes.len())]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = o - line_start;
        let before = bytes[..o.min(bytes.len())]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace());
        let Some(prev) = before else {
            at.sibling_keys = document_value(root)
                .map(|v| mapping_keys(v, src, None))
                .unwrap_or_default();
            return Some(at);
        };
        let prev_node = root.descendant_for_byte_range(prev, prev + 1)?;
        if prev >= line_start {
            // Same line: after `key:`, `- `, `{`, `[` or `,`.
            match bytes[prev] {
                b':' => {
                    if let Some(pair) = ancestor(prev_node, is_pair) {
                        let (mut path, _, _) = path_of(pair, src);
                        if let Some(k) = pair.child_by_field_name("key") {
                            path.push(PathSegment::Key(key_text(k, src)));
                        }
                        at.path = path;
                        at.target = PathTarget::Value;
                        at.node_range =
                            pair.child_by_field_name("value").map(|v| ts_range(v, base));
                        return Some(at);
                    }
                }
                b'-' => {
                    if let Some(item) = ancestor(prev_node, |k| k == "block_sequence_item") {
                        at.path = path_of(item, src).0;
                        at.target = PathTarget::Value;
                        return Some(at);
                    }
                }
                b'{' | b',' | b'[' => {
                    if let Some(coll) =
                        ancestor(prev_node, |k| matches!(k, "flow_mapping" | "flow_sequence"))
                    {
                        let (mut path, _, _) = path_of(coll, src);
                        if coll.kind() == "flow_mapping" {
                            at.sibling_keys = mapping_keys(coll, src, None);
                            at.target = PathTarget::NewKey;
                        } else {
                            let n = named_values(coll)
                                .iter()
                                .filter(|c| c.end_byte() <= o)
                                .count();
                            path.push(PathSegment::Index(n));
                            at.target = PathTarget::Value;
                        }
                        at.path = path;
                        return Some(at);
                    }
                }
                _ => {}
            }
        }
        // A blank line or indentation: the indentation decides which mapping or sequence
        // the cursor is in.
        let mut node = Some(prev_node);
        while let Some(n) = node {
            match n.kind() {
                "block_mapping_pair" => {
                    let key_col = n.start_position().column;
                    if column > key_col {
                        // Inside this pair's value.
                        let (mut path, _, _) = path_of(n, src);
                        if let Some(k) = n.child_by_field_name("key") {
                            path.push(PathSegment::Key(key_text(k, src)));
                        }
                        at.path = path;
                        at.sibling_keys = n
                            .child_by_field_name("value")
                            .and_then(block_content)
                            .map(|v| mapping_keys(v, src, None))
                            .unwrap_or_default();
                        return Some(at);
                    }
                    if column == key_col
                        && let Some(mapping) = n.parent()
                    {
                        at.path = path_of(mapping, src).0;
                        at.sibling_keys = mapping_keys(mapping, src, None);
                        return Some(at);
                    }
                }
                "block_sequence_item" => {
                    let dash_col = n.start_position().column;
                    if column > dash_col {
                        at.path = path_of(n, src).0;
                        match named_values(n).first().copied().and_then(block_content) {
                            Some(m) if matches!(m.kind(), "block_mapping" | "flow_mapping") => {
                                at.sibling_keys = mapping_keys(m, src, None);
                            }
                            _ => at.target = PathTarget::Value,
                        }
                        return Some(at);
                    }
                    if column == dash_col
                        && let Some(seq) = n.parent()
                    {
                        let (mut path, _, _) = path_of(seq, src);
                        path.push(PathSegment::Index(count_kind(seq, "block_sequence_item")));
                        at.path = path;
                        at.target = PathTarget::Value;
                        return Some(at);
                    }
                }
                _ => {}
            }
            node = n.parent();
        }
        at.sibling_keys = document_value(root)
            .map(|v| mapping_keys(v, src, None))
            .unwrap_or_default();
        Some(at)
    }

    /// The range of the key (`Part::Key`), the value (`Part::Value`) or the whole entry
    /// (`Part::Entry`: key through value, or the item) at `path`, read from the CST.
    /// For an index, `Key` gives the item's range.
    pub fn range_at_path(&self, text: &str, path: &[PathSegment], part: Part) -> Option<TextRange> {
        let tree = self.tree.as_ref()?;
        let src = self.source(text);
        let base = self.source_range.start();
        let mut value = document_value(tree.root_node())?;
        let mut last: Option<(TsNode<'_>, Option<TsNode<'_>>)> = None;
        for (depth, seg) in path.iter().enumerate() {
            let content = block_content(value)?;
            match seg {
                PathSegment::Key(k) => {
                    let pair = pairs(content).into_iter().rfind(|p| {
                        p.child_by_field_name("key")
                            .is_some_and(|key| key_text(key, src) == *k)
                    })?;
                    let v = pair.child_by_field_name("value");
                    last = Some((pair, v));
                    match v {
                        Some(v) => value = v,
                        None => {
                            // `key:` with no value: nothing below it.
                            if depth + 1 != path.len() {
                                return None;
                            }
                        }
                    }
                }
                PathSegment::Index(i) => {
                    let item = items(content).into_iter().nth(*i)?;
                    let v = if item.kind() == "block_sequence_item" {
                        named_values(item).first().copied()
                    } else {
                        Some(item)
                    };
                    last = Some((item, v));
                    if let Some(v) = v {
                        value = v;
                    }
                }
            }
        }
        // Block nodes end after their last line break; trim that.
        let range = |n: TsNode<'_>| {
            let bytes = src.as_bytes();
            let mut end = n.end_byte().min(bytes.len());
            while end > n.start_byte() && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            TextRange::new(
                base + TextSize::from(n.start_byte() as u32),
                base + TextSize::from(end as u32),
            )
        };
        match last {
            None => Some(range(value)),
            Some((entry, v)) => match part {
                Part::Entry => Some(range(entry)),
                Part::Key => Some(range(entry.child_by_field_name("key").unwrap_or(entry))),
                Part::Value => v.map(range),
            },
        }
    }

    /// Multi-line mappings entries, sequence items, flow collections and block scalars,
    /// as file ranges (trailing blanks trimmed), for folding.
    pub fn folding_ranges(&self, text: &str) -> Vec<TextRange> {
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        let src = self.source(text).as_bytes();
        let base = self.source_range.start();
        let mut out = Vec::new();
        for node in CstIter::new(tree.root_node()) {
            if !matches!(
                node.kind(),
                "block_mapping_pair"
                    | "block_sequence_item"
                    | "flow_mapping"
                    | "flow_sequence"
                    | "block_scalar"
            ) || node.start_position().row == node.end_position().row
            {
                continue;
            }
            let mut end = node.end_byte().min(src.len());
            while end > node.start_byte() && src[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            let start = node.start_byte();
            if src[start..end].contains(&b'\n') {
                out.push(TextRange::new(
                    base + TextSize::from(start as u32),
                    base + TextSize::from(end as u32),
                ));
            }
        }
        out.sort_by_key(|r| (r.start(), std::cmp::Reverse(r.end())));
        out.dedup_by_key(|r| r.start());
        out
    }

    /// Every CST node of this document in pre-order (iterative; offsets relative to
    /// `source_range.start()`, see [`Document::cst_range`]).
    pub fn cst_nodes(&self) -> CstIter<'_> {
        match &self.tree {
            Some(tree) => CstIter::new(tree.root_node()),
            None => CstIter { cursor: None },
        }
    }
}

/// What [`Document::range_at_path`] returns the range of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The key (for an index: the item).
    Key,
    /// The value.
    Value,
    /// Key through value, or the whole item with its `-`.
    Entry,
}

/// Pre-order traversal of a CST without recursion.
pub struct CstIter<'t> {
    cursor: Option<tree_sitter::TreeCursor<'t>>,
}

impl<'t> CstIter<'t> {
    /// Walks `root` and everything below it.
    pub fn new(root: TsNode<'t>) -> Self {
        Self {
            cursor: Some(root.walk()),
        }
    }
}

impl<'t> Iterator for CstIter<'t> {
    type Item = TsNode<'t>;

    fn next(&mut self) -> Option<TsNode<'t>> {
        let cursor = self.cursor.as_mut()?;
        let node = cursor.node();
        if !cursor.goto_first_child() {
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    self.cursor = None;
                    break;
                }
            }
        }
        Some(node)
    }
}

/// The innermost scalar or alias containing `o` (its end included).
fn scalar_at(root: TsNode<'_>, o: usize) -> Option<TsNode<'_>> {
    let find = |lo: usize, hi: usize| {
        let mut n = root.named_descendant_for_byte_range(lo, hi)?;
        loop {
            if is_scalar_kind(n.kind()) {
                return Some(n);
            }
            n = n.parent()?;
        }
    };
    find(o, o)
        .filter(|n| n.start_byte() <= o && o <= n.end_byte())
        .or_else(|| {
            o.checked_sub(1)
                .and_then(|p| find(p, o))
                .filter(|n| n.end_byte() >= o && n.start_byte() < o)
        })
}

fn ancestor<'t>(node: TsNode<'t>, pred: impl Fn(&str) -> bool) -> Option<TsNode<'t>> {
    let mut n = Some(node);
    while let Some(x) = n {
        if pred(x.kind()) {
            return Some(x);
        }
        n = x.parent();
    }
    None
}

/// The path from the document root to `node` (a sequence item's own index included),
/// whether `node` lies in the innermost pair's key, and that pair.
fn path_of<'t>(node: TsNode<'t>, src: &str) -> (Vec<PathSegment>, bool, Option<TsNode<'t>>) {
    let mut rev = Vec::new();
    let mut in_key = false;
    let mut innermost_pair = None;
    let mut cur = node;
    while let Some(p) = cur.parent() {
        match p.kind() {
            k if is_pair(k) => {
                let key = p.child_by_field_name("key");
                if innermost_pair.is_none() {
                    innermost_pair = Some(p);
                    in_key = key.is_some_and(|k| is_inside(cur, k));
                }
                if let Some(k) = key {
                    rev.push(PathSegment::Key(key_text(k, src)));
                }
            }
            "block_sequence" | "flow_sequence" => {
                if let Some(i) = items(p).iter().position(|x| x.id() == cur.id()) {
                    rev.push(PathSegment::Index(i));
                }
            }
            _ => {}
        }
        cur = p;
    }
    rev.reverse();
    (rev, in_key, innermost_pair)
}

fn is_inside(node: TsNode<'_>, ancestor: TsNode<'_>) -> bool {
    ancestor.start_byte() <= node.start_byte() && node.end_byte() <= ancestor.end_byte()
}

/// Named children other than comments.
fn named_values(node: TsNode<'_>) -> Vec<TsNode<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect()
}

fn count_kind(node: TsNode<'_>, kind: &str) -> usize {
    named_values(node)
        .iter()
        .filter(|c| c.kind() == kind)
        .count()
}

/// The collection or scalar inside a `block_node` / `flow_node` wrapper (past anchors
/// and tags); other nodes are returned as they are.
fn block_content(node: TsNode<'_>) -> Option<TsNode<'_>> {
    if !matches!(node.kind(), "block_node" | "flow_node") {
        return Some(node);
    }
    named_values(node)
        .into_iter()
        .find(|c| !matches!(c.kind(), "anchor" | "tag"))
}

/// The pairs of a mapping (ERROR children spliced in).
fn pairs(mapping: TsNode<'_>) -> Vec<TsNode<'_>> {
    let mut out = Vec::new();
    for c in named_values(mapping) {
        if is_pair(c.kind()) {
            out.push(c);
        } else if c.kind() == "ERROR" {
            out.extend(named_values(c).into_iter().filter(|n| is_pair(n.kind())));
        }
    }
    out
}

/// The items of a sequence: `block_sequence_item`s, or a flow sequence's values.
fn items(seq: TsNode<'_>) -> Vec<TsNode<'_>> {
    named_values(seq)
        .into_iter()
        .filter(|c| matches!(c.kind(), "block_sequence_item" | "flow_node" | "flow_pair"))
        .collect()
}

/// The keys of a mapping node (or of the mapping inside a wrapper), except `skip`'s.
fn mapping_keys(node: TsNode<'_>, src: &str, skip: Option<TsNode<'_>>) -> Vec<String> {
    let Some(mapping) = block_content(node) else {
        return Vec::new();
    };
    pairs(mapping)
        .into_iter()
        .filter(|p| skip.is_none_or(|s| s.id() != p.id()))
        .filter_map(|p| p.child_by_field_name("key"))
        .map(|k| key_text(k, src))
        .collect()
}

/// The decoded text of a key node.
fn key_text(key: TsNode<'_>, src: &str) -> String {
    let node = block_content(key).unwrap_or(key);
    let raw = src.get(node.start_byte()..node.end_byte()).unwrap_or("");
    cst::decode_scalar(node.kind(), raw).0
}

/// The node holding a document's value.
fn document_value(root: TsNode<'_>) -> Option<TsNode<'_>> {
    cst::document_value(root)
}
