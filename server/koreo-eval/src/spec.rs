//! Resource specs as resolved value trees that keep the YAML range of every node.
//!
//! The engine prepares a Python object (what PyYAML, or the API server's JSON, produced);
//! every scalar here is already resolved to that object, and every node remembers where it
//! came from so that diagnostics and evaluation errors point at the offending node.

use crate::data::{Data, DataMap, py_float_repr};
use koreo_syntax::yaml::{Node, NodeKind, ResolveRules, Resolved};
use text_size::{TextRange, TextSize};

/// A node of a spec tree.
#[derive(Clone, Debug, PartialEq)]
pub struct SNode {
    /// Byte range of the node in its file.
    pub range: TextRange,
    /// The resolved value.
    pub kind: SKind,
}

/// The resolved value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum SKind {
    /// `null`, `~` or empty.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(SStr),
    /// A Python object without a JSON form: YAML 1.1 `date` / `datetime`, or an integer
    /// outside the i64 range. `text` is its Python `str()`.
    Other {
        /// The Python class.
        py_type: &'static str,
        /// Python `str()` of the value.
        text: String,
    },
    /// A sequence.
    Seq(Vec<SNode>),
    /// Entries in order, duplicates already collapsed the Python way (first key kept at its
    /// position, last value wins).
    Map(Vec<SEntry>),
}

/// A string scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct SStr {
    /// The decoded string.
    pub text: String,
    /// File offset of `text`'s first byte when the text appears verbatim in the file (plain,
    /// simple quoted and single-line block scalars), so positions inside it map exactly.
    pub verbatim_at: Option<TextSize>,
}

/// A mapping entry.
#[derive(Clone, Debug, PartialEq)]
pub struct SEntry {
    /// The key node.
    pub key: SNode,
    /// The value node.
    pub value: SNode,
}

impl SNode {
    /// A node without a source position (values built by the evaluator or by tests).
    pub fn detached(kind: SKind) -> SNode {
        SNode {
            range: TextRange::default(),
            kind,
        }
    }

    /// A detached string node.
    pub fn str(text: impl Into<String>) -> SNode {
        SNode::detached(SKind::Str(SStr {
            text: text.into(),
            verbatim_at: None,
        }))
    }

    /// Builds a spec tree from a YAML value tree. `source` is the file text (used to map
    /// positions inside string scalars exactly); `rules` selects the scalar resolution.
    pub fn from_yaml(node: &Node, source: &str, rules: ResolveRules) -> SNode {
        from_yaml(node, source, rules, 0)
    }

    /// Converts plain data into a detached spec tree.
    pub fn from_data(data: &Data) -> SNode {
        let kind = match data {
            Data::Null => SKind::Null,
            Data::Bool(b) => SKind::Bool(*b),
            Data::Int(i) => SKind::Int(*i),
            Data::Float(f) => SKind::Float(*f),
            Data::Str(s) => SKind::Str(SStr {
                text: s.clone(),
                verbatim_at: None,
            }),
            Data::List(l) => SKind::Seq(l.iter().map(SNode::from_data).collect()),
            Data::Map(m) => SKind::Map(
                m.iter()
                    .map(|(k, v)| SEntry {
                        key: SNode::str(k.clone()),
                        value: SNode::from_data(v),
                    })
                    .collect(),
            ),
            Data::Other { py_type, text } => SKind::Other {
                py_type,
                text: text.clone(),
            },
        };
        SNode::detached(kind)
    }

    /// Python truthiness of the value.
    pub fn truthy(&self) -> bool {
        match &self.kind {
            SKind::Null => false,
            SKind::Bool(b) => *b,
            SKind::Int(i) => *i != 0,
            SKind::Float(f) => *f != 0.0,
            SKind::Str(s) => !s.text.is_empty(),
            SKind::Other { .. } => true,
            SKind::Seq(s) => !s.is_empty(),
            SKind::Map(m) => !m.is_empty(),
        }
    }

    /// Entries when the node is a mapping.
    pub fn entries(&self) -> Option<&[SEntry]> {
        match &self.kind {
            SKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Items when the node is a sequence.
    pub fn items(&self) -> Option<&[SNode]> {
        match &self.kind {
            SKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind, SKind::Map(_))
    }

    /// Whether the node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, SKind::Null)
    }

    /// The string value, when the node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            SKind::Str(s) => Some(&s.text),
            _ => None,
        }
    }

    /// `dict.get(key)` with a string key (Python: a key `1` does not match `"1"`).
    pub fn get(&self, key: &str) -> Option<&SNode> {
        self.get_entry(key).map(|e| &e.value)
    }

    /// The entry for a string key.
    pub fn get_entry(&self, key: &str) -> Option<&SEntry> {
        self.entries()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    /// Follows string keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&SNode> {
        let mut cur = self;
        for key in path {
            cur = cur.get(key)?;
        }
        Some(cur)
    }

    /// `spec.get(key)` treated as "absent" when falsy (the engine's usual `if not x`).
    pub fn get_truthy(&self, key: &str) -> Option<&SNode> {
        self.get(key).filter(|n| n.truthy())
    }

    /// Python `str()` of the value (used for mapping keys and several messages).
    pub fn py_str(&self) -> String {
        match &self.kind {
            SKind::Str(s) => s.text.clone(),
            SKind::Null => "None".into(),
            SKind::Bool(true) => "True".into(),
            SKind::Bool(false) => "False".into(),
            SKind::Int(i) => i.to_string(),
            SKind::Float(f) => py_float_repr(*f),
            SKind::Other { text, .. } => text.clone(),
            _ => self.to_data().py_repr(),
        }
    }

    /// The plain value (for static fields: FunctionTest inputs, expectations, templates).
    /// Mapping keys become their Python `str()`.
    pub fn to_data(&self) -> Data {
        match &self.kind {
            SKind::Null => Data::Null,
            SKind::Bool(b) => Data::Bool(*b),
            SKind::Int(i) => Data::Int(*i),
            SKind::Float(f) => Data::Float(*f),
            SKind::Str(s) => Data::Str(s.text.clone()),
            SKind::Other { py_type, text } => Data::Other {
                py_type,
                text: text.clone(),
            },
            SKind::Seq(items) => Data::List(items.iter().map(SNode::to_data).collect()),
            SKind::Map(entries) => {
                let mut map = DataMap::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key.py_str(), e.value.to_data());
                }
                Data::Map(map)
            }
        }
    }

    /// Whether any scalar below is a Python object without a JSON/CEL form (a YAML date,
    /// datetime or big integer): the engine raises when converting such values.
    pub fn contains_other(&self) -> Option<&SNode> {
        match &self.kind {
            SKind::Other { .. } => Some(self),
            SKind::Seq(items) => items.iter().find_map(SNode::contains_other),
            SKind::Map(entries) => entries
                .iter()
                .find_map(|e| e.key.contains_other().or_else(|| e.value.contains_other())),
            _ => None,
        }
    }

    /// The innermost node whose range contains `offset` (for hover / goto in spec trees).
    pub fn node_at(&self, offset: TextSize) -> Option<&SNode> {
        if !self.range.contains_inclusive(offset) {
            return None;
        }
        let inner = match &self.kind {
            SKind::Seq(items) => items.iter().find_map(|n| n.node_at(offset)),
            SKind::Map(entries) => entries
                .iter()
                .find_map(|e| e.key.node_at(offset).or_else(|| e.value.node_at(offset))),
            _ => None,
        };
        inner.or(Some(self))
    }
}

/// Python dict-key identity: numbers (incl. bools) by value, strings by text.
#[derive(PartialEq)]
enum PyKey<'a> {
    Num(f64),
    Str(&'a str),
    None,
    Other(&'a str),
    Unhashable,
}

fn py_key(node: &SNode) -> PyKey<'_> {
    match &node.kind {
        SKind::Null => PyKey::None,
        SKind::Bool(b) => PyKey::Num(*b as i64 as f64),
        SKind::Int(i) => PyKey::Num(*i as f64),
        SKind::Float(f) => PyKey::Num(*f),
        SKind::Str(s) => PyKey::Str(&s.text),
        SKind::Other { text, .. } => PyKey::Other(text),
        SKind::Seq(_) | SKind::Map(_) => PyKey::Unhashable,
    }
}

const MAX_DEPTH: usize = 256;

fn from_yaml(node: &Node, source: &str, rules: ResolveRules, depth: usize) -> SNode {
    let range = node.range;
    let kind = match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.resolve(rules, node.tag.as_deref()) {
            Resolved::Null => SKind::Null,
            Resolved::Bool(b) => SKind::Bool(b),
            Resolved::Int(i) => SKind::Int(i),
            Resolved::BigInt(text) => SKind::Other {
                py_type: "int",
                text,
            },
            Resolved::Float(f) => SKind::Float(f),
            Resolved::Date(text) => SKind::Other {
                py_type: "datetime.date",
                text,
            },
            Resolved::DateTime(text) => SKind::Other {
                py_type: "datetime.datetime",
                text,
            },
            Resolved::Str(text) => {
                let verbatim_at = verbatim_offset(source, range, &text);
                SKind::Str(SStr { text, verbatim_at })
            }
        },
        NodeKind::Seq(items) => {
            if depth >= MAX_DEPTH {
                SKind::Seq(Vec::new())
            } else {
                SKind::Seq(
                    items
                        .iter()
                        .map(|n| from_yaml(n, source, rules, depth + 1))
                        .collect(),
                )
            }
        }
        NodeKind::Map(entries) => {
            let mut out: Vec<SEntry> = Vec::with_capacity(entries.len());
            if depth < MAX_DEPTH {
                for e in entries {
                    let key = from_yaml(&e.key, source, rules, depth + 1);
                    let value = from_yaml(&e.value, source, rules, depth + 1);
                    let k = py_key(&key);
                    if k != PyKey::Unhashable
                        && let Some(existing) = out.iter_mut().find(|x| py_key(&x.key) == k)
                    {
                        // Python dict update: the first key object stays, the value is replaced.
                        existing.value = value;
                        continue;
                    }
                    out.push(SEntry { key, value });
                }
            }
            SKind::Map(out)
        }
    };
    SNode { range, kind }
}

/// Where `text` starts inside the node's source when it appears there verbatim.
fn verbatim_offset(source: &str, range: TextRange, text: &str) -> Option<TextSize> {
    let start: usize = range.start().into();
    let end: usize = range.end().into();
    let slice = source.get(start..end)?;
    if text.is_empty() {
        return None;
    }
    // A quoted scalar starts with its quote; a block scalar with its header line.
    let pos = slice.find(text)?;
    TextSize::try_from(start + pos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_round_trip_keeps_order() {
        let mut m = DataMap::new();
        m.insert("b".into(), Data::Int(1));
        m.insert("a".into(), Data::Str("x".into()));
        let d = Data::Map(m);
        assert_eq!(SNode::from_data(&d).to_data(), d);
    }
}
