//! Differential test: our walker against the `jsonschema` crate (Draft 4) on mutated
//! Koreo specs. Only the keywords both implement are compared: Kubernetes extensions
//! (CEL rules, list-map keys, embedded resources, pruning) are ours alone, so their
//! diagnostics are left out, and mutations never produce `null` (pruned by Kubernetes,
//! rejected by JSON Schema).

mod common;

use common::data;
use koreo_schema::builtin::koreo_kind;
use koreo_schema::{ValidateOptions, validate};
use koreo_syntax::yaml::Severity;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Diagnostic codes that correspond to plain JSON Schema keywords.
const COMPARED: [&str; 14] = [
    "schema-type",
    "schema-required",
    "schema-enum",
    "schema-min-items",
    "schema-max-items",
    "schema-min-length",
    "schema-max-length",
    "schema-min-properties",
    "schema-max-properties",
    "schema-one-of",
    "schema-any-of",
    "schema-not",
    "schema-pattern",
    "schema-unknown-field",
];

fn seeds() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ValueFunction",
            json!({"preconditions": [{"assert": "=inputs.ok", "skip": {"message": "no"}}], "locals": {"a": 1}, "return": {"v": "=locals.a"}}),
        ),
        (
            "ResourceFunction",
            json!({"apiConfig": {"apiVersion": "v1", "kind": "ConfigMap", "name": "=inputs.n", "owned": true},
                   "resource": {"data": {"a": "b"}},
                   "overlays": [{"overlay": {"x": 1}, "skipIf": "=false"}, {"overlayRef": {"kind": "ValueFunction", "name": "v"}, "inputs": {"a": 1}}],
                   "create": {"enabled": true, "delay": 10}, "update": {"recreate": {"delay": 5}}, "delete": {"abandon": {}},
                   "postconditions": [{"assert": "=true", "retry": {"message": "m", "delay": 3}}], "return": {"r": 1}}),
        ),
        (
            "ResourceTemplate",
            json!({"template": {"apiVersion": "v1", "kind": "ConfigMap"}, "context": {"a": 1}}),
        ),
        (
            "Workflow",
            json!({"crdRef": {"apiGroup": "g", "version": "v1", "kind": "K"},
                   "steps": [{"label": "one", "ref": {"kind": "ValueFunction", "name": "x"}, "inputs": {"a": 1}, "state": {"s": 1},
                              "condition": {"type": "Ready", "name": "n"}},
                             {"label": "two", "refSwitch": {"switchOn": "=inputs.k", "cases": [{"case": "a", "kind": "Workflow", "name": "w"}]},
                              "forEach": {"itemIn": "=inputs.l", "inputKey": "i"}, "skipIf": "=false"}]}),
        ),
        (
            "FunctionTest",
            json!({"functionRef": {"kind": "ValueFunction", "name": "x"}, "inputs": {"a": 1},
                   "testCases": [{"label": "t", "variant": false, "expectReturn": {"a": 1}},
                                 {"skip": true, "expectOutcome": {"retry": {"message": "", "delay": 0}}}]}),
        ),
    ]
}

/// Every path to a value in `v` (object keys and array indices).
fn paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                prefix.push(Value::String(k.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(json!(i));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Value::String(k) => cur.get_mut(k.as_str())?,
            Value::Number(n) => cur.get_mut(n.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(cur)
}

const REPLACEMENTS: [&str; 12] = [
    r#""text""#,
    r#""ab""#,
    "7",
    "2.5",
    "true",
    "{}",
    "[]",
    r#"{"message": "m"}"#,
    r#"["a", "a"]"#,
    r#""ValueFunction""#,
    r#"{"unknownField": 1}"#,
    r#""this_label_is_far_too_long_for_the_forty_five_limit""#,
];

fn mutate(seed: &Value, picks: &[(usize, u8, usize)]) -> Value {
    let mut v = seed.clone();
    for &(at, op, with) in picks {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let path = &all[at % all.len()];
        let replacement: Value =
            serde_json::from_str(REPLACEMENTS[with % REPLACEMENTS.len()]).unwrap();
        match op % 3 {
            // Replace the value.
            0 => {
                if let Some(slot) = get_mut(&mut v, path) {
                    *slot = replacement;
                }
            }
            // Delete it (a key of an object, an item of a list).
            1 if !path.is_empty() => {
                let (last, parent) = path.split_last().unwrap();
                match (get_mut(&mut v, parent), last) {
                    (Some(Value::Object(o)), Value::String(k)) => {
                        o.shift_remove(k);
                    }
                    (Some(Value::Array(a)), Value::Number(n)) => {
                        a.remove(n.as_u64().unwrap() as usize);
                    }
                    _ => {}
                }
            }
            // Add a field next to it, named like a known one.
            _ => {
                let names = [
                    "ok",
                    "skip",
                    "retry",
                    "never",
                    "ref",
                    "refSwitch",
                    "resource",
                    "label",
                    "extra",
                ];
                if let Some(Value::Object(o)) = get_mut(&mut v, path) {
                    o.insert(names[with % names.len()].to_owned(), replacement);
                }
            }
        }
    }
    v
}

fn bundled() -> Value {
    serde_json::from_str(include_str!("../engine/koreo-bundled.json")).unwrap()
}

/// Kubernetes structural schemas reject unknown fields only where
/// `additionalProperties: false` says so; JSON Schema accepts them everywhere else.
fn our_errors(kind: &str, instance: &Value) -> Vec<String> {
    let text = serde_json::to_string(instance).unwrap();
    let parsed = koreo_syntax::parse_file(&text);
    let node = parsed.documents[0].root.as_ref().unwrap();
    let spec = koreo_kind(kind).unwrap().root().property("spec").unwrap();
    validate(spec, node, &ValidateOptions::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error && COMPARED.contains(&d.code))
        // The implied `apiVersion`/`kind` of embedded resources are Kubernetes-only.
        .filter(|d| !d.message.contains("embedded resource"))
        .filter(|d| {
            !["template.", "currentResource.", "expectResource."]
                .iter()
                .any(|e| {
                    d.path.ends_with(&format!("{e}apiVersion"))
                        || d.path.ends_with(&format!("{e}kind"))
                })
        })
        .map(|d| format!("{} {} {}", d.code, d.path, d.message))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    #[test]
    fn walker_agrees_with_jsonschema(kind_at in 0usize..5, picks in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4)) {
        let (kind, seed) = &seeds()[kind_at];
        let schema = bundled()[kind]["v1beta1"].clone();
        let validator = jsonschema::draft4::new(&schema).unwrap();
        prop_assert!(validator.is_valid(seed));
        prop_assert!(our_errors(kind, seed).is_empty(), "{:?}", our_errors(kind, seed));
        let instance = mutate(seed, &picks);
        let theirs = validator.is_valid(&instance);
        let ours = our_errors(kind, &instance);
        prop_assert_eq!(theirs, ours.is_empty(), "{} {}\nours: {:?}", kind, instance, ours);
    }
}

#[test]
fn seeds_are_valid_koreo_documents() {
    // The seeds double as clean examples for the walker in literal mode.
    for (kind, seed) in seeds() {
        assert!(our_errors(kind, &seed).is_empty(), "{kind}");
    }
    // The bundled schema file the oracle and this test read is the engine's.
    assert!(data("engine/goldens.json").contains("must be valid exactly by one definition"));
}
