//! The workspace's Koreo resources as the controller would prepare them: a
//! [`koreo_eval::Registry`] kept in step with the files, read with the Kubernetes YAML rules
//! (what `kubectl apply` sends and the controller sees). Previews, the workflow graph and the
//! validation of rendered resources read it; it is updated incrementally (only changed files
//! are reloaded, only invalidated resources re-prepared).

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use koreo_eval::spec::SNode;
use koreo_eval::{
    Data, Diagnostic as EvalDiagnostic, Kind, Registry, ResourceRef, Source, SourceKey,
};
use koreo_syntax::{Node, ResolveRules};

use crate::db::FileAnalysis;

/// The prepared registries: Kubernetes rules (what the controller sees: previews,
/// diagnostics) and PyYAML rules (what the Python tooling that runs FunctionTests reads,
/// so test verdicts match it).
#[derive(Clone, Debug, Default)]
pub(crate) struct EvalState {
    registry: Registry,
    tests: Registry,
}

impl EvalState {
    /// The prepared registry (Kubernetes rules).
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry FunctionTests run in (PyYAML rules).
    pub(crate) fn test_registry(&self) -> &Registry {
        &self.tests
    }

    /// Reloads the Koreo resources of changed files (`None`: removed) and prepares what the
    /// change invalidated. Returns, per registry (Kubernetes, PyYAML), the resources whose
    /// prepare state or findings may differ now: those of the changed files, before and
    /// after, and everything depending on them.
    pub(crate) fn update<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (&'a str, Option<&'a FileAnalysis>)>,
    ) -> (BTreeSet<ResourceRef>, BTreeSet<ResourceRef>) {
        let changes: Vec<_> = changes.into_iter().collect();
        let k8s = update_registry(&mut self.registry, &changes, ResolveRules::Kubernetes);
        let py = update_registry(&mut self.tests, &changes, ResolveRules::PyYaml);
        (k8s, py)
    }

    /// The engine's findings (prepare failures, lints, test-input checks) of the resources
    /// with a document in `files`, by file key. Every file of `files` gets an entry.
    pub(crate) fn diagnostics(
        &self,
        files: &BTreeSet<String>,
    ) -> HashMap<String, Vec<EvalDiagnostic>> {
        let mut out: HashMap<String, Vec<EvalDiagnostic>> =
            files.iter().map(|f| (f.clone(), Vec::new())).collect();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut refs: BTreeSet<ResourceRef> = BTreeSet::new();
            for f in files {
                refs.extend(self.registry.resources_in_file(f));
            }
            let refs: Vec<ResourceRef> = refs.into_iter().collect();
            self.registry.diagnostics_of(&refs)
        }));
        match result {
            Ok(diags) => {
                for d in diags {
                    if let Some(v) = out.get_mut(&d.file) {
                        v.push(d);
                    }
                }
            }
            Err(p) => tracing::error!(
                "computing the engine's diagnostics panicked: {}",
                crate::db::panic_message(&p)
            ),
        }
        out
    }
}

fn update_registry(
    registry: &mut Registry,
    changes: &[(&str, Option<&FileAnalysis>)],
    rules: ResolveRules,
) -> BTreeSet<ResourceRef> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut changed: BTreeSet<ResourceRef> = BTreeSet::new();
        for (key, fa) in changes {
            changed.extend(registry.resources_in_file(key));
            registry.remove_file(key);
            if let Some(fa) = fa {
                for source in sources(key, fa, rules) {
                    changed.insert(ResourceRef::new(source.kind, source.name.clone()));
                    registry.upsert(source);
                }
            }
        }
        registry.prepare_all();
        let mut affected = changed.clone();
        for r in &changed {
            affected.extend(registry.dependents(r));
        }
        affected
    }));
    match result {
        Ok(affected) => affected,
        Err(p) => {
            // Lost until the next full load; the rest of the analysis is not.
            tracing::error!(
                "evaluating the workspace panicked: {}",
                crate::db::panic_message(&p)
            );
            *registry = Registry::new();
            BTreeSet::new()
        }
    }
}

/// A registry of every Koreo resource of `files`, prepared, with the given rules (the
/// previews compare against PyYAML with it).
pub(crate) fn registry_with<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a FileAnalysis)>,
    rules: ResolveRules,
) -> Registry {
    let mut registry = Registry::new();
    for (key, fa) in files {
        for source in sources(key, fa, rules) {
            registry.upsert(source);
        }
    }
    registry.prepare_all();
    registry
}

/// The Koreo resources of a file as the engine loads them: apiVersion `koreo.dev/v1beta1`,
/// one of the five kinds, a truthy `metadata.name`.
pub(crate) fn sources(key: &str, fa: &FileAnalysis, rules: ResolveRules) -> Vec<Source> {
    let Some(parsed) = fa.parsed() else {
        return Vec::new();
    };
    // The Python tooling loads nothing from a file PyYAML rejects, not even the documents
    // before the error; its verdicts (the PyYAML registry's purpose) follow from that.
    if rules == ResolveRules::PyYaml && koreo_eval::registry::pyyaml_rejects(parsed) {
        return Vec::new();
    }
    let text = fa.text();
    let mut out = Vec::new();
    for (index, doc) in parsed.documents.iter().enumerate() {
        let Some(root) = &doc.root else { continue };
        if root.get("apiVersion").and_then(Node::as_str) != Some(koreo_model::KOREO_API_VERSION) {
            continue;
        }
        let Some(kind) = root
            .get("kind")
            .and_then(Node::as_str)
            .and_then(Kind::parse)
        else {
            continue;
        };
        let Some(name_node) = root.get("metadata").and_then(|m| m.get("name")) else {
            continue;
        };
        let name = SNode::from_yaml(name_node, text, rules);
        if !name.truthy() {
            continue;
        }
        let spec_node = root.get("spec");
        let spec = spec_node
            .map(|s| SNode::from_yaml(s, text, rules))
            .filter(|s| !s.is_null())
            .unwrap_or_else(|| SNode::from_data(&Data::map()));
        // The engine validates the spec it received (JSON from the API server) first.
        // The engine validates the spec it received first: JSON from the API server, or
        // what PyYAML read for the Python tooling.
        let schema_error = spec_node.and_then(|s| match rules {
            ResolveRules::Kubernetes => {
                let json = koreo_schema::value::node_to_json(s, rules);
                koreo_schema::engine_first_error_json(kind.as_str(), &json)
            }
            ResolveRules::PyYaml => koreo_schema::engine_first_error(kind.as_str(), s),
        });
        out.push(Source {
            key: SourceKey {
                file: key.to_owned(),
                index,
            },
            kind,
            name: name.py_str(),
            spec: Arc::new(spec),
            schema_error,
            range: root.range,
            name_range: Some(name.range),
            text: text.clone(),
        });
    }
    out
}
