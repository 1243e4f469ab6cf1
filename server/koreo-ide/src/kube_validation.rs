//! Schema validation of what Koreo renders, against the target kinds' schemas in the
//! [`SchemaStore`](koreo_schema::SchemaStore) (built-in Koreo kinds, workspace CRDs, the
//! cluster).
//!
//! Rendered values (evaluated resources, plain data) are validated through the same walker
//! as YAML: [`data_node`] builds a value tree whose node ranges are ids into a table of
//! paths, so each finding comes back with the structured path of the offending value.

use koreo_eval::Data;
use koreo_schema::{PathSegment, SchemaStore, ValidateOptions, validate_document};
use koreo_syntax::{Entry, Node, NodeKind, Scalar, ScalarStyle, Severity, TextRange, TextSize};

/// A schema problem of a rendered value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RenderedFinding {
    /// Where in the value.
    pub(crate) path: Vec<PathSegment>,
    /// The schema layer's severity.
    pub(crate) severity: Severity,
    /// The schema layer's code (`schema-type`, `schema-unknown-field`, ...).
    pub(crate) code: &'static str,
    /// The schema layer's message.
    pub(crate) message: String,
}

/// The schema findings of a rendered object (its own `apiVersion` / `kind`); `None` when
/// the kind has no known schema.
pub(crate) fn validate_rendered(
    store: &SchemaStore,
    object: &Data,
) -> Option<Vec<RenderedFinding>> {
    let mut paths = Vec::new();
    let node = data_node(object, &mut Vec::new(), &mut paths);
    let options = ValidateOptions::default();
    let result = validate_document(store, &node, &options);
    result.schema_source.as_ref()?;
    Some(
        result
            .diagnostics
            .into_iter()
            .map(|d| RenderedFinding {
                path: paths
                    .get(u32::from(d.range.start()) as usize)
                    .cloned()
                    .unwrap_or_default(),
                severity: d.severity,
                code: d.code,
                // The walker's quoting hints are about YAML text, which a rendered value has not.
                message: match d.message.split_once("; the YAML scalar") {
                    Some((head, _)) => head.to_owned(),
                    None => d.message,
                },
            })
            .collect(),
    )
}

/// Plain data as a YAML value tree that resolves to the same values under the Kubernetes
/// rules. Each node's range is `empty(i)` where `paths[i]` is the node's path (for keys:
/// the path of their entry).
pub(crate) fn data_node(
    d: &Data,
    path: &mut Vec<PathSegment>,
    paths: &mut Vec<Vec<PathSegment>>,
) -> Node {
    let range = TextRange::empty(TextSize::from(paths.len() as u32));
    paths.push(path.clone());
    let scalar = |text: String, style| NodeKind::Scalar(Scalar { text, style });
    let kind = match d {
        Data::Null => scalar("null".into(), ScalarStyle::Plain),
        Data::Bool(b) => scalar(b.to_string(), ScalarStyle::Plain),
        Data::Int(i) => scalar(i.to_string(), ScalarStyle::Plain),
        Data::Float(f) if f.is_nan() => scalar(".nan".into(), ScalarStyle::Plain),
        Data::Float(f) if f.is_infinite() => scalar(
            if *f > 0.0 { ".inf" } else { "-.inf" }.into(),
            ScalarStyle::Plain,
        ),
        Data::Float(f) => scalar(format!("{f:e}"), ScalarStyle::Plain),
        Data::Str(s) => scalar(s.clone(), ScalarStyle::DoubleQuoted),
        // Dates and big integers reach the API server as their text.
        Data::Other { text, .. } => scalar(text.clone(), ScalarStyle::DoubleQuoted),
        Data::List(items) => NodeKind::Seq(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.push(PathSegment::Index(i));
                    let n = data_node(item, path, paths);
                    path.pop();
                    n
                })
                .collect(),
        ),
        Data::Map(m) => NodeKind::Map(
            m.iter()
                .map(|(k, v)| {
                    path.push(PathSegment::Key(k.clone()));
                    let key = Node {
                        range: TextRange::empty(TextSize::from(paths.len() as u32)),
                        kind: scalar(k.clone(), ScalarStyle::DoubleQuoted),
                        tag: None,
                    };
                    paths.push(path.clone());
                    let value = data_node(v, path, paths);
                    path.pop();
                    Entry { key, value }
                })
                .collect(),
        ),
    };
    Node {
        range,
        kind,
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koreo_schema::format_path;

    #[test]
    fn rendered_values_are_checked_with_their_paths() {
        let store = SchemaStore::new();
        let wf = Data::from_json_text(
            r#"{"apiVersion": "koreo.dev/v1beta1", "kind": "Workflow", "metadata": {"name": "w"},
                "spec": {"steps": [{"label": 7, "ref": {"kind": "ValueFunction", "name": "x"}, "extra": 1.5}]}}"#,
        )
        .unwrap();
        let found = validate_rendered(&store, &wf).expect("a known kind");
        let rendered: Vec<String> = found
            .iter()
            .map(|f| format!("{} {} {}", format_path(&f.path), f.code, f.message))
            .collect();
        expect_test::expect![[r#"
            spec.steps[0].label schema-type expected a string, found an integer
            spec.steps[0].extra schema-unknown-field unknown field `extra`; expected one of `condition`, `forEach`, `inputs`, `label`, `ref`, `refSwitch`, `skipIf`, `state` (the API server drops it; `kubectl apply` rejects it)"#]]
        .assert_eq(&rendered.join("\n"));
        let unknown = Data::from_json_text(r#"{"apiVersion": "x/v1", "kind": "Nope"}"#).unwrap();
        assert_eq!(validate_rendered(&store, &unknown), None);
    }
}
