//! Golden tests: every workspace under `fixtures/reference/` has an `oracle.json` recorded
//! from the reference engine (`koreo_oracle.py DIR --no-timing --relative`); our verdicts,
//! outcomes, messages, return values and rendered resources must equal it.

use koreo_eval::registry::{Registry, SourceKey};
use koreo_eval::report;
use koreo_syntax::yaml::ResolveRules;
use serde_json::Value as J;
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference")
}

fn workspaces() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_root())
        .expect("fixtures/reference exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("oracle.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            yaml_files(&p, out);
        } else if [".yaml", ".yml", ".koreo", ".k"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            out.push(p);
        }
    }
}

/// Loads a workspace the way the oracle does (files in sorted order, PyYAML rules).
pub fn load(dir: &Path) -> Registry {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let mut reg = Registry::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable fixture");
        let rel = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .to_string();
        reg.load_text(&rel, &text, ResolveRules::PyYaml);
        // The engine validates each spec against its bundled CRD schema before preparing.
        let parsed = koreo_syntax::parse_file(&text);
        for (index, doc) in parsed.documents.iter().enumerate() {
            let key = SourceKey {
                file: rel.clone(),
                index,
            };
            let (Some(source), Some(root)) = (reg.source_by_key(&key), &doc.root) else {
                continue;
            };
            let kind = source.kind.as_str();
            let error = root
                .get("spec")
                .and_then(|spec| koreo_schema::engine_first_error(kind, spec));
            if error.is_some() {
                reg.set_schema_error(&key, error);
            }
        }
    }
    reg.prepare_all();
    reg
}

/// Python-internal tails (activation dumps) are not reproduced; compare up to them.
fn norm(v: &J) -> J {
    match v {
        J::String(s) => {
            let cut = s.find(" (in activation").map(|i| &s[..i]).unwrap_or(s);
            J::String(cut.to_string())
        }
        J::Array(a) => J::Array(a.iter().map(norm).collect()),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
        other => other.clone(),
    }
}

fn field<'a>(v: &'a J, k: &str) -> &'a J {
    v.get(k).unwrap_or(&J::Null)
}

fn check_eq(errors: &mut Vec<String>, what: &str, ours: &J, theirs: &J) {
    let (o, t) = (norm(ours), norm(theirs));
    if o != t {
        errors.push(format!("{what}:\n   ours:   {o}\n   oracle: {t}"));
    }
}

fn compare_workspace(dir: &Path) -> Vec<String> {
    let oracle: J = serde_json::from_str(
        &std::fs::read_to_string(dir.join("oracle.json")).expect("oracle.json"),
    )
    .expect("valid oracle.json");
    let reg = load(dir);
    let ours = report::report_json(&reg);
    let mut errors = Vec::new();

    // Prepare status of every resource.
    let our_resources = ours["resources"].as_array().cloned().unwrap_or_default();
    for r in oracle["resources"].as_array().into_iter().flatten() {
        let (kind, name) = (field(r, "kind"), field(r, "name"));
        let Some(mine) = our_resources
            .iter()
            .find(|x| field(x, "kind") == kind && field(x, "name") == name)
        else {
            errors.push(format!("resource {kind} {name}: missing in ours"));
            continue;
        };
        let what = format!("resource {kind}/{name}");
        // The oracle reports a crashed prepare as `missing` (plus an exception entry).
        let their_status = match field(r, "status").as_str() {
            Some("missing") => J::String("exception".into()),
            _ => field(r, "status").clone(),
        };
        check_eq(
            &mut errors,
            &format!("{what} status"),
            field(mine, "status"),
            &their_status,
        );
        if field(r, "outcome") != &J::Null {
            check_eq(
                &mut errors,
                &format!("{what} outcome"),
                field(mine, "outcome"),
                field(r, "outcome"),
            );
        }
        if let Some(problems) = r.get("problems").and_then(J::as_array) {
            let theirs: Vec<&J> = problems
                .iter()
                .filter(|p| {
                    !field(p, "where")
                        .as_str()
                        .unwrap_or("")
                        .starts_with("step[")
                })
                .collect();
            let mine_p = field(mine, "problems")
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (i, p) in theirs.iter().enumerate() {
                check_eq(
                    &mut errors,
                    &format!("{what} problem {i}"),
                    mine_p.get(i).unwrap_or(&J::Null),
                    p,
                );
            }
        }
        if let Some(keys) = r.get("dynamic_input_keys").and_then(J::as_array) {
            let mut t: Vec<String> = keys
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            let mut o: Vec<String> = field(mine, "dynamic_input_keys")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            t.sort();
            o.sort();
            if t != o {
                errors.push(format!(
                    "{what} dynamic_input_keys: ours {o:?}, oracle {t:?}"
                ));
            }
        }
    }

    // Nothing the engine did not load (a file PyYAML rejects loads no document).
    let oracle_has = |list: &J, kind: &J, name: &J| {
        list.as_array()
            .into_iter()
            .flatten()
            .any(|x| (kind.is_null() || field(x, "kind") == kind) && field(x, "name") == name)
    };
    for r in &our_resources {
        if !oracle_has(&oracle["resources"], field(r, "kind"), field(r, "name")) {
            errors.push(format!(
                "resource {}/{}: loaded by us, not by the engine",
                field(r, "kind"),
                field(r, "name")
            ));
        }
    }

    // FunctionTests.
    let our_tests = ours["function_tests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for t in &our_tests {
        if !oracle_has(&oracle["function_tests"], &J::Null, field(t, "name")) {
            errors.push(format!(
                "test {}: run by us, not by the engine",
                field(t, "name")
            ));
        }
    }
    for t in oracle["function_tests"].as_array().into_iter().flatten() {
        let name = field(t, "name");
        let Some(mine) = our_tests.iter().find(|x| field(x, "name") == name) else {
            errors.push(format!("test {name}: not run by us"));
            continue;
        };
        let what = format!("test {name}");
        check_eq(
            &mut errors,
            &format!("{what} status"),
            field(mine, "status"),
            field(t, "status"),
        );
        if field(t, "status") == "error" {
            let theirs = field(t, "message").as_str().unwrap_or("");
            let mine_msg = field(mine, "message").as_str().unwrap_or("");
            match theirs.strip_prefix("exception while running: ") {
                // The run aborted on a host exception: we report the reference LS's
                // `Unknown {exception}.` with the same exception text.
                Some(exc) => {
                    let text = exc.split_once(": ").map(|x| x.1).unwrap_or(exc);
                    if mine_msg != format!("Unknown {text}.") {
                        errors.push(format!(
                            "{what} message: ours {mine_msg:?}, oracle {theirs:?}"
                        ));
                    }
                }
                None => check_eq(
                    &mut errors,
                    &format!("{what} message"),
                    field(mine, "message"),
                    field(t, "message"),
                ),
            }
            continue;
        }
        check_eq(
            &mut errors,
            &format!("{what} fatal"),
            field(mine, "fatal_error"),
            field(t, "fatal_error"),
        );
        let their_cases = field(t, "test_cases")
            .as_array()
            .cloned()
            .unwrap_or_default();
        let my_cases = field(mine, "test_cases")
            .as_array()
            .cloned()
            .unwrap_or_default();
        if their_cases.len() != my_cases.len() {
            errors.push(format!(
                "{what}: {} cases run, oracle {}",
                my_cases.len(),
                their_cases.len()
            ));
        }
        for (tc, mc) in their_cases.iter().zip(&my_cases) {
            let cw = format!(
                "{what} case {} ({})",
                field(tc, "index"),
                field(tc, "label")
            );
            for key in [
                "label",
                "pass",
                "message",
                "differences",
                "failure",
                "expected",
                "actual_outcome",
                "actual_return",
                "materialized_resource",
                "delete_called",
                "api_called",
                "resource_id",
            ] {
                if tc.get(key).is_some() {
                    check_eq(
                        &mut errors,
                        &format!("{cw} {key}"),
                        field(mc, key),
                        field(tc, key),
                    );
                }
            }
        }
    }
    errors
}

#[test]
fn reference_workspaces_match_the_engine() {
    let dirs = workspaces();
    assert!(!dirs.is_empty(), "no golden workspaces found");
    let mut failures = Vec::new();
    for dir in &dirs {
        for e in compare_workspace(dir) {
            failures.push(format!(
                "[{}] {e}",
                dir.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from the reference:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Workflow reconciles: `workflow_cases.json` (inputs) and `workflow_oracle.json` (the
/// engine's results, from `fixtures/reference/workflow_oracle.py`).
fn compare_workflows(dir: &Path) -> Vec<String> {
    let path = dir.join("workflow_oracle.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let oracle: J = serde_json::from_str(&text).expect("valid workflow_oracle.json");
    let inputs: J = serde_json::from_str(
        &std::fs::read_to_string(dir.join("workflow_cases.json")).expect("workflow_cases.json"),
    )
    .expect("valid workflow_cases.json");
    let reg = load(dir);
    let mut errors = Vec::new();
    let outputs = oracle["cases"].as_array().cloned().unwrap_or_default();
    let inputs = inputs.as_array().cloned().unwrap_or_default();
    assert_eq!(
        inputs.len(),
        outputs.len(),
        "workflow goldens are stale in {}",
        dir.display()
    );
    for (i, (input, case)) in inputs.iter().zip(&outputs).enumerate() {
        let name = case["workflow"].as_str().unwrap_or_default();
        let parent = koreo_eval::data::Data::from_serde(&case["parent"]);
        let what = format!("workflow case {i} ({name})");
        if let Some(objects) = input.get("cluster").and_then(J::as_array) {
            errors.extend(compare_cluster_case(
                &reg, input, case, name, &parent, objects, &what,
            ));
            continue;
        }
        let mut api = koreo_eval::api::MockApi::new(None);
        let Some(result) = reg.reconcile_workflow(name, &parent, &mut api) else {
            errors.push(format!("{what}: not prepared"));
            continue;
        };
        let ours = match result {
            Ok(r) => report::workflow_json(&r),
            Err(e) => {
                errors.push(format!("{what}: {e:?}"));
                continue;
            }
        };
        for key in [
            "result",
            "conditions",
            "state",
            "state_errors",
            "resource_ids",
        ] {
            check_eq(
                &mut errors,
                &format!("{what} {key}"),
                field(&ours, key),
                field(case, key),
            );
        }
    }
    errors
}

#[test]
fn workflow_reconciles_match_the_engine() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for dir in workspaces() {
        if dir.join("workflow_oracle.json").is_file() {
            compared += 1;
        }
        for e in compare_workflows(&dir) {
            failures.push(format!(
                "[{}] {e}",
                dir.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            ));
        }
    }
    assert!(compared > 0, "no workflow goldens found");
    assert!(
        failures.is_empty(),
        "{} differences from the reference:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A multi-pass reconcile against an in-memory cluster.
fn compare_cluster_case(
    reg: &Registry,
    input: &J,
    case: &J,
    name: &str,
    parent: &koreo_eval::data::Data,
    objects: &[J],
    what: &str,
) -> Vec<String> {
    use koreo_eval::data::Data;
    let mut errors = Vec::new();
    let mut cluster = koreo_eval::api::InMemoryCluster::new();
    for o in objects {
        cluster.insert(Data::from_serde(o));
    }
    let passes = input["passes"].as_u64().unwrap_or(1) as usize;
    let their_passes = case["passes"].as_array().cloned().unwrap_or_default();
    for pass in 0..passes {
        let Some(Ok(r)) = reg.reconcile_workflow(name, parent, &mut cluster) else {
            errors.push(format!("{what} pass {pass}: did not run"));
            return errors;
        };
        let ours = report::workflow_json(&r);
        let theirs = their_passes.get(pass).cloned().unwrap_or(J::Null);
        for key in [
            "result",
            "conditions",
            "state",
            "state_errors",
            "resource_ids",
        ] {
            check_eq(
                &mut errors,
                &format!("{what} pass {pass} {key}"),
                field(&ours, key),
                field(&theirs, key),
            );
        }
        for st in input["statuses"].as_array().into_iter().flatten() {
            let (kind, ns, n) = (
                st["kind"].as_str().unwrap_or(""),
                st["namespace"].as_str(),
                st["name"].as_str().unwrap_or(""),
            );
            let api_version = cluster
                .objects()
                .find(|o| {
                    o.get("kind").and_then(Data::as_str) == Some(kind)
                        && o.get_path(&["metadata", "name"]).and_then(Data::as_str) == Some(n)
                })
                .and_then(|o| {
                    o.get("apiVersion")
                        .and_then(Data::as_str)
                        .map(str::to_string)
                });
            if let Some(av) = api_version
                && let Some(Data::Map(m)) = cluster.object_mut(&av, kind, ns, n)
            {
                m.insert("status".into(), Data::from_serde(&st["status"]));
            }
        }
    }
    let mut after: Vec<J> = cluster.objects().map(Data::to_serde).collect();
    let sort_key = |o: &J| {
        (
            o["kind"].as_str().unwrap_or("").to_string(),
            o["metadata"]["name"].as_str().unwrap_or("").to_string(),
        )
    };
    after.sort_by_key(sort_key);
    check_eq(
        &mut errors,
        &format!("{what} cluster after"),
        &J::Array(after),
        field(case, "cluster_after"),
    );
    errors
}
