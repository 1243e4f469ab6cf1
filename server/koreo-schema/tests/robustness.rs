//! Never panic on input: mutated Koreo and Kubernetes documents through the whole layer.

mod common;

use common::data;
use koreo_schema::cache::build_snapshot;
use koreo_schema::value::map_get;
use koreo_schema::{
    ExpressionMode, SchemaStore, ValidateOptions, engine_first_error, validate_document,
};
use proptest::prelude::*;

const SEEDS: [&str; 3] = [
    r#"apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata: {name: wf}
spec:
  crdRef: {apiGroup: a, version: v1, kind: K}
  steps:
    - label: one
      refSwitch:
        switchOn: =inputs.x
        cases: [{case: a, kind: ValueFunction, name: x, default: true}]
      state: {a: =value.a}
      condition: {type: Ready, name: n}
"#,
    r#"apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: rf}
spec:
  apiConfig: {apiVersion: v1, kind: ConfigMap, name: =inputs.n, namespaced: true}
  resource: {data: {a: "1"}}
  overlays: [{overlayRef: {kind: ValueFunction, name: v}, skipIf: =false}]
  update: {never: {}}
  postconditions: [{assert: =true, retry: {message: m, delay: 3}}]
"#,
    r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {a: b}}
spec:
  replicas: 2
  selector: {matchLabels: {a: b}}
  template:
    spec:
      containers: [{name: c, image: i, ports: [{containerPort: 80}], resources: {limits: {cpu: 1}}}]
"#,
];

fn store() -> SchemaStore {
    let docs: Vec<(String, serde_json::Value)> = ["api/v1", "apis/apps/v1"]
        .iter()
        .map(|gv| {
            (
                gv.to_string(),
                serde_json::from_str(&data(&format!("openapi/{gv}.json"))).unwrap(),
            )
        })
        .collect();
    let mut store = SchemaStore::new();
    store.set_cluster(build_snapshot("t", None, &docs, false));
    store
}

fn mutate(seed: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    const ALPHABET: &[u8] = b" \n:-[]{},=\"'#&*!|>0123456789aZ.~\t";
    for &(pos, op, ch) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = pos % bytes.len();
        let c = ALPHABET[ch as usize % ALPHABET.len()];
        match op % 3 {
            0 => bytes[i] = c,
            1 => bytes.insert(i, c),
            _ => {
                bytes.remove(i);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]
    #[test]
    fn mutated_documents_never_panic(seed in 0usize..SEEDS.len(), edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12)) {
        thread_local! { static STORE: SchemaStore = store(); }
        let text = mutate(SEEDS[seed], &edits);
        let parsed = koreo_syntax::parse_file(&text);
        STORE.with(|store| {
            for doc in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
                for expressions in [ExpressionMode::Literal, ExpressionMode::Dynamic] {
                    for partial in [false, true] {
                        let options = ValidateOptions { expressions, partial };
                        let result = validate_document(store, doc, &options);
                        for d in &result.diagnostics {
                            prop_assert!(usize::from(d.range.end()) <= text.len());
                        }
                    }
                }
                if let Some(spec) = map_get(doc, "spec") {
                    for kind in koreo_schema::builtin::KOREO_KINDS {
                        let _ = engine_first_error(kind, &spec.value);
                    }
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let store = store();
    for depth in [100, 1000] {
        let text = format!(
            "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {{name: x}}\nspec:\n  return: {{a: {}{}}}\n  locals: 1\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let parsed = koreo_syntax::parse_file(&text);
        let doc = parsed.documents[0].root.as_ref().expect("a value tree");
        let result = validate_document(&store, doc, &ValidateOptions::default());
        assert!(
            result.diagnostics.iter().any(|d| d.code == "schema-type"),
            "{depth}: {:?}",
            result.diagnostics
        );
    }
}
