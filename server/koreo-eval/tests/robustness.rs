//! Never panic on input: every golden file, truncated and mutated in many deterministic
//! ways, goes through load, prepare, diagnostics, FunctionTests and previews.

use koreo_eval::{Data, InMemoryCluster, Kind, Registry};
use koreo_syntax::yaml::ResolveRules;
use std::path::Path;

fn files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.path().extension().is_some_and(|e| e == "yaml") {
                out.push(std::fs::read_to_string(f.path()).expect("readable"));
            }
        }
    }
    out.sort();
    out
}

fn exercise(text: &str) {
    for rules in [ResolveRules::PyYaml, ResolveRules::Kubernetes] {
        let mut reg = Registry::new();
        reg.load_text("x.yaml", text, rules);
        reg.prepare_all();
        let _ = reg.diagnostics();
        let _ = reg.run_all_tests();
        let refs: Vec<_> = reg.resources().cloned().collect();
        let parent = Data::from_json_text(
            r#"{"metadata": {"name": "p", "namespace": "ns", "uid": "u"}, "spec": {"items": [1, "a", null], "env": "prod"}}"#,
        )
        .unwrap_or_default();
        for r in refs {
            let _ = reg.dependents(&r);
            match r.kind {
                Kind::Workflow => {
                    let mut cluster = InMemoryCluster::new();
                    let _ = reg.reconcile_workflow(&r.name, &parent, &mut cluster);
                }
                Kind::ValueFunction => {
                    let _ = reg.preview_value_function(&r.name, &parent, Some(&parent));
                }
                Kind::ResourceFunction => {
                    let _ = reg.preview_resource_function(&r.name, &parent, Some(&parent));
                }
                _ => {}
            }
        }
    }
}

/// A small deterministic generator (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn truncated_and_mutated_files_never_panic() {
    let replacements = [
        "", "=", "'", "\"", "[", "{", "}", ":", "\n", " ", "- ", "\\", "0", "=1/0", "null", "=[]==",
    ];
    let mut rng = Lcg(7);
    let mut runs = 0;
    for text in files() {
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        // Truncations.
        for i in boundaries.iter().step_by((boundaries.len() / 12).max(1)) {
            exercise(&text[..*i]);
            runs += 1;
        }
        // Splices.
        for _ in 0..12 {
            let at = boundaries[(rng.next() as usize) % boundaries.len()];
            let end = boundaries
                .iter()
                .copied()
                .find(|b| *b >= at + (rng.next() as usize % 6))
                .unwrap_or(text.len());
            let rep = replacements[(rng.next() as usize) % replacements.len()];
            let mutated = format!("{}{}{}", &text[..at], rep, &text[end..]);
            exercise(&mutated);
            runs += 1;
        }
    }
    assert!(runs > 100, "only {runs} runs");
}
