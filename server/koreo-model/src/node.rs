//! Read helpers over the YAML value tree of `koreo-syntax`, beyond its own `Node` methods.

use koreo_syntax::yaml::{Node, NodeKind, ResolveRules, Resolved};
use text_size::TextRange;

use crate::Spanned;

/// Typed reads of scalars, the way Kubernetes (and so the controller) reads them.
pub trait NodeExt {
    /// A scalar's text with its range (any scalar, as written after decoding).
    fn spanned_text(&self) -> Option<Spanned<String>>;
    /// A boolean scalar (`true`, `yes`, `on`, ... under the Kubernetes rules).
    fn as_bool(&self) -> Option<bool>;
    /// Whether this is a null scalar (`~`, `null`, an empty plain scalar).
    fn is_null(&self) -> bool;
}

impl NodeExt for Node {
    fn spanned_text(&self) -> Option<Spanned<String>> {
        self.scalar_text()
            .map(|t| Spanned::new(t.to_owned(), self.range))
    }

    fn as_bool(&self) -> Option<bool> {
        match self.resolve(ResolveRules::Kubernetes)? {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.resolve(ResolveRules::Kubernetes), Some(Resolved::Null))
    }
}

/// Every Koreo expression inside `node` (document order) with its range. Mapping keys are
/// never expressions (spec §2.1). Iterative, since documents may nest deeply.
pub fn expressions(node: &Node) -> Vec<(&str, TextRange)> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Scalar(_) => {
                if let Some(src) = n.as_str().filter(|s| s.starts_with('=')) {
                    out.push((src, n.range));
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter().rev()),
            NodeKind::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
        }
    }
    out
}
