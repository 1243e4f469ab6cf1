//! The tree-sitter side: parsing a document's source, its syntax errors, and a value tree
//! recovered from the CST when saphyr rejects the document.

use std::collections::HashMap;

use text_size::{TextRange, TextSize};
use tree_sitter::{Node as TsNode, Parser, Tree};

use crate::load::{Builder, DocPlace, Ev};
use crate::yaml::{Node, ScalarStyle, SyntaxError};

/// A tree-sitter parser for YAML.
pub(crate) fn new_parser() -> Parser {
    let mut parser = Parser::new();
    // The grammar is compiled in with a matching ABI; failure would be a build problem.
    let _ = parser.set_language(&tree_sitter_yaml::LANGUAGE.into());
    parser
}

/// Block nesting (indentation levels) beyond which tree-sitter-yaml is not run: its
/// external scanner serialises its indentation stack into tree-sitter's 1 KiB state buffer
/// and aborts the process (a C `assert`) past about 250 entries, and an entry can be
/// pushed twice per column (an indentless sequence under a mapping key).
pub(crate) const MAX_CST_BLOCK_DEPTH: usize = 100;

/// Whether tree-sitter-yaml can be given `src` without overflowing its scanner state: a
/// conservative simulation of the indentation stack (every deeper line, and every `- ` /
/// `? ` that opens a compact nested block, counts as a level).
pub(crate) fn cst_safe(src: &str) -> bool {
    let mut stack: Vec<usize> = Vec::new();
    for line in src.lines() {
        let bytes = line.as_bytes();
        let indent = bytes
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        match bytes.get(indent) {
            None | Some(b'#') => continue,
            _ => {}
        }
        while stack.last().is_some_and(|&top| top > indent) {
            stack.pop();
        }
        if stack.last().is_none_or(|&top| top < indent) {
            stack.push(indent);
        }
        let mut pos = indent;
        while let Some(&b) = bytes.get(pos) {
            if (b == b'-' || b == b'?')
                && bytes.get(pos + 1).is_none_or(|c| *c == b' ' || *c == b'\t')
            {
                pos += 1;
                while bytes.get(pos).is_some_and(|c| *c == b' ' || *c == b'\t') {
                    pos += 1;
                }
                if stack.last().is_none_or(|&top| top < pos) {
                    stack.push(pos);
                }
            } else {
                break;
            }
        }
        if stack.len() > MAX_CST_BLOCK_DEPTH {
            return false;
        }
    }
    true
}

pub(crate) fn ts_range(node: TsNode<'_>, base: TextSize) -> TextRange {
    let start = base + TextSize::from(node.start_byte() as u32);
    let end = base + TextSize::from(node.end_byte().max(node.start_byte()) as u32);
    TextRange::new(start, end)
}

/// ERROR and MISSING nodes of a tree, in document order, as (file range, message).
pub(crate) fn cst_errors(tree: &Tree, base: TextSize, src: &str) -> Vec<(TextRange, String)> {
    let mut out = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return out;
    }
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        let mut descend = node.has_error();
        if node.is_missing() {
            out.push((ts_range(node, base), format!("missing `{}`", node.kind())));
            descend = false;
        } else if node.is_error() && !has_nested_error(node) {
            // The innermost ERROR marks the problem; an outer one only wraps the
            // well-formed parts tree-sitter had to regroup.
            let text = &src[node.start_byte().min(src.len())..node.end_byte().min(src.len())];
            let first_line = text.lines().next().unwrap_or("").trim_end();
            let start = base + TextSize::from(node.start_byte() as u32);
            out.push((
                TextRange::at(start, TextSize::from(first_line.len() as u32)),
                format!("cannot parse `{}`", shorten(first_line.trim_start())),
            ));
            descend = false;
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// Whether an ERROR node has an ERROR or MISSING node below it.
fn has_nested_error(node: TsNode<'_>) -> bool {
    let mut c = node.walk();
    node.children(&mut c)
        .any(|ch| ch.is_error() || ch.is_missing() || ch.has_error())
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        return s.to_owned();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}…")
}

/// What to do next while turning the CST into builder events (an explicit stack: the CST
/// may be deeper than the call stack allows).
enum Work<'t> {
    /// A value node (`block_node`, `flow_node`, a scalar, a collection, an ERROR).
    Value(TsNode<'t>),
    /// A missing value (e.g. `key:` with nothing after it) at this offset.
    Empty(TextSize),
    /// A mapping pair (`block_mapping_pair` / `flow_pair`): key then value.
    Pair(TsNode<'t>),
    /// The entries of a mapping, to be grouped (see `push_pairs`).
    Pairs(Vec<TsNode<'t>>),
    Emit(Ev),
}

/// Builds a value tree from the CST, skipping what tree-sitter could not parse. Used for
/// documents saphyr rejects, so that editor features keep their structure while the user
/// types.
pub(crate) fn recover_value_tree(
    place: DocPlace<'_>,
    tree: &Tree,
) -> (Option<Node>, Vec<SyntaxError>) {
    let base = place.source.start();
    let src = &place.text[place.source];
    let mut builder = Builder::new(place, true);
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut next_anchor = 1usize;
    let text_of = |n: TsNode<'_>| -> &str { src.get(n.start_byte()..n.end_byte()).unwrap_or("") };

    let Some(top) = document_value(tree.root_node()) else {
        return (None, Vec::new());
    };
    let mut work = vec![Work::Value(top)];
    while let Some(item) = work.pop() {
        if builder.has_root() {
            break;
        }
        let node = match item {
            Work::Emit(ev) => {
                builder.event(ev);
                continue;
            }
            Work::Empty(at) => {
                builder.event(empty_scalar(TextRange::empty(at)));
                continue;
            }
            Work::Pair(pair) => {
                let key = pair.child_by_field_name("key");
                let value = pair.child_by_field_name("value");
                let colon_end = key.map_or(pair.start_byte(), |k| k.end_byte()) + 1;
                let empty_at = base + TextSize::from(colon_end.min(pair.end_byte()) as u32);
                // Pushed in reverse: key is handled first.
                work.push(value.map_or(Work::Empty(empty_at), Work::Value));
                work.push(match key {
                    Some(k) => Work::Value(k),
                    None => Work::Empty(base + TextSize::from(pair.start_byte() as u32)),
                });
                continue;
            }
            Work::Pairs(list) => {
                push_pairs(&mut work, &list, base);
                continue;
            }
            Work::Value(node) => node,
        };
        let outer = ts_range(node, base);
        // Properties live on the block_node / flow_node wrapper.
        let (content, anchor, tag) = if matches!(node.kind(), "block_node" | "flow_node") {
            let mut anchor = 0;
            let mut tag = None;
            let mut content = None;
            let mut c = node.walk();
            for child in node.named_children(&mut c) {
                match child.kind() {
                    "anchor" => {
                        let name = text_of(child).trim_start_matches('&').to_owned();
                        anchor = next_anchor;
                        next_anchor += 1;
                        anchors.insert(name, anchor);
                    }
                    "tag" => tag = Some(text_of(child).to_owned()),
                    "comment" => {}
                    _ if content.is_none() => content = Some(child),
                    _ => {}
                }
            }
            (content, anchor, tag)
        } else {
            (Some(node), 0, None)
        };
        let Some(content) = content else {
            // Only properties (`&a`, `!!str`): an empty scalar.
            builder.event(Ev::Scalar {
                text: String::new(),
                style: ScalarStyle::Plain,
                range: outer,
                anchor,
                tag,
            });
            continue;
        };
        let children = value_children(content);
        match content.kind() {
            "block_mapping" | "flow_mapping" => {
                let end = (content.kind() == "flow_mapping").then_some(outer.end());
                work.push(Work::Emit(Ev::End { end }));
                push_pairs(&mut work, &children, base);
                work.push(Work::Emit(Ev::MapStart {
                    start: outer.start(),
                    anchor,
                    tag,
                }));
            }
            "block_sequence" | "flow_sequence" => {
                let end = (content.kind() == "flow_sequence").then_some(outer.end());
                work.push(Work::Emit(Ev::End { end }));
                push_items(&mut work, &children, base);
                work.push(Work::Emit(Ev::SeqStart {
                    start: outer.start(),
                    anchor,
                    tag,
                }));
            }
            "alias" => {
                let name = text_of(content).trim_start_matches('*');
                let id = anchors.get(name).copied().unwrap_or(0);
                builder.event(Ev::Alias {
                    anchor: id,
                    range: outer,
                });
            }
            "plain_scalar" | "double_quote_scalar" | "single_quote_scalar" | "block_scalar" => {
                let (text, style) = decode_scalar(content.kind(), text_of(content));
                builder.event(Ev::Scalar {
                    text,
                    style,
                    range: outer,
                    anchor,
                    tag,
                });
            }
            "ERROR" => {
                // Keep what can be kept: pairs make a mapping, items a sequence.
                if children
                    .iter()
                    .any(|c| matches!(c.kind(), "block_mapping_pair" | "flow_pair"))
                {
                    work.push(Work::Emit(Ev::End { end: None }));
                    push_pairs(&mut work, &children, base);
                    work.push(Work::Emit(Ev::MapStart {
                        start: outer.start(),
                        anchor,
                        tag,
                    }));
                } else if children.iter().any(|c| c.kind() == "block_sequence_item") {
                    work.push(Work::Emit(Ev::End { end: None }));
                    push_items(&mut work, &children, base);
                    work.push(Work::Emit(Ev::SeqStart {
                        start: outer.start(),
                        anchor,
                        tag,
                    }));
                } else if let Some(&only) = children.iter().find(|c| is_value_kind(c.kind())) {
                    work.push(Work::Value(only));
                } else {
                    builder.event(empty_scalar(TextRange::empty(outer.start())));
                }
            }
            _ => builder.event(empty_scalar(TextRange::empty(outer.start()))),
        }
    }
    builder.finish()
}

fn empty_scalar(range: TextRange) -> Ev {
    Ev::Scalar {
        text: String::new(),
        style: ScalarStyle::Plain,
        range,
        anchor: 0,
        tag: None,
    }
}

fn is_value_kind(kind: &str) -> bool {
    matches!(
        kind,
        "block_node"
            | "flow_node"
            | "block_mapping"
            | "flow_mapping"
            | "block_sequence"
            | "flow_sequence"
            | "plain_scalar"
            | "double_quote_scalar"
            | "single_quote_scalar"
            | "block_scalar"
            | "alias"
    )
}

/// Named children other than comments.
fn value_children(node: TsNode<'_>) -> Vec<TsNode<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// The node holding a document's value: the first `document`'s block/flow node, or an
/// ERROR that swallowed it.
pub(crate) fn document_value(root: TsNode<'_>) -> Option<TsNode<'_>> {
    if root.kind() == "ERROR" {
        return Some(root);
    }
    let mut c = root.walk();
    for child in root.named_children(&mut c) {
        match child.kind() {
            "document" => {
                let mut c2 = child.walk();
                let found = child
                    .named_children(&mut c2)
                    .find(|n| matches!(n.kind(), "block_node" | "flow_node" | "ERROR"));
                if found.is_some() {
                    return found;
                }
            }
            "ERROR" => return Some(child),
            _ => {}
        }
    }
    None
}

/// Mapping children, pushed in reverse; ERROR children are spliced in (their pairs are
/// this mapping's pairs). A stray scalar (a key tree-sitter could not pair, like `spec`
/// before a broken block) takes the following pairs indented deeper as its mapping value;
/// otherwise it becomes a key with a null value.
fn push_pairs<'t>(work: &mut Vec<Work<'t>>, children: &[TsNode<'t>], base: TextSize) {
    let mut flat: Vec<TsNode<'t>> = Vec::new();
    for &c in children {
        if c.kind() == "ERROR" {
            flat.extend(value_children(c).into_iter().filter(|n| {
                matches!(n.kind(), "block_mapping_pair" | "flow_pair") || is_value_kind(n.kind())
            }));
        } else {
            flat.push(c);
        }
    }
    // Group first (forwards), then push in reverse.
    let mut groups: Vec<Vec<Work<'t>>> = Vec::new();
    let mut i = 0;
    while i < flat.len() {
        let c = flat[i];
        i += 1;
        match c.kind() {
            "block_mapping_pair" | "flow_pair" => groups.push(vec![Work::Pair(c)]),
            k if is_value_kind(k) => {
                let column = c.start_position().column;
                let row = c.start_position().row;
                let mut nested = Vec::new();
                // Deeper-indented entries on later lines, or the pairs of an unclosed
                // flow mapping on the same line (`key: {a: 1`).
                let belongs = |n: TsNode<'_>| {
                    let p = n.start_position();
                    match n.kind() {
                        "flow_pair" => p.row == row || p.column > column,
                        k if k == "block_mapping_pair" || is_value_kind(k) => {
                            p.row > row && p.column > column
                        }
                        _ => false,
                    }
                };
                while i < flat.len() && belongs(flat[i]) {
                    nested.push(flat[i]);
                    i += 1;
                }
                let mut group = vec![Work::Value(c)];
                if nested.is_empty() {
                    group.push(Work::Empty(base + TextSize::from(c.end_byte() as u32)));
                } else {
                    let start = base + TextSize::from(nested[0].start_byte() as u32);
                    group.push(Work::Emit(Ev::MapStart {
                        start,
                        anchor: 0,
                        tag: None,
                    }));
                    group.push(Work::Pairs(nested));
                    group.push(Work::Emit(Ev::End { end: None }));
                }
                groups.push(group);
            }
            _ => {}
        }
    }
    for group in groups.into_iter().rev() {
        work.extend(group.into_iter().rev());
    }
}

/// Sequence children, pushed in reverse; a `flow_pair` in a flow sequence is a one-pair
/// mapping.
fn push_items<'t>(work: &mut Vec<Work<'t>>, children: &[TsNode<'t>], base: TextSize) {
    let mut flat: Vec<TsNode<'t>> = Vec::new();
    for &c in children {
        if c.kind() == "ERROR" {
            flat.extend(
                value_children(c)
                    .into_iter()
                    .filter(|n| n.kind() == "block_sequence_item"),
            );
        } else {
            flat.push(c);
        }
    }
    for c in flat.into_iter().rev() {
        match c.kind() {
            "block_sequence_item" => {
                let child = value_children(c)
                    .into_iter()
                    .find(|n| is_value_kind(n.kind()));
                work.push(match child {
                    Some(v) => Work::Value(v),
                    None => Work::Empty(base + TextSize::from(c.end_byte() as u32)),
                });
            }
            "flow_pair" => {
                let r = ts_range(c, base);
                work.push(Work::Emit(Ev::End { end: Some(r.end()) }));
                work.push(Work::Pair(c));
                work.push(Work::Emit(Ev::MapStart {
                    start: r.start(),
                    anchor: 0,
                    tag: None,
                }));
            }
            k if is_value_kind(k) => work.push(Work::Value(c)),
            _ => {}
        }
    }
}

/// The decoded text and style of a scalar's source. Quoted and block scalars are read by
/// saphyr on their own (their escapes and folding are subtle); plain ones are folded here.
pub(crate) fn decode_scalar(kind: &str, raw: &str) -> (String, ScalarStyle) {
    let style = match kind {
        "double_quote_scalar" => ScalarStyle::DoubleQuoted,
        "single_quote_scalar" => ScalarStyle::SingleQuoted,
        "block_scalar" => {
            if raw.starts_with('>') {
                ScalarStyle::Folded
            } else {
                ScalarStyle::Literal
            }
        }
        _ => return (fold_plain(raw), ScalarStyle::Plain),
    };
    if let Some(text) = saphyr_scalar(raw) {
        return (text, style);
    }
    let text = match style {
        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
            fold_plain(inner)
        }
        _ => raw.split_once('\n').map_or("", |(_, body)| body).to_owned(),
    };
    (text, style)
}

fn saphyr_scalar(raw: &str) -> Option<String> {
    let mut parser = saphyr_parser::Parser::new_from_str(raw);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for ev in parser.by_ref() {
            match ev.ok()?.0 {
                saphyr_parser::Event::Scalar(text, ..) => return Some(text.into_owned()),
                saphyr_parser::Event::StreamStart | saphyr_parser::Event::DocumentStart(_) => {}
                _ => return None,
            }
        }
        None
    }))
    .ok()
    .flatten()
}

/// Line folding of a plain scalar: a single line break becomes a space, each further
/// empty line a newline; surrounding blanks go.
pub(crate) fn fold_plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut empty_lines = 0usize;
    let mut first = true;
    for line in raw.split('\n') {
        let line = line.trim_matches([' ', '\t', '\r']);
        if line.is_empty() {
            empty_lines += 1;
            continue;
        }
        if !first {
            if empty_lines == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', empty_lines));
            }
        }
        out.push_str(line);
        empty_lines = 0;
        first = false;
    }
    out
}
