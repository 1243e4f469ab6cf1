//! Read access to a schema node for hover and completion: descriptions, types, enums,
//! defaults, properties, and navigation by YAML path.

use serde_json::Value;

use crate::model::{Additional, PathSegment, Schema, SchemaArena, SchemaId, SchemaType};

/// A schema node together with its arena. Cheap to copy.
#[derive(Clone, Copy, Debug)]
pub struct SchemaView<'a> {
    arena: &'a SchemaArena,
    id: SchemaId,
}

/// One property of an object schema, as listed by [`SchemaView::properties`].
#[derive(Clone, Copy, Debug)]
pub struct PropertyView<'a> {
    pub name: &'a str,
    pub schema: SchemaView<'a>,
    pub required: bool,
}

impl<'a> SchemaView<'a> {
    /// A view of node `id` of `arena`.
    pub fn new(arena: &'a SchemaArena, id: SchemaId) -> Self {
        Self { arena, id }
    }

    /// The node itself.
    pub fn schema(&self) -> &'a Schema {
        self.arena.get(self.id)
    }

    /// Its id in the arena.
    pub fn id(&self) -> SchemaId {
        self.id
    }

    /// The arena it belongs to.
    pub fn arena(&self) -> &'a SchemaArena {
        self.arena
    }

    /// The field documentation, if any.
    pub fn description(&self) -> Option<&'a str> {
        self.schema().description.as_deref().map(str::trim)
    }

    /// The `default`, if any.
    pub fn default(&self) -> Option<&'a Value> {
        self.schema().default.as_ref()
    }

    /// Allowed values, if restricted.
    pub fn enum_values(&self) -> Option<&'a [Value]> {
        self.schema().enumeration.as_deref()
    }

    /// Names of the required properties.
    pub fn required(&self) -> &'a [String] {
        &self.schema().required
    }

    /// A short type label for hover: `integer (int32)`, `integer | string`,
    /// `list of object`, `map of string`, `object`, `any`.
    pub fn type_label(&self) -> String {
        self.type_label_depth(0)
    }

    fn type_label_depth(&self, depth: usize) -> String {
        let s = self.schema();
        let base = if s.int_or_string {
            "integer | string".to_owned()
        } else if !s.type_union.is_empty() {
            s.type_union
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        } else {
            match s.ty {
                Some(SchemaType::Array) => match self.items() {
                    Some(items) if depth < 4 => {
                        format!("list of {}", items.type_label_depth(depth + 1))
                    }
                    _ => "list".to_owned(),
                },
                Some(SchemaType::Object) => match &s.additional_properties {
                    Additional::Schema(v) if s.properties.is_empty() && depth < 4 => format!(
                        "map of {}",
                        SchemaView::new(self.arena, *v).type_label_depth(depth + 1)
                    ),
                    _ => "object".to_owned(),
                },
                Some(t) => t.as_str().to_owned(),
                None if s.embedded_resource || !s.properties.is_empty() => "object".to_owned(),
                None => "any".to_owned(),
            }
        };
        match (&s.format, s.int_or_string) {
            (Some(f), false) if !f.is_empty() => format!("{base} ({f})"),
            _ => base,
        }
    }

    /// The schema of property `name`, including the implicit `apiVersion`, `kind` and
    /// `metadata` of embedded resources, and `additionalProperties` map values.
    pub fn property(&self, name: &str) -> Option<SchemaView<'a>> {
        let s = self.schema();
        if let Some(id) = s.properties.get(name) {
            return Some(Self::new(self.arena, *id));
        }
        if s.embedded_resource && name == "metadata" {
            return self.arena.object_meta().map(|id| Self::new(self.arena, id));
        }
        match &s.additional_properties {
            Additional::Schema(id) => Some(Self::new(self.arena, *id)),
            _ => None,
        }
    }

    /// Declared properties in schema order, with whether each is required.
    pub fn properties(&self) -> impl Iterator<Item = PropertyView<'a>> + 'a {
        let s = self.schema();
        let arena = self.arena;
        s.properties.iter().map(move |(name, id)| PropertyView {
            name: name.as_str(),
            schema: SchemaView::new(arena, *id),
            required: s.required.iter().any(|r| r == name),
        })
    }

    /// The item schema of a list.
    pub fn items(&self) -> Option<SchemaView<'a>> {
        self.schema().items.map(|id| Self::new(self.arena, id))
    }

    /// True when keys not listed in [`Self::properties`] are accepted as-is.
    pub fn allows_unknown_fields(&self) -> bool {
        let s = self.schema();
        s.preserve_unknown_fields || matches!(s.additional_properties, Additional::Allowed)
    }

    /// One step down: a key of a mapping or an index of a list.
    pub fn child(&self, seg: &PathSegment) -> Option<SchemaView<'a>> {
        match seg {
            PathSegment::Key(k) => self.property(k),
            PathSegment::Index(_) => self.items(),
        }
    }

    /// Follow a path from this node (`["spec", "steps", 0, "label"]`).
    pub fn at_path(&self, path: &[PathSegment]) -> Option<SchemaView<'a>> {
        let mut cur = *self;
        for seg in path {
            cur = cur.child(seg)?;
        }
        Some(cur)
    }

    /// Markdown documentation of the node for hover: type, description, default and
    /// allowed values.
    pub fn markdown(&self) -> String {
        let mut out = format!("`{}`", self.type_label());
        if let Some(d) = self.description() {
            out.push_str("\n\n");
            out.push_str(d);
        }
        if let Some(d) = self.default() {
            out.push_str(&format!("\n\nDefault: `{d}`"));
        }
        if let Some(values) = self.enum_values() {
            let list: Vec<String> = values.iter().map(|v| format!("`{}`", render(v))).collect();
            out.push_str(&format!("\n\nOne of: {}", list.join(", ")));
        }
        out
    }
}

/// A JSON value as a user would write it in YAML (strings without quotes).
pub(crate) fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
