//! ResourceFunction (§8): prepare, building the target resource specification (TRS),
//! difference detection, and the create / update / delete writes against an [`Api`].

use crate::api::{Api, ApiError, ResourceKey, builtin_kind};
use crate::cel::{CelProgram, Crash, Stop};
use crate::compare::{is_directive, reconcile_compare};
use crate::convert::{data_to_value, value_to_data};
use crate::data::{Data, DataMap};
use crate::outcome::{Failure, Outcome};
use crate::prepare::{PrepareError, extract_into};
use crate::resource::{Kind, ResourceRef};
use crate::rt::ResourceTemplate;
use crate::spec::{SEntry, SKind, SNode};
use crate::structure::{
    OverlayProgram, Predicates, deep_overlay, eval_overlay, eval_predicates, has_error,
    prepare_expression, prepare_map_expression, prepare_overlay, prepare_predicates,
};
use crate::vf::{self, ValueFunction};
use koreo_cel::Activation;
use koreo_cel::{Map, Value};
use std::sync::Arc;
use text_size::TextRange;

/// The annotation holding the last-applied configuration.
pub const LAST_APPLIED_ANNOTATION: &str = "koreo.dev/last-applied-configuration";

/// Retry delay for loads and deletes.
const LOAD_RETRY_DELAY: i64 = 30;

/// The resource class: apiVersion, kind, plural (`None` until discovered) and scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceApi {
    /// `apiConfig.apiVersion`.
    pub api_version: String,
    /// `apiConfig.kind`.
    pub kind: String,
    /// The plural; `None` until discovered.
    pub plural: Option<String>,
    /// Whether resources of this class live in a namespace.
    pub namespaced: bool,
}

/// Where the base of the TRS comes from.
#[derive(Clone, Debug)]
pub enum Template {
    /// Inline `resource` (no program when empty).
    Inline(Option<CelProgram>),
    /// `resourceTemplateRef.name`, evaluated at reconcile.
    Ref(CelProgram),
}

/// One prepared overlay step.
#[derive(Clone, Debug)]
pub enum OverlayStep {
    /// An inline `overlay` (an overlay expression applied onto the TRS).
    Inline {
        /// The prepared overlay.
        overlay: OverlayProgram,
        /// The prepared `skipIf`.
        skip_if: Option<CelProgram>,
    },
    /// An `overlayRef` to a ValueFunction evaluated with the TRS as its base.
    Ref {
        /// The referenced ValueFunction, as prepared.
        vf: Arc<ValueFunction>,
        /// The prepared `skipIf`.
        skip_if: Option<CelProgram>,
        /// The prepared `inputs` (`None` when omitted: the function gets null inputs).
        inputs: Option<CelProgram>,
    },
}

/// `create`.
#[derive(Clone, Debug)]
pub struct Create {
    /// `create.enabled`.
    pub enabled: bool,
    /// `create.delay` (seconds).
    pub delay: i64,
    /// `create.overlay`, applied only when creating.
    pub overlay: Option<OverlayProgram>,
}

/// `update`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// Merge-patch differences, then retry after `delay`.
    Patch {
        /// Seconds until the next reconcile.
        delay: i64,
    },
    /// Delete on difference, then retry after `delay`.
    Recreate {
        /// Seconds until the next reconcile.
        delay: i64,
    },
    /// Never update.
    Never,
}

/// A prepared ResourceFunction.
#[derive(Clone, Debug)]
pub struct ResourceFunction {
    /// The function's name.
    pub name: String,
    /// `preconditions`.
    pub preconditions: Option<Predicates>,
    /// `locals`.
    pub locals: Option<CelProgram>,
    /// The resource class.
    pub api: ResourceApi,
    /// `{name, namespace}` compiled together.
    pub resource_id: CelProgram,
    /// `apiConfig.owned`.
    pub owned: bool,
    /// `apiConfig.readonly`.
    pub readonly: bool,
    /// `apiConfig.deleteIfExists`.
    pub delete_if_exists: bool,
    /// Where the TRS base comes from.
    pub template: Template,
    /// The overlays, or the combined error stored at prepare (§8.2), surfaced when
    /// reconciliation reaches them. `Ok(vec![])` when no overlays are configured.
    pub overlays: Result<Vec<OverlayStep>, Outcome<()>>,
    /// Each failing overlay item with its node, for diagnostics.
    pub overlay_errors: Vec<PrepareError>,
    /// `create`.
    pub create: Create,
    /// `update`.
    pub update: Update,
    /// `postconditions`.
    pub postconditions: Option<Predicates>,
    /// `return` (a map expression).
    pub ret: Option<CelProgram>,
    /// Every path the function's expressions reference.
    pub dynamic_input_keys: Vec<String>,
    /// ValueFunctions referenced by `overlayRef` (re-prepare when they change).
    pub used_value_functions: Vec<String>,
}

/// Looks up a prepared ValueFunction: `None` when not cached, `Err` with the cached failure.
pub type VfLookup<'a> = &'a dyn Fn(&str) -> Option<Result<Arc<ValueFunction>, Outcome<()>>>;

fn loc(name: &str, part: &str) -> String {
    format!("prepare:ResourceFunction:{name}:{part}")
}

fn null() -> SNode {
    SNode::detached(SKind::Null)
}

fn as_bool(node: Option<&SNode>, default: bool) -> bool {
    match node {
        None => default,
        Some(n) => n.truthy(),
    }
}

fn as_int(node: Option<&SNode>, default: i64) -> i64 {
    match node.map(|n| &n.kind) {
        Some(SKind::Int(i)) => *i,
        Some(SKind::Bool(b)) => *b as i64,
        Some(SKind::Float(f)) if f.is_finite() => *f as i64,
        _ => default,
    }
}

impl ResourceFunction {
    /// Every compiled program of the function (overlay ValueFunctions excluded).
    pub fn programs(&self) -> Vec<&CelProgram> {
        let mut out: Vec<&CelProgram> = Vec::new();
        out.extend(self.preconditions.as_ref().map(|p| &p.program));
        out.extend(self.locals.as_ref());
        out.push(&self.resource_id);
        match &self.template {
            Template::Inline(Some(p)) | Template::Ref(p) => out.push(p),
            Template::Inline(None) => {}
        }
        if let Ok(steps) = &self.overlays {
            for s in steps {
                match s {
                    OverlayStep::Inline { overlay, skip_if } => {
                        out.push(&overlay.values);
                        out.extend(skip_if.as_ref());
                    }
                    OverlayStep::Ref {
                        skip_if, inputs, ..
                    } => {
                        out.extend(skip_if.as_ref());
                        out.extend(inputs.as_ref());
                    }
                }
            }
        }
        out.extend(self.create.overlay.as_ref().map(|o| &o.values));
        out.extend(self.postconditions.as_ref().map(|p| &p.program));
        out.extend(self.ret.as_ref());
        out
    }
}

/// Prepares a ResourceFunction's `spec` (§8.2).
pub fn prepare(
    name: &str,
    spec: &SNode,
    schema_error: Option<&str>,
    lookup_vf: VfLookup<'_>,
) -> Result<ResourceFunction, PrepareError> {
    let kind = Kind::ResourceFunction;
    let owner = ResourceRef::new(kind, name);
    let owner = Some(&owner);
    if let Some(msg) = schema_error {
        return Err(PrepareError::perm_fail(
            "schema",
            msg,
            Some(loc(name, "spec")),
            None,
        ));
    }
    let part = |key: &str| spec.get(key).cloned().unwrap_or_else(null);
    let mut used = Vec::new();

    let preconditions = prepare_predicates(&part("preconditions"), owner).map_err(|f| {
        PrepareError::from_structure(kind, name, f, Some(loc(name, "spec.preconditions")))
    })?;
    if let Some(p) = &preconditions {
        extract_into(kind, name, &p.program, &mut used)?;
    }

    let locals = prepare_map_expression(&part("locals"), "spec.locals", owner)
        .map_err(|f| PrepareError::from_structure(kind, name, f, Some(loc(name, "spec.locals"))))?;
    if let Some(l) = &locals {
        extract_into(kind, name, l, &mut used)?;
    }

    // apiConfig
    let api_config = part("apiConfig");
    let api_fail = |code, message: &str, range| {
        PrepareError::perm_fail(code, message, Some(loc(name, "spec.apiConfig")), range)
    };
    let get = |k: &str| api_config.get(k);
    let api_version = get("apiVersion").filter(|n| n.truthy());
    let kind_node = get("kind").filter(|n| n.truthy());
    let name_node = get("name").filter(|n| n.truthy());
    let (Some(api_version), Some(kind_node), Some(name_node)) = (api_version, kind_node, name_node)
    else {
        return Err(api_fail(
            "api-config-incomplete",
            "`apiVersion`, `kind`, and `name` are required in `spec.apiConfig`",
            Some(api_config.range),
        ));
    };
    let api_version_s = api_version.py_str();
    let kind_s = kind_node.py_str();
    let plural = get("plural").filter(|n| n.truthy()).map(SNode::py_str);
    let namespaced = as_bool(get("namespaced"), true);
    let owned = as_bool(get("owned"), true);
    let readonly = as_bool(get("readonly"), false);
    let delete_if_exists = as_bool(get("deleteIfExists"), false);
    let mut id_entries = vec![SEntry {
        key: SNode::str("name"),
        value: name_node.clone(),
    }];
    match get("namespace").filter(|n| n.truthy()) {
        Some(ns) => id_entries.push(SEntry {
            key: SNode::str("namespace"),
            value: ns.clone(),
        }),
        None if namespaced => {
            return Err(api_fail(
                "namespace-required",
                "`namespace` is required when `spec.apiConfig.namespaced` is `true`",
                Some(
                    get("namespace")
                        .map(|n| n.range)
                        .unwrap_or(api_config.range),
                ),
            ));
        }
        None => {}
    }
    let id_node = SNode {
        range: api_config.range,
        kind: SKind::Map(id_entries),
    };
    let resource_id = match prepare_map_expression(&id_node, "spec.apiConfig", owner) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Err(api_fail(
                "api-config-incomplete",
                "Error processing `spec.apiConfig.name`",
                None,
            ));
        }
        Err(f) => {
            return Err(PrepareError::from_structure(
                kind,
                name,
                f,
                Some(loc(name, "spec.apiConfig")),
            ));
        }
    };
    extract_into(kind, name, &resource_id, &mut used)?;
    let api = match builtin_kind(&api_version_s, &kind_s) {
        Some((p, n)) => ResourceApi {
            api_version: api_version_s,
            kind: kind_s,
            plural: Some(p.to_string()),
            namespaced: n,
        },
        None => ResourceApi {
            api_version: api_version_s,
            kind: kind_s,
            plural,
            namespaced,
        },
    };

    // resource / resourceTemplateRef
    let template = if let Some(resource) = spec.get("resource") {
        match prepare_map_expression(resource, "spec.resource", owner) {
            Ok(p) => Template::Inline(p),
            Err(f) => return Err(PrepareError::from_structure(kind, name, f, None)),
        }
    } else if let Some(tref) = spec.get("resourceTemplateRef") {
        let name_spec = tref.get("name").cloned().unwrap_or_else(null);
        match prepare_expression(&name_spec, "spec.resourceTemplateRef.name", owner) {
            Ok(Some(p)) => Template::Ref(p),
            Ok(None) => {
                return Err(PrepareError::perm_fail(
                    "template-ref-name-required",
                    "`name` is required in `spec.resourceTemplateRef`",
                    Some("spec.resourceTemplateRef.name".into()),
                    Some(tref.range),
                ));
            }
            Err(f) => return Err(PrepareError::from_structure(kind, name, f, None)),
        }
    } else {
        return Err(PrepareError::perm_fail(
            "resource-required",
            "One of `resource` or `resourceTemplateRef` is required.",
            Some("spec".into()),
            Some(spec.range),
        ));
    };
    match &template {
        Template::Inline(Some(p)) | Template::Ref(p) => extract_into(kind, name, p, &mut used)?,
        Template::Inline(None) => {}
    }

    let (overlays, overlay_errors, used_value_functions) =
        prepare_overlays(name, &part("overlays"), owner, lookup_vf, &mut used)?;

    let create_spec = part("create");
    let create = if !create_spec.truthy() {
        Create {
            enabled: true,
            delay: 30,
            overlay: None,
        }
    } else if !as_bool(create_spec.get("enabled"), true) {
        Create {
            enabled: false,
            delay: 30,
            overlay: None,
        }
    } else {
        let delay = as_int(create_spec.get("delay"), 30);
        let overlay = prepare_overlay(
            &create_spec.get("overlay").cloned().unwrap_or_else(null),
            "spec.create.overlay",
            owner,
        )
        .map_err(|f| PrepareError::from_structure(kind, name, f, Some(loc(name, "spec.create"))))?;
        Create {
            enabled: true,
            delay,
            overlay,
        }
    };
    if let Some(o) = &create.overlay {
        extract_into(kind, name, &o.values, &mut used)?;
    }

    let update = prepare_update(spec.get("update")).map_err(|range| {
        PrepareError::perm_fail(
            "update-malformed",
            "Malformed `spec.update`, expected a mapping with `patch`, `recreate`, or `never`",
            Some(loc(name, "spec.update")),
            range,
        )
    })?;

    let postconditions = prepare_predicates(&part("postconditions"), owner).map_err(|f| {
        PrepareError::from_structure(kind, name, f, Some(loc(name, "spec.postconditions")))
    })?;
    if let Some(p) = &postconditions {
        extract_into(kind, name, &p.program, &mut used)?;
    }

    let ret = prepare_map_expression(&part("return"), "spec.return", owner)
        .map_err(|f| PrepareError::from_structure(kind, name, f, None))?;
    if let Some(r) = &ret {
        extract_into(kind, name, r, &mut used)?;
    }

    Ok(ResourceFunction {
        name: name.to_string(),
        preconditions,
        locals,
        api,
        resource_id,
        owned,
        readonly,
        delete_if_exists,
        template,
        overlays,
        overlay_errors,
        create,
        update,
        postconditions,
        ret,
        dynamic_input_keys: used,
        used_value_functions,
    })
}

/// `_prepare_update`, with the schema's defaults (`delay: 30`) applied.
fn prepare_update(spec: Option<&SNode>) -> Result<Update, Option<TextRange>> {
    let Some(spec) = spec.filter(|s| !s.is_null()) else {
        return Ok(Update::Patch { delay: 30 });
    };
    if let Some(p) = spec.get("patch").filter(|p| p.is_map()) {
        return Ok(Update::Patch {
            delay: as_int(p.get("delay"), 30),
        });
    }
    if let Some(r) = spec.get("recreate").filter(|p| p.is_map()) {
        return Ok(Update::Recreate {
            delay: as_int(r.get("delay"), 30),
        });
    }
    if spec.get("never").is_some_and(SNode::is_map) {
        return Ok(Update::Never);
    }
    Err(Some(spec.range))
}

type Overlays = (
    Result<Vec<OverlayStep>, Outcome<()>>,
    Vec<PrepareError>,
    Vec<String>,
);

/// `_prepare_overlays`: item problems are collected and combined, not raised (§8.2).
fn prepare_overlays(
    name: &str,
    spec: &SNode,
    owner: Option<&ResourceRef>,
    lookup_vf: VfLookup<'_>,
    used: &mut Vec<String>,
) -> Result<Overlays, PrepareError> {
    let kind = Kind::ResourceFunction;
    let mut used_vfs = Vec::new();
    let Some(items) = spec.items().filter(|_| spec.truthy()) else {
        return Ok((Ok(Vec::new()), Vec::new(), used_vfs));
    };
    let mut outcomes: Vec<Outcome<OverlayStep>> = Vec::new();
    let mut errors = Vec::new();
    let mut push_err = |outcomes: &mut Vec<Outcome<OverlayStep>>, err: PrepareError| {
        outcomes.push(err.outcome.cast().unwrap_or(Outcome::perm_fail("")));
        errors.push(err);
    };
    for (idx, item) in items.iter().enumerate() {
        let entries: Vec<&SEntry> = item
            .entries()
            .map(|e| e.iter().collect())
            .unwrap_or_default();
        let skip_if_node = item.get("skipIf").cloned().unwrap_or_else(null);
        // The engine pops `skipIf` from the item before looking at the rest.
        let rest: Vec<&SEntry> = entries
            .iter()
            .copied()
            .filter(|e| e.key.as_str() != Some("skipIf"))
            .collect();
        let rest_repr = || {
            let mut m = DataMap::new();
            for e in &rest {
                m.insert(e.key.py_str(), e.value.to_data());
            }
            Data::Map(m).py_repr()
        };
        let item_loc = |part: &str| format!("spec.overlays[{idx}]{part}");
        let skip_if = match prepare_expression(&skip_if_node, &item_loc(".skipIf"), owner) {
            Ok(p) => p,
            Err(f) => {
                push_err(
                    &mut outcomes,
                    PrepareError::from_structure(kind, name, f, None),
                );
                continue;
            }
        };
        if let Some(p) = &skip_if {
            extract_into(kind, name, p, used)?;
        }
        if let Some(overlay_entry) = rest.iter().find(|e| e.key.as_str() == Some("overlay")) {
            let extras: Vec<String> = rest
                .iter()
                .filter(|e| e.key.as_str() != Some("overlay"))
                .map(|e| e.key.py_str())
                .collect();
            if !extras.is_empty() {
                push_err(
                    &mut outcomes,
                    PrepareError::perm_fail(
                        "overlay-extra-keys",
                        format!("may not specify {} with overlay", extras.join(", ")),
                        Some(item_loc(".overlay")),
                        Some(item.range),
                    ),
                );
                continue;
            }
            match prepare_overlay(&overlay_entry.value, &item_loc(".overlay"), owner) {
                Ok(None) => push_err(
                    &mut outcomes,
                    PrepareError::perm_fail(
                        "overlay-empty",
                        format!("Empty inline overlay ({})", rest_repr()),
                        Some(item_loc(".overlay")),
                        Some(overlay_entry.value.range),
                    ),
                ),
                Err(f) => push_err(
                    &mut outcomes,
                    PrepareError::from_structure(kind, name, f, None),
                ),
                Ok(Some(overlay)) => {
                    extract_into(kind, name, &overlay.values, used)?;
                    outcomes.push(Outcome::Ok(OverlayStep::Inline { overlay, skip_if }));
                }
            }
            continue;
        }
        let vf_name = rest
            .iter()
            .find(|e| e.key.as_str() == Some("overlayRef"))
            .and_then(|e| e.value.get("name").map(|n| (e, n)));
        let Some((ref_entry, vf_name_node)) = vf_name else {
            push_err(
                &mut outcomes,
                PrepareError::perm_fail(
                    "overlay-invalid",
                    format!("Invalid overlays spec: {}", rest_repr()),
                    Some(item_loc("")),
                    Some(item.range),
                ),
            );
            continue;
        };
        let vf_name = vf_name_node.py_str();
        if !used_vfs.contains(&vf_name) {
            used_vfs.push(vf_name.clone());
        }
        let inputs_node = rest
            .iter()
            .find(|e| e.key.as_str() == Some("inputs"))
            .map(|e| e.value.clone());
        let extras: Vec<String> = rest
            .iter()
            .filter(|e| !matches!(e.key.as_str(), Some("overlayRef") | Some("inputs")))
            .map(|e| e.key.py_str())
            .collect();
        if !extras.is_empty() {
            push_err(
                &mut outcomes,
                PrepareError::perm_fail(
                    "overlay-ref-extra-keys",
                    format!("may not specify {} with overlayRef", extras.join(", ")),
                    Some(item_loc(".overlayRef")),
                    Some(item.range),
                ),
            );
            continue;
        }
        let inputs_spec = inputs_node.clone().unwrap_or_else(null);
        let inputs = match prepare_map_expression(&inputs_spec, &item_loc(".inputs"), owner) {
            Ok(p) => p,
            Err(f) => {
                push_err(
                    &mut outcomes,
                    PrepareError::from_structure(kind, name, f, None),
                );
                continue;
            }
        };
        if let Some(p) = &inputs {
            extract_into(kind, name, p, used)?;
        }
        let vf = match lookup_vf(&vf_name) {
            Some(Ok(vf)) => vf,
            other => {
                let missing = other.is_none();
                let cached = match other {
                    Some(Err(o)) => o.py_str_with(|_| String::new()),
                    _ => "None".into(),
                };
                let mut err = PrepareError {
                    outcome: Outcome::retry(
                        60,
                        format!("ValueFunction:{vf_name} not ready ({cached})"),
                        Some(item_loc(".overlayRef")),
                    ),
                    crashed: false,
                    range: Some(ref_entry.value.range),
                    code: "overlay-ref-not-ready",
                    detail: None,
                };
                if missing {
                    err.code = "unknown-reference";
                }
                push_err(&mut outcomes, err);
                continue;
            }
        };
        let provided: Vec<String> = inputs_node
            .as_ref()
            .and_then(|n| n.entries())
            .map(|e| e.iter().map(|x| x.key.py_str()).collect())
            .unwrap_or_default();
        // `needed_inputs - provided_inputs`, in CPython's set order.
        let needed = vf.needed_inputs();
        let needed_keys: Vec<&str> = needed.iter().map(String::as_str).collect();
        let mut provided_keys: Vec<&str> = Vec::new();
        for p in &provided {
            if !provided_keys.contains(&p.as_str()) {
                provided_keys.push(p);
            }
        }
        let missing: Vec<String> = crate::pyset::str_difference_order(&needed_keys, &provided_keys)
            .into_iter()
            .map(|i| needed[i].clone())
            .collect();
        if !missing.is_empty() {
            let keys: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
            push_err(
                &mut outcomes,
                PrepareError::perm_fail(
                    "overlay-ref-missing-inputs",
                    format!(
                        "{vf_name} expected the following inputs {}.",
                        keys.join(", ")
                    ),
                    Some(item_loc(".inputs")),
                    Some(inputs_node.as_ref().map(|n| n.range).unwrap_or(item.range)),
                ),
            );
            continue;
        }
        outcomes.push(Outcome::Ok(OverlayStep::Ref {
            vf,
            skip_if,
            inputs,
        }));
    }
    let combined = crate::outcome::combine(outcomes);
    let result = match combined {
        Outcome::Ok(steps) => Ok(steps),
        other => Err(other.cast().unwrap_or(Outcome::perm_fail(""))),
    };
    Ok((result, errors, used_vfs))
}

/// The owner of managed resources: the workflow's parent (namespace and owner reference).
#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    /// The parent's namespace (owner references are added only within it).
    pub namespace: Option<String>,
    /// The owner reference (`{apiVersion, kind, name, uid, ...}`).
    pub reference: Data,
}

impl Owner {
    /// The FunctionTest owner: its namespace never equals a real one, so owner references
    /// are never added (§10.4).
    pub fn unit_test() -> Owner {
        let mut r = DataMap::new();
        r.insert("uid".into(), Data::Str("unit-test-123".into()));
        Owner {
            namespace: Some("<property object>".into()),
            reference: Data::Map(r),
        }
    }
}

/// The result of reconciling a ResourceFunction: its outcome and the resource id.
#[derive(Clone, Debug)]
pub struct RfResult {
    /// The function's outcome.
    pub outcome: Outcome<Value>,
    /// `{apiVersion, kind, plural, name, readonly[, namespace], resourceFunction}`.
    pub resource_id: Option<Data>,
}

/// Looks up a ResourceTemplate at reconcile time: `None` when not cached.
pub type TemplateLookup<'a> =
    &'a dyn Fn(&str) -> Option<Result<Arc<ResourceTemplate>, Outcome<()>>>;

/// Everything reconcile needs from outside.
pub struct RfContext<'a> {
    /// The API the function reads and writes.
    pub api: &'a mut dyn Api,
    /// ResourceTemplate lookup for `resourceTemplateRef`.
    pub templates: TemplateLookup<'a>,
    /// The owner of created resources.
    pub owner: &'a Owner,
}

/// Reconciles a ResourceFunction (§8.3).
pub fn reconcile(
    ctx: &mut RfContext<'_>,
    location: &str,
    rf: &ResourceFunction,
    inputs: Value,
) -> Result<RfResult, Crash> {
    let mut env = Activation::new().with("inputs", inputs);
    let done = |outcome: Outcome<Value>| RfResult {
        outcome,
        resource_id: None,
    };
    if let Some(p) = &rf.preconditions
        && let Some(o) = eval_predicates(p, &env, &format!("{location}:spec.preconditions"))?
    {
        return Ok(done(cast(o)));
    }
    match &rf.locals {
        None => {
            env.bind("locals", Value::map(Map::new()));
        }
        Some(l) => match l.evaluate(&env, &format!("{location}:spec.locals")) {
            Ok(v @ Value::Map(_)) => {
                env.bind("locals", v);
            }
            Ok(other) => {
                return Ok(done(Outcome::perm_fail_at(
                    format!(
                        "Invalid `locals` expression type ({})",
                        koreo_cel::python::py_type_repr(&other)
                    ),
                    format!("{location}:spec.locals"),
                )));
            }
            Err(stop) => return Ok(done(stop.into_outcome()?)),
        },
    }

    let krm = reconcile_krm(ctx, rf, &env)?;
    let mut resource_id = krm.resource_id;
    if let Some(Data::Map(m)) = resource_id.as_mut() {
        m.insert("resourceFunction".into(), Data::Str(rf.name.clone()));
    }
    let actual = match krm.result {
        Ok(actual) => actual,
        Err(o) => {
            return Ok(RfResult {
                outcome: o,
                resource_id,
            });
        }
    };
    let actual_value = match data_to_value(&actual) {
        Ok(v) => v,
        Err(e) => {
            return Err(Crash {
                message: e.message,
                origin: None,
            });
        }
    };
    env.bind("resource", actual_value);
    if let Some(p) = &rf.postconditions
        && let Some(o) = eval_predicates(p, &env, &format!("{location}:spec.postconditions"))?
    {
        // The engine drops the resource id here.
        return Ok(done(cast(o)));
    }
    let outcome = match &rf.ret {
        None => Outcome::Ok(Value::Null),
        Some(r) => match r.evaluate(&env, &format!("{location}:spec.return")) {
            Ok(v) => Outcome::Ok(v),
            Err(stop) => stop.into_outcome()?,
        },
    };
    Ok(RfResult {
        outcome,
        resource_id,
    })
}

fn cast(o: Outcome<()>) -> Outcome<Value> {
    o.cast().unwrap_or(Outcome::Ok(Value::Null))
}

struct Krm {
    /// The actual resource (`{}` after a deleteIfExists on a missing resource) or the
    /// outcome that ends reconciliation.
    result: Result<Data, Outcome<Value>>,
    resource_id: Option<Data>,
}

fn krm_fail(o: Outcome<Value>, resource_id: Option<Data>) -> Krm {
    Krm {
        result: Err(o),
        resource_id,
    }
}

/// `reconcile_krm_resource`: name, load, delete/readonly paths, TRS, create or compare and
/// update.
fn reconcile_krm(
    ctx: &mut RfContext<'_>,
    rf: &ResourceFunction,
    env: &Activation,
) -> Result<Krm, Crash> {
    let names = match rf.resource_id.evaluate(env, "spec.apiConfig.name") {
        Ok(v) => v,
        Err(Stop::Crash(c)) => return Err(c),
        Err(Stop::Fail(mut f)) => {
            if f.location.as_deref().is_none_or(str::is_empty) {
                f.location = Some("spec.apiConfig.name".into());
            }
            return Ok(krm_fail(Outcome::PermFail(f), None));
        }
    };
    let Some(name_value) = names.as_map().and_then(|m| m.get_str("name")) else {
        return Ok(krm_fail(
            Outcome::perm_fail_at(
                format!(
                    "Invalid `spec.apiConfig.name` expression type ({})",
                    koreo_cel::python::py_type_repr(&names)
                ),
                "spec.apiConfig.name",
            ),
            None,
        ));
    };
    let name = koreo_cel::python::py_str(name_value);
    let namespace = names
        .as_map()
        .and_then(|m| m.get_str("namespace"))
        .filter(|v| v.truthy())
        .map(koreo_cel::python::py_str);
    if namespace.is_none() && rf.api.namespaced {
        return Ok(krm_fail(
            Outcome::perm_fail_at(
                "`namespace` is required when `spec.apiConfig.namespaced` is `true`",
                "spec.apiConfig.namespace",
            ),
            None,
        ));
    }

    let plural = match &rf.api.plural {
        Some(p) => p.clone(),
        None => {
            let lookup = if rf.api.api_version == "v1" {
                rf.api.kind.clone()
            } else {
                format!("{}.{}", rf.api.kind, rf.api.api_version)
            };
            match ctx.api.lookup_kind(&lookup) {
                Some(p) => p,
                None => {
                    return Ok(krm_fail(
                        Outcome::perm_fail_at(
                            format!(
                                "Dynamic kind-plural lookup failed for '{}'. Set plural explicitly in apiConfig.",
                                rf.api.kind
                            ),
                            "spec.apiConfig.plural",
                        ),
                        None,
                    ));
                }
            }
        }
    };

    let mut id = DataMap::new();
    id.insert("apiVersion".into(), Data::Str(rf.api.api_version.clone()));
    id.insert("kind".into(), Data::Str(rf.api.kind.clone()));
    id.insert("plural".into(), Data::Str(plural.clone()));
    id.insert("name".into(), Data::Str(name.clone()));
    id.insert("readonly".into(), Data::Bool(rf.readonly));
    let full = match &namespace {
        Some(ns) => {
            id.insert("namespace".into(), Data::Str(ns.clone()));
            format!("{}:{ns}:{name}", rf.api.kind)
        }
        None => format!("{}:{name}", rf.api.kind),
    };
    let resource_id = Some(Data::Map(id));
    let key = ResourceKey {
        api_version: rf.api.api_version.clone(),
        kind: rf.api.kind.clone(),
        plural,
        namespace: namespace.clone(),
        name: name.clone(),
    };
    let fail = |o: Outcome<Value>| Ok(krm_fail(o, resource_id.clone()));

    let current = match ctx.api.get(&key) {
        Ok(c) => c,
        Err(e) => {
            let message = match e {
                ApiError::Status(code, text) => format!(
                    "ServerError loading {} {name}. (<class 'kr8s._exceptions.ServerError'>: {code} {text})",
                    rf.api.kind
                ),
                ApiError::Conflict => format!(
                    "ServerError loading {} {name}. (<class 'kr8s._exceptions.ServerError'>: 409 Conflict)",
                    rf.api.kind
                ),
                ApiError::Transport(text) => {
                    format!("Failure loading {} {name}. ({text})", rf.api.kind)
                }
            };
            return fail(Outcome::retry(
                LOAD_RETRY_DELAY,
                message,
                Some("load resource".into()),
            ));
        }
    };

    if rf.delete_if_exists {
        return match current {
            None => Ok(Krm {
                result: Ok(Data::map()),
                resource_id,
            }),
            Some(_) => {
                api_write(ctx.api.delete(&key))?;
                fail(Outcome::retry(
                    LOAD_RETRY_DELAY,
                    format!("Deleting {full}."),
                    None,
                ))
            }
        };
    }
    if current.is_none() && (rf.readonly || !rf.create.enabled) {
        return fail(Outcome::retry(
            LOAD_RETRY_DELAY,
            format!("{full} not found. Waiting..."),
            None,
        ));
    }
    if let Some(actual) = &current
        && rf.readonly
    {
        return Ok(Krm {
            result: Ok(actual.clone()),
            resource_id,
        });
    }

    let forced = forced_overlay(&rf.api, &name, namespace.as_deref());
    let trs = match build_trs(ctx, rf, env, &forced, &full)? {
        Ok(t) => t,
        Err(o) => return fail(o),
    };

    let Some(actual) = current else {
        let outcome = create(ctx, rf, env, &trs, &forced, &key, &full)?;
        return fail(outcome);
    };

    let should_own = rf.owned && ctx.owner.namespace == namespace;
    let owner_reffed = !should_own || owner_referenced(&actual, &ctx.owner.reference);
    let target = value_to_data(&trs);
    let last_applied = extract_last_applied(&actual)?;
    let diff = reconcile_compare(&target, &actual, last_applied.as_ref());
    if diff.is_none() && owner_reffed {
        return Ok(Krm {
            result: Ok(actual),
            resource_id,
        });
    }
    let because = diff.unwrap_or_default().join(" -> ");
    match rf.update {
        Update::Never => Ok(Krm {
            result: Ok(actual),
            resource_id,
        }),
        Update::Recreate { delay } => {
            api_write(ctx.api.delete(&key))?;
            fail(Outcome::retry(
                delay,
                format!("Deleting {full} to recreate due to {because}."),
                Some("spec.update.recreate".into()),
            ))
        }
        Update::Patch { delay } => {
            let mut target = target;
            if should_own && !owner_reffed {
                match updated_owner_refs(&actual, &ctx.owner.reference) {
                    Ok(refs) => {
                        if let Some(meta) = target
                            .as_map_mut()
                            .and_then(|m| m.get_mut("metadata"))
                            .and_then(Data::as_map_mut)
                        {
                            meta.insert("ownerReferences".into(), refs);
                        }
                    }
                    Err(o) => return fail(o),
                }
            }
            let body = prepare_for_api(&target)?;
            api_write(ctx.api.patch(&key, body))?;
            fail(Outcome::retry(
                delay,
                format!("Patching `{full}` due to {because}."),
                Some("spec.update.patch".into()),
            ))
        }
    }
}

/// API write errors other than on create are host exceptions in the engine.
fn api_write(r: Result<(), ApiError>) -> Result<(), Crash> {
    r.map_err(|e| Crash {
        message: format!("{e:?}"),
        origin: None,
    })
}

/// `{apiVersion, kind, metadata: {name[, namespace]}}`.
pub fn forced_overlay(api: &ResourceApi, name: &str, namespace: Option<&str>) -> Value {
    let mut meta = Map::new();
    meta.insert_str("name", Value::string(name));
    if let Some(ns) = namespace {
        meta.insert_str("namespace", Value::string(ns));
    }
    let mut m = Map::new();
    m.insert_str("apiVersion", Value::string(api.api_version.as_str()));
    m.insert_str("kind", Value::string(api.kind.as_str()));
    m.insert_str("metadata", Value::map(meta));
    Value::map(m)
}

/// Builds the TRS (§8.4); `Ok(Err(outcome))` when an outcome ends reconciliation.
fn build_trs(
    ctx: &mut RfContext<'_>,
    rf: &ResourceFunction,
    env: &Activation,
    forced: &Value,
    full: &str,
) -> Result<Result<Value, Outcome<Value>>, Crash> {
    let base = match &rf.template {
        Template::Ref(name_prog) => {
            let eval_loc = format!("{full}:spec.resourceTemplateRef.name<eval>");
            let load_loc = format!("{full}:spec.resourceTemplateRef.name<load>");
            let v = match name_prog.evaluate(env, &eval_loc) {
                Ok(v) => v,
                Err(stop) => return Ok(Err(stop.into_outcome()?)),
            };
            let Some(key) = v.as_str().map(str::to_string) else {
                return Ok(Err(Outcome::perm_fail_at(
                    format!(
                        "Expected string, but received '{}' ({}) at `spec.resourceTemplateRef.name`",
                        koreo_cel::python::py_str(&v),
                        koreo_cel::python::py_type_repr(&v)
                    ),
                    eval_loc,
                )));
            };
            match (ctx.templates)(&key) {
                None => {
                    return Ok(Err(Outcome::retry(
                        LOAD_RETRY_DELAY,
                        format!("ResourceTemplate:{key} not found."),
                        Some(load_loc),
                    )));
                }
                Some(Err(o)) => {
                    return Ok(Err(Outcome::retry(
                        LOAD_RETRY_DELAY,
                        format!(
                            "ResourceTemplate:{key} is not ready ({})",
                            o.message().unwrap_or("None")
                        ),
                        Some(load_loc),
                    )));
                }
                Some(Ok(t)) => t.template.clone(),
            }
        }
        Template::Inline(None) => Value::map(Map::new()),
        Template::Inline(Some(p)) => {
            let l = format!("{full}:spec.resource");
            match p.evaluate(env, &l) {
                Ok(v @ Value::Map(_)) => v,
                Ok(Value::Null) => Value::map(Map::new()),
                Ok(other) => {
                    return Ok(Err(Outcome::perm_fail_at(
                        format!(
                            "Expected mapping, but received {} for `spec.resource`",
                            koreo_cel::python::py_type_repr(&other)
                        ),
                        l,
                    )));
                }
                Err(stop) => return Ok(Err(stop.into_outcome()?)),
            }
        }
    };
    let mut trs = deep_overlay(&base, forced);
    let steps = match &rf.overlays {
        Ok(steps) if steps.is_empty() => return Ok(Ok(trs)),
        Ok(steps) => steps,
        Err(o) => return Ok(Err(cast(o.clone()))),
    };
    let location = format!("{full}:spec.overlays");
    for (idx, step) in steps.iter().enumerate() {
        let skip_if = match step {
            OverlayStep::Inline { skip_if, .. } | OverlayStep::Ref { skip_if, .. } => skip_if,
        };
        if let Some(s) = skip_if {
            let l = format!("{location}[{idx}].skipIf");
            match s.evaluate(env, &l) {
                Ok(Value::Bool(true)) => continue,
                Ok(Value::Bool(false)) => {}
                Ok(other) => {
                    return Ok(Err(Outcome::perm_fail_at(
                        format!(
                            "Expected boolean, but received {} for 'spec.overlays[{idx}].skipIf'",
                            koreo_cel::python::py_type_repr(&other)
                        ),
                        l,
                    )));
                }
                Err(stop) => return Ok(Err(stop.into_outcome()?)),
            }
        }
        match step {
            OverlayStep::Inline { overlay, .. } => {
                match eval_overlay(overlay, env, &trs, &format!("{location}[{idx}].overlay")) {
                    Ok(v) => trs = v,
                    Err(stop) => return Ok(Err(stop.into_outcome()?)),
                }
            }
            OverlayStep::Ref { vf, inputs, .. } => {
                let vf_inputs = match inputs {
                    None => Value::Null,
                    Some(p) => match p.evaluate(env, &format!("{location}[{idx}].inputs")) {
                        Ok(v) => v,
                        Err(stop) => return Ok(Err(stop.into_outcome()?)),
                    },
                };
                let eval_loc = format!("{location}[{idx}].overlayRef<eval>");
                match vf::reconcile(&eval_loc, vf, vf_inputs, Some(&trs))? {
                    Outcome::Ok(v @ Value::Map(_)) => trs = v,
                    Outcome::Ok(other) => {
                        return Ok(Err(Outcome::perm_fail_at(
                            format!(
                                "Expected mapping, but received {} for '{eval_loc}'",
                                koreo_cel::python::py_type_repr(&other)
                            ),
                            eval_loc,
                        )));
                    }
                    other => return Ok(Err(other)),
                }
            }
        }
        if has_error(&trs) {
            let l = format!("{location}[{idx}]<apply>");
            return Ok(Err(Outcome::perm_fail_at(
                format!("Error evaluating `{l}`"),
                l,
            )));
        }
    }
    trs = deep_overlay(&trs, forced);
    Ok(Ok(trs))
}

/// Creates the resource (§8.6).
fn create(
    ctx: &mut RfContext<'_>,
    rf: &ResourceFunction,
    env: &Activation,
    trs: &Value,
    forced: &Value,
    key: &ResourceKey,
    full: &str,
) -> Result<Outcome<Value>, Crash> {
    let mut view = trs.clone();
    if let Some(o) = &rf.create.overlay {
        match eval_overlay(o, env, &view, "spec.create.overlay") {
            Ok(v) => view = v,
            Err(stop) => return stop.into_outcome(),
        }
    }
    view = deep_overlay(&view, forced);
    let mut body = value_to_data(&view);
    if rf.owned && ctx.owner.namespace == key.namespace {
        match updated_owner_refs(&body, &ctx.owner.reference) {
            Ok(refs) => {
                if let Some(meta) = body
                    .as_map_mut()
                    .and_then(|m| m.get_mut("metadata"))
                    .and_then(Data::as_map_mut)
                {
                    meta.insert("ownerReferences".into(), refs);
                }
            }
            Err(o) => return Ok(o),
        }
    }
    let body = prepare_for_api(&body)?;
    let delay = rf.create.delay;
    Ok(match ctx.api.create(key, body) {
        Ok(()) => Outcome::retry(
            delay,
            format!("Creating {full}."),
            Some("spec.create".into()),
        ),
        Err(ApiError::Conflict) => Outcome::retry(
            delay,
            format!("Waiting on competing creation of {full}."),
            Some("spec.create(contention)".into()),
        ),
        Err(ApiError::Status(code, _)) => {
            Outcome::perm_fail_at(format!("Error creating {full}: {code}"), "spec.create")
        }
        Err(ApiError::Transport(text)) => {
            Outcome::perm_fail_at(format!("Error creating {full}: {text}"), "spec.create")
        }
    })
}

fn owner_uid(owner_ref: &Data) -> Option<&Data> {
    owner_ref.get("uid")
}

/// `_validate_owner_reffed`; corrupt shapes count as referenced (the engine's PermFail
/// object is truthy there).
fn owner_referenced(resource: &Data, owner_ref: &Data) -> bool {
    let Some(meta) = resource.get("metadata") else {
        return true;
    };
    let Some(meta) = meta.as_map() else {
        return true;
    };
    let Some(refs) = meta.get("ownerReferences") else {
        return false;
    };
    if !refs.truthy() {
        return false;
    }
    let Some(refs) = refs.as_list() else {
        return true;
    };
    let uid = owner_uid(owner_ref);
    // Python `ref.get("uid") == uid` (two missing uids are equal).
    refs.iter().any(|r| r.get("uid") == uid)
}

/// `_updated_owner_refs`.
fn updated_owner_refs(resource: &Data, owner_ref: &Data) -> Result<Data, Outcome<Value>> {
    let corrupt = |m: &str| Outcome::perm_fail_at(m, "<api-add-owner>");
    let Some(meta) = resource.get("metadata") else {
        return Err(corrupt("Missing resource while adding owner ref"));
    };
    let Some(meta) = meta.as_map() else {
        return Err(corrupt("Corrupt `metadata` while adding owner ref"));
    };
    let Some(refs) = meta.get("ownerReferences").filter(|r| r.truthy()) else {
        return Ok(Data::List(vec![owner_ref.clone()]));
    };
    let Some(list) = refs.as_list() else {
        return Err(corrupt("Corrupt `ownerReferences` while adding owner ref"));
    };
    let uid = owner_uid(owner_ref);
    if list.iter().any(|r| r.get("uid") == uid) {
        return Ok(refs.clone());
    }
    let mut out = list.to_vec();
    out.push(owner_ref.clone());
    Ok(Data::List(out))
}

/// Parses the last-applied annotation (invalid JSON makes the engine raise).
fn extract_last_applied(resource: &Data) -> Result<Option<Data>, Crash> {
    let text = resource
        .get("metadata")
        .filter(|m| m.truthy())
        .and_then(|m| m.get("annotations"))
        .filter(|a| a.truthy())
        .and_then(|a| a.get(LAST_APPLIED_ANNOTATION))
        .filter(|t| t.truthy());
    match text {
        None => Ok(None),
        Some(Data::Str(t)) => match Data::from_json_text(t) {
            Some(d) => Ok(Some(d)),
            None => Err(Crash {
                message: format!("invalid JSON in the `{LAST_APPLIED_ANNOTATION}` annotation"),
                origin: None,
            }),
        },
        Some(_) => Err(Crash {
            message: "the JSON object must be str, bytes or bytearray".into(),
            origin: None,
        }),
    }
}

/// Removes the compare directives at every depth.
pub fn strip_directives(d: &Data) -> Data {
    match d {
        Data::Map(m) => Data::Map(
            m.iter()
                .filter(|(k, _)| !is_directive(k))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Data::List(l) => Data::List(l.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// `_prepare_for_api`: strip directives, serialise as the last-applied annotation.
pub fn prepare_for_api(obj: &Data) -> Result<Data, Crash> {
    let mut prepared = strip_directives(obj);
    if let Some(t) = crate::convert::first_unserialisable(&prepared) {
        return Err(Crash {
            message: format!(
                "Object of type {} is not JSON serializable",
                t.rsplit('.').next().unwrap_or(t)
            ),
            origin: None,
        });
    }
    let dumped = prepared.json_dumps();
    let crash = |m: &str| Crash {
        message: m.to_string(),
        origin: None,
    };
    let Some(map) = prepared.as_map_mut() else {
        return Err(crash("the resource is not an object"));
    };
    let meta = map.entry("metadata".to_string()).or_insert_with(Data::map);
    let Some(meta) = meta.as_map_mut() else {
        return Err(crash("'metadata' is not an object"));
    };
    let ann = meta
        .entry("annotations".to_string())
        .or_insert_with(Data::map);
    let Some(ann) = ann.as_map_mut() else {
        return Err(crash("'annotations' is not an object"));
    };
    ann.insert(LAST_APPLIED_ANNOTATION.into(), Data::Str(dumped));
    Ok(prepared)
}

/// The materialised object without the last-applied annotation (the whole `annotations`
/// map is removed when that annotation was its only entry), as the FunctionTest comparator
/// sees it.
pub fn strip_last_applied(d: &Data) -> Data {
    let mut out = d.clone();
    let Some(meta) = out
        .as_map_mut()
        .and_then(|m| m.get_mut("metadata"))
        .and_then(Data::as_map_mut)
    else {
        return out;
    };
    let Some(count) = meta
        .get("annotations")
        .and_then(Data::as_map)
        .map(|a| a.len())
    else {
        return out;
    };
    if count == 0 {
        return out;
    }
    if count == 1 {
        meta.shift_remove("annotations");
    } else if let Some(a) = meta.get_mut("annotations").and_then(Data::as_map_mut) {
        a.shift_remove(LAST_APPLIED_ANNOTATION);
    }
    out
}

/// The create-only overlay, forced fields and last-applied for previews.
pub fn failure_origin(f: &Failure) -> Option<TextRange> {
    f.origin.as_ref().map(|o| o.range)
}
