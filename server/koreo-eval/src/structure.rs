//! The four evaluation shapes of §2.4 (single/map expression, overlay, predicate list):
//! preparing them from spec nodes, evaluating them, and applying overlays (§2.5).

use crate::cel::{CelProgram, Crash, Stop, UnknownStyle, compile, contains_error};
use crate::encode::{Encoded, OverlayIndex, PREDICATE_SUFFIX, encode, encode_list, overlay_split};
use crate::outcome::{Failure, Outcome, Retry};
use crate::resource::ResourceRef;
use crate::spec::{SKind, SNode};
use koreo_cel::Activation;
use koreo_cel::{Map, Value};
use text_size::TextRange;

/// A prepare-time failure of one structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrepFail {
    /// The engine's PermFail (message as the engine words it).
    PermFail {
        /// The engine's message.
        message: String,
        /// The offending node (or the exact error position inside it).
        range: Option<TextRange>,
        /// Our explanation, when clearer than the engine's message.
        detail: Option<String>,
    },
    /// The engine raises instead of returning an outcome: the resource is not prepared.
    Crash {
        /// The engine's exception text (approximated).
        message: String,
        /// The offending node.
        range: Option<TextRange>,
    },
}

impl PrepFail {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            PrepFail::PermFail { message, .. } | PrepFail::Crash { message, .. } => message,
        }
    }

    /// The offending node, when known.
    pub fn range(&self) -> Option<TextRange> {
        match self {
            PrepFail::PermFail { range, .. } | PrepFail::Crash { range, .. } => *range,
        }
    }
}

fn compile_or_fail(
    encoded: Encoded,
    owner: Option<&ResourceRef>,
    message: impl FnOnce(&crate::cel::ParseFailure, &str) -> String,
    source_for_message: &str,
) -> Result<CelProgram, PrepFail> {
    compile(encoded, owner).map_err(|pf| {
        if pf.crash {
            PrepFail::Crash {
                message:
                    "AssertionError (cel-python cannot report a syntax error at a boolean literal)"
                        .into(),
                range: pf.file_range,
            }
        } else {
            PrepFail::PermFail {
                message: message(&pf, source_for_message),
                range: pf.file_range,
                detail: Some(pf.detail.clone()),
            }
        }
    })
}

/// `prepare_expression`: encodes and compiles any structure; a falsy structure has no
/// program (`Ok(None)`).
pub fn prepare_expression(
    spec: &SNode,
    location: &str,
    owner: Option<&ResourceRef>,
) -> Result<Option<CelProgram>, PrepFail> {
    if !spec.truthy() {
        return Ok(None);
    }
    let encoded = encode(spec);
    let source = encoded.text.clone();
    compile_or_fail(encoded, owner, |pf, src| pf.message(location, src), &source).map(Some)
}

/// `prepare_map_expression`: like [`prepare_expression`] but the structure must be a
/// mapping (`Malformed {location}, expected a mapping`).
pub fn prepare_map_expression(
    spec: &SNode,
    location: &str,
    owner: Option<&ResourceRef>,
) -> Result<Option<CelProgram>, PrepFail> {
    if !spec.truthy() {
        return Ok(None);
    }
    if !spec.is_map() {
        return Err(PrepFail::PermFail {
            message: format!("Malformed {location}, expected a mapping"),
            range: Some(spec.range),
            detail: None,
        });
    }
    prepare_expression(spec, location, owner)
}

/// A prepared overlay (§2.4): the key index and one program evaluating all leaves.
#[derive(Clone, Debug)]
pub struct OverlayProgram {
    /// Key index: which slot or nested index each key takes.
    pub index: Vec<(String, OverlayIndex)>,
    /// The program evaluating every leaf as one list.
    pub values: CelProgram,
    /// YAML range of each leaf, by slot.
    pub leaf_ranges: Vec<TextRange>,
}

/// `prepare_overlay_expression`.
pub fn prepare_overlay(
    spec: &SNode,
    location: &str,
    owner: Option<&ResourceRef>,
) -> Result<Option<OverlayProgram>, PrepFail> {
    if !spec.truthy() {
        return Ok(None);
    }
    if !spec.is_map() {
        return Err(PrepFail::PermFail {
            message: format!("Malformed {location}, expected a mapping"),
            range: Some(spec.range),
            detail: None,
        });
    }
    let (index, leaves) = overlay_split(spec);
    let leaf_ranges = leaves.iter().map(|l| l.range).collect();
    let encoded = encode_list(&leaves, spec.range);
    let source = encoded.text.clone();
    let values = compile_or_fail(encoded, owner, |pf, src| pf.message(location, src), &source)?;
    Ok(Some(OverlayProgram {
        index,
        values,
        leaf_ranges,
    }))
}

/// A prepared predicate list (§5.3): `enc(list).filter(predicate, !predicate.assert)`.
#[derive(Clone, Debug)]
pub struct Predicates {
    /// `enc(list).filter(predicate, !predicate.assert)`.
    pub program: CelProgram,
}

/// `predicate_extractor`.
pub fn prepare_predicates(
    spec: &SNode,
    owner: Option<&ResourceRef>,
) -> Result<Option<Predicates>, PrepFail> {
    if !spec.truthy() {
        return Ok(None);
    }
    if spec.items().is_none() {
        return Err(PrepFail::PermFail {
            message: "Malformed conditions, expected a list".into(),
            range: Some(spec.range),
            detail: None,
        });
    }
    let mut encoded = encode(spec);
    let list_text = encoded.text.clone();
    encoded.text.push_str(PREDICATE_SUFFIX);
    let program = compile_or_fail(
        encoded,
        owner,
        |pf, src| pf.predicate_message(src),
        &list_text,
    )?;
    Ok(Some(Predicates { program }))
}

/// Evaluates a predicate list: `Ok(None)` when evaluation continues, else the outcome.
pub fn eval_predicates(
    preds: &Predicates,
    bindings: &Activation,
    location: &str,
) -> Result<Option<Outcome<()>>, Crash> {
    let value = match preds
        .program
        .evaluate_styled(bindings, location, UnknownStyle::Predicates)
    {
        Ok(v) => v,
        Err(Stop::Fail(f)) => return Ok(Some(Outcome::PermFail(f))),
        Err(Stop::Crash(c)) => return Err(c),
    };
    let Some(items) = value.as_list() else {
        return Ok(Some(Outcome::perm_fail_at(
            format!(
                "Bad structure for `{location}`, expected list of assertions but received {}.",
                koreo_cel::python::py_type_repr(&value)
            ),
            location,
        )));
    };
    let Some(first) = items.first() else {
        return Ok(None);
    };
    let origin = preds.program.encoded.root_range().and_then(|r| {
        preds
            .program
            .owner
            .clone()
            .map(|resource| crate::cel::Origin { resource, range: r })
    });
    let mut outcome = predicate_outcome(first, location);
    if let Some(o) = outcome.as_mut() {
        o.set_origin(origin);
    }
    Ok(outcome)
}

/// `predicate_to_koreo_result` for the first failing predicate.
pub fn predicate_outcome(pred: &Value, location: &str) -> Option<Outcome<()>> {
    let loc = Some(location.to_string());
    let Some(m) = pred.as_map() else {
        return Some(unknown_predicate(pred, location));
    };
    let payload = |key: &str| m.get_str(key).and_then(|v| v.as_map().cloned());
    let has_assert = m.contains_str("assert");
    if has_assert && payload("ok").is_some() {
        return None;
    }
    let message_of = |p: &Map| p.get_str("message").map(koreo_cel::python::py_str);
    if has_assert
        && let Some(p) = payload("depSkip")
        && let Some(msg) = message_of(&p)
    {
        return Some(Outcome::dep_skip(msg, loc));
    }
    if has_assert
        && let Some(p) = payload("skip")
        && let Some(msg) = message_of(&p)
    {
        return Some(Outcome::skip(msg, loc));
    }
    if has_assert
        && let Some(p) = payload("retry")
        && let Some(msg) = message_of(&p)
        && let Some(delay) = p.get_str("delay")
    {
        let text = koreo_cel::python::py_str(delay);
        return Some(match py_int(&text) {
            Some(d) => Outcome::retry(d, msg, loc),
            None => Outcome::perm_fail_at(
                format!(
                    "Error evaluating `{location}`: invalid literal for int() with base 10: {}",
                    crate::data::py_str_repr(&text)
                ),
                location,
            ),
        });
    }
    if has_assert
        && let Some(p) = payload("permFail")
        && let Some(msg) = message_of(&p)
    {
        return Some(Outcome::perm_fail_at(msg, location));
    }
    Some(unknown_predicate(pred, location))
}

fn unknown_predicate(pred: &Value, location: &str) -> Outcome<()> {
    match koreo_cel::python::py_json_dumps(pred, false) {
        Ok(json) => Outcome::perm_fail_at(format!("Unknown predicate type: {json}"), location),
        Err(e) => Outcome::perm_fail_at(
            format!("Error evaluating `{location}`: {}", e.message()),
            location,
        ),
    }
}

/// Python `int(str)` for decimal text (whitespace, sign and single underscores allowed).
pub fn py_int(s: &str) -> Option<i64> {
    if !crate::encode::py_int_accepts(s) {
        return None;
    }
    let t: String = crate::encode::py_strip(s)
        .chars()
        .filter(|c| *c != '_')
        .collect();
    t.parse().ok()
}

/// Evaluates an overlay onto `base` (§2.5): every leaf sees `resource` = base.
pub fn eval_overlay(
    overlay: &OverlayProgram,
    bindings: &Activation,
    base: &Value,
    location: &str,
) -> Result<Value, Stop> {
    let b = bindings.clone().with("resource", base.clone());
    let values = overlay.values.evaluate(&b, location)?;
    let Some(values) = values.as_list() else {
        return Err(Stop::Fail(Failure::at(
            format!(
                "Bad overlay structure for `{location}`, received {}.",
                koreo_cel::python::py_type_repr(&values)
            ),
            location,
        )));
    };
    Ok(apply_overlay(base, &overlay.index, values))
}

/// The overlay applier: literal nested mappings merge, every leaf replaces.
pub fn apply_overlay(base: &Value, index: &[(String, OverlayIndex)], values: &[Value]) -> Value {
    let mut out: Map = base.as_map().map(|m| (**m).clone()).unwrap_or_default();
    for (key, slot) in index {
        match slot {
            OverlayIndex::Leaf(i) => {
                out.insert_str(key, values.get(*i).cloned().unwrap_or(Value::Null));
            }
            OverlayIndex::Nested(nested) => {
                let sub = base
                    .as_map()
                    .and_then(|m| m.get_str(key))
                    .filter(|v| v.as_map().is_some())
                    .cloned()
                    .unwrap_or_else(|| Value::map(Map::new()));
                out.insert_str(key, apply_overlay(&sub, nested, values));
            }
        }
    }
    Value::map(out)
}

/// The Koreo `overlay()` deep merge (§4): maps merge whenever both sides are CEL maps.
pub fn deep_overlay(base: &Value, over: &Value) -> Value {
    let Some(om) = over.as_map() else {
        return base.clone();
    };
    let mut out: Map = base.as_map().map(|m| (**m).clone()).unwrap_or_default();
    for (k, ov) in om.iter() {
        let key = k
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| koreo_cel::python::py_str(k));
        let merged = match out.get_str(&key) {
            Some(existing @ Value::Map(_)) if matches!(ov, Value::Map(_)) => {
                deep_overlay(existing, ov)
            }
            _ => ov.clone(),
        };
        out.insert_str(&key, merged);
    }
    Value::map(out)
}

/// Whether any error value hides in a value (overlay results are re-checked, §8.4).
pub fn has_error(v: &Value) -> bool {
    contains_error(v)
}

/// A Retry with the default delay and no location.
pub fn retry_outcome<T>(delay: i64, message: String, location: Option<String>) -> Outcome<T> {
    Outcome::Retry(Retry {
        message: Some(message),
        location,
        delay,
        origin: None,
    })
}

/// Whether a spec node is a string starting with `=` (a Koreo Expression).
pub fn is_expression(node: &SNode) -> bool {
    matches!(&node.kind, SKind::Str(s) if s.text.starts_with('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_of_delay() {
        assert_eq!(py_int("12"), Some(12));
        assert_eq!(py_int(" 1_0 "), Some(10));
        assert_eq!(py_int("1.5"), None);
    }
}
