//! Layer 1: YAML documents and text positions.
//!
//! A file is split into documents at `---` / `...` markers; each document gets its own
//! tree-sitter-yaml tree (so an indentation mistake in one document cannot blank out the
//! others) and, from saphyr, an exact value tree ([`yaml::Node`]) whose every node keeps
//! its byte range in the *file*. Plain scalars keep their source text so they can be
//! resolved either the Kubernetes way (what the controller sees) or the PyYAML way (what
//! the Python tooling and the reference FunctionTest runner see).
//!
//! Parsing never fails and never panics: problems become [`SyntaxError`]s with ranges.

pub mod text;
pub mod yaml;

pub use text::{LineIndex, PositionEncoding, TextPosition};
pub use text_size::{TextRange, TextSize};
pub use yaml::{Document, Node, NodeKind, ParsedFile, Scalar, ScalarStyle, SyntaxError};
