//! The IDE's FunctionTest results agree with the reference engine's recorded verdicts
//! (`fixtures/reference/*/oracle.json`) for every test's status and every case.

use std::path::PathBuf;

use koreo_ide::{AnalysisHost, CaseVerdict, Change, TestVerdict};

#[test]
fn ide_test_results_match_the_reference_verdicts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("oracle.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for dir in dirs {
        let oracle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("oracle.json")).unwrap())
                .unwrap();
        let (files, _) = koreo_ide::discover::scan(&dir);
        let mut change = Change::new();
        for f in files {
            change.set_disk(f.path.to_string_lossy(), Some(f.contents));
        }
        let mut host = AnalysisHost::new();
        host.apply_change(change);
        let results = host.analysis().test_results(None).unwrap();
        for t in oracle["function_tests"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            let Some(ours) = results.iter().find(|r| r.name == name) else {
                mismatches.push(format!("{}: {name} not run", dir.display()));
                continue;
            };
            compared += 1;
            let status = match t["status"].as_str().unwrap() {
                "pass" | "no_tests" => TestVerdict::Pass,
                "fail" => TestVerdict::Fail,
                _ => TestVerdict::Error,
            };
            if ours.verdict != status {
                mismatches.push(format!("{name}: {:?} vs {status:?}", ours.verdict));
            }
            for c in t["test_cases"].as_array().unwrap() {
                let i = c["index"].as_u64().unwrap() as usize;
                let expected = if c["skipped"].as_bool() == Some(true) {
                    CaseVerdict::Skip
                } else if c["pass"].as_bool() == Some(true) {
                    CaseVerdict::Pass
                } else {
                    CaseVerdict::Fail
                };
                let got = ours.cases.get(i).map(|c| c.verdict);
                if got != Some(expected) {
                    mismatches.push(format!("{name}[{i}]: {got:?} vs {expected:?}"));
                }
            }
        }
    }
    assert!(compared > 10, "only {compared} tests compared");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
