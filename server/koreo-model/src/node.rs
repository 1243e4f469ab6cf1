//! Small read helpers over the YAML value tree of `koreo-syntax`.

use koreo_syntax::yaml::{Entry, Node, NodeKind, ScalarStyle};
use text_size::TextRange;

use crate::Spanned;

/// Lookups on a mapping node; every helper answers `None` for other node kinds.
pub trait NodeExt {
    /// The value of `key` in a mapping (the last one when a key is repeated, as YAML readers do).
    fn get(&self, key: &str) -> Option<&Node>;
    /// The entry (key and value) of `key` in a mapping.
    fn entry(&self, key: &str) -> Option<&Entry>;
    /// Entries of a mapping.
    fn entries(&self) -> Option<&[Entry]>;
    /// Items of a sequence.
    fn items(&self) -> Option<&[Node]>;
    /// The text of a string-like scalar (any scalar, as written after decoding).
    fn scalar_text(&self) -> Option<&str>;
    /// A scalar's text with its range.
    fn spanned_text(&self) -> Option<Spanned<String>>;
    /// A boolean under the Kubernetes reading of plain scalars (`true`, `yes`, `on`, ...).
    fn as_bool(&self) -> Option<bool>;
    /// Whether the node is a Koreo expression: a string scalar whose first character is `=`.
    fn is_expression(&self) -> bool;
    /// Whether this is a null scalar (`~`, `null`, empty plain scalar).
    fn is_null(&self) -> bool;
}

impl NodeExt for Node {
    fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key.scalar_text() == Some(key))
    }

    fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    fn scalar_text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    fn spanned_text(&self) -> Option<Spanned<String>> {
        self.scalar_text()
            .map(|t| Spanned::new(t.to_owned(), self.range))
    }

    fn as_bool(&self) -> Option<bool> {
        let NodeKind::Scalar(s) = &self.kind else {
            return None;
        };
        if s.style != ScalarStyle::Plain {
            return None;
        }
        match s.text.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Some(false),
            _ => None,
        }
    }

    fn is_expression(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s) if s.text.starts_with('='))
    }

    fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// Every Koreo expression inside `node` (depth first, document order), with its range.
/// Mapping keys are never expressions (spec §2.1).
pub fn expressions(node: &Node) -> Vec<(&str, TextRange)> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Scalar(s) => {
                if n.is_expression() {
                    out.push((s.text.as_str(), n.range));
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter().rev()),
            NodeKind::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
        }
    }
    out
}
