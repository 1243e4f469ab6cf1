//! The repository's Koreo fixtures (spec examples, the web-service sample): the reference
//! engine prepares none of them with a schema error, and neither do we.

mod common;

use std::path::{Path, PathBuf};

use common::render;
use expect_test::expect;
use koreo_schema::value::{key_text, map_get};
use koreo_schema::{SchemaStore, ValidateOptions, engine_first_error, validate_document};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    yaml_files(&root.join("reference/spec-examples"), &mut files);
    yaml_files(&root.join("web-service"), &mut files);
    files
}

#[test]
fn fixtures_validate_like_the_engine() {
    let store = SchemaStore::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut report = String::new();
    let mut koreo_docs = 0;
    for file in fixture_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in koreo_syntax::parse_file(&text)
            .documents
            .into_iter()
            .filter_map(|d| d.root)
        {
            let result = validate_document(&store, &doc, &ValidateOptions::default());
            if let Some(gvk) = &result.gvk
                && gvk.group == "koreo.dev"
            {
                koreo_docs += 1;
                let spec = map_get(&doc, "spec").map(|e| &e.value);
                let name = map_get(&doc, "metadata")
                    .and_then(|m| map_get(&m.value, "name"))
                    .and_then(|n| key_text(&n.value))
                    .unwrap_or("?");
                if let Some(spec) = spec {
                    assert_eq!(
                        engine_first_error(&gvk.kind, spec),
                        None,
                        "{}: {name}",
                        file.display()
                    );
                }
            }
            if !result.diagnostics.is_empty() {
                let rel = file.strip_prefix(&root).unwrap().display().to_string();
                report.push_str(&format!("# {rel}\n{}", render(&text, &result.diagnostics)));
            }
        }
    }
    assert!(koreo_docs > 50, "{koreo_docs}");
    expect![[r##"
        # fixtures/reference/spec-examples/05-predicates.yaml
        7:5-7:7 warning schema-unknown-field [spec.preconditions[0].ok] "ok": unknown field `ok`; expected one of `assert`, `defaultReturn`, `depSkip`, `permFail`, `retry`, `skip` (the API server drops it; `kubectl apply` rejects it)
        # fixtures/reference/spec-examples/07-vf-base-resource.yaml
        22:5-22:20 warning schema-required [spec.testCases[1].currentResource] "currentResource": missing required fields `apiVersion` and `kind`: an embedded resource needs both
        # fixtures/reference/spec-examples/23-overlayref-outcomes.yaml
        17:5-17:7 warning schema-unknown-field [spec.preconditions[0].ok] "ok": unknown field `ok`; expected one of `assert`, `defaultReturn`, `depSkip`, `permFail`, `retry`, `skip` (the API server drops it; `kubectl apply` rejects it)
        # fixtures/reference/spec-examples/25-overlayresource-bad-identifier.yaml
        14:3-14:18 warning schema-required [spec.currentResource] "currentResource": missing required fields `apiVersion` and `kind`: an embedded resource needs both
    "##]].assert_eq(&report);
}
