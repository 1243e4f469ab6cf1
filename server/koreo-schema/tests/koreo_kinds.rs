mod common;

use common::{parse, render};
use expect_test::expect;
use koreo_schema::{SchemaStore, ValidateOptions, validate_document};

fn check(text: &str) -> String {
    let store = SchemaStore::new();
    let root = parse(text);
    let result = validate_document(&store, &root, &ValidateOptions::default());
    render(text, &result.diagnostics)
}

#[test]
fn workflow_with_seeded_mistakes() {
    let text = r#"apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: My_Workflow
spec:
  crdRef:
    apiGroup: example.com
    version: v1
  steps:
    - label: ab
      ref:
        kind: ValueFuntion
        name: config
      skipIf: inputs.disabled
    - label: bad-label!
      ref: {kind: ResourceFunction, name: deploy}
      refSwitch:
        switchOn: =inputs.kind
        cases:
          - case: a
            kind: ValueFunction
            name: x
          - case: a
            kind: Workflow
            name: y
      conditon:
        type: ready
        name: =inputs.name
      state:
        a: 1
        b: 2
        c: 3
        d: 4
        e: 5
        f: 6
        g: 7
        h: 8
        i: 9
        j: 10
        k: 11
    - label: third_step
      forEach:
        itemIn: =inputs.items
      inputs: []
"#;
    expect![[r#"
        4:9-4:20 warning schema-name-format [metadata.name] "My_Workflow": `My_Workflow` is not a valid object name: use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit (at most 253 characters) (fix: my-workflow)
        6:3-6:9 error schema-required [spec.crdRef] "crdRef": missing required field `kind`
        10:14-10:16 error schema-min-length [spec.steps[0].label] "ab": `label` must be at least 3 characters long, found 2
        12:15-12:27 error schema-enum [spec.steps[0].ref.kind] "ValueFuntion": `ValueFuntion` is not an allowed value; expected `ResourceFunction`, `ValueFunction` or `Workflow` (did you mean `ValueFunction`?) (fix: ValueFunction)
        14:15-14:30 warning schema-rule [spec.steps[0].skipIf] "inputs.disabled": must be an expression
        15:14-15:24 warning schema-rule [spec.steps[1].label] "bad-label!": must be alphanumeric + underscores
        17:7-17:16 error schema-one-of [spec.steps[1]] "refSwitch": `refSwitch` cannot be combined with `ref`: give exactly one of `ref` or `refSwitch`
        23:19-23:20 warning schema-duplicate-item [spec.steps[1].refSwitch.cases[1]] "a": duplicate item: `case: a` is already used at index 0 (items of this list are keyed by `case`)
        25:19-25:20 error schema-type [spec.steps[1].refSwitch.cases[1].name] "y": expected a string, found a boolean; the YAML scalar `y` is read as a boolean: quote it to keep it a string (fix: "y")
        26:7-26:15 warning schema-unknown-field [spec.steps[1].conditon] "conditon": unknown field `conditon`; did you mean `condition`? (the API server drops it; `kubectl apply` rejects it) (fix: condition)
        29:7-29:12 error schema-max-properties [spec.steps[1].state] "state": `state` allows at most 10 fields, found 11
        41:7-41:12 error schema-one-of [spec.steps[2]] "label": one of `ref` or `refSwitch` is required
        42:7-42:14 error schema-required [spec.steps[2].forEach] "forEach": missing required field `inputKey`
        44:15-44:17 error schema-type [spec.steps[2].inputs] "[]": expected an object, found a list
    "#]].assert_eq(&check(text));
}

#[test]
fn value_function_with_seeded_mistakes() {
    let text = r#"apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  namespace: default
spec:
  preconditions:
    - assert: inputs.enabled
      skip: {message: disabled}
    - assert: =inputs.ready
      retry:
        message: not ready
        delay: "30"
    - assert: =inputs.x
    - assert: =inputs.y
      depSkip: {message: a}
      permFail: {message: b}
  locals: =inputs.defaults
  retrun:
    value: 1
"#;
    expect![[r#"
        3:1-3:9 error schema-metadata-name [metadata] "metadata": a Koreo resource needs `metadata.name`: the engine identifies it by kind and name
        7:15-7:29 warning schema-rule [spec.preconditions[0].assert] "inputs.enabled": assertion must be an expression (start with '=')
        12:16-12:20 error schema-type [spec.preconditions[1].retry.delay] "\"30\"": expected an integer, found a string; write 30 without quotes to make it an integer (fix: 30)
        13:7-13:13 error schema-one-of [spec.preconditions[2]] "assert": one of `ok`, `skip`, `depSkip`, `retry` or `permFail` is required
        16:7-16:15 error schema-one-of [spec.preconditions[3]] "permFail": `permFail` cannot be combined with `depSkip`: give exactly one of `ok`, `skip`, `depSkip`, `retry` or `permFail`
        17:11-17:27 error schema-type [spec.locals] "=inputs.defaults": expected an object, found an expression: `locals` is sent as written, so `=...` stays a string here
        18:3-18:9 warning schema-unknown-field [spec.retrun] "retrun": unknown field `retrun`; did you mean `return`? (the API server drops it; `kubectl apply` rejects it) (fix: return)
    "#]].assert_eq(&check(text));
}

#[test]
fn resource_function_with_seeded_mistakes() {
    let text = r#"apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: deployment-factory
spec:
  apiConfig:
    apiVersion: apps/v1
    kind: Deployment
    namespaced: yes
    owned: "false"
    nmae: =inputs.name
  resource:
    spec:
      replicas: =inputs.replicas
  resourceTemplateRef:
    name: base
  overlays:
    - overlayRef: {kind: ValueFunction, name: labels}
      skipIf: inputs.skip
    - overlay: {metadata: {labels: {a: b}}}
      overlayRef: {kind: ResourceFunction, name: other}
    - inputs: {a: 1}
  create:
    enabled: true
    delay: thirty
  update:
    never: {force: true}
  delete: {}
  postconditions:
    - assert: =resource.status.ready
      ok: {}
      retry: {message: wait}
  return:
    ready: =resource.status.ready
"#;
    expect![[r#"
        6:3-6:12 error schema-required [spec.apiConfig] "apiConfig": missing required field `name`
        10:12-10:19 error schema-type [spec.apiConfig.owned] "\"false\"": expected a boolean, found a string; write false without quotes to make it a boolean (fix: false)
        11:5-11:9 warning schema-unknown-field [spec.apiConfig.nmae] "nmae": unknown field `nmae`; did you mean `name`? (the API server drops it; `kubectl apply` rejects it) (fix: name)
        15:3-15:22 error schema-one-of [spec] "resourceTemplateRef": `resourceTemplateRef` cannot be combined with `resource`: give exactly one of `resource` or `resourceTemplateRef`
        19:15-19:26 warning schema-rule [spec.overlays[0].skipIf] "inputs.skip": must be an expression (start with '=').
        21:7-21:17 error schema-one-of [spec.overlays[1]] "overlayRef": `overlayRef` cannot be combined with `overlay`: give exactly one of `overlay` or `overlayRef`
        21:26-21:42 error schema-enum [spec.overlays[1].overlayRef.kind] "ResourceFunction": `ResourceFunction` is not an allowed value; expected `ValueFunction`
        22:7-22:13 error schema-one-of [spec.overlays[2]] "inputs": one of `overlay` or `overlayRef` is required
        25:12-25:18 error schema-type [spec.create.delay] "thirty": expected an integer, found a string
        27:5-27:10 error schema-max-properties [spec.update.never] "never": `never` must be empty (`{}`), found 1 field
        27:13-27:18 error schema-unknown-field [spec.update.never.force] "force": unknown field `force` (no fields are allowed here)
        28:3-28:9 error schema-one-of [spec.delete] "delete": one of `abandon` or `destroy` is required
        32:7-32:12 error schema-required [spec.postconditions[0].retry] "retry": missing required field `delay`
        32:7-32:12 error schema-one-of [spec.postconditions[0]] "retry": `retry` cannot be combined with `ok`: give exactly one of `ok`, `skip`, `depSkip`, `retry` or `permFail`
    "#]].assert_eq(&check(text));
}

#[test]
fn resource_template_and_function_test() {
    let template = r#"apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: base
spec:
  template:
    metadata:
      labels: {app: web}
  context: null
"#;
    expect![[r#"
        6:3-6:11 error schema-required [spec.template] "template": missing required fields `apiVersion` and `kind`: an embedded resource needs both
    "#]].assert_eq(&check(template));
    let test = r#"apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: test-config
spec:
  functionRef:
    kind: Workflow
    name: config
  inputs:
    name: =not-evaluated
  currentResource:
    metadata: {name: x}
  testCases:
    - label: ok null
      expectOutcome:
        ok:
    - variant: "true"
      skip: 0
      expectOutcome:
        retry: {message: ""}
    - expectResource:
        apiVersion: v1
        kind: ConfigMap
      expectReturn: {a: 1}
"#;
    expect![[r#"
        7:11-7:19 error schema-enum [spec.functionRef.kind] "Workflow": `Workflow` is not an allowed value; expected `ResourceFunction` or `ValueFunction`
        11:3-11:18 warning schema-required [spec.currentResource] "currentResource": missing required fields `apiVersion` and `kind`: an embedded resource needs both
        17:16-17:22 error schema-type [spec.testCases[1].variant] "\"true\"": expected a boolean, found a string; write true without quotes to make it a boolean (fix: true)
        18:13-18:14 error schema-type [spec.testCases[1].skip] "0": expected a boolean, found an integer
        20:9-20:14 error schema-required [spec.testCases[1].expectOutcome.retry] "retry": missing required field `delay`
    "#]].assert_eq(&check(test));
}

#[test]
fn clean_koreo_resources_have_no_diagnostics() {
    let text = r#"apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: web-service
spec:
  crdRef: {apiGroup: example.koreo.dev, version: v1, kind: Workload}
  steps:
    - label: config
      ref: {kind: ValueFunction, name: config}
      inputs:
        name: =parent.metadata.name
    - label: deploy
      refSwitch:
        switchOn: =steps.config.flavour
        cases:
          - {case: small, kind: ResourceFunction, name: small}
          - {case: large, kind: ResourceFunction, name: large, default: true}
      skipIf: =!steps.config.enabled
      condition: {type: Deployed, name: Web deployment}
      state:
        replicas: =value.replicas
    - label: each_env
      ref: {kind: Workflow, name: env}
      forEach: {itemIn: =steps.config.envs, inputKey: env}
"#;
    assert_eq!(check(text), "");
}
