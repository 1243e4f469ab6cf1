//! Behaviour of the public API on small workspaces: diagnostics at the right node, lints,
//! per-field test differences, the dependency graph, previews and scalar resolution.

use koreo_eval::api::InMemoryCluster;
use koreo_eval::data::Data;
use koreo_eval::diag::{Diagnostic, Severity};
use koreo_eval::ft::{TestStatus, Verdict};
use koreo_eval::outcome::{Outcome, OutcomeKind};
use koreo_eval::registry::{Registry, SourceKey};
use koreo_eval::resource::{Kind, ResourceRef};
use koreo_eval::results::{FieldDiffKind, PathSeg};
use koreo_syntax::yaml::ResolveRules;

const HEADER: &str = "apiVersion: koreo.dev/v1beta1\n";

fn workspace(files: &[(&str, &str)]) -> Registry {
    let mut reg = Registry::new();
    for (name, text) in files {
        reg.load_text(name, text, ResolveRules::PyYaml);
    }
    reg.prepare_all();
    reg
}

/// The text a diagnostic points at.
fn at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    &text[usize::from(d.range.start())..usize::from(d.range.end())]
}

fn codes(reg: &Registry) -> Vec<&'static str> {
    reg.diagnostics().iter().map(|d| d.code).collect()
}

fn vf(name: &str, body: &str) -> String {
    format!("{HEADER}kind: ValueFunction\nmetadata: {{name: {name}}}\nspec:\n{body}")
}

#[test]
fn parse_errors_point_inside_the_expression() {
    let text = vf("broken", "  return:\n    ok: 1\n    x: =inputs.a + * 2\n");
    let reg = workspace(&[("f.yaml", &text)]);
    let d = reg
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "cel-parse-error")
        .expect("a parse error");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(at(&text, &d), "*");
    let engine = d.engine_message.expect("engine message");
    // Byte for byte what koreo-core reports (positions are in the encoded leaf list).
    assert_eq!(
        engine,
        "Parsing error at line 1, column 15. '[1,inputs.a + * 2]\n              ^\n' in spec.return ('[1,inputs.a + * 2]')"
    );
}

#[test]
fn an_unfinished_expression_is_reported_in_itself_not_at_the_encoded_bracket() {
    // The engine parses `{"ok":1,"x":inputs.a +}` and stops at the `}`; the person wrote
    // `=inputs.a +`: the diagnostic points at the dangling `+` and says so.
    let text = vf("dangling", "  return:\n    ok: 1\n    x: =inputs.a +\n");
    let reg = workspace(&[("f.yaml", &text)]);
    let d = reg
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "cel-parse-error")
        .expect("a parse error");
    assert_eq!(at(&text, &d), "+");
    assert_eq!(
        d.message,
        "CEL syntax error: expected an expression after `+`, found the end of the expression"
    );
    assert!(
        d.engine_message
            .unwrap()
            .starts_with("Parsing error at line 1")
    );
}

#[test]
fn member_access_on_a_call_is_a_prepare_crash_at_the_call() {
    let text = vf(
        "crash",
        "  return:\n    name: =to_ref(inputs.target).name\n",
    );
    let reg = workspace(&[("f.yaml", &text)]);
    let d = reg
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "member-access-crash")
        .expect("crash diagnostic");
    assert_eq!(at(&text, &d), "to_ref(inputs.target)");
    // The engine caches nothing: a FunctionTest sees the function as missing.
    let state = reg
        .state(&ResourceRef::new(Kind::ValueFunction, "crash"))
        .unwrap();
    assert!(matches!(&state.result, Err(e) if e.crashed));
}

#[test]
fn lints_fire_on_the_surprising_form_only() {
    // (lint code, surprising spec body, fixed spec body)
    let cases = [
        (
            "numeric-string",
            "  return:\n    port: \"8080\"\n",
            "  return:\n    port: '=\"8080\"'\n",
        ),
        (
            "cel-escape-in-string",
            "  return:\n    p: 'C:\\new'\n",
            "  return:\n    p: 'C:\\\\new'\n",
        ),
        (
            "int-double-arithmetic",
            "  return:\n    x: =1 + 1.5\n",
            "  return:\n    x: =1.5 + 1\n",
        ),
        (
            "list-item-error",
            "  return:\n    xs: '=[inputs.a, inputs.b].filter(x, x != \"\")'\n",
            "  return:\n    xs: '=[has(inputs.a) ? inputs.a : \"\", \"b\"].filter(x, x != \"\")'\n",
        ),
        (
            "null-comparison",
            "  return:\n    x: =inputs.n == null\n",
            "  return:\n    x: =!has(inputs.n)\n",
        ),
        (
            "empty-literal-operand",
            "  return:\n    x: =inputs.l == []\n",
            "  return:\n    x: =size(inputs.l) == 0\n",
        ),
        (
            "locals-self-reference",
            "  locals:\n    a: 1\n    b: =locals.a\n  return:\n    x: 1\n",
            "  locals:\n    a: 1\n    b: =1\n  return:\n    x: 1\n",
        ),
        (
            "yaml11-scalar",
            "  return:\n    when: 2024-01-02\n",
            "  return:\n    when: '2024-01-02'\n",
        ),
    ];
    for (code, bad, good) in cases {
        let reg = workspace(&[("f.yaml", &vf("f", bad))]);
        assert!(
            codes(&reg).contains(&code),
            "{code} should fire on:\n{bad}\n{:?}",
            reg.diagnostics()
        );
        let reg = workspace(&[("f.yaml", &vf("f", good))]);
        assert!(
            !codes(&reg).contains(&code),
            "{code} should not fire on:\n{good}\n{:?}",
            reg.diagnostics()
        );
    }
}

#[test]
fn resource_function_and_workflow_lints() {
    let rf = format!(
        "{HEADER}kind: ResourceFunction\nmetadata: {{name: r}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: c, namespace: ns, plural: '=nope'}}\n  resource: {{data: {{a: b}}}}\n  overlays:\n  - overlayRef: {{kind: ValueFunction, name: v}}\n    inputs:\n      n: =resource.metadata.name\n  delete:\n    abandon: {{}}\n"
    );
    let v = vf("v", "  return:\n    x: =inputs.n\n");
    let wf = format!(
        "{HEADER}kind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n  - label: my-step\n    ref: {{kind: ValueFunction, name: v}}\n    skipIf: =!has(parent.spec.extra)\n    inputs:\n      n: =parent.spec.extra\n"
    );
    let reg = workspace(&[("rf.yaml", &rf), ("v.yaml", &v), ("wf.yaml", &wf)]);
    let diags = reg.diagnostics();
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{code} missing: {diags:?}"))
    };
    assert_eq!(at(&rf, find("overlay-inputs-resource")), "resource");
    assert_eq!(at(&rf, find("delete-ignored")), "delete");
    assert_eq!(at(&rf, find("expression-in-static-field")), "'=nope'");
    assert_eq!(at(&wf, find("label-not-identifier")), "my-step");
    assert_eq!(at(&wf, find("inputs-before-skip-if")), "=parent.spec.extra");
}

#[test]
fn failing_expectations_report_fields_with_their_ranges() {
    let f = vf(
        "f",
        "  return:\n    a: 1\n    b: =inputs.b\n    c: [1, 2]\n",
    );
    let t = format!(
        "{HEADER}kind: FunctionTest\nmetadata: {{name: t}}\nspec:\n  functionRef: {{kind: ValueFunction, name: f}}\n  inputs: {{b: x}}\n  testCases:\n  - expectReturn:\n      a: \"1\"\n      c: [1, 3]\n      d: gone\n"
    );
    let reg = workspace(&[("f.yaml", &f), ("t.yaml", &t)]);
    let run = reg.run_test("t").expect("prepared");
    assert_eq!(run.status, TestStatus::Fail);
    let case = &run.cases[0];
    assert_eq!(case.verdict, Verdict::Fail);
    let diffs = case.field_diffs();
    let by_path = |p: &[PathSeg]| {
        diffs
            .iter()
            .find(|d| d.path == p)
            .unwrap_or_else(|| panic!("{p:?} in {diffs:?}"))
    };
    let a = by_path(&[PathSeg::Key("a".into())]);
    assert_eq!(a.kind, FieldDiffKind::Mismatch);
    assert_eq!(a.message, "expected '`1`' but found '`1`'");
    assert_eq!(
        &t[usize::from(a.range.start())..usize::from(a.range.end())],
        "\"1\""
    );
    assert_eq!(a.actual, Some(Data::Int(1)));
    let c1 = by_path(&[PathSeg::Key("c".into()), PathSeg::Index(1)]);
    assert_eq!(
        &t[usize::from(c1.range.start())..usize::from(c1.range.end())],
        "3"
    );
    let d = by_path(&[PathSeg::Key("d".into())]);
    assert_eq!(d.kind, FieldDiffKind::Missing);
    assert_eq!(
        &t[usize::from(d.range.start())..usize::from(d.range.end())],
        "d: gone"
    );
    let b = by_path(&[PathSeg::Key("b".into())]);
    assert_eq!(b.kind, FieldDiffKind::Unexpected);
    assert_eq!(b.actual, Some(Data::Str("x".into())));
    // The expectation that would pass is the actual return.
    let fixed = case.expectation_from_actual().unwrap();
    assert_eq!(fixed.json_dumps(), r#"{"a": 1, "b": "x", "c": [1, 2]}"#);
    assert!(
        case.failure_line()
            .unwrap()
            .starts_with("Test Case 1: {'d': 'missing', 'b': 'unexpected'")
    );
}

#[test]
fn evaluation_errors_carry_the_failing_node() {
    let f = vf("f", "  return:\n    ok: 1\n    bad: =inputs.a + inputs.b\n");
    let t = format!(
        "{HEADER}kind: FunctionTest\nmetadata: {{name: t}}\nspec:\n  functionRef: {{kind: ValueFunction, name: f}}\n  inputs: {{a: 1, b: 1.5}}\n  testCases:\n  - expectOutcome: {{ok: {{}}}}\n"
    );
    let reg = workspace(&[("f.yaml", &f), ("t.yaml", &t)]);
    let run = reg.run_test("t").unwrap();
    let actual = run.cases[0].actual.as_ref().unwrap();
    assert_eq!(actual.kind, OutcomeKind::PermFail);
    assert_eq!(actual.location.as_deref(), Some("inputs.a +  inputs.b"));
    let origin = actual.origin.as_ref().expect("origin");
    assert_eq!(origin.resource, ResourceRef::new(Kind::ValueFunction, "f"));
    assert_eq!(
        &f[usize::from(origin.range.start())..usize::from(origin.range.end())],
        "inputs.a + inputs.b"
    );
    assert_eq!(
        run.cases[0]
            .message
            .as_deref()
            .unwrap_or("")
            .split(" (\"found")
            .next(),
        Some(
            "Expected(Ok) Actual(Permanent Failure (message=Error evaluating `t.testCases[0]:spec.return` (at inputs.a +  inputs.b)"
        )
    );
}

#[test]
fn dependents_and_affected_tests_follow_references() {
    let v = vf("v", "  return:\n    x: =inputs.n\n");
    let rf = format!(
        "{HEADER}kind: ResourceFunction\nmetadata: {{name: r}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: c, namespace: ns}}\n  resource: {{data: {{a: b}}}}\n  overlays:\n  - overlayRef: {{kind: ValueFunction, name: v}}\n    inputs: {{n: 1}}\n"
    );
    let tests = format!(
        "{HEADER}kind: FunctionTest\nmetadata: {{name: rt}}\nspec:\n  functionRef: {{kind: ResourceFunction, name: r}}\n  testCases:\n  - expectOutcome: {{ok: {{}}}}\n---\n{HEADER}kind: FunctionTest\nmetadata: {{name: other}}\nspec:\n  functionRef: {{kind: ValueFunction, name: unrelated}}\n  testCases:\n  - expectOutcome: {{ok: {{}}}}\n"
    );
    let mut reg = workspace(&[("v.yaml", &v), ("rf.yaml", &rf), ("t.yaml", &tests)]);
    let vref = ResourceRef::new(Kind::ValueFunction, "v");
    assert_eq!(
        reg.dependents(&vref),
        vec![
            ResourceRef::new(Kind::ResourceFunction, "r"),
            ResourceRef::new(Kind::FunctionTest, "rt")
        ]
    );
    assert_eq!(
        reg.affected_tests(std::slice::from_ref(&vref)),
        vec!["rt".to_string()]
    );

    // Removing the ValueFunction invalidates its dependents; re-preparing reports the
    // overlay as not ready (a Retry stored in the ResourceFunction).
    reg.remove_file("v.yaml");
    reg.prepare_all();
    let run = reg.run_test("rt").unwrap();
    let actual = run.cases[0].actual.as_ref().unwrap();
    assert_eq!(actual.kind, OutcomeKind::Retry);
    assert_eq!(
        actual.message.as_deref(),
        Some("ValueFunction:v not ready (None)")
    );
}

#[test]
fn schema_errors_from_the_layer_above_fail_the_resource() {
    let f = vf("f", "  return:\n    x: 1\n");
    let t = format!(
        "{HEADER}kind: FunctionTest\nmetadata: {{name: t}}\nspec:\n  functionRef: {{kind: ValueFunction, name: f}}\n  testCases:\n  - expectReturn: {{x: 1}}\n"
    );
    let mut reg = workspace(&[("f.yaml", &f), ("t.yaml", &t)]);
    assert_eq!(reg.run_test("t").unwrap().status, TestStatus::Pass);
    reg.set_schema_error(
        &SourceKey {
            file: "f.yaml".into(),
            index: 0,
        },
        Some("object spec.return must be object".into()),
    );
    reg.prepare_all();
    let state = reg
        .state(&ResourceRef::new(Kind::ValueFunction, "f"))
        .unwrap();
    assert_eq!(
        state.outcome(),
        Outcome::perm_fail_at(
            "object spec.return must be object",
            "prepare:ValueFunction:f:spec"
        )
    );
    let run = reg.run_test("t").unwrap();
    assert_eq!(run.status, TestStatus::Error);
    assert_eq!(
        run.message.as_deref(),
        Some("object spec.return must be object")
    );
    // The diagnostic sits on the node the schema message names.
    let d = reg
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "schema")
        .unwrap();
    assert_eq!(at(&f, &d), "x: 1");
    assert!(codes(&reg).contains(&"function-under-test-failed"));
}

#[test]
fn test_input_report() {
    let f = vf(
        "f",
        "  return:\n    a: =inputs.a\n    b: '=has(inputs.opt) ? inputs.opt : 0'\n",
    );
    let t = format!(
        "{HEADER}kind: FunctionTest\nmetadata: {{name: t}}\nspec:\n  functionRef: {{kind: ValueFunction, name: f}}\n  inputs: {{extra: 1}}\n  testCases:\n  - expectOutcome: {{ok: {{}}}}\n"
    );
    let reg = workspace(&[("f.yaml", &f), ("t.yaml", &t)]);
    let report = reg.test_input_report("t").unwrap();
    // `opt` is only read under `has()`, so it is optional.
    assert_eq!(report.missing, vec!["a".to_string()]);
    assert_eq!(
        report
            .unused
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        vec!["extra"]
    );
}

#[test]
fn previews_render_functions_and_reconcile_workflows() {
    let rf = format!(
        "{HEADER}kind: ResourceFunction\nmetadata: {{name: cm}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: =inputs.name, namespace: ns}}\n  resource:\n    data:\n      port: \"8080\"\n  postconditions:\n  - assert: =has(resource.metadata.uid)\n    retry: {{message: no uid yet, delay: 5}}\n  return:\n    uid: =resource.metadata.uid\n"
    );
    let wf = format!(
        "{HEADER}kind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n  - label: cm\n    ref: {{kind: ResourceFunction, name: cm}}\n    inputs: {{name: =parent.metadata.name}}\n    state: {{uid: =value.uid}}\n"
    );
    let reg = workspace(&[("rf.yaml", &rf), ("wf.yaml", &wf)]);
    let inputs = Data::from_json_text(r#"{"name": "web"}"#).unwrap();
    let p = reg
        .preview_resource_function("cm", &inputs, None)
        .unwrap()
        .unwrap();
    assert_eq!(p.outcome.kind(), OutcomeKind::Retry);
    assert_eq!(
        p.rendered.unwrap().json_dumps(),
        r#"{"data": {"port": 8080}, "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "ns"}}"#
    );

    let parent = Data::from_json_text(
        r#"{"apiVersion": "demo/v1", "kind": "App", "metadata": {"name": "web", "namespace": "ns", "uid": "p-1"}, "spec": {}}"#,
    )
    .unwrap();
    let mut cluster = InMemoryCluster::new();
    let first = reg
        .reconcile_workflow("w", &parent, &mut cluster)
        .unwrap()
        .unwrap();
    assert_eq!(first.outcome.message(), Some("Creating ConfigMap:ns:web."));
    // The parent is in the same namespace, so the controller's owner reference is added.
    let created = cluster
        .object("v1", "ConfigMap", Some("ns"), "web")
        .unwrap();
    assert_eq!(
        created
            .get_path(&["metadata", "ownerReferences"])
            .unwrap()
            .json_dumps(),
        r#"[{"apiVersion": "demo/v1", "kind": "App", "blockOwnerDeletion": true, "controller": false, "name": "web", "uid": "p-1"}]"#
    );
    // The API server assigns a uid; the next reconcile is Ok and records state.
    if let Some(Data::Map(meta)) = cluster
        .object_mut("v1", "ConfigMap", Some("ns"), "web")
        .and_then(|o| o.as_map_mut())
        .and_then(|m| m.get_mut("metadata"))
    {
        meta.insert("uid".into(), Data::Str("u-42".into()));
    }
    let second = reg
        .reconcile_workflow("w", &parent, &mut cluster)
        .unwrap()
        .unwrap();
    assert!(second.outcome.is_ok(), "{:?}", second.outcome);
    assert_eq!(
        koreo_eval::convert::value_to_data(&second.state).json_dumps(),
        r#"{"uid": "u-42"}"#
    );
    assert_eq!(second.conditions.last().unwrap().reason, "Ready");
}

#[test]
fn kubernetes_rules_preview_what_the_controller_sees() {
    let text = vf("f", "  return:\n    when: 2024-01-02\n    flag: yes\n");
    for (rules, when) in [
        (ResolveRules::PyYaml, "2021"),
        (ResolveRules::Kubernetes, "\"2024-01-02\""),
    ] {
        let mut reg = Registry::new();
        reg.load_text("f.yaml", &text, rules);
        reg.prepare_all();
        let out = reg
            .preview_value_function("f", &Data::map(), None)
            .unwrap()
            .unwrap();
        let Outcome::Ok(v) = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            v.json_dumps(),
            format!(r#"{{"when": {when}, "flag": true}}"#),
            "{rules:?}"
        );
    }
}

#[test]
fn workflow_step_order_errors_point_at_the_reference() {
    let v = vf("v", "  return:\n    x: 1\n");
    let wf = format!(
        "{HEADER}kind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n  - label: first\n    ref: {{kind: ValueFunction, name: v}}\n    inputs: {{x: =steps.later.x}}\n  - label: later\n    ref: {{kind: ValueFunction, name: v}}\n"
    );
    let reg = workspace(&[("v.yaml", &v), ("wf.yaml", &wf)]);
    let d = reg
        .diagnostics()
        .into_iter()
        .find(|d| d.code == "step-order")
        .expect("step-order");
    assert_eq!(at(&wf, &d), "steps.later");
    assert_eq!(
        d.engine_message.as_deref(),
        Some("Step 'first', must come after later.")
    );
}

#[test]
fn garbage_input_never_panics() {
    let samples = [
        "",
        "::: not yaml [",
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: x}\nspec: [1, 2]\n",
        "apiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {name: x}\nspec: {apiConfig: 3, overlays: {a: 1}, update: [], create: 7}\n",
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: x}\nspec: {steps: [{label: a, refSwitch: {switchOn: '=(', cases: 1}}, 4]}\n",
        "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {name: x}\nspec: {functionRef: {kind: ValueFunction, name: x}, testCases: [1, {expectReturn: 2}], inputs: [1]}\n",
        "apiVersion: koreo.dev/v1beta1\nkind: ResourceTemplate\nmetadata: {name: x}\nspec: {template: 2024-01-02}\n",
    ];
    for s in samples {
        let reg = workspace(&[("x.yaml", s)]);
        let _ = reg.diagnostics();
        let _ = reg.run_all_tests();
    }
}

#[test]
fn results_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Registry>();
    assert_send_sync::<koreo_eval::TestRun>();
    assert_send_sync::<koreo_eval::Diagnostic>();
    assert_send_sync::<koreo_eval::wf::WorkflowResult>();
}
