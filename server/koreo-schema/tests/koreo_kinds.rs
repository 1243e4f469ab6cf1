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
