//! Reading YAML value trees ([`Node`]) as data: scalar resolution with explicit tags,
//! expression detection and conversion to JSON.

use koreo_syntax::Node;
use koreo_syntax::yaml::{Entry, NodeKind, ResolveRules, Resolved};
use serde_json::{Map, Number, Value};

/// Resolve a scalar node with `rules` (quoted and block scalars are strings; explicit
/// tags are honoured). `None` for mappings and sequences.
pub fn resolve_node(node: &Node, rules: ResolveRules) -> Option<Resolved> {
    match &node.kind {
        NodeKind::Scalar(scalar) => Some(scalar.resolve(rules, node.tag.as_deref())),
        _ => None,
    }
}

/// The text of a mapping key (keys are compared as strings, as JSON does).
pub fn key_text(key: &Node) -> Option<&str> {
    match &key.kind {
        NodeKind::Scalar(s) => Some(s.text.as_str()),
        _ => None,
    }
}

/// A Koreo Expression: a string scalar whose first character is `=` (spec §2.1).
pub fn is_expression(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(s) => {
            s.text.starts_with('=')
                && matches!(
                    resolve_node(node, ResolveRules::Kubernetes),
                    Some(Resolved::Str(_))
                )
        }
        _ => false,
    }
}

/// True when any string scalar below (or at) `node` is a Koreo Expression.
pub fn contains_expression(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(_) => is_expression(node),
        NodeKind::Seq(items) => items.iter().any(contains_expression),
        NodeKind::Map(entries) => entries.iter().any(|e| contains_expression(&e.value)),
    }
}

/// Look a key up in a mapping node (the last occurrence wins, as in every YAML reader
/// the engine and the API server use).
pub fn map_get<'a>(node: &'a Node, key: &str) -> Option<&'a Entry> {
    match &node.kind {
        NodeKind::Map(entries) => entries.iter().rev().find(|e| key_text(&e.key) == Some(key)),
        _ => None,
    }
}

/// Convert a resolved scalar to JSON. Values JSON cannot hold (NaN, infinities) become
/// `null`, which is what a JSON round trip through the API server would reject anyway.
pub fn resolved_to_json(r: Resolved) -> Value {
    match r {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Number(i.into()),
        Resolved::BigInt(text) => text
            .parse::<u64>()
            .ok()
            .map(|u| Value::Number(u.into()))
            .or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or(Value::String(text)),
        Resolved::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Resolved::Str(s) | Resolved::Date(s) | Resolved::DateTime(s) => Value::String(s),
    }
}

/// Convert a value tree to JSON with the given scalar rules. Duplicate keys: last wins.
pub fn node_to_json(node: &Node, rules: ResolveRules) -> Value {
    node_to_json_depth(node, rules, 0)
}

// Deeply nested YAML is already bounded by the parser; this guard keeps conversion
// itself from being the thing that overflows the stack.
const MAX_DEPTH: usize = 256;

fn node_to_json_depth(node: &Node, rules: ResolveRules, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match &node.kind {
        NodeKind::Scalar(_) => resolve_node(node, rules)
            .map(resolved_to_json)
            .unwrap_or(Value::Null),
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|n| node_to_json_depth(n, rules, depth + 1))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for e in entries {
                let Some(k) = key_text(&e.key) else { continue };
                map.insert(k.to_owned(), node_to_json_depth(&e.value, rules, depth + 1));
            }
            Value::Object(map)
        }
    }
}
