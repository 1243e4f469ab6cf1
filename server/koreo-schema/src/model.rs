//! The structural schema model: one arena of [`Schema`] nodes per loaded document, with
//! `$ref`s interned to [`SchemaId`]s (so recursive schemas are plain cycles of ids).

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use koreo_syntax::yaml::Severity;
use regex::Regex;
use serde_json::Value;

/// Index of a [`Schema`] node inside its [`SchemaArena`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub(crate) u32);

impl SchemaId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// The `type` keyword of a structural schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaType {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl SchemaType {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "object" => Self::Object,
            "array" => Self::Array,
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            _ => return None,
        })
    }

    /// The keyword as written in a schema (`object`, `integer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Object => "object",
            Self::Array => "array",
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `additionalProperties` of an object schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Additional {
    /// Not given: under a structural schema, unknown fields are pruned.
    #[default]
    Unspecified,
    /// `additionalProperties: true`: anything goes (not validated).
    Allowed,
    /// `additionalProperties: false`: unknown fields are rejected.
    Forbidden,
    /// A map whose values follow this schema.
    Schema(SchemaId),
}

/// `x-kubernetes-list-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListType {
    Atomic,
    Set,
    Map,
}

/// A `pattern`, compiled once. `regex` is `None` when the pattern is not valid RE2
/// syntax (or too large): it is then not enforced.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: String,
    pub regex: Option<Regex>,
}

/// One entry of `x-kubernetes-validations`.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationRule {
    /// The CEL rule; `self` is the value at this node.
    pub rule: String,
    /// The message shown when the rule is false.
    pub message: Option<String>,
    /// A CEL expression producing the message (takes precedence when it evaluates).
    pub message_expression: Option<String>,
    /// JSON path, relative to this node, of the field to blame (`.spec.replicas`).
    pub field_path: Option<String>,
    /// `FieldValueInvalid`, `FieldValueForbidden`, `FieldValueRequired`, `FieldValueDuplicate`.
    pub reason: Option<String>,
    /// How bad a failure is. Kubernetes rejects the object (error); our built-in Koreo
    /// kinds lower rules the engine itself does not enforce (`x-koreo-severity`).
    pub severity: Severity,
}

/// One node of a structural schema. Fields mirror the OpenAPI v3 / Kubernetes keywords;
/// `$ref` and single-`allOf` reference wrappers are already resolved by the loader.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub ty: Option<SchemaType>,
    pub description: Option<String>,
    pub nullable: bool,
    pub default: Option<Value>,
    pub format: Option<String>,
    pub enumeration: Option<Vec<Value>>,

    /// Declared properties, in schema order.
    pub properties: IndexMap<String, SchemaId>,
    pub required: Vec<String>,
    pub additional_properties: Additional,
    /// `x-kubernetes-preserve-unknown-fields`.
    pub preserve_unknown_fields: bool,
    /// `x-kubernetes-embedded-resource`: a full object with `apiVersion`, `kind`, `metadata`.
    pub embedded_resource: bool,
    /// `x-kubernetes-int-or-string` (or OpenAPI `format: int-or-string`).
    pub int_or_string: bool,
    /// A union of plain types with no `type` of its own, e.g. a Quantity's
    /// `oneOf: [{type: string}, {type: number}]` (the loader folds such junctors here).
    pub type_union: Vec<SchemaType>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,

    pub items: Option<SchemaId>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    /// `x-kubernetes-list-type`.
    pub list_type: Option<ListType>,
    /// `x-kubernetes-list-map-keys`.
    pub list_map_keys: Vec<String>,

    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<Pattern>,

    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,

    pub all_of: Vec<SchemaId>,
    pub any_of: Vec<SchemaId>,
    pub one_of: Vec<SchemaId>,
    pub not: Option<SchemaId>,

    /// `x-kubernetes-validations`.
    pub validations: Vec<ValidationRule>,
    /// `x-koreo-severity` on a node of our built-in kinds: the severity of the checks at
    /// this node that only a real API server performs (list-map key uniqueness, the
    /// `apiVersion`/`kind` of an embedded resource).
    pub server_only_severity: Option<Severity>,
}

impl Schema {
    /// True when the node says anything about the shape of a value (as opposed to a
    /// pure annotation such as a description next to a `$ref`).
    pub(crate) fn has_structure(&self) -> bool {
        self.ty.is_some()
            || !self.properties.is_empty()
            || self.items.is_some()
            || self.int_or_string
            || !self.type_union.is_empty()
            || self.preserve_unknown_fields
            || self.embedded_resource
            || !matches!(self.additional_properties, Additional::Unspecified)
            || self.enumeration.is_some()
            || !self.all_of.is_empty()
            || !self.any_of.is_empty()
            || !self.one_of.is_empty()
            || self.not.is_some()
    }

    /// The default of a property, if the object declares one.
    pub(crate) fn property_has_default(&self, arena: &SchemaArena, name: &str) -> bool {
        self.properties
            .get(name)
            .is_some_and(|id| arena.get(*id).default.is_some())
    }
}

/// All schema nodes of one loaded document (a CRD, an OpenAPI document, a built-in kind).
#[derive(Debug, Default)]
pub struct SchemaArena {
    pub(crate) nodes: Vec<Schema>,
    /// The `ObjectMeta` schema used for `metadata` of roots and embedded resources.
    pub(crate) object_meta: Option<SchemaId>,
    /// Schemas of built-in API types (an OpenAPI document of `io.k8s.api.*` kinds): the API
    /// server decodes them into Go structs, where `null` is simply the zero value. CRD
    /// schemas are structural instead: `null` on a non-nullable field is pruned.
    pub(crate) native: bool,
}

impl SchemaArena {
    /// The node with this id. Ids come from the same arena, so this cannot fail for
    /// ids handed out by the loader; a foreign id yields an empty (permissive) schema.
    pub fn get(&self, id: SchemaId) -> &Schema {
        static EMPTY: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        self.nodes
            .get(id.index())
            .unwrap_or_else(|| EMPTY.get_or_init(Schema::default))
    }

    pub(crate) fn push(&mut self, schema: Schema) -> SchemaId {
        self.nodes.push(schema);
        SchemaId((self.nodes.len() - 1) as u32)
    }

    /// The `ObjectMeta` schema of this document, if one was loaded or imported.
    pub fn object_meta(&self) -> Option<SchemaId> {
        self.object_meta
    }

    /// True for schemas of built-in API types (see the field's documentation).
    pub fn is_native(&self) -> bool {
        self.native
    }

    /// Number of nodes (for tests and statistics).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the arena holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// A Kubernetes group/version/kind. The core group is the empty string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// Build from parts.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        kind: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// Split an `apiVersion` (`apps/v1`, `v1`) and pair it with a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = split_api_version(api_version);
        Self::new(group, version, kind)
    }

    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.api_version())
    }
}

/// Split `group/version` (core group: `v1` → `("", "v1")`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// Whether instances of a kind live in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Namespaced,
    Cluster,
}

/// Where a kind's schema came from; also its precedence in the [`crate::SchemaStore`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SchemaSource {
    /// Our own definitions of the Koreo kinds.
    Builtin,
    /// A CRD document in the workspace (the file key given by the index layer).
    Workspace(String),
    /// Fetched from the cluster of this kubeconfig context.
    Cluster(String),
    /// Read from the disk cache of this kubeconfig context.
    DiskCache(String),
}

/// The schema of one kind at one version, plus what the CRD or discovery says about it.
#[derive(Clone, Debug)]
pub struct KindSchema {
    pub gvk: Gvk,
    /// Plural resource name (`deployments`), when known.
    pub plural: Option<String>,
    pub scope: Option<Scope>,
    /// The arena holding the schema; shared by every kind of the same document.
    pub arena: Arc<SchemaArena>,
    /// The root schema of the kind (the whole object: `apiVersion`, `kind`, `metadata`, ...).
    pub root: SchemaId,
    pub source: SchemaSource,
}

impl KindSchema {
    /// A view of the root schema.
    pub fn root(&self) -> crate::SchemaView<'_> {
        crate::SchemaView::new(&self.arena, self.root)
    }
}

/// One step of a path into a YAML value: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Render a path the way our messages do: `spec.steps[1].label`.
pub fn format_path(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSegment::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '/');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push_str(&format!("[{k:?}]"));
                }
            }
            PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
