//! `koreo-ls --check` end to end: the real binary on the fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use expect_test::expect;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_koreo-ls"))
        .arg("--check")
        .args(args)
        .current_dir(root())
        .output()
        .expect("run koreo-ls")
}

fn json(args: &[&str]) -> (serde_json::Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = check(&all);
    let v = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (v, out.status.code().unwrap_or(-1))
}

#[test]
fn demo_workspace_is_clean() {
    let (v, code) = json(&["fixtures/web-service"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 11, "resources": 12, "errors": 0, "warnings": 0,
            "tests": 5, "test_cases_passed": 11, "test_cases_failed": 0})
    );
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn overlapping_paths_count_each_file_once() {
    let (v, code) = json(&["fixtures/web-service", "fixtures/web-service/functions"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["files"], 11);
}

#[test]
fn human_output_for_the_demo() {
    let out = check(&["fixtures/web-service/"]);
    assert_eq!(out.status.code(), Some(0));
    expect![[r#"
        ran 5 FunctionTests: 11 cases passed, 0 failed
        checked 11 files (12 resources): 0 errors, 0 warnings
    "#]]
    .assert_eq(&String::from_utf8_lossy(&out.stdout));
}

/// Every `# MISTAKE:` comment in the seeded files announces a diagnostic on the next line.
#[test]
fn each_seeded_mistake_is_reported_at_its_line() {
    let (v, code) = json(&["fixtures/mistakes"]);
    assert_eq!(code, 1);
    let diags = v["diagnostics"].as_array().unwrap();
    let dir = root().join("fixtures/mistakes");
    let mut expected = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = format!(
            "fixtures/mistakes/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("# MISTAKE:") {
                expected.push((name.clone(), i as u64 + 1));
            }
        }
    }
    assert!(expected.len() >= 10, "{expected:?}");
    for (path, line) in &expected {
        assert!(
            diags
                .iter()
                .any(|d| d["path"] == *path.as_str() && d["range"]["start"]["line"] == *line),
            "no diagnostic at {path}:{} (0-based {line})\n{v:#}",
            line + 1
        );
    }
}

#[test]
fn json_report_for_seeded_mistakes() {
    let (v, _) = json(&["fixtures/mistakes/"]);
    let lines: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    expect![[r#"
        {"files":8,"resources":12,"errors":14,"warnings":2,"tests":1,"test_cases_passed":0,"test_cases_failed":0}
        fixtures/mistakes/binary.k.yaml:0:0 information file-skipped
        fixtures/mistakes/documents.k.yaml:2:6 warning not-koreo-resource
        fixtures/mistakes/documents.k.yaml:10:0 error missing-name
        fixtures/mistakes/duplicates.k.yaml:4:8 error duplicate-resource
        fixtures/mistakes/duplicates.k.yaml:14:8 error duplicate-resource
        fixtures/mistakes/duplicates.k.yaml:26:43 error unknown-reference
        fixtures/mistakes/functions.k.yaml:20:10 error unknown-reference
        fixtures/mistakes/functions.k.yaml:23:46 error ref-kind-mismatch
        fixtures/mistakes/invalid-utf8.k.yaml:0:0 information file-skipped
        fixtures/mistakes/schema.k.yaml:7:13 error schema-min-length
        fixtures/mistakes/schema.k.yaml:9:18 error schema-enum
        fixtures/mistakes/schema.k.yaml:11:14 error schema-type
        fixtures/mistakes/schema.k.yaml:26:11 error schema-type
        fixtures/mistakes/syntax.k.yaml:7:12 error yaml-syntax
        fixtures/mistakes/workflow.k.yaml:7:14 warning crd-ref-mismatch
        fixtures/mistakes/workflow.k.yaml:13:39 error unknown-reference
        fixtures/mistakes/workflow.k.yaml:16:18 error ref-kind-mismatch
        fixtures/mistakes/workflow.k.yaml:25:49 error unknown-reference"#]]
    .assert_eq(&format!("{}\n{}", v["summary"], lines.join("\n")));
}

#[test]
fn json_shape_is_exact() {
    // A file whose findings come from this crate's own layers, so the wording is ours.
    let (v, code) = json(&["fixtures/mistakes/documents.k.yaml"]);
    assert_eq!(code, 1);
    expect![[r#"
        {
          "version": 1,
          "summary": {
            "files": 1,
            "resources": 1,
            "errors": 1,
            "warnings": 1,
            "tests": 0,
            "test_cases_passed": 0,
            "test_cases_failed": 0
          },
          "diagnostics": [
            {
              "path": "fixtures/mistakes/documents.k.yaml",
              "range": {
                "start": {
                  "line": 2,
                  "character": 6
                },
                "end": {
                  "line": 2,
                  "character": 19
                }
              },
              "severity": "warning",
              "code": "not-koreo-resource",
              "message": "'ValueFunctoin' is not a supported Koreo Resource (expected one of ValueFunction, ResourceFunction, ResourceTemplate, Workflow, FunctionTest)."
            },
            {
              "path": "fixtures/mistakes/documents.k.yaml",
              "range": {
                "start": {
                  "line": 10,
                  "character": 0
                },
                "end": {
                  "line": 10,
                  "character": 8
                }
              },
              "severity": "error",
              "code": "missing-name",
              "message": "ValueFunction is missing `metadata.name`: the engine identifies resources by kind and name."
            }
          ],
          "tests": []
        }"#]].assert_eq(&serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn sarif_output() {
    let out = check(&["--format", "sarif", "fixtures/mistakes/workflow.k.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "fixtures/mistakes/workflow.k.yaml"
    ));
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    expect![
        "crd-ref-mismatch unknown-reference unknown-reference unknown-reference unknown-reference"
    ]
    .assert_eq(&rules.join(" "));
    // 1-based lines: the typo'd ref is on line 14.
    assert!(results.iter().any(|r| r["ruleId"] == "unknown-reference"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 14));
}

#[test]
fn exit_codes_for_usage_and_io_errors() {
    let missing = check(&["fixtures/does-not-exist"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does-not-exist"));
    let bad_format = check(&["--format", "xml", "fixtures"]);
    assert_eq!(bad_format.status.code(), Some(2));
    let stray_path = Command::new(env!("CARGO_BIN_EXE_koreo-ls"))
        .arg("fixtures")
        .output()
        .unwrap();
    assert_eq!(stray_path.status.code(), Some(2));
}

#[test]
fn user_files_are_never_modified() {
    let dir = root().join("fixtures/mistakes");
    let snapshot = |dir: &Path| {
        let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect();
        v.sort();
        v
    };
    let before = snapshot(&dir);
    check(&["fixtures/mistakes"]);
    assert_eq!(before, snapshot(&dir));
}

/// A workspace whose only problem is a failing FunctionTest case (with XML-hostile text).
fn failing_tests_workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("koreo-check-ft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("app.k.yaml"),
        r#"apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-name
spec:
  return:
    name: =inputs.prefix + "<&>"
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-name-test
  namespace: demo
spec:
  functionRef: {kind: ValueFunction, name: make-name}
  inputs: {prefix: web}
  testCases:
    - label: 'quotes " and <tags>'
      expectReturn: {name: web}
    - expectReturn: {name: "web<&>"}
"#,
    )
    .unwrap();
    dir
}

#[test]
fn failing_tests_exit_1_and_no_tests_exit_0() {
    let dir = failing_tests_workspace();
    let path = dir.to_str().unwrap();
    let out = check(&[path]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error[test-case-failed]: quotes \" and <tags> failed"),
        "{text}"
    );
    assert!(text.contains("- label: 'quotes \" and <tags>'"), "{text}");
    assert!(
        text.contains("ran 1 FunctionTest: 0 cases passed, 1 failed (not passing: make-name-test)"),
        "{text}"
    );
    let out = check(&["--no-tests", path]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let (v, code) = json(&[path]);
    assert_eq!(code, 1);
    let expected_path = format!("{path}/app.k.yaml");
    assert_eq!(
        v["tests"],
        serde_json::json!([{
            "path": expected_path,
            "namespace": "demo",
            "name": "make-name-test",
            "function": {"kind": "ValueFunction", "name": "make-name"},
            "verdict": "fail",
            "cases": [
                {"index": 0, "label": "quotes \" and <tags>", "verdict": "fail", "outcome": "Ok",
                 "message": "expectReturn differs from the actual return value: `name`: expected \"web\", found \"web<&>\""},
                {"index": 1, "label": "Test Case 2", "verdict": "not-run", "outcome": null, "message": null},
            ],
        }])
    );
    assert_eq!(v["summary"]["tests"], 1);
    assert_eq!(v["summary"]["test_cases_passed"], 0);
    assert_eq!(v["summary"]["test_cases_failed"], 1);
    let (v, _) = json(&["--no-tests", path]);
    assert!(v.get("tests").is_none());
    assert!(v["summary"].get("tests").is_none());

    let out = check(&["--format", "junit", path]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert_well_formed(&xml);
    expect![[r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="koreo-ls" tests="2" failures="1" errors="0">
          <testsuite name="make-name-test" file="DIR/app.k.yaml" tests="2" failures="1" errors="0" skipped="1">
            <testcase name="quotes &quot; and &lt;tags&gt;" classname="make-name-test"><failure message="expectReturn differs from the actual return value: `name`: expected &quot;web&quot;, found &quot;web&lt;&amp;&gt;&quot;"/></testcase>
            <testcase name="Test Case 2" classname="make-name-test"><skipped message="not-run"/></testcase>
          </testsuite>
        </testsuites>
    "#]].assert_eq(&xml.replace(path, "DIR"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Tags balance, and no raw `<` or `&` (other than entities) in text or attributes.
fn assert_well_formed(xml: &str) {
    let body = xml
        .strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
        .expect("declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        for (i, _) in text.match_indices('&') {
            let t = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
                    .iter()
                    .any(|e| t.starts_with(e)),
                "raw & in {text:?}"
            );
        }
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "raw < in {tag:?}");
        let attrs_ok = tag.split('"').skip(1).step_by(2).all(|a| {
            !a.contains('<')
                && !a
                    .replace("&amp;", "")
                    .replace("&lt;", "")
                    .replace("&gt;", "")
                    .replace("&quot;", "")
                    .replace("&apos;", "")
                    .replace("&#10;", "")
                    .contains('&')
        });
        assert!(attrs_ok, "bad attribute in {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_owned());
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}
