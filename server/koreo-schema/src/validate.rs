//! The validator: walks a YAML value tree against a structural schema and reports every
//! problem at the offending range.
//!
//! Severity follows what a Kubernetes API server does with the object:
//! * rejected (wrong type, missing required field, enum, limits, formats, failed CEL rule,
//!   `additionalProperties: false`) → error;
//! * accepted but changed (an unknown field under a structural schema is pruned; `null`
//!   on a non-nullable field of a CRD is pruned, and the default applies) → warning. With
//!   `kubectl apply`'s default strict field validation an unknown field is rejected
//!   instead, which the message says. Built-in (Go) types read `null` as the zero value,
//!   so there it is not reported at all.

use koreo_syntax::yaml::{Entry, NodeKind, ResolveRules, Resolved, ScalarStyle, Severity};
use koreo_syntax::{Node, TextRange};
use serde_json::{Map, Value};

use crate::formats;
use crate::model::{
    Additional, ListType, PathSegment, Schema, SchemaArena, SchemaId, SchemaType, format_path,
};
use crate::rules::{self, RuleVerdict};
use crate::value::{
    contains_expression, is_expression, key_text, map_get, node_to_json, resolve_node,
    resolved_to_json,
};
use crate::view::{SchemaView, render};

/// How to treat Koreo Expressions (`=`-prefixed strings) in the validated tree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExpressionMode {
    /// The tree is sent as written (a Koreo resource itself, a CRD instance): an
    /// expression is just a string, and a string where the schema wants a number is an
    /// error.
    #[default]
    Literal,
    /// The tree is a template evaluated later (a ResourceFunction's `resource`, an
    /// overlay): an expression may produce any value, so it matches any schema, and rules
    /// over subtrees holding expressions are skipped (except rules about expressions
    /// themselves, i.e. rules mentioning `'='`).
    Dynamic,
}

/// Options of one validation.
#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    pub expressions: ExpressionMode,
    /// The value is a fragment completed elsewhere (an overlay merged onto a resource, a
    /// template whose identity is forced): missing required fields and presence
    /// alternatives (`oneOf`/`anyOf` of `required`) of mappings are not reported. Items of
    /// lists are still checked in full, since a list always replaces wholesale.
    pub partial: bool,
}

/// One problem found by the validator.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDiagnostic {
    /// Byte range in the file: the value for type and value problems, the key for unknown
    /// fields, the parent's key for missing fields and other mapping-level problems.
    pub range: TextRange,
    pub severity: Severity,
    /// Stable kebab-case id (`schema-type`, `schema-required`, `schema-unknown-field`, ...).
    pub code: &'static str,
    pub message: String,
    /// Where in the document (`spec.steps[1].label`).
    pub path: String,
    /// Replacement text for `range` that fixes the problem (a did-you-mean key or value,
    /// a quoted scalar), for quick fixes.
    pub suggestion: Option<String>,
}

/// Validate `node` against `schema`; every problem is reported, in document order.
pub fn validate(
    schema: SchemaView<'_>,
    node: &Node,
    options: &ValidateOptions,
) -> Vec<SchemaDiagnostic> {
    let mut walker = Walker::new(schema.arena(), options, false, Vec::new());
    let site = Site {
        anchor: anchor_of(node),
        required: false,
    };
    walker.walk(node, schema.id(), site);
    // The walk reports a container's problems after its children's; users read top-down.
    walker.out.sort_by_key(|d| d.range.start());
    walker.out
}

/// Deeper than this, the tree is not validated further (the parser bounds nesting; this
/// keeps recursive schemas and junctor chains from overflowing the stack).
const MAX_DEPTH: usize = 200;

#[derive(Clone, Copy)]
struct Site {
    /// Where problems of a mapping or list as a whole are reported.
    anchor: TextRange,
    /// The parent lists this field as required (and reports it when null).
    required: bool,
}

/// The range that stands for a node as a whole: the first key of a mapping (a mapping
/// spans many lines; underlining all of it is noise), the node itself otherwise.
fn anchor_of(node: &Node) -> TextRange {
    match &node.kind {
        NodeKind::Map(entries) => entries.first().map_or(node.range, |e| e.key.range),
        _ => node.range,
    }
}

/// A scalar resolved the Kubernetes way, or a container.
enum Val<'n> {
    Null,
    Bool(bool),
    Int(i64),
    Big(String),
    Float(f64),
    Str(String),
    Map(&'n [Entry]),
    Seq(&'n [Node]),
}

fn classify(node: &Node) -> Val<'_> {
    match &node.kind {
        NodeKind::Map(e) => Val::Map(e),
        NodeKind::Seq(i) => Val::Seq(i),
        NodeKind::Scalar(_) => match resolve_node(node, ResolveRules::Kubernetes) {
            Some(Resolved::Null) | None => Val::Null,
            Some(Resolved::Bool(b)) => Val::Bool(b),
            Some(Resolved::Int(i)) => Val::Int(i),
            Some(Resolved::BigInt(t)) => Val::Big(t),
            Some(Resolved::Float(f)) => Val::Float(f),
            Some(Resolved::Str(s) | Resolved::Date(s) | Resolved::DateTime(s)) => Val::Str(s),
        },
    }
}

fn is_null(node: &Node) -> bool {
    matches!(classify(node), Val::Null)
}

fn found_label(v: &Val<'_>) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "a boolean",
        Val::Int(_) | Val::Big(_) => "an integer",
        Val::Float(_) => "a number",
        Val::Str(_) => "a string",
        Val::Map(_) => "an object",
        Val::Seq(_) => "a list",
    }
}

fn type_label(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Object => "an object",
        SchemaType::Array => "a list",
        SchemaType::String => "a string",
        SchemaType::Integer => "an integer",
        SchemaType::Number => "a number",
        SchemaType::Boolean => "a boolean",
    }
}

fn expected_label(s: &Schema) -> String {
    if s.int_or_string {
        return "an integer or a string".into();
    }
    if !s.type_union.is_empty() {
        return or_list(
            s.type_union
                .iter()
                .map(|t| type_label(*t).to_owned())
                .collect(),
        );
    }
    s.ty.map(type_label).unwrap_or("any value").into()
}

fn matches_type(t: SchemaType, v: &Val<'_>) -> bool {
    match t {
        SchemaType::Object => matches!(v, Val::Map(_)),
        SchemaType::Array => matches!(v, Val::Seq(_)),
        SchemaType::String => matches!(v, Val::Str(_)),
        // JSON has one number type: 3.0 is the integer 3 once it reaches the server.
        SchemaType::Integer => match v {
            Val::Int(_) | Val::Big(_) => true,
            Val::Float(f) => f.fract() == 0.0 && f.is_finite(),
            _ => false,
        },
        SchemaType::Number => matches!(v, Val::Int(_) | Val::Big(_) | Val::Float(_)),
        SchemaType::Boolean => matches!(v, Val::Bool(_)),
    }
}

fn type_ok(s: &Schema, v: &Val<'_>) -> bool {
    if s.int_or_string {
        return matches_type(SchemaType::Integer, v) || matches_type(SchemaType::String, v);
    }
    if !s.type_union.is_empty() {
        return s.type_union.iter().any(|t| matches_type(*t, v));
    }
    s.ty.is_none_or(|t| matches_type(t, v))
}

fn accepts_string(s: &Schema) -> bool {
    s.int_or_string
        || s.type_union.contains(&SchemaType::String)
        || s.ty.is_none_or(|t| t == SchemaType::String)
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn or_list(items: Vec<String>) -> String {
    join_list(items, "or")
}

fn join_list(mut items: Vec<String>, word: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} {word} {last}", items.join(", "))
        }
    }
}

fn ticked<'s>(names: impl IntoIterator<Item = &'s str>) -> Vec<String> {
    names.into_iter().map(|n| format!("`{n}`")).collect()
}

/// A number as a person writes it (`3`, not `3.0`).
fn num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = if c.to_lowercase() == lower {
            2.0
        } else {
            strsim::jaro_winkler(word, c).max(strsim::normalized_damerau_levenshtein(word, c))
        };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

struct Walker<'a> {
    arena: &'a SchemaArena,
    options: &'a ValidateOptions,
    /// Inside an `anyOf`/`oneOf`/`not` alternative: only errors count, and the
    /// alternative does not decide which fields exist.
    branch: bool,
    /// Missing required fields are tolerated (partial mode, outside list items).
    partial: bool,
    path: Vec<PathSegment>,
    out: Vec<SchemaDiagnostic>,
    depth: usize,
    /// In an alternative: the structural schema it applies to. Alternatives only restate
    /// constraints; whether a field is nullable is declared there.
    context: Option<SchemaId>,
}

impl<'a> Walker<'a> {
    fn new(
        arena: &'a SchemaArena,
        options: &'a ValidateOptions,
        branch: bool,
        path: Vec<PathSegment>,
    ) -> Self {
        Self {
            arena,
            options,
            branch,
            partial: options.partial,
            path,
            out: Vec::new(),
            depth: 0,
            context: None,
        }
    }

    fn push(&mut self, range: TextRange, severity: Severity, code: &'static str, message: String) {
        self.push_fix(range, severity, code, message, None);
    }

    fn push_fix(
        &mut self,
        range: TextRange,
        severity: Severity,
        code: &'static str,
        message: String,
        suggestion: Option<String>,
    ) {
        if self.branch && severity != Severity::Error {
            return;
        }
        self.out.push(SchemaDiagnostic {
            range,
            severity,
            code,
            message,
            path: format_path(&self.path),
            suggestion,
        });
    }

    fn field_name(&self) -> String {
        match self.path.last() {
            Some(PathSegment::Key(k)) => format!("`{k}`"),
            Some(PathSegment::Index(i)) => format!("item {i}"),
            None => "the value".into(),
        }
    }

    fn walk(&mut self, node: &Node, id: SchemaId, site: Site) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_inner(node, id, site);
        self.depth -= 1;
    }

    fn walk_inner(&mut self, node: &Node, id: SchemaId, site: Site) {
        let arena = self.arena;
        let s = arena.get(id);
        if is_expression(node) {
            match self.options.expressions {
                ExpressionMode::Dynamic => {
                    if !self.branch {
                        self.rules(node, id, site, true);
                    }
                    return;
                }
                ExpressionMode::Literal if !accepts_string(s) => {
                    let message = format!(
                        "expected {}, found an expression: {} is sent as written, so `=...` stays a string here",
                        expected_label(s),
                        self.field_name()
                    );
                    self.push(node.range, Severity::Error, "schema-type", message);
                    return;
                }
                ExpressionMode::Literal => {}
            }
        }
        let val = classify(node);
        if let Val::Null = val {
            if !s.nullable && !site.required && !arena.native {
                let message = match &s.default {
                    Some(d) => format!(
                        "{} is null: the API server drops it and applies the default `{}`",
                        self.field_name(),
                        render(d)
                    ),
                    None => format!(
                        "{} is null: the API server drops it (the field is not nullable)",
                        self.field_name()
                    ),
                };
                self.push(node.range, Severity::Warning, "schema-null", message);
            }
            return;
        }
        if !type_ok(s, &val) {
            self.type_error(node, s, &val);
            return;
        }
        match &val {
            Val::Map(entries) => self.object(node, entries, s, site),
            Val::Seq(items) => self.array(items, s, site),
            _ => self.scalar(node, &val, s),
        }
        self.junctors(node, id, site);
        if !self.branch {
            self.rules(node, id, site, false);
        }
    }

    fn type_error(&mut self, node: &Node, s: &Schema, val: &Val<'_>) {
        let mut message = format!("expected {}, found {}", expected_label(s), found_label(val));
        let mut suggestion = None;
        if let NodeKind::Scalar(scalar) = &node.kind {
            let plain = scalar.style == ScalarStyle::Plain && node.tag.is_none();
            if accepts_string(s) && plain && !matches!(val, Val::Str(_)) {
                // YAML implicit typing: `1.20`, `yes`, `on`, `0755` are not strings.
                message.push_str(&format!(
                    "; the YAML scalar `{}` is read as {}: quote it to keep it a string",
                    scalar.text,
                    found_label(val)
                ));
                suggestion = Some(format!("{:?}", scalar.text));
            } else if let Val::Str(text) = val {
                let retyped = resolve_plain(text);
                if let Some(r) = retyped.filter(|r| type_ok(s, r)) {
                    message.push_str(&format!(
                        "; write {text} without quotes to make it {}",
                        found_label(&r)
                    ));
                    suggestion = Some(text.clone());
                }
            }
        }
        self.push_fix(
            node.range,
            Severity::Error,
            "schema-type",
            message,
            suggestion,
        );
    }

    fn object(&mut self, node: &Node, entries: &[Entry], s: &Schema, site: Site) {
        let arena = self.arena;
        let mut distinct: Vec<&str> = Vec::with_capacity(entries.len());
        for e in entries {
            if let Some(k) = key_text(&e.key)
                && !distinct.contains(&k)
            {
                distinct.push(k);
            }
        }
        let count = distinct.len() as u64;
        if let Some(min) = s.min_properties
            && count < min
        {
            let message = format!(
                "{} needs at least {min} field{}, found {count}",
                self.field_name(),
                plural(min)
            );
            self.push(
                site.anchor,
                Severity::Error,
                "schema-min-properties",
                message,
            );
        }
        if let Some(max) = s.max_properties
            && count > max
        {
            let message = if max == 0 {
                format!(
                    "{} must be empty (`{{}}`), found {count} field{}",
                    self.field_name(),
                    plural(count)
                )
            } else {
                format!(
                    "{} allows at most {max} field{}, found {count}",
                    self.field_name(),
                    plural(max)
                )
            };
            self.push(
                site.anchor,
                Severity::Error,
                "schema-max-properties",
                message,
            );
        }

        let structural = s.ty == Some(SchemaType::Object) || !s.properties.is_empty();
        for e in entries {
            let Some(key) = key_text(&e.key) else {
                continue;
            };
            self.path.push(PathSegment::Key(key.to_owned()));
            let child_site = Site {
                anchor: e.key.range,
                required: s.required.iter().any(|r| r == key),
            };
            if let Some(&child) = s.properties.get(key) {
                self.walk(&e.value, child, child_site);
            } else if s.embedded_resource && (key == "apiVersion" || key == "kind") {
                if !is_expression(&e.value) || self.options.expressions == ExpressionMode::Literal {
                    let v = classify(&e.value);
                    if !matches!(v, Val::Str(_)) {
                        let message = format!("expected a string, found {}", found_label(&v));
                        self.push(e.value.range, Severity::Error, "schema-type", message);
                    }
                }
            } else if s.embedded_resource && key == "metadata" {
                if let Some(meta) = arena.object_meta() {
                    self.walk(&e.value, meta, child_site);
                }
            } else {
                match &s.additional_properties {
                    Additional::Schema(a) => self.walk(&e.value, *a, child_site),
                    Additional::Forbidden => self.unknown_field(e, key, s, Severity::Error),
                    Additional::Allowed => {}
                    Additional::Unspecified => {
                        if structural && !s.preserve_unknown_fields && !self.branch {
                            self.unknown_field(e, key, s, Severity::Warning);
                        }
                    }
                }
            }
            self.path.pop();
        }

        for r in &s.required {
            match map_get(node, r) {
                None => {
                    if !self.partial && !s.property_has_default(arena, r) {
                        let message = format!("missing required field `{r}`");
                        self.push(site.anchor, Severity::Error, "schema-required", message);
                    }
                }
                Some(e) if is_null(&e.value) => {
                    let declared = s.properties.get(r.as_str()).or_else(|| {
                        self.context
                            .and_then(|c| arena.get(c).properties.get(r.as_str()))
                    });
                    let child = declared.map(|id| arena.get(*id));
                    if child.is_none_or(|c| !c.nullable && c.default.is_none()) {
                        self.path.push(PathSegment::Key(r.clone()));
                        let message = format!("`{r}` is required and may not be null");
                        self.push(e.value.range, Severity::Error, "schema-required", message);
                        self.path.pop();
                    }
                }
                Some(_) => {}
            }
        }
        if s.embedded_resource && !self.partial {
            let missing: Vec<&str> = ["apiVersion", "kind"]
                .into_iter()
                .filter(|f| map_get(node, f).is_none() && !s.properties.contains_key(*f))
                .collect();
            if !missing.is_empty() {
                let message = match missing.as_slice() {
                    [one] => format!("missing required field `{one}`: an embedded resource needs `apiVersion` and `kind`"),
                    _ => "missing required fields `apiVersion` and `kind`: an embedded resource needs both".to_owned(),
                };
                let severity = s.server_only_severity.unwrap_or(Severity::Error);
                self.push(site.anchor, severity, "schema-required", message);
            }
        }
    }

    fn unknown_field(&mut self, e: &Entry, key: &str, s: &Schema, severity: Severity) {
        let mut known: Vec<&str> = s.properties.keys().map(String::as_str).collect();
        if s.embedded_resource {
            known.extend(["apiVersion", "kind", "metadata"]);
        }
        let suggestion = did_you_mean(key, known.iter().copied());
        let mut message = format!("unknown field `{key}`");
        match suggestion {
            Some(m) => message.push_str(&format!("; did you mean `{m}`?")),
            None if known.is_empty() => {}
            None => {
                let mut names = known.clone();
                names.sort_unstable();
                let more = names.len() > 12;
                names.truncate(12);
                let mut list = ticked(names).join(", ");
                if more {
                    list.push_str(", …");
                }
                message.push_str(&format!("; expected one of {list}"));
            }
        }
        if severity == Severity::Error {
            message.push_str(if known.is_empty() {
                " (no fields are allowed here)"
            } else {
                " (no other fields are allowed here)"
            });
        } else {
            message.push_str(" (the API server drops it; `kubectl apply` rejects it)");
        }
        self.push_fix(
            e.key.range,
            severity,
            "schema-unknown-field",
            message,
            suggestion.map(str::to_owned),
        );
    }

    fn array(&mut self, items: &[Node], s: &Schema, site: Site) {
        let n = items.len() as u64;
        if let Some(min) = s.min_items
            && n < min
        {
            let message = format!(
                "{} needs at least {min} item{}, found {n}",
                self.field_name(),
                plural(min)
            );
            self.push(site.anchor, Severity::Error, "schema-min-items", message);
        }
        if let Some(max) = s.max_items
            && n > max
        {
            let message = format!(
                "{} allows at most {max} item{}, found {n}",
                self.field_name(),
                plural(max)
            );
            self.push(site.anchor, Severity::Error, "schema-max-items", message);
        }
        if let Some(item_schema) = s.items {
            let was_partial = self.partial;
            self.partial = false;
            for (i, item) in items.iter().enumerate() {
                self.path.push(PathSegment::Index(i));
                let item_site = Site {
                    anchor: anchor_of(item),
                    required: false,
                };
                self.walk(item, item_schema, item_site);
                self.path.pop();
            }
            self.partial = was_partial;
        }
        match s.list_type {
            Some(ListType::Map) if !s.list_map_keys.is_empty() => self.unique_map_keys(items, s),
            Some(ListType::Set) => self.unique_items(items, s),
            _ if s.unique_items => self.unique_items(items, s),
            _ => {}
        }
    }

    fn dynamic(&self, node: &Node) -> bool {
        self.options.expressions == ExpressionMode::Dynamic && contains_expression(node)
    }

    fn unique_items(&mut self, items: &[Node], s: &Schema) {
        let severity = s.server_only_severity.unwrap_or(Severity::Error);
        let mut seen: Vec<(Value, usize)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if self.dynamic(item) {
                continue;
            }
            let v = node_to_json(item, ResolveRules::Kubernetes);
            if let Some((_, first)) = seen.iter().find(|(x, _)| json_eq(x, &v)) {
                self.path.push(PathSegment::Index(i));
                let message = format!(
                    "duplicate item `{}` (already at index {first}): items of this list must be unique",
                    render(&v)
                );
                self.push(item.range, severity, "schema-duplicate-item", message);
                self.path.pop();
            } else {
                seen.push((v, i));
            }
        }
    }

    fn unique_map_keys(&mut self, items: &[Node], s: &Schema) {
        let arena = self.arena;
        let severity = s.server_only_severity.unwrap_or(Severity::Error);
        let item_schema = s.items.map(|id| arena.get(id));
        let mut seen: Vec<(Vec<Value>, usize)> = Vec::new();
        'items: for (i, item) in items.iter().enumerate() {
            if !matches!(item.kind, NodeKind::Map(_)) {
                continue;
            }
            let mut key = Vec::with_capacity(s.list_map_keys.len());
            let mut blame = item.range;
            for (k_idx, k) in s.list_map_keys.iter().enumerate() {
                let value = match map_get(item, k) {
                    Some(e) => {
                        if self.dynamic(&e.value) {
                            continue 'items;
                        }
                        if k_idx == 0 {
                            blame = e.value.range;
                        }
                        node_to_json(&e.value, ResolveRules::Kubernetes)
                    }
                    // A missing key takes its default (e.g. a port's protocol is TCP).
                    None => match item_schema
                        .and_then(|is| is.properties.get(k.as_str()))
                        .and_then(|id| arena.get(*id).default.clone())
                    {
                        Some(d) => d,
                        None => continue 'items,
                    },
                };
                key.push(value);
            }
            if let Some((_, first)) = seen.iter().find(|(x, _)| {
                x.len() == key.len() && x.iter().zip(&key).all(|(a, b)| json_eq(a, b))
            }) {
                self.path.push(PathSegment::Index(i));
                let pairs: Vec<String> = s
                    .list_map_keys
                    .iter()
                    .zip(&key)
                    .map(|(k, v)| format!("{k}: {}", render(v)))
                    .collect();
                let keys = join_list(ticked(s.list_map_keys.iter().map(String::as_str)), "and");
                let message = format!(
                    "duplicate item: `{}` is already used at index {first} (items of this list are keyed by {keys})",
                    pairs.join(", ")
                );
                self.push(blame, severity, "schema-duplicate-item", message);
                self.path.pop();
            } else {
                seen.push((key, i));
            }
        }
    }

    fn scalar(&mut self, node: &Node, val: &Val<'_>, s: &Schema) {
        if let Some(values) = &s.enumeration {
            let json = val_to_json(val);
            if !values.iter().any(|v| json_eq(v, &json)) {
                let allowed: Vec<String> =
                    values.iter().map(|v| format!("`{}`", render(v))).collect();
                let suggestion = match val {
                    Val::Str(text) => did_you_mean(text, values.iter().filter_map(Value::as_str))
                        .map(str::to_owned),
                    _ => None,
                };
                let mut message = format!(
                    "`{}` is not an allowed value; expected {}",
                    render(&json),
                    or_list(allowed)
                );
                if let Some(sug) = &suggestion {
                    message.push_str(&format!(" (did you mean `{sug}`?)"));
                }
                self.push_fix(
                    node.range,
                    Severity::Error,
                    "schema-enum",
                    message,
                    suggestion,
                );
            }
        }
        match val {
            Val::Str(text) => self.string(node, text, s),
            Val::Int(i) => self.number(node, *i as f64, Some(*i), s),
            Val::Float(f) => self.number(node, *f, None, s),
            Val::Big(text) => {
                let message = format!("`{text}` does not fit in a 64-bit integer");
                self.push(node.range, Severity::Error, "schema-format", message);
            }
            _ => {}
        }
    }

    fn string(&mut self, node: &Node, text: &str, s: &Schema) {
        let len = text.chars().count() as u64;
        if let Some(min) = s.min_length
            && len < min
        {
            let message = format!(
                "{} must be at least {min} character{} long, found {len}",
                self.field_name(),
                plural(min)
            );
            self.push(node.range, Severity::Error, "schema-min-length", message);
        }
        if let Some(max) = s.max_length
            && len > max
        {
            let message = format!(
                "{} must be at most {max} character{} long, found {len}",
                self.field_name(),
                plural(max)
            );
            self.push(node.range, Severity::Error, "schema-max-length", message);
        }
        if let Some(p) = &s.pattern
            && let Some(re) = &p.regex
            && !re.is_match(text)
        {
            let message = format!("`{text}` does not match the pattern `{}`", p.source);
            self.push(node.range, Severity::Error, "schema-pattern", message);
        }
        if let Some(f) = &s.format
            && let Some(expected) = formats::check(f, text)
        {
            let message = format!("`{text}` is not {expected}");
            self.push(node.range, Severity::Error, "schema-format", message);
        }
    }

    fn number(&mut self, node: &Node, f: f64, int: Option<i64>, s: &Schema) {
        if let Some(min) = s.minimum {
            let bad = if s.exclusive_minimum {
                f <= min
            } else {
                f < min
            };
            if bad {
                let rel = if s.exclusive_minimum {
                    "greater than"
                } else {
                    "at least"
                };
                let message = format!(
                    "{} must be {rel} {}, found {}",
                    self.field_name(),
                    num(min),
                    num(f)
                );
                self.push(node.range, Severity::Error, "schema-minimum", message);
            }
        }
        if let Some(max) = s.maximum {
            let bad = if s.exclusive_maximum {
                f >= max
            } else {
                f > max
            };
            if bad {
                let rel = if s.exclusive_maximum {
                    "less than"
                } else {
                    "at most"
                };
                let message = format!(
                    "{} must be {rel} {}, found {}",
                    self.field_name(),
                    num(max),
                    num(f)
                );
                self.push(node.range, Severity::Error, "schema-maximum", message);
            }
        }
        if let Some(m) = s.multiple_of {
            let q = f / m;
            if (q - q.round()).abs() > 1e-9 {
                let message = format!(
                    "{} must be a multiple of {}, found {}",
                    self.field_name(),
                    num(m),
                    num(f)
                );
                self.push(node.range, Severity::Error, "schema-multiple-of", message);
            }
        }
        if s.format.as_deref() == Some("int32") {
            let v = int.unwrap_or(f as i64);
            if i32::try_from(v).is_err() || f.abs() > i64::MAX as f64 {
                let message = format!("`{}` does not fit in a 32-bit integer (int32)", num(f));
                self.push(node.range, Severity::Error, "schema-format", message);
            }
        }
    }

    fn junctors(&mut self, node: &Node, id: SchemaId, site: Site) {
        let arena = self.arena;
        let s = arena.get(id);
        for b in &s.all_of {
            let errors = self.branch_errors(node, *b, id, site);
            self.out.extend(errors);
        }
        let presence_only = matches!(node.kind, NodeKind::Map(_));
        if self.partial && presence_only {
            return;
        }
        if !s.any_of.is_empty() {
            let results: Vec<Vec<SchemaDiagnostic>> = s
                .any_of
                .iter()
                .map(|b| self.branch_errors(node, *b, id, site))
                .collect();
            if results.iter().all(|r| !r.is_empty()) {
                let message = match required_only_names(arena, &s.any_of) {
                    Some(names) => format!(
                        "at least one of {} is required",
                        or_list(ticked(names.iter().map(String::as_str)))
                    ),
                    None => format!(
                        "{} does not match any of the allowed alternatives ({})",
                        self.field_name(),
                        closest(&results)
                    ),
                };
                self.push(site.anchor, Severity::Error, "schema-any-of", message);
            }
        }
        if !s.one_of.is_empty() {
            let results: Vec<Vec<SchemaDiagnostic>> = s
                .one_of
                .iter()
                .map(|b| self.branch_errors(node, *b, id, site))
                .collect();
            let matched: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, r)| r.is_empty())
                .map(|(i, _)| i)
                .collect();
            match (matched.len(), required_only_names(arena, &s.one_of)) {
                (1, _) => {}
                (0, Some(names)) => {
                    let message = format!(
                        "one of {} is required",
                        or_list(ticked(names.iter().map(String::as_str)))
                    );
                    self.push(site.anchor, Severity::Error, "schema-one-of", message);
                }
                (_, Some(names)) => {
                    let present: Vec<&str> = matched
                        .iter()
                        .filter_map(|i| names.get(*i))
                        .map(String::as_str)
                        .collect();
                    let all = join_list(ticked(names.iter().map(String::as_str)), "or");
                    for extra in present.iter().skip(1) {
                        let range = map_get(node, extra).map_or(site.anchor, |e| e.key.range);
                        let message = format!(
                            "`{extra}` cannot be combined with `{}`: give exactly one of {all}",
                            present[0]
                        );
                        self.push(range, Severity::Error, "schema-one-of", message);
                    }
                }
                (0, None) => {
                    let message = format!(
                        "{} does not match any of the allowed alternatives ({})",
                        self.field_name(),
                        closest(&results)
                    );
                    self.push(site.anchor, Severity::Error, "schema-one-of", message);
                }
                (n, None) => {
                    let message = format!(
                        "{} matches {n} alternatives, but exactly one is allowed",
                        self.field_name()
                    );
                    self.push(site.anchor, Severity::Error, "schema-one-of", message);
                }
            }
        }
        if let Some(n) = s.not
            && self.branch_errors(node, n, id, site).is_empty()
        {
            let message = format!(
                "{} matches a shape that is not allowed here",
                self.field_name()
            );
            self.push(site.anchor, Severity::Error, "schema-not", message);
        }
    }

    /// The errors `node` would have against alternative `id` (empty: it matches).
    fn branch_errors(
        &mut self,
        node: &Node,
        id: SchemaId,
        context: SchemaId,
        site: Site,
    ) -> Vec<SchemaDiagnostic> {
        let mut w = Walker::new(self.arena, self.options, true, self.path.clone());
        w.partial = self.partial;
        w.depth = self.depth;
        w.context = if self.branch {
            self.context
        } else {
            Some(context)
        };
        w.walk(node, id, site);
        w.out
    }

    fn rules(&mut self, node: &Node, id: SchemaId, site: Site, expressions_only: bool) {
        let arena = self.arena;
        let s = arena.get(id);
        if s.validations.is_empty() {
            return;
        }
        let dynamic = self.dynamic(node);
        let mut self_value: Option<Value> = None;
        for rule in &s.validations {
            let about_expressions = rule.rule.contains("'='") || rule.rule.contains("\"=\"");
            if (expressions_only || dynamic) && !about_expressions {
                continue;
            }
            let value = self_value.get_or_insert_with(|| self_value_of(arena, node, id, 0));
            match rules::evaluate(&rule.rule, value) {
                RuleVerdict::Pass | RuleVerdict::Skipped => {}
                RuleVerdict::Fail => {
                    let message = rule
                        .message_expression
                        .as_deref()
                        .and_then(|m| rules::evaluate_message(m, value))
                        .or_else(|| rule.message.as_deref().map(|m| m.trim().to_owned()))
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| format!("failed rule: {}", rule.rule));
                    let scalar = matches!(node.kind, NodeKind::Scalar(_));
                    let default_range = if scalar { node.range } else { site.anchor };
                    let range = rule
                        .field_path
                        .as_deref()
                        .and_then(|p| locate_field_path(node, p))
                        .unwrap_or(default_range);
                    self.push(range, rule.severity, "schema-rule", message);
                }
                RuleVerdict::Error(e) => {
                    let range = if matches!(node.kind, NodeKind::Scalar(_)) {
                        node.range
                    } else {
                        site.anchor
                    };
                    let message = format!("could not check the rule `{}`: {e}", rule.rule);
                    self.push(range, Severity::Information, "schema-rule-error", message);
                }
            }
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The first message of the alternative with the fewest errors: the likeliest intent.
fn closest(results: &[Vec<SchemaDiagnostic>]) -> String {
    results
        .iter()
        .filter(|r| !r.is_empty())
        .min_by_key(|r| r.len())
        .and_then(|r| r.first())
        .map(|d| format!("closest: {}", d.message))
        .unwrap_or_default()
}

/// When every alternative is just `required: [name]`, the names (one per alternative).
fn required_only_names(arena: &SchemaArena, alternatives: &[SchemaId]) -> Option<Vec<String>> {
    alternatives
        .iter()
        .map(|id| {
            let b = arena.get(*id);
            let only_required = b.required.len() == 1
                && !b.has_structure()
                && b.validations.is_empty()
                && b.properties.is_empty();
            only_required.then(|| b.required[0].clone())
        })
        .collect()
}

/// Re-read a quoted string as a plain scalar (to suggest dropping the quotes).
fn resolve_plain(text: &str) -> Option<Val<'static>> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Val::Int(i));
    }
    if let Ok(f) = t.parse::<f64>()
        && f.is_finite()
    {
        return Some(Val::Float(f));
    }
    match t {
        "true" => Some(Val::Bool(true)),
        "false" => Some(Val::Bool(false)),
        _ => None,
    }
}

fn val_to_json(v: &Val<'_>) -> Value {
    match v {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Int(i) => Value::Number((*i).into()),
        Val::Big(t) => resolved_to_json(Resolved::BigInt(t.clone())),
        Val::Float(f) => resolved_to_json(Resolved::Float(*f)),
        Val::Str(s) => Value::String(s.clone()),
        Val::Map(_) | Val::Seq(_) => Value::Null,
    }
}

/// JSON equality with one number type (`1 == 1.0`), as on the API server.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// `self` for a rule: the value as the API server would hold it after pruning unknown
/// fields and nulls and applying defaults.
fn self_value_of(arena: &SchemaArena, node: &Node, id: SchemaId, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let s = arena.get(id);
    match &node.kind {
        NodeKind::Map(entries) => {
            let structural = (s.ty == Some(SchemaType::Object) || !s.properties.is_empty())
                && !s.preserve_unknown_fields;
            let mut m = Map::new();
            for e in entries {
                let Some(k) = key_text(&e.key) else { continue };
                let child = s
                    .properties
                    .get(k)
                    .copied()
                    .or(match &s.additional_properties {
                        Additional::Schema(a) => Some(*a),
                        _ => None,
                    });
                match child {
                    Some(c) => {
                        if is_null(&e.value) && !arena.get(c).nullable {
                            continue;
                        }
                        m.insert(k.to_owned(), self_value_of(arena, &e.value, c, depth + 1));
                    }
                    None if structural
                        && !s.embedded_resource
                        && !matches!(s.additional_properties, Additional::Allowed) => {}
                    None => {
                        m.insert(
                            k.to_owned(),
                            node_to_json(&e.value, ResolveRules::Kubernetes),
                        );
                    }
                }
            }
            for (name, pid) in &s.properties {
                if !m.contains_key(name)
                    && let Some(d) = &arena.get(*pid).default
                {
                    m.insert(name.clone(), d.clone());
                }
            }
            Value::Object(m)
        }
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| match s.items {
                    Some(iid) => self_value_of(arena, i, iid, depth + 1),
                    None => node_to_json(i, ResolveRules::Kubernetes),
                })
                .collect(),
        ),
        NodeKind::Scalar(_) => node_to_json(node, ResolveRules::Kubernetes),
    }
}

/// Find the node a rule's `fieldPath` (`.spec.replicas`, `.metadata['name']`, `.items[0]`)
/// points at; its key range when it is a mapping value.
fn locate_field_path(node: &Node, path: &str) -> Option<TextRange> {
    let mut cur = node;
    let mut range = None;
    let mut rest = path.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let (name, tail) = r.split_at(end);
            let e = map_get(cur, name)?;
            range = Some(e.key.range);
            cur = &e.value;
            rest = tail;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let (inner, tail) = r.split_at(end);
            rest = &tail[1..];
            let inner = inner.trim();
            if let Some(q) = inner.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')) {
                let e = map_get(cur, q)?;
                range = Some(e.key.range);
                cur = &e.value;
            } else {
                let i: usize = inner.parse().ok()?;
                let NodeKind::Seq(items) = &cur.kind else {
                    return None;
                };
                cur = items.get(i)?;
                range = Some(anchor_of(cur));
            }
        } else {
            return None;
        }
    }
    range
}
