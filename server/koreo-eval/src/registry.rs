//! The prepare cache (§1.3): resources keyed by `(kind, name)` (namespace ignored, as the
//! engine does), prepared in dependency order, with the dependency graph the IDE needs to
//! re-run only the FunctionTests a change affects.

use crate::api::Api;
use crate::cel::Crash;
use crate::data::Data;
use crate::ft::{self, FunctionTest, FunctionUnderTest, TestRun};
use crate::outcome::Outcome;
use crate::prepare::PrepareError;
use crate::resource::{Kind, ResourceRef};
use crate::rf::{self, ResourceFunction, RfContext};
use crate::rt::{self, ResourceTemplate};
use crate::spec::SNode;
use crate::structure::is_expression;
use crate::vf::{self, ValueFunction};
use crate::wf::{self, Logic, Workflow, WorkflowResult};
use koreo_syntax::yaml::ResolveRules;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use text_size::TextRange;

/// Where a resource document comes from: a file and the document's index in it. Among
/// duplicates of one `(kind, name)`, the greatest key wins (the reference loads files in
/// sorted order, later documents replacing earlier ones).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceKey {
    /// File path (as the caller names it).
    pub file: String,
    /// 0-based index of the YAML document in the file.
    pub index: usize,
}

/// One Koreo resource document, as handed to the registry.
#[derive(Clone, Debug)]
pub struct Source {
    /// Where the document comes from.
    pub key: SourceKey,
    /// The Koreo kind.
    pub kind: Kind,
    /// `metadata.name`.
    pub name: String,
    /// The resolved `spec` tree (with ranges in the file).
    pub spec: Arc<SNode>,
    /// The first schema violation, as the engine words it (computed by the schema layer);
    /// the resource then prepares into that PermFail.
    pub schema_error: Option<String>,
    /// Range of the whole document.
    pub range: TextRange,
    /// Range of `metadata.name`.
    pub name_range: Option<TextRange>,
    /// The file text (lints read scalars as written).
    pub text: Arc<str>,
}

/// A prepared resource.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// A prepared ResourceTemplate.
    ResourceTemplate(Arc<ResourceTemplate>),
    /// A prepared ValueFunction.
    ValueFunction(Arc<ValueFunction>),
    /// A prepared ResourceFunction.
    ResourceFunction(Arc<ResourceFunction>),
    /// A prepared Workflow.
    Workflow(Arc<Workflow>),
    /// A prepared FunctionTest.
    FunctionTest(Arc<FunctionTest>),
}

/// The prepare result of one resource and what it depends on.
#[derive(Clone, Debug)]
pub struct PrepareState {
    /// The prepared resource, or why it did not prepare.
    pub result: Result<Prepared, PrepareError>,
    /// Resources whose prepared state this one captured or may read (direct only).
    pub depends_on: Vec<ResourceRef>,
    /// Depends on every ResourceTemplate (a `resourceTemplateRef` computed at reconcile).
    pub depends_on_all_templates: bool,
}

impl PrepareState {
    /// The cached outcome the engine would see: `Ok(())` or the failure.
    pub fn outcome(&self) -> Outcome<()> {
        match &self.result {
            Ok(_) => Outcome::Ok(()),
            Err(e) => e.outcome.clone(),
        }
    }
}

/// The workspace of prepared Koreo resources.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    sources: BTreeMap<ResourceRef, BTreeMap<SourceKey, Source>>,
    prepared: HashMap<ResourceRef, Arc<PrepareState>>,
    /// Static references of each resource's active source (see [`static_deps`]).
    static_refs: HashMap<ResourceRef, (Vec<ResourceRef>, bool)>,
    // Indexes, so that loading or changing one file costs what the file holds, not what
    // the workspace holds (a scan per document made large workspaces quadratic).
    /// The resource each document key holds.
    key_owner: HashMap<SourceKey, ResourceRef>,
    /// Document keys per file.
    file_keys: HashMap<String, BTreeSet<SourceKey>>,
    /// Who names `r` in its static references / its prepared `depends_on`.
    static_rdeps: HashMap<ResourceRef, BTreeSet<ResourceRef>>,
    prepared_rdeps: HashMap<ResourceRef, BTreeSet<ResourceRef>>,
    /// Who may use any ResourceTemplate (statically / once prepared).
    static_all_templates: BTreeSet<ResourceRef>,
    prepared_all_templates: BTreeSet<ResourceRef>,
    /// Resources invalidated since the last [`Registry::prepare_all`] (every unprepared
    /// resource with a source is here), so that it does not walk the whole registry.
    unprepared: BTreeSet<ResourceRef>,
}

/// Whether PyYAML would reject the whole file (`yaml.load_all` raising): a document
/// saphyr could not parse, or text YAML forbids. The reference tooling then loads none of
/// the file's documents, even those before the error.
pub fn pyyaml_rejects(parsed: &koreo_syntax::yaml::ParsedFile) -> bool {
    use koreo_syntax::codes;
    parsed.documents.iter().any(|d| d.has_syntax_errors())
        || parsed
            .all_errors()
            .any(|e| [codes::YAML_SYNTAX, codes::BINARY].contains(&e.code))
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds or replaces a resource document (by its [`SourceKey`]). Invalidates it and
    /// everything that depends on it.
    pub fn upsert(&mut self, source: Source) {
        self.remove_key(&source.key);
        let r = ResourceRef::new(source.kind, source.name.clone());
        self.key_owner.insert(source.key.clone(), r.clone());
        self.file_keys
            .entry(source.key.file.clone())
            .or_default()
            .insert(source.key.clone());
        self.sources
            .entry(r.clone())
            .or_default()
            .insert(source.key.clone(), source);
        self.refresh_static(&r);
        self.invalidate(&r);
    }

    fn refresh_static(&mut self, r: &ResourceRef) {
        let new = self.source(r).map(static_deps);
        let old = match new.clone() {
            Some(deps) => self.static_refs.insert(r.clone(), deps),
            None => self.static_refs.remove(r),
        };
        if let Some((deps, _)) = old {
            for d in deps {
                unlink(&mut self.static_rdeps, &d, r);
            }
        }
        self.static_all_templates.remove(r);
        if let Some((deps, all_templates)) = new {
            for d in deps {
                self.static_rdeps.entry(d).or_default().insert(r.clone());
            }
            if all_templates {
                self.static_all_templates.insert(r.clone());
            }
        }
    }

    /// Records or forgets a prepared state, keeping `prepared_rdeps` in step.
    fn set_prepared(&mut self, r: &ResourceRef, state: Option<Arc<PrepareState>>) {
        let old = match state {
            Some(st) => {
                for d in &st.depends_on {
                    self.prepared_rdeps
                        .entry(d.clone())
                        .or_default()
                        .insert(r.clone());
                }
                if st.depends_on_all_templates {
                    self.prepared_all_templates.insert(r.clone());
                }
                self.prepared.insert(r.clone(), st)
            }
            None => self.prepared.remove(r),
        };
        if let Some(old) = old {
            let keep = self.prepared.get(r).cloned();
            for d in &old.depends_on {
                if !keep.as_ref().is_some_and(|k| k.depends_on.contains(d)) {
                    unlink(&mut self.prepared_rdeps, d, r);
                }
            }
            if old.depends_on_all_templates
                && !keep.as_ref().is_some_and(|k| k.depends_on_all_templates)
            {
                self.prepared_all_templates.remove(r);
            }
        }
    }

    fn remove_key(&mut self, key: &SourceKey) {
        let Some(r) = self.key_owner.remove(key) else {
            return;
        };
        if let Some(keys) = self.file_keys.get_mut(&key.file) {
            keys.remove(key);
            if keys.is_empty() {
                self.file_keys.remove(&key.file);
            }
        }
        if let Some(m) = self.sources.get_mut(&r) {
            m.remove(key);
            if m.is_empty() {
                self.sources.remove(&r);
            }
        }
        self.refresh_static(&r);
        self.invalidate(&r);
    }

    /// Removes every document of a file.
    pub fn remove_file(&mut self, file: &str) {
        let keys: Vec<SourceKey> = self
            .file_keys
            .get(file)
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default();
        for k in keys {
            self.remove_key(&k);
        }
    }

    /// Parses a YAML file and registers every Koreo resource in it (apiVersion
    /// `koreo.dev/v1beta1`, one of the five kinds, with a name), replacing what the file
    /// held before. `rules` picks the scalar resolution: `PyYaml` for parity with the
    /// reference tooling, `Kubernetes` for what the controller sees.
    ///
    /// With `PyYaml` rules a file that is not valid YAML registers nothing, as the reference
    /// tooling loads a file with one `yaml.load_all` and drops it whole on an error
    /// ([`pyyaml_rejects`]).
    pub fn load_text(&mut self, file: &str, text: &str, rules: ResolveRules) -> Vec<ResourceRef> {
        self.remove_file(file);
        let parsed = koreo_syntax::parse_file(text);
        let mut out = Vec::new();
        if rules == ResolveRules::PyYaml && pyyaml_rejects(&parsed) {
            return out;
        }
        let shared: Arc<str> = Arc::from(text);
        for (index, doc) in parsed.documents.iter().enumerate() {
            let Some(root) = &doc.root else { continue };
            let tree = SNode::from_yaml(root, text, rules);
            let api_version = tree.get("apiVersion").and_then(SNode::as_str);
            if api_version != Some("koreo.dev/v1beta1") {
                continue;
            }
            let Some(kind) = tree
                .get("kind")
                .and_then(SNode::as_str)
                .and_then(Kind::parse)
            else {
                continue;
            };
            let name_node = tree.get_path(&["metadata", "name"]).filter(|n| n.truthy());
            let Some(name_node) = name_node else { continue };
            let spec = tree
                .get("spec")
                .filter(|s| !s.is_null())
                .cloned()
                .unwrap_or_else(|| SNode::from_data(&Data::map()));
            let source = Source {
                key: SourceKey {
                    file: file.to_string(),
                    index,
                },
                kind,
                name: name_node.py_str(),
                spec: Arc::new(spec),
                schema_error: None,
                range: root.range,
                name_range: Some(name_node.range),
                text: shared.clone(),
            };
            out.push(ResourceRef::new(kind, source.name.clone()));
            self.upsert(source);
        }
        out
    }

    /// Records a schema violation for a resource (computed by the schema layer); the
    /// resource then prepares into the engine's PermFail with that message.
    pub fn set_schema_error(&mut self, key: &SourceKey, message: Option<String>) {
        let Some(r) = self.key_owner.get(key).cloned() else {
            return;
        };
        if let Some(s) = self.sources.get_mut(&r).and_then(|m| m.get_mut(key)) {
            s.schema_error = message;
            self.invalidate(&r);
        }
    }

    /// The active source of a resource (the last of its duplicates).
    pub fn source(&self, r: &ResourceRef) -> Option<&Source> {
        self.sources.get(r).and_then(|m| m.values().next_back())
    }

    /// A document by its key (active or shadowed).
    pub fn source_by_key(&self, key: &SourceKey) -> Option<&Source> {
        self.sources.get(self.key_owner.get(key)?)?.get(key)
    }

    /// Every `(kind, name)` with more than one document.
    pub fn duplicates(&self) -> Vec<(ResourceRef, Vec<SourceKey>)> {
        self.sources
            .iter()
            .filter(|(_, m)| m.len() > 1)
            .map(|(r, m)| (r.clone(), m.keys().cloned().collect()))
            .collect()
    }

    /// The document keys of `r` when it has duplicates (more than one document).
    pub(crate) fn duplicate_keys(&self, r: &ResourceRef) -> Option<Vec<SourceKey>> {
        let m = self.sources.get(r).filter(|m| m.len() > 1)?;
        Some(m.keys().cloned().collect())
    }

    /// The resources with a document (active or shadowed) in `file`.
    pub fn resources_in_file(&self, file: &str) -> Vec<ResourceRef> {
        let refs: BTreeSet<&ResourceRef> = self
            .file_keys
            .get(file)
            .into_iter()
            .flatten()
            .filter_map(|k| self.key_owner.get(k))
            .collect();
        refs.into_iter().cloned().collect()
    }

    /// The files holding a document of `r` (the active one and its duplicates).
    pub fn files_of(&self, r: &ResourceRef) -> Vec<String> {
        let mut out: Vec<String> = self
            .sources
            .get(r)
            .into_iter()
            .flat_map(|m| m.keys().map(|k| k.file.clone()))
            .collect();
        out.dedup();
        out
    }

    /// Every registered resource, in `(kind, name)` order.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceRef> {
        self.sources.keys()
    }

    /// Drops the prepared state of `r` and of everything depending on it.
    fn invalidate(&mut self, r: &ResourceRef) {
        let mut stack = vec![r.clone()];
        let mut seen = BTreeSet::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x.clone()) {
                continue;
            }
            self.set_prepared(&x, None);
            self.unprepared.insert(x.clone());
            for d in self.direct_dependents(&x) {
                stack.push(d);
            }
        }
    }

    /// Resources whose static references (from their specs) name `r`.
    fn direct_dependents(&self, r: &ResourceRef) -> Vec<ResourceRef> {
        let template = r.kind == Kind::ResourceTemplate;
        let mut out: BTreeSet<ResourceRef> = self
            .static_rdeps
            .get(r)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if template {
            out.extend(self.static_all_templates.iter().cloned());
        }
        // Prepared states may know more (FunctionTest template use).
        out.extend(self.prepared_rdeps.get(r).into_iter().flatten().cloned());
        if template {
            out.extend(self.prepared_all_templates.iter().cloned());
        }
        out.into_iter().collect()
    }

    /// Every resource that (transitively) depends on `r`: what must be re-prepared, and the
    /// FunctionTests to re-run, when `r` changes.
    pub fn dependents(&self, r: &ResourceRef) -> Vec<ResourceRef> {
        let mut out = BTreeSet::new();
        let mut stack = vec![r.clone()];
        while let Some(x) = stack.pop() {
            for d in self.direct_dependents(&x) {
                if out.insert(d.clone()) {
                    stack.push(d);
                }
            }
        }
        out.remove(r);
        out.into_iter().collect()
    }

    /// The FunctionTests to re-run after `changed` resources changed.
    pub fn affected_tests(&self, changed: &[ResourceRef]) -> Vec<String> {
        let mut out = BTreeSet::new();
        for c in changed {
            if c.kind == Kind::FunctionTest {
                out.insert(c.name.clone());
            }
            for d in self.dependents(c) {
                if d.kind == Kind::FunctionTest {
                    out.insert(d.name);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Prepares everything not prepared yet, dependencies first.
    pub fn prepare_all(&mut self) {
        // Same `(kind, name)` order as the sources; resources without a source are skipped.
        let refs = std::mem::take(&mut self.unprepared);
        let mut in_progress = BTreeSet::new();
        for r in refs {
            self.ensure(&r, &mut in_progress);
        }
    }

    /// The prepare state of a resource (after [`Registry::prepare_all`]).
    pub fn state(&self, r: &ResourceRef) -> Option<&Arc<PrepareState>> {
        self.prepared.get(r)
    }

    fn ensure(&mut self, r: &ResourceRef, in_progress: &mut BTreeSet<ResourceRef>) {
        if self.prepared.contains_key(r) || in_progress.contains(r) {
            return;
        }
        let Some(src) = self.source(r).cloned() else {
            return;
        };
        in_progress.insert(r.clone());
        let (deps, all_templates) = self
            .static_refs
            .get(r)
            .cloned()
            .unwrap_or_else(|| static_deps(&src));
        for d in &deps {
            self.ensure(d, in_progress);
        }
        let state = self.prepare_one(&src, deps, all_templates);
        in_progress.remove(r);
        self.set_prepared(r, Some(Arc::new(state)));
    }

    fn lookup(&self, kind: Kind, name: &str) -> Option<&Result<Prepared, PrepareError>> {
        let state = self.prepared.get(&ResourceRef::new(kind, name))?;
        // A crashed prepare leaves nothing in the engine's cache.
        match &state.result {
            Err(e) if e.crashed => None,
            other => Some(other),
        }
    }

    fn prepare_one(
        &self,
        src: &Source,
        deps: Vec<ResourceRef>,
        all_templates: bool,
    ) -> PrepareState {
        let name = src.name.as_str();
        let spec = &*src.spec;
        let schema = src.schema_error.as_deref();
        let mut depends_on = deps;
        let mut depends_on_all_templates = all_templates;
        let result = match src.kind {
            Kind::ResourceTemplate => {
                rt::prepare(name, spec, schema).map(|t| Prepared::ResourceTemplate(Arc::new(t)))
            }
            Kind::ValueFunction => {
                vf::prepare(name, spec, schema).map(|f| Prepared::ValueFunction(Arc::new(f)))
            }
            Kind::ResourceFunction => {
                let lookup = |n: &str| match self.lookup(Kind::ValueFunction, n)? {
                    Ok(Prepared::ValueFunction(f)) => Some(Ok(f.clone())),
                    Ok(_) => None,
                    Err(e) => Some(Err(e.outcome.clone())),
                };
                rf::prepare(name, spec, schema, &lookup)
                    .map(|f| Prepared::ResourceFunction(Arc::new(f)))
            }
            Kind::Workflow => {
                let lookup = |k: Kind, n: &str| match self.lookup(k, n)? {
                    Ok(Prepared::ValueFunction(f)) => Some(Ok(Logic::ValueFunction(f.clone()))),
                    Ok(Prepared::ResourceFunction(f)) => {
                        Some(Ok(Logic::ResourceFunction(f.clone())))
                    }
                    Ok(Prepared::Workflow(w)) => Some(Ok(Logic::Workflow(w.clone()))),
                    Ok(_) => None,
                    Err(e) => Some(Err(e.outcome.clone())),
                };
                wf::prepare(name, spec, schema, &lookup).map(|w| Prepared::Workflow(Arc::new(w)))
            }
            Kind::FunctionTest => {
                let lookup = |k: Kind, n: &str| match self.lookup(k, n)? {
                    Ok(Prepared::ValueFunction(f)) => {
                        Some(Ok(FunctionUnderTest::ValueFunction(f.clone())))
                    }
                    Ok(Prepared::ResourceFunction(f)) => {
                        Some(Ok(FunctionUnderTest::ResourceFunction(f.clone())))
                    }
                    Ok(_) => None,
                    Err(e) => Some(Err(e.outcome.clone())),
                };
                let res = ft::prepare(name, spec, schema, &lookup);
                if let Ok(t) = &res {
                    match &t.templates {
                        None => depends_on_all_templates = true,
                        Some(names) => {
                            for n in names {
                                let r = ResourceRef::new(Kind::ResourceTemplate, n.clone());
                                if !depends_on.contains(&r) {
                                    depends_on.push(r);
                                }
                            }
                        }
                    }
                }
                res.map(|t| Prepared::FunctionTest(Arc::new(t)))
            }
        };
        PrepareState {
            result,
            depends_on,
            depends_on_all_templates,
        }
    }

    fn template_lookup(
        &self,
    ) -> impl Fn(&str) -> Option<Result<Arc<ResourceTemplate>, Outcome<()>>> + '_ {
        |n: &str| match self.lookup(Kind::ResourceTemplate, n)? {
            Ok(Prepared::ResourceTemplate(t)) => Some(Ok(t.clone())),
            Ok(_) => None,
            Err(e) => Some(Err(e.outcome.clone())),
        }
    }

    /// Runs one FunctionTest. A FunctionTest that failed to prepare yields a run with status
    /// `error` and the prepare message (as the reference reports it); `None` when it is not
    /// registered or not prepared yet.
    pub fn run_test(&self, name: &str) -> Option<TestRun> {
        let state = self
            .prepared
            .get(&ResourceRef::new(Kind::FunctionTest, name))?;
        match &state.result {
            Ok(Prepared::FunctionTest(t)) => {
                let templates = self.template_lookup();
                Some(ft::run(t, &templates))
            }
            Ok(_) => None,
            Err(e) => Some(TestRun {
                test: name.to_string(),
                function: None,
                status: ft::TestStatus::Error,
                message: Some(e.message().to_string()),
                function_healthy: Outcome::Ok(()),
                fatal: true,
                crash: None,
                cases: Vec::new(),
            }),
        }
    }

    /// Runs every registered FunctionTest, by name.
    pub fn run_all_tests(&self) -> Vec<TestRun> {
        self.sources
            .keys()
            .filter(|r| r.kind == Kind::FunctionTest)
            .filter_map(|r| self.run_test(&r.name))
            .collect()
    }

    /// Evaluates a ValueFunction for given inputs (and optional base resource), as a
    /// FunctionTest case would. `None` when it is not prepared.
    pub fn preview_value_function(
        &self,
        name: &str,
        inputs: &Data,
        base: Option<&Data>,
    ) -> Option<Result<Outcome<Data>, PreviewError>> {
        let Some(Ok(Prepared::ValueFunction(f))) = self.lookup(Kind::ValueFunction, name) else {
            return None;
        };
        Some((|| {
            let inputs = crate::convert::data_to_value(inputs).map_err(PreviewError::Input)?;
            let base = match base.filter(|b| b.truthy()) {
                Some(b) => crate::convert::data_to_value(b).map_err(PreviewError::Input)?,
                None => koreo_cel::Value::map(koreo_cel::Map::new()),
            };
            let o = vf::reconcile(&format!("preview:{name}"), f, inputs, Some(&base))
                .map_err(PreviewError::Crash)?;
            Ok(o.map(|v| crate::convert::value_to_data(&v)))
        })())
    }

    /// Reconciles a ResourceFunction once against the FunctionTest mock API seeded with
    /// `current`: the outcome, the rendered (written) object and the resource id.
    pub fn preview_resource_function(
        &self,
        name: &str,
        inputs: &Data,
        current: Option<&Data>,
    ) -> Option<Result<RfPreview, PreviewError>> {
        let Some(Ok(Prepared::ResourceFunction(f))) = self.lookup(Kind::ResourceFunction, name)
        else {
            return None;
        };
        Some((|| {
            let inputs = crate::convert::data_to_value(inputs).map_err(PreviewError::Input)?;
            let mut api = crate::api::MockApi::new(current.cloned());
            let owner = rf::Owner::unit_test();
            let templates = self.template_lookup();
            let mut ctx = RfContext {
                api: &mut api,
                templates: &templates,
                owner: &owner,
            };
            let r = rf::reconcile(&mut ctx, &format!("preview:{name}"), f, inputs)
                .map_err(PreviewError::Crash)?;
            Ok(RfPreview {
                outcome: r.outcome.map(|v| crate::convert::value_to_data(&v)),
                rendered: api.materialized.as_ref().map(rf::strip_last_applied),
                written: api.materialized.clone(),
                delete_called: api.delete_called,
                resource_id: r.resource_id,
            })
        })())
    }

    /// Reconciles a Workflow for a parent object against an API — an
    /// [`InMemoryCluster`](crate::api::InMemoryCluster) for previews — with the
    /// controller's trigger and owner (§9.9).
    pub fn reconcile_workflow(
        &self,
        name: &str,
        parent: &Data,
        api: &mut dyn Api,
    ) -> Option<Result<WorkflowResult, PreviewError>> {
        let Some(Ok(Prepared::Workflow(w))) = self.lookup(Kind::Workflow, name) else {
            return None;
        };
        Some((|| {
            let trigger = wf::parent_trigger(parent).map_err(PreviewError::Input)?;
            let owner = wf::parent_owner(parent, w.crd_ref.as_ref());
            let templates = self.template_lookup();
            let mut ctx = RfContext {
                api,
                templates: &templates,
                owner: &owner,
            };
            wf::reconcile(&mut ctx, name, &trigger, w).map_err(PreviewError::Crash)
        })())
    }
}

/// A ResourceFunction preview.
#[derive(Clone, Debug)]
pub struct RfPreview {
    /// The function's outcome (Ok value as plain data).
    pub outcome: Outcome<Data>,
    /// The object written, without the last-applied annotation.
    pub rendered: Option<Data>,
    /// The object written, exactly as sent.
    pub written: Option<Data>,
    /// Whether DELETE was called.
    pub delete_called: bool,
    /// The resource id.
    pub resource_id: Option<Data>,
}

/// Why a preview could not run.
#[derive(Clone, Debug, PartialEq)]
pub enum PreviewError {
    /// The given data cannot become CEL values (e.g. a date).
    Input(crate::convert::ConvertError),
    /// The engine would raise.
    Crash(Crash),
}

/// The resources a spec names statically (prepare order and invalidation), and whether it
/// may use any ResourceTemplate.
fn static_deps(src: &Source) -> (Vec<ResourceRef>, bool) {
    let spec = &*src.spec;
    let mut out = Vec::new();
    let mut all_templates = false;
    let mut push = |r: ResourceRef| {
        if !out.contains(&r) {
            out.push(r);
        }
    };
    match src.kind {
        Kind::ResourceFunction => {
            for item in spec.get("overlays").and_then(SNode::items).unwrap_or(&[]) {
                if let Some(n) = item.get_path(&["overlayRef", "name"]) {
                    push(ResourceRef::new(Kind::ValueFunction, n.py_str()));
                }
            }
            if let Some(n) = spec.get_path(&["resourceTemplateRef", "name"]) {
                if is_expression(n) {
                    all_templates = true;
                } else {
                    push(ResourceRef::new(Kind::ResourceTemplate, n.py_str()));
                }
            }
        }
        Kind::Workflow => {
            for step in spec.get("steps").and_then(SNode::items).unwrap_or(&[]) {
                let mut refs: Vec<&SNode> = step.get("ref").into_iter().collect();
                refs.extend(
                    step.get_path(&["refSwitch", "cases"])
                        .and_then(SNode::items)
                        .unwrap_or(&[]),
                );
                for r in refs {
                    if let (Some(k), Some(n)) = (
                        r.get("kind").and_then(SNode::as_str).and_then(Kind::parse),
                        r.get("name"),
                    ) {
                        push(ResourceRef::new(k, n.py_str()));
                    }
                }
            }
        }
        Kind::FunctionTest => {
            if let (Some(k), Some(n)) = (
                spec.get_path(&["functionRef", "kind"])
                    .and_then(SNode::as_str)
                    .and_then(Kind::parse),
                spec.get_path(&["functionRef", "name"]),
            ) {
                push(ResourceRef::new(k, n.py_str()));
            }
        }
        Kind::ValueFunction | Kind::ResourceTemplate => {}
    }
    (out, all_templates)
}

/// Removes `who` from the reverse-reference set of `target`.
fn unlink(
    index: &mut HashMap<ResourceRef, BTreeSet<ResourceRef>>,
    target: &ResourceRef,
    who: &ResourceRef,
) {
    if let Some(set) = index.get_mut(target) {
        set.remove(who);
        if set.is_empty() {
            index.remove(target);
        }
    }
}
