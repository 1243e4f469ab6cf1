//! The schema store: every kind we know a schema for, by group/version/kind.
//!
//! Sources, highest precedence first:
//! 1. **Built-in Koreo kinds** for the `koreo.dev` group. They reproduce the schemas the
//!    engine validates with (its bundled CRDs), plus our documentation; a Koreo CRD
//!    vendored in the workspace or installed in the cluster describes the same thing.
//! 2. **Workspace CRD files**, added and removed per file by the index layer. When two
//!    files define the same kind, the file whose key sorts first wins (deterministic).
//! 3. **The cluster** of the selected kubeconfig context (CRDs and built-in API types).
//! 4. **The disk cache** of that context, used when the cluster is offline or unreachable.
//!    (3 and 4 are one snapshot: a live fetch replaces the cached one.)
//! 5. Built-in kinds of other groups (none today).
//!
//! Workspace files beat the cluster because they are what the user is about to apply.

use std::collections::{BTreeMap, HashMap};

use koreo_syntax::Node;

use crate::builtin;
use crate::load::{CrdDefinition, LoadError, load_crd_node};
use crate::model::{Gvk, KindSchema, PathSegment, SchemaSource, split_api_version};
use crate::value::{key_text, map_get};
use crate::view::SchemaView;

/// Kinds fetched from a cluster (or read back from the disk cache).
#[derive(Clone, Debug, Default)]
pub struct ClusterSchemas {
    /// The kubeconfig context they came from.
    pub context: String,
    /// True when read from the disk cache rather than fetched just now.
    pub from_cache: bool,
    pub kinds: Vec<KindSchema>,
    /// Why the live fetch failed, when this snapshot is the disk-cache fallback.
    pub fetch_error: Option<String>,
}

/// All known schemas, with precedence between sources (see the module documentation).
#[derive(Debug, Default)]
pub struct SchemaStore {
    builtin: Vec<KindSchema>,
    workspace: BTreeMap<String, Vec<CrdDefinition>>,
    cluster: Option<ClusterSchemas>,
    index: HashMap<Gvk, KindSchema>,
    generation: u64,
}

impl SchemaStore {
    /// A store holding the built-in Koreo kinds.
    pub fn new() -> Self {
        let mut store = Self {
            builtin: builtin::koreo_kinds().to_vec(),
            ..Self::default()
        };
        store.rebuild();
        store
    }

    /// A store with no kind at all (tests, tools).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Bumped on every change, so callers know when to revalidate.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Replace the CRDs contributed by workspace file `file` with those among `documents`
    /// (documents that are not CRDs are ignored). Returns the problems of the CRDs that
    /// could not be loaded, with the document's index.
    pub fn set_workspace_file(
        &mut self,
        file: &str,
        documents: &[&Node],
    ) -> Vec<(usize, LoadError)> {
        let mut crds = Vec::new();
        let mut errors = Vec::new();
        for (i, doc) in documents.iter().enumerate() {
            if !is_crd_document(doc) {
                continue;
            }
            match load_crd_node(doc, SchemaSource::Workspace(file.to_owned())) {
                Ok(crd) => crds.push(crd),
                Err(e) => errors.push((i, e)),
            }
        }
        self.set_workspace_crds(file, crds);
        errors
    }

    /// Replace the CRDs contributed by workspace file `file`.
    pub fn set_workspace_crds(&mut self, file: &str, crds: Vec<CrdDefinition>) {
        if crds.is_empty() {
            if self.workspace.remove(file).is_none() {
                return;
            }
        } else {
            self.workspace.insert(file.to_owned(), crds);
        }
        self.rebuild();
    }

    /// Forget everything workspace file `file` contributed.
    pub fn remove_workspace_file(&mut self, file: &str) {
        if self.workspace.remove(file).is_some() {
            self.rebuild();
        }
    }

    /// Install a cluster (or disk cache) snapshot, replacing the previous one.
    pub fn set_cluster(&mut self, schemas: ClusterSchemas) {
        self.cluster = Some(schemas);
        self.rebuild();
    }

    /// Drop the cluster snapshot.
    pub fn clear_cluster(&mut self) {
        if self.cluster.take().is_some() {
            self.rebuild();
        }
    }

    /// The current cluster snapshot, if any.
    pub fn cluster(&self) -> Option<&ClusterSchemas> {
        self.cluster.as_ref()
    }

    fn rebuild(&mut self) {
        let mut index: HashMap<Gvk, KindSchema> = HashMap::new();
        // Lowest precedence first; later inserts win.
        for k in self
            .builtin
            .iter()
            .filter(|k| k.gvk.group != builtin::KOREO_GROUP)
        {
            index.insert(k.gvk.clone(), k.clone());
        }
        if let Some(c) = &self.cluster {
            for k in &c.kinds {
                index.insert(k.gvk.clone(), k.clone());
            }
        }
        // BTreeMap order: the first file wins, so insert in reverse.
        for crds in self.workspace.values().rev() {
            for k in crds.iter().flat_map(|c| &c.kinds) {
                index.insert(k.gvk.clone(), k.clone());
            }
        }
        for k in self
            .builtin
            .iter()
            .filter(|k| k.gvk.group == builtin::KOREO_GROUP)
        {
            index.insert(k.gvk.clone(), k.clone());
        }
        self.index = index;
        self.generation += 1;
    }

    /// The schema of a kind.
    pub fn get(&self, gvk: &Gvk) -> Option<&KindSchema> {
        self.index.get(gvk)
    }

    /// The schema of `kind` at `apiVersion` (`apps/v1`, `v1`).
    pub fn get_by_api_version(&self, api_version: &str, kind: &str) -> Option<&KindSchema> {
        let (group, version) = split_api_version(api_version);
        self.index.get(&Gvk::new(group, version, kind))
    }

    /// Every known kind, sorted by group, version and kind (for completion).
    pub fn kinds(&self) -> Vec<&KindSchema> {
        let mut all: Vec<&KindSchema> = self.index.values().collect();
        all.sort_by(|a, b| a.gvk.cmp(&b.gvk));
        all
    }

    /// Known kinds of one `apiVersion`, sorted by kind.
    pub fn kinds_of_api_version(&self, api_version: &str) -> Vec<&KindSchema> {
        let (group, version) = split_api_version(api_version);
        let mut out: Vec<&KindSchema> = self
            .index
            .values()
            .filter(|k| k.gvk.group == group && k.gvk.version == version)
            .collect();
        out.sort_by(|a, b| a.gvk.kind.cmp(&b.gvk.kind));
        out
    }

    /// Known kinds named `kind`, any group or version (to suggest an `apiVersion`).
    pub fn kinds_named(&self, kind: &str) -> Vec<&KindSchema> {
        let mut out: Vec<&KindSchema> =
            self.index.values().filter(|k| k.gvk.kind == kind).collect();
        out.sort_by(|a, b| a.gvk.cmp(&b.gvk));
        out
    }

    /// The schema node at `path` inside objects of `gvk` (for hover and completion).
    /// `path` starts at the object's root: `["spec", "steps", 0, "label"]`.
    pub fn schema_at(&self, gvk: &Gvk, path: &[PathSegment]) -> Option<SchemaView<'_>> {
        self.get(gvk)?.root().at_path(path)
    }

    /// The schema node at `path` inside `document` (a whole resource), using its own
    /// `apiVersion` and `kind`.
    pub fn schema_at_document(
        &self,
        document: &Node,
        path: &[PathSegment],
    ) -> Option<SchemaView<'_>> {
        let api_version = map_get(document, "apiVersion").and_then(|e| key_text(&e.value))?;
        let kind = map_get(document, "kind").and_then(|e| key_text(&e.value))?;
        self.get_by_api_version(api_version, kind)?
            .root()
            .at_path(path)
    }
}

/// True for a mapping with `kind: CustomResourceDefinition` in an `apiextensions.k8s.io`
/// apiVersion.
pub fn is_crd_document(node: &Node) -> bool {
    let kind = map_get(node, "kind").and_then(|e| key_text(&e.value));
    let api = map_get(node, "apiVersion").and_then(|e| key_text(&e.value));
    kind == Some("CustomResourceDefinition")
        && api.is_some_and(|a| a.starts_with("apiextensions.k8s.io/"))
}
