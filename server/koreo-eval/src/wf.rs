//! Workflow (§9): prepare (steps, logic lookup, dependency order) and reconcile against an
//! [`Api`](crate::api::Api), deterministically (§12.2).
//!
//! The engine runs steps as concurrent tasks; with an in-memory API nothing suspends, so
//! independent steps finish in declaration order and dependent steps after their
//! dependencies. That order matters only for the formatter crash (§9.10), which cancels
//! every step that has not finished yet; we reproduce it with that schedule.

use crate::cel::{CelProgram, Crash, Stop};
use crate::convert::value_to_data;
use crate::data::{Data, DataMap};
use crate::deps::name_after;
use crate::outcome::{Outcome, combine};
use crate::prepare::{PrepareError, extract_into};
use crate::resource::{Kind, ResourceRef};
use crate::rf::{self, ResourceFunction, RfContext};
use crate::spec::{SKind, SNode};
use crate::structure::{prepare_expression, prepare_map_expression};
use crate::vf::{self, ValueFunction};
use indexmap::IndexMap;
use koreo_cel::{Activation, Map, Value};
use std::sync::Arc;
use text_size::TextRange;

/// The logic a step runs.
#[derive(Clone, Debug)]
pub enum Logic {
    /// A ValueFunction step.
    ValueFunction(Arc<ValueFunction>),
    /// A ResourceFunction step.
    ResourceFunction(Arc<ResourceFunction>),
    /// A sub-workflow step.
    Workflow(Arc<Workflow>),
    /// A `refSwitch` step.
    Switch(Arc<Switch>),
}

/// A prepared `refSwitch`.
#[derive(Clone, Debug)]
pub struct Switch {
    /// `switchOn`.
    pub switch_on: CelProgram,
    /// Case value → logic (a later duplicate case wins).
    pub cases: IndexMap<String, Logic>,
    /// The `default: true` case.
    pub default: Option<Logic>,
}

/// `forEach`.
#[derive(Clone, Debug)]
pub struct ForEach {
    /// `itemIn`.
    pub item_in: CelProgram,
    /// `inputKey`: the input each item is bound to.
    pub input_key: String,
}

/// A step's condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionSpec {
    /// `condition.type`.
    pub type_: Option<String>,
    /// `condition.name`.
    pub name: Option<String>,
}

/// A prepared step.
#[derive(Clone, Debug)]
pub struct Step {
    /// The step's label.
    pub label: String,
    /// What the step runs.
    pub logic: Logic,
    /// `skipIf`.
    pub skip_if: Option<CelProgram>,
    /// `forEach`.
    pub for_each: Option<ForEach>,
    /// `inputs` (a map expression).
    pub inputs: Option<CelProgram>,
    /// `condition`.
    pub condition: Option<ConditionSpec>,
    /// `state` (a map expression seeing only `value`).
    pub state: Option<CelProgram>,
    /// Labels of the steps this one depends on, in declaration order.
    pub dependencies: Vec<String>,
    /// YAML range of the step.
    pub range: TextRange,
}

/// A step that failed to prepare: it reserves its label and makes `steps_ready` fail.
#[derive(Clone, Debug)]
pub struct ErrorStep {
    /// The label the step reserves.
    pub label: String,
    /// Why it failed (its outcome is part of `steps_ready`).
    pub error: PrepareError,
}

/// A step as prepared.
#[derive(Clone, Debug)]
pub enum StepEntry {
    /// A prepared step.
    Step(Step),
    /// A step that failed to prepare.
    Error(ErrorStep),
}

impl StepEntry {
    /// The step's label.
    pub fn label(&self) -> &str {
        match self {
            StepEntry::Step(s) => &s.label,
            StepEntry::Error(e) => &e.label,
        }
    }
}

/// `crdRef`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdRef {
    /// `crdRef.apiGroup`.
    pub api_group: String,
    /// `crdRef.version`.
    pub version: String,
    /// `crdRef.kind`.
    pub kind: String,
}

/// A prepared Workflow. It always prepares when the schema passes; `steps_ready` says
/// whether it can run.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// The workflow's name.
    pub name: String,
    /// `crdRef`: the parent kind that triggers the workflow.
    pub crd_ref: Option<CrdRef>,
    /// `Ok(())` or the combination of every error step's outcome (§9.2.1).
    pub steps_ready: Outcome<()>,
    /// The steps, in declaration order.
    pub steps: Vec<StepEntry>,
    /// `parent.…` paths the steps read (informational).
    pub parent_properties: Vec<String>,
    /// Every Function/Workflow the steps reference (re-prepare when they change).
    pub references: Vec<ResourceRef>,
}

/// Looks up prepared logic: `None` when not cached, `Err` with the cached failure.
pub type LogicLookup<'a> = &'a dyn Fn(Kind, &str) -> Option<Result<Logic, Outcome<()>>>;

fn null() -> SNode {
    SNode::detached(SKind::Null)
}

/// Prepares a Workflow's `spec` (§9.2).
pub fn prepare(
    name: &str,
    spec: &SNode,
    schema_error: Option<&str>,
    lookup: LogicLookup<'_>,
) -> Result<Workflow, PrepareError> {
    if let Some(msg) = schema_error {
        return Err(PrepareError::perm_fail(
            "schema",
            msg,
            Some(format!("prepare:Workflow:{name}:spec")),
            None,
        ));
    }
    let mut known: Vec<String> = Vec::new();
    let mut parent_properties = Vec::new();
    let mut references = Vec::new();
    let mut steps = Vec::new();
    let steps_spec = spec.get("steps");
    let items: &[SNode] = steps_spec.and_then(SNode::items).unwrap_or(&[]);
    for step_spec in items {
        let label = step_spec
            .get("label")
            .map(SNode::py_str)
            .unwrap_or_else(|| "<missing label>".into());
        if known.contains(&label) {
            let range = step_spec
                .get("label")
                .map(|l| l.range)
                .unwrap_or(step_spec.range);
            steps.push(StepEntry::Error(ErrorStep {
                label: label.clone(),
                error: PrepareError::perm_fail(
                    "duplicate-step-label",
                    format!("Duplicate step-label ({label}) can not prepare Workflow."),
                    None,
                    Some(range),
                ),
            }));
            continue;
        }
        let entry = prepare_step(
            name,
            step_spec,
            &label,
            &known,
            lookup,
            &mut parent_properties,
            &mut references,
        )?;
        known.push(label);
        steps.push(entry);
    }
    let mut errors: Vec<Outcome<()>> = steps
        .iter()
        .filter_map(|s| match s {
            StepEntry::Error(e) => Some(e.error.outcome.clone()),
            StepEntry::Step(_) => None,
        })
        .collect();
    if items.is_empty() {
        errors.push(Outcome::perm_fail(
            "No steps specified Workflow at least one step in 'spec.steps' is required.",
        ));
    }
    let steps_ready = if errors.is_empty() {
        Outcome::Ok(())
    } else {
        combine(errors).cast().unwrap_or(Outcome::Ok(()))
    };
    let crd_ref = spec.get("crdRef").and_then(|c| {
        let get = |k: &str| c.get(k).filter(|v| v.truthy()).map(SNode::py_str);
        Some(CrdRef {
            api_group: get("apiGroup")?,
            version: get("version")?,
            kind: get("kind")?,
        })
    });
    Ok(Workflow {
        name: name.to_string(),
        crd_ref,
        steps_ready,
        steps,
        parent_properties,
        references,
    })
}

fn error_step(label: &str, error: PrepareError) -> StepEntry {
    StepEntry::Error(ErrorStep {
        label: label.to_string(),
        error,
    })
}

fn outcome_error(code: &'static str, outcome: Outcome<()>, range: TextRange) -> PrepareError {
    PrepareError {
        outcome,
        crashed: false,
        range: Some(range),
        code,
        detail: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn prepare_step(
    wf_name: &str,
    step_spec: &SNode,
    label: &str,
    known: &[String],
    lookup: LogicLookup<'_>,
    parent_properties: &mut Vec<String>,
    references: &mut Vec<ResourceRef>,
) -> Result<StepEntry, PrepareError> {
    let kind = Kind::Workflow;
    let owner = ResourceRef::new(kind, wf_name);
    let owner = Some(&owner);
    let step_location = format!("spec.steps['{label}']");
    let mut needed: Vec<String> = Vec::new();
    // The engine collects paths and then step labels into Python sets, so `needed` follows
    // CPython's set order (inserting in our extraction order approximates the engine's).
    let mut note_paths = |paths: &[String], needed: &mut Vec<String>| {
        let keys: Vec<&str> = paths.iter().map(String::as_str).collect();
        for p in crate::pyset::str_set_order(&keys)
            .into_iter()
            .map(|i| keys[i])
        {
            // `re.match(r"parent.(?P<name>.*)", path)`.
            if let Some(rest) = p.strip_prefix("parent") {
                let mut chars = rest.chars();
                if chars.next().is_some_and(|c| c != '\n') {
                    let n = chars.as_str().to_string();
                    if !parent_properties.contains(&n) {
                        parent_properties.push(n);
                    }
                }
            }
            if let Some(Some(l)) = name_after("steps", p)
                && !needed.contains(&l)
            {
                needed.push(l);
            }
        }
    };

    let logic_ref = step_spec.get("ref").filter(|n| n.truthy());
    let switch_ref = step_spec.get("refSwitch").filter(|n| n.truthy());
    if logic_ref.is_some() && switch_ref.is_some() {
        return Ok(error_step(
            label,
            PrepareError::perm_fail(
                "step-ref-and-switch",
                format!(
                    "{step_location} may not specify both `ref` and `refSwitch`, can not prepare Workflow."
                ),
                Some(step_location.clone()),
                Some(step_spec.range),
            ),
        ));
    }
    let logic: Option<Result<Logic, PrepareError>> = if let Some(r) = logic_ref {
        Some(load_logic(r, &step_location, lookup, references))
    } else if let Some(s) = switch_ref {
        let mut paths = Vec::new();
        let res = load_switch(wf_name, s, &step_location, lookup, references, &mut paths)?;
        if res.is_ok() {
            note_paths(&paths, &mut needed);
        }
        Some(res)
    } else {
        None
    };
    if label == "<missing label>" {
        return Ok(error_step(
            "missing",
            PrepareError::perm_fail(
                "step-label-missing",
                "Missing step-label, can not prepare Workflow.",
                Some(step_location.clone()),
                Some(step_spec.range),
            ),
        ));
    }
    let logic = match logic {
        Some(Ok(l)) => l,
        Some(Err(e)) => return Ok(error_step(label, e)),
        None => {
            return Ok(error_step(
                label,
                PrepareError::perm_fail(
                    "step-logic-missing",
                    format!("Unable to load Logic for step ({label}), can not prepare Workflow."),
                    Some(step_location.clone()),
                    Some(step_spec.range),
                ),
            ));
        }
    };

    let mut paths = Vec::new();
    let skip_if = match prepare_expression(
        &step_spec.get("skipIf").cloned().unwrap_or_else(null),
        &format!("{step_location}.skipIf"),
        owner,
    ) {
        Ok(p) => p,
        Err(f) => {
            return Ok(error_step(
                label,
                PrepareError::from_structure(kind, wf_name, f, None),
            ));
        }
    };
    if let Some(p) = &skip_if {
        extract_into(kind, wf_name, p, &mut paths)?;
        note_paths(&paths, &mut needed);
    }

    let mut for_each = None;
    if let Some(fe) = step_spec.get("forEach").filter(|f| f.truthy()) {
        let item_in_node = fe.get("itemIn").cloned().unwrap_or_else(null);
        let item_loc = format!("{label}.forEach.itemIn");
        let item_in = match prepare_expression(&item_in_node, &item_loc, owner) {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Ok(error_step(
                    label,
                    PrepareError::perm_fail(
                        "for-each-item-in-missing",
                        format!("Empty `{label}.forEach.itemIn`, can not prepare Workflow."),
                        None,
                        Some(fe.range),
                    ),
                ));
            }
            Err(f) => {
                let mut e = PrepareError::from_structure(kind, wf_name, f, None);
                if !e.crashed {
                    e.outcome = Outcome::perm_fail(format!(
                        "Error preparing `{label}.forEach.itemIn`: {}.",
                        e.message()
                    ));
                }
                return Ok(error_step(label, e));
            }
        };
        let mut fe_paths = Vec::new();
        extract_into(kind, wf_name, &item_in, &mut fe_paths)?;
        let Some(input_key) = fe.get("inputKey").filter(|k| k.truthy()).map(SNode::py_str) else {
            return Ok(error_step(
                label,
                PrepareError::perm_fail(
                    "for-each-input-key-missing",
                    format!("Missing `{label}.forEach.inputKey`, can not prepare Workflow."),
                    None,
                    Some(fe.range),
                ),
            ));
        };
        note_paths(&fe_paths, &mut needed);
        for_each = Some(ForEach { item_in, input_key });
    }

    let inputs = match prepare_map_expression(
        &step_spec.get("inputs").cloned().unwrap_or_else(null),
        &format!("{step_location}.inputs"),
        owner,
    ) {
        Ok(p) => p,
        Err(f) => {
            return Ok(error_step(
                label,
                PrepareError::from_structure(kind, wf_name, f, None),
            ));
        }
    };
    if let Some(p) = &inputs {
        let mut ps = Vec::new();
        extract_into(kind, wf_name, p, &mut ps)?;
        note_paths(&ps, &mut needed);
    }

    let condition = step_spec
        .get("condition")
        .filter(|c| c.truthy())
        .map(|c| ConditionSpec {
            type_: c.get("type").map(SNode::py_str),
            name: c.get("name").map(SNode::py_str),
        });

    let state = match prepare_map_expression(
        &step_spec.get("state").cloned().unwrap_or_else(null),
        &format!("{step_location}.state"),
        owner,
    ) {
        Ok(p) => p,
        Err(f) => {
            return Ok(error_step(
                label,
                PrepareError::from_structure(kind, wf_name, f, None),
            ));
        }
    };
    if let Some(p) = &state {
        let mut ps = Vec::new();
        extract_into(kind, wf_name, p, &mut ps)?;
        note_paths(&ps, &mut needed);
    }

    // `needed_steps.difference(known_steps)`, in CPython's set order.
    let needed_keys: Vec<&str> = needed.iter().map(String::as_str).collect();
    let known_keys: Vec<&str> = known.iter().map(String::as_str).collect();
    let out_of_order: Vec<&String> = crate::pyset::str_difference_order(&needed_keys, &known_keys)
        .into_iter()
        .map(|i| &needed[i])
        .collect();
    if !out_of_order.is_empty() {
        let names: Vec<&str> = out_of_order.iter().map(|s| s.as_str()).collect();
        let mut programs: Vec<&CelProgram> = Vec::new();
        if let Logic::Switch(s) = &logic {
            programs.push(&s.switch_on);
        }
        programs.extend(skip_if.as_ref());
        programs.extend(for_each.as_ref().map(|f| &f.item_in));
        programs.extend(inputs.as_ref());
        programs.extend(state.as_ref());
        let at = find_step_reference(&programs, &names).unwrap_or(step_spec.range);
        return Ok(error_step(
            label,
            PrepareError::perm_fail(
                "step-order",
                format!("Step '{label}', must come after {}.", names.join(", ")),
                Some(step_location),
                Some(at),
            ),
        ));
    }
    // The engine waits on its `needed_steps` set and names the first failed dependency in
    // that set's order.
    let dependencies = crate::pyset::str_set_order(&needed_keys)
        .into_iter()
        .map(|i| needed[i].clone())
        .collect();
    Ok(StepEntry::Step(Step {
        label: label.to_string(),
        logic,
        skip_if,
        for_each,
        inputs,
        condition,
        state,
        dependencies,
        range: step_spec.range,
    }))
}

/// Where a program reads `steps.<label>` for one of `labels` (for diagnostics).
fn find_step_reference(programs: &[&CelProgram], labels: &[&str]) -> Option<TextRange> {
    use koreo_cel_syntax::{Expr, ExprKind as K, Literal};
    fn find(e: &Expr, labels: &[&str], depth: usize) -> Option<TextRange> {
        if depth > 256 {
            return None;
        }
        let hit = match &e.kind {
            K::Select { operand, field } => {
                matches!(&operand.kind, K::Ident(n) if n.text == "steps")
                    && labels.contains(&field.text.as_str())
            }
            K::Index { operand, index } => {
                matches!(&operand.kind, K::Ident(n) if n.text == "steps")
                    && matches!(&index.kind, K::Literal(Literal::String(s)) if labels.contains(&s.as_str()))
            }
            _ => false,
        };
        if hit {
            return Some(e.span);
        }
        let d = depth + 1;
        match &e.kind {
            K::Paren(x) | K::Unary { operand: x, .. } | K::Select { operand: x, .. } => {
                find(x, labels, d)
            }
            K::Binary { lhs, rhs, .. } => find(lhs, labels, d).or_else(|| find(rhs, labels, d)),
            K::Ternary {
                cond,
                then,
                otherwise,
            } => find(cond, labels, d)
                .or_else(|| find(then, labels, d))
                .or_else(|| find(otherwise, labels, d)),
            K::Index { operand, index } => {
                find(operand, labels, d).or_else(|| find(index, labels, d))
            }
            K::Call { receiver, args, .. } => receiver
                .as_deref()
                .and_then(|r| find(r, labels, d))
                .or_else(|| args.iter().find_map(|a| find(a, labels, d))),
            K::List(items) => items.iter().find_map(|x| find(x, labels, d)),
            K::Map(entries) => entries
                .iter()
                .find_map(|m| find(&m.key, labels, d).or_else(|| find(&m.value, labels, d))),
            _ => None,
        }
    }
    programs.iter().find_map(|p| {
        let span = find(p.expr(), labels, 0)?;
        p.encoded.file_range(span)
    })
}

/// `_load_logic`.
fn load_logic(
    r: &SNode,
    location: &str,
    lookup: LogicLookup<'_>,
    references: &mut Vec<ResourceRef>,
) -> Result<Logic, PrepareError> {
    let kind_s = r.get("kind").filter(|k| k.truthy()).map(SNode::py_str);
    let name = r.get("name").filter(|k| k.truthy()).map(SNode::py_str);
    let Some(kind_s) = kind_s else {
        return Err(PrepareError::perm_fail(
            "step-ref-kind-missing",
            format!("Missing `{location}.kind`, can not prepare Workflow."),
            Some(format!(
                "{location}.<missing>:{}",
                name.as_deref().unwrap_or("<missing>")
            )),
            Some(r.range),
        ));
    };
    let Some(name) = name else {
        return Err(PrepareError::perm_fail(
            "step-ref-name-missing",
            format!("Missing `{location}.name`, can not prepare Workflow."),
            Some(format!("{location}.{kind_s}:<missing>")),
            Some(r.range),
        ));
    };
    let kind = match Kind::parse(&kind_s) {
        Some(k @ (Kind::ValueFunction | Kind::ResourceFunction | Kind::Workflow)) => k,
        _ => {
            return Err(PrepareError::perm_fail(
                "step-ref-kind-invalid",
                format!("Invalid `{location}.kind` ({kind_s}), can not prepare Workflow."),
                Some(format!("{location}.{kind_s}:{name}")),
                Some(r.range),
            ));
        }
    };
    let reference = ResourceRef::new(kind, name.clone());
    if !references.contains(&reference) {
        references.push(reference);
    }
    let range = r.get("name").map(|n| n.range).unwrap_or(r.range);
    let loc = Some(format!("{location}.{kind_s}:{name}"));
    match lookup(kind, &name) {
        None => Err(outcome_error(
            "unknown-reference",
            Outcome::retry(
                15,
                format!("'{kind_s}:{name}' not cached; will retry."),
                loc,
            ),
            range,
        )),
        Some(Err(o)) => Err(outcome_error(
            "reference-not-healthy",
            Outcome::retry(
                180,
                format!(
                    "'{kind_s}:{name}' is not healthy ({}); will retry.",
                    o.message().unwrap_or("None")
                ),
                loc,
            ),
            range,
        )),
        Some(Ok(logic)) => Ok(logic),
    }
}

/// `_load_logic_switch`.
fn load_switch(
    wf_name: &str,
    s: &SNode,
    location: &str,
    lookup: LogicLookup<'_>,
    references: &mut Vec<ResourceRef>,
    paths: &mut Vec<String>,
) -> Result<Result<Logic, PrepareError>, PrepareError> {
    let owner = ResourceRef::new(Kind::Workflow, wf_name);
    let switch_node = s.get("switchOn").cloned().unwrap_or_else(null);
    let switch_on = match prepare_expression(&switch_node, location, Some(&owner)) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Ok(Err(PrepareError::perm_fail(
                "switch-on-missing",
                format!("Missing `{location}.switchOn`, can not prepare Workflow."),
                Some(format!("{location}.switchOn")),
                Some(s.range),
            )));
        }
        Err(f) => {
            return Ok(Err(PrepareError::from_structure(
                Kind::Workflow,
                wf_name,
                f,
                None,
            )));
        }
    };
    extract_into(Kind::Workflow, wf_name, &switch_on, paths)?;
    let cases_node = s.get("cases").filter(|c| c.truthy());
    let Some(cases_items) = cases_node.and_then(SNode::items) else {
        return Ok(Err(PrepareError::perm_fail(
            "switch-cases-missing",
            format!(
                "Must specify at least one case in `{location}.cases`, can not prepare Workflow."
            ),
            Some(format!("{location}.cases")),
            Some(s.range),
        )));
    };
    let mut has_default = false;
    let mut default = None;
    let mut cases: IndexMap<String, Result<Logic, PrepareError>> = IndexMap::new();
    for (idx, case_spec) in cases_items.iter().enumerate() {
        let case = case_spec
            .get("case")
            .map(SNode::py_str)
            .unwrap_or_else(|| "None".into());
        let is_default = case_spec.get("default").is_some_and(SNode::truthy);
        if is_default && has_default {
            return Ok(Err(PrepareError::perm_fail(
                "switch-multiple-defaults",
                format!(
                    "Only one case in `{location}.cases` may be default, can not prepare Workflow."
                ),
                Some(format!("{location}.cases[{idx}].default")),
                Some(
                    case_spec
                        .get("default")
                        .map(|d| d.range)
                        .unwrap_or(case_spec.range),
                ),
            )));
        }
        let logic = load_logic(case_spec, &format!("{location}[{idx}]"), lookup, references);
        if is_default {
            has_default = true;
            default = Some(logic.clone());
        }
        cases.insert(case, logic);
    }
    let outcomes: Vec<Outcome<()>> = cases
        .values()
        .map(|l| match l {
            Ok(_) => Outcome::Ok(()),
            Err(e) => e.outcome.clone(),
        })
        .collect();
    let ready = combine(outcomes);
    if ready.is_error() {
        let first = cases.values().find_map(|l| l.as_ref().err()).cloned();
        let range = first.and_then(|f| f.range).unwrap_or(s.range);
        return Ok(Err(outcome_error(
            "switch-case-not-ready",
            ready.cast().unwrap_or(Outcome::Ok(())),
            range,
        )));
    }
    let cases: IndexMap<String, Logic> = cases
        .into_iter()
        .filter_map(|(k, v)| v.ok().map(|l| (k, l)))
        .collect();
    let default = default.and_then(Result::ok);
    Ok(Ok(Logic::Switch(Arc::new(Switch {
        switch_on,
        cases,
        default,
    }))))
}

/// A status condition (§9.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The condition type (`Ready` or the step's `condition.type`).
    pub type_: String,
    /// `Ready`, `Wait`, `Skip`, `DepSkip` or `Failure`.
    pub reason: String,
    /// Human message.
    pub message: String,
    /// Always `True` (the engine's convention).
    pub status: String,
    /// The outcome's location.
    pub location: Option<String>,
}

impl Condition {
    /// The condition as plain data (`{type, reason, message, status, location}`).
    pub fn to_data(&self) -> Data {
        let mut m = DataMap::new();
        m.insert("type".into(), Data::Str(self.type_.clone()));
        m.insert("reason".into(), Data::Str(self.reason.clone()));
        m.insert("message".into(), Data::Str(self.message.clone()));
        m.insert("status".into(), Data::Str(self.status.clone()));
        m.insert(
            "location".into(),
            self.location.clone().map(Data::Str).unwrap_or(Data::Null),
        );
        Data::Map(m)
    }
}

/// `_condition_helper`. `None` stands for the engine passing a non-outcome object (the
/// spurious "ready" condition of crashed or cancelled steps).
fn condition(
    type_: &str,
    thing: &str,
    outcome: Option<&Outcome<Value>>,
    workflow_key: &str,
) -> Condition {
    let (reason, message, location) = match outcome {
        Some(Outcome::DepSkip(f)) => (
            "DepSkip",
            match f.message.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => format!("{thing} awaiting dependencies to be ready ({m})"),
                None => format!("{thing} awaiting dependencies to be ready."),
            },
            f.location.clone(),
        ),
        Some(Outcome::Skip(f)) => (
            "Skip",
            match f.message.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => format!("Skipping {thing}: {m}"),
                None => format!("{thing} management is disabled."),
            },
            f.location.clone(),
        ),
        Some(Outcome::Retry(r)) => (
            "Wait",
            match r.message.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => format!("Awaiting {thing} to be ready ({m})."),
                None => format!("Awaiting {thing} to be ready."),
            },
            r.location.clone(),
        ),
        Some(Outcome::PermFail(f)) => (
            "Failure",
            format!(
                "Unrecoverable error reconciling {thing}. ({}).",
                f.message.as_deref().unwrap_or("None")
            ),
            f.location.clone(),
        ),
        Some(Outcome::Ok(_)) | None => (
            "Ready",
            format!("{thing} ready."),
            Some(workflow_key.to_string()),
        ),
    };
    Condition {
        type_: type_.to_string(),
        reason: reason.to_string(),
        message,
        status: "True".into(),
        location,
    }
}

/// The result of reconciling a Workflow.
#[derive(Clone, Debug)]
pub struct WorkflowResult {
    /// `Ok(list of step values)` or the highest-priority failure (§5.2).
    pub outcome: Outcome<Value>,
    /// Status conditions: one per step with a `condition`, then `Ready`.
    pub conditions: Vec<Condition>,
    /// `{workflow, resources: {label: id}}`, or `{}` when the steps were not ready.
    pub resource_ids: Data,
    /// The merged `state` (a CEL map).
    pub state: Value,
    /// Per-step state evaluation failures.
    pub state_errors: IndexMap<String, String>,
    /// Every step's outcome, by label, in declaration order (ours, for previews).
    pub steps: IndexMap<String, Outcome<Value>>,
}

/// Reconciles a Workflow for a trigger (the parent's `{metadata, spec, state}`).
pub fn reconcile(
    ctx: &mut RfContext<'_>,
    workflow_key: &str,
    trigger: &Value,
    wf: &Workflow,
) -> Result<WorkflowResult, Crash> {
    if !wf.steps_ready.is_ok() {
        let mut outcome: Outcome<Value> = wf.steps_ready.cast().unwrap_or(Outcome::Ok(Value::Null));
        let loc = format!("{workflow_key}:{}", outcome.location().unwrap_or("None"));
        outcome.set_location(Some(loc));
        let c = condition(
            "Ready",
            &format!("Workflow {workflow_key}"),
            Some(&outcome),
            workflow_key,
        );
        return Ok(WorkflowResult {
            outcome,
            conditions: vec![c],
            resource_ids: Data::map(),
            state: Value::map(Map::new()),
            state_errors: IndexMap::new(),
            steps: IndexMap::new(),
        });
    }
    let steps: Vec<&Step> = wf
        .steps
        .iter()
        .filter_map(|s| match s {
            StepEntry::Step(s) => Some(s),
            StepEntry::Error(_) => None,
        })
        .collect();

    // Schedule: a step runs after its dependencies; within a wave, declaration order.
    let mut wave: IndexMap<&str, usize> = IndexMap::new();
    for s in &steps {
        let w = s
            .dependencies
            .iter()
            .filter_map(|d| wave.get(d.as_str()))
            .map(|w| w + 1)
            .max()
            .unwrap_or(0);
        wave.insert(&s.label, w);
    }
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by_key(|i| (wave.get(steps[*i].label.as_str()).copied().unwrap_or(0), *i));

    enum Done {
        Result(StepResult),
        Crashed(String),
        Cancelled,
    }
    let mut results: Vec<Option<Done>> = (0..steps.len()).map(|_| None).collect();
    let mut crashed = false;
    for &i in &order {
        if crashed {
            results[i] = Some(Done::Cancelled);
            continue;
        }
        let step = steps[i];
        let done_deps: Vec<(&str, &StepResult)> = step
            .dependencies
            .iter()
            .filter_map(|d| {
                let j = steps.iter().position(|s| &s.label == d)?;
                match &results[j] {
                    Some(Done::Result(r)) => Some((d.as_str(), r)),
                    _ => None,
                }
            })
            .collect();
        match reconcile_step(ctx, workflow_key, step, trigger, &done_deps) {
            Ok(r) => results[i] = Some(Done::Result(r)),
            Err(c) => {
                results[i] = Some(Done::Crashed(c.message));
                crashed = true;
            }
        }
    }

    let mut outcomes: IndexMap<String, StepResult> = IndexMap::new();
    let mut conditions = Vec::new();
    let mut state = Map::new();
    let mut state_errors = IndexMap::new();
    let ready_thing = format!("Workflow {workflow_key}");
    for (i, step) in steps.iter().enumerate() {
        let label = step.label.clone();
        match results[i].take() {
            Some(Done::Result(r)) => {
                if let Some(c) = &step.condition {
                    conditions.push(condition(
                        c.type_.as_deref().unwrap_or("None"),
                        c.name.as_deref().unwrap_or("None"),
                        Some(&r.outcome),
                        workflow_key,
                    ));
                }
                if let (Some(state_prog), Outcome::Ok(v)) = (&step.state, &r.outcome) {
                    let env = Activation::new().with("value", v.clone());
                    match state_prog.evaluate(&env, &format!("{label}:state")) {
                        Ok(Value::Map(m)) => {
                            for (k, v) in m.iter() {
                                let key = k
                                    .as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| koreo_cel::python::py_str(k));
                                state.insert_str(&key, v.clone());
                            }
                        }
                        Ok(other) => {
                            state_errors.insert(
                                label.clone(),
                                format!(
                                    "Invalid state type ({})",
                                    koreo_cel::python::py_type_repr(&other)
                                ),
                            );
                        }
                        Err(Stop::Fail(f)) => {
                            state_errors.insert(
                                label.clone(),
                                format!(
                                    "{} at {}",
                                    f.message.as_deref().unwrap_or("None"),
                                    f.location.as_deref().unwrap_or("None")
                                ),
                            );
                        }
                        Err(Stop::Crash(c)) => return Err(c),
                    }
                }
                outcomes.insert(label, r);
            }
            Some(Done::Crashed(msg)) => {
                conditions.push(condition("Ready", &ready_thing, None, workflow_key));
                outcomes.insert(
                    label.clone(),
                    StepResult {
                        outcome: Outcome::retry(
                            60,
                            format!("Unknown error ({msg}) running Step ({label}), will retry."),
                            Some(workflow_key.to_string()),
                        ),
                        resource_ids: Data::Null,
                    },
                );
            }
            Some(Done::Cancelled) | None => {
                conditions.push(condition("Ready", &ready_thing, None, workflow_key));
                outcomes.insert(
                    label.clone(),
                    StepResult {
                        outcome: Outcome::retry(
                            30,
                            format!("Timeout running step ({label}), will retry."),
                            Some(workflow_key.to_string()),
                        ),
                        resource_ids: Data::Null,
                    },
                );
            }
        }
    }
    let overall: Outcome<Value> =
        combine(outcomes.values().map(|r| r.outcome.clone())).map(Value::list);
    conditions.push(condition(
        "Ready",
        &ready_thing,
        Some(&overall),
        workflow_key,
    ));
    let mut resources = DataMap::new();
    for (label, r) in &outcomes {
        resources.insert(label.clone(), r.resource_ids.clone());
    }
    let mut ids = DataMap::new();
    ids.insert("workflow".into(), Data::Str(wf.name.clone()));
    ids.insert("resources".into(), Data::Map(resources));
    Ok(WorkflowResult {
        outcome: overall,
        conditions,
        resource_ids: Data::Map(ids),
        state: Value::map(state),
        state_errors,
        steps: outcomes.into_iter().map(|(k, v)| (k, v.outcome)).collect(),
    })
}

/// One step's outcome and resource ids.
#[derive(Clone, Debug)]
struct StepResult {
    outcome: Outcome<Value>,
    resource_ids: Data,
}

fn stop_result(stop: Stop) -> Result<StepResult, Crash> {
    Ok(StepResult {
        outcome: stop.into_outcome()?,
        resource_ids: Data::Null,
    })
}

fn reconcile_step(
    ctx: &mut RfContext<'_>,
    workflow_key: &str,
    step: &Step,
    trigger: &Value,
    deps: &[(&str, &StepResult)],
) -> Result<StepResult, Crash> {
    let location = format!("{workflow_key}.spec.steps.{}", step.label);
    let mut env = Activation::new();
    if !step.dependencies.is_empty() {
        let mut ok_values = Map::new();
        for (dep, r) in deps {
            let fmt = |m: Option<&str>, l: Option<&str>| {
                (
                    m.unwrap_or("None").to_string(),
                    l.unwrap_or("None").to_string(),
                )
            };
            let msg = match &r.outcome {
                Outcome::DepSkip(f) => {
                    let (m, l) = fmt(f.message.as_deref(), f.location.as_deref());
                    Some(format!("'{dep}' is waiting on dependency ({m} at {l})."))
                }
                Outcome::Skip(f) => {
                    let (m, l) = fmt(f.message.as_deref(), f.location.as_deref());
                    Some(format!("'{dep}' was skipped ({m} at {l})."))
                }
                Outcome::Retry(x) => {
                    let (m, l) = fmt(x.message.as_deref(), x.location.as_deref());
                    Some(format!("'{dep}' is waiting ({m} at {l})."))
                }
                Outcome::PermFail(f) => {
                    let (m, l) = fmt(f.message.as_deref(), f.location.as_deref());
                    Some(format!("'{dep}' is in failure state ({m} at {l})."))
                }
                Outcome::Ok(v) => {
                    ok_values.insert_str(dep, v.clone());
                    None
                }
            };
            if let Some(m) = msg {
                return Ok(StepResult {
                    outcome: Outcome::dep_skip(m, Some(location)),
                    resource_ids: Data::Null,
                });
            }
        }
        env.bind("steps", Value::map(ok_values));
    }
    env.bind("parent", trigger.clone());

    let inputs = match &step.inputs {
        None => Value::map(Map::new()),
        Some(p) => match p.evaluate(&env, &format!("{location}.inputs")) {
            Ok(v) => v,
            Err(stop) => return stop_result(stop),
        },
    };
    if let Some(s) = &step.skip_if {
        match s.evaluate(&env, &format!("{location}.skipIf")) {
            Ok(Value::Bool(true)) => {
                return Ok(StepResult {
                    outcome: Outcome::skip("skipped by workflow", None),
                    resource_ids: Data::Null,
                });
            }
            Ok(Value::Bool(false)) => {}
            Ok(other) => {
                return Ok(StepResult {
                    outcome: Outcome::perm_fail_at(
                        format!(
                            "`skipIf` must evaluate to a bool, received '{}' a {}",
                            koreo_cel::python::py_str(&other),
                            koreo_cel::python::py_type_repr(&other)
                        ),
                        format!("{location}.skipIf"),
                    ),
                    resource_ids: Data::Null,
                });
            }
            Err(stop) => return stop_result(stop),
        }
    }
    match &step.for_each {
        Some(fe) => for_each(ctx, workflow_key, &location, step, fe, &env, inputs),
        None => run_logic(ctx, workflow_key, &location, &step.logic, &env, inputs),
    }
}

fn run_logic(
    ctx: &mut RfContext<'_>,
    workflow_key: &str,
    location: &str,
    logic: &Logic,
    env: &Activation,
    inputs: Value,
) -> Result<StepResult, Crash> {
    match logic {
        Logic::Workflow(w) => {
            let r = reconcile(ctx, workflow_key, &inputs, w)?;
            Ok(StepResult {
                outcome: match r.outcome {
                    Outcome::Ok(_) => Outcome::Ok(r.state),
                    other => other,
                },
                resource_ids: r.resource_ids,
            })
        }
        Logic::ResourceFunction(f) => {
            let r = rf::reconcile(ctx, location, f, inputs)?;
            Ok(StepResult {
                outcome: r.outcome,
                resource_ids: r.resource_id.unwrap_or(Data::Null),
            })
        }
        Logic::ValueFunction(f) => Ok(StepResult {
            outcome: vf::reconcile(location, f, inputs, None)?,
            resource_ids: Data::Null,
        }),
        Logic::Switch(s) => {
            let location = format!("{location}.refSwitch");
            // `{"inputs": inputs} | workflow_inputs`.
            let mut switch_env = Activation::new().with("inputs", inputs.clone());
            for name in env.names() {
                if let Some(v) = env.get(name) {
                    switch_env.bind(name, v.clone());
                }
            }
            let value = match s
                .switch_on
                .evaluate(&switch_env, &format!("{location}.switchOn"))
            {
                Ok(v) => v,
                Err(stop) => return stop_result(stop),
            };
            let key = match &value {
                Value::String(x) => x.to_string(),
                Value::Int(_) => String::new(),
                other => {
                    return Ok(StepResult {
                        outcome: Outcome::perm_fail_at(
                            format!(
                                "`switchOn` must evaluate to a string or int value, received '{}' a {}",
                                koreo_cel::python::py_str(other),
                                koreo_cel::python::py_type_repr(other)
                            ),
                            format!("{location}.switchOn"),
                        ),
                        resource_ids: Data::Null,
                    });
                }
            };
            // An int never equals a (string) case.
            let chosen = match &value {
                Value::String(_) => s.cases.get(&key).or(s.default.as_ref()),
                _ => s.default.as_ref(),
            };
            let shown = koreo_cel::python::py_str(&value);
            let Some(logic) = chosen else {
                return Ok(StepResult {
                    outcome: Outcome::perm_fail_at(
                        format!(
                            "`refSwitch` must match one case or a default must be provided, failed to match '{shown}' a {}. Use a `skipIf` guard if this is expected.",
                            koreo_cel::python::py_type_repr(&value)
                        ),
                        format!("{location}.<match-case>"),
                    ),
                    resource_ids: Data::Null,
                });
            };
            run_logic(
                ctx,
                workflow_key,
                &format!("{location}['{shown}']"),
                logic,
                env,
                inputs,
            )
        }
    }
}

fn for_each(
    ctx: &mut RfContext<'_>,
    workflow_key: &str,
    location: &str,
    step: &Step,
    fe: &ForEach,
    env: &Activation,
    inputs: Value,
) -> Result<StepResult, Crash> {
    let items = match fe
        .item_in
        .evaluate(env, &format!("{}.forEach.itemIn", step.label))
    {
        Ok(Value::List(items)) => items,
        Ok(other) => {
            return Ok(StepResult {
                outcome: Outcome::perm_fail_at(
                    format!(
                        "Step `{location}.forEach.itemIn` must be a list-type, received {}.",
                        koreo_cel::python::py_type_repr(&other)
                    ),
                    location,
                ),
                resource_ids: Data::Null,
            });
        }
        Err(stop) => return stop_result(stop),
    };
    if items.is_empty() {
        return Ok(StepResult {
            outcome: Outcome::Ok(Value::list(Vec::new())),
            resource_ids: Data::Null,
        });
    }
    let mut results: Vec<StepResult> = Vec::new();
    let mut crashed = false;
    for (idx, item) in items.iter().enumerate() {
        let task = format!("{}-{idx}", step.label);
        if crashed {
            results.push(StepResult {
                outcome: Outcome::retry(
                    30,
                    format!("Timeout running step ({task}), will retry."),
                    Some(workflow_key.to_string()),
                ),
                resource_ids: Data::Null,
            });
            continue;
        }
        let mut m: Map = inputs.as_map().map(|m| (**m).clone()).unwrap_or_default();
        m.insert_str(&fe.input_key, item.clone());
        let item_inputs = Value::map(m);
        match run_logic(
            ctx,
            workflow_key,
            &format!("{location}[{idx}]"),
            &step.logic,
            env,
            item_inputs,
        ) {
            Ok(r) => results.push(r),
            Err(c) => {
                crashed = true;
                results.push(StepResult {
                    outcome: Outcome::retry(
                        60,
                        format!("Error ({}) running Step ({task}), will retry.", c.message),
                        Some(workflow_key.to_string()),
                    ),
                    resource_ids: Data::Null,
                });
            }
        }
    }
    let resource_ids = Data::List(results.iter().map(|r| r.resource_ids.clone()).collect());
    let errors: Vec<Outcome<Value>> = results
        .iter()
        .filter(|r| r.outcome.is_error())
        .map(|r| r.outcome.clone())
        .collect();
    if !errors.is_empty() {
        let combined = combine(errors).map(Value::list);
        return Ok(StepResult {
            outcome: combined,
            resource_ids,
        });
    }
    let values = results
        .into_iter()
        .map(|r| match r.outcome {
            Outcome::Ok(v) => v,
            other => Value::string(other.py_str_with(|_| String::new())),
        })
        .collect();
    Ok(StepResult {
        outcome: Outcome::Ok(Value::list(values)),
        resource_ids,
    })
}

/// The trigger the controller passes as `parent` (§9.9): `{metadata, spec, state}` of the
/// parent object, `state` being its `status.state` (null when absent).
pub fn parent_trigger(parent: &Data) -> Result<Value, crate::convert::ConvertError> {
    let mut m = DataMap::new();
    m.insert(
        "metadata".into(),
        parent.get("metadata").cloned().unwrap_or(Data::Null),
    );
    m.insert(
        "spec".into(),
        parent.get("spec").cloned().unwrap_or(Data::Null),
    );
    m.insert(
        "state".into(),
        parent
            .get_path(&["status", "state"])
            .cloned()
            .unwrap_or(Data::Null),
    );
    crate::convert::data_to_value(&Data::Map(m))
}

/// The owner the controller uses for a parent object (§9.9).
pub fn parent_owner(parent: &Data, crd: Option<&CrdRef>) -> rf::Owner {
    let api_version = match crd {
        Some(c) => format!("{}/{}", c.api_group, c.version),
        None => parent
            .get("apiVersion")
            .map(Data::py_str)
            .unwrap_or_default(),
    };
    let kind = match crd {
        Some(c) => c.kind.clone(),
        None => parent.get("kind").map(Data::py_str).unwrap_or_default(),
    };
    let mut r = DataMap::new();
    r.insert("apiVersion".into(), Data::Str(api_version));
    r.insert("kind".into(), Data::Str(kind));
    r.insert("blockOwnerDeletion".into(), Data::Bool(true));
    r.insert("controller".into(), Data::Bool(false));
    r.insert(
        "name".into(),
        parent
            .get_path(&["metadata", "name"])
            .cloned()
            .unwrap_or(Data::Null),
    );
    r.insert(
        "uid".into(),
        parent
            .get_path(&["metadata", "uid"])
            .cloned()
            .unwrap_or(Data::Null),
    );
    rf::Owner {
        namespace: parent
            .get_path(&["metadata", "namespace"])
            .filter(|d| d.truthy())
            .map(Data::py_str),
        reference: Data::Map(r),
    }
}

/// Plain data of a workflow value (for results and previews).
pub fn value_data(v: &Value) -> Data {
    value_to_data(v)
}
