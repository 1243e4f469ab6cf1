//! The spec's pinned examples (E03, E04, E05, E19, E20, E22, E26), the budget, the
//! Kubernetes dialect and the raw mapping, evaluated directly.

use koreo_cel::{
    Activation, Budget, Data, Dialect, EvalOptions, Failure, Program, evaluate, find_nested_error,
    from_json, raw_from_json, to_data,
};
use serde_json::json;

fn eval_with(src: &str, inputs: serde_json::Value) -> Result<koreo_cel::Value, Failure> {
    let program = Program::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let act = Activation::new().with("inputs", from_json(&inputs).expect("inputs"));
    evaluate(&program, &act, &EvalOptions::default())
}

fn data(src: &str, inputs: serde_json::Value) -> Data {
    let v = eval_with(src, inputs).unwrap_or_else(|f| panic!("{src}: {f:?}"));
    assert!(find_nested_error(&v).is_none(), "{src}: nested error");
    to_data(&v).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn j(d: &Data) -> serde_json::Value {
    d.to_json()
}

fn error_reason(src: &str, inputs: serde_json::Value) -> String {
    match eval_with(src, inputs) {
        Err(Failure::Error(e)) => e.reason(),
        Ok(v) => match find_nested_error(&v) {
            Some(e) => e.reason(),
            None => panic!("{src}: expected an error, got {v:?}"),
        },
        Err(other) => panic!("{src}: {other:?}"),
    }
}

#[test]
fn e03_numeric_ops() {
    let ret = r#"{"doubleFirst": 1.5 + 1, "intDivDouble": 10 / 4.0, "truncDiv": -7 / 2, "negMod": -7 % 3,
        "divZeroDouble": -1.0 / 0.0, "boolIsInt": true == 1, "castRound": int(2.5), "castRoundUp": int(3.5),
        "hexCast": int("0x10"), "strOfBool": string(true), "strOfNull": string(null), "strOfDouble": string(2.0),
        "sizeNull": size(null)}"#;
    assert_eq!(
        j(&data(ret, json!({}))),
        json!({"doubleFirst": 2.5, "intDivDouble": 2, "truncDiv": -3, "negMod": -1, "divZeroDouble": "Infinity",
               "boolIsInt": true, "castRound": 2, "castRoundUp": 4, "hexCast": 16, "strOfBool": "True",
               "strOfNull": "None", "strOfDouble": "2.0", "sizeNull": 0})
    );
    let bad = "inputs.a + inputs.b";
    assert!(
        error_reason(bad, json!({"a": 1, "b": 1.5}))
            .contains("found no matching overload for 'addition_add'")
    );
    assert_eq!(j(&data(bad, json!({"a": 1.5, "b": 1}))), json!(2.5));
    assert_eq!(
        error_reason(bad, json!({"a": 9223372036854775807i64, "b": 1})),
        "return error for overflow"
    );
    assert_eq!(j(&data(bad, json!({"a": "x", "b": "y"}))), json!("xy"));
}

#[test]
fn e04_null_and_has() {
    let inputs = json!({"name": "web", "maybe": null, "count": 3});
    let ret = r#"{"strVsNull": inputs.name == null, "deepHas": has(inputs.a.b.c), "hasNullValue": has(inputs.maybe),
        "hasUndeclared": has(nothing_here), "intVsNull": has(inputs.count) ? inputs.count : 0}"#;
    assert_eq!(
        j(&data(ret, inputs)),
        json!({"strVsNull": false, "deepHas": false, "hasNullValue": true, "hasUndeclared": false, "intVsNull": 3})
    );
    assert!(
        error_reason("inputs.count == null", json!({"count": 3}))
            .contains("no matching overload for 'relation_eq'")
    );
    assert_eq!(
        j(&data("inputs.count == null", json!({"count": null}))),
        json!(true)
    );
}

#[test]
fn e05_predicate_list() {
    // The predicate-list shape: `enc(P).filter(predicate, !predicate.assert)`.
    let list = r#"[{"assert": inputs.stage != "early-ok", "ok": {}},
        {"assert": inputs.stage != "boom" || 1 / 0 == 0, "permFail": {"message": "never reached"}},
        {"assert": true, "permFail": {"message": string(1 / 0)}}].filter(predicate, !predicate.assert)"#;
    let failed = data(list, json!({"stage": "early-ok"}));
    let Data::List(items) = failed else {
        panic!("list")
    };
    assert_eq!(items.len(), 1);
    match eval_with(list, json!({"stage": "boom"})) {
        Err(Failure::Error(e)) => {
            assert!(e.reason().contains("unary_not"), "{}", e.reason());
            assert_eq!(e.dump().unwrap(), "! predicate.assert");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn e19_function_library() {
    let inputs = json!({
        "path": "/apps/web/",
        "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "", "extra": "ignored"},
        "obj": {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "t", "namespace": "ns"},
                "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "UpToDate"}]}}
    });
    let ret = r#"{
        "json": to_json({"b": true, "a": [1, 2.5, null, "é"]}),
        "parsed": from_json("{\"n\": 1, \"f\": 1.0}"),
        "stripChars": strip("--xx-name-xx--", "-x"),
        "rstripSlash": inputs.path.rstrip("/"),
        "lastPart": split_index(inputs.path, "/", -2),
        "firstPart": inputs.path.split_first("/"),
        "pieces": split("a,,b", ","),
        "lowered": lower("MiXeD"),
        "replaced": replace("a.b.c", ".", "-"),
        "encoded": b64encode("koreo"),
        "decoded": b64decode("a29yZW8="),
        "flat": flatten([[1], [], [2, 3]]),
        "merged": overlay({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 9}, "l": [3]}),
        "ref": to_ref(inputs.target),
        "groupRef": group_ref(inputs.target),
        "kindless": kindless_ref(inputs.target),
        "self": self_ref(inputs.obj),
        "ready": config_connect_ready(inputs.obj)}"#;
    assert_eq!(
        j(&data(ret, inputs)),
        json!({
            "json": "{\"a\": [1, 2.5, null, \"\\u00e9\"], \"b\": 1}",
            "parsed": {"n": 1, "f": 1.0},
            "stripChars": "name", "rstripSlash": "/apps/web", "lastPart": "web", "firstPart": "",
            "pieces": ["a", "", "b"], "lowered": "mixed", "replaced": "a-b-c", "encoded": "a29yZW8=",
            "decoded": "koreo", "flat": [1, 2, 3], "merged": {"a": {"x": 1, "y": 9}, "l": [3]},
            "ref": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "groupRef": {"apiGroup": "apps", "kind": "Deployment", "name": "web"},
            "kindless": {"name": "web"},
            "self": {"apiVersion": "v1", "kind": "Thing", "name": "t", "namespace": "ns"},
            "ready": true
        })
    );
}

#[test]
fn e20_dialect() {
    let ret = r#"{"charIn": "bc" in "abc", "charIn2": "b" in "abc", "mixedIn": 1 in ["a", 1],
        "negIndex": inputs.l[-1], "strIndex": 'abc'[1], "listConcat": [1] + [2],
        "existsAbsorbs": [0, 1].exists(x, 1 / x > 0), "filterTruthy": [0, 1, 2].filter(x, x),
        "mapOverMap": {"k1": 1, "k2": 2}.map(k, k), "orPassThrough": false || "x",
        "lazyMapValue": size({"bad": 1 / 0, "good": 2}), "minMacro": [3, 1, 2].min(),
        "reduceMacro": [1, 2, 3].reduce(acc, x, 0, acc + x), "matchesSearch": 'abc'.matches('b'),
        "hexLiteral": 0x1F, "globalForm": size("héllo")}"#;
    assert_eq!(
        j(&data(ret, json!({"l": [1, 2, 3]}))),
        json!({"charIn": false, "charIn2": true, "mixedIn": true, "negIndex": 3, "strIndex": "b",
               "listConcat": [1, 2], "existsAbsorbs": true, "filterTruthy": [1, 2], "mapOverMap": ["k1", "k2"],
               "orPassThrough": "x", "lazyMapValue": 2, "minMacro": 1, "reduceMacro": 6, "matchesSearch": true,
               "hexLiteral": 31, "globalForm": 5})
    );
}

#[test]
fn e22_formatter_crash() {
    assert_eq!(
        j(&data("inputs.items == []", json!({"items": []}))),
        json!(true)
    );
    match eval_with("inputs.items == []", json!({"items": null})) {
        Err(Failure::Error(e)) => {
            assert!(e.reason().contains("relation_eq"));
            assert!(e.dump().is_err(), "the formatter must crash");
            assert!(e.permfail_message("x").is_err());
        }
        other => panic!("{other:?}"),
    }
    // A leading empty literal renders fine.
    match eval_with("[] == inputs.items", json!({"items": null})) {
        Err(Failure::Error(e)) => assert_eq!(e.dump().unwrap(), " ==  inputs.items"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn e26_error_values() {
    let ret =
        r#"{"asText": 'x' + string(inputs.missing), "leftError": has(inputs.missing) ? 0 : 1}"#;
    assert_eq!(
        j(&data(ret, json!({"present": 1}))),
        json!({"asText": "x(\"no such member in mapping: 'missing'\", <class 'KeyError'>, None)", "leftError": 1})
    );
    assert!(
        error_reason("1 + inputs.missing", json!({"present": 1}))
            .starts_with("found no matching overload for 'addition_add'")
    );
}

#[test]
fn macro_errors_abort_everything() {
    // An error inside map() is not absorbed by has() or ||.
    for src in ["has([1].map(x, x / 0))", "[1].map(x, x / 0) || true"] {
        match eval_with(src, json!({})) {
            Err(Failure::Error(e)) => assert_eq!(e.reason(), "modulus or divide by zero", "{src}"),
            other => panic!("{src}: {other:?}"),
        }
    }
    match eval_with("[1].map(x, y, x)", json!({})) {
        Err(Failure::Unknown { class, .. }) => assert_eq!(class, "ValueError"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn budget_stops_hostile_expressions() {
    let tight = EvalOptions {
        budget: Budget {
            max_steps: 200_000,
            max_size: 1 << 20,
            max_depth: 200,
        },
        dialect: Dialect::Koreo,
    };
    let nested = "[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10].map(f, a+b+c+d+e+f))))))";
    let doubling = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30].reduce(acc, x, 'ab', acc + acc)";
    let lists = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30].reduce(acc, x, [1, 2], acc + acc)";
    for src in [nested, doubling, lists] {
        let p = Program::parse(src).expect("parse");
        match evaluate(&p, &Activation::new(), &tight) {
            Err(Failure::Budget(b)) => assert!(b.to_string().contains("budget exceeded"), "{b}"),
            other => panic!("{src}: {other:?}"),
        }
    }
    // The default budget lets ordinary work through.
    let p = Program::parse("[1,2,3].map(x, [1,2,3].map(y, x * y))").expect("parse");
    assert!(evaluate(&p, &Activation::new(), &EvalOptions::default()).is_ok());
}

#[test]
fn kubernetes_dialect_uses_re2_classes() {
    let p = Program::parse("'abc_1'.matches('^[[:word:]]+$')").expect("parse");
    let k8s = EvalOptions {
        dialect: Dialect::Kubernetes,
        ..EvalOptions::default()
    };
    assert!(matches!(
        evaluate(&p, &Activation::new(), &k8s),
        Ok(koreo_cel::Value::Bool(true))
    ));
    // In Koreo's dialect `[[:word:]]` is Python's character set `[[:word]` then `]`.
    assert!(matches!(
        evaluate(&p, &Activation::new(), &EvalOptions::default()),
        Ok(koreo_cel::Value::Bool(false))
    ));
}

#[test]
fn raw_mapping_binding() {
    let raw = raw_from_json(&json!({"a": 1, "spec": {"n": 2}}));
    let act = Activation::new().with("resource", raw);
    let ev = |src: &str| {
        evaluate(
            &Program::parse(src).expect("parse"),
            &act,
            &EvalOptions::default(),
        )
    };
    assert_eq!(
        to_data(&ev("resource['a'] + size(resource)").unwrap()).unwrap(),
        Data::Int(3)
    );
    assert!(matches!(
        ev("has(resource.a)"),
        Ok(koreo_cel::Value::Bool(false))
    ));
    match ev("resource.a") {
        Err(Failure::Error(e)) => assert!(e.reason().contains("does not support field selection")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn undeclared_bindings_and_invalid_names() {
    let bad = Activation::new().with("not-a-name", koreo_cel::Value::Null);
    let p = Program::parse("1").expect("parse");
    assert!(matches!(
        evaluate(&p, &bad, &EvalOptions::default()),
        Err(Failure::Unknown { .. })
    ));
    assert!(
        error_reason("nothing", json!({}))
            .starts_with("undeclared reference to 'nothing' (in activation 'Activation(")
    );
}

#[test]
fn data_rendering() {
    let d = Data::Map(vec![
        (
            Data::String("b".into()),
            Data::List(vec![Data::Bool(true), Data::Null, Data::Float(1.5)]),
        ),
        (Data::String("a".into()), Data::String("é".into())),
    ]);
    assert_eq!(d.py_repr(), "{'b': [True, None, 1.5], 'a': 'é'}");
    assert_eq!(
        d.py_json_dumps(true),
        "{\"a\": \"\\u00e9\", \"b\": [true, null, 1.5]}"
    );
    assert_eq!(Data::Float(1e20).py_str(), "1e+20");
}

#[test]
fn long_operator_chains_evaluate() {
    // Left-associative chains nest deeply; the default budget must not reject what the
    // parser accepts.
    let src = vec!["1"; 400].join(" + ");
    let p = Program::parse(&src).expect("parse");
    let v = evaluate(&p, &Activation::new(), &EvalOptions::default()).expect("value");
    assert_eq!(to_data(&v).unwrap(), Data::Int(400));
}
