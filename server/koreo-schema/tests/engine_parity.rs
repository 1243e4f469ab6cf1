//! `engine_first_error` against goldens recorded from the reference engine
//! (tests/data/engine/make_goldens.sh).

mod common;

use common::{data, parse_all};
use koreo_schema::engine_first_error;
use koreo_schema::value::{key_text, map_get};

#[test]
fn first_errors_match_the_reference_engine() {
    let cases = data("engine/cases.k.yaml");
    let goldens: serde_json::Value = serde_json::from_str(&data("engine/goldens.json")).unwrap();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for doc in parse_all(&cases) {
        let kind = key_text(&map_get(&doc, "kind").unwrap().value)
            .unwrap()
            .to_owned();
        let name = map_get(&doc, "metadata")
            .and_then(|m| map_get(&m.value, "name"))
            .and_then(|n| key_text(&n.value))
            .unwrap()
            .to_owned();
        let spec = &map_get(&doc, "spec").unwrap().value;
        let expected = goldens
            .get(format!("{kind}/{name}"))
            .and_then(|g| g.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        let actual = engine_first_error(&kind, spec);
        if actual != expected {
            mismatches.push(format!(
                "{kind}/{name}:\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
        checked += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // Every recorded golden was exercised, plus the valid resource.
    assert_eq!(checked, goldens.as_object().unwrap().len() + 1);
}

#[test]
fn unknown_kinds_and_valid_specs_have_no_engine_error() {
    let doc = &parse_all("spec:\n  steps: []\n")[0];
    let spec = &map_get(doc, "spec").unwrap().value;
    assert_eq!(engine_first_error("Workflow", spec), None);
    assert_eq!(engine_first_error("Deployment", spec), None);
    let json = serde_json::json!({"steps": "nope"});
    assert_eq!(
        koreo_schema::engine_first_error_json("Workflow", &json).as_deref(),
        Some("array spec.steps must be array")
    );
}
