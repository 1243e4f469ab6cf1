//! Stable diagnostic codes of the YAML layer (`SyntaxError::code`).

/// The text is not valid YAML (from saphyr or the tree-sitter CST).
pub const YAML_SYNTAX: &str = "yaml-syntax";
/// A mapping repeats a key; reported at the second occurrence.
pub const DUPLICATE_KEY: &str = "duplicate-key";
/// A plain scalar that Kubernetes and PyYAML read differently, or that PyYAML rejects.
pub const AMBIGUOUS_SCALAR: &str = "yaml-ambiguous-scalar";
/// `yes`/`no`/`on`/`off` and friends: booleans in YAML 1.1 only.
pub const IMPLICIT_BOOLEAN: &str = "yaml-implicit-boolean";
/// A `<<` merge whose value is not a mapping or a sequence of mappings.
pub const MERGE: &str = "yaml-merge";
/// A `<<` merge after explicit keys it overrides in go-yaml v2 but not in PyYAML.
pub const MERGE_ORDER: &str = "yaml-merge-order";
/// An alias inside the node it refers to.
pub const RECURSIVE_ALIAS: &str = "yaml-recursive-alias";
/// Alias expansion exceeded its budget (e.g. "billion laughs").
pub const ALIAS_LIMIT: &str = "yaml-alias-limit";
/// Collections nested deeper than we read.
pub const DEPTH_LIMIT: &str = "yaml-depth-limit";
/// The file is too large to analyse.
pub const TOO_LARGE: &str = "yaml-too-large";
/// The file has NUL bytes: binary content, not YAML.
pub const BINARY: &str = "yaml-binary";
/// The file is not valid UTF-8.
pub const INVALID_UTF8: &str = "yaml-invalid-utf8";
/// More documents than we analyse in one file.
pub const TOO_MANY_DOCUMENTS: &str = "yaml-too-many-documents";
