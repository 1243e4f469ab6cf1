//! Building the value tree from parser events: saphyr's (exact) or ones synthesised from
//! the tree-sitter CST (recovery). Anchors, aliases, `<<` merges, duplicate keys, the
//! nesting limit and the alias-expansion budget all live here, so both sources behave
//! the same.
//!
//! Everything is iterative: documents may nest thousands of levels deep.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScanError, Span};
use text_size::{TextRange, TextSize};

use crate::codes;
use crate::lint;
use crate::yaml::{Entry, Node, NodeKind, Scalar, ScalarStyle, Severity, SyntaxError};

/// Deepest collection nesting we build; deeper content becomes a null placeholder.
/// (Our value tree's `Drop`/`Clone`/`PartialEq` recurse, so it must stay shallow.)
pub const MAX_DEPTH: usize = 200;

/// Nodes that alias expansion may add to one document before we stop expanding
/// ("billion laughs").
pub const MAX_ALIAS_NODES: usize = 100_000;

/// One event for the [`Builder`], with ranges already in file byte offsets.
#[derive(Debug)]
pub(crate) enum Ev {
    Scalar {
        text: String,
        style: ScalarStyle,
        range: TextRange,
        anchor: usize,
        tag: Option<String>,
    },
    Alias {
        anchor: usize,
        range: TextRange,
    },
    SeqStart {
        start: TextSize,
        anchor: usize,
        tag: Option<String>,
    },
    MapStart {
        start: TextSize,
        anchor: usize,
        tag: Option<String>,
    },
    /// End of a collection; `Some(end)` for flow collections (the closing bracket's end),
    /// `None` for block ones (they end with their last child).
    End {
        end: Option<TextSize>,
    },
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Frame {
    kind: FrameKind,
    start: TextSize,
    end: TextSize,
    anchor: usize,
    tag: Option<String>,
}

/// At most this many problems of one code are reported per document.
const MAX_ERRORS_PER_CODE: usize = 100;

/// Where a document is, for line numbers in messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DocPlace<'t> {
    /// The whole file.
    pub text: &'t str,
    /// The document's source range.
    pub source: TextRange,
    /// 0-based line of `source.start()` in the file.
    pub first_line: usize,
}

/// Turns a stream of [`Ev`] into one document's value tree.
pub(crate) struct Builder<'t> {
    place: DocPlace<'t>,
    /// Offsets of the line breaks in the document source, computed on first need.
    newlines: Option<Vec<TextSize>>,
    /// Problems per code, to cap repetitive ones.
    counts: HashMap<&'static str, usize>,
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Completed anchored nodes and their node counts.
    anchors: HashMap<usize, (Node, usize)>,
    /// Anchors whose node is still being built (an alias to one is recursive).
    open_anchors: Vec<usize>,
    expanded: usize,
    /// > 0 while skipping a collection nested too deep: its own depth counter.
    skipping: usize,
    skip_start: TextSize,
    skip_anchor: usize,
    pub errors: Vec<SyntaxError>,
    depth_reported: bool,
    alias_reported: bool,
    lint: bool,
}

impl<'t> Builder<'t> {
    pub fn new(place: DocPlace<'t>, lint: bool) -> Self {
        Self {
            place,
            newlines: None,
            counts: HashMap::new(),
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            open_anchors: Vec::new(),
            expanded: 0,
            skipping: 0,
            skip_start: TextSize::from(0),
            skip_anchor: 0,
            errors: Vec::new(),
            depth_reported: false,
            alias_reported: false,
            lint,
        }
    }

    pub fn event(&mut self, ev: Ev) {
        if self.skipping > 0 {
            match ev {
                Ev::SeqStart { .. } | Ev::MapStart { .. } => self.skipping += 1,
                Ev::End { end } => {
                    self.skipping -= 1;
                    if self.skipping == 0 {
                        let end = end.unwrap_or(self.skip_start).max(self.skip_start);
                        let node = null_node(TextRange::new(self.skip_start, end));
                        let anchor = self.skip_anchor;
                        self.complete(node, anchor);
                    }
                }
                _ => {}
            }
            return;
        }
        match ev {
            Ev::Scalar {
                text,
                style,
                range,
                anchor,
                tag,
            } => {
                if self.lint && style == ScalarStyle::Plain && tag.is_none() {
                    let mut found = Vec::new();
                    lint::check_plain_scalar(&text, range, &mut found);
                    for e in found {
                        self.push_error(e);
                    }
                }
                let node = Node {
                    range,
                    kind: NodeKind::Scalar(Scalar { text, style }),
                    tag,
                };
                self.complete(node, anchor);
            }
            Ev::Alias { anchor, range } => {
                let node = self.expand_alias(anchor, range);
                self.complete(node, 0);
            }
            Ev::SeqStart { start, anchor, tag } => {
                self.open(FrameKind::Seq(Vec::new()), start, anchor, tag);
            }
            Ev::MapStart { start, anchor, tag } => {
                self.open(
                    FrameKind::Map {
                        entries: Vec::new(),
                        key: None,
                    },
                    start,
                    anchor,
                    tag,
                );
            }
            Ev::End { end } => self.close(end),
        }
    }

    fn open(&mut self, kind: FrameKind, start: TextSize, anchor: usize, tag: Option<String>) {
        if self.stack.len() >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                self.errors.push(SyntaxError {
                    range: TextRange::empty(start),
                    severity: Severity::Error,
                    code: codes::DEPTH_LIMIT,
                    message: format!(
                        "nesting deeper than {MAX_DEPTH} levels; the content below this point is not read"
                    ),
                });
            }
            self.skipping = 1;
            self.skip_start = start;
            self.skip_anchor = anchor;
            return;
        }
        if anchor != 0 {
            self.open_anchors.push(anchor);
        }
        self.stack.push(Frame {
            kind,
            start,
            end: start,
            anchor,
            tag,
        });
    }

    fn close(&mut self, end: Option<TextSize>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if frame.anchor != 0 {
            self.open_anchors.retain(|&a| a != frame.anchor);
        }
        let end = end.unwrap_or(frame.end).max(frame.start);
        let range = TextRange::new(frame.start, end);
        let kind = match frame.kind {
            FrameKind::Seq(items) => NodeKind::Seq(items),
            FrameKind::Map { mut entries, key } => {
                if let Some(key) = key {
                    // A key without a value (only after a parse error): keep it, null value.
                    let at = TextRange::empty(key.range.end());
                    entries.push(Entry {
                        key,
                        value: null_node(at),
                    });
                }
                NodeKind::Map(self.finish_map(entries))
            }
        };
        let node = Node {
            range,
            kind,
            tag: frame.tag,
        };
        self.complete(node, frame.anchor);
    }

    /// Adds a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let size = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let end = node.range.end();
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        top.end = top.end.max(end);
        match &mut top.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }

    fn expand_alias(&mut self, anchor: usize, range: TextRange) -> Node {
        if self.open_anchors.contains(&anchor) {
            self.errors.push(SyntaxError {
                range,
                severity: Severity::Error,
                code: codes::RECURSIVE_ALIAS,
                message: "this alias refers to a node that contains it; it is read as null"
                    .to_owned(),
            });
            return null_node(range);
        }
        let Some((node, size)) = self.anchors.get(&anchor) else {
            self.errors.push(SyntaxError {
                range,
                severity: Severity::Error,
                code: codes::YAML_SYNTAX,
                message: "unknown anchor".to_owned(),
            });
            return null_node(range);
        };
        if self.expanded + size > MAX_ALIAS_NODES {
            if !self.alias_reported {
                self.alias_reported = true;
                self.errors.push(SyntaxError {
                    range,
                    severity: Severity::Error,
                    code: codes::ALIAS_LIMIT,
                    message: format!(
                        "aliases expand to more than {MAX_ALIAS_NODES} nodes in this document; \
                         this and further aliases are read as null"
                    ),
                });
            }
            return null_node(range);
        }
        self.expanded += size;
        node.clone()
    }

    /// Applies `<<` merge keys and reports duplicate keys. The result follows the YAML
    /// merge-key spec (and PyYAML): explicit keys win over merged ones, earlier mappings of
    /// a merge sequence win over later ones, and a key keeps its first position.
    fn finish_map(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let has_merge = entries.iter().any(|e| is_merge_key(&e.key));
        let has_duplicates = self.report_duplicates(&entries);
        if !has_merge {
            return if has_duplicates {
                dedupe_last_wins(entries)
            } else {
                entries
            };
        }
        let mut merged: Vec<Entry> = Vec::new();
        let mut explicit: Vec<Entry> = Vec::new();
        for entry in entries {
            if !is_merge_key(&entry.key) {
                explicit.push(entry);
                continue;
            }
            // go-yaml v2 applies merges in document order, overwriting keys set before.
            self.check_merge_order(&entry, &explicit);
            let value_range = entry.value.range;
            match entry.value.kind {
                NodeKind::Map(m) => merged.extend(m),
                NodeKind::Seq(items) => {
                    for item in items.into_iter().rev() {
                        match item.kind {
                            NodeKind::Map(m) => merged.extend(m),
                            _ => self.bad_merge(item.range),
                        }
                    }
                }
                _ => self.bad_merge(value_range),
            }
        }
        merged.extend(explicit);
        dedupe_last_wins(merged)
    }

    fn bad_merge(&mut self, range: TextRange) {
        self.errors.push(SyntaxError {
            range,
            severity: Severity::Error,
            code: codes::MERGE,
            message: "a `<<` merge needs a mapping or a sequence of mappings".to_owned(),
        });
    }

    fn check_merge_order(&mut self, merge: &Entry, explicit_before: &[Entry]) {
        let merged_keys: Vec<&str> = match &merge.value.kind {
            NodeKind::Map(m) => m.iter().filter_map(|e| e.key.as_str()).collect(),
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|i| i.entries())
                .flatten()
                .filter_map(|e| e.key.as_str())
                .collect(),
            _ => return,
        };
        for e in explicit_before {
            if let Some(k) = e.key.as_str()
                && merged_keys.contains(&k)
            {
                self.push_error(SyntaxError {
                    range: merge.key.range,
                    severity: Severity::Warning,
                    code: codes::MERGE_ORDER,
                    message: format!(
                        "this `<<` comes after `{k}` and also sets it: Kubernetes (go-yaml v2) \
                         applies merges in order, so it takes the merged value there, while \
                         PyYAML and the YAML spec keep the explicit one; put `<<` first"
                    ),
                });
                return;
            }
        }
    }

    /// Records a problem unless its code already has [`MAX_ERRORS_PER_CODE`].
    fn push_error(&mut self, e: SyntaxError) {
        let n = self.counts.entry(e.code).or_insert(0);
        *n += 1;
        if *n <= MAX_ERRORS_PER_CODE {
            self.errors.push(e);
        }
    }

    /// 0-based file line of an offset inside the document.
    fn line_of(&mut self, offset: TextSize) -> usize {
        let place = self.place;
        let newlines = self.newlines.get_or_insert_with(|| {
            let src = &place.text[place.source];
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| place.source.start() + TextSize::from(i as u32))
                .collect()
        });
        place.first_line + newlines.partition_point(|&nl| nl < offset)
    }

    /// Reports repeated scalar keys at their second occurrence; whether there were any.
    fn report_duplicates(&mut self, entries: &[Entry]) -> bool {
        if entries.len() < 2 {
            return false;
        }
        fn key_text(e: &Entry) -> Option<&str> {
            match &e.key.kind {
                NodeKind::Scalar(s) if !is_merge_key(&e.key) => Some(s.text.as_str()),
                _ => None,
            }
        }
        // Most mappings are small: compare pairwise before paying for a hash map.
        if entries.len() <= 8 {
            let texts: Vec<Option<&str>> = entries.iter().map(key_text).collect();
            let repeated = texts
                .iter()
                .enumerate()
                .any(|(i, t)| t.is_some() && texts[..i].contains(t));
            if !repeated {
                return false;
            }
        }
        let mut found = false;
        let mut seen: HashMap<&str, TextRange> = HashMap::with_capacity(entries.len());
        for e in entries {
            let Some(text) = key_text(e) else { continue };
            if let Some(first) = seen.get(text) {
                found = true;
                let line = self.line_of(first.start()) + 1;
                self.push_error(SyntaxError {
                    range: e.key.range,
                    severity: Severity::Error,
                    code: codes::DUPLICATE_KEY,
                    message: format!(
                        "duplicate key `{text}` (first defined on line {line}); the last one wins"
                    ),
                });
            } else {
                seen.insert(text, e.key.range);
            }
        }
        found
    }

    /// Closes whatever is still open (after a parse error) and returns the root.
    pub fn finish(mut self) -> (Option<Node>, Vec<SyntaxError>) {
        if self.skipping > 0 {
            self.skipping = 1;
            self.event(Ev::End { end: None });
        }
        while !self.stack.is_empty() {
            self.close(None);
        }
        let mut capped: Vec<(&'static str, usize)> = self
            .counts
            .iter()
            .filter(|(_, n)| **n > MAX_ERRORS_PER_CODE)
            .map(|(c, n)| (*c, *n))
            .collect();
        capped.sort();
        for (code, n) in capped {
            let at = self
                .errors
                .iter()
                .rev()
                .find(|e| e.code == code)
                .map_or(self.place.source.start(), |e| e.range.start());
            self.errors.push(SyntaxError {
                range: TextRange::empty(at),
                severity: Severity::Information,
                code,
                message: format!(
                    "{} more `{code}` problems in this document are not shown",
                    n - MAX_ERRORS_PER_CODE
                ),
            });
        }
        (self.root, self.errors)
    }

    /// Whether a root node has been completed.
    pub fn has_root(&self) -> bool {
        self.root.is_some()
    }
}

fn null_node(range: TextRange) -> Node {
    Node {
        range,
        kind: NodeKind::Scalar(Scalar {
            text: String::new(),
            style: ScalarStyle::Plain,
        }),
        tag: None,
    }
}

/// `<<` written plainly (or tagged `!!merge`), as go-yaml and PyYAML recognise it.
pub(crate) fn is_merge_key(key: &Node) -> bool {
    match &key.kind {
        NodeKind::Scalar(s) => {
            s.text == "<<"
                && match key.tag.as_deref() {
                    None => s.style == ScalarStyle::Plain,
                    Some(t) => t == "!!merge",
                }
        }
        _ => false,
    }
}

/// Keeps one entry per scalar key: the last value, at the first key's position.
fn dedupe_last_wins(entries: Vec<Entry>) -> Vec<Entry> {
    if entries.len() < 2 {
        return entries;
    }
    // For each entry: the index of the entry whose value it takes (the key's last one),
    // or `None` when a later entry with its key replaces it.
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if let NodeKind::Scalar(s) = &e.key.kind {
            last.insert(s.text.as_str(), i);
        }
    }
    let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(last.len());
    let mut plan: Vec<Option<usize>> = vec![None; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        match &e.key.kind {
            NodeKind::Scalar(s) => {
                let text = s.text.as_str();
                if !first_seen.contains_key(text) {
                    first_seen.insert(text, i);
                    plan[i] = last.get(text).copied();
                }
            }
            _ => plan[i] = Some(i),
        }
    }
    drop(first_seen);
    drop(last);
    let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for take in plan.into_iter().flatten() {
        if let Some(e) = slots[take].take() {
            out.push(e);
        }
    }
    out
}

/// Number of nodes in a tree (iteratively).
pub(crate) fn count_nodes(node: &Node) -> usize {
    let mut n = 0;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        n += 1;
        match &node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------------------
// saphyr

/// Character index -> byte offset for one source slice (saphyr markers count characters).
struct CharMap<'a> {
    src: &'a str,
    /// Byte offset of every 64th character; empty when the text is ASCII.
    checkpoints: Vec<u32>,
}

impl<'a> CharMap<'a> {
    fn new(src: &'a str) -> Self {
        let mut checkpoints = Vec::new();
        if !src.is_ascii() {
            for (i, (b, _)) in src.char_indices().enumerate() {
                if i % 64 == 0 {
                    checkpoints.push(b as u32);
                }
            }
        }
        Self { src, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return char_index.min(self.src.len());
        }
        let Some(&cp) = self.checkpoints.get(char_index / 64) else {
            return self.src.len();
        };
        let start = cp as usize;
        self.src[start..]
            .char_indices()
            .nth(char_index % 64)
            .map_or(self.src.len(), |(b, _)| start + b)
    }
}

/// The outcome of reading one document's source with saphyr.
pub(crate) struct SaphyrOutcome {
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    /// The parse error, as a file offset and saphyr's message.
    pub failure: Option<(TextSize, String)>,
    /// End of the last event saphyr delivered before failing: the problem lies after it.
    pub last_good: TextSize,
}

/// Reads one document's source slice (`file[base..base + src.len()]`) with saphyr.
pub(crate) fn load_with_saphyr(place: DocPlace<'_>) -> SaphyrOutcome {
    let file = place.text;
    let base = u32::from(place.source.start()) as usize;
    let src = &file[place.source];
    let sanitized = ascii_directives(src);
    let src: &str = &sanitized;
    let map = CharMap::new(src);
    let at = |char_index: usize| TextSize::from((base + map.byte(char_index)) as u32);
    let range_of = |span: &Span| {
        TextRange::new(
            at(span.start.index()),
            at(span.end.index()).max(at(span.start.index())),
        )
    };
    let mut builder = Builder::new(place, true);
    let mut failure = None;
    let mut parser = Parser::new_from_str(src);
    let mut documents = 0usize;
    let mut last_good = TextSize::from(base as u32);
    // saphyr is not known to panic, but a panic here must not take the server down: the
    // CST recovery path still gives a tree.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        while let Some(next) = parser.next_event() {
            let (ev, span) = match next {
                Ok(x) => x,
                Err(e) => {
                    failure = Some(scan_error(&e, &at));
                    break;
                }
            };
            let ev = match ev {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {
                    continue;
                }
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        // The splitter gives one document per slice; anything else is a bug
                        // or exotic input. Keep the first.
                        break;
                    }
                    continue;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let mut range = range_of(&span);
                    let style = convert_style(style);
                    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        range = block_scalar_range(file, range);
                    } else if text.is_empty()
                        && style == ScalarStyle::Plain
                        && tag.is_none()
                        && anchor == 0
                    {
                        // saphyr gives an empty value the span of the next token (or of its
                        // key's colon); it has no text, so make it empty, after a colon.
                        range = TextRange::empty(range.start());
                        if file.as_bytes().get(u32::from(range.start()) as usize) == Some(&b':') {
                            range = TextRange::empty(range.start() + TextSize::from(1));
                        }
                    }
                    Ev::Scalar {
                        text: text.into_owned(),
                        style,
                        range,
                        anchor,
                        tag: tag.map(|t| tag_string(&t)),
                    }
                }
                Event::Alias(anchor) => Ev::Alias {
                    anchor,
                    range: range_of(&span),
                },
                Event::SequenceStart(anchor, tag) => {
                    let start = indentless_sequence_start(file, range_of(&span));
                    Ev::SeqStart {
                        start,
                        anchor,
                        tag: tag.map(|t| tag_string(&t)),
                    }
                }
                Event::MappingStart(anchor, tag) => Ev::MapStart {
                    start: range_of(&span).start(),
                    anchor,
                    tag: tag.map(|t| tag_string(&t)),
                },
                Event::SequenceEnd | Event::MappingEnd => {
                    let r = range_of(&span);
                    // Flow collections end with their bracket; block ones with an empty span.
                    let end = (!r.is_empty()).then_some(r.end());
                    Ev::End { end }
                }
            };
            if let Ev::Scalar { range, .. } | Ev::Alias { range, .. } = &ev {
                last_good = last_good.max(range.end());
            }
            builder.event(ev);
        }
    }));
    if result.is_err() {
        failure = Some((
            TextSize::from(base as u32),
            "internal error in the YAML parser".to_owned(),
        ));
    }
    let (root, errors) = builder.finish();
    SaphyrOutcome {
        root,
        errors,
        failure,
        last_good,
    }
}

/// saphyr 0.3.4 advances its character index by *bytes* over the parameters of unknown
/// directives (`%FOO é`), which would shift every later position. Directive lines before
/// the document's content get their non-ASCII characters replaced by as many `?` as they
/// have bytes: byte offsets stay the same, and bytes and characters agree on those lines.
fn ascii_directives(src: &str) -> std::borrow::Cow<'_, str> {
    let mut prefix_end = 0;
    let mut needs = false;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start_matches([' ', '\t']);
        if line.starts_with('%') {
            needs |= !line.is_ascii();
        } else if !(t.trim_end().is_empty() || t.starts_with('#')) {
            break;
        }
        prefix_end += line.len();
    }
    if !needs {
        return std::borrow::Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    for line in src[..prefix_end].split_inclusive('\n') {
        if line.starts_with('%') {
            for c in line.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    out.extend(std::iter::repeat_n('?', c.len_utf8()));
                }
            }
        } else {
            out.push_str(line);
        }
    }
    out.push_str(&src[prefix_end..]);
    std::borrow::Cow::Owned(out)
}

fn scan_error(e: &ScanError, at: &impl Fn(usize) -> TextSize) -> (TextSize, String) {
    (at(e.marker().index()), e.info().to_owned())
}

fn convert_style(style: saphyr_parser::ScalarStyle) -> ScalarStyle {
    match style {
        saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

/// A tag as written: `!!str`, `!custom`, `!` or `!<verbatim>`.
fn tag_string(tag: &saphyr_parser::Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else if tag.handle.is_empty() {
        if tag.suffix == "!" {
            "!".to_owned()
        } else {
            format!("!<{}>", tag.suffix)
        }
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// saphyr starts an indentless block sequence (`key:\n- item`) at its first item's
/// content; move the start back to that item's `-`.
fn indentless_sequence_start(file: &str, span: TextRange) -> TextSize {
    let bytes = file.as_bytes();
    let start = u32::from(span.start()) as usize;
    if !span.is_empty() || bytes.get(start) == Some(&b'-') {
        return span.start();
    }
    let mut i = start;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i > 0 && bytes[i - 1] == b'-' {
        TextSize::from(i as u32 - 1)
    } else {
        span.start()
    }
}

/// saphyr's span of a block scalar covers its content only; widen it to start at the
/// `|`/`>` header and end at the last non-blank character.
fn block_scalar_range(file: &str, range: TextRange) -> TextRange {
    let bytes = file.as_bytes();
    let start = u32::from(range.start()) as usize;
    let mut end = (u32::from(range.end()) as usize).min(bytes.len());
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    // The header is on the last non-blank line before the content.
    let mut i = start.min(bytes.len());
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    let line_start = bytes[..i]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = &file[line_start..i];
    let header = line.char_indices().find(|&(j, c)| {
        (c == '|' || c == '>')
            && (j == 0 || line[..j].ends_with([' ', '\t']))
            && is_block_header_rest(&line[j + 1..])
    });
    let new_start = header.map_or(start, |(j, _)| line_start + j);
    let new_end = end.max(new_start);
    TextRange::new(
        TextSize::from(new_start as u32),
        TextSize::from(new_end as u32),
    )
}

/// `[-+0-9]*` then blanks, then nothing or a comment.
fn is_block_header_rest(rest: &str) -> bool {
    let rest = rest.trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}
