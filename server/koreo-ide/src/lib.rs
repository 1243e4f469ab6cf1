//! Layer 4: workspace index and every editor feature as plain Rust data (no LSP types).
//!
//! The shape follows rust-analyzer: an [`AnalysisHost`] owns the mutable state and applies
//! changes; [`AnalysisHost::analysis`] hands out an [`Analysis`], a cheap immutable
//! snapshot (`Arc`-shared) that requests run on, possibly on other threads. A snapshot is
//! cancelled as soon as the host applies a newer change: feature functions return
//! [`Cancellable`] and give up early with [`Cancelled`].
//!
//! Ranges are byte ranges ([`TextRange`]) in the file; callers convert them with the file's
//! [`LineIndex`] in whatever position encoding they negotiated.
//!
//! Adding a feature: write a module with a `pub(crate) fn feature(db: &Db, ...) -> T`,
//! expose it as an `Analysis` method wrapped in `self.with_db(...)`, and test it with the
//! fixture harness in [`fixture`].

#![deny(missing_docs)]

mod code_actions;
mod code_lens;
mod completion;
mod db;
pub mod diagnostics;
pub mod discover;
mod evaluation;
pub mod fixture;
mod folding;
pub mod function_tests;
#[cfg(test)]
mod function_tests_tests;
#[cfg(test)]
mod ide_tests;
mod inlay_hints;
mod kube_validation;
mod navigation;
mod preview;
#[cfg(test)]
mod preview_tests;
mod rename;
mod schema;
mod semantic_tokens;
mod symbols;
#[cfg(test)]
mod tests;
mod workflow_graph;
mod yaml_out;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use code_actions::{Assist, TextEdit};
pub use code_lens::CodeLens;
pub use completion::{CompletionItem, CompletionKind};
pub use db::{Contents, CrdLoc, DefLoc, FileAnalysis, Index, MAX_FILE_BYTES};
pub use diagnostics::{Diagnostic, Related, Severity};
pub use folding::Fold;
pub use function_tests::{CaseReport, CaseVerdict, TestReport, TestVerdict};
pub use inlay_hints::InlayHint;
pub use koreo_syntax::{LineIndex, PositionEncoding, TextPosition};
pub use navigation::{HoverResult, NavigationTarget};
pub use preview::Preview;
pub use rename::{RenameError, SourceEdit};
pub use semantic_tokens::{MOD_DECLARATION, MOD_DEFAULT_LIBRARY, SemanticToken, TokenType};
pub use symbols::{Symbol, SymbolKind};
pub use text_size::{TextRange, TextSize};
pub use workflow_graph::{GraphNode, WorkflowGraph};

use db::Db;

/// A file of the workspace, interned from the key the host gave it (a path or a URI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte offset in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePosition {
    /// The file.
    pub file: FileId,
    /// Byte offset in the file.
    pub offset: TextSize,
}

/// A byte range in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileRange {
    /// The file.
    pub file: FileId,
    /// Byte range in the file.
    pub range: TextRange,
}

impl FileRange {
    /// Sort key: file, then start, then end.
    pub fn sort_key(&self) -> (FileId, TextSize, TextSize) {
        (self.file, self.range.start(), self.range.end())
    }
}

/// The snapshot a request ran on is outdated; the request should be answered with
/// "content modified" (or retried).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the analysis changed while the request was running")
    }
}

impl std::error::Error for Cancelled {}

/// Result of a feature function that may be cancelled by a newer change.
pub type Cancellable<T> = Result<T, Cancelled>;

/// Counts in the workspace, for progress and summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Number of files.
    pub files: usize,
    /// Number of Koreo resources.
    pub resources: usize,
}

/// The mutable side: file contents as seen on disk and in open editors, and the analysis
/// state derived from them. Open documents shadow disk contents.
#[derive(Debug, Default)]
pub struct AnalysisHost {
    db: Arc<Db>,
    revision: Arc<AtomicU64>,
    disk: HashMap<FileId, Contents>,
    open: HashMap<FileId, Arc<str>>,
}

/// One change to apply: new disk contents, open-editor contents, or removals.
#[derive(Debug, Default)]
pub struct Change {
    disk: Vec<(String, Option<Contents>)>,
    open: Vec<(String, Option<Arc<str>>)>,
}

impl Change {
    /// An empty change.
    pub fn new() -> Change {
        Change::default()
    }

    /// Sets (`Some`) or removes (`None`) the on-disk contents of `key`.
    pub fn set_disk(&mut self, key: impl Into<String>, contents: Option<Contents>) -> &mut Self {
        self.disk.push((key.into(), contents));
        self
    }

    /// Sets (`Some`) the contents of an open editor for `key`, or closes it (`None`), after
    /// which the disk contents apply again.
    pub fn set_open(&mut self, key: impl Into<String>, text: Option<Arc<str>>) -> &mut Self {
        self.open.push((key.into(), text));
        self
    }

    /// Whether the change does nothing.
    pub fn is_empty(&self) -> bool {
        self.disk.is_empty() && self.open.is_empty()
    }
}

impl AnalysisHost {
    /// An empty workspace.
    pub fn new() -> AnalysisHost {
        AnalysisHost::default()
    }

    /// A snapshot for requests. Cheap: it shares the state.
    pub fn analysis(&self) -> Analysis {
        Analysis {
            db: self.db.clone(),
            revision: self.revision.clone(),
            at: self.revision.load(Ordering::SeqCst),
        }
    }

    /// Applies a change and returns the files whose diagnostics may differ now (including
    /// removed files, whose diagnostics should be cleared).
    pub fn apply_change(&mut self, change: Change) -> Vec<FileId> {
        // Cancel running requests first: they hold the old state.
        self.revision.fetch_add(1, Ordering::SeqCst);
        let db = Arc::make_mut(&mut self.db);
        let mut effective: Vec<(FileId, Option<Contents>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut touched = Vec::new();
        for (key, contents) in change.disk {
            let id = db.intern(&key);
            match contents {
                Some(c) => self.disk.insert(id, c),
                None => self.disk.remove(&id),
            };
            touched.push(id);
        }
        for (key, text) in change.open {
            let id = db.intern(&key);
            match text {
                Some(t) => self.open.insert(id, t),
                None => self.open.remove(&id),
            };
            touched.push(id);
        }
        for id in touched {
            if !seen.insert(id) {
                continue;
            }
            let contents = match self.open.get(&id) {
                Some(t) => Some(Contents::from_text(t.clone())),
                None => self.disk.get(&id).cloned(),
            };
            effective.push((id, contents));
        }
        db.set_files(effective)
    }

    /// The id of `key`, if the host has seen it.
    pub fn file_id(&self, key: &str) -> Option<FileId> {
        self.db.ids.get(key).copied()
    }

    /// Whether `file` is open in an editor.
    pub fn is_open(&self, file: FileId) -> bool {
        self.open.contains_key(&file)
    }

    /// Installs (or, with `None`, drops) the schemas fetched from a cluster. No diagnostic
    /// depends on them yet, so nothing needs republishing.
    pub fn set_cluster_schemas(&mut self, schemas: Option<koreo_schema::ClusterSchemas>) {
        self.revision.fetch_add(1, Ordering::SeqCst);
        let db = Arc::make_mut(&mut self.db);
        db.cluster = schemas;
        db.rebuild_schemas();
    }

    /// Keys of all files known on disk.
    pub fn disk_files(&self) -> Vec<FileId> {
        let mut v: Vec<FileId> = self.disk.keys().copied().collect();
        v.sort();
        v
    }
}

/// An immutable snapshot of the analysis, for one request.
#[derive(Clone, Debug)]
pub struct Analysis {
    db: Arc<Db>,
    revision: Arc<AtomicU64>,
    at: u64,
}

impl Analysis {
    /// `Err(Cancelled)` once the host has moved on.
    pub fn check_cancelled(&self) -> Cancellable<()> {
        if self.revision.load(Ordering::SeqCst) == self.at {
            Ok(())
        } else {
            Err(Cancelled)
        }
    }

    fn with_db<T>(&self, f: impl FnOnce(&Db) -> T) -> Cancellable<T> {
        self.check_cancelled()?;
        let v = f(&self.db);
        self.check_cancelled()?;
        Ok(v)
    }

    /// All files with an analysis, sorted by id.
    pub fn files(&self) -> Vec<FileId> {
        let mut v: Vec<FileId> = self.db.files.keys().copied().collect();
        v.sort();
        v
    }

    /// The key (path or URI) the host gave `file`.
    pub fn file_key(&self, file: FileId) -> Arc<str> {
        self.db
            .keys
            .get(file.0 as usize)
            .cloned()
            .unwrap_or_else(|| "".into())
    }

    /// The id of `key`, if known.
    pub fn file_id(&self, key: &str) -> Option<FileId> {
        self.db.ids.get(key).copied()
    }

    /// The per-file analysis (text, line index, parse, items, local diagnostics).
    pub fn file(&self, file: FileId) -> Option<&FileAnalysis> {
        self.db.files.get(&file).map(|f| &**f)
    }

    /// All known schemas: the built-in Koreo kinds, workspace CRDs and the cluster's.
    pub fn schemas(&self) -> &koreo_schema::SchemaStore {
        &self.db.schemas
    }

    /// The workspace index.
    pub fn index(&self) -> &Index {
        &self.db.index
    }

    /// Counts of files and resources.
    pub fn stats(&self) -> Stats {
        Stats {
            files: self.db.files.len(),
            resources: self.db.files.values().map(|f| f.resources().count()).sum(),
        }
    }

    /// All diagnostics of `file`, sorted by position.
    pub fn diagnostics(&self, file: FileId) -> Cancellable<Vec<Diagnostic>> {
        self.with_db(|db| {
            let mut out: Vec<Diagnostic> = Vec::new();
            if let Some(fa) = db.files.get(&file) {
                out.extend(fa.local_diagnostics().iter().cloned());
            }
            if let Some(sem) = db.semantic.get(&file) {
                out.extend(sem.iter().cloned());
            }
            if let Some(eval) = db.eval_diags.get(&file) {
                let ours = out.len();
                let references: Vec<TextRange> = db.files.get(&file).map_or(Vec::new(), |fa| {
                    fa.resources()
                        .flat_map(|r| r.references().into_iter().map(|x| x.range))
                        .collect()
                });
                for d in eval.iter() {
                    if !diagnostics::eval_is_redundant(d, &out[..ours], &references) {
                        out.push(d.clone());
                    }
                }
            }
            if let Some(tests) = db.test_diags.get(&file) {
                out.extend(tests.iter().cloned());
            }
            out.sort_by(|a, b| {
                (a.range.start(), a.range.end(), &a.code).cmp(&(
                    b.range.start(),
                    b.range.end(),
                    &b.code,
                ))
            });
            out
        })
    }

    /// Where the name under the cursor is defined.
    pub fn goto_definition(&self, pos: FilePosition) -> Cancellable<Vec<NavigationTarget>> {
        self.with_db(|db| navigation::goto_definition(db, pos))
    }

    /// Every reference to the resource under the cursor (a definition name or a reference),
    /// plus the definitions themselves when `include_declaration` is set.
    pub fn find_references(
        &self,
        pos: FilePosition,
        include_declaration: bool,
    ) -> Cancellable<Vec<FileRange>> {
        self.with_db(|db| navigation::find_references(db, pos, include_declaration))
    }

    /// Hover text for a reference or definition name under the cursor.
    pub fn hover(&self, pos: FilePosition) -> Cancellable<Option<HoverResult>> {
        self.with_db(|db| navigation::hover(db, pos).or_else(|| function_tests::hover(db, pos)))
    }

    /// The latest results of the FunctionTests of `file` (of every file with `None`), in
    /// file order. Tests run when the workspace loads and re-run when what they depend on
    /// changes.
    pub fn test_results(&self, file: Option<FileId>) -> Cancellable<Vec<TestReport>> {
        self.with_db(|db| function_tests::test_results(db, file))
    }

    /// The outline of a file: resources, with steps / test cases as children.
    pub fn document_symbols(&self, file: FileId) -> Cancellable<Vec<Symbol>> {
        self.with_db(|db| symbols::document_symbols(db, file))
    }

    /// Resources whose name matches `query` (case-insensitive subsequence), best first.
    pub fn workspace_symbols(
        &self,
        query: &str,
        limit: usize,
    ) -> Cancellable<Vec<NavigationTarget>> {
        self.with_db(|db| symbols::workspace_symbols(db, query, limit))
    }

    /// What the controller would produce for the Koreo resource at `pos` (a function with
    /// inputs from its tests or a workflow step, a FunctionTest case, a Workflow reconciled
    /// for a parent), as YAML. `None` when there is no Koreo resource there.
    pub fn preview(&self, pos: FilePosition) -> Cancellable<Option<Preview>> {
        self.with_db(|db| preview::preview(db, pos))
    }

    /// The graph of the Workflow at `pos` (or the first Workflow of `file`): Mermaid, DOT
    /// and the nodes. `None` when the file has no Workflow.
    pub fn workflow_graph(
        &self,
        file: FileId,
        pos: Option<FilePosition>,
    ) -> Cancellable<Option<WorkflowGraph>> {
        self.with_db(|db| workflow_graph::workflow_graph(db, file, pos))
    }

    /// The code actions available at `range` of `file`.
    pub fn code_actions(&self, file: FileId, range: TextRange) -> Cancellable<Vec<Assist>> {
        self.with_db(|db| code_actions::code_actions(db, file, range))
    }

    /// The code lenses of a file (every provider's, in file order).
    pub fn code_lenses(&self, file: FileId) -> Cancellable<Vec<CodeLens>> {
        self.with_db(|db| code_lens::code_lenses(db, file))
    }

    /// Completion candidates at `pos`: YAML keys and values, reference names, and CEL
    /// variables, fields and functions inside `=` expressions.
    pub fn completions(&self, pos: FilePosition) -> Cancellable<Vec<CompletionItem>> {
        self.with_db(|db| completion::completions(db, pos))
    }

    /// The name to rename at `pos` (its range, without quotes, and current text); `None`
    /// when there is nothing to rename, an error when renaming it is refused.
    pub fn prepare_rename(
        &self,
        pos: FilePosition,
    ) -> Cancellable<Result<Option<(TextRange, String)>, RenameError>> {
        self.with_db(|db| rename::prepare_rename(db, pos))
    }

    /// The edits renaming the resource (definition and every reference, kind-aware) or the
    /// step label (and its `steps.<label>` uses) at `pos` to `new_name`.
    pub fn rename(
        &self,
        pos: FilePosition,
        new_name: &str,
    ) -> Cancellable<Result<Vec<SourceEdit>, RenameError>> {
        self.with_db(|db| rename::rename(db, pos, new_name))
    }

    /// Semantic tokens of a file in file order, each within one line.
    pub fn semantic_tokens(&self, file: FileId) -> Cancellable<Vec<SemanticToken>> {
        self.with_db(|db| semantic_tokens::semantic_tokens(db, file))
    }

    /// Inlay hints of a file (those in `range` when given): each Workflow step reference's
    /// target kind and the inputs it reads.
    pub fn inlay_hints(
        &self,
        file: FileId,
        range: Option<TextRange>,
    ) -> Cancellable<Vec<InlayHint>> {
        self.with_db(|db| inlay_hints::inlay_hints(db, file, range))
    }

    /// Foldable regions of a file.
    pub fn folding_ranges(&self, file: FileId) -> Cancellable<Vec<Fold>> {
        self.with_db(|db| folding::folding_ranges(db, file))
    }
}
