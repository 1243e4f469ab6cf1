//! Layer 1: YAML documents and text positions.
//!
//! A file is split into documents at `---` / `...` markers; each document gets its own
//! tree-sitter-yaml tree (so an indentation mistake in one document cannot blank out the
//! others) and, from saphyr's event parser, an exact value tree ([`yaml::Node`]) whose every
//! node keeps its byte range in the *file*. Plain scalars keep their source text so they
//! can be resolved either the Kubernetes way (what the controller sees) or the PyYAML way
//! (what the Python tooling and the reference FunctionTest runner see).
//!
//! Parsing never fails and never panics: problems become [`SyntaxError`]s with ranges and
//! stable [`codes`].
//!
//! Entry points:
//! * [`parse_file`] / [`parse_bytes`] → [`ParsedFile`] (documents with value trees, CSTs
//!   and problems); [`YamlFile`] for an open editor buffer (incremental edits, last good
//!   value tree per document).
//! * [`Node`] helpers: `get`, `entries`, `items`, `as_str`, `is_expression`,
//!   `expression`, `resolve`, `to_plain`, `scalar_source_map`, `expression_offset`.
//! * [`Scalar::resolve`] with [`ResolveRules::Kubernetes`] or [`ResolveRules::PyYaml`].
//! * CST helpers on [`Document`]: `path_at`, `range_at_path`, `folding_ranges`,
//!   `cst_nodes`.
//! * [`LineIndex`]: byte offsets ↔ LSP positions in UTF-8/16/32.

pub mod codes;
pub(crate) mod cst;
mod dump;
mod file;
pub mod invariants;
mod lint;
mod load;
mod parse;
pub mod path;
mod resolve;
mod split;
pub mod text;
pub mod yaml;

pub use file::{EditSummary, YamlFile};
pub use load::{MAX_ALIAS_NODES, MAX_DEPTH};
pub use parse::{MAX_DOCUMENTS, MAX_FILE_BYTES, parse_bytes, parse_file};
pub use path::{CstIter, Part, PathAt, PathSegment, PathTarget, path_to_string};
pub use resolve::{resolve_k8s_plain, resolve_pyyaml_plain};
pub use text::{LineIndex, PositionEncoding, TextPosition};
pub use text_size::{TextRange, TextSize};
/// The tree-sitter crate our CSTs come from, so consumers use the same version.
pub use tree_sitter;
pub use yaml::{
    Document, Entry, Node, NodeKind, ParsedFile, PlainValue, ResolveRules, Resolved, Scalar,
    ScalarStyle, Severity, SyntaxError,
};
