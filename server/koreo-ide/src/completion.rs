//! Completion: YAML keys and enum values from schemas, reference names, and CEL inside
//! `=` expressions (variables bound in the field, input keys, locals, step labels,
//! functions and macros).
//!
//! The cursor's place comes from the CST (`path_at`), so completion works while the YAML
//! is incomplete; values are read from the value tree when there is one.

use std::collections::HashSet;

use koreo_model::{Body, Item, Kind, Resource};
use koreo_syntax::yaml::{Node, ScalarStyle};
use koreo_syntax::{PathAt, PathSegment, PathTarget};
use text_size::{TextRange, TextSize};

use crate::FilePosition;
use crate::db::Db;

/// What a completion item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A YAML mapping key.
    Property,
    /// A fixed value (enum member, `kind`, `apiVersion`).
    EnumMember,
    /// The name of another Koreo resource.
    Reference,
    /// A CEL variable (`inputs`, a macro variable, ...).
    Variable,
    /// A field after `.` (`inputs.name`, `steps.config`).
    Field,
    /// A CEL or Koreo function.
    Function,
    /// A CEL macro (`has`, `map`, ...).
    Macro,
    /// `true`, `false`, `null`.
    Keyword,
}

/// One completion candidate, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and filters on).
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A one-line detail (type, signature, target kind).
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// The byte range the insert text replaces (it contains the cursor).
    pub range: TextRange,
    /// The text to insert.
    pub insert_text: String,
    /// `insert_text` is an LSP snippet (`$1`, `${1:x}`, `$0`).
    pub snippet: bool,
}

pub(crate) fn completions(db: &Db, pos: FilePosition) -> Vec<CompletionItem> {
    let Some(fa) = db.files.get(&pos.file) else {
        return Vec::new();
    };
    let Some(parsed) = fa.parsed() else {
        return Vec::new();
    };
    let text: &str = fa.text();
    let offset = pos.offset;
    if usize::from(offset) > text.len() || !text.is_char_boundary(offset.into()) {
        return Vec::new();
    }
    let Some(at) = parsed.path_at(text, offset) else {
        return Vec::new();
    };
    let doc = parsed.documents.get(at.document);
    let root = doc.and_then(|d| d.root.as_ref());
    let resource = match fa.items().get(at.document) {
        Some(Item::Resource(r)) => Some(&**r),
        _ => None,
    };
    let cx = Ctx {
        db,
        text,
        offset,
        root,
        resource,
        at: &at,
    };
    let mut out = Out::default();
    if at.target == PathTarget::Value
        && let Some(node) = root.and_then(|r| r.at_path(&at.path))
        && node.is_expression()
    {
        cx.cel(node, &mut out);
        return out.items;
    }
    cx.yaml(&mut out);
    out.items
}

/// Collects items, dropping duplicate labels (first wins).
#[derive(Default)]
struct Out {
    items: Vec<CompletionItem>,
    seen: HashSet<String>,
}

impl Out {
    fn push(&mut self, item: CompletionItem) {
        if self.seen.insert(item.label.clone()) {
            self.items.push(item);
        }
    }
}

struct Ctx<'a> {
    db: &'a Db,
    text: &'a str,
    offset: TextSize,
    root: Option<&'a Node>,
    resource: Option<&'a Resource>,
    at: &'a PathAt,
}

fn key(seg: &PathSegment) -> Option<&str> {
    match seg {
        PathSegment::Key(k) => Some(k),
        PathSegment::Index(_) => None,
    }
}

fn schema_path(path: &[PathSegment]) -> Vec<koreo_schema::PathSegment> {
    path.iter()
        .map(|s| match s {
            PathSegment::Key(k) => koreo_schema::PathSegment::Key(k.clone()),
            PathSegment::Index(i) => koreo_schema::PathSegment::Index(*i),
        })
        .collect()
}

/// True when `path` starts with the keys `prefix` (indices match any `*`).
fn starts(path: &[PathSegment], prefix: &[&str]) -> bool {
    path.len() >= prefix.len()
        && prefix.iter().zip(path).all(|(p, s)| match s {
            PathSegment::Key(k) => k == p,
            PathSegment::Index(_) => *p == "*",
        })
}

impl Ctx<'_> {
    /// An empty range at the cursor.
    fn here(&self) -> TextRange {
        TextRange::empty(self.offset)
    }

    /// The schema node at `path` of this document: an embedded Kubernetes object's own
    /// schema inside a template / resource, else the document's kind.
    fn schema_at(&self, path: &[PathSegment]) -> Option<koreo_schema::SchemaView<'_>> {
        let store = &self.db.schemas;
        if let Some(res) = self.resource {
            let embedded = match &res.body {
                Body::ResourceTemplate(rt) if starts(path, &["spec", "template"]) => {
                    let t = rt.template.as_ref();
                    let get = |k: &str| t.and_then(|t| t.get(k)).and_then(|n| n.as_str());
                    Some((get("apiVersion"), get("kind"), 2))
                }
                Body::ResourceFunction(rf) if starts(path, &["spec", "resource"]) => {
                    let api = rf.api_config.as_ref();
                    Some((
                        api.and_then(|a| a.api_version.as_ref())
                            .map(|v| v.value.as_str()),
                        api.and_then(|a| a.kind.as_ref()).map(|v| v.value.as_str()),
                        2,
                    ))
                }
                _ => None,
            };
            if let Some((api, kind, skip)) = embedded {
                let ks = store.get_by_api_version(api?, kind?)?;
                return ks.root().at_path(&schema_path(&path[skip..]));
            }
        }
        let root = self.root?;
        store.schema_at_document(root, &schema_path(path))
    }

    // ---- YAML keys and values -------------------------------------------------------

    fn yaml(&self, out: &mut Out) {
        let at = self.at;
        match at.target {
            PathTarget::NewKey => {
                let range = self.here();
                self.keys(&at.path, &at.sibling_keys, range, out);
            }
            PathTarget::Key => {
                let Some(range) = at.node_range else { return };
                let parent = &at.path[..at.path.len().saturating_sub(1)];
                self.keys(parent, &at.sibling_keys, range, out);
            }
            PathTarget::Value => {
                let node = self.root.and_then(|r| r.at_path(&at.path));
                let plain = node.is_none_or(|n| {
                    n.as_scalar()
                        .is_some_and(|s| s.style == ScalarStyle::Plain && !s.text.contains(':'))
                });
                self.values(node, out);
                // A bare word where a mapping goes is a key being typed (`- la|`,
                // `spec:\n  na|`).
                if out.items.is_empty()
                    && plain
                    && let Some(range) = at.node_range
                {
                    self.keys(&at.path, &[], range, out);
                }
            }
        }
    }

    fn keys(&self, path: &[PathSegment], present: &[String], range: TextRange, out: &mut Out) {
        // Keys written right before `:` keep their colon.
        let has_colon = self.text[usize::from(range.end()).min(self.text.len())..]
            .trim_start_matches(' ')
            .starts_with(':');
        let suffix = if has_colon { "" } else { ": " };
        if path.is_empty() && self.root.is_none_or(|r| r.get("kind").is_none()) {
            for k in ["apiVersion", "kind", "metadata", "spec"] {
                if !present.iter().any(|p| p == k) {
                    out.push(CompletionItem {
                        label: k.to_owned(),
                        kind: CompletionKind::Property,
                        detail: None,
                        documentation: None,
                        range,
                        insert_text: format!("{k}{suffix}"),
                        snippet: false,
                    });
                }
            }
            return;
        }
        // The inputs the called function reads, where a caller or test provides them.
        if let Some(target) = self.input_target(path) {
            for k in input_keys(self.db, target) {
                if !present.contains(&k) {
                    out.push(CompletionItem {
                        insert_text: format!("{k}{suffix}"),
                        label: k,
                        kind: CompletionKind::Property,
                        detail: Some(format!(
                            "input of {}",
                            target.name.as_ref().map_or("", |n| n.value.as_str())
                        )),
                        documentation: None,
                        range,
                        snippet: false,
                    });
                }
            }
            return;
        }
        let Some(view) = self.schema_at(path) else {
            return;
        };
        for p in view.properties() {
            // Nobody writes a status by hand.
            if present.iter().any(|k| k == p.name) || (path.is_empty() && p.name == "status") {
                continue;
            }
            let mut detail = p.schema.type_label();
            if p.required {
                detail.push_str(" (required)");
            }
            out.push(CompletionItem {
                label: p.name.to_owned(),
                kind: CompletionKind::Property,
                detail: Some(detail),
                documentation: Some(p.schema.markdown()),
                range,
                insert_text: format!("{}{suffix}", p.name),
                snippet: false,
            });
        }
    }

    /// The range a value completion replaces: the scalar under the cursor (inside its
    /// quotes), or the cursor.
    fn value_range(&self, node: Option<&Node>) -> TextRange {
        let Some(r) = self.at.node_range else {
            return self.here();
        };
        let src = &self.text[r];
        let quoted = node.and_then(Node::as_scalar).is_some_and(|s| {
            matches!(
                s.style,
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
            )
        });
        let r = if quoted && src.len() >= 2 {
            TextRange::new(r.start() + TextSize::from(1), r.end() - TextSize::from(1))
        } else {
            r
        };
        if r.contains_inclusive(self.offset) && !src.contains('\n') {
            r
        } else {
            self.here()
        }
    }

    fn values(&self, node: Option<&Node>, out: &mut Out) {
        let path = &self.at.path;
        let range = self.value_range(node);
        let value = |label: &str, kind: CompletionKind, detail: Option<String>| CompletionItem {
            label: label.to_owned(),
            kind,
            detail,
            documentation: None,
            range,
            insert_text: label.to_owned(),
            snippet: false,
        };
        if let [PathSegment::Key(k)] = path.as_slice() {
            match k.as_str() {
                "kind" => {
                    let api = self
                        .root
                        .and_then(|r| r.get("apiVersion"))
                        .and_then(Node::as_str);
                    match api.filter(|a| *a != koreo_model::KOREO_API_VERSION) {
                        // Another API: the kinds the schema store knows for it.
                        Some(api) => {
                            for ks in self.db.schemas.kinds_of_api_version(api) {
                                out.push(value(&ks.gvk.kind, CompletionKind::EnumMember, None));
                            }
                        }
                        None => {
                            for k in Kind::ALL {
                                out.push(value(k.as_str(), CompletionKind::EnumMember, None));
                            }
                        }
                    }
                    return;
                }
                "apiVersion" => {
                    out.push(value(
                        koreo_model::KOREO_API_VERSION,
                        CompletionKind::EnumMember,
                        None,
                    ));
                    return;
                }
                _ => {}
            }
        }
        if let Some((allowed, written)) = self.reference_slot() {
            let last = path.last().and_then(key);
            if last == Some("kind") {
                for k in allowed {
                    out.push(value(k.as_str(), CompletionKind::EnumMember, None));
                }
                return;
            }
            let want: Vec<Kind> = match written.and_then(Kind::parse) {
                Some(k) if allowed.contains(&k) => vec![k],
                _ => allowed.to_vec(),
            };
            let mut defs: Vec<(&str, Kind, crate::FileId)> = self
                .db
                .index
                .all_defs()
                .flat_map(|(name, defs)| defs.iter().map(move |d| (name, d.kind, d.file)))
                .filter(|(_, k, _)| want.contains(k))
                .collect();
            defs.sort();
            for (name, kind, file) in defs {
                let mut item = value(name, CompletionKind::Reference, Some(kind.to_string()));
                item.documentation = Some(format!(
                    "**{kind}** `{name}`\n\nfile: `{}`",
                    self.db.keys.get(file.0 as usize).map_or("", |k| &**k)
                ));
                out.push(item);
            }
            return;
        }
        if let Some(values) = self.schema_at(path).and_then(|v| v.enum_values()) {
            for v in values {
                let label = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push(value(&label, CompletionKind::EnumMember, None));
            }
        }
    }

    /// The function whose inputs the mapping at `path` provides: a Workflow step's
    /// `inputs`, a FunctionTest's `inputs` or a test case's `inputOverrides`.
    fn input_target(&self, path: &[PathSegment]) -> Option<&Resource> {
        let res = self.resource?;
        let reference = match (&res.body, path) {
            (
                Body::Workflow(wf),
                [
                    PathSegment::Key(s),
                    PathSegment::Key(st),
                    PathSegment::Index(i),
                    PathSegment::Key(inp),
                ],
            ) if s == "spec" && st == "steps" && inp == "inputs" => {
                wf.steps.get(*i)?.reference.as_ref()?
            }
            (Body::FunctionTest(ft), [PathSegment::Key(s), PathSegment::Key(inp)])
                if s == "spec" && inp == "inputs" =>
            {
                ft.function_ref.as_ref()?
            }
            (
                Body::FunctionTest(ft),
                [
                    PathSegment::Key(s),
                    PathSegment::Key(tc),
                    PathSegment::Index(_),
                    PathSegment::Key(o),
                ],
            ) if s == "spec" && tc == "testCases" && o == "inputOverrides" => {
                ft.function_ref.as_ref()?
            }
            _ => return None,
        };
        let [d] = crate::navigation::resolve(self.db, reference)[..] else {
            return None;
        };
        match self.db.files.get(&d.file)?.items().get(d.doc)? {
            Item::Resource(r) if r.kind != Kind::Workflow => Some(r),
            _ => None,
        }
    }

    /// For a reference's `name` or `kind` value: the kinds allowed there and the `kind`
    /// written next to it.
    fn reference_slot(&self) -> Option<(&'static [Kind], Option<&str>)> {
        let path = &self.at.path;
        let res = self.resource?;
        let (last, parent) = path.split_last()?;
        if !matches!(key(last), Some("name" | "kind")) {
            return None;
        }
        let role = match (res.kind, parent) {
            (Kind::Workflow, [.., PathSegment::Key(r)]) if r == "ref" => {
                koreo_model::RefRole::StepRef
            }
            (Kind::Workflow, [.., PathSegment::Key(c), PathSegment::Index(_)]) if c == "cases" => {
                koreo_model::RefRole::SwitchCase
            }
            (Kind::ResourceFunction, [.., PathSegment::Key(r)]) if r == "resourceTemplateRef" => {
                koreo_model::RefRole::ResourceTemplateRef
            }
            (Kind::ResourceFunction, [.., PathSegment::Key(r)]) if r == "overlayRef" => {
                koreo_model::RefRole::OverlayRef
            }
            (Kind::FunctionTest, [.., PathSegment::Key(r)]) if r == "functionRef" => {
                koreo_model::RefRole::FunctionRef
            }
            _ => return None,
        };
        let written = self
            .root
            .and_then(|r| r.at_path(parent))
            .and_then(|n| n.get("kind"))
            .and_then(Node::as_str);
        Some((role.allowed_kinds(), written))
    }
}

// ---- CEL inside `=` values ----------------------------------------------------------

/// Functions callable globally or as methods (spec §3.7, §4): name, signature, summary.
const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "size",
        "size(x) -> int",
        "Length of a string, bytes, list or map; `size(null)` is 0.",
    ),
    (
        "contains",
        "contains(s, t) -> bool",
        "Substring, list membership or map key test.",
    ),
    (
        "startsWith",
        "startsWith(s, prefix) -> bool",
        "String prefix test.",
    ),
    (
        "endsWith",
        "endsWith(s, suffix) -> bool",
        "String suffix test.",
    ),
    (
        "matches",
        "matches(s, re) -> bool",
        "Python `re.search` (unanchored).",
    ),
    (
        "int",
        "int(x) -> int",
        "Conversion; doubles round half-to-even.",
    ),
    (
        "uint",
        "uint(x) -> uint",
        "Conversion to an unsigned integer.",
    ),
    (
        "double",
        "double(x) -> double",
        "Python `float()` conversion.",
    ),
    (
        "string",
        "string(x) -> string",
        "Python `str()`: `string(true)` is `\"True\"`.",
    ),
    (
        "bool",
        "bool(x) -> bool",
        "Through `int(x)`: `bool(\"true\")` is an error.",
    ),
    ("bytes", "bytes(s) -> bytes", "UTF-8 encoding of a string."),
    (
        "timestamp",
        "timestamp(s) -> timestamp",
        "An RFC 3339 timestamp.",
    ),
    (
        "duration",
        "duration(s) -> duration",
        "A Go-style duration (`\"1h30m\"`).",
    ),
    ("type", "type(x) -> type", "The type of a value."),
    (
        "self_ref",
        "self_ref(resource) -> map",
        "`{apiVersion, kind, name, namespace}` of a namespaced resource.",
    ),
    (
        "to_ref",
        "to_ref(m) -> map",
        "A reference `{apiVersion, kind, name, namespace}` or `{external}`.",
    ),
    (
        "group_ref",
        "group_ref(m) -> map",
        "Like `to_ref` with `apiGroup` instead of `apiVersion`.",
    ),
    (
        "kindless_ref",
        "kindless_ref(m) -> map",
        "`{name, namespace}` or `{external}`.",
    ),
    (
        "config_connect_ready",
        "config_connect_ready(resource) -> bool",
        "Config Connector `Ready`/`UpToDate` check.",
    ),
    (
        "overlay",
        "overlay(base, o) -> map",
        "Deep merge of `o` onto `base`.",
    ),
    (
        "flatten",
        "flatten(l) -> list",
        "Concatenates the elements of a list of lists.",
    ),
    ("lower", "lower(s) -> string", "Lower-cases a string."),
    (
        "strip",
        "strip(s, chars) -> string",
        "Removes any of `chars` from both ends.",
    ),
    (
        "rstrip",
        "rstrip(s, chars) -> string",
        "Removes any of `chars` from the right end.",
    ),
    ("split", "split(s, sep) -> list", "Python `str.split(sep)`."),
    (
        "split_first",
        "split_first(s, sep) -> string",
        "The part before the first `sep`.",
    ),
    (
        "split_last",
        "split_last(s, sep) -> string",
        "The part after the last `sep`.",
    ),
    (
        "split_index",
        "split_index(s, sep, i) -> string",
        "Element `i` of `split(s, sep)` (negative from the end).",
    ),
    (
        "to_json",
        "to_json(v) -> string",
        "Python `json.dumps(v, sort_keys=True)`.",
    ),
    ("from_json", "from_json(s) -> dyn", "Parses JSON."),
    (
        "b64encode",
        "b64encode(s) -> string",
        "Standard base64 of the UTF-8 bytes.",
    ),
    (
        "b64decode",
        "b64decode(s) -> string",
        "Decodes standard base64 to a string.",
    ),
    (
        "replace",
        "replace(s, old, new) -> string",
        "Replaces every occurrence of `old`.",
    ),
];

/// Macros in method form (spec §3.6): name, snippet, signature.
const METHOD_MACROS: &[(&str, &str, &str)] = &[
    ("map", "map(${1:x}, $0)", "l.map(x, e) -> list"),
    ("filter", "filter(${1:x}, $0)", "l.filter(x, p) -> list"),
    ("all", "all(${1:x}, $0)", "l.all(x, p) -> bool"),
    ("exists", "exists(${1:x}, $0)", "l.exists(x, p) -> bool"),
    (
        "exists_one",
        "exists_one(${1:x}, $0)",
        "l.exists_one(x, p) -> bool",
    ),
    (
        "reduce",
        "reduce(${1:acc}, ${2:x}, ${3:init}, $0)",
        "l.reduce(acc, x, init, e)",
    ),
    ("min", "min()", "l.min() -> dyn"),
];

/// Macros in global form.
const GLOBAL_MACROS: &[(&str, &str, &str)] = &[
    (
        "has",
        "has($0)",
        "has(e) -> bool: true when `e` evaluates without error",
    ),
    ("dyn", "dyn($0)", "dyn(e) -> e"),
];

fn is_ident_byte(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

/// First-level keys of a mapping node.
fn map_keys(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.key.scalar_text().map(str::to_owned))
        .collect()
}

impl Ctx<'_> {
    fn cel(&self, node: &Node, out: &mut Out) {
        let (Some(src), Some(map)) = (node.as_str(), node.scalar_source_map(self.text)) else {
            return;
        };
        let eqs = src.len() - src.trim_start_matches('=').len();
        let idx = map[..src.len().min(map.len())].partition_point(|m| *m < self.offset);
        if idx < eqs || !src.is_char_boundary(idx) {
            return;
        }
        let cel = &src[eqs..];
        let c = idx - eqs;
        let cs = TextSize::from(c as u32);
        // Nothing to offer inside a string literal or a comment.
        let in_literal = koreo_cel_syntax::lex(cel).iter().any(|t| {
            use koreo_cel_syntax::TokenKind as T;
            matches!(
                t.kind,
                T::String | T::Bytes | T::Comment | T::UnterminatedString
            ) && t.span.start() < cs
                && (cs < t.span.end() || matches!(t.kind, T::UnterminatedString | T::Comment))
        });
        if in_literal {
            return;
        }
        let b = cel.as_bytes();
        let mut start = c;
        while start > 0 && is_ident_byte(b[start - 1]) {
            start -= 1;
        }
        if b.get(start).is_some_and(u8::is_ascii_digit) {
            return;
        }
        let range = TextRange::new(map[eqs + start].min(self.offset), self.offset);
        let item = |label: &str, kind: CompletionKind, detail: Option<String>| CompletionItem {
            label: label.to_owned(),
            kind,
            detail,
            documentation: None,
            range,
            insert_text: label.to_owned(),
            snippet: false,
        };
        let vars = self.variables();
        if start > 0 && b[start - 1] == b'.' {
            // A member: the receiver is the dotted chain before the dot.
            let mut s = start - 1;
            while s > 0 && (is_ident_byte(b[s - 1]) || b[s - 1] == b'.') {
                s -= 1;
            }
            let chain: Vec<&str> = cel[s..start - 1].split('.').collect();
            let after_dot = s > 0 && b[s - 1] == b'.';
            if !after_dot && chain.iter().all(|p| !p.is_empty()) {
                let typed = &cel[start..c];
                // The word being typed is read by the expression itself: not a key.
                for (label, detail) in self.members(&chain, &vars) {
                    if label == typed {
                        continue;
                    }
                    out.push(item(&label, CompletionKind::Field, detail));
                }
            }
            for (name, sig, doc) in FUNCTIONS {
                let mut it = item(name, CompletionKind::Function, Some((*sig).to_owned()));
                it.documentation = Some((*doc).to_owned());
                it.insert_text = format!("{name}($0)");
                it.snippet = true;
                out.push(it);
            }
            for (name, snippet, sig) in METHOD_MACROS {
                let mut it = item(name, CompletionKind::Macro, Some((*sig).to_owned()));
                it.insert_text = (*snippet).to_owned();
                it.snippet = true;
                out.push(it);
            }
            return;
        }
        // An identifier start: macro variables, the field's variables, functions.
        let parse = koreo_cel_syntax::parse(cel);
        for n in koreo_cel_syntax::bindings_at(&parse.expr, cs)
            .into_iter()
            .rev()
        {
            out.push(item(
                &n.text,
                CompletionKind::Variable,
                Some("macro variable".to_owned()),
            ));
        }
        for (name, doc) in &vars {
            let mut it = item(name, CompletionKind::Variable, None);
            it.documentation = Some(doc.clone());
            out.push(it);
        }
        for (name, snippet, sig) in GLOBAL_MACROS {
            let mut it = item(name, CompletionKind::Macro, Some((*sig).to_owned()));
            it.insert_text = (*snippet).to_owned();
            it.snippet = true;
            out.push(it);
        }
        for (name, sig, doc) in FUNCTIONS {
            let mut it = item(name, CompletionKind::Function, Some((*sig).to_owned()));
            it.documentation = Some((*doc).to_owned());
            it.insert_text = format!("{name}($0)");
            it.snippet = true;
            out.push(it);
        }
        for k in ["true", "false", "null"] {
            out.push(item(k, CompletionKind::Keyword, None));
        }
    }

    /// The variables bound in the field under the cursor (spec §2.8), with a description.
    fn variables(&self) -> Vec<(String, String)> {
        let Some(res) = self.resource else {
            return Vec::new();
        };
        let path = &self.at.path;
        let v = |n: &str, d: &str| (n.to_owned(), d.to_owned());
        let inputs = v("inputs", "The function's inputs.");
        let locals = v("locals", "The function's `locals`.");
        let field = path.get(1).and_then(key).unwrap_or("");
        match &res.body {
            Body::ValueFunction(_) => match field {
                "return" => vec![
                    inputs,
                    locals,
                    v(
                        "resource",
                        "The base resource (`{}` unless used as an overlay).",
                    ),
                ],
                "preconditions" | "locals" => vec![
                    inputs,
                    v(
                        "resource",
                        "The base resource, only when one is supplied (overlayRef, a FunctionTest current resource).",
                    ),
                ],
                _ => vec![inputs],
            },
            Body::ResourceFunction(_) => {
                let resource = |d: &str| v("resource", d);
                match field {
                    "preconditions" | "locals" => vec![inputs],
                    "overlays" if path.get(3).and_then(key) == Some("overlay") => {
                        vec![inputs, locals, resource("The resource built so far.")]
                    }
                    "create" => vec![inputs, locals, resource("The final resource.")],
                    "postconditions" | "return" => vec![
                        inputs,
                        locals,
                        resource("The actual resource, as returned by the API."),
                    ],
                    _ => vec![inputs, locals],
                }
            }
            Body::Workflow(_) => {
                if !starts(path, &["spec", "steps", "*"]) {
                    return Vec::new();
                }
                let parent = v("parent", "The object that triggered the workflow.");
                let steps = v("steps", "The results of the steps this step depends on.");
                match path.get(3).and_then(key) {
                    Some("state") => vec![v("value", "The step's result.")],
                    Some("refSwitch") => {
                        vec![v("inputs", "The step's evaluated inputs."), parent, steps]
                    }
                    _ => vec![parent, steps],
                }
            }
            Body::FunctionTest(ft) => {
                if !starts(path, &["spec", "testCases", "*", "overlayResource"]) {
                    return Vec::new();
                }
                let mut out: Vec<(String, String)> = map_keys(ft.inputs.as_ref())
                    .into_iter()
                    .map(|k| (k, "A test input, bound as a variable here.".to_owned()))
                    .collect();
                out.push(v("resource", "The current resource (index access only)."));
                out
            }
            Body::ResourceTemplate(_) => Vec::new(),
        }
    }

    /// Fields after `chain.` (`inputs.`, `locals.`, `steps.`, `parent.spec.`).
    fn members(&self, chain: &[&str], vars: &[(String, String)]) -> Vec<(String, Option<String>)> {
        let Some(res) = self.resource else {
            return Vec::new();
        };
        let Some((root, rest)) = chain.split_first() else {
            return Vec::new();
        };
        if !vars.iter().any(|(n, _)| n == root) {
            return Vec::new();
        }
        let none = |v: Vec<String>, d: &str| -> Vec<(String, Option<String>)> {
            v.into_iter().map(|k| (k, Some(d.to_owned()))).collect()
        };
        match (*root, rest) {
            ("inputs", []) if res.kind != Kind::Workflow => none(input_keys(self.db, res), "input"),
            ("inputs", []) => {
                // refSwitch.switchOn sees the step's own inputs.
                let keys = match &res.body {
                    Body::Workflow(wf) => match self.at.path.get(2) {
                        Some(PathSegment::Index(i)) => wf
                            .steps
                            .get(*i)
                            .map(|s| map_keys(s.inputs.as_ref()))
                            .unwrap_or_default(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                none(keys, "step input")
            }
            ("locals", []) => {
                let locals = match &res.body {
                    Body::ValueFunction(vf) => vf.locals.as_ref(),
                    Body::ResourceFunction(rf) => rf.locals.as_ref(),
                    _ => None,
                };
                none(map_keys(locals), "local")
            }
            ("steps", []) => {
                let Body::Workflow(wf) = &res.body else {
                    return Vec::new();
                };
                let before = match self.at.path.get(2) {
                    Some(PathSegment::Index(i)) => *i,
                    _ => wf.steps.len(),
                };
                wf.steps
                    .iter()
                    .take(before)
                    .filter_map(|s| {
                        let label = s.label.as_ref()?.value.clone();
                        let target = s
                            .reference
                            .as_ref()
                            .and_then(|r| Some(format!("step → {}", r.name.as_ref()?.value)));
                        Some((label, target.or_else(|| Some("step".to_owned()))))
                    })
                    .collect()
            }
            ("parent", rest) => {
                let Body::Workflow(wf) = &res.body else {
                    return Vec::new();
                };
                let Some(crd) = &wf.crd_ref else {
                    return Vec::new();
                };
                let (Some(group), Some(version), Some(kind)) =
                    (&crd.api_group, &crd.version, &crd.kind)
                else {
                    return Vec::new();
                };
                let gvk = koreo_schema::Gvk::new(&*group.value, &*version.value, &*kind.value);
                let path: Vec<koreo_schema::PathSegment> = rest
                    .iter()
                    .map(|k| koreo_schema::PathSegment::Key((*k).to_owned()))
                    .collect();
                let Some(view) = self.db.schemas.schema_at(&gvk, &path) else {
                    return Vec::new();
                };
                let mut out: Vec<(String, Option<String>)> = Vec::new();
                if rest.is_empty() {
                    for k in ["apiVersion", "kind", "metadata"] {
                        out.push((k.to_owned(), None));
                    }
                }
                out.extend(
                    view.properties()
                        .map(|p| (p.name.to_owned(), Some(p.schema.type_label()))),
                );
                out
            }
            _ => Vec::new(),
        }
    }
}

/// The input keys a function is known to receive: those its own expressions read, those
/// its FunctionTests provide, and those its callers (workflow steps, overlays) pass.
pub(crate) fn input_keys(db: &Db, res: &Resource) -> Vec<String> {
    let mut out = res.inputs_read();
    let Some(name) = &res.name else {
        return out;
    };
    let mut add = |keys: Vec<String>| {
        for k in keys {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    };
    let targets_me = |r: &koreo_model::Reference| {
        r.name.as_ref().is_some_and(|n| n.value == name.value)
            && r.target_kind()
                .map_or(r.role.allowed_kinds().contains(&res.kind), |k| {
                    k == res.kind
                })
    };
    let mut files: Vec<crate::FileId> = db.index.referencers(&name.value).collect();
    files.sort();
    files.dedup();
    for file in files {
        let Some(fa) = db.files.get(&file) else {
            continue;
        };
        for other in fa.resources() {
            match &other.body {
                Body::FunctionTest(ft) if ft.function_ref.as_ref().is_some_and(targets_me) => {
                    add(map_keys(ft.inputs.as_ref()));
                    for case in &ft.test_cases {
                        add(map_keys(case.input_overrides.as_ref()));
                    }
                }
                Body::Workflow(wf) => {
                    for step in &wf.steps {
                        let calls = step.reference.as_ref().is_some_and(targets_me)
                            || step.ref_switch.as_ref().is_some_and(|rs| {
                                rs.cases.iter().any(|c| targets_me(&c.reference))
                            });
                        if calls {
                            add(map_keys(step.inputs.as_ref()));
                            if let Some(k) =
                                step.for_each.as_ref().and_then(|f| f.input_key.as_ref())
                            {
                                add(vec![k.value.clone()]);
                            }
                        }
                    }
                }
                Body::ResourceFunction(rf) => {
                    for o in &rf.overlays {
                        if o.overlay_ref.as_ref().is_some_and(targets_me) {
                            add(map_keys(o.inputs.as_ref()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}
