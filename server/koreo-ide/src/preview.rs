//! Previews: what the Koreo controller would produce for the resource under the cursor,
//! rendered as YAML (`koreo.preview`).
//!
//! * A ValueFunction or ResourceFunction runs with inputs picked the way a user would: the
//!   FunctionTest case under the cursor, else the first case of a FunctionTest of the
//!   function, else the inputs a Workflow step passes it (the workflow reconciled for its
//!   parent), else an empty map. The preview shows the materialised resource or the return
//!   value, the outcome, and where the inputs came from.
//! * A Workflow is reconciled against an in-memory cluster for a parent object (a plain
//!   object of the `crdRef` kind in the workspace, else one built from the CRD's schema
//!   defaults), pass after pass as the controller would until nothing changes: each step's
//!   outcome, the resources written, the conditions and the state.
//!
//! Everything is read with the Kubernetes YAML rules (what the controller sees); when the
//! Python tooling (PyYAML, used by the reference FunctionTest runner) would read the
//! sources differently, the preview says so. Rendered resources are checked against their
//! kind's schema and the findings are listed as comments.

use std::fmt::Write as _;

use koreo_cel::{Activation, Map, Value};
use koreo_eval::api::InMemoryCluster;
use koreo_eval::data::DataMap;
use koreo_eval::ft::{FunctionTest, Verdict};
use koreo_eval::registry::{Prepared, PreviewError, RfPreview};
use koreo_eval::wf::{self, Logic, StepEntry, Workflow, WorkflowResult};
use koreo_eval::{Data, Kind, Outcome, Registry, ResourceRef, SourceKey};
use koreo_model::Item;
use koreo_schema::{SchemaView, format_path};
use koreo_syntax::{ResolveRules, Resolved, TextSize};

use crate::db::Db;
use crate::kube_validation::validate_rendered;
use crate::yaml_out::to_yaml;
use crate::{FileId, FilePosition};

/// A rendered preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// A short title for the preview document.
    pub title: String,
    /// YAML (comments and `---`-separated documents).
    pub content: String,
}

/// How many reconciles a Workflow preview runs at most before giving up on a steady state
/// (a resource recreated on every pass never settles).
const MAX_PASSES: usize = 8;

/// The preview of the Koreo resource at `pos`, `None` when there is none there.
pub(crate) fn preview(db: &Db, pos: FilePosition) -> Option<Preview> {
    let target = resource_at(db, pos)?;
    let case = match target.kind {
        Kind::FunctionTest => test_case_at(db, pos),
        _ => None,
    };
    let mut content = render(db, db.eval.registry(), &target, case);
    // Only when some plain scalar reads differently is the PyYAML rendering worth making.
    if pyyaml_differs_anywhere(db) {
        let files = db
            .files
            .iter()
            .filter_map(|(id, fa)| Some((&**db.keys.get(id.0 as usize)?, &**fa)));
        let py = crate::evaluation::registry_with(files, ResolveRules::PyYaml);
        let py_content = render(db, &py, &target, case);
        let note = pyyaml_note(&content, &py_content);
        content.push_str(&note);
    }
    Some(Preview {
        title: format!("{} {} (preview)", target.kind, target.name),
        content,
    })
}

fn render(db: &Db, reg: &Registry, target: &Target, case: Option<usize>) -> String {
    let mut out = Out::default();
    match target.kind {
        Kind::ValueFunction | Kind::ResourceFunction => {
            let inputs = function_inputs(db, reg, target.kind, &target.name);
            function_preview(db, reg, target.kind, &target.name, inputs, &mut out);
        }
        Kind::FunctionTest => test_preview(db, reg, &target.name, case, &mut out),
        Kind::Workflow => workflow_preview(db, reg, &target.name, &mut out),
        Kind::ResourceTemplate => template_preview(reg, &target.name, &mut out),
    }
    out.finish()
}

/// The resource of the document at `pos`, by the name the registry gives it.
pub(crate) struct Target {
    pub(crate) kind: Kind,
    pub(crate) name: String,
}

pub(crate) fn resource_at(db: &Db, pos: FilePosition) -> Option<Target> {
    let fa = db.files.get(&pos.file)?;
    let doc = fa.parsed()?.document_at(pos.offset)?;
    let key = SourceKey {
        file: db.keys.get(pos.file.0 as usize)?.to_string(),
        index: doc.index,
    };
    let source = db.eval.registry().source_by_key(&key)?;
    Some(Target {
        kind: source.kind,
        name: source.name.clone(),
    })
}

/// The index of the FunctionTest case under the cursor.
fn test_case_at(db: &Db, pos: FilePosition) -> Option<usize> {
    let fa = db.files.get(&pos.file)?;
    let doc = fa.parsed()?.document_at(pos.offset)?;
    let Item::Resource(res) = fa.items().get(doc.index)? else {
        return None;
    };
    let koreo_model::Body::FunctionTest(ft) = &res.body else {
        return None;
    };
    ft.test_cases
        .iter()
        .position(|c| c.range.contains_inclusive(pos.offset))
}

// ---------------------------------------------------------------------------------------
// Output

#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn comment(&mut self, line: &str) {
        for l in line.lines() {
            if l.is_empty() {
                self.text.push_str("#\n");
            } else {
                let _ = writeln!(self.text, "# {l}");
            }
        }
    }

    fn document(&mut self) {
        self.text.push_str("---\n");
    }

    fn yaml(&mut self, d: &Data) {
        self.text.push_str(&to_yaml(d));
    }

    fn finish(self) -> String {
        self.text
    }
}

fn map(entries: impl IntoIterator<Item = (&'static str, Data)>) -> Data {
    Data::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// One line: `Ok`, `Retry after 30s: message (at location)`, ...
fn outcome_line<T>(o: &Outcome<T>) -> String {
    let mut s = o.kind().name().to_owned();
    if let Some(d) = o.delay() {
        let _ = write!(s, " after {d}s");
    }
    if let Some(m) = o.message() {
        let _ = write!(s, ": {m}");
    }
    if let Some(l) = o.location() {
        let _ = write!(s, " (at {l})");
    }
    s
}

fn outcome_data<T>(o: &Outcome<T>) -> Data {
    let mut m = DataMap::new();
    m.insert("type".into(), Data::Str(o.kind().name().into()));
    if let Some(msg) = o.message() {
        m.insert("message".into(), Data::Str(msg.into()));
    }
    if let Some(l) = o.location() {
        m.insert("location".into(), Data::Str(l.into()));
    }
    if let Some(d) = o.delay() {
        m.insert("delay".into(), Data::Int(d));
    }
    Data::Map(m)
}

fn preview_error(e: &PreviewError) -> String {
    match e {
        PreviewError::Input(c) => format!("the inputs cannot be used: {}", c.message),
        PreviewError::Crash(c) => format!("the engine would raise: {}", c.message),
    }
}

/// Schema findings of a rendered object, as comment lines.
fn schema_comments(db: &Db, object: &Data, out: &mut Out) {
    let kind = object.get("kind").map(Data::py_str).unwrap_or_default();
    let api = object
        .get("apiVersion")
        .map(Data::py_str)
        .unwrap_or_default();
    match validate_rendered(&db.schemas, object) {
        None => out.comment(&format!(
            "Schema: no schema known for {api} {kind} (not checked)."
        )),
        Some(found) if found.is_empty() => {
            out.comment(&format!("Schema: valid {api} {kind}."));
        }
        Some(found) => {
            out.comment(&format!("Schema ({api} {kind}):"));
            for f in found {
                let severity = crate::diagnostics::severity_name(f.severity);
                out.comment(&format!(
                    "  {severity}: {}: {}",
                    format_path(&f.path),
                    f.message
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Functions

/// The inputs (and current resource) a function preview runs with, and where they came from.
#[derive(Clone, Debug)]
pub(crate) struct FunctionInputs {
    pub(crate) source: String,
    pub(crate) inputs: Data,
    pub(crate) current: Option<Data>,
}

fn prepared_test(reg: &Registry, name: &str) -> Option<std::sync::Arc<FunctionTest>> {
    match &reg
        .state(&ResourceRef::new(Kind::FunctionTest, name))?
        .result
    {
        Ok(Prepared::FunctionTest(t)) => Some(t.clone()),
        _ => None,
    }
}

/// FunctionTests of a function: those in the function's own file first, then by name.
fn tests_of(reg: &Registry, kind: Kind, name: &str) -> Vec<String> {
    let own_file = reg
        .source(&ResourceRef::new(kind, name))
        .map(|s| s.key.file.clone());
    let mut tests: Vec<(bool, String)> = reg
        .resources()
        .filter(|r| r.kind == Kind::FunctionTest)
        .filter_map(|r| {
            let t = prepared_test(reg, &r.name)?;
            (t.function_ref.kind == kind && t.function_ref.name == name).then(|| {
                let same = reg.source(r).map(|s| s.key.file.clone()) == own_file;
                (!same, r.name.clone())
            })
        })
        .collect();
    tests.sort();
    tests.into_iter().map(|(_, n)| n).collect()
}

/// The inputs of case `index` of a FunctionTest: as the run saw them, or (for a case the
/// run did not reach) `spec.inputs` with the case's `inputOverrides`.
fn case_inputs(reg: &Registry, test: &str, index: usize) -> Option<FunctionInputs> {
    let t = prepared_test(reg, test)?;
    let case = t.cases.get(index)?;
    let default_label = format!("Test Case {}", index + 1);
    let label = if case.label == default_label {
        format!("FunctionTest `{test}`, test case {}", index + 1)
    } else {
        format!(
            "FunctionTest `{test}`, test case {} (`{}`)",
            index + 1,
            case.label
        )
    };
    let run = reg.run_test(test);
    if let Some(r) = run.as_ref().and_then(|r| r.cases.get(index))
        && let Some(inputs) = &r.inputs
    {
        return Some(FunctionInputs {
            source: label,
            inputs: inputs.clone(),
            current: r.current_resource.clone().filter(Data::truthy),
        });
    }
    let base = t.inputs.as_ref().filter(|v| v.truthy());
    let over = case.input_overrides.as_ref().filter(|v| v.truthy());
    let inputs = match (base, over) {
        (Some(b), Some(o)) => koreo_eval::structure::deep_overlay(b, o),
        (Some(b), None) => b.clone(),
        (None, Some(o)) => o.clone(),
        (None, None) => Value::map(Map::new()),
    };
    let why = if case.skip {
        "skipped"
    } else {
        "not reached by the test run"
    };
    Some(FunctionInputs {
        source: format!("{label} ({why}: `spec.inputs` with its `inputOverrides`)"),
        inputs: koreo_eval::convert::value_to_data(&inputs),
        current: case
            .current_resource
            .clone()
            .or_else(|| t.initial_resource.clone())
            .filter(Data::truthy),
    })
}

/// Picks the inputs for previewing a function (see the module docs).
fn function_inputs(db: &Db, reg: &Registry, kind: Kind, name: &str) -> FunctionInputs {
    for test in tests_of(reg, kind, name) {
        if let Some(i) = case_inputs(reg, &test, 0) {
            return i;
        }
    }
    if let Some(i) = workflow_step_inputs(db, reg, kind, name) {
        return i;
    }
    FunctionInputs {
        source: "none found (no FunctionTest tests it, no Workflow step calls it): an empty map"
            .into(),
        inputs: Data::map(),
        current: None,
    }
}

fn function_preview(
    db: &Db,
    reg: &Registry,
    kind: Kind,
    name: &str,
    inputs: FunctionInputs,
    out: &mut Out,
) {
    match kind {
        Kind::ValueFunction => {
            out.comment(&format!(
                "ValueFunction `{name}`: the value it returns (Kubernetes YAML rules, as the controller reads them)."
            ));
            out.comment(&format!("Inputs: {}.", inputs.source));
            match reg.preview_value_function(name, &inputs.inputs, inputs.current.as_ref()) {
                None => not_prepared(reg, Kind::ValueFunction, name, out),
                Some(Err(e)) => out.comment(&format!("Not run: {}.", preview_error(&e))),
                Some(Ok(outcome)) => {
                    out.comment(&format!("Outcome: {}", outcome_line(&outcome)));
                    out.document();
                    match &outcome {
                        Outcome::Ok(v) => out.yaml(v),
                        _ => {
                            out.comment("No return value.");
                            out.yaml(&Data::Null);
                        }
                    }
                    details(&inputs, &outcome, None, false, out);
                }
            }
        }
        Kind::ResourceFunction => {
            out.comment(&format!(
                "ResourceFunction `{name}`: the resource the controller would write (Kubernetes YAML rules)."
            ));
            out.comment(&format!("Inputs: {}.", inputs.source));
            match reg.preview_resource_function(name, &inputs.inputs, inputs.current.as_ref()) {
                None => not_prepared(reg, Kind::ResourceFunction, name, out),
                Some(Err(e)) => out.comment(&format!("Not run: {}.", preview_error(&e))),
                Some(Ok(p)) => rf_output(db, &inputs, &p, out),
            }
        }
        _ => {}
    }
}

fn not_prepared(reg: &Registry, kind: Kind, name: &str, out: &mut Out) {
    let why = reg
        .state(&ResourceRef::new(kind, name))
        .and_then(|s| s.result.as_ref().err().map(|e| e.message().to_owned()))
        .unwrap_or_else(|| "it is not loaded".into());
    out.comment(&format!("Not run: {kind} `{name}` does not prepare: {why}"));
}

fn rf_output(db: &Db, inputs: &FunctionInputs, p: &RfPreview, out: &mut Out) {
    out.comment(&format!("Outcome: {}", outcome_line(&p.outcome)));
    match (&p.rendered, p.delete_called) {
        (_, true) => {
            out.comment("The function deletes the resource.");
        }
        (Some(obj), false) => {
            schema_comments(db, obj, out);
            out.document();
            out.yaml(obj);
        }
        (None, false) => match &inputs.current {
            Some(current) => {
                out.comment("Nothing written: the current resource already matches.");
                out.document();
                out.yaml(current);
            }
            None => out.comment("Nothing written."),
        },
    }
    details(inputs, &p.outcome, p.resource_id.as_ref(), true, out);
}

/// The trailing document: inputs, current resource, outcome, return value, resource id.
fn details(
    inputs: &FunctionInputs,
    outcome: &Outcome<Data>,
    resource_id: Option<&Data>,
    with_return: bool,
    out: &mut Out,
) {
    out.document();
    out.comment("How it was rendered.");
    let mut m = DataMap::new();
    m.insert("inputs".into(), inputs.inputs.clone());
    if let Some(c) = &inputs.current {
        m.insert("currentResource".into(), c.clone());
    }
    m.insert("outcome".into(), outcome_data(outcome));
    if let (Outcome::Ok(v), true) = (outcome, with_return) {
        m.insert("return".into(), v.clone());
    }
    if let Some(id) = resource_id {
        m.insert("resourceId".into(), id.clone());
    }
    out.yaml(&Data::Map(m));
}

// ---------------------------------------------------------------------------------------
// FunctionTests

fn test_preview(db: &Db, reg: &Registry, test: &str, case: Option<usize>, out: &mut Out) {
    let Some(t) = prepared_test(reg, test) else {
        not_prepared(reg, Kind::FunctionTest, test, out);
        return;
    };
    let function = &t.function_ref;
    if let Err(o) = &t.function {
        out.comment(&format!(
            "FunctionTest `{test}`: {} `{}` cannot run: {}",
            function.kind,
            function.name,
            outcome_line(o)
        ));
        return;
    }
    let index = case.unwrap_or(0);
    let Some(inputs) = case_inputs(reg, test, index) else {
        out.comment(&format!(
            "FunctionTest `{test}` has no test cases: previewing {} `{}` with `spec.inputs`.",
            function.kind, function.name
        ));
        let inputs = FunctionInputs {
            source: format!("FunctionTest `{test}` `spec.inputs`"),
            inputs: t
                .inputs
                .as_ref()
                .map(koreo_eval::convert::value_to_data)
                .unwrap_or_else(Data::map),
            current: t.initial_resource.clone().filter(Data::truthy),
        };
        function_preview(db, reg, function.kind, &function.name, inputs, out);
        return;
    };
    if let Some(r) = reg
        .run_test(test)
        .and_then(|r| r.cases.into_iter().nth(index))
    {
        let verdict = match r.verdict {
            Verdict::Fail => {
                let line = r.failure_line().unwrap_or_default();
                let prefix = format!("{}: ", r.label);
                format!("FAIL: {}", line.strip_prefix(&prefix).unwrap_or(&line))
            }
            Verdict::Pass => "pass".into(),
            Verdict::Skip => "skipped".into(),
            Verdict::NotRun => "not run (an earlier case failed)".into(),
            Verdict::Error => format!("error: {}", r.crash.map(|c| c.message).unwrap_or_default()),
        };
        out.comment(&format!("{}: {verdict}", r.label));
    }
    function_preview(db, reg, function.kind, &function.name, inputs, out);
}

// ---------------------------------------------------------------------------------------
// Workflows

/// A parent object for a workflow, and where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Parent {
    pub(crate) data: Data,
    pub(crate) source: String,
}

fn prepared_workflow(reg: &Registry, name: &str) -> Option<std::sync::Arc<Workflow>> {
    match &reg.state(&ResourceRef::new(Kind::Workflow, name))?.result {
        Ok(Prepared::Workflow(w)) => Some(w.clone()),
        _ => None,
    }
}

/// The parent to reconcile `wf` for: a workspace object of the `crdRef` kind (one that
/// selects this workflow with `koreo.dev/workflow` first, objects selecting another
/// workflow never), else one built from the CRD's schema.
pub(crate) fn choose_parent(db: &Db, wf: &Workflow) -> Parent {
    let Some(crd) = &wf.crd_ref else {
        return Parent {
            data: placeholder_parent("v1", "Parent", None),
            source: "the workflow has no `crdRef`: an empty placeholder parent".into(),
        };
    };
    let api_version = format!("{}/{}", crd.api_group, crd.version);
    let mut candidates: Vec<(u8, String, TextSize, Data)> = Vec::new();
    let mut files: Vec<(&FileId, _)> = db.files.iter().collect();
    files.sort_by_key(|(id, _)| db.keys.get(id.0 as usize).cloned());
    for (id, fa) in files {
        let Some(parsed) = fa.parsed() else { continue };
        for (doc, item) in parsed.documents.iter().zip(fa.items()) {
            let (Item::Object(o), Some(root)) = (item, &doc.root) else {
                continue;
            };
            if o.kind.value != crd.kind || o.api_version.value != api_version {
                continue;
            }
            let data =
                koreo_eval::spec::SNode::from_yaml(root, fa.text(), ResolveRules::Kubernetes)
                    .to_data();
            let selected = data
                .get_path(&["metadata", "annotations", "koreo.dev/workflow"])
                .map(Data::py_str);
            let rank = match selected.as_deref() {
                Some(n) if n == wf.name => 0,
                Some(_) => continue,
                None => 1,
            };
            let key = db.keys.get(id.0 as usize).map(|k| k.to_string());
            candidates.push((rank, key.unwrap_or_default(), root.range.start(), data));
        }
    }
    candidates.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    let total = candidates.len();
    if let Some((_, key, offset, mut data)) = candidates.into_iter().next() {
        let line = db
            .ids
            .get(key.as_str())
            .and_then(|id| db.files.get(id))
            .and_then(|fa| fa.line_index().line_col(offset))
            .map_or(0, |(l, _)| l + 1);
        let name = data
            .get_path(&["metadata", "name"])
            .map(Data::py_str)
            .unwrap_or_default();
        let mut source = format!("{} `{name}` from {}:{line}", crd.kind, short_key(&key));
        if total > 1 {
            let _ = write!(source, " (first of {total} in the workspace)");
        }
        complete_metadata(&mut data, &mut source);
        return Parent { data, source };
    }
    let gvk = koreo_schema::Gvk::new(&crd.api_group, &crd.version, &crd.kind);
    let spec = db.schemas.get(&gvk).and_then(|k| {
        k.root()
            .property("spec")
            .map(|s| schema_default(s, "spec", 0))
    });
    let from = if spec.is_some() {
        "built from the CRD's schema (defaults, placeholders for required fields)"
    } else {
        "no object of that kind in the workspace and no schema for it: an empty spec"
    };
    Parent {
        data: placeholder_parent(&api_version, &crd.kind, spec),
        source: format!("{} {from}", crd.kind),
    }
}

fn short_key(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

const PLACEHOLDER_UID: &str = "00000000-0000-0000-0000-000000000000";

fn placeholder_parent(api_version: &str, kind: &str, spec: Option<Data>) -> Data {
    map([
        ("apiVersion", Data::Str(api_version.into())),
        ("kind", Data::Str(kind.into())),
        (
            "metadata",
            map([
                ("name", Data::Str("preview".into())),
                ("namespace", Data::Str("default".into())),
                ("uid", Data::Str(PLACEHOLDER_UID.into())),
            ]),
        ),
        ("spec", spec.unwrap_or_else(Data::map)),
    ])
}

/// What the API server adds to an applied object that the workflow may read.
fn complete_metadata(data: &mut Data, source: &mut String) {
    let Some(m) = data.as_map_mut() else { return };
    let meta = m.entry("metadata".to_owned()).or_insert_with(Data::map);
    if !matches!(meta, Data::Map(_)) {
        *meta = Data::map();
    }
    let Some(meta) = meta.as_map_mut() else {
        return;
    };
    let mut added = Vec::new();
    if !meta.get("namespace").is_some_and(Data::truthy) {
        meta.insert("namespace".into(), Data::Str("default".into()));
        added.push("namespace `default`");
    }
    if !meta.get("uid").is_some_and(Data::truthy) {
        meta.insert("uid".into(), Data::Str(PLACEHOLDER_UID.into()));
        added.push("a placeholder uid");
    }
    if !added.is_empty() {
        let _ = write!(source, ", with {}", added.join(" and "));
    }
}

/// A value for a schema: its default, else (for required fields) a placeholder of its type;
/// a string placeholder is the field's name, so that checks for a non-empty value pass.
fn schema_default(view: SchemaView<'_>, name: &str, depth: usize) -> Data {
    if let Some(d) = view.default() {
        return Data::from_serde(d);
    }
    let s = view.schema();
    if let Some(first) = s.enumeration.as_ref().and_then(|e| e.first()) {
        return Data::from_serde(first);
    }
    use koreo_schema::SchemaType as T;
    match s.ty {
        Some(T::Object) | None if depth < 32 && !s.properties.is_empty() => {
            let mut m = DataMap::new();
            for p in view.properties() {
                if p.required || p.schema.default().is_some() {
                    m.insert(
                        p.name.to_owned(),
                        schema_default(p.schema, p.name, depth + 1),
                    );
                }
            }
            Data::Map(m)
        }
        Some(T::Object) => Data::map(),
        Some(T::Array) => Data::List(Vec::new()),
        Some(T::String) => Data::Str(name.to_owned()),
        Some(T::Integer) => Data::Int(s.minimum.map_or(0, |m| m.ceil() as i64)),
        Some(T::Number) => Data::Float(s.minimum.unwrap_or(0.0)),
        Some(T::Boolean) => Data::Bool(false),
        None if s.int_or_string => Data::Int(0),
        None => Data::Null,
    }
}

/// A workflow reconciled until it settles.
pub(crate) struct WorkflowRun {
    pub(crate) result: WorkflowResult,
    /// The parent after the controller's patches.
    pub(crate) parent: Data,
    pub(crate) passes: usize,
    pub(crate) settled: bool,
    pub(crate) cluster: InMemoryCluster,
}

/// Reconciles `name` for `parent` as the controller would: after each pass the parent's
/// status is patched (§9.9) and the next pass sees it; stops when a pass writes nothing, on
/// a PermFail, or after [`MAX_PASSES`].
pub(crate) fn run_workflow(
    reg: &Registry,
    name: &str,
    parent: &Data,
) -> Option<Result<WorkflowRun, PreviewError>> {
    let mut cluster = InMemoryCluster::new();
    let mut parent = parent.clone();
    let mut last = None;
    let mut settled = false;
    let mut passes = 0;
    while passes < MAX_PASSES {
        passes += 1;
        let writes = cluster.log.len();
        let result = match reg.reconcile_workflow(name, &parent, &mut cluster)? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        controller_patch(&mut parent, &result);
        let permanent = matches!(result.outcome, Outcome::PermFail(_));
        last = Some(result);
        if cluster.log.len() == writes || permanent {
            settled = cluster.log.len() == writes;
            break;
        }
    }
    last.map(|result| {
        Ok(WorkflowRun {
            result,
            parent,
            passes,
            settled,
            cluster,
        })
    })
}

/// The controller's patch of the parent after a run (§9.9), without timestamps.
fn controller_patch(parent: &mut Data, r: &WorkflowResult) {
    let Some(p) = parent.as_map_mut() else { return };
    let meta = p.entry("metadata".to_owned()).or_insert_with(Data::map);
    if let Some(meta) = meta.as_map_mut() {
        let ann = meta
            .entry("annotations".to_owned())
            .or_insert_with(Data::map);
        if !matches!(ann, Data::Map(_)) {
            *ann = Data::map();
        }
        let merge = ann
            .get("koreo.dev/merge-conditions")
            .is_some_and(|v| v.py_str() == "true");
        if let Some(ann) = ann.as_map_mut() {
            ann.insert(
                "koreo.dev/managed-resources".into(),
                Data::Str(r.resource_ids.to_serde().to_string()),
            );
        }
        let status = p.entry("status".to_owned()).or_insert_with(Data::map);
        if !matches!(status, Data::Map(_)) {
            *status = Data::map();
        }
        let Some(status) = status.as_map_mut() else {
            return;
        };
        let mut conditions: Vec<Data> = if merge {
            status
                .get("conditions")
                .and_then(Data::as_list)
                .map(<[Data]>::to_vec)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        for c in &r.conditions {
            let new = c.to_data();
            match conditions
                .iter_mut()
                .find(|old| old.get("type").map(Data::py_str).as_deref() == Some(&c.type_))
            {
                Some(old) => *old = new,
                None => conditions.push(new),
            }
        }
        status.insert("conditions".into(), Data::List(conditions));
        status.insert("state".into(), koreo_eval::convert::value_to_data(&r.state));
        let failed = matches!(r.outcome, Outcome::Retry(_) | Outcome::PermFail(_));
        let text = |s: Option<&str>| s.map_or(Data::Null, |s| Data::Str(s.into()));
        let state_errors = if r.state_errors.is_empty() {
            Data::Null
        } else {
            Data::Map(
                r.state_errors
                    .iter()
                    .map(|(k, v)| (k.clone(), Data::Str(v.clone())))
                    .collect(),
            )
        };
        status.insert(
            "koreo".into(),
            map([
                (
                    "errors",
                    if failed {
                        text(r.outcome.message())
                    } else {
                        Data::Null
                    },
                ),
                (
                    "locations",
                    if failed {
                        text(r.outcome.location())
                    } else {
                        Data::Null
                    },
                ),
                ("state_errors", state_errors),
            ]),
        );
    }
}

/// The label path and id of every resource a run manages, in step order
/// (`label`, `label[0]` for forEach items, `label/inner` inside sub-workflows).
fn managed_resources(ids: &Data) -> Vec<(String, Data)> {
    fn walk(prefix: &str, id: &Data, out: &mut Vec<(String, Data)>) {
        match id {
            Data::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), item, out);
                }
            }
            Data::Map(m) if m.contains_key("apiVersion") => {
                out.push((prefix.to_owned(), id.clone()))
            }
            Data::Map(m) => {
                if let Some(Data::Map(res)) = m.get("resources") {
                    for (label, inner) in res {
                        let p = if prefix.is_empty() {
                            label.clone()
                        } else {
                            format!("{prefix}/{label}")
                        };
                        walk(&p, inner, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", ids, &mut out);
    out
}

fn step_ref_text(logic: &Logic) -> String {
    match logic {
        Logic::ValueFunction(f) => format!("ValueFunction {}", f.name),
        Logic::ResourceFunction(f) => format!("ResourceFunction {}", f.name),
        Logic::Workflow(w) => format!("Workflow {}", w.name),
        Logic::Switch(s) => {
            let mut cases: Vec<String> = s
                .cases
                .iter()
                .map(|(c, l)| format!("{c}: {}", step_ref_text(l)))
                .collect();
            if let Some(d) = &s.default {
                cases.push(format!("default: {}", step_ref_text(d)));
            }
            format!("refSwitch ({})", cases.join(", "))
        }
    }
}

fn workflow_preview(db: &Db, reg: &Registry, name: &str, out: &mut Out) {
    let Some(wf) = prepared_workflow(reg, name) else {
        not_prepared(reg, Kind::Workflow, name, out);
        return;
    };
    let parent = choose_parent(db, &wf);
    out.comment(&format!(
        "Workflow `{name}`: one controller reconcile after another, against an in-memory cluster (Kubernetes YAML rules)."
    ));
    out.comment(&format!("Parent: {}.", parent.source));
    let run = match run_workflow(reg, name, &parent.data) {
        None => {
            not_prepared(reg, Kind::Workflow, name, out);
            return;
        }
        Some(Err(e)) => {
            out.comment(&format!("Not run: {}.", preview_error(&e)));
            return;
        }
        Some(Ok(run)) => run,
    };
    let r = &run.result;
    let passes = if run.passes == 1 { "pass" } else { "passes" };
    let how = if run.settled {
        "after which nothing changes"
    } else if matches!(r.outcome, Outcome::PermFail(_)) {
        "then a PermFail stops it"
    } else {
        "and it still writes on every pass"
    };
    out.comment(&format!("{} reconcile {passes}, {how}.", run.passes));
    out.comment(&format!("Result: {}", outcome_line(&r.outcome)));

    // Steps.
    out.document();
    out.comment("Each step's outcome in the last pass.");
    let ids = managed_resources(&r.resource_ids);
    let mut steps = DataMap::new();
    for entry in &wf.steps {
        let mut m = DataMap::new();
        match entry {
            StepEntry::Step(s) => {
                m.insert("ref".into(), Data::Str(step_ref_text(&s.logic)));
                if let Some(fe) = &s.for_each {
                    m.insert("forEach".into(), Data::Str(fe.input_key.clone()));
                }
                if !s.dependencies.is_empty() {
                    m.insert(
                        "after".into(),
                        Data::List(s.dependencies.iter().cloned().map(Data::Str).collect()),
                    );
                }
            }
            StepEntry::Error(e) => {
                m.insert("error".into(), Data::Str(e.error.message().to_owned()));
            }
        }
        if let Some(o) = r.steps.get(entry.label()) {
            m.insert("outcome".into(), outcome_data(o));
            if let Outcome::Ok(v) = o {
                m.insert("value".into(), wf::value_data(v));
            }
        }
        let label = entry.label();
        let managed: Vec<Data> = ids
            .iter()
            .filter(|(l, _)| l == label || l.starts_with(&format!("{label}[")))
            .map(|(_, id)| Data::Str(id_text(id)))
            .collect();
        if !managed.is_empty() {
            m.insert("resources".into(), Data::List(managed));
        }
        steps.insert(label.to_owned(), Data::Map(m));
    }
    out.yaml(&map([("steps", Data::Map(steps))]));

    // The parent's status.
    out.document();
    out.comment("The parent as the controller leaves it (status and the managed-resources annotation; timestamps omitted).");
    out.yaml(&run.parent);

    // Resources.
    for (label, id) in &ids {
        let get = |k: &str| id.get(k).map(Data::py_str);
        let (Some(api), Some(kind), Some(n)) = (get("apiVersion"), get("kind"), get("name")) else {
            continue;
        };
        let ns = get("namespace");
        let Some(obj) = run.cluster.object(&api, &kind, ns.as_deref(), &n) else {
            continue;
        };
        let shown = koreo_eval::rf::strip_last_applied(obj);
        out.document();
        let function = id
            .get("resourceFunction")
            .map(|f| format!(" (ResourceFunction `{}`)", f.py_str()))
            .unwrap_or_default();
        out.comment(&format!("Step `{label}`{function}: {}", id_text(id)));
        schema_comments(db, &shown, out);
        out.yaml(&shown);
    }
}

fn id_text(id: &Data) -> String {
    let get = |k: &str| id.get(k).map(Data::py_str).unwrap_or_default();
    let ns = id
        .get("namespace")
        .filter(|n| n.truthy())
        .map(|n| format!("{}/", n.py_str()))
        .unwrap_or_default();
    format!("{} {} {ns}{}", get("apiVersion"), get("kind"), get("name"))
}

/// Inputs a workflow step passes to the function: the first workflow (by name) with a step
/// that runs it, reconciled for its parent; the step's `inputs` evaluated as the engine
/// does (and the first `forEach` item bound).
fn workflow_step_inputs(db: &Db, reg: &Registry, kind: Kind, name: &str) -> Option<FunctionInputs> {
    fn runs(logic: &Logic, kind: Kind, name: &str) -> bool {
        match logic {
            Logic::ValueFunction(f) => kind == Kind::ValueFunction && f.name == name,
            Logic::ResourceFunction(f) => kind == Kind::ResourceFunction && f.name == name,
            Logic::Workflow(_) => false,
            Logic::Switch(s) => {
                s.cases.values().any(|l| runs(l, kind, name))
                    || s.default.as_ref().is_some_and(|l| runs(l, kind, name))
            }
        }
    }
    for r in reg.resources().filter(|r| r.kind == Kind::Workflow) {
        let Some(wf) = prepared_workflow(reg, &r.name) else {
            continue;
        };
        let Some(step) = wf.steps.iter().find_map(|s| match s {
            StepEntry::Step(s) if runs(&s.logic, kind, name) => Some(s),
            _ => None,
        }) else {
            continue;
        };
        let parent = choose_parent(db, &wf);
        let Some(Ok(run)) = run_workflow(reg, &wf.name, &parent.data) else {
            continue;
        };
        let source = format!(
            "Workflow `{}` step `{}`, for the parent {}",
            wf.name, step.label, parent.source
        );
        let trigger = wf::parent_trigger(&run.parent).ok()?;
        let mut env = Activation::new();
        if !step.dependencies.is_empty() {
            let mut values = Map::new();
            for d in &step.dependencies {
                match run.result.steps.get(d) {
                    Some(Outcome::Ok(v)) => values.insert_str(d, v.clone()),
                    _ => {
                        return Some(FunctionInputs {
                            source: format!(
                                "{source}: not computable, step `{d}` it depends on is not Ok; an empty map"
                            ),
                            inputs: Data::map(),
                            current: None,
                        });
                    }
                }
            }
            env.bind("steps", Value::map(values));
        }
        env.bind("parent", trigger);
        let mut inputs = match &step.inputs {
            None => Value::map(Map::new()),
            Some(p) => p.evaluate(&env, "preview").ok()?,
        };
        let mut source = source;
        if let Some(fe) = &step.for_each
            && let Ok(items) = fe.item_in.evaluate(&env, "preview")
            && let Some(first) = items.as_list().and_then(|l| l.first().cloned())
            && let Some(m) = inputs.as_map()
        {
            let mut m = (**m).clone();
            m.insert_str(&fe.input_key, first);
            inputs = Value::map(m);
            source.push_str(", first `forEach` item");
        }
        return Some(FunctionInputs {
            source,
            inputs: koreo_eval::convert::value_to_data(&inputs),
            current: None,
        });
    }
    None
}

// ---------------------------------------------------------------------------------------
// ResourceTemplates

fn template_preview(reg: &Registry, name: &str, out: &mut Out) {
    out.comment(&format!(
        "ResourceTemplate `{name}`: templates are static (nothing in them is evaluated)."
    ));
    let users: Vec<String> = reg
        .resources()
        .filter(|r| r.kind == Kind::ResourceFunction)
        .filter(|r| {
            reg.source(r).is_some_and(|s| {
                s.spec
                    .get_path(&["resourceTemplateRef", "name"])
                    .and_then(|n| n.as_str())
                    == Some(name)
            })
        })
        .map(|r| format!("`{}`", r.name))
        .collect();
    if users.is_empty() {
        out.comment("No ResourceFunction names it statically.");
    } else {
        out.comment(&format!(
            "Used by ResourceFunction {}: preview one of them to see it rendered.",
            users.join(", ")
        ));
    }
    let r = ResourceRef::new(Kind::ResourceTemplate, name);
    if let Some(s) = reg.source(&r)
        && let Some(t) = s.spec.get("template")
    {
        out.document();
        out.yaml(&t.to_data());
    }
}

// ---------------------------------------------------------------------------------------
// PyYAML

/// Whether any plain scalar of a Koreo resource reads differently under PyYAML.
fn pyyaml_differs_anywhere(db: &Db) -> bool {
    db.files.values().any(|fa| {
        let Some(parsed) = fa.parsed() else {
            return false;
        };
        parsed.documents.iter().zip(fa.items()).any(|(doc, item)| {
            let (Item::Resource(_), Some(root)) = (item, &doc.root) else {
                return false;
            };
            let mut hit = false;
            differing_scalars(root, &mut |_, _| hit = true);
            hit
        })
    })
}

/// Says where the Python tooling (PyYAML, also used by the reference FunctionTest runner)
/// would show something else than the controller, line by line.
fn pyyaml_note(k8s: &str, py: &str) -> String {
    if k8s == py {
        return String::new();
    }
    let mut out = Out::default();
    let diff = similar::TextDiff::from_lines(k8s, py);
    let mut lines = Vec::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Equal => continue,
            similar::ChangeTag::Delete => "controller:",
            similar::ChangeTag::Insert => "PyYAML:    ",
        };
        lines.push(format!("  {sign} {}", change.value().trim_end()));
    }
    out.document();
    out.comment(
        "Note: the Python tooling (PyYAML, also used by the reference FunctionTest runner) reads\nsome plain scalars of these resources differently, and would show:",
    );
    let shown = lines.len().min(20);
    for l in &lines[..shown] {
        out.comment(l);
    }
    if lines.len() > shown {
        out.comment(&format!("  ... {} more lines", lines.len() - shown));
    }
    out.comment("Quote such scalars so that both read the same value.");
    out.finish()
}

fn differing_scalars(node: &koreo_syntax::Node, f: &mut dyn FnMut(&str, TextSize)) {
    use koreo_syntax::NodeKind;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Scalar(s)
                if s.style == koreo_syntax::ScalarStyle::Plain && n.tag.is_none() =>
            {
                let k8s = koreo_syntax::resolve_k8s_plain(&s.text);
                let py = koreo_syntax::resolve_pyyaml_plain(&s.text);
                let same = match (&k8s, &py) {
                    (Resolved::Float(a), Ok(Resolved::Float(b))) => {
                        a == b || (a.is_nan() && b.is_nan())
                    }
                    (a, Ok(b)) => a == b,
                    _ => false,
                };
                if !same {
                    f(&s.text, n.range.start());
                }
            }
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter().rev()),
            NodeKind::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
        }
    }
}
