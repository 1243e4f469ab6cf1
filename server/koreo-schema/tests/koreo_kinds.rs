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
    expect![[r#""#]].assert_eq(&check(text));
}
