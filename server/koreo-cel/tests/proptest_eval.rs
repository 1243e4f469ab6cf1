//! Property tests: evaluation of arbitrary expressions over arbitrary data never panics,
//! is deterministic, and every error can be formatted (or reports the formatter crash).

use koreo_cel::{
    Activation, Budget, EvalOptions, Failure, Program, evaluate, extract_paths, find_nested_error,
    from_json, python::py_repr, raw_from_json, to_data,
};
use proptest::prelude::*;

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("inputs".to_string()),
        Just("inputs.a".to_string()),
        Just("inputs.l".to_string()),
        Just("inputs.m".to_string()),
        Just("inputs.missing".to_string()),
        Just("resource".to_string()),
        Just("x".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("b'ab'".to_string()),
        Just("1u".to_string()),
        Just("duration('1h')".to_string()),
        Just("timestamp('2024-01-01T00:00:00Z')".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        "[a-z]{0,4}".prop_map(|s| format!("'{s}'")),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    let ops = prop_oneof![
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("%"),
        Just("=="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just("in"),
        Just("&&"),
        Just("||")
    ];
    let funcs = prop_oneof![
        Just("size"),
        Just("string"),
        Just("int"),
        Just("double"),
        Just("type"),
        Just("to_json"),
        Just("lower"),
        Just("flatten"),
        Just("to_ref"),
        Just("self_ref"),
        Just("b64decode"),
        Just("from_json"),
        Just("bool"),
        Just("dyn"),
        Just("has"),
        Just("uint"),
        Just("bytes"),
        Just("timestamp"),
        Just("duration")
    ];
    let methods = prop_oneof![
        Just("map(x, x)"),
        Just("filter(x, x)"),
        Just("all(x, x)"),
        Just("exists(x, x == 1)"),
        Just("min()"),
        Just("exists_one(x, true)"),
        Just("reduce(a, x, 0, a + x)"),
        Just("split('/')"),
        Just("matches('a+')"),
        Just("contains('a')"),
        Just("startsWith('a')"),
        Just("size()"),
        Just("overlay({'a': 1})"),
        Just("getHours()"),
        Just("replace('a', 'b')"),
        Just("strip('a')")
    ];
    atom().prop_recursive(5, 64, 4, move |inner| {
        prop_oneof![
            (inner.clone(), ops.clone(), inner.clone())
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("({c}) ? ({a}) : ({b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.clone().prop_map(|a| format!("!({a})")),
            (funcs.clone(), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), methods.clone()).prop_map(|(a, m)| format!("({a}).{m}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})[{b}]")),
            (inner.clone(), "[a-z]{1,3}").prop_map(|(a, f)| format!("({a}).{f}")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| format!("{{{k}: {v}}}")),
        ]
    })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-z/.-]{0,6}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn evaluation_is_total(src in expr(), a in json_value(), l in json_value()) {
        let Ok(program) = Program::parse(&src) else { return Ok(()); };
        let inputs = serde_json::json!({"a": a, "l": l, "m": {"k": "v"}});
        let act = Activation::new()
            .with("inputs", from_json(&inputs).unwrap_or(koreo_cel::Value::Null))
            .with("resource", raw_from_json(&inputs));
        let opts = EvalOptions { budget: Budget { max_steps: 100_000, ..Budget::default() }, ..EvalOptions::default() };
        let first = evaluate(&program, &act, &opts);
        let second = evaluate(&program, &act, &opts);
        match (&first, &second) {
            (Ok(v), Ok(w)) => {
                prop_assert_eq!(py_repr(v), py_repr(w));
                if let Some(e) = find_nested_error(v) {
                    let _ = e.permfail_message("loc");
                } else {
                    let _ = to_data(v);
                }
            }
            (Err(Failure::Error(e)), Err(Failure::Error(f))) => {
                prop_assert_eq!(e.args_repr(), f.args_repr());
                let _ = e.permfail_message("loc");
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.reason(), b.reason()),
            _ => prop_assert!(false, "non-deterministic: {:?} vs {:?}", first, second),
        }
        let _ = extract_paths(program.expr(), program.source());
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,40}") {
        if let Ok(program) = Program::parse(&src) {
            let _ = evaluate(&program, &Activation::new(), &EvalOptions::default());
            let _ = extract_paths(program.expr(), program.source());
        }
    }

    #[test]
    fn json_round_trips(v in json_value()) {
        let value = from_json(&v).expect("in range");
        let back = to_data(&value).expect("plain data").to_json();
        prop_assert_eq!(back, v);
    }
}
