//! The built-in Koreo kinds: our own CRD documents under `builtin/`, embedded in the
//! binary and loaded through the same CRD loader as any workspace or cluster CRD.

use std::sync::OnceLock;

use crate::load::{CrdDefinition, load_crd_node};
use crate::model::{KindSchema, SchemaSource};

/// The API group of the Koreo kinds.
pub const KOREO_GROUP: &str = "koreo.dev";
/// The (only) version of the Koreo kinds.
pub const KOREO_VERSION: &str = "v1beta1";
/// `apiVersion` of the Koreo kinds.
pub const KOREO_API_VERSION: &str = "koreo.dev/v1beta1";
/// The five Koreo kinds, in the order the engine prepares them.
pub const KOREO_KINDS: [&str; 5] = [
    "ResourceTemplate",
    "ValueFunction",
    "ResourceFunction",
    "Workflow",
    "FunctionTest",
];

/// The embedded definitions: (file name, YAML text).
pub const SOURCES: [(&str, &str); 5] = [
    (
        "resourcetemplate.yaml",
        include_str!("../builtin/resourcetemplate.yaml"),
    ),
    (
        "valuefunction.yaml",
        include_str!("../builtin/valuefunction.yaml"),
    ),
    (
        "resourcefunction.yaml",
        include_str!("../builtin/resourcefunction.yaml"),
    ),
    ("workflow.yaml", include_str!("../builtin/workflow.yaml")),
    (
        "functiontest.yaml",
        include_str!("../builtin/functiontest.yaml"),
    ),
];

/// The built-in Koreo CRDs, loaded once.
pub fn koreo_crds() -> &'static [CrdDefinition] {
    static CRDS: OnceLock<Vec<CrdDefinition>> = OnceLock::new();
    CRDS.get_or_init(|| {
        SOURCES
            .iter()
            .flat_map(|(_, text)| {
                let parsed = koreo_syntax::parse_file(text);
                parsed
                    .documents
                    .into_iter()
                    .filter_map(|d| d.root)
                    .filter_map(|root| load_crd_node(&root, SchemaSource::Builtin).ok())
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// The built-in Koreo kinds (one per kind and version).
pub fn koreo_kinds() -> &'static [KindSchema] {
    static KINDS: OnceLock<Vec<KindSchema>> = OnceLock::new();
    KINDS.get_or_init(|| {
        koreo_crds()
            .iter()
            .flat_map(|c| c.kinds.iter().cloned())
            .collect()
    })
}

/// The built-in schema of a Koreo kind at `koreo.dev/v1beta1`.
pub fn koreo_kind(kind: &str) -> Option<&'static KindSchema> {
    koreo_kinds()
        .iter()
        .find(|k| k.gvk.kind == kind && k.gvk.version == KOREO_VERSION)
}
