//! YAML files as documents, each with an error-tolerant CST and an exact value tree.

use text_size::{TextRange, TextSize};

/// How bad a syntax problem is. Shared vocabulary for the layers above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The text is wrong: engines reject it or read something else than written.
    Error,
    /// Probably a mistake (e.g. a scalar two readers type differently).
    Warning,
    /// Something was skipped or limited (a huge file, too deep to analyse).
    Information,
    /// A style nudge.
    Hint,
}

/// A problem found while reading YAML, at a byte range of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where, in file bytes.
    pub range: TextRange,
    /// How bad.
    pub severity: Severity,
    /// Stable kebab-case id, e.g. `yaml-syntax`, `duplicate-key`, `yaml-ambiguous-scalar`.
    pub code: &'static str,
    /// One actionable sentence for the user.
    pub message: String,
}

/// A whole file: its documents in order, plus file-level problems.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    /// The documents, in file order (at most [`crate::MAX_DOCUMENTS`]).
    pub documents: Vec<Document>,
    /// Problems of the file as a whole (binary, not UTF-8, too large, too many documents).
    pub errors: Vec<SyntaxError>,
}

/// One YAML document of a file.
#[derive(Clone, Debug)]
pub struct Document {
    /// Position of the document in the file (0-based).
    pub index: usize,
    /// Byte range of the document's text in the file, markers excluded.
    pub range: TextRange,
    /// The exact value tree; `None` when the document is empty or could not be read at all.
    pub root: Option<Node>,
    /// Problems of this document (syntax errors, duplicate keys, ambiguous scalars, ...).
    pub errors: Vec<SyntaxError>,
    /// The text the parsers read: leading comments and directives, the `---` line, the
    /// content and a closing `...`. The source ranges of a file's documents tile the file
    /// (after a BOM), so every offset belongs to one document.
    pub source_range: TextRange,
    /// The error-tolerant tree-sitter CST of `source_range`'s text. Its byte offsets and
    /// rows are relative to `source_range.start()` (see [`Document::cst_range`]).
    /// `None` when the document nests too deep for tree-sitter-yaml (an information
    /// problem says so).
    pub tree: Option<tree_sitter::Tree>,
    /// `root` was rebuilt from the CST because saphyr rejected the document: structure is
    /// kept where tree-sitter could parse it, the unparsable parts are missing.
    pub recovered: bool,
}

/// A node of the value tree. Aliases are expanded (the copy keeps the anchored node's
/// ranges) and `<<` merge keys are applied, so consumers see plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte range of the node in the file.
    pub range: TextRange,
    /// Scalar, sequence or mapping.
    pub kind: NodeKind,
    /// Explicit tag as written (`!!str`, `!custom`), if any.
    pub tag: Option<String>,
}

/// What a [`Node`] is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar, typed on demand ([`Scalar::resolve`]).
    Scalar(Scalar),
    /// A sequence's items.
    Seq(Vec<Node>),
    /// A mapping's entries in document order; merges applied, and one entry per scalar
    /// key (the last value, at the first key's position — duplicates are reported).
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key (mapping keys are never Koreo expressions).
    pub key: Node,
    /// The value (an empty value is an empty plain scalar with an empty range).
    pub value: Node,
}

/// A scalar as written: its decoded text (quotes, escapes, folding and chomping already
/// applied) and its style. Plain scalars are resolved to typed values on demand, with
/// the rules of [`ResolveRules`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The decoded text.
    pub text: String,
    /// How it was written.
    pub style: ScalarStyle,
}

/// How a scalar was written; only plain scalars are typed implicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// `text`
    Plain,
    /// `'text'`
    SingleQuoted,
    /// `"text"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// Which YAML reader's implicit typing to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResolveRules {
    /// sigs.k8s.io/yaml (go-yaml v2): what `kubectl apply` sends and the controller sees.
    Kubernetes,
    /// PyYAML `SafeLoader` (YAML 1.1): what the Python tooling and its FunctionTest runner see.
    PyYaml,
}

/// A resolved scalar value.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// `null`, `~`, empty.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer in the i64 range.
    Int(i64),
    /// An integer outside the i64 range (kept as decimal text).
    BigInt(String),
    /// A float (including infinities and NaN).
    Float(f64),
    /// A string.
    Str(String),
    /// PyYAML `datetime.date`; the text is Python's `str()` of it (`2024-01-02`).
    Date(String),
    /// PyYAML `datetime.datetime`; the text is Python's `str()` of it (`2024-01-02 03:04:05+00:00`).
    DateTime(String),
}

/// A value tree without ranges, scalars typed by one set of [`ResolveRules`].
#[derive(Clone, Debug, PartialEq)]
pub enum PlainValue {
    /// Null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer in the i64 range.
    Int(i64),
    /// An integer outside the i64 range, as decimal text.
    BigInt(String),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// PyYAML date, as Python's `str()` of it.
    Date(String),
    /// PyYAML datetime, as Python's `str()` of it.
    DateTime(String),
    /// A sequence.
    Seq(Vec<PlainValue>),
    /// Entries in document order (merges applied, duplicate keys already collapsed).
    Map(Vec<(PlainValue, PlainValue)>),
}

impl From<Resolved> for PlainValue {
    fn from(r: Resolved) -> Self {
        match r {
            Resolved::Null => PlainValue::Null,
            Resolved::Bool(b) => PlainValue::Bool(b),
            Resolved::Int(i) => PlainValue::Int(i),
            Resolved::BigInt(t) => PlainValue::BigInt(t),
            Resolved::Float(f) => PlainValue::Float(f),
            Resolved::Str(s) => PlainValue::Str(s),
            Resolved::Date(d) => PlainValue::Date(d),
            Resolved::DateTime(d) => PlainValue::DateTime(d),
        }
    }
}

impl Node {
    /// The value of `key` in a mapping (scalar keys compared by text; the last entry wins,
    /// as for the engines). `None` for other nodes.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of `key` in a mapping (see [`Node::get`]).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key.scalar_text() == Some(key))
    }

    /// The range of `key`'s key node in a mapping.
    pub fn key_range(&self, key: &str) -> Option<TextRange> {
        self.entry(key).map(|e| e.key.range)
    }

    /// The entries of a mapping, or `None`.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence, or `None`.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar, or `None` for collections.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar's decoded text, whatever its type (`123`, `true` and `"x"` all have one).
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// The text of a *string* scalar: quoted, block, `!!str`-tagged, or plain text that
    /// Kubernetes reads as a string. `None` for numbers, booleans, nulls, collections.
    pub fn as_str(&self) -> Option<&str> {
        let s = self.as_scalar()?;
        let is_str = match self.tag.as_deref() {
            Some("!!str") => true,
            Some(_) => matches!(
                s.resolve(ResolveRules::Kubernetes, self.tag.as_deref()),
                Resolved::Str(_)
            ),
            None if s.style != ScalarStyle::Plain => true,
            None => matches!(crate::resolve::resolve_k8s_plain(&s.text), Resolved::Str(_)),
        };
        is_str.then_some(s.text.as_str())
    }

    /// Whether this is a Koreo expression: a string scalar whose text starts with `=`
    /// (spec §2.1; keys and non-strings never are).
    pub fn is_expression(&self) -> bool {
        self.as_str().is_some_and(|s| s.starts_with('='))
    }

    /// The CEL source of an expression: the text after all leading `=` (spec §2.1).
    pub fn expression(&self) -> Option<&str> {
        let s = self.as_str()?;
        s.starts_with('=').then(|| s.trim_start_matches('='))
    }

    /// The typed value of a scalar under `rules`, honouring its tag; `None` for collections.
    pub fn resolve(&self, rules: ResolveRules) -> Option<Resolved> {
        Some(self.as_scalar()?.resolve(rules, self.tag.as_deref()))
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    /// Whether this is a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    /// `"mapping"`, `"sequence"` or `"scalar"`, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Scalar(_) => "scalar",
            NodeKind::Seq(_) => "sequence",
            NodeKind::Map(_) => "mapping",
        }
    }

    /// The node at a path of keys and indices below this one.
    pub fn at_path<'a>(&'a self, path: &[crate::PathSegment]) -> Option<&'a Node> {
        let mut node = self;
        for seg in path {
            node = match seg {
                crate::PathSegment::Key(k) => node.get(k)?,
                crate::PathSegment::Index(i) => node.items()?.get(*i)?,
            };
        }
        Some(node)
    }

    /// The tree without ranges, scalars typed by `rules`. Iterative, so any depth is fine.
    pub fn to_plain(&self, rules: ResolveRules) -> PlainValue {
        enum Step<'a> {
            Visit(&'a Node),
            Seq(usize),
            Map(usize),
        }
        let mut work = vec![Step::Visit(self)];
        let mut out: Vec<PlainValue> = Vec::new();
        while let Some(step) = work.pop() {
            match step {
                Step::Visit(node) => match &node.kind {
                    NodeKind::Scalar(s) => {
                        out.push(s.resolve(rules, node.tag.as_deref()).into());
                    }
                    NodeKind::Seq(items) => {
                        work.push(Step::Seq(items.len()));
                        work.extend(items.iter().rev().map(Step::Visit));
                    }
                    NodeKind::Map(entries) => {
                        work.push(Step::Map(entries.len()));
                        for e in entries.iter().rev() {
                            work.push(Step::Visit(&e.value));
                            work.push(Step::Visit(&e.key));
                        }
                    }
                },
                Step::Seq(n) => {
                    let items = out.split_off(out.len() - n);
                    out.push(PlainValue::Seq(items));
                }
                Step::Map(n) => {
                    let flat = out.split_off(out.len() - 2 * n);
                    let mut it = flat.into_iter();
                    let mut pairs = Vec::with_capacity(n);
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    out.push(PlainValue::Map(pairs));
                }
            }
        }
        out.pop().unwrap_or(PlainValue::Null)
    }
}

impl Document {
    /// The file range of a CST node of this document's [`Document::tree`].
    pub fn cst_range(&self, node: tree_sitter::Node<'_>) -> TextRange {
        crate::cst::ts_range(node, self.source_range.start())
    }

    /// The text of this document's source (what its CST was parsed from), given the file.
    pub fn source<'a>(&self, file_text: &'a str) -> &'a str {
        file_text
            .get(std::ops::Range::<usize>::from(self.source_range))
            .unwrap_or("")
    }
}

impl ParsedFile {
    /// The document whose source contains `offset` (the end of the file belongs to the
    /// last document).
    pub fn document_at(&self, offset: TextSize) -> Option<&Document> {
        let i = self
            .documents
            .partition_point(|d| d.source_range.end() <= offset);
        self.documents.get(i).or_else(|| {
            self.documents
                .last()
                .filter(|d| d.source_range.end() == offset)
        })
    }

    /// All problems: file-level ones, then each document's, in file order.
    pub fn all_errors(&self) -> impl Iterator<Item = &SyntaxError> {
        self.errors
            .iter()
            .chain(self.documents.iter().flat_map(|d| d.errors.iter()))
    }
}

impl Node {
    /// For a scalar: the file offset of every byte of its decoded text (one more entry for
    /// the end), so that a position inside the value (e.g. a CEL error in an expression)
    /// can be shown at the right place in the file. Exact for plain and quoted scalars and
    /// for block scalars; escapes and folded line breaks map to where they start.
    /// `file_text` is the whole file. `None` for collections.
    pub fn scalar_source_map(&self, file_text: &str) -> Option<Vec<TextSize>> {
        let s = self.as_scalar()?;
        let start = u32::from(self.range.start()) as usize;
        let src = file_text.get(start..u32::from(self.range.end()) as usize)?;
        let at = |i: usize| TextSize::from((start + i) as u32);
        let bytes = src.as_bytes();
        let mut sp = skip_properties(src);
        match s.style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                if bytes.get(sp).is_some_and(|&b| b == b'\'' || b == b'"') {
                    sp += 1;
                }
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                sp = src[sp..].find('\n').map_or(src.len(), |i| sp + i + 1);
            }
            ScalarStyle::Plain => {}
        }
        let mut map = Vec::with_capacity(s.text.len() + 1);
        for dc in s.text.chars() {
            let here = loop {
                let Some(sc) = src[sp.min(src.len())..].chars().next() else {
                    break src.len();
                };
                let next = bytes.get(sp + 1).copied();
                if s.style == ScalarStyle::DoubleQuoted && sc == '\\' {
                    if matches!(next, Some(b'\n' | b'\r')) {
                        // An escaped line break produces nothing.
                        sp += 2;
                        continue;
                    }
                    let here = sp;
                    sp += escape_len(&src[sp..]);
                    break here;
                }
                if s.style == ScalarStyle::SingleQuoted && sc == '\'' && next == Some(b'\'') {
                    let here = sp;
                    sp += 2;
                    break here;
                }
                let folded_space =
                    (dc == ' ' || dc == '\n') && matches!(sc, ' ' | '\t' | '\n' | '\r');
                if sc == dc || folded_space {
                    let here = sp;
                    sp += sc.len_utf8();
                    break here;
                }
                sp += sc.len_utf8();
            };
            for _ in 0..dc.len_utf8() {
                map.push(at(here));
            }
        }
        map.push(at(sp.min(src.len())));
        Some(map)
    }

    /// The file offset of byte `index` of an expression's CEL source ([`Node::expression`],
    /// after the leading `=`s).
    pub fn expression_offset(&self, file_text: &str, index: usize) -> Option<TextSize> {
        let text = self.as_str()?;
        let eqs = text.len() - text.trim_start_matches('=').len();
        let map = self.scalar_source_map(file_text)?;
        map.get((eqs + index).min(map.len() - 1)).copied()
    }
}

/// Length of an anchor and tag prefix (`&a !!str `) in a node's source.
fn skip_properties(src: &str) -> usize {
    let mut i = 0;
    let b = src.as_bytes();
    while matches!(b.get(i), Some(b'&' | b'!')) {
        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
    }
    i
}

/// Length of the escape sequence at the start of `s` (which starts with `\`).
fn escape_len(s: &str) -> usize {
    let digits = match s.as_bytes().get(1) {
        Some(b'x') => 2,
        Some(b'u') => 4,
        Some(b'U') => 8,
        _ => 0,
    };
    let base = 1 + s[1..].chars().next().map_or(0, char::len_utf8);
    (base + digits).min(s.len())
}
