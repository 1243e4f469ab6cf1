//! Feature tests on fixtures (see [`crate::fixture`]); expectations are `expect!` snapshots
//! (`UPDATE_EXPECT=1 cargo test -p koreo-ide` rewrites them).

use expect_test::{Expect, expect};

use crate::fixture::{self, Fixture, render_diagnostics, render_file_range, render_range};
use crate::{AnalysisHost, Change, Contents};

const VF: &str = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\n";
const RF: &str = "apiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\n";

fn check_diagnostics(fixture: &str, expect: Expect) {
    let (analysis, _) = fixture::analysis(fixture);
    expect.assert_eq(&render_diagnostics(&analysis));
}

fn check_definition(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let targets = analysis
        .goto_definition(pos.expect("fixture needs $0"))
        .unwrap();
    let rendered: Vec<String> = targets
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.kind,
                render_range(&analysis, t.file, t.focus_range)
            )
        })
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

fn check_references(fixture: &str, include_declaration: bool, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let refs = analysis
        .find_references(pos.expect("fixture needs $0"), include_declaration)
        .unwrap();
    let rendered: Vec<String> = refs
        .iter()
        .map(|r| render_file_range(&analysis, *r))
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

fn check_hover(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let hover = analysis.hover(pos.expect("fixture needs $0")).unwrap();
    let rendered = match hover {
        Some(h) => format!(
            "{}\n{}",
            render_range(&analysis, pos.unwrap().file, h.range),
            h.markdown
        ),
        None => "no hover".to_owned(),
    };
    expect.assert_eq(&rendered);
}

const WORKSPACE: &str = r#"
# - functions.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-config
  namespace: demo
spec:
  preconditions:
    - assert: =inputs.enabled
      skip: {message: disabled}
  return:
    name: =inputs.name + "-" + inputs["suffix"]
    kept: '="inputs.not_read"'
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: make-deployment
spec:
  apiConfig: {apiVersion: apps/v1, kind: Deployment, name: =inputs.name, namespace: default}
  resourceTemplateRef:
    name: deployment-template
---
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: deployment-template
spec:
  template: {apiVersion: apps/v1, kind: Deployment}
# - workflow.k.yaml
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: app
spec:
  steps:
    - label: config
      ref: {kind: ValueFunction, name: make-config}
    - label: deploy
      ref: {kind: ResourceFunction, name: make-deployment}
    - label: again
      ref:
        kind: ValueFunction
        name: make-config
# - test.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-config-test
spec:
  functionRef: {kind: ValueFunction, name: make-config}
  inputs: {enabled: true, name: x, suffix: z}
  testCases:
    - label: first
      expectReturn: {name: x-z, kept: inputs.not_read}
    - expectOutcome: {ok: {}}
"#;

/// Puts `$0` at the `nth` occurrence of `needle` (0-based) in the file `path` of `fixture`.
fn with_cursor(fixture: &str, path: &str, needle: &str, nth: usize) -> String {
    let mut out = String::new();
    let mut in_file = false;
    let mut seen = 0;
    for line in fixture.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix(fixture::HEADER) {
            in_file = p.trim() == path;
        }
        if in_file && !line.starts_with(fixture::HEADER) && line.contains(needle) {
            if seen == nth {
                out.push_str(&line.replacen(
                    needle,
                    &format!("{}$0{}", &needle[..1], &needle[1..]),
                    1,
                ));
                seen += 1;
                continue;
            }
            seen += 1;
        }
        out.push_str(line);
    }
    assert!(
        out.contains("$0"),
        "needle {needle:?} #{nth} not found in {path}"
    );
    out
}

#[test]
fn fixture_parses_headers_and_cursor() {
    let f = Fixture::parse(
        r#"
        # - a.k.yaml
        x: 1
        # - dir/b.k.yaml
        y: $02
        "#,
    );
    let files: Vec<(&str, &str)> = f
        .files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    assert_eq!(files, [("a.k.yaml", "x: 1\n"), ("dir/b.k.yaml", "y: 2\n")]);
    assert_eq!(f.cursor, Some(("dir/b.k.yaml".to_owned(), 3.into())));
}

#[test]
fn valid_workspace_has_no_diagnostics() {
    check_diagnostics(WORKSPACE, expect![""]);
}

#[test]
fn unknown_reference_is_reported_on_the_name_with_did_you_mean() {
    check_diagnostics(
        &format!(
            "# - a.k.yaml\n{VF}metadata: {{name: make-config}}\nspec: {{return: {{a: 1}}}}\n---\n\
             apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata:\n  name: wf\nspec:\n  steps:\n    \
             - label: one\n      ref: {{kind: ValueFunction, name: make-confg}}\n    \
             - label: two\n      ref: {{kind: Workflow, name: zzz}}\n"
        ),
        expect![[r#"
            error[unknown-reference] a.k.yaml:13:40-13:50 `make-confg`: Unknown ValueFunction 'make-confg'. Did you mean 'make-config'?
            error[unknown-reference] a.k.yaml:15:35-15:38 `zzz`: Unknown Workflow 'zzz'.
        "#]],
    );
}

#[test]
fn kind_mismatch_suggests_the_right_kind() {
    check_diagnostics(
        &format!(
            "# - rf.k.yaml\n{RF}metadata: {{name: x}}\nspec: {{apiConfig: {{apiVersion: v1, kind: ConfigMap, name: a, namespace: b}}, resource: {{}}}}\n\
             # - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: wf}}\nspec:\n  steps:\n    \
             - label: one\n      ref: {{kind: ValueFunction, name: x}}\n\
             # - t.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {{name: yy}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: a, namespace: b}}\n  resource: {{}}\n  overlays:\n    - overlayRef: {{kind: ValueFunction, name: x}}\n"
        ),
        expect![[r#"
            error[ref-kind-mismatch] t.k.yaml:8:47-8:48 `x`: 'x' is a ResourceFunction, but overlayRef must name a ValueFunction.
            error[ref-kind-mismatch] wf.k.yaml:7:19-7:32 `ValueFunction`: 'x' is a ResourceFunction, not a ValueFunction: use `kind: ResourceFunction`.
                related rf.k.yaml:3:18-3:19 `x`: ResourceFunction 'x' is defined here
        "#]],
    );
}

#[test]
fn duplicates_collide_across_namespaces_and_files() {
    check_diagnostics(
        &format!(
            "# - a.k.yaml\n{VF}metadata: {{name: dup, namespace: one}}\nspec: {{return: {{a: 1}}}}\n\
             # - b.k.yaml\n{VF}metadata: {{name: dup, namespace: two}}\nspec: {{return: {{a: 2}}}}\n\
             # - c.k.yaml\n{RF}metadata: {{name: dup}}\nspec: {{apiConfig: {{apiVersion: v1, kind: ConfigMap, name: a, namespace: b}}, resource: {{}}}}\n"
        ),
        expect![[r#"
            error[duplicate-resource] a.k.yaml:3:18-3:21 `dup`: ValueFunction 'dup' is defined 2 times; the engine keys resources by kind and name only (namespaces do not separate them), so one definition silently replaces the other.
                related b.k.yaml:3:18-3:21 `dup`: other definition of ValueFunction 'dup'
            error[duplicate-resource] b.k.yaml:3:18-3:21 `dup`: ValueFunction 'dup' is defined 2 times; the engine keys resources by kind and name only (namespaces do not separate them), so one definition silently replaces the other.
                related a.k.yaml:3:18-3:21 `dup`: other definition of ValueFunction 'dup'
        "#]],
    );
}

#[test]
fn template_ref_literal_expressions_resolve_and_dynamic_names_are_skipped() {
    check_diagnostics(
        &format!(
            "{RF}metadata: {{name: f}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: a, namespace: b}}\n  \
             resourceTemplateRef: {{name: \"='nope'\"}}\n---\n\
             {RF}metadata: {{name: g}}\nspec:\n  apiConfig: {{apiVersion: v1, kind: ConfigMap, name: a, namespace: b}}\n  \
             resourceTemplateRef: {{name: =inputs.template}}\n"
        ),
        expect![[r#"
            error[unknown-reference] main.k.yaml:6:31-6:40 `"='nope'"`: Unknown ResourceTemplate 'nope'.
        "#]],
    );
}

#[test]
fn non_koreo_documents() {
    check_diagnostics(
        "apiVersion: koreo.dev/v1alpha1\nkind: Workflow\nmetadata: {name: a}\n---\n\
         apiVersion: koreo.dev/v1beta1\nkind: Function\nmetadata: {name: b}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n\
         just: data\n",
        expect![[r#"
            warning[not-koreo-resource] main.k.yaml:1:13-1:31 `koreo.dev/v1alpha1`: 'Workflow.koreo.dev/v1alpha1' is not a Koreo Resource: the engine only reads apiVersion koreo.dev/v1beta1.
            warning[not-koreo-resource] main.k.yaml:6:7-6:15 `Function`: 'Function' is not a supported Koreo Resource (expected one of ValueFunction, ResourceFunction, ResourceTemplate, Workflow, FunctionTest).
        "#]],
    );
}

#[test]
fn crd_ref_checks_workspace_crds() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: apps.example.com}\n\
               spec:\n  group: example.com\n  names: {kind: App, plural: apps}\n  versions:\n    - name: v1\n";
    let wf = |group: &str, version: &str| {
        format!(
            "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: wf-{group}-{version}}}\nspec:\n  \
             crdRef: {{apiGroup: {group}, version: {version}, kind: App}}\n  steps: []\n"
        )
    };
    check_diagnostics(
        &format!(
            "# - crd.yaml\n{crd}# - ok.k.yaml\n{}# - group.k.yaml\n{}# - version.k.yaml\n{}",
            wf("example.com", "v1"),
            wf("other.com", "v1"),
            wf("example.com", "v2")
        ),
        expect![[r#"
            warning[crd-ref-mismatch] group.k.yaml:5:22-5:31 `other.com`: No CRD for kind 'App' in group 'other.com' in the workspace (found group example.com).
            warning[crd-ref-mismatch] version.k.yaml:5:44-5:46 `v2`: The workspace CRD for 'App.example.com' has no version 'v2'.
        "#]],
    );
}

#[test]
fn definition_from_step_ref_and_functionref() {
    check_definition(
        &with_cursor(WORKSPACE, "workflow.k.yaml", "make-config", 0),
        expect!["ValueFunction functions.k.yaml:4:9-4:20 `make-config`"],
    );
    check_definition(
        &with_cursor(WORKSPACE, "workflow.k.yaml", "make-deployment", 0),
        expect!["ResourceFunction functions.k.yaml:17:9-17:24 `make-deployment`"],
    );
    check_definition(
        &with_cursor(WORKSPACE, "test.k.yaml", "make-config}", 0),
        expect!["ValueFunction functions.k.yaml:4:9-4:20 `make-config`"],
    );
    check_definition(
        &with_cursor(WORKSPACE, "functions.k.yaml", "deployment-template", 0),
        expect!["ResourceTemplate functions.k.yaml:26:9-26:28 `deployment-template`"],
    );
}

#[test]
fn definition_with_wrong_kind_still_navigates() {
    check_definition(
        &format!(
            "# - rf.k.yaml\n{RF}metadata: {{name: x}}\nspec: {{}}\n# - wf.k.yaml\n\
             apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {{name: wf}}\nspec:\n  steps:\n    \
             - label: one\n      ref: {{kind: ValueFunction, name: $0x}}\n"
        ),
        expect!["ResourceFunction rf.k.yaml:3:18-3:19 `x`"],
    );
}

#[test]
fn definition_on_crd_ref_kind() {
    check_definition(
        "# - crd.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: apps.example.com}\n\
         spec:\n  group: example.com\n  names: {kind: App}\n# - wf.k.yaml\napiVersion: koreo.dev/v1beta1\nkind: Workflow\n\
         metadata: {name: wf}\nspec:\n  crdRef: {apiGroup: example.com, version: v1, kind: A$0pp}\n",
        expect!["CustomResourceDefinition crd.yaml:6:17-6:20 `App`"],
    );
}

#[test]
fn no_definition_outside_names() {
    check_definition(
        &with_cursor(WORKSPACE, "workflow.k.yaml", "label: config", 0),
        expect![""],
    );
}

#[test]
fn references_from_definition_and_from_reference() {
    let decl = with_cursor(WORKSPACE, "functions.k.yaml", "make-config", 0);
    check_references(
        &decl,
        false,
        expect![[r#"
            workflow.k.yaml:8:40-8:51 `make-config`
            workflow.k.yaml:14:15-14:26 `make-config`
            test.k.yaml:6:44-6:55 `make-config`"#]],
    );
    check_references(
        &with_cursor(WORKSPACE, "workflow.k.yaml", "make-config", 1),
        true,
        expect![[r#"
            functions.k.yaml:4:9-4:20 `make-config`
            workflow.k.yaml:8:40-8:51 `make-config`
            workflow.k.yaml:14:15-14:26 `make-config`
            test.k.yaml:6:44-6:55 `make-config`"#]],
    );
}

#[test]
fn hover_on_reference_shows_target_and_inputs_read() {
    check_hover(
        &with_cursor(WORKSPACE, "workflow.k.yaml", "make-config", 0),
        expect![[r#"
            workflow.k.yaml:8:40-8:51 `make-config`
            **ValueFunction** `make-config`

            namespace: `demo`  
            file: `functions.k.yaml`

            Reads: `inputs.enabled`, `inputs.name`, `inputs.suffix`"#]],
    );
}

#[test]
fn hover_on_definition_counts_references() {
    check_hover(
        &with_cursor(WORKSPACE, "functions.k.yaml", "deployment-template", 1),
        expect![[r#"
            functions.k.yaml:26:9-26:28 `deployment-template`
            **ResourceTemplate** `deployment-template`

            file: `functions.k.yaml`

            Referenced 1 time."#]],
    );
}

#[test]
fn hover_on_unknown_reference() {
    check_hover(
        &format!(
            "{}metadata: {{name: t}}\nspec:\n  functionRef: {{kind: ValueFunction, name: gh$0ost}}\n",
            "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\n"
        ),
        expect![[r#"
            main.k.yaml:5:44-5:49 `ghost`
            **ValueFunction** `ghost`

            Not defined in the workspace."#]],
    );
}

#[test]
fn document_symbols_are_hierarchical() {
    let (analysis, _) = fixture::analysis(WORKSPACE);
    let mut out = String::new();
    for key in ["workflow.k.yaml", "test.k.yaml", "functions.k.yaml"] {
        let file = analysis.file_id(key).unwrap();
        for s in analysis.document_symbols(file).unwrap() {
            out.push_str(&format!(
                "{} ({:?}, {})\n",
                s.name,
                s.kind,
                s.detail.as_deref().unwrap_or("")
            ));
            for c in &s.children {
                out.push_str(&format!(
                    "  {} ({:?}, {}) {}\n",
                    c.name,
                    c.kind,
                    c.detail.as_deref().unwrap_or(""),
                    render_range(&analysis, file, c.selection_range)
                ));
            }
        }
    }
    expect![[r#"
        app (Resource, Workflow)
          config (Step, ValueFunction make-config) workflow.k.yaml:7:14-7:20 `config`
          deploy (Step, ResourceFunction make-deployment) workflow.k.yaml:9:14-9:20 `deploy`
          again (Step, ValueFunction make-config) workflow.k.yaml:11:14-11:19 `again`
        make-config-test (Resource, FunctionTest)
          first (TestCase, ) test.k.yaml:9:14-9:19 `first`
          Test Case 2 (TestCase, ) test.k.yaml:11:7-11:30 `expectOutcome: {ok: {}}`
        make-config (Resource, ValueFunction)
        make-deployment (Resource, ResourceFunction)
        deployment-template (Resource, ResourceTemplate)
    "#]]
    .assert_eq(&out);
}

#[test]
fn workspace_symbols_match_fuzzily() {
    let (analysis, _) = fixture::analysis(WORKSPACE);
    let render = |q: &str| {
        analysis
            .workspace_symbols(q, 10)
            .unwrap()
            .iter()
            .map(|t| format!("{} {}", t.kind, t.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    expect!["ResourceTemplate deployment-template, ResourceFunction make-deployment"]
        .assert_eq(&render("deploy"));
    expect!["ValueFunction make-config, FunctionTest make-config-test"].assert_eq(&render("mkcfg"));
    expect![""].assert_eq(&render("zzz"));
}

#[test]
fn folding_ranges_cover_multiline_collections() {
    let (analysis, _) =
        fixture::analysis("a:\n  b:\n    c: 1\n    d: [1,\n      2]\n  e: {x: 1}\n---\nf: 1\n");
    let file = analysis.file_id("main.k.yaml").unwrap();
    let rendered: Vec<String> = analysis
        .folding_ranges(file)
        .unwrap()
        .iter()
        .map(|f| render_range(&analysis, file, f.range))
        .collect();
    expect![[r#"
        main.k.yaml:1:1-7:1 `a:…`
        main.k.yaml:1:1-6:12 `a:…`
        main.k.yaml:2:3-5:9 `b:…`
        main.k.yaml:4:5-5:9 `d: [1,…`
        main.k.yaml:7:4-9:1 `…`"#]]
    .assert_eq(&rendered.join("\n"));
}

#[test]
fn incremental_change_updates_dependents_only() {
    let (mut host, _) = Fixture::parse(WORKSPACE).host();
    let functions = host.file_id("functions.k.yaml").unwrap();
    let workflow = host.file_id("workflow.k.yaml").unwrap();
    let test = host.file_id("test.k.yaml").unwrap();
    let old = host.analysis().file(functions).unwrap().text().to_string();
    // Renaming make-config breaks the workflow and the test, which must be re-checked.
    let mut change = Change::new();
    change.set_open(
        "functions.k.yaml",
        Some(
            old.replace("name: make-config", "name: make-settings")
                .into(),
        ),
    );
    let affected = host.apply_change(change);
    assert_eq!(affected, vec![functions, workflow, test]);
    let a = host.analysis();
    let codes = |f| {
        a.diagnostics(f)
            .unwrap()
            .iter()
            .map(|d| d.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(workflow), ["unknown-reference", "unknown-reference"]);
    assert_eq!(codes(test), ["unknown-reference"]);
    // An edit that touches no name affects only the file itself.
    let mut change = Change::new();
    change.set_open(
        "test.k.yaml",
        Some(
            a.file(test)
                .unwrap()
                .text()
                .replace("first", "renamed")
                .into(),
        ),
    );
    assert_eq!(host.apply_change(change), vec![test]);
}

#[test]
fn open_documents_shadow_disk_and_close_restores_it() {
    let mut host = AnalysisHost::new();
    let mut change = Change::new();
    change.set_disk(
        "a.k.yaml",
        Some(Contents::from_text(format!(
            "{VF}metadata: {{name: disk}}\nspec: {{return: {{a: 1}}}}\n"
        ))),
    );
    host.apply_change(change);
    let names = |host: &AnalysisHost| {
        let a = host.analysis();
        let file = a.file_id("a.k.yaml").unwrap();
        a.file(file).map(|f| {
            f.resources()
                .filter_map(|r| r.name.clone())
                .map(|n| n.value)
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(names(&host), Some(vec!["disk".to_owned()]));
    let mut change = Change::new();
    change.set_open(
        "a.k.yaml",
        Some(format!("{VF}metadata: {{name: editor}}\n").into()),
    );
    host.apply_change(change);
    assert_eq!(names(&host), Some(vec!["editor".to_owned()]));
    // Disk changes while open do not replace the editor's text.
    let mut change = Change::new();
    change.set_disk(
        "a.k.yaml",
        Some(Contents::from_text(format!(
            "{VF}metadata: {{name: disk2}}\n"
        ))),
    );
    host.apply_change(change);
    assert_eq!(names(&host), Some(vec!["editor".to_owned()]));
    let mut change = Change::new();
    change.set_open("a.k.yaml", None);
    host.apply_change(change);
    assert_eq!(names(&host), Some(vec!["disk2".to_owned()]));
    // Deleted on disk and not open: gone.
    let mut change = Change::new();
    change.set_disk("a.k.yaml", None);
    let affected = host.apply_change(change);
    assert_eq!(affected.len(), 1);
    assert_eq!(names(&host), None);
}

#[test]
fn snapshots_are_cancelled_by_newer_changes() {
    let (mut host, _) = Fixture::parse(WORKSPACE).host();
    let before = host.analysis();
    let file = before.file_id("workflow.k.yaml").unwrap();
    assert!(before.document_symbols(file).is_ok());
    let mut change = Change::new();
    change.set_open("workflow.k.yaml", Some("x: 1\n".into()));
    host.apply_change(change);
    assert_eq!(before.document_symbols(file), Err(crate::Cancelled));
    // The old snapshot still reads its own state; the new one sees the change.
    assert_eq!(before.file(file).unwrap().resources().count(), 1);
    assert_eq!(host.analysis().file(file).unwrap().resources().count(), 0);
}

#[test]
fn bad_input_is_skipped_with_information() {
    let mut host = AnalysisHost::new();
    let mut change = Change::new();
    change.set_disk("bin.k.yaml", Some(Contents::from_bytes(vec![0, 1, 2, 0])));
    change.set_disk(
        "latin1.k.yaml",
        Some(Contents::from_bytes(b"name: caf\xe9\n".to_vec())),
    );
    change.set_disk(
        "big.k.yaml",
        Some(Contents::from_bytes(vec![b'#'; crate::MAX_FILE_BYTES + 1])),
    );
    host.apply_change(change);
    expect![[r#"
        information[file-skipped] big.k.yaml:1:1-1:1 ``: File skipped: 5242881 bytes is more than the 5242880 byte limit for YAML files.
        information[file-skipped] bin.k.yaml:1:1-1:1 ``: File skipped: it looks binary (contains NUL bytes).
        information[file-skipped] latin1.k.yaml:1:1-1:1 ``: File skipped: it is not valid UTF-8 (invalid byte at offset 9).
    "#]]
    .assert_eq(&render_diagnostics(&host.analysis()));
}

#[test]
fn pathological_yaml_is_bounded() {
    // Many documents, deep nesting and an alias bomb: analysed without panicking.
    let many: String = (0..5000)
        .map(|i| format!("{VF}metadata: {{name: f{i}}}\nspec: {{return: {{a: 1}}}}\n---\n"))
        .collect();
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..20 {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &b{i} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let mut host = AnalysisHost::new();
    let mut change = Change::new();
    change.set_disk("many.k.yaml", Some(Contents::from_text(many)));
    change.set_disk("deep.k.yaml", Some(Contents::from_text(deep)));
    change.set_disk("bomb.k.yaml", Some(Contents::from_text(bomb)));
    host.apply_change(change);
    let a = host.analysis();
    assert_eq!(a.stats().resources, 5000);
    for f in a.files() {
        // Every file yields an answer; what the syntax layer reports is its business.
        a.diagnostics(f).unwrap();
        a.folding_ranges(f).unwrap();
        a.document_symbols(f).unwrap();
    }
}

#[test]
fn schema_errors_are_reported_at_each_node() {
    check_diagnostics(
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  steps:\n    \
         - label: ab\n      ref: {kind: Function, name: x}\n      inputs: 5\n    \
         - label: fine\n      reff: {kind: ValueFunction, name: x}\n",
        expect![[r#"
            error[schema-min-length] main.k.yaml:6:14-6:16 `ab`: `label` must be at least 3 characters long, found 2
            error[schema-enum] main.k.yaml:7:19-7:27 `Function`: `Function` is not an allowed value; expected `ResourceFunction`, `ValueFunction` or `Workflow` (did you mean `ValueFunction`?)
            error[schema-type] main.k.yaml:8:15-8:16 `5`: expected an object, found an integer
            error[schema-one-of] main.k.yaml:9:7-9:12 `label`: one of `ref` or `refSwitch` is required
            warning[schema-unknown-field] main.k.yaml:10:7-10:11 `reff`: unknown field `reff`; did you mean `ref`? (the API server drops it; `kubectl apply` rejects it)
        "#]],
    );
}

#[test]
fn plain_kubernetes_yaml_gets_errors_only() {
    // `on` is an ambiguous YAML 1.1 scalar: linted in Koreo files, quiet in plain manifests.
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {flag: on}\n";
    check_diagnostics(
        &format!(
            "# - deploy/cm.yaml\n{manifest}# - deploy/broken.yaml\na: b: c\n# - cm.k.yaml\n{manifest}"
        ),
        expect![[r#"
            hint[yaml-implicit-boolean] cm.k.yaml:4:14-4:16 `on`: `on` is the boolean true only under YAML 1.1 rules (Kubernetes, PyYAML); YAML 1.2 tools read a string. Write `true`, or quote it ("on") if you mean the string
            error[yaml-syntax] deploy/broken.yaml:1:5-1:6 `:`: a `key: value` is not allowed here (check the indentation, or quote a value that contains `: `)
        "#]],
    );
}

#[test]
fn workspace_crds_feed_the_schema_store() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: apps.example.com}\n\
               spec:\n  group: example.com\n  names: {kind: App, plural: apps}\n  scope: Namespaced\n  versions:\n    \
               - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          \
               type: object\n          properties:\n            spec: {type: object, properties: {image: {type: string}}}\n";
    let (mut host, _) = Fixture::parse(&format!("# - crd.yaml\n{crd}")).host();
    let has_app = |host: &AnalysisHost| {
        host.analysis()
            .schemas()
            .get_by_api_version("example.com/v1", "App")
            .is_some()
    };
    assert!(has_app(&host));
    assert!(
        host.analysis()
            .schemas()
            .get_by_api_version("koreo.dev/v1beta1", "Workflow")
            .is_some()
    );
    let mut change = Change::new();
    change.set_disk("crd.yaml", None);
    host.apply_change(change);
    assert!(!has_app(&host));
}

#[test]
fn engine_findings_are_reported_at_the_offending_node() {
    // A CEL syntax error, a prepare failure (a non-object template) and a lint (a quoted
    // number that the engine turns into a number), each at its node.
    check_diagnostics(
        r#"
        # - vf.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata:
          name: broken
        spec:
          return:
            value: =inputs.count +
        ---
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata:
          name: ports
        spec:
          return:
            port: "8080"
            sum: =1 + 1.5
        # - rt.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: ResourceTemplate
        metadata:
          name: not-an-object
        spec:
          template: [1, 2]
        "#,
        expect![[r#"
            error[schema-type] rt.k.yaml:6:13-6:19 `[1, 2]`: expected an object, found a list
            error[cel-parse-error] vf.k.yaml:7:26-7:27 `+`: CEL syntax error: expected an expression after `+`, found the end of the expression
            warning[numeric-string] vf.k.yaml:15:11-15:17 `"8080"`: the string "8080" becomes the number 8080 when `spec.return` is encoded (Python int()/float() accepts it); to keep a string write '="8080"'
            warning[int-double-arithmetic] vf.k.yaml:16:11-16:18 `1 + 1.5`: `1 + 1.5` fails: int + double has no overload in Koreo's CEL (the left operand decides); put the double first or write the int as a double (`1.0`)
        "#]],
    );
}

#[test]
fn engine_findings_follow_changes_to_dependencies() {
    // The test file's missing-input finding depends on the function in another file: it
    // appears when the function starts reading a new input, and the test file is republished.
    let f = Fixture::parse(
        r#"
        # - vf.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata:
          name: greet
        spec:
          return:
            text: =inputs.name
        # - test.k.yaml
        apiVersion: koreo.dev/v1beta1
        kind: FunctionTest
        metadata:
          name: greet-test
        spec:
          functionRef: {kind: ValueFunction, name: greet}
          inputs: {name: a}
          testCases:
            - expectReturn: {text: a}
        "#,
    );
    let (mut host, _) = f.host();
    expect![[""]].assert_eq(&render_diagnostics(&host.analysis()));
    let mut change = Change::new();
    change.set_disk(
        "vf.k.yaml",
        Some(Contents::from_text(
            "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: greet\nspec:\n  return:\n    text: =inputs.name + inputs.title\n",
        )),
    );
    let republish = host.apply_change(change);
    let analysis = host.analysis();
    let keys: Vec<_> = republish.iter().map(|f| analysis.file_key(*f)).collect();
    assert_eq!(
        keys.iter().map(|k| &**k).collect::<Vec<_>>(),
        ["vf.k.yaml", "test.k.yaml"]
    );
    expect![[r#"
        error[missing-test-input] test.k.yaml:7:11-7:20 `{name: a}`: the function reads `inputs.title`, which `spec.inputs` does not provide
        error[test-case-failed] test.k.yaml:9:7-9:30 `expectReturn: {text: a}`: Test Case 1 failed: Non-Ok return value (Permanent Failure (message=Error evaluating `greet-test.testCases[0]:spec.return` (at inputs.title) ("no such member in mapping: 'title'", <class 'KeyError'>, None)))
    "#]].assert_eq(&render_diagnostics(&analysis));
}
