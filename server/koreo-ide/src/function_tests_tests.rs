//! FunctionTest results in the IDE: diagnostics, lenses, hovers, incremental re-runs and
//! code actions, on fixtures.

use expect_test::{Expect, expect};

use crate::fixture::{self, Fixture, render_diagnostics, render_range};
use crate::{Analysis, Change, Contents, FileId};

const TESTED: &str = r#"
# - vf.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-name
spec:
  return:
    name: =inputs.prefix + "-" + inputs.suffix
    port: "8080"
# - other.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: other
spec:
  return: {ok: true}
# - tests.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-name-test
spec:
  functionRef: {kind: ValueFunction, name: make-name}
  inputs:
    prefix: web
    suffix: app
  testCases:
    - label: joins prefix and suffix
      expectReturn:
        name: web-api   # the function returns web-app
        port: 8080
    - expectOutcome: {ok: {}}
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: other-test
spec:
  functionRef: {kind: ValueFunction, name: other}
  testCases:
    - expectReturn: {ok: true, extra: 1}
    - variant: true
      expectReturn: {ok: true}
"#;

fn render_lenses(analysis: &Analysis, file: FileId) -> String {
    analysis
        .code_lenses(file)
        .unwrap()
        .iter()
        .map(|l| format!("{} {}", render_range(analysis, file, l.range), l.title))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_hover(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let h = analysis.hover(pos.unwrap()).unwrap().expect("a hover");
    expect.assert_eq(&format!(
        "{}\n{}",
        render_range(&analysis, pos.unwrap().file, h.range),
        h.markdown
    ));
}

#[test]
fn failing_cases_and_fields_are_diagnostics() {
    let (analysis, _) = fixture::analysis(TESTED);
    expect![[r#"
        error[test-case-failed] tests.k.yaml:11:14-11:37 `joins prefix and suffix`: joins prefix and suffix failed: expectReturn differs from the actual return value: `name`: expected "web-api", found "web-app"
        error[test-field-mismatch] tests.k.yaml:13:15-13:22 `web-api`: `name`: expected "web-api", found "web-app"
        error[test-case-failed] tests.k.yaml:24:7-24:41 `expectReturn: {ok: true, extra: 1}`: Test Case 1 failed: expectReturn differs from the actual return value: `extra` is expected but missing
        error[test-field-mismatch] tests.k.yaml:24:32-24:40 `extra: 1`: `extra` is expected but missing
        warning[numeric-string] vf.k.yaml:8:11-8:17 `"8080"`: the string "8080" becomes the number 8080 when `spec.return` is encoded (Python int()/float() accepts it); to keep a string write '="8080"'
    "#]].assert_eq(&render_diagnostics(&analysis));
}

#[test]
fn test_results_are_plain_data() {
    let (analysis, _) = fixture::analysis(TESTED);
    let rendered: Vec<String> = analysis
        .test_results(None)
        .unwrap()
        .iter()
        .map(|t| {
            let cases: Vec<String> = t
                .cases
                .iter()
                .map(|c| {
                    format!(
                        "  {} {:?} {} {:?}",
                        c.label,
                        c.outcome,
                        c.verdict.as_str(),
                        c.message
                    )
                })
                .collect();
            format!(
                "{} {:?} {}\n{}",
                t.name,
                t.function,
                t.verdict.as_str(),
                cases.join("\n")
            )
        })
        .collect();
    expect![[r#"
        make-name-test Some(("ValueFunction", "make-name")) fail
          joins prefix and suffix Some("Ok") fail Some("expectReturn differs from the actual return value: `name`: expected \"web-api\", found \"web-app\"")
          Test Case 2 None not-run None
        other-test Some(("ValueFunction", "other")) fail
          Test Case 1 Some("Ok") fail Some("expectReturn differs from the actual return value: `extra` is expected but missing")
          [variant] Test Case 2 None not-run None"#]].assert_eq(&rendered.join("\n"));
}

#[test]
fn lenses_show_status_and_run() {
    let (analysis, _) = fixture::analysis(TESTED);
    let file = analysis.file_id("tests.k.yaml").unwrap();
    expect![[r#"
        tests.k.yaml:2:7-2:19 `FunctionTest` ✗ 1 of 2 failed
        tests.k.yaml:2:7-2:19 `FunctionTest` Run
        tests.k.yaml:11:7-11:7 `` ✗ failed
        tests.k.yaml:15:7-15:7 `` not run
        tests.k.yaml:18:7-18:19 `FunctionTest` ✗ 1 of 2 failed
        tests.k.yaml:18:7-18:19 `FunctionTest` Run
        tests.k.yaml:24:7-24:7 `` ✗ failed
        tests.k.yaml:25:7-25:7 `` not run"#]]
    .assert_eq(&render_lenses(&analysis, file));
}

#[test]
fn hover_on_a_case_shows_its_actual_result() {
    check_hover(
        &TESTED.replace("port: 8080", "port: 8$0080"),
        expect![[r#"
            tests.k.yaml:11:7-14:19 `label: joins prefix and suffix…`
            **joins prefix and suffix**: failed: 1 field differs

            Actual outcome: `Ok`

            Return value:
            ```yaml
            name: web-app
            port: 8080
            ```"#]],
    );
}

#[test]
fn only_affected_tests_rerun() {
    let (mut host, _) = Fixture::parse(TESTED).host();
    let mut ran = host.analysis().db.tests_ran.clone();
    ran.sort();
    assert_eq!(ran, ["make-name-test", "other-test"]);
    let vf = host
        .analysis()
        .file(host.file_id("vf.k.yaml").unwrap())
        .unwrap()
        .text()
        .to_string();
    // Fixing the function re-runs its test only; the tests file is republished.
    let mut change = Change::new();
    change.set_open(
        "vf.k.yaml",
        Some(
            vf.replace("\"-\"", "\"-\" + \"\"")
                .replace("inputs.suffix", "'api'")
                .into(),
        ),
    );
    let republish = host.apply_change(change);
    let a = host.analysis();
    assert_eq!(a.db.tests_ran, ["make-name-test"]);
    let keys: Vec<String> = republish
        .iter()
        .map(|f| a.file_key(*f).to_string())
        .collect();
    assert_eq!(keys, ["vf.k.yaml", "tests.k.yaml"]);
    let verdicts: Vec<_> = a
        .test_results(None)
        .unwrap()
        .iter()
        .map(|t| (t.name.clone(), t.verdict.as_str()))
        .collect();
    expect![[r#"[("make-name-test", "pass"), ("other-test", "fail")]"#]]
        .assert_eq(&format!("{verdicts:?}"));
    // A file without FunctionTest dependencies runs nothing.
    let mut change = Change::new();
    change.set_disk(
        "plain.k.yaml",
        Some(Contents::from_text("apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: lone}\nspec: {return: {}}\n")),
    );
    host.apply_change(change);
    assert!(host.analysis().db.tests_ran.is_empty());
}

/// Applies the edits of `assist` to `text`.
fn apply(text: &str, assist: &crate::Assist) -> String {
    let mut out = text.to_owned();
    let mut edits = assist.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
    for e in edits {
        out.replace_range(
            usize::from(e.range.start())..usize::from(e.range.end()),
            &e.new_text,
        );
    }
    out
}

fn actions_at(fixture: &str) -> (Analysis, FileId, Vec<crate::Assist>) {
    let (analysis, pos) = fixture::analysis(fixture);
    let pos = pos.unwrap();
    let actions = analysis
        .code_actions(pos.file, text_size::TextRange::empty(pos.offset))
        .unwrap();
    (analysis, pos.file, actions)
}

#[test]
fn update_expectation_then_the_test_passes() {
    let fixture = TESTED.replace("name: web-api", "name: web-a$0pi");
    let (analysis, file, actions) = actions_at(&fixture);
    let titles: Vec<_> = actions
        .iter()
        .map(|a| (a.title.clone(), a.fixes.as_ref().map(|d| d.code.clone())))
        .collect();
    expect![[r#"[("Update expectReturn of 'joins prefix and suffix' to the actual value", Some("test-field-mismatch"))]"#]].assert_eq(&format!("{titles:?}"));
    let text = analysis.file(file).unwrap().text().to_string();
    let fixed = apply(&text, &actions[0]);
    // Only the expected node changed; the comment after it is gone with it, the rest stays.
    expect![[r#"
          testCases:
            - label: joins prefix and suffix
              expectReturn:
                name: web-app
                port: 8080
            - expectOutcome: {ok: {}}
        ---
        apiVersion: koreo.dev/v1beta1
        kind: FunctionTest
        metadata:
          name: other-test
        spec:
          functionRef: {kind: ValueFunction, name: other}
          testCases:
            - expectReturn: {ok: true, extra: 1}
            - variant: true
              expectReturn: {ok: true}
    "#]]
    .assert_eq(&fixed[text.find("  testCases").unwrap()..]);
    let mut host = Fixture::parse(&fixture).host().0;
    let mut change = Change::new();
    change.set_open("tests.k.yaml", Some(fixed.into()));
    host.apply_change(change);
    let results = host.analysis().test_results(None).unwrap();
    assert_eq!(results[0].name, "make-name-test");
    assert_eq!(results[0].verdict.as_str(), "pass", "{results:?}");
}

#[test]
fn add_missing_inputs_keeps_the_rest() {
    let fixture = r#"
        # - vf.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata: {name: f}
        spec:
          return: {a: =inputs.x, b: =inputs.y}
        # - t.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: FunctionTest
        metadata: {name: t}
        spec:
          functionRef: {kind: ValueFunction, name: f}
          inputs:
            x: 1
          testCases:
            - expectReturn: {a: 2$0}  # keep me
        "#;
    let (analysis, file, actions) = actions_at(fixture);
    let text = analysis.file(file).unwrap().text().to_string();
    let rendered: Vec<String> = actions
        .iter()
        .map(|a| format!("{} [{}]\n{}", a.title, a.kind, apply(&text, a)))
        .collect();
    expect![[r#"
        Add missing inputs: y [quickfix]
        apiVersion: koreo.dev/v1beta1
        kind: FunctionTest
        metadata: {name: t}
        spec:
          functionRef: {kind: ValueFunction, name: f}
          inputs:
            x: 1
            y: null
          testCases:
            - expectReturn: {a: 2}  # keep me
    "#]]
    .assert_eq(&rendered.join("\n"));
}

#[test]
fn replace_with_suggestion() {
    let (analysis, file, actions) = actions_at(
        r#"
        # - vf.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata: {name: make-config}
        spec: {return: {}}
        # - wf.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: Workflow
        metadata: {name: w}
        spec:
          steps:
            - label: config
              ref: {kind: ValueFunction, name: make-co$0nfg}
        "#,
    );
    let text = analysis.file(file).unwrap().text().to_string();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].title, "Replace with 'make-config'");
    assert!(apply(&text, &actions[0]).contains("name: make-config}"));
}

#[test]
fn update_single_entry_block_expectation() {
    let fixture = "# - t.k.yaml\n".to_owned()
        + &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/editors/vscode/workspace/tests.k.yaml"
        ))
        .unwrap()
        .replace("name: web-api", "name: web-$0api")
        + "# - f.k.yaml\n"
        + &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/editors/vscode/workspace/functions.k.yaml"
        ))
        .unwrap();
    let (a, _, actions) = actions_at(&fixture);
    assert_eq!(actions.len(), 1, "{}", render_diagnostics(&a));
    assert_eq!(actions[0].edits[0].new_text, "name: web-app");
}
