//! YAML files as documents, each with an error-tolerant CST and an exact value tree.

use text_size::TextRange;

/// How bad a syntax problem is. Shared vocabulary for the layers above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

/// A problem found while reading YAML, at a byte range of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub severity: Severity,
    /// Stable kebab-case id, e.g. `yaml-syntax`, `duplicate-key`, `yaml-ambiguous-scalar`.
    pub code: &'static str,
    pub message: String,
}

/// A whole file: its documents in order, plus file-level problems.
#[derive(Debug)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub errors: Vec<SyntaxError>,
}

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// Position of the document in the file (0-based).
    pub index: usize,
    /// Byte range of the document's text in the file, markers excluded.
    pub range: TextRange,
    /// The exact value tree; `None` when the document is empty or could not be read at all.
    pub root: Option<Node>,
    /// Problems of this document (syntax errors, duplicate keys, ambiguous scalars, ...).
    pub errors: Vec<SyntaxError>,
}

/// A node of the value tree. Aliases are expanded (the copy keeps the anchored node's
/// ranges) and `<<` merge keys are applied, so consumers see plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte range of the node in the file.
    pub range: TextRange,
    pub kind: NodeKind,
    /// Explicit tag as written (`!!str`, `!custom`), if any.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A scalar as written: its decoded text (quotes, escapes, folding and chomping already
/// applied) and its style. Plain scalars are resolved to typed values on demand, with
/// the rules of [`ResolveRules`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
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
    Null,
    Bool(bool),
    Int(i64),
    /// An integer outside the i64 range (kept as decimal text).
    BigInt(String),
    Float(f64),
    Str(String),
    /// PyYAML `datetime.date`; the text is Python's `str()` of it (`2024-01-02`).
    Date(String),
    /// PyYAML `datetime.datetime`; the text is Python's `str()` of it (`2024-01-02 03:04:05+00:00`).
    DateTime(String),
}
