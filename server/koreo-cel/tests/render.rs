//! Python renderings of plain data against the reference interpreter
//! (`tests/goldens/render_goldens.json`, from `tests/goldens/gen_render_goldens.py`).

use koreo_cel::Data;
use koreo_cel::python::{
    float_repr, py_data_repr, py_data_str, py_data_type_repr, py_json_dumps_data,
};

#[test]
fn renderings_match_python() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("goldens/render_goldens.json")).expect("goldens parse");
    let mut failures = Vec::new();
    for case in cases.as_array().expect("array") {
        let want = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        if let Some(f) = case["float"].as_str() {
            // Floats (including the non-finite ones JSON cannot carry) via their repr.
            let v: f64 = match f {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                other => other.parse().expect("float"),
            };
            if float_repr(v) != f {
                failures.push(format!("float {f}: got {}", float_repr(v)));
            }
            let d = Data::Float(v);
            if d.py_repr() != want("repr") || d.py_json_dumps(true) != want("json_sorted") {
                failures.push(format!(
                    "float {f}: {} / {}",
                    d.py_repr(),
                    d.py_json_dumps(true)
                ));
            }
            continue;
        }
        let data = &case["data"];
        let checks = [
            ("repr", py_data_repr(data)),
            ("str", py_data_str(data)),
            ("json_sorted", py_json_dumps_data(data, true)),
            ("json", py_json_dumps_data(data, false)),
            ("type", py_data_type_repr(data).to_string()),
            ("repr", Data::from_json(data).py_repr()),
            ("json_sorted", Data::from_json(data).py_json_dumps(true)),
        ];
        for (k, got) in checks {
            if got != want(k) {
                failures.push(format!("{data}: {k}: got {got:?}, want {:?}", want(k)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
