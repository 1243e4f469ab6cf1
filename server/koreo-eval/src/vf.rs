//! ValueFunction (§6): prepare and evaluation.

use crate::cel::{CelProgram, Crash, Stop};
use crate::outcome::Outcome;
use crate::prepare::{PrepareError, extract_into};
use crate::resource::{Kind, ResourceRef};
use crate::spec::SNode;
use crate::structure::{
    OverlayProgram, Predicates, eval_overlay, eval_predicates, prepare_map_expression,
    prepare_overlay, prepare_predicates,
};
use koreo_cel::Activation;
use koreo_cel::{Map, Value};

/// A prepared ValueFunction.
#[derive(Clone, Debug)]
pub struct ValueFunction {
    /// The function's name.
    pub name: String,
    /// `preconditions`.
    pub preconditions: Option<Predicates>,
    /// `locals` (a map expression).
    pub locals: Option<CelProgram>,
    /// The `return` overlay.
    pub ret: Option<OverlayProgram>,
    /// Every path the function's expressions reference (`inputs.a`, `resource.spec`, ...).
    pub dynamic_input_keys: Vec<String>,
}

fn loc(name: &str, part: &str) -> String {
    format!("prepare:ValueFunction:{name}:{part}")
}

/// Prepares a ValueFunction's `spec` (§6.2). `schema_error` is the first schema violation
/// computed by the layer above, if any.
pub fn prepare(
    name: &str,
    spec: &SNode,
    schema_error: Option<&str>,
) -> Result<ValueFunction, PrepareError> {
    let owner = ResourceRef::new(Kind::ValueFunction, name);
    if let Some(msg) = schema_error {
        return Err(PrepareError::perm_fail(
            "schema",
            msg,
            Some(loc(name, "spec")),
            None,
        ));
    }
    let mut used = Vec::new();
    let part = |key: &str| {
        spec.get(key)
            .cloned()
            .unwrap_or(SNode::detached(crate::spec::SKind::Null))
    };

    let preconditions = prepare_predicates(&part("preconditions"), Some(&owner)).map_err(|f| {
        PrepareError::from_structure(
            Kind::ValueFunction,
            name,
            f,
            Some(loc(name, "spec.preconditions")),
        )
    })?;
    if let Some(p) = &preconditions {
        extract_into(Kind::ValueFunction, name, &p.program, &mut used)?;
    }

    let locals =
        prepare_map_expression(&part("locals"), "spec.locals", Some(&owner)).map_err(|f| {
            PrepareError::from_structure(
                Kind::ValueFunction,
                name,
                f,
                Some(loc(name, "spec.locals")),
            )
        })?;
    if let Some(l) = &locals {
        extract_into(Kind::ValueFunction, name, l, &mut used)?;
    }

    let ret = prepare_overlay(&part("return"), "spec.return", Some(&owner)).map_err(|f| {
        PrepareError::from_structure(Kind::ValueFunction, name, f, Some(loc(name, "spec.return")))
    })?;
    if let Some(r) = &ret {
        extract_into(Kind::ValueFunction, name, &r.values, &mut used)?;
    }

    Ok(ValueFunction {
        name: name.to_string(),
        preconditions,
        locals,
        ret,
        dynamic_input_keys: used,
    })
}

impl ValueFunction {
    /// Every compiled program of the function.
    pub fn programs(&self) -> Vec<&CelProgram> {
        let mut out: Vec<&CelProgram> = Vec::new();
        out.extend(self.preconditions.as_ref().map(|p| &p.program));
        out.extend(self.locals.as_ref());
        out.extend(self.ret.as_ref().map(|r| &r.values));
        out
    }

    /// The first-level input names the function reads (`inputs.a.b` and `inputs["a"]` both
    /// give `a`), as the engine computes them for overlayRef input checks (§8.2).
    pub fn needed_inputs(&self) -> Vec<String> {
        // The engine's `dynamic_input_keys` and the names taken from it are Python sets:
        // keep CPython's iteration order (inserting in our extraction order).
        let keys: Vec<&str> = self.dynamic_input_keys.iter().map(String::as_str).collect();
        let mut out: Vec<String> = Vec::new();
        for key in crate::pyset::str_set_order(&keys)
            .into_iter()
            .map(|i| keys[i])
        {
            if let Some(Some(name)) = crate::deps::name_after("inputs", key)
                && !out.contains(&name)
            {
                out.push(name);
            }
        }
        let names: Vec<&str> = out.iter().map(String::as_str).collect();
        crate::pyset::str_set_order(&names)
            .into_iter()
            .map(|i| out[i].clone())
            .collect()
    }
}

/// Evaluates a ValueFunction (§6.3). `base` is the optional base resource (overlayRef use,
/// or a FunctionTest with a current resource).
pub fn reconcile(
    location: &str,
    vf: &ValueFunction,
    inputs: Value,
    base: Option<&Value>,
) -> Result<Outcome<Value>, Crash> {
    let mut env = Activation::new().with("inputs", inputs);
    if let Some(b) = base
        && b.truthy()
    {
        env.bind("resource", b.clone());
    }

    if let Some(p) = &vf.preconditions
        && let Some(outcome) = eval_predicates(p, &env, &format!("{location}:spec.preconditions"))?
    {
        return Ok(outcome.cast().unwrap_or(Outcome::Ok(Value::Null)));
    }

    let Some(ret) = &vf.ret else {
        return Ok(Outcome::Ok(Value::Null));
    };

    match &vf.locals {
        None => {
            env.bind("locals", Value::map(Map::new()));
        }
        Some(locals) => match locals.evaluate(&env, &format!("{location}:spec.locals")) {
            Ok(v @ Value::Map(_)) => {
                env.bind("locals", v);
            }
            Ok(other) => {
                return Ok(Outcome::perm_fail_at(
                    format!(
                        "Invalid `locals` expression type ({})",
                        koreo_cel::python::py_type_repr(&other)
                    ),
                    format!("{location}:spec.locals"),
                ));
            }
            Err(stop) => return stop.into_outcome(),
        },
    }

    let empty = Value::map(Map::new());
    let base = base.unwrap_or(&empty);
    match eval_overlay(ret, &env, base, &format!("{location}:spec.return")) {
        Ok(v) => Ok(Outcome::Ok(v)),
        Err(Stop::Fail(f)) => Ok(Outcome::PermFail(f)),
        Err(Stop::Crash(c)) => Err(c),
    }
}
