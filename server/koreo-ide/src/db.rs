//! Analysis state: per-file results (parse, model, local diagnostics) cached by content, a
//! workspace index of definitions and references, and cross-file diagnostics invalidated
//! through the index's reverse dependencies.

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use koreo_model::{Item, Kind, Resource};
use koreo_syntax::{LineIndex, ParsedFile};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::diagnostics::{self, Diagnostic, Severity};

/// Files larger than this are not parsed: they are reported and skipped (bounded time and
/// memory on pathological input; real Koreo files are a few kilobytes).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// What a file holds, as read by the host.
#[derive(Clone, Debug)]
pub enum Contents {
    /// UTF-8 text.
    Text(Arc<str>),
    /// Not analysable; the reason becomes an information diagnostic on the file.
    Skipped(String),
}

impl Contents {
    /// Classifies raw bytes: binary or invalid UTF-8 or oversized content is skipped.
    pub fn from_bytes(bytes: Vec<u8>) -> Contents {
        if bytes.len() > MAX_FILE_BYTES {
            return Contents::Skipped(format!(
                "File skipped: {} bytes is more than the {} byte limit for YAML files.",
                bytes.len(),
                MAX_FILE_BYTES
            ));
        }
        if bytes.contains(&0) {
            return Contents::Skipped("File skipped: it looks binary (contains NUL bytes).".into());
        }
        match String::from_utf8(bytes) {
            Ok(s) => Contents::from_text(s),
            Err(e) => Contents::Skipped(format!(
                "File skipped: it is not valid UTF-8 (invalid byte at offset {}).",
                e.utf8_error().valid_up_to()
            )),
        }
    }

    /// Text content, applying the same size limit as [`Contents::from_bytes`].
    pub fn from_text(text: impl Into<Arc<str>>) -> Contents {
        let text = text.into();
        if text.len() > MAX_FILE_BYTES {
            return Contents::Skipped(format!(
                "File skipped: {} bytes is more than the {} byte limit for YAML files.",
                text.len(),
                MAX_FILE_BYTES
            ));
        }
        Contents::Text(text)
    }
}

/// Everything known about one file that depends only on its own content.
#[derive(Debug)]
pub struct FileAnalysis {
    text: Arc<str>,
    line_index: Arc<LineIndex>,
    parsed: Option<ParsedFile>,
    items: Vec<Item>,
    local: Vec<Diagnostic>,
    crds: Vec<koreo_schema::CrdDefinition>,
}

impl FileAnalysis {
    /// Parses and lowers one file. Never panics: an internal failure becomes a diagnostic.
    pub(crate) fn new(file: FileId, key: &str, contents: &Contents) -> FileAnalysis {
        let text = match contents {
            Contents::Text(t) => t.clone(),
            Contents::Skipped(reason) => return Self::skipped(file, "".into(), reason.clone()),
        };
        match catch_unwind(AssertUnwindSafe(|| Self::analyse(file, key, text.clone()))) {
            Ok(fa) => fa,
            Err(payload) => {
                let msg = panic_message(&payload);
                tracing::error!(file = file.0, "analysis panicked: {msg}");
                Self::skipped(
                    file,
                    text,
                    format!("Internal error while analysing this file ({msg}); please report it."),
                )
            }
        }
    }

    fn skipped(file: FileId, text: Arc<str>, reason: String) -> FileAnalysis {
        let line_index = Arc::new(LineIndex::new(&text));
        let local = vec![Diagnostic::new(
            file,
            TextRange::empty(TextSize::from(0)),
            Severity::Information,
            "file-skipped",
            reason,
        )];
        FileAnalysis {
            text,
            line_index,
            parsed: None,
            items: Vec::new(),
            local,
            crds: Vec::new(),
        }
    }

    fn analyse(file: FileId, key: &str, text: Arc<str>) -> FileAnalysis {
        let line_index = Arc::new(LineIndex::new(&text));
        let parsed = koreo_syntax::parse_file(&text);
        let mut local = Vec::new();
        let syntax = parsed
            .errors
            .iter()
            .chain(parsed.documents.iter().flat_map(|d| &d.errors));
        for e in syntax {
            local.push(Diagnostic::new(
                file,
                e.range,
                e.severity,
                e.code,
                e.message.clone(),
            ));
        }
        let mut items = Vec::with_capacity(parsed.documents.len());
        let mut crds = Vec::new();
        for doc in &parsed.documents {
            let lowered = koreo_model::lower_document(doc);
            for p in lowered.problems {
                local.push(Diagnostic::new(
                    file, p.range, p.severity, p.code, p.message,
                ));
            }
            match (&lowered.item, &doc.root) {
                (Item::Resource(res), Some(root)) => {
                    crate::schema::validate(file, res, root, &mut local);
                }
                // Workspace CRDs feed the schema store.
                (Item::Crd(crd), Some(root)) => {
                    let source = koreo_schema::SchemaSource::Workspace(key.to_owned());
                    match koreo_schema::load_crd_node(root, source) {
                        Ok(def) => crds.push(def),
                        Err(e) => local.push(Diagnostic::new(
                            file,
                            crd.kind.as_ref().map_or(crd.range, |k| k.range),
                            Severity::Warning,
                            "crd-invalid",
                            format!("This CRD cannot be used for validation: {e}"),
                        )),
                    }
                }
                _ => {}
            }
            items.push(lowered.item);
        }
        // Plain Kubernetes YAML opened next to Koreo files: only real errors, no lint noise.
        let koreo_named = crate::discover::is_koreo_name(std::path::Path::new(key));
        if !koreo_named && !items.iter().any(|i| matches!(i, Item::Resource(_))) {
            local.retain(|d| d.severity == Severity::Error);
        }
        FileAnalysis {
            text,
            line_index,
            parsed: Some(parsed),
            items,
            local,
            crds,
        }
    }

    /// CRDs defined in this file, loaded for the schema store.
    pub fn crds(&self) -> &[koreo_schema::CrdDefinition] {
        &self.crds
    }

    /// The file's text (empty for skipped files).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// Line index of the text, for offset <-> position conversion.
    pub fn line_index(&self) -> &Arc<LineIndex> {
        &self.line_index
    }

    /// The YAML parse (`None` for skipped files).
    pub fn parsed(&self) -> Option<&ParsedFile> {
        self.parsed.as_ref()
    }

    /// One item per YAML document, in document order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The Koreo resources of the file, in document order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.items.iter().filter_map(|i| match i {
            Item::Resource(r) => Some(&**r),
            _ => None,
        })
    }

    /// Diagnostics that depend on this file alone (syntax, model, schema).
    pub fn local_diagnostics(&self) -> &[Diagnostic] {
        &self.local
    }

    /// Names this file defines, references, or (for CRDs) keys it provides: the keys
    /// through which a change here can affect other files.
    fn index_keys(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut defs = BTreeSet::new();
        let mut refs = BTreeSet::new();
        for item in &self.items {
            match item {
                Item::Resource(r) => {
                    if let Some(n) = &r.name {
                        defs.insert(n.value.clone());
                    }
                    for reference in r.references() {
                        if let Some(n) = &reference.name {
                            refs.insert(n.value.clone());
                        }
                    }
                    if let koreo_model::Body::Workflow(wf) = &r.body
                        && let Some(k) = wf.crd_ref.as_ref().and_then(|c| c.kind.as_ref())
                    {
                        refs.insert(crd_key(&k.value));
                    }
                }
                Item::Crd(c) => {
                    if let Some(k) = &c.kind {
                        defs.insert(crd_key(&k.value));
                    }
                }
                Item::Object(_) | Item::Other => {}
            }
        }
        (defs, refs)
    }
}

fn crd_key(kind: &str) -> String {
    format!("\u{0}crd:{kind}")
}

pub(crate) fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Where a Koreo resource is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefLoc {
    /// The file.
    pub file: FileId,
    /// The resource kind.
    pub kind: Kind,
    /// Index of the document (= item) in the file.
    pub doc: usize,
    /// Range of the `metadata.name` value.
    pub name_range: TextRange,
    /// Range of the whole resource.
    pub range: TextRange,
}

/// Where a CRD is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdLoc {
    /// The file.
    pub file: FileId,
    /// `spec.group`.
    pub group: String,
    /// `spec.names.kind`.
    pub kind: String,
    /// `spec.versions[].name`.
    pub versions: Vec<String>,
    /// Byte range in the file.
    pub range: TextRange,
    /// Range of `spec.names.kind`.
    pub kind_range: TextRange,
}

/// The workspace index: definitions by name, CRDs by kind, and which files reference a name.
#[derive(Clone, Debug, Default)]
pub struct Index {
    defs: HashMap<String, Vec<DefLoc>>,
    crds: HashMap<String, Vec<CrdLoc>>,
    referencers: HashMap<String, BTreeSet<FileId>>,
    definers: HashMap<String, BTreeSet<FileId>>,
}

impl Index {
    /// Every definition named `name`, of any kind, in a stable order.
    pub fn defs(&self, name: &str) -> &[DefLoc] {
        self.defs.get(name).map_or(&[], |v| v)
    }

    /// The definitions of `(kind, name)`: more than one is a collision.
    pub fn lookup(&self, kind: Kind, name: &str) -> Vec<&DefLoc> {
        self.defs(name).iter().filter(|d| d.kind == kind).collect()
    }

    /// All definitions, grouped by name.
    pub fn all_defs(&self) -> impl Iterator<Item = (&str, &[DefLoc])> {
        self.defs.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Workspace CRDs whose `spec.names.kind` is `kind`.
    pub fn crds_of_kind(&self, kind: &str) -> &[CrdLoc] {
        self.crds.get(kind).map_or(&[], |v| v)
    }

    /// Files whose references mention `name`.
    pub fn referencers(&self, name: &str) -> impl Iterator<Item = FileId> + '_ {
        self.referencers.get(name).into_iter().flatten().copied()
    }

    fn remove_file(&mut self, file: FileId, fa: &FileAnalysis) {
        let (defs, refs) = fa.index_keys();
        for name in &defs {
            if let Some(v) = self.defs.get_mut(name) {
                v.retain(|d| d.file != file);
                if v.is_empty() {
                    self.defs.remove(name);
                }
            }
            remove_from_set(&mut self.definers, name, file);
        }
        for name in &refs {
            remove_from_set(&mut self.referencers, name, file);
        }
        for item in &fa.items {
            if let Item::Crd(c) = item
                && let Some(k) = &c.kind
                && let Some(v) = self.crds.get_mut(&k.value)
            {
                v.retain(|d| d.file != file);
                if v.is_empty() {
                    self.crds.remove(&k.value);
                }
            }
        }
    }

    fn add_file(&mut self, file: FileId, fa: &FileAnalysis) {
        let (defs, refs) = fa.index_keys();
        for name in defs {
            self.definers.entry(name).or_default().insert(file);
        }
        for name in refs {
            self.referencers.entry(name).or_default().insert(file);
        }
        for (doc, item) in fa.items.iter().enumerate() {
            match item {
                Item::Resource(r) => {
                    if let Some(n) = &r.name {
                        let v = self.defs.entry(n.value.clone()).or_default();
                        v.push(DefLoc {
                            file,
                            kind: r.kind,
                            doc,
                            name_range: n.range,
                            range: r.range,
                        });
                        v.sort_by_key(|d| (d.file, d.name_range.start()));
                    }
                }
                Item::Crd(c) => {
                    if let Some(k) = &c.kind {
                        let v = self.crds.entry(k.value.clone()).or_default();
                        v.push(CrdLoc {
                            file,
                            group: c
                                .group
                                .as_ref()
                                .map(|g| g.value.clone())
                                .unwrap_or_default(),
                            kind: k.value.clone(),
                            versions: c.versions.iter().map(|v| v.value.clone()).collect(),
                            range: c.range,
                            kind_range: k.range,
                        });
                        v.sort_by_key(|d| (d.file, d.range.start()));
                    }
                }
                Item::Object(_) | Item::Other => {}
            }
        }
    }
}

fn remove_from_set(map: &mut HashMap<String, BTreeSet<FileId>>, key: &str, file: FileId) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&file);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// The state shared (through an `Arc`) by the host and every snapshot.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub(crate) files: HashMap<FileId, Arc<FileAnalysis>>,
    pub(crate) index: Index,
    pub(crate) semantic: HashMap<FileId, Arc<Vec<Diagnostic>>>,
    /// The engine's findings (prepare failures, lints, test inputs) per file.
    pub(crate) eval_diags: HashMap<FileId, Arc<Vec<Diagnostic>>>,
    /// The last run of every FunctionTest, by name.
    pub(crate) tests: HashMap<String, Arc<crate::function_tests::StoredTest>>,
    /// The names in `tests` by the file each reports on (kept in step with `tests`).
    pub(crate) tests_by_file: HashMap<FileId, BTreeSet<String>>,
    /// Failing cases and fields, per file.
    pub(crate) test_diags: HashMap<FileId, Arc<Vec<Diagnostic>>>,
    /// The FunctionTests the last change ran (what incremental re-runs are checked by).
    pub(crate) tests_ran: Vec<String>,
    pub(crate) keys: Vec<Arc<str>>,
    pub(crate) ids: HashMap<Arc<str>, FileId>,
    /// Built-in kinds, workspace CRDs and the cluster snapshot.
    pub(crate) schemas: Arc<koreo_schema::SchemaStore>,
    pub(crate) cluster: Option<koreo_schema::ClusterSchemas>,
    /// The Koreo resources prepared as the controller would (previews, rendered checks).
    pub(crate) eval: crate::evaluation::EvalState,
}

impl Default for Db {
    fn default() -> Db {
        Db {
            files: HashMap::new(),
            index: Index::default(),
            semantic: HashMap::new(),
            eval_diags: HashMap::new(),
            tests: HashMap::new(),
            tests_by_file: HashMap::new(),
            test_diags: HashMap::new(),
            tests_ran: Vec::new(),
            keys: Vec::new(),
            ids: HashMap::new(),
            schemas: Arc::new(koreo_schema::SchemaStore::new()),
            cluster: None,
            eval: Default::default(),
        }
    }
}

impl Db {
    /// Rebuilds the schema store from the built-in kinds, every workspace CRD and the
    /// cluster snapshot. Only runs when CRDs or the cluster change, which is rare.
    pub(crate) fn rebuild_schemas(&mut self) {
        let mut store = koreo_schema::SchemaStore::new();
        let mut files: Vec<_> = self
            .files
            .iter()
            .filter(|(_, f)| !f.crds.is_empty())
            .collect();
        files.sort_by_key(|(id, _)| **id);
        for (id, fa) in files {
            store.set_workspace_crds(&self.keys[id.0 as usize], fa.crds.clone());
        }
        if let Some(cluster) = &self.cluster {
            store.set_cluster(cluster.clone());
        }
        self.schemas = Arc::new(store);
    }

    pub(crate) fn intern(&mut self, key: &str) -> FileId {
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = FileId(self.keys.len() as u32);
        let key: Arc<str> = key.into();
        self.keys.push(key.clone());
        self.ids.insert(key, id);
        id
    }

    /// Applies new contents (or removal, `None`) for several files at once and returns the
    /// files whose diagnostics may have changed, sorted.
    pub(crate) fn set_files(&mut self, changes: Vec<(FileId, Option<Contents>)>) -> Vec<FileId> {
        let changes = changes
            .into_iter()
            .map(|(f, c)| (f, c, self.keys[f.0 as usize].clone()))
            .collect();
        let analysed = analyse_parallel(changes);
        let changed: Vec<FileId> = analysed.iter().map(|(f, _)| *f).collect();
        let mut touched_keys: BTreeSet<String> = BTreeSet::new();
        let mut affected: BTreeSet<FileId> = BTreeSet::new();
        let mut crds_changed = false;
        for (file, fa) in analysed {
            affected.insert(file);
            if let Some(old) = self.files.remove(&file) {
                crds_changed |= !old.crds.is_empty();
                touched_keys.extend(old.index_keys().0);
                self.index.remove_file(file, &old);
            }
            match fa {
                Some(fa) => {
                    crds_changed |= !fa.crds.is_empty();
                    touched_keys.extend(fa.index_keys().0);
                    self.index.add_file(file, &fa);
                    self.files.insert(file, Arc::new(fa));
                }
                None => {
                    self.semantic.remove(&file);
                }
            }
        }
        if crds_changed {
            self.rebuild_schemas();
        }
        let (files, keys) = (&self.files, &self.keys);
        let (re_prepared, re_prepared_tests) = self.eval.update(
            changed
                .iter()
                .map(|f| (&*keys[f.0 as usize], files.get(f).map(|fa| &**fa))),
        );
        affected.extend(self.update_eval_diagnostics(&changed, &re_prepared));
        affected.extend(crate::function_tests::update(self, &re_prepared_tests));
        for key in &touched_keys {
            affected.extend(self.index.referencers(key));
            affected.extend(self.index.definers.get(key).into_iter().flatten().copied());
        }
        for file in &affected {
            if self.files.contains_key(file) {
                let diags = diagnostics::semantic(self, *file);
                self.semantic.insert(*file, Arc::new(diags));
            }
        }
        affected.into_iter().collect()
    }
}

impl Db {
    /// Recomputes the engine's findings of the files holding a re-prepared resource (or a
    /// changed file) and returns the files whose findings differ.
    fn update_eval_diagnostics(
        &mut self,
        changed: &[FileId],
        re_prepared: &BTreeSet<koreo_eval::ResourceRef>,
    ) -> Vec<FileId> {
        let registry = self.eval.registry();
        let mut keys: BTreeSet<String> = changed
            .iter()
            .map(|f| self.keys[f.0 as usize].to_string())
            .collect();
        for r in re_prepared {
            keys.extend(registry.files_of(r));
        }
        let found = self.eval.diagnostics(&keys);
        let mut differ = Vec::new();
        for (key, diags) in found {
            let Some(&file) = self.ids.get(key.as_str()) else {
                continue;
            };
            if !self.files.contains_key(&file) {
                differ.extend(self.eval_diags.remove(&file).map(|_| file));
                continue;
            }
            let diags: Vec<Diagnostic> = diags
                .into_iter()
                .map(|d| diagnostics::from_eval(file, d))
                .collect();
            if self.eval_diags.get(&file).map(|v| &**v) != Some(&diags) {
                differ.push(file);
                self.eval_diags.insert(file, Arc::new(diags));
            }
        }
        differ
    }
}

/// Parses and lowers files on all cores; the rest of the update is sequential and cheap.
fn analyse_parallel(
    changes: Vec<(FileId, Option<Contents>, Arc<str>)>,
) -> Vec<(FileId, Option<FileAnalysis>)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if changes.len() < 16 || threads < 2 {
        return changes
            .into_iter()
            .map(|(f, c, key)| (f, c.map(|c| FileAnalysis::new(f, &key, &c))))
            .collect();
    }
    let chunk = changes.len().div_ceil(threads);
    let mut out = Vec::with_capacity(changes.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = changes
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(f, c, key)| (*f, c.as_ref().map(|c| FileAnalysis::new(*f, key, c))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // FileAnalysis::new catches panics itself, so a join error cannot come from input.
            if let Ok(part) = h.join() {
                out.extend(part);
            }
        }
    });
    out
}
