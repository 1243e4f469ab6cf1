//! Fixture tests of completion, rename, semantic tokens and inlay hints.

use expect_test::{Expect, expect};

use crate::fixture::{self, render_range};

const VF: &str = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\n";

/// Items as `label kind detail`, after a header with the replaced range of the first item
/// (and of any item whose range differs).
fn check_completions(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let pos = pos.expect("fixture needs $0");
    let items = analysis.completions(pos).unwrap();
    let mut out = String::new();
    let mut last_range = None;
    for it in &items {
        if last_range != Some(it.range) {
            out.push_str(&format!(
                "@ {}\n",
                render_range(&analysis, pos.file, it.range)
            ));
            last_range = Some(it.range);
        }
        out.push_str(&format!(
            "{} {:?}{}{}\n",
            it.label,
            it.kind,
            it.detail
                .as_ref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default(),
            if it.insert_text != it.label {
                format!(" => {:?}", it.insert_text)
            } else {
                String::new()
            }
        ));
    }
    expect.assert_eq(&out);
}

/// Only the labels, for contexts with long lists.
fn labels(fixture: &str) -> Vec<String> {
    let (analysis, pos) = fixture::analysis(fixture);
    analysis
        .completions(pos.expect("fixture needs $0"))
        .unwrap()
        .into_iter()
        .map(|i| i.label)
        .collect()
}

const FUNCS: &str = r#"
# - functions.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-config
spec:
  locals:
    base: =inputs.prefix
  return:
    name: =inputs.prefix + locals.base
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: other-vf
spec:
  return: {}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: make-deployment
spec:
  apiConfig: {apiVersion: apps/v1, kind: Deployment, name: x, namespace: default}
  resourceTemplateRef:
    name: deployment-template
---
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: deployment-template
spec:
  template: {apiVersion: apps/v1, kind: Deployment}
# - test.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-config-test
spec:
  functionRef: {kind: ValueFunction, name: make-config}
  inputs: {prefix: a, fromTest: b}
  testCases:
    - expectReturn: {name: x}
"#;

#[test]
fn completes_top_level_keys_on_an_empty_line() {
    check_completions(
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\n$0\n",
        expect![[r#"
            @ main.k.yaml:3:1-3:1 ``
            spec Property — object => "spec: "
            metadata Property — object => "metadata: "
        "#]],
    );
}

#[test]
fn completes_missing_spec_keys_with_docs() {
    let (analysis, pos) = fixture::analysis(
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: v}\nspec:\n  return: {}\n  $0\n",
    );
    let items = analysis.completions(pos.unwrap()).unwrap();
    let rendered: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    assert_eq!(rendered, ["preconditions", "locals"]);
    assert!(
        items[1]
            .documentation
            .as_deref()
            .is_some_and(|d| d.len() > 20),
        "{:?}",
        items[1].documentation
    );
}

#[test]
fn completes_a_key_being_typed() {
    // YAML reads `re` as the continuation of the plain scalar `one`: nothing to offer.
    check_completions(
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  steps:\n    - label: one\n      re$0\n",
        expect![[r#""#]],
    );
    check_completions(
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  steps:\n    - lab$0\n",
        expect![[r#"
            @ main.k.yaml:6:7-6:10 `lab`
            label Property — string (required) => "label: "
            ref Property — object => "ref: "
            refSwitch Property — object => "refSwitch: "
            skipIf Property — string => "skipIf: "
            forEach Property — object => "forEach: "
            inputs Property — object => "inputs: "
            condition Property — object => "condition: "
            state Property — object => "state: "
        "#]],
    );
}

#[test]
fn completes_kind_and_api_version_values() {
    check_completions(
        "apiVersion: koreo.dev/v1beta1\nkind: Val$0\n",
        expect![[r#"
            @ main.k.yaml:2:7-2:10 `Val`
            ResourceTemplate EnumMember
            ValueFunction EnumMember
            ResourceFunction EnumMember
            Workflow EnumMember
            FunctionTest EnumMember
        "#]],
    );
    check_completions(
        "apiVersion: $0\n",
        expect![[r#"
        @ main.k.yaml:1:13-1:13 ``
        koreo.dev/v1beta1 EnumMember
    "#]],
    );
}

#[test]
fn completes_enum_values_from_the_schema() {
    check_completions(
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  steps:\n    - label: one\n      ref: {kind: $0}\n",
        expect![[r#"
            @ main.k.yaml:7:19-7:19 ``
            ValueFunction EnumMember
            ResourceFunction EnumMember
            Workflow EnumMember
        "#]],
    );
}

#[test]
fn completes_reference_names_by_kind() {
    let wf = |cursor_line: &str| {
        format!(
            "{FUNCS}# - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n{cursor_line}"
        )
    };
    check_completions(
        &wf("    - label: one\n      ref:\n        kind: ValueFunction\n        name: $0\n"),
        expect![[r#"
            @ wf.k.yaml:9:15-9:15 ``
            make-config Reference — ValueFunction
            other-vf Reference — ValueFunction
        "#]],
    );
    check_completions(
        &wf("    - label: one\n      ref: {name: ma$0}\n"),
        expect![[r#"
            @ wf.k.yaml:7:19-7:21 `ma`
            make-config Reference — ValueFunction
            make-deployment Reference — ResourceFunction
            other-vf Reference — ValueFunction
            w Reference — Workflow
        "#]],
    );
    check_completions(
        &wf(
            "    - label: one\n      refSwitch:\n        switchOn: =parent.x\n        cases:\n          - case: a\n            kind: ResourceFunction\n            name: \"$0\"\n",
        ),
        expect![[r#"
            @ wf.k.yaml:12:20-12:20 ``
            make-deployment Reference — ResourceFunction
        "#]],
    );
    check_completions(
        &format!(
            "{FUNCS}# - rf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {{name: r}}\nspec:\n  resourceTemplateRef: {{name: $0}}\n  overlays:\n    - overlayRef: {{name: x}}\n"
        ),
        expect![[r#"
            @ rf.k.yaml:5:31-5:31 ``
            deployment-template Reference — ResourceTemplate
        "#]],
    );
    check_completions(
        &format!(
            "{FUNCS}# - rf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {{name: r}}\nspec:\n  overlays:\n    - overlayRef:\n        kind: ValueFunction\n        name: o$0\n"
        ),
        expect![[r#"
            @ rf.k.yaml:8:15-8:16 `o`
            make-config Reference — ValueFunction
            other-vf Reference — ValueFunction
        "#]],
    );
    check_completions(
        &format!(
            "{FUNCS}# - t2.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {{name: t}}\nspec:\n  functionRef: {{kind: $0}}\n"
        ),
        expect![[r#"
            @ t2.k.yaml:5:23-5:23 ``
            ValueFunction EnumMember
            ResourceFunction EnumMember
        "#]],
    );
}

#[test]
fn completes_cel_variables_by_field() {
    let vf = |field: &str| {
        format!(
            "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {{name: v}}\nspec:\n{field}"
        )
    };
    let vars = |fx: &str| -> Vec<String> {
        let (analysis, pos) = fixture::analysis(fx);
        analysis
            .completions(pos.unwrap())
            .unwrap()
            .into_iter()
            .filter(|i| i.kind == crate::CompletionKind::Variable)
            .map(|i| i.label)
            .collect()
    };
    assert_eq!(
        vars(&vf("  return:\n    a: =$0\n")),
        ["inputs", "locals", "resource"]
    );
    assert_eq!(
        vars(&vf("  locals:\n    a: =in$0\n")),
        ["inputs", "resource"]
    );
    assert_eq!(
        vars(&vf("  return:\n    a: =inputs.items.map(item, it$0)\n")),
        ["item", "inputs", "locals", "resource"]
    );
    let wf = "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  steps:\n    - label: a\n      ref: {kind: ValueFunction, name: v}\n      state: {x: =$0}\n";
    assert_eq!(vars(wf), ["value"]);
    let wf = wf.replace("state: {x: =$0}", "inputs: {x: =$0}");
    assert_eq!(vars(&wf), ["parent", "steps"]);
}

#[test]
fn completes_input_keys_from_uses_tests_and_callers() {
    let fx = format!(
        "{FUNCS}# - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n    - label: cfg\n      ref: {{kind: ValueFunction, name: make-config}}\n      inputs: {{fromStep: =parent.x}}\n"
    );
    let fx = fx.replace("name: =inputs.prefix + locals.base", "name: =inputs.$0");
    check_completions(
        &fx,
        expect![[r#"
        @ functions.k.yaml:9:19-9:19 ``
        prefix Field — input
        fromTest Field — input
        fromStep Field — input
        size Function — size(x) -> int => "size($0)"
        contains Function — contains(s, t) -> bool => "contains($0)"
        startsWith Function — startsWith(s, prefix) -> bool => "startsWith($0)"
        endsWith Function — endsWith(s, suffix) -> bool => "endsWith($0)"
        matches Function — matches(s, re) -> bool => "matches($0)"
        int Function — int(x) -> int => "int($0)"
        uint Function — uint(x) -> uint => "uint($0)"
        double Function — double(x) -> double => "double($0)"
        string Function — string(x) -> string => "string($0)"
        bool Function — bool(x) -> bool => "bool($0)"
        bytes Function — bytes(s) -> bytes => "bytes($0)"
        timestamp Function — timestamp(s) -> timestamp => "timestamp($0)"
        duration Function — duration(s) -> duration => "duration($0)"
        type Function — type(x) -> type => "type($0)"
        self_ref Function — self_ref(resource) -> map => "self_ref($0)"
        to_ref Function — to_ref(m) -> map => "to_ref($0)"
        group_ref Function — group_ref(m) -> map => "group_ref($0)"
        kindless_ref Function — kindless_ref(m) -> map => "kindless_ref($0)"
        config_connect_ready Function — config_connect_ready(resource) -> bool => "config_connect_ready($0)"
        overlay Function — overlay(base, o) -> map => "overlay($0)"
        flatten Function — flatten(l) -> list => "flatten($0)"
        lower Function — lower(s) -> string => "lower($0)"
        strip Function — strip(s, chars) -> string => "strip($0)"
        rstrip Function — rstrip(s, chars) -> string => "rstrip($0)"
        split Function — split(s, sep) -> list => "split($0)"
        split_first Function — split_first(s, sep) -> string => "split_first($0)"
        split_last Function — split_last(s, sep) -> string => "split_last($0)"
        split_index Function — split_index(s, sep, i) -> string => "split_index($0)"
        to_json Function — to_json(v) -> string => "to_json($0)"
        from_json Function — from_json(s) -> dyn => "from_json($0)"
        b64encode Function — b64encode(s) -> string => "b64encode($0)"
        b64decode Function — b64decode(s) -> string => "b64decode($0)"
        replace Function — replace(s, old, new) -> string => "replace($0)"
        map Macro — l.map(x, e) -> list => "map(${1:x}, $0)"
        filter Macro — l.filter(x, p) -> list => "filter(${1:x}, $0)"
        all Macro — l.all(x, p) -> bool => "all(${1:x}, $0)"
        exists Macro — l.exists(x, p) -> bool => "exists(${1:x}, $0)"
        exists_one Macro — l.exists_one(x, p) -> bool => "exists_one(${1:x}, $0)"
        reduce Macro — l.reduce(acc, x, init, e) => "reduce(${1:acc}, ${2:x}, ${3:init}, $0)"
        min Macro — l.min() -> dyn => "min()"
    "#]],
    );
}

#[test]
fn completes_inputs_in_broken_and_quoted_cel() {
    let base = |value: &str| {
        format!(
            "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {{name: v}}\nspec:\n  locals:\n    used: =inputs.alpha\n  return:\n{value}"
        )
    };
    let fields = |fx: &str| -> Vec<String> {
        let (analysis, pos) = fixture::analysis(fx);
        analysis
            .completions(pos.unwrap())
            .unwrap()
            .into_iter()
            .filter(|i| i.kind == crate::CompletionKind::Field)
            .map(|i| render_range(&analysis, pos.unwrap().file, i.range) + " " + &i.label)
            .collect()
    };
    // Unfinished: the parser reports an error, completion still works.
    expect![[r#"
        [
            "main.k.yaml:8:16-8:16 `` alpha",
        ]
    "#]]
    .assert_debug_eq(&fields(&base("    a: =inputs.$0\n")));
    expect![[r#"
        [
            "main.k.yaml:8:17-8:19 `al` alpha",
        ]
    "#]]
    .assert_debug_eq(&fields(&base("    a: '=inputs.al$0'\n")));
    expect![[r#"
        [
            "main.k.yaml:8:26-8:27 `a` alpha",
        ]
    "#]]
    .assert_debug_eq(&fields(&base("    a: \"=\\\"é\\\" + inputs.a$0\"\n")));
    expect![[r#"
        [
            "main.k.yaml:10:16-10:16 `` alpha",
        ]
    "#]]
    .assert_debug_eq(&fields(&base(
        "    a: |\n      =inputs.alpha +\n        inputs.$0\n",
    )));
    // Not inside a string literal.
    assert!(labels(&base("    a: =\"inputs.$0\"\n")).is_empty());
}

#[test]
fn completes_locals_steps_and_functions() {
    let fx = FUNCS.replace("name: =inputs.prefix + locals.base", "name: =locals.$0");
    assert_eq!(
        labels(&fx).into_iter().take(2).collect::<Vec<_>>(),
        ["base", "size"]
    );
    let wf = "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  steps:\n    - label: first\n      ref: {kind: ValueFunction, name: v}\n    - label: second\n      ref: {kind: ValueFunction, name: v}\n    - label: third\n      ref: {kind: ValueFunction, name: v}\n      inputs: {x: =steps.$0}\n";
    let l = labels(wf);
    assert_eq!(&l[..3], ["first", "second", "size"]);
    let fx = FUNCS.replace(
        "name: =inputs.prefix + locals.base",
        "name: =inputs.prefix.sp$0",
    );
    let (analysis, pos) = fixture::analysis(&fx);
    let items = analysis.completions(pos.unwrap()).unwrap();
    // After an unknown receiver: methods only, replacing the typed `sp`.
    assert!(items.iter().all(|i| matches!(
        i.kind,
        crate::CompletionKind::Function | crate::CompletionKind::Macro
    )));
    assert!(
        items
            .iter()
            .any(|i| i.label == "split" && i.insert_text == "split($0)")
    );
    assert_eq!(
        render_range(&analysis, pos.unwrap().file, items[0].range),
        "functions.k.yaml:9:26-9:28 `sp`"
    );
}

#[test]
fn completes_keys_of_embedded_kubernetes_objects() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: apps.example.com}\n\
               spec:\n  group: example.com\n  names: {kind: App, plural: apps}\n  scope: Namespaced\n  versions:\n    \
               - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          \
               type: object\n          properties:\n            spec: {type: object, properties: {image: {type: string}, replicas: {type: integer}}}\n";
    check_completions(
        &format!(
            "# - crd.yaml\n{crd}# - rt.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: ResourceTemplate\nmetadata: {{name: t}}\nspec:\n  template:\n    apiVersion: example.com/v1\n    kind: App\n    spec:\n      image: x\n      $0\n"
        ),
        expect![[r#"
            @ rt.k.yaml:10:7-10:7 ``
            replicas Property — integer => "replicas: "
        "#]],
    );
    check_completions(
        &format!(
            "# - crd.yaml\n{crd}# - rf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {{name: f}}\nspec:\n  apiConfig: {{apiVersion: example.com/v1, kind: App, name: x}}\n  resource:\n    spec:\n      $0\n"
        ),
        expect![[r#"
            @ rf.k.yaml:8:7-8:7 ``
            image Property — string => "image: "
            replicas Property — integer => "replicas: "
        "#]],
    );
}

#[test]
fn editing_features_never_panic() {
    let texts = [
        "",
        "=",
        "a: =\r\nb: =inputs.\r\n",
        "kind: ValueFunction\nspec:\n  return: {a: =inputs.é$0",
        "- - - [",
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nspec:\n  return:\n    a: |\n      =inputs.\n      é",
        "apiVersion: koreo.dev/v1beta1\r\nkind: Workflow\r\nmetadata: {name: 'w'}\r\nspec:\r\n  steps:\r\n    - label: é\r\n      ref: {kind: Workflow, name: w}\r\n      inputs: {a: \"=steps.é.\\u00e9 + '''\\\r\n x\"}\r\n    - refSwitch: {cases: [{name: =}]}\r\n",
    ];
    for t in texts {
        let (analysis, _) = fixture::analysis(&t.replace("$0", ""));
        let Some(file) = analysis.files().into_iter().next() else {
            continue;
        };
        let _ = analysis.semantic_tokens(file).unwrap();
        let _ = analysis.inlay_hints(file, None).unwrap();
        for o in 0..=t.len() + 1 {
            let pos = crate::FilePosition {
                file,
                offset: crate::TextSize::from(o as u32),
            };
            let _ = analysis.completions(pos).unwrap();
            let _ = analysis.prepare_rename(pos).unwrap();
            let _ = analysis.rename(pos, "new-name").unwrap();
        }
    }
}

/// The edits of a rename applied to every file, as `path:` + the changed lines, or the
/// refusal.
fn check_rename(fixture: &str, new_name: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let pos = pos.expect("fixture needs $0");
    let rendered = match analysis.rename(pos, new_name).unwrap() {
        Err(e) => format!("refused: {e}"),
        Ok(edits) => {
            let mut out = String::new();
            let mut files: Vec<_> = edits.iter().map(|e| e.file).collect();
            files.dedup();
            for file in files {
                let text = analysis.file(file).unwrap().text().to_string();
                let mut new = text.clone();
                let mut mine: Vec<_> = edits.iter().filter(|e| e.file == file).collect();
                mine.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
                for e in mine {
                    new.replace_range(std::ops::Range::<usize>::from(e.range), &e.new_text);
                }
                out.push_str(&format!("{}:\n", analysis.file_key(file)));
                for (a, b) in text.lines().zip(new.lines()) {
                    if a != b {
                        out.push_str(&format!("  {b}\n"));
                    }
                }
            }
            out
        }
    };
    expect.assert_eq(&rendered);
}

const RENAME_WS: &str = r#"
# - functions.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: shared
spec:
  return: {}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: rf
spec:
  resourceTemplateRef:
    name: ="tmpl"
  overlays:
    - overlayRef: {kind: ValueFunction, name: 'shared'}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: tmpl
spec:
  template: {apiVersion: v1, kind: ConfigMap}
# - wf.k.yaml
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: shared
spec:
  steps:
    - label: first
      ref: {kind: ValueFunction, name: shared}
    - label: second
      refSwitch:
        switchOn: =steps.first.kind
        cases:
          - case: a
            kind: ValueFunction
            name: "shared"
          - case: b
            kind: Workflow
            name: shared
      inputs:
        x: |
          =steps.first.value + steps["first"] + first.steps.first
# - test.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: t
spec:
  functionRef: {kind: ValueFunction, name: shared}
  testCases: []
"#;

#[test]
fn rename_resource_across_files_keeps_quotes_and_kinds() {
    let fx = RENAME_WS.replacen(
        "  name: shared\nspec:\n  return",
        "  name: sh$0ared\nspec:\n  return",
        1,
    );
    check_rename(
        &fx,
        "common",
        expect![[r#"
        functions.k.yaml:
            name: common
              - overlayRef: {kind: ValueFunction, name: 'common'}
        wf.k.yaml:
                ref: {kind: ValueFunction, name: common}
                      name: "common"
        test.k.yaml:
            functionRef: {kind: ValueFunction, name: common}
    "#]],
    );
    // From a reference, the Workflow of the same name is another resource.
    let fx = RENAME_WS.replacen(
        "case: b\n            kind: Workflow\n            name: shared",
        "case: b\n            kind: Workflow\n            name: sha$0red",
        1,
    );
    check_rename(
        &fx,
        "wf2",
        expect![[r#"
        wf.k.yaml:
            name: wf2
                      name: wf2
    "#]],
    );
    // A literal expression reference follows its template.
    let fx = RENAME_WS.replacen("  name: tmpl\n", "  name: tm$0pl\n", 1);
    check_rename(
        &fx,
        "true",
        expect![[r#"
        functions.k.yaml:
              name: ="true"
            name: "true"
    "#]],
    );
}

#[test]
fn rename_refusals() {
    let fx = RENAME_WS.replacen("name: =\"tmpl\"", "name: =\"tm$0pl\"", 1);
    check_rename(
        &fx,
        "other",
        expect![
            "refused: This name is a Koreo expression (`=…`); it is only known at run time and cannot be renamed."
        ],
    );
    let fx = RENAME_WS.replacen(
        "  name: shared\nspec:\n  return",
        "  name: sh$0ared\nspec:\n  return",
        1,
    );
    check_rename(
        &fx,
        "Bad_Name",
        expect![
            "refused: `Bad_Name` is not a valid Kubernetes name: use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit (at most 253 characters)."
        ],
    );
    // `rf` names a ResourceFunction: a ValueFunction may take the name.
    check_rename(
        &fx,
        "rf",
        expect![[r#"
        functions.k.yaml:
            name: rf
              - overlayRef: {kind: ValueFunction, name: 'rf'}
        wf.k.yaml:
                ref: {kind: ValueFunction, name: rf}
                      name: "rf"
        test.k.yaml:
            functionRef: {kind: ValueFunction, name: rf}
    "#]],
    );
    let two = format!(
        "{VF}metadata: {{name: a$0}}\nspec: {{}}\n---\n{VF}metadata: {{name: b}}\nspec: {{}}\n"
    );
    check_rename(
        &two,
        "b",
        expect!["refused: A ValueFunction named `b` already exists."],
    );
    check_rename(&two, "a", expect![[r#""#]]);
    check_rename(
        "a: b$0\n",
        "x",
        expect![
            "refused: Nothing to rename here: place the cursor on a resource name, a reference or a step label."
        ],
    );
}

#[test]
fn rename_step_label_and_its_uses() {
    let fx = RENAME_WS.replacen("label: first", "label: fi$0rst", 1);
    check_rename(
        &fx,
        "initial",
        expect![[r#"
            wf.k.yaml:
                  - label: initial
                      switchOn: =steps.initial.kind
                        =steps.initial.value + steps["initial"] + first.steps.first
        "#]],
    );
    check_rename(
        &fx,
        "1st",
        expect![
            "refused: `1st` is not a valid step label: use 3 to 45 letters, digits or `_`, not starting with a digit."
        ],
    );
    let (analysis, pos) = fixture::analysis(&fx);
    let (range, name) = analysis
        .prepare_rename(pos.unwrap())
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(name, "first");
    assert_eq!(
        render_range(&analysis, pos.unwrap().file, range),
        "wf.k.yaml:7:14-7:19 `first`"
    );
}

fn check_tokens(fixture: &str, expect: Expect) {
    let (analysis, _) = fixture::analysis(fixture);
    let file = analysis.files()[0];
    let tokens = analysis.semantic_tokens(file).unwrap();
    let text = analysis.file(file).unwrap().text().to_string();
    let rendered: Vec<String> = tokens
        .iter()
        .map(|t| {
            assert!(!text[t.range].contains('\n'), "{t:?} crosses a line");
            let mods = match t.modifiers {
                0 => "",
                crate::MOD_DECLARATION => " +declaration",
                crate::MOD_DEFAULT_LIBRARY => " +defaultLibrary",
                _ => " +?",
            };
            format!(
                "{} {:?}{mods}",
                render_range(&analysis, file, t.range),
                t.ty
            )
        })
        .collect();
    expect.assert_eq(&(rendered.join("\n") + "\n"));
}

#[test]
fn semantic_tokens_of_cel_and_names() {
    check_tokens(
        r#"
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: "wf"
spec:
  steps:
    - label: one
      ref: {kind: ValueFunction, name: make}
      inputs:
        names: |
          =parent.spec.items.map(i,
            i.name + "-é\n"
          ).filter(n, has(n)) && true
        quoted: "=size(inputs.a) >= 1"
"#,
        expect![[r#"
            main.k.yaml:2:7-2:15 `Workflow` Type
            main.k.yaml:4:10-4:12 `wf` Type +declaration
            main.k.yaml:8:19-8:32 `ValueFunction` Type
            main.k.yaml:8:40-8:44 `make` Type
            main.k.yaml:11:11-11:12 `=` Operator
            main.k.yaml:11:12-11:18 `parent` Variable +defaultLibrary
            main.k.yaml:11:19-11:23 `spec` Property
            main.k.yaml:11:24-11:29 `items` Property
            main.k.yaml:11:30-11:33 `map` Macro +defaultLibrary
            main.k.yaml:11:34-11:35 `i` Parameter
            main.k.yaml:12:13-12:14 `i` Parameter
            main.k.yaml:12:15-12:19 `name` Property
            main.k.yaml:12:20-12:21 `+` Operator
            main.k.yaml:12:22-12:29 `"-é\n"` String
            main.k.yaml:13:13-13:19 `filter` Macro +defaultLibrary
            main.k.yaml:13:20-13:21 `n` Parameter
            main.k.yaml:13:23-13:26 `has` Macro +defaultLibrary
            main.k.yaml:13:27-13:28 `n` Parameter
            main.k.yaml:13:31-13:33 `&&` Operator
            main.k.yaml:13:34-13:38 `true` Keyword
            main.k.yaml:14:18-14:19 `=` Operator
            main.k.yaml:14:19-14:23 `size` Function +defaultLibrary
            main.k.yaml:14:24-14:30 `inputs` Variable +defaultLibrary
            main.k.yaml:14:31-14:32 `a` Property
            main.k.yaml:14:34-14:36 `>=` Operator
            main.k.yaml:14:37-14:38 `1` Number
        "#]],
    );
}

#[test]
fn semantic_tokens_split_multi_line_literals_per_line() {
    let text = "apiVersion: koreo.dev/v1beta1\r\nkind: ValueFunction\r\nmetadata: {name: v}\r\nspec:\r\n  return:\r\n    a: |\r\n      =inputs.x + '''first\r\n        second''' + 1\r\n";
    check_tokens(
        text,
        expect![[r#"
        main.k.yaml:2:7-2:20 `ValueFunction` Type
        main.k.yaml:3:18-3:19 `v` Type +declaration
        main.k.yaml:7:7-7:8 `=` Operator
        main.k.yaml:7:8-7:14 `inputs` Variable +defaultLibrary
        main.k.yaml:7:15-7:16 `x` Property
        main.k.yaml:7:17-7:18 `+` Operator
        main.k.yaml:7:19-7:27 `'''first` String
        main.k.yaml:8:9-8:18 `second'''` String
        main.k.yaml:8:19-8:20 `+` Operator
        main.k.yaml:8:21-8:22 `1` Number
    "#]],
    );
}

#[test]
fn inlay_hints_show_step_targets_and_their_inputs() {
    let fx = format!(
        "{FUNCS}# - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n    - label: cfg\n      ref: {{kind: ValueFunction, name: make-config}}\n    - label: dep\n      ref:\n        name: make-deployment\n        kind: ResourceFunction\n    - label: missing\n      ref: {{kind: ValueFunction, name: nope}}\n    - label: switch\n      refSwitch:\n        switchOn: =parent.x\n        cases:\n          - {{case: a, kind: ValueFunction, name: other-vf}}\n"
    );
    let (analysis, _) = fixture::analysis(&fx);
    let file = analysis.file_id("wf.k.yaml").unwrap();
    let hints = analysis.inlay_hints(file, None).unwrap();
    let text = analysis.file(file).unwrap().text().to_string();
    let rendered: Vec<String> = hints
        .iter()
        .map(|h| {
            let at = usize::from(h.offset);
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            format!(
                "{}⟨{}⟩ {}",
                text[line_start..at].trim_start(),
                h.label,
                h.tooltip.as_deref().unwrap_or("")
            )
        })
        .collect();
    expect![[r#"
        ref: {kind: ValueFunction, name: make-config}⟨→ ValueFunction(prefix)⟩ `make-config` reads `inputs.prefix`.
        name: make-deployment⟨→ ResourceFunction()⟩ `make-deployment` reads no `inputs`.
        - {case: a, kind: ValueFunction, name: other-vf}⟨→ ValueFunction()⟩ `other-vf` reads no `inputs`."#]].assert_eq(&rendered.join("\n"));
    // Nothing on FunctionTests.
    let ft = analysis.file_id("test.k.yaml").unwrap();
    assert!(analysis.inlay_hints(ft, None).unwrap().is_empty());
}

#[test]
fn completes_input_keys_where_callers_and_tests_provide_them() {
    let fx = format!(
        "{FUNCS}# - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: w}}\nspec:\n  steps:\n    - label: cfg\n      ref: {{kind: ValueFunction, name: make-config}}\n      inputs:\n        fromTest: x\n        $0\n"
    );
    check_completions(
        &fx,
        expect![[r#"
        @ wf.k.yaml:10:9-10:9 ``
        prefix Property — input of make-config => "prefix: "
    "#]],
    );
    let fx = FUNCS.replace("  inputs: {prefix: a, fromTest: b}", "  inputs:\n    $0");
    assert_eq!(labels(&fx), ["prefix"]);
}

#[test]
fn completes_kinds_of_other_api_versions() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: apps.example.com}\n\
               spec:\n  group: example.com\n  names: {kind: App, plural: apps}\n  scope: Namespaced\n  versions:\n    \
               - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: {type: object}\n";
    assert_eq!(
        labels(&format!(
            "# - crd.yaml\n{crd}# - app.yaml\napiVersion: example.com/v1\nkind: $0\n"
        )),
        ["App"]
    );
}

#[test]
fn completes_cel_in_crlf_block_scalars() {
    let fx = "apiVersion: koreo.dev/v1beta1\r\nkind: ValueFunction\r\nmetadata: {name: v}\r\nspec:\r\n  locals:\r\n    used: =inputs.alpha\r\n  return:\r\n    a: >-\r\n      =inputs.alpha +\r\n        inputs.al$0\r\n";
    let (analysis, pos) = fixture::analysis(fx);
    let items = analysis.completions(pos.unwrap()).unwrap();
    assert_eq!(items[0].label, "alpha");
    assert_eq!(
        render_range(&analysis, pos.unwrap().file, items[0].range),
        "main.k.yaml:10:16-10:18 `al`"
    );
}
