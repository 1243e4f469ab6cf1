//! The structure encoder (§2.2): a spec value tree becomes one CEL source text, exactly as
//! the engine builds it, together with a source map from every span of that text back to the
//! YAML node it came from.
//!
//! The engine's encoding is lossy and surprising (numeric-looking strings become numbers,
//! escapes in plain strings are interpreted, keys are pasted unescaped); reproducing it
//! byte-for-byte is what makes our verdicts equal the engine's. The source map is what lets
//! a CEL parse error at "line 1, column 40" of the encoded text be shown on the right YAML
//! node.

use crate::spec::{SKind, SNode};
use text_size::{TextRange, TextSize};

/// Encoded CEL source plus its source map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encoded {
    /// The CEL program text.
    pub text: String,
    /// Spans of `text` and the YAML nodes they came from, outer spans before inner ones.
    pub segments: Vec<Segment>,
}

/// One span of encoded text produced from one YAML node.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Range in the encoded text.
    pub encoded: TextRange,
    /// Range of the YAML node in its file.
    pub node: TextRange,
    /// File offset corresponding to `encoded.start()` when the text maps character for
    /// character (expression bodies and string contents that appear verbatim in the file).
    pub exact: Option<TextSize>,
    /// What produced this span.
    pub kind: SegmentKind,
}

/// What a segment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// A mapping or sequence (its brackets and separators).
    Container,
    /// A mapping key pasted inside quotes.
    Key,
    /// A Koreo Expression body (the `=` string without its leading `=`s).
    Expression,
    /// A literal scalar (string contents, number, bool, null).
    Literal,
}

impl Encoded {
    /// Maps a range of the encoded text to a range in the YAML file: exactly inside
    /// expressions and verbatim strings, otherwise the whole node. `None` when the range
    /// lies in text no YAML node produced (e.g. the `.filter(…)` suffix of predicate lists).
    pub fn file_range(&self, span: TextRange) -> Option<TextRange> {
        let pos = span.start();
        // Half-open containment first; a position at the very end (EOF errors) falls back
        // to the segment that ends there.
        let seg = self
            .segments
            .iter()
            .filter(|s| s.encoded.contains(pos))
            .min_by_key(|s| s.encoded.len())
            .or_else(|| {
                self.segments
                    .iter()
                    .filter(|s| s.encoded.end() == pos)
                    .min_by_key(|s| s.encoded.len())
            })?;
        if let Some(exact) = seg.exact {
            let end = span.end().min(seg.encoded.end());
            let start = span.start().max(seg.encoded.start());
            let from = exact + (start - seg.encoded.start());
            let to = exact + (end.max(start) - seg.encoded.start());
            return Some(TextRange::new(from, to));
        }
        Some(seg.node)
    }

    /// The YAML node range of the whole encoded structure.
    pub fn root_range(&self) -> Option<TextRange> {
        self.segments.first().map(|s| s.node)
    }
}

/// Encodes a structure (`enc(v)` of §2.2).
pub fn encode(node: &SNode) -> Encoded {
    let mut enc = Encoder::default();
    enc.value(node, 0);
    enc.finish()
}

/// Encodes a list of nodes as one CEL list literal (the overlay leaf list of §2.4). The
/// list itself has no YAML node; `container` is the range reported for its brackets.
pub fn encode_list(items: &[&SNode], container: TextRange) -> Encoded {
    let mut enc = Encoder::default();
    let start = enc.pos();
    let seg = enc.open(container, SegmentKind::Container);
    enc.out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            enc.out.push(',');
        }
        enc.value(item, 1);
    }
    enc.out.push(']');
    enc.close(seg, start);
    enc.finish()
}

/// Python `int()` accepts the string (after stripping whitespace: sign, digits, single
/// underscores between digits).
pub fn py_int_accepts(s: &str) -> bool {
    let t = py_strip(s);
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits_with_underscores(t)
}

/// Python `float()` accepts the string (decimal forms with optional exponent,
/// `inf`/`infinity`/`nan` in any case, single underscores between digits).
pub fn py_float_accepts(s: &str) -> bool {
    let t = py_strip(s);
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return true;
    }
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    if let Some(exp) = exponent {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if !digits_with_underscores(exp) {
            return false;
        }
    }
    match mantissa.split_once('.') {
        None => digits_with_underscores(mantissa),
        Some((int, frac)) => match (int.is_empty(), frac.is_empty()) {
            (true, true) => false,
            (true, false) => digits_with_underscores(frac),
            (false, true) => digits_with_underscores(int),
            (false, false) => digits_with_underscores(int) && digits_with_underscores(frac),
        },
    }
}

/// Whether the encoder emits this string verbatim as a number-like token.
pub fn is_numeric_string(s: &str) -> bool {
    py_int_accepts(s) || py_float_accepts(s)
}

fn digits_with_underscores(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return false;
    }
    let mut prev_underscore = false;
    for &c in b {
        match c {
            b'0'..=b'9' => prev_underscore = false,
            b'_' if !prev_underscore => prev_underscore = true,
            _ => return false,
        }
    }
    true
}

/// Python `str.strip()` with no argument (Unicode whitespace plus the ASCII separators).
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// How a string value is encoded (§2.2), exposed for lints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringEncoding {
    /// Emitted raw because Python `int()`/`float()` accepts it: becomes a number.
    Numeric,
    /// `""`.
    Empty,
    /// A Koreo Expression (leading `=`s removed).
    Expression,
    /// `r"""…"""`: contains a newline, backslashes kept.
    RawTripleQuoted,
    /// `"""…"""` with `\"`: contains a double quote; escapes interpreted.
    CookedTripleQuoted,
    /// `"…"`: escapes interpreted.
    Cooked,
}

/// Classifies a string the way the encoder does.
pub fn string_encoding(s: &str) -> StringEncoding {
    if is_numeric_string(s) {
        StringEncoding::Numeric
    } else if s.is_empty() {
        StringEncoding::Empty
    } else if s.starts_with('=') {
        StringEncoding::Expression
    } else if s.contains('\n') {
        StringEncoding::RawTripleQuoted
    } else if s.contains('"') {
        StringEncoding::CookedTripleQuoted
    } else {
        StringEncoding::Cooked
    }
}

const MAX_DEPTH: usize = 256;

#[derive(Default)]
struct Encoder {
    out: String,
    segments: Vec<Segment>,
}

impl Encoder {
    fn pos(&self) -> TextSize {
        TextSize::try_from(self.out.len()).unwrap_or_default()
    }

    fn open(&mut self, node: TextRange, kind: SegmentKind) -> usize {
        self.segments.push(Segment {
            encoded: TextRange::empty(self.pos()),
            node,
            exact: None,
            kind,
        });
        self.segments.len() - 1
    }

    fn close(&mut self, seg: usize, start: TextSize) {
        let end = self.pos();
        if let Some(s) = self.segments.get_mut(seg) {
            s.encoded = TextRange::new(start, end);
        }
    }

    fn push_mapped(
        &mut self,
        text: &str,
        node: TextRange,
        exact: Option<TextSize>,
        kind: SegmentKind,
    ) {
        let start = self.pos();
        self.out.push_str(text);
        self.segments.push(Segment {
            encoded: TextRange::new(start, self.pos()),
            node,
            exact,
            kind,
        });
    }

    fn finish(self) -> Encoded {
        Encoded {
            text: self.out,
            segments: self.segments,
        }
    }

    fn value(&mut self, node: &SNode, depth: usize) {
        let start = self.pos();
        match &node.kind {
            SKind::Map(entries) => {
                let seg = self.open(node.range, SegmentKind::Container);
                self.out.push('{');
                if depth < MAX_DEPTH {
                    for (i, e) in entries.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.out.push('"');
                        let key = e.key.py_str();
                        let exact = match &e.key.kind {
                            SKind::Str(s) => s.verbatim_at,
                            _ => None,
                        };
                        self.push_mapped(&key, e.key.range, exact, SegmentKind::Key);
                        self.out.push_str("\":");
                        self.value(&e.value, depth + 1);
                    }
                }
                self.out.push('}');
                self.close(seg, start);
            }
            SKind::Seq(items) => {
                let seg = self.open(node.range, SegmentKind::Container);
                self.out.push('[');
                if depth < MAX_DEPTH {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.value(item, depth + 1);
                    }
                }
                self.out.push(']');
                self.close(seg, start);
            }
            SKind::Bool(b) => self.push_mapped(
                if *b { "true" } else { "false" },
                node.range,
                None,
                SegmentKind::Literal,
            ),
            SKind::Null => self.push_mapped("null", node.range, None, SegmentKind::Literal),
            SKind::Int(_) | SKind::Float(_) | SKind::Other { .. } => {
                self.push_mapped(&node.py_str(), node.range, None, SegmentKind::Literal)
            }
            SKind::Str(s) => self.string(&s.text, s.verbatim_at, node.range),
        }
    }

    fn string(&mut self, text: &str, verbatim: Option<TextSize>, range: TextRange) {
        match string_encoding(text) {
            StringEncoding::Numeric => {
                self.push_mapped(text, range, verbatim, SegmentKind::Literal)
            }
            StringEncoding::Empty => self.push_mapped("\"\"", range, None, SegmentKind::Literal),
            StringEncoding::Expression => {
                let body = text.trim_start_matches('=');
                let skipped = TextSize::try_from(text.len() - body.len()).unwrap_or_default();
                self.push_mapped(
                    body,
                    range,
                    verbatim.map(|v| v + skipped),
                    SegmentKind::Expression,
                )
            }
            StringEncoding::RawTripleQuoted => {
                self.wrapped("r\"\"\"", text, "\"\"\"", verbatim, range)
            }
            StringEncoding::CookedTripleQuoted => {
                // Each `"` becomes `\"`, so offsets no longer map one to one.
                let escaped = text.replace('"', "\\\"");
                self.wrapped("\"\"\"", &escaped, "\"\"\"", None, range)
            }
            StringEncoding::Cooked => self.wrapped("\"", text, "\"", verbatim, range),
        }
    }

    fn wrapped(
        &mut self,
        open: &str,
        body: &str,
        close: &str,
        verbatim: Option<TextSize>,
        range: TextRange,
    ) {
        let start = self.pos();
        let seg = self.open(range, SegmentKind::Literal);
        self.out.push_str(open);
        self.push_mapped(body, range, verbatim, SegmentKind::Literal);
        self.out.push_str(close);
        self.close(seg, start);
    }
}

/// The overlay shape of §2.4: a key index over a flat list of leaves.
#[derive(Clone, Debug, PartialEq)]
pub enum OverlayIndex {
    /// The slot of a leaf value in the leaf list.
    Leaf(usize),
    /// A literal nested mapping, merged key by key.
    Nested(Vec<(String, OverlayIndex)>),
}

/// Splits an overlay mapping into its key index and its leaves (in slot order). Only
/// non-empty literal mappings are recursed into; every other value is one leaf.
pub fn overlay_split(node: &SNode) -> (Vec<(String, OverlayIndex)>, Vec<&SNode>) {
    let mut leaves = Vec::new();
    let index = split_into(node, &mut leaves, 0);
    (index, leaves)
}

fn split_into<'a>(
    node: &'a SNode,
    leaves: &mut Vec<&'a SNode>,
    depth: usize,
) -> Vec<(String, OverlayIndex)> {
    let mut index = Vec::new();
    let Some(entries) = node.entries() else {
        return index;
    };
    for e in entries {
        let key = e.key.py_str();
        match &e.value.kind {
            SKind::Map(m) if !m.is_empty() && depth < MAX_DEPTH => {
                let nested = split_into(&e.value, leaves, depth + 1);
                index.push((key, OverlayIndex::Nested(nested)));
            }
            _ => {
                index.push((key, OverlayIndex::Leaf(leaves.len())));
                leaves.push(&e.value);
            }
        }
    }
    index
}

/// The suffix the engine appends to a predicate list.
pub const PREDICATE_SUFFIX: &str = ".filter(predicate, !predicate.assert)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{SEntry, SStr};

    fn s(text: &str, at: Option<u32>) -> SNode {
        SNode {
            range: TextRange::new(0.into(), 1.into()),
            kind: SKind::Str(SStr {
                text: text.into(),
                verbatim_at: at.map(TextSize::from),
            }),
        }
    }

    fn map(entries: Vec<(&str, SNode)>) -> SNode {
        SNode::detached(SKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| SEntry {
                    key: SNode::str(k),
                    value: v,
                })
                .collect(),
        ))
    }

    #[test]
    fn numeric_strings_follow_python() {
        for yes in [
            "8080",
            "007",
            " 42 ",
            "1.50",
            "1e3",
            "-0",
            "1_000",
            "+3",
            "inf",
            "Infinity",
            "nan",
            ".5",
            "1.",
            "1_0.5e1_0",
        ] {
            assert!(is_numeric_string(yes), "{yes}");
        }
        for no in [
            "0x1F", "true", "null", "", "1__0", "_1", "1_", ".", "e3", "1e", "0o17", "1.5.5", "- 1",
        ] {
            assert!(!is_numeric_string(no), "{no}");
        }
    }

    #[test]
    fn encodes_like_the_engine() {
        let m = map(vec![
            ("port", SNode::str("8080")),
            ("path", SNode::str(r"C:\new\dir")),
            ("q", SNode::str(r#"say "hi""#)),
            ("ml", SNode::str("a\nb")),
            ("e", SNode::str("==1 + 1")),
            ("empty", SNode::str("")),
            ("n", SNode::detached(SKind::Float(1e20))),
            ("b", SNode::detached(SKind::Bool(true))),
            ("z", SNode::detached(SKind::Null)),
            (
                "d",
                SNode::detached(SKind::Other {
                    py_type: "datetime.date",
                    text: "2024-01-02".into(),
                }),
            ),
            (
                "l",
                SNode::detached(SKind::Seq(vec![SNode::detached(SKind::Int(1))])),
            ),
        ]);
        assert_eq!(
            encode(&m).text,
            r#"{"port":8080,"path":"C:\new\dir","q":"""say \"hi\"""","ml":r"""a
b""","e":1 + 1,"empty":"","n":1e+20,"b":true,"z":null,"d":2024-01-02,"l":[1]}"#
        );
    }

    #[test]
    fn keys_use_python_str() {
        let m = SNode::detached(SKind::Map(vec![
            SEntry {
                key: SNode::detached(SKind::Bool(true)),
                value: SNode::detached(SKind::Int(1)),
            },
            SEntry {
                key: SNode::detached(SKind::Null),
                value: SNode::detached(SKind::Int(2)),
            },
        ]));
        assert_eq!(encode(&m).text, r#"{"True":1,"None":2}"#);
    }

    #[test]
    fn source_map_is_exact_inside_expressions() {
        // `x: =inputs.a + 1` with the scalar text `=inputs.a + 1` starting at offset 10.
        let m = map(vec![("x", s("=inputs.a + 1", Some(10)))]);
        let e = encode(&m);
        assert_eq!(e.text, r#"{"x":inputs.a + 1}"#);
        let at = e.text.find("a +").unwrap() as u32;
        let r = e.file_range(TextRange::at(at.into(), 1.into())).unwrap();
        // `=inputs.` is 8 bytes, so `a` sits at 10 + 8.
        assert_eq!(r, TextRange::at(18.into(), 1.into()));
    }

    #[test]
    fn overlay_split_recurses_only_into_non_empty_maps() {
        let m = map(vec![
            (
                "metadata",
                map(vec![("labels", map(vec![("a", SNode::str("=x"))]))]),
            ),
            ("spec", SNode::str("=y")),
            ("empty", map(vec![])),
        ]);
        let (index, leaves) = overlay_split(&m);
        assert_eq!(leaves.len(), 3);
        assert_eq!(
            index,
            vec![
                (
                    "metadata".to_string(),
                    OverlayIndex::Nested(vec![(
                        "labels".to_string(),
                        OverlayIndex::Nested(vec![("a".to_string(), OverlayIndex::Leaf(0))])
                    )])
                ),
                ("spec".to_string(), OverlayIndex::Leaf(1)),
                ("empty".to_string(), OverlayIndex::Leaf(2)),
            ]
        );
        let list = encode_list(&leaves, TextRange::default());
        assert_eq!(list.text, "[x,y,{}]");
    }
}
