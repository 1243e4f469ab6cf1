//! Loaders: CustomResourceDefinitions (JSON or YAML value trees) and OpenAPI v3
//! documents as served at `/openapi/v3/<group-version>`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use koreo_syntax::Node;
use koreo_syntax::yaml::{ResolveRules, Severity};
use regex::RegexBuilder;
use serde_json::{Map, Value};

use crate::model::{
    Additional, Gvk, KindSchema, ListType, Pattern, Schema, SchemaArena, SchemaId, SchemaSource,
    SchemaType, Scope, ValidationRule,
};
use crate::value::node_to_json;

/// Why a document could not be loaded as a schema source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl LoadError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// One version entry of a CRD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdVersion {
    pub name: String,
    pub served: bool,
    pub storage: bool,
    pub deprecated: bool,
    /// False when the version declares no `openAPIV3Schema`.
    pub has_schema: bool,
}

/// A loaded CustomResourceDefinition: its names and one [`KindSchema`] per version with a
/// schema.
#[derive(Clone, Debug)]
pub struct CrdDefinition {
    /// `metadata.name` (`workflows.koreo.dev`).
    pub name: Option<String>,
    pub group: String,
    pub kind: String,
    pub plural: Option<String>,
    pub singular: Option<String>,
    pub short_names: Vec<String>,
    pub scope: Scope,
    pub versions: Vec<CrdVersion>,
    pub kinds: Vec<KindSchema>,
}

/// A loaded OpenAPI v3 document: every component schema, and the kinds tagged with
/// `x-kubernetes-group-version-kind`.
#[derive(Clone, Debug)]
pub struct OpenApiDocument {
    pub arena: Arc<SchemaArena>,
    /// Component name → schema.
    pub components: IndexMap<String, SchemaId>,
    pub kinds: Vec<KindSchema>,
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/// Load a CRD given as a YAML value tree (scalars resolved the Kubernetes way).
pub fn load_crd_node(node: &Node, source: SchemaSource) -> Result<CrdDefinition, LoadError> {
    load_crd(&node_to_json(node, ResolveRules::Kubernetes), source)
}

/// Load a CRD given as JSON (`apiextensions.k8s.io/v1`, or the older `v1beta1` layout).
pub fn load_crd(crd: &Value, source: SchemaSource) -> Result<CrdDefinition, LoadError> {
    let obj = crd
        .as_object()
        .ok_or_else(|| LoadError::new("a CustomResourceDefinition must be a mapping"))?;
    if obj.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
        return Err(LoadError::new("not a CustomResourceDefinition"));
    }
    let spec = obj
        .get("spec")
        .and_then(Value::as_object)
        .ok_or_else(|| LoadError::new("the CRD has no `spec`"))?;
    let group = str_field(spec, "group")
        .ok_or_else(|| LoadError::new("the CRD has no `spec.group`"))?
        .to_owned();
    let names = spec
        .get("names")
        .and_then(Value::as_object)
        .ok_or_else(|| LoadError::new("the CRD has no `spec.names`"))?;
    let kind = str_field(names, "kind")
        .ok_or_else(|| LoadError::new("the CRD has no `spec.names.kind`"))?
        .to_owned();
    let scope = match str_field(spec, "scope") {
        Some("Cluster") => Scope::Cluster,
        _ => Scope::Namespaced,
    };
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);

    let mut conv = Converter::new(None);
    let mut versions = Vec::new();
    let mut roots = Vec::new();
    // v1beta1 CRDs may carry one schema for all versions.
    let shared_schema = spec
        .get("validation")
        .and_then(|v| v.get("openAPIV3Schema"));
    let version_list: Vec<&Map<String, Value>> =
        match spec.get("versions").and_then(Value::as_array) {
            Some(list) => list.iter().filter_map(Value::as_object).collect(),
            None => Vec::new(),
        };
    let legacy_version = str_field(spec, "version").map(|v| {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(v.to_owned()));
        m
    });
    let version_list: Vec<&Map<String, Value>> = if version_list.is_empty() {
        legacy_version.iter().collect()
    } else {
        version_list
    };
    for v in version_list {
        let Some(vname) = str_field(v, "name") else {
            continue;
        };
        let schema = v
            .get("schema")
            .and_then(|s| s.get("openAPIV3Schema"))
            .or(shared_schema);
        versions.push(CrdVersion {
            name: vname.to_owned(),
            served: v.get("served").and_then(Value::as_bool).unwrap_or(true),
            storage: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
            deprecated: v
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            has_schema: schema.is_some(),
        });
        if let Some(schema) = schema {
            let root = conv.convert(schema);
            roots.push((vname.to_owned(), root));
        }
    }
    conv.finish();
    let mut arena = conv.arena;
    for (_, root) in &roots {
        add_implicit_root_fields(&mut arena, *root);
    }
    let arena = Arc::new(arena);
    let plural = str_field(names, "plural").map(str::to_owned);
    let kinds = roots
        .into_iter()
        .map(|(version, root)| KindSchema {
            gvk: Gvk::new(group.clone(), version, kind.clone()),
            plural: plural.clone(),
            scope: Some(scope),
            arena: arena.clone(),
            root,
            source: source.clone(),
        })
        .collect();
    Ok(CrdDefinition {
        name,
        group,
        kind,
        plural,
        singular: str_field(names, "singular").map(str::to_owned),
        short_names: names
            .get("shortNames")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        scope,
        versions,
        kinds,
    })
}

/// Load an OpenAPI v3 document (`components.schemas`, `$ref: #/components/schemas/...`).
/// Kinds are the components tagged with `x-kubernetes-group-version-kind`; list kinds
/// (`DeploymentList`) are included like any other.
pub fn load_openapi(doc: &Value, source: SchemaSource) -> Result<OpenApiDocument, LoadError> {
    let schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .or_else(|| doc.get("definitions"))
        .and_then(Value::as_object)
        .ok_or_else(|| LoadError::new("the OpenAPI document has no `components.schemas`"))?;
    let mut conv = Converter::new(Some(schemas));
    let mut components = IndexMap::new();
    for name in schemas.keys() {
        let id = conv.intern(name);
        components.insert(name.clone(), id);
    }
    conv.drain();
    conv.finish();
    let mut arena = conv.arena;
    arena.object_meta = components.get(OBJECT_META).copied();
    arena.native = schemas.iter().any(|(name, v)| {
        name.starts_with("io.k8s.api.") && v.get("x-kubernetes-group-version-kind").is_some()
    });
    let mut tagged = Vec::new();
    for (name, value) in schemas {
        let Some(gvks) = value
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
        else {
            continue;
        };
        let Some(&id) = components.get(name) else {
            continue;
        };
        for g in gvks {
            let (Some(group), Some(version), Some(kind)) = (
                g.get("group").and_then(Value::as_str),
                g.get("version").and_then(Value::as_str),
                g.get("kind").and_then(Value::as_str),
            ) else {
                continue;
            };
            tagged.push((Gvk::new(group, version, kind), id));
        }
    }
    if arena.object_meta.is_none() {
        arena.object_meta = Some(import_object_meta(&mut arena));
    }
    let arena = Arc::new(arena);
    let resources = resource_names(doc);
    let kinds = tagged
        .into_iter()
        .map(|(gvk, root)| {
            let (plural, scope) = resources
                .get(&gvk)
                .map_or((None, None), |(p, s)| (p.clone(), Some(*s)));
            KindSchema {
                gvk,
                plural,
                scope,
                arena: arena.clone(),
                root,
                source: source.clone(),
            }
        })
        .collect();
    Ok(OpenApiDocument {
        arena,
        components,
        kinds,
    })
}

/// Plural names and scopes of the kinds of an OpenAPI document, read from its `paths`:
/// the `list` operation of a kind is `.../<plural>`, under `/namespaces/{namespace}/`
/// for namespaced kinds.
fn resource_names(doc: &Value) -> HashMap<Gvk, (Option<String>, Scope)> {
    let mut out: HashMap<Gvk, (Option<String>, Scope)> = HashMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(op) = item.get("get") else { continue };
        if op.get("x-kubernetes-action").and_then(Value::as_str) != Some("list") {
            continue;
        }
        let Some(g) = op.get("x-kubernetes-group-version-kind") else {
            continue;
        };
        let (Some(group), Some(version), Some(kind)) = (
            g.get("group").and_then(Value::as_str),
            g.get("version").and_then(Value::as_str),
            g.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        let plural = path
            .rsplit('/')
            .next()
            .filter(|p| !p.starts_with('{'))
            .map(str::to_owned);
        let namespaced = path.contains("/namespaces/{namespace}/");
        let entry = out
            .entry(Gvk::new(group, version, kind))
            .or_insert((None, Scope::Cluster));
        if entry.0.is_none() {
            entry.0 = plural;
        }
        if namespaced {
            entry.1 = Scope::Namespaced;
        }
    }
    out
}

/// Load a bare schema (an `openAPIV3Schema` value) into its own arena.
pub fn load_schema(schema: &Value) -> (Arc<SchemaArena>, SchemaId) {
    let mut conv = Converter::new(None);
    let root = conv.convert(schema);
    conv.finish();
    let mut arena = conv.arena;
    arena.object_meta = Some(import_object_meta(&mut arena));
    (Arc::new(arena), root)
}

fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// CRD schemas may leave out `apiVersion`, `kind` and `metadata`: the API server
/// supplies them. Declare them so that hover, completion and unknown-field checks know
/// them; `metadata` gets our `ObjectMeta` (any constraints the CRD declared on it are
/// kept as a value validation).
fn add_implicit_root_fields(arena: &mut SchemaArena, root: SchemaId) {
    let meta = match arena.object_meta {
        Some(m) => m,
        None => {
            let m = import_object_meta(arena);
            arena.object_meta = Some(m);
            m
        }
    };
    let api_version = arena.push(Schema {
        ty: Some(SchemaType::String),
        description: Some(
            "Group and version of the schema this object follows (`group/version`, or `v1` for the core group)."
                .into(),
        ),
        ..Schema::default()
    });
    let kind = arena.push(Schema {
        ty: Some(SchemaType::String),
        description: Some("The kind of object (CamelCase).".into()),
        ..Schema::default()
    });
    let declared_meta = arena.get(root).properties.get("metadata").copied();
    let meta = match declared_meta {
        Some(declared) if declared != meta => {
            let mut merged = arena.get(meta).clone();
            merged.all_of.push(declared);
            arena.push(merged)
        }
        _ => meta,
    };
    let Some(node) = arena.nodes.get_mut(root.index()) else {
        return;
    };
    if node.ty.is_none() && node.properties.is_empty() {
        return;
    }
    node.properties
        .entry("apiVersion".into())
        .or_insert(api_version);
    node.properties.entry("kind".into()).or_insert(kind);
    node.properties.insert("metadata".into(), meta);
}

/// Our `ObjectMeta` (see `builtin/objectmeta.json`), copied into `arena`.
pub(crate) fn import_object_meta(arena: &mut SchemaArena) -> SchemaId {
    static META: OnceLock<Value> = OnceLock::new();
    let meta = META.get_or_init(|| {
        serde_json::from_str(include_str!("../builtin/objectmeta.json")).unwrap_or(Value::Null)
    });
    let mut conv = Converter::new(None);
    conv.arena = std::mem::take(arena);
    let id = conv.convert(meta);
    conv.finish();
    *arena = conv.arena;
    id
}

/// Turns JSON schema values into arena nodes. `$ref`s are interned by component name and
/// converted once (so recursion is a cycle of ids, never infinite expansion).
struct Converter<'a> {
    arena: SchemaArena,
    components: Option<&'a Map<String, Value>>,
    interned: HashMap<String, SchemaId>,
    queue: Vec<(String, SchemaId)>,
    /// Nodes that are "this other schema, plus my description/default".
    aliases: Vec<(SchemaId, SchemaId)>,
}

impl<'a> Converter<'a> {
    fn new(components: Option<&'a Map<String, Value>>) -> Self {
        Self {
            arena: SchemaArena::default(),
            components,
            interned: HashMap::new(),
            queue: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// The id a component will have; converted later by [`Self::drain`].
    fn intern(&mut self, name: &str) -> SchemaId {
        if let Some(id) = self.interned.get(name) {
            return *id;
        }
        let id = self.arena.push(Schema::default());
        self.interned.insert(name.to_owned(), id);
        self.queue.push((name.to_owned(), id));
        id
    }

    fn drain(&mut self) {
        while let Some((name, id)) = self.queue.pop() {
            let Some(value) = self.components.and_then(|c| c.get(&name)) else {
                continue;
            };
            let mut schema = self.build(value);
            // Quantities are strings with a grammar the API server enforces.
            if name == QUANTITY && schema.format.is_none() {
                schema.format = Some("quantity".into());
            }
            if let Some(slot) = self.arena.nodes.get_mut(id.index()) {
                *slot = schema;
            }
        }
    }

    fn convert(&mut self, value: &Value) -> SchemaId {
        if let Some(r) = value.get("$ref").and_then(Value::as_str) {
            return self.reference(r);
        }
        // `allOf: [{$ref}]` next to a description/default: the Kubernetes OpenAPI way of
        // annotating a reference. Keep the annotations, take the structure from the target.
        if let Some(target) = single_ref_all_of(value) {
            let target = self.reference(target);
            let mut own = value.clone();
            if let Some(o) = own.as_object_mut() {
                o.remove("allOf");
            }
            let schema = self.build(&own);
            let id = self.arena.push(schema);
            self.aliases.push((id, target));
            return id;
        }
        let schema = self.build(value);
        self.arena.push(schema)
    }

    fn reference(&mut self, r: &str) -> SchemaId {
        let name = r
            .strip_prefix("#/components/schemas/")
            .or_else(|| r.strip_prefix("#/definitions/"))
            .unwrap_or(r);
        // JSON pointer escapes in component names.
        let name = name.replace("~1", "/").replace("~0", "~");
        self.intern(&name)
    }

    fn build(&mut self, value: &Value) -> Schema {
        let Some(o) = value.as_object() else {
            // `true`/`false` schemas and junk: permissive.
            return Schema::default();
        };
        let mut s = Schema::default();
        match o.get("type") {
            Some(Value::String(t)) => s.ty = SchemaType::parse(t),
            Some(Value::Array(ts)) => {
                for t in ts.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        s.nullable = true;
                    } else if s.ty.is_none() {
                        s.ty = SchemaType::parse(t);
                    }
                }
            }
            _ => {}
        }
        s.nullable |= flag(o, "nullable");
        s.description = o
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        s.default = o.get("default").cloned();
        s.format = o.get("format").and_then(Value::as_str).map(str::to_owned);
        s.enumeration = o.get("enum").and_then(Value::as_array).cloned();
        if let Some(props) = o.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                let id = self.convert(p);
                s.properties.insert(name.clone(), id);
            }
        }
        if let Some(req) = o.get("required").and_then(Value::as_array) {
            s.required = req
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        s.additional_properties = match o.get("additionalProperties") {
            Some(Value::Bool(true)) => Additional::Allowed,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(v @ Value::Object(_)) => Additional::Schema(self.convert(v)),
            _ => Additional::Unspecified,
        };
        s.preserve_unknown_fields = flag(o, "x-kubernetes-preserve-unknown-fields");
        s.embedded_resource = flag(o, "x-kubernetes-embedded-resource");
        s.int_or_string =
            flag(o, "x-kubernetes-int-or-string") || s.format.as_deref() == Some("int-or-string");
        s.min_properties = uint(o, "minProperties");
        s.max_properties = uint(o, "maxProperties");
        s.items = match o.get("items") {
            Some(v @ Value::Object(_)) => Some(self.convert(v)),
            Some(Value::Array(list)) => list.first().map(|v| self.convert(v)),
            _ => None,
        };
        s.min_items = uint(o, "minItems");
        s.max_items = uint(o, "maxItems");
        s.unique_items = flag(o, "uniqueItems");
        s.list_type = match o.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("atomic") => Some(ListType::Atomic),
            Some("set") => Some(ListType::Set),
            Some("map") => Some(ListType::Map),
            _ => None,
        };
        if let Some(keys) = o
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
        {
            s.list_map_keys = keys
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        s.min_length = uint(o, "minLength");
        s.max_length = uint(o, "maxLength");
        if let Some(p) = o.get("pattern").and_then(Value::as_str) {
            s.pattern = Some(Pattern {
                source: p.to_owned(),
                // Patterns come from untrusted documents: cap the compiled size.
                regex: RegexBuilder::new(p).size_limit(1 << 20).build().ok(),
            });
        }
        s.minimum = o.get("minimum").and_then(Value::as_f64);
        s.maximum = o.get("maximum").and_then(Value::as_f64);
        match o.get("exclusiveMinimum") {
            Some(Value::Bool(b)) => s.exclusive_minimum = *b,
            Some(Value::Number(n)) => {
                s.minimum = n.as_f64();
                s.exclusive_minimum = true;
            }
            _ => {}
        }
        match o.get("exclusiveMaximum") {
            Some(Value::Bool(b)) => s.exclusive_maximum = *b,
            Some(Value::Number(n)) => {
                s.maximum = n.as_f64();
                s.exclusive_maximum = true;
            }
            _ => {}
        }
        s.multiple_of = o
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0);
        for (key, list) in [("allOf", 0), ("anyOf", 1), ("oneOf", 2)] {
            let Some(items) = o.get(key).and_then(Value::as_array) else {
                continue;
            };
            let ids: Vec<SchemaId> = items.iter().map(|v| self.convert(v)).collect();
            match list {
                0 => s.all_of = ids,
                1 => s.any_of = ids,
                _ => s.one_of = ids,
            }
        }
        if let Some(n @ Value::Object(_)) = o.get("not") {
            s.not = Some(self.convert(n));
        }
        if let Some(rules) = o.get("x-kubernetes-validations").and_then(Value::as_array) {
            s.validations = rules.iter().filter_map(validation_rule).collect();
        }
        s.server_only_severity = o
            .get("x-koreo-severity")
            .and_then(Value::as_str)
            .and_then(severity);
        self.fold_type_union(&mut s);
        s
    }

    /// `oneOf`/`anyOf` made only of `{type: X}` branches, on a node without a type, is a
    /// type union: check it as such, with a clear message, instead of as junctors.
    fn fold_type_union(&self, s: &mut Schema) {
        if s.ty.is_some() {
            return;
        }
        for list in [&mut s.one_of, &mut s.any_of] {
            if list.is_empty() {
                continue;
            }
            let types: Option<Vec<SchemaType>> = list
                .iter()
                .map(|id| {
                    let b = self.arena.get(*id);
                    let only_type = b.ty.is_some()
                        && b.properties.is_empty()
                        && b.items.is_none()
                        && b.format.is_none()
                        && b.enumeration.is_none()
                        && b.pattern.is_none()
                        && b.validations.is_empty()
                        && b.all_of.is_empty()
                        && b.any_of.is_empty()
                        && b.one_of.is_empty()
                        && b.not.is_none()
                        && b.minimum.is_none()
                        && b.maximum.is_none()
                        && b.min_length.is_none()
                        && b.max_length.is_none();
                    only_type.then_some(b.ty).flatten()
                })
                .collect();
            if let Some(types) = types {
                list.clear();
                if types.len() == 2
                    && types.contains(&SchemaType::Integer)
                    && types.contains(&SchemaType::String)
                {
                    s.int_or_string = true;
                } else {
                    s.type_union = types;
                }
            }
        }
    }

    /// Resolve alias nodes: copy the target's structure under the alias's annotations.
    fn finish(&mut self) {
        self.drain();
        let aliases: HashMap<SchemaId, SchemaId> = self.aliases.iter().copied().collect();
        let mut done = HashSet::new();
        for (id, _) in std::mem::take(&mut self.aliases) {
            self.merge_alias(id, &aliases, &mut done, 0);
        }
    }

    fn merge_alias(
        &mut self,
        id: SchemaId,
        aliases: &HashMap<SchemaId, SchemaId>,
        done: &mut HashSet<SchemaId>,
        depth: usize,
    ) {
        // A chain of pure aliases longer than this is a cycle: leave it permissive.
        if depth > 32 || !done.insert(id) {
            return;
        }
        let Some(&target) = aliases.get(&id) else {
            return;
        };
        if aliases.contains_key(&target) {
            self.merge_alias(target, aliases, done, depth + 1);
        }
        let own = self.arena.get(id).clone();
        let mut merged = self.arena.get(target).clone();
        if own.has_structure() {
            // The alias adds constraints of its own: keep both.
            let mut own = own;
            own.all_of.push(target);
            merged = own;
        } else {
            if own.description.is_some() {
                merged.description = own.description;
            }
            if own.default.is_some() {
                merged.default = own.default;
            }
            merged.nullable |= own.nullable;
            merged.validations.extend(own.validations);
            if own.list_type.is_some() {
                merged.list_type = own.list_type;
                merged.list_map_keys = own.list_map_keys;
            }
        }
        if let Some(slot) = self.arena.nodes.get_mut(id.index()) {
            *slot = merged;
        }
    }
}

fn single_ref_all_of(value: &Value) -> Option<&str> {
    let o = value.as_object()?;
    let all_of = o.get("allOf")?.as_array()?;
    if all_of.len() != 1 {
        return None;
    }
    all_of[0].get("$ref")?.as_str()
}

fn flag(o: &Map<String, Value>, key: &str) -> bool {
    o.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn uint(o: &Map<String, Value>, key: &str) -> Option<u64> {
    let v = o.get(key)?;
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.is_finite())
            .map(|f| f as u64)
    })
}

fn validation_rule(v: &Value) -> Option<ValidationRule> {
    let o = v.as_object()?;
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(ValidationRule {
        rule: text("rule")?,
        message: text("message"),
        message_expression: text("messageExpression"),
        field_path: text("fieldPath"),
        reason: text("reason"),
        severity: o
            .get("x-koreo-severity")
            .and_then(Value::as_str)
            .and_then(severity)
            .unwrap_or(Severity::Error),
    })
}

fn severity(s: &str) -> Option<Severity> {
    Some(match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "information" => Severity::Information,
        "hint" => Severity::Hint,
        _ => return None,
    })
}
