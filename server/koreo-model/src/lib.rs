//! Layer 2: typed Koreo resources (with ranges) built from YAML documents, references, CRDs
//! and plain objects.
//!
//! [`lower_document`] turns one YAML document of `koreo-syntax` into an [`Item`]: a Koreo
//! [`Resource`] (apiVersion `koreo.dev/v1beta1`, one of the five kinds), a [`Crd`], a plain
//! Kubernetes [`Object`], or nothing. Every field keeps the byte range of its node so later
//! layers can point at it. Value sub-trees (inputs, return, resource, ...) are kept as
//! [`Node`]s; schema validation and evaluation happen in other crates. No I/O here.

#![deny(missing_docs)]

pub mod expr;
pub mod node;

use koreo_syntax::yaml::{Document, Node, Severity};
use text_size::TextRange;

pub use node::NodeExt;

/// The only apiVersion whose resources the engine prepares (spec §1.1).
pub const KOREO_API_VERSION: &str = "koreo.dev/v1beta1";
/// The API group of Koreo resources.
pub const KOREO_GROUP: &str = "koreo.dev";

/// A value with the byte range (in the file) of the node it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Byte range of the element in the file.
    pub range: TextRange,
}

impl<T> Spanned<T> {
    /// Pairs a value with its range.
    pub fn new(value: T, range: TextRange) -> Self {
        Self { value, range }
    }
}

/// The five Koreo kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A ValueFunction.
    ValueFunction,
    /// A ResourceFunction.
    ResourceFunction,
    /// A ResourceTemplate.
    ResourceTemplate,
    /// A Workflow.
    Workflow,
    /// A FunctionTest.
    FunctionTest,
}

impl Kind {
    /// All kinds, in the engine's prepare order (dependencies first).
    pub const ALL: [Kind; 5] = [
        Kind::ResourceTemplate,
        Kind::ValueFunction,
        Kind::ResourceFunction,
        Kind::Workflow,
        Kind::FunctionTest,
    ];

    /// The kind as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ValueFunction => "ValueFunction",
            Kind::ResourceFunction => "ResourceFunction",
            Kind::ResourceTemplate => "ResourceTemplate",
            Kind::Workflow => "Workflow",
            Kind::FunctionTest => "FunctionTest",
        }
    }

    /// Parses a kind name exactly as the engine compares it (case-sensitive).
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding of this layer, at a byte range of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// How bad it is.
    pub severity: Severity,
    /// Stable kebab-case id.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

/// What one YAML document is.
#[derive(Clone, Debug)]
pub enum Item {
    /// A Koreo resource of one of the five kinds.
    Resource(Box<Resource>),
    /// An `apiextensions.k8s.io/v1` CustomResourceDefinition.
    Crd(Box<Crd>),
    /// Any other object with `apiVersion` and `kind`.
    Object(Box<Object>),
    /// Not an object with `apiVersion` and `kind` (or a `koreo.dev` kind we do not know).
    Other,
}

/// A Koreo resource. Identity is `(kind, name)`: the namespace is not part of it (spec §1.1).
#[derive(Clone, Debug)]
pub struct Resource {
    /// `kind` as written.
    pub kind: Kind,
    /// Range of the `kind` value.
    pub kind_range: TextRange,
    /// `metadata.name`; `None` when missing or not a scalar.
    pub name: Option<Spanned<String>>,
    /// `metadata.namespace` (informational only).
    pub namespace: Option<Spanned<String>>,
    /// Range of the whole document's root node.
    pub range: TextRange,
    /// The `spec` node, as given to the schema validator.
    pub spec: Option<Node>,
    /// Kind-specific content.
    pub body: Body,
}

/// Kind-specific content of a resource.
#[derive(Clone, Debug)]
pub enum Body {
    /// A ValueFunction.
    ValueFunction(ValueFunction),
    /// A ResourceFunction.
    ResourceFunction(Box<ResourceFunction>),
    /// A ResourceTemplate.
    ResourceTemplate(ResourceTemplate),
    /// A Workflow.
    Workflow(Workflow),
    /// A FunctionTest.
    FunctionTest(FunctionTest),
}

/// `ValueFunction.spec` (spec §6.1).
#[derive(Clone, Debug, Default)]
pub struct ValueFunction {
    /// `preconditions`.
    pub preconditions: Option<Node>,
    /// `locals`.
    pub locals: Option<Node>,
    /// `return`.
    pub return_: Option<Node>,
}

/// `ResourceFunction.spec` (spec §8.1).
#[derive(Clone, Debug, Default)]
pub struct ResourceFunction {
    /// `preconditions`.
    pub preconditions: Option<Node>,
    /// `locals`.
    pub locals: Option<Node>,
    /// `apiConfig`.
    pub api_config: Option<ApiConfig>,
    /// `resource`.
    pub resource: Option<Node>,
    /// `resourceTemplateRef`.
    pub resource_template_ref: Option<Reference>,
    /// `overlays`.
    pub overlays: Vec<Overlay>,
    /// `create`.
    pub create: Option<Create>,
    /// `update`.
    pub update: Option<Node>,
    /// `delete`.
    pub delete: Option<Node>,
    /// `postconditions`.
    pub postconditions: Option<Node>,
    /// `return`.
    pub return_: Option<Node>,
}

/// `ResourceFunction.spec.apiConfig`.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `apiVersion`.
    pub api_version: Option<Spanned<String>>,
    /// `kind` as written.
    pub kind: Option<Spanned<String>>,
    /// May be an expression.
    pub name: Option<Node>,
    /// May be an expression.
    pub namespace: Option<Node>,
    /// `plural`.
    pub plural: Option<Spanned<String>>,
    /// `namespaced`.
    pub namespaced: Option<Spanned<bool>>,
    /// `owned`.
    pub owned: Option<Spanned<bool>>,
    /// `readonly`.
    pub readonly: Option<Spanned<bool>>,
    /// `deleteIfExists`.
    pub delete_if_exists: Option<Spanned<bool>>,
}

/// One item of `ResourceFunction.spec.overlays`.
#[derive(Clone, Debug)]
pub struct Overlay {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `overlay`.
    pub overlay: Option<Node>,
    /// `overlayRef`.
    pub overlay_ref: Option<Reference>,
    /// `inputs`.
    pub inputs: Option<Node>,
    /// `skipIf`.
    pub skip_if: Option<Node>,
}

/// `ResourceFunction.spec.create`.
#[derive(Clone, Debug)]
pub struct Create {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `enabled`.
    pub enabled: Option<Spanned<bool>>,
    /// `delay`.
    pub delay: Option<Node>,
    /// `overlay`.
    pub overlay: Option<Node>,
}

/// `ResourceTemplate.spec` (spec §7).
#[derive(Clone, Debug, Default)]
pub struct ResourceTemplate {
    /// `template`.
    pub template: Option<Node>,
    /// `context`.
    pub context: Option<Node>,
}

/// `Workflow.spec` (spec §9.1).
#[derive(Clone, Debug, Default)]
pub struct Workflow {
    /// `crdRef`.
    pub crd_ref: Option<CrdRef>,
    /// `steps`.
    pub steps: Vec<Step>,
}

/// `Workflow.spec.crdRef`: the parent kind that triggers the workflow.
#[derive(Clone, Debug)]
pub struct CrdRef {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `apiGroup`.
    pub api_group: Option<Spanned<String>>,
    /// `version`.
    pub version: Option<Spanned<String>>,
    /// `kind` as written.
    pub kind: Option<Spanned<String>>,
}

/// One workflow step.
#[derive(Clone, Debug)]
pub struct Step {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `reference`.
    pub reference: Option<Reference>,
    /// `refSwitch`.
    pub ref_switch: Option<RefSwitch>,
    /// `inputs`.
    pub inputs: Option<Node>,
    /// `skipIf`.
    pub skip_if: Option<Node>,
    /// `forEach`.
    pub for_each: Option<ForEach>,
    /// `state`.
    pub state: Option<Node>,
    /// `condition`.
    pub condition: Option<Condition>,
}

/// `steps[].refSwitch`.
#[derive(Clone, Debug)]
pub struct RefSwitch {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `switchOn`.
    pub switch_on: Option<Node>,
    /// `cases`.
    pub cases: Vec<SwitchCase>,
}

/// One `refSwitch.cases[]` item.
#[derive(Clone, Debug)]
pub struct SwitchCase {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `case`.
    pub case: Option<Spanned<String>>,
    /// `default`.
    pub default: Option<Spanned<bool>>,
    /// `reference`.
    pub reference: Reference,
}

/// `steps[].forEach`.
#[derive(Clone, Debug)]
pub struct ForEach {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `itemIn`.
    pub item_in: Option<Node>,
    /// `inputKey`.
    pub input_key: Option<Spanned<String>>,
}

/// `steps[].condition`.
#[derive(Clone, Debug)]
pub struct Condition {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `type`.
    pub type_: Option<Spanned<String>>,
    /// `name`.
    pub name: Option<Spanned<String>>,
}

/// `FunctionTest.spec` (spec §10.1).
#[derive(Clone, Debug, Default)]
pub struct FunctionTest {
    /// `functionRef`.
    pub function_ref: Option<Reference>,
    /// `inputs`.
    pub inputs: Option<Node>,
    /// `currentResource`.
    pub current_resource: Option<Node>,
    /// `testCases`.
    pub test_cases: Vec<TestCase>,
}

/// One `FunctionTest.spec.testCases[]` item.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `variant`.
    pub variant: Option<Spanned<bool>>,
    /// `skip`.
    pub skip: Option<Spanned<bool>>,
    /// `inputOverrides`.
    pub input_overrides: Option<Node>,
    /// `currentResource`.
    pub current_resource: Option<Node>,
    /// `overlayResource`.
    pub overlay_resource: Option<Node>,
    /// `expectResource`.
    pub expect_resource: Option<Node>,
    /// `expectDelete`.
    pub expect_delete: Option<Node>,
    /// `expectReturn`.
    pub expect_return: Option<Node>,
    /// `expectOutcome`.
    pub expect_outcome: Option<Node>,
}

/// Where a reference appears, which decides the kinds it may target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefRole {
    /// `Workflow.spec.steps[].ref`
    StepRef,
    /// `Workflow.spec.steps[].refSwitch.cases[]`
    SwitchCase,
    /// `ResourceFunction.spec.resourceTemplateRef`
    ResourceTemplateRef,
    /// `ResourceFunction.spec.overlays[].overlayRef`
    OverlayRef,
    /// `FunctionTest.spec.functionRef`
    FunctionRef,
}

impl RefRole {
    /// The kinds the engine accepts for this reference.
    pub fn allowed_kinds(self) -> &'static [Kind] {
        match self {
            RefRole::StepRef | RefRole::SwitchCase => {
                &[Kind::ValueFunction, Kind::ResourceFunction, Kind::Workflow]
            }
            RefRole::ResourceTemplateRef => &[Kind::ResourceTemplate],
            RefRole::OverlayRef => &[Kind::ValueFunction],
            RefRole::FunctionRef => &[Kind::ValueFunction, Kind::ResourceFunction],
        }
    }

    /// The YAML field path of the reference, for messages.
    pub fn field(self) -> &'static str {
        match self {
            RefRole::StepRef => "ref",
            RefRole::SwitchCase => "refSwitch case",
            RefRole::ResourceTemplateRef => "resourceTemplateRef",
            RefRole::OverlayRef => "overlayRef",
            RefRole::FunctionRef => "functionRef",
        }
    }
}

/// A by-name reference to another Koreo resource (`{kind, name}`; never a namespace).
#[derive(Clone, Debug)]
pub struct Reference {
    /// Where the reference appears.
    pub role: RefRole,
    /// Range of the whole reference mapping.
    pub range: TextRange,
    /// `kind` as written (absent for `resourceTemplateRef`).
    pub kind: Option<Spanned<String>>,
    /// The target name: the written name, or the literal of a `='name'` expression.
    pub name: Option<Spanned<String>>,
    /// True when the name is an expression whose value is only known at run time.
    pub dynamic: bool,
}

impl Reference {
    /// The kind this reference asks for: the written `kind` when it is a Koreo kind, else
    /// the only kind the role allows (e.g. ResourceTemplate, ValueFunction for overlays).
    pub fn target_kind(&self) -> Option<Kind> {
        match &self.kind {
            Some(k) => Kind::parse(&k.value),
            None => match self.role.allowed_kinds() {
                [only] => Some(*only),
                _ => None,
            },
        }
    }
}

/// An `apiextensions.k8s.io/v1` CustomResourceDefinition (feeds the schema store).
#[derive(Clone, Debug)]
pub struct Crd {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `group`.
    pub group: Option<Spanned<String>>,
    /// `spec.names.kind`
    pub kind: Option<Spanned<String>>,
    /// `spec.versions[].name`
    pub versions: Vec<Spanned<String>>,
}

/// Any other Kubernetes object (later usable as a preview parent).
#[derive(Clone, Debug)]
pub struct Object {
    /// Byte range of the element in the file.
    pub range: TextRange,
    /// `apiVersion`.
    pub api_version: Spanned<String>,
    /// `kind` as written.
    pub kind: Spanned<String>,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `namespace`.
    pub namespace: Option<Spanned<String>>,
}

/// The result of lowering one document.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// What the document is.
    pub item: Item,
    /// Findings of the lowering.
    pub problems: Vec<Problem>,
}

/// Classifies and lowers one YAML document. Never fails: anything unexpected is a
/// [`Problem`] or [`Item::Other`]. Structural checks of `spec` are left to the schema layer.
pub fn lower_document(doc: &Document) -> Lowered {
    let mut problems = Vec::new();
    let item = match &doc.root {
        Some(root) => lower_root(root, &mut problems),
        None => Item::Other,
    };
    Lowered { item, problems }
}

fn lower_root(root: &Node, problems: &mut Vec<Problem>) -> Item {
    let (Some(api_version), Some(kind_node)) = (root.get("apiVersion"), root.get("kind")) else {
        return Item::Other;
    };
    let (Some(api), Some(kind)) = (api_version.spanned_text(), kind_node.spanned_text()) else {
        return Item::Other;
    };
    let metadata = root.get("metadata");
    let name = metadata.and_then(|m| m.get("name")).and_then(scalar);
    let namespace = metadata.and_then(|m| m.get("namespace")).and_then(scalar);

    if api.value == "apiextensions.k8s.io/v1" && kind.value == "CustomResourceDefinition" {
        return Item::Crd(Box::new(lower_crd(root, name)));
    }
    let group = api.value.split_once('/').map_or("", |(g, _)| g);
    if group != KOREO_GROUP {
        return Item::Object(Box::new(Object {
            range: root.range,
            api_version: api,
            kind,
            name,
            namespace,
        }));
    }
    let parsed = Kind::parse(&kind.value);
    let Some(k) = parsed.filter(|_| api.value == KOREO_API_VERSION) else {
        let message = if parsed.is_some() {
            format!(
                "'{}.{}' is not a Koreo Resource: the engine only reads apiVersion {KOREO_API_VERSION}.",
                kind.value, api.value
            )
        } else {
            format!(
                "'{}' is not a supported Koreo Resource (expected one of ValueFunction, ResourceFunction, ResourceTemplate, Workflow, FunctionTest).",
                kind.value
            )
        };
        let range = if parsed.is_some() {
            api.range
        } else {
            kind.range
        };
        problems.push(Problem {
            range,
            severity: Severity::Warning,
            code: "not-koreo-resource",
            message,
        });
        return Item::Other;
    };
    if name.is_none() {
        // Point at the `metadata` key when there is one: its value may be empty.
        let range = root.entry("metadata").map_or(kind.range, |e| e.key.range);
        problems.push(Problem {
            range,
            severity: Severity::Error,
            code: "missing-name",
            message: format!(
                "{k} is missing `metadata.name`: the engine identifies resources by kind and name."
            ),
        });
    }
    let spec = root.get("spec").cloned();
    let body = match (k, spec.as_ref()) {
        (Kind::ValueFunction, s) => Body::ValueFunction(ValueFunction {
            preconditions: field(s, "preconditions"),
            locals: field(s, "locals"),
            return_: field(s, "return"),
        }),
        (Kind::ResourceFunction, s) => Body::ResourceFunction(Box::new(lower_rf(s))),
        (Kind::ResourceTemplate, s) => Body::ResourceTemplate(ResourceTemplate {
            template: field(s, "template"),
            context: field(s, "context"),
        }),
        (Kind::Workflow, s) => Body::Workflow(lower_workflow(s)),
        (Kind::FunctionTest, s) => Body::FunctionTest(lower_test(s)),
    };
    Item::Resource(Box::new(Resource {
        kind: k,
        kind_range: kind.range,
        name,
        namespace,
        range: root.range,
        spec,
        body,
    }))
}

/// A scalar's text, treating null scalars as absent.
fn scalar(n: &Node) -> Option<Spanned<String>> {
    if n.is_null() { None } else { n.spanned_text() }
}

fn field(n: Option<&Node>, key: &str) -> Option<Node> {
    n?.get(key).filter(|v| !v.is_null()).cloned()
}

fn text(n: Option<&Node>, key: &str) -> Option<Spanned<String>> {
    n?.get(key).and_then(scalar)
}

fn boolean(n: Option<&Node>, key: &str) -> Option<Spanned<bool>> {
    let v = n?.get(key)?;
    v.as_bool().map(|b| Spanned::new(b, v.range))
}

fn lower_ref(n: &Node, role: RefRole) -> Reference {
    let mut reference = Reference {
        role,
        range: n.range,
        kind: text(Some(n), "kind"),
        name: None,
        dynamic: false,
    };
    if let Some(name) = n.get("name").and_then(scalar) {
        if name.value.starts_with('=') {
            // `='tmpl'` names a template statically; anything else is only known at run time.
            match string_literal(name.value.trim_start_matches('=')) {
                Some(lit) => reference.name = Some(Spanned::new(lit, name.range)),
                None => reference.dynamic = true,
            }
        } else {
            reference.name = Some(name);
        }
    }
    reference
}

/// The value of an expression that is a single plain CEL string literal (`'a'` or `"a"`),
/// without escapes; anything more complex is not resolved statically.
fn string_literal(expr: &str) -> Option<String> {
    let e = expr.trim();
    let q = e.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = e.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q) && !inner.contains('\\') && !inner.is_empty()).then(|| inner.to_owned())
}

fn lower_rf(s: Option<&Node>) -> ResourceFunction {
    let api_config = s.and_then(|s| s.get("apiConfig")).map(|a| ApiConfig {
        range: a.range,
        api_version: text(Some(a), "apiVersion"),
        kind: text(Some(a), "kind"),
        name: field(Some(a), "name"),
        namespace: field(Some(a), "namespace"),
        plural: text(Some(a), "plural"),
        namespaced: boolean(Some(a), "namespaced"),
        owned: boolean(Some(a), "owned"),
        readonly: boolean(Some(a), "readonly"),
        delete_if_exists: boolean(Some(a), "deleteIfExists"),
    });
    let overlays = s
        .and_then(|s| s.get("overlays"))
        .and_then(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| Overlay {
            range: o.range,
            overlay: field(Some(o), "overlay"),
            overlay_ref: o
                .get("overlayRef")
                .map(|r| lower_ref(r, RefRole::OverlayRef)),
            inputs: field(Some(o), "inputs"),
            skip_if: field(Some(o), "skipIf"),
        })
        .collect();
    let create = s.and_then(|s| s.get("create")).map(|c| Create {
        range: c.range,
        enabled: boolean(Some(c), "enabled"),
        delay: field(Some(c), "delay"),
        overlay: field(Some(c), "overlay"),
    });
    ResourceFunction {
        preconditions: field(s, "preconditions"),
        locals: field(s, "locals"),
        api_config,
        resource: field(s, "resource"),
        resource_template_ref: s
            .and_then(|s| s.get("resourceTemplateRef"))
            .map(|r| lower_ref(r, RefRole::ResourceTemplateRef)),
        overlays,
        create,
        update: field(s, "update"),
        delete: field(s, "delete"),
        postconditions: field(s, "postconditions"),
        return_: field(s, "return"),
    }
}

fn lower_workflow(s: Option<&Node>) -> Workflow {
    let crd_ref = s.and_then(|s| s.get("crdRef")).map(|c| CrdRef {
        range: c.range,
        api_group: text(Some(c), "apiGroup"),
        version: text(Some(c), "version"),
        kind: text(Some(c), "kind"),
    });
    let steps = s
        .and_then(|s| s.get("steps"))
        .and_then(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(lower_step)
        .collect();
    Workflow { crd_ref, steps }
}

fn lower_step(n: &Node) -> Step {
    let ref_switch = n.get("refSwitch").map(|rs| RefSwitch {
        range: rs.range,
        switch_on: field(Some(rs), "switchOn"),
        cases: rs
            .get("cases")
            .and_then(|c| c.items())
            .unwrap_or_default()
            .iter()
            .map(|c| SwitchCase {
                range: c.range,
                case: text(Some(c), "case"),
                default: boolean(Some(c), "default"),
                reference: lower_ref(c, RefRole::SwitchCase),
            })
            .collect(),
    });
    Step {
        range: n.range,
        label: text(Some(n), "label"),
        reference: n.get("ref").map(|r| lower_ref(r, RefRole::StepRef)),
        ref_switch,
        inputs: field(Some(n), "inputs"),
        skip_if: field(Some(n), "skipIf"),
        for_each: n.get("forEach").map(|f| ForEach {
            range: f.range,
            item_in: field(Some(f), "itemIn"),
            input_key: text(Some(f), "inputKey"),
        }),
        state: field(Some(n), "state"),
        condition: n.get("condition").map(|c| Condition {
            range: c.range,
            type_: text(Some(c), "type"),
            name: text(Some(c), "name"),
        }),
    }
}

fn lower_test(s: Option<&Node>) -> FunctionTest {
    let test_cases = s
        .and_then(|s| s.get("testCases"))
        .and_then(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|c| TestCase {
            range: c.range,
            label: text(Some(c), "label"),
            variant: boolean(Some(c), "variant"),
            skip: boolean(Some(c), "skip"),
            input_overrides: field(Some(c), "inputOverrides"),
            current_resource: field(Some(c), "currentResource"),
            overlay_resource: field(Some(c), "overlayResource"),
            expect_resource: field(Some(c), "expectResource"),
            expect_delete: field(Some(c), "expectDelete"),
            expect_return: field(Some(c), "expectReturn"),
            expect_outcome: field(Some(c), "expectOutcome"),
        })
        .collect();
    FunctionTest {
        function_ref: s
            .and_then(|s| s.get("functionRef"))
            .map(|r| lower_ref(r, RefRole::FunctionRef)),
        inputs: field(s, "inputs"),
        current_resource: field(s, "currentResource"),
        test_cases,
    }
}

fn lower_crd(root: &Node, name: Option<Spanned<String>>) -> Crd {
    let spec = root.get("spec");
    Crd {
        range: root.range,
        name,
        group: text(spec, "group"),
        kind: text(spec.and_then(|s| s.get("names")), "kind"),
        versions: spec
            .and_then(|s| s.get("versions"))
            .and_then(|v| v.items())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.get("name").and_then(scalar))
            .collect(),
    }
}

impl Resource {
    /// Every outgoing reference, in document order.
    pub fn references(&self) -> Vec<&Reference> {
        let mut out = Vec::new();
        match &self.body {
            Body::ResourceFunction(rf) => {
                out.extend(rf.resource_template_ref.as_ref());
                out.extend(rf.overlays.iter().filter_map(|o| o.overlay_ref.as_ref()));
            }
            Body::Workflow(wf) => {
                for step in &wf.steps {
                    out.extend(step.reference.as_ref());
                    if let Some(rs) = &step.ref_switch {
                        out.extend(rs.cases.iter().map(|c| &c.reference));
                    }
                }
            }
            Body::FunctionTest(ft) => out.extend(ft.function_ref.as_ref()),
            Body::ValueFunction(_) | Body::ResourceTemplate(_) => {}
        }
        out
    }

    /// The variable through which callers pass data in: `inputs` for functions, `parent`
    /// for workflows; `None` for kinds that take no input.
    pub fn input_root(&self) -> Option<&'static str> {
        match self.kind {
            Kind::ValueFunction | Kind::ResourceFunction => Some("inputs"),
            Kind::Workflow => Some("parent"),
            Kind::ResourceTemplate | Kind::FunctionTest => None,
        }
    }

    /// The first-level input names the resource's expressions read (`inputs.X` for
    /// functions, `parent.X` for workflows), in order of first use.
    pub fn inputs_read(&self) -> Vec<String> {
        let (Some(root), Some(spec)) = (self.input_root(), self.spec.as_ref()) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for (expr, _) in node::expressions(spec) {
            for f in expr::root_fields(expr, root) {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }
}
