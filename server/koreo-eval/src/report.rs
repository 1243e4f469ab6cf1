//! Results as JSON in the shape of the reference oracle's output (`koreo_oracle.py`), so
//! our runs can be compared with goldens recorded from the engine, and tools can print
//! machine-readable test results.

use crate::data::Data;
use crate::ft::{Assertion, CaseResult, TestRun, Verdict};
use crate::outcome::{Outcome, OutcomeKind};
use crate::registry::{Prepared, Registry};
use crate::resource::Kind;
use serde_json::{Map, Value as J, json};

fn opt_str(s: Option<&str>) -> J {
    s.map(|x| J::String(x.to_string())).unwrap_or(J::Null)
}

/// An outcome as the oracle prints it (`{"type", "message", "location"[, "delay"]}`).
pub fn outcome_json<T>(o: &Outcome<T>, value: impl FnOnce(&T) -> J) -> J {
    match o {
        Outcome::Ok(v) => json!({"type": "Ok", "value": value(v)}),
        Outcome::Retry(r) => json!({
            "type": "Retry",
            "message": r.message,
            "delay": r.delay,
            "location": r.location,
        }),
        other => json!({
            "type": other.kind().name(),
            "message": opt_str(other.message()),
            "location": opt_str(other.location()),
        }),
    }
}

fn expected_json(a: &Assertion) -> J {
    match a {
        Assertion::Outcome { expected, .. } => match expected {
            None => json!({"assertion": "expectOutcome", "outcome": {"type": "Ok"}}),
            Some(o) => {
                json!({"assertion": "expectOutcome", "outcome": outcome_json(o, |_| J::Null)})
            }
        },
        Assertion::Return(n) => {
            json!({"assertion": "expectReturn", "value": n.to_data().to_serde()})
        }
        Assertion::Resource(n) => {
            json!({"assertion": "expectResource", "resource": n.to_data().to_serde()})
        }
        Assertion::Delete { expected, .. } => {
            json!({"assertion": "expectDelete", "expected": expected})
        }
    }
}

/// One case in the oracle's shape. Not-run cases are omitted by the caller.
pub fn case_json(c: &CaseResult, rf: bool) -> J {
    let mut m = Map::new();
    m.insert("index".into(), json!(c.index));
    m.insert("label".into(), json!(c.label));
    m.insert("variant".into(), json!(c.variant));
    m.insert("skipped".into(), json!(c.verdict == Verdict::Skip));
    m.insert(
        "pass".into(),
        json!(matches!(c.verdict, Verdict::Pass | Verdict::Skip)),
    );
    m.insert("message".into(), opt_str(c.message.as_deref()));
    m.insert(
        "differences".into(),
        c.differences
            .as_ref()
            .map(|d| d.to_data().to_serde())
            .unwrap_or(J::Null),
    );
    m.insert("expected".into(), expected_json(&c.assertion));
    let failure = match c.verdict {
        Verdict::Fail => match (&c.message, &c.differences) {
            (Some(msg), _) => J::String(msg.clone()),
            (None, Some(d)) => J::String(sorted_json(&d.to_data())),
            _ => J::Null,
        },
        _ => J::Null,
    };
    m.insert("failure".into(), failure);
    let actual = c.actual.as_ref().map(|a| {
        let mut o = Map::new();
        o.insert("type".into(), json!(a.kind.name()));
        if a.kind != OutcomeKind::Ok {
            o.insert("message".into(), opt_str(a.message.as_deref()));
            if a.kind == OutcomeKind::Retry {
                o.insert("delay".into(), json!(a.delay));
            }
            o.insert("location".into(), opt_str(a.location.as_deref()));
        }
        J::Object(o)
    });
    m.insert("actual_outcome".into(), actual.clone().unwrap_or(J::Null));
    m.insert(
        "actual_return".into(),
        c.actual_return
            .as_ref()
            .map(Data::to_serde)
            .unwrap_or(J::Null),
    );
    if rf && c.actual.is_some() && c.verdict != Verdict::Skip {
        m.insert(
            "materialized_resource".into(),
            c.rendered.as_ref().map(Data::to_serde).unwrap_or(J::Null),
        );
        m.insert("api_called".into(), json!(c.api_called));
        m.insert("delete_called".into(), json!(c.delete_called));
        m.insert(
            "resource_id".into(),
            c.resource_id
                .as_ref()
                .map(Data::to_serde)
                .unwrap_or(J::Null),
        );
    }
    m.insert(
        "outcome_type".into(),
        c.actual
            .as_ref()
            .map(|a| json!(a.kind.name()))
            .unwrap_or(J::Null),
    );
    J::Object(m)
}

/// `json.dumps(x, sort_keys=True)`.
fn sorted_json(d: &Data) -> String {
    fn sort(d: &Data) -> Data {
        match d {
            Data::Map(m) => {
                let mut entries: Vec<(&String, &Data)> = m.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Data::Map(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sort(v)))
                        .collect(),
                )
            }
            Data::List(l) => Data::List(l.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(d).json_dumps()
}

/// One FunctionTest run in the oracle's shape.
pub fn test_json(run: &TestRun) -> J {
    let rf = run
        .function
        .as_ref()
        .is_some_and(|f| f.kind == Kind::ResourceFunction);
    let cases: Vec<J> = if run.crash.is_some() {
        // The engine's exception discards the partial results.
        Vec::new()
    } else {
        run.cases
            .iter()
            .filter(|c| c.verdict != Verdict::NotRun)
            .map(|c| case_json(c, rf))
            .collect()
    };
    let mut m = Map::new();
    m.insert("name".into(), json!(run.test));
    m.insert("status".into(), json!(run.status.as_str()));
    if run.status == crate::ft::TestStatus::Error {
        m.insert("message".into(), opt_str(run.message.as_deref()));
    }
    m.insert("cases_run".into(), json!(cases.len()));
    m.insert("cases_declared".into(), json!(run.cases.len()));
    m.insert("fatal_error".into(), json!(run.fatal));
    m.insert("test_cases".into(), J::Array(cases));
    J::Object(m)
}

/// Every resource's prepare status in the oracle's shape (`resources` array).
pub fn resources_json(reg: &Registry) -> Vec<J> {
    let mut out = Vec::new();
    for r in reg.resources() {
        let mut m = Map::new();
        m.insert("kind".into(), json!(r.kind.as_str()));
        m.insert("name".into(), json!(r.name));
        let Some(state) = reg.state(r) else {
            m.insert("status".into(), json!("missing"));
            out.push(J::Object(m));
            continue;
        };
        match &state.result {
            Err(e) if e.crashed => {
                m.insert("status".into(), json!("exception"));
            }
            Err(e) => {
                m.insert("status".into(), json!("error"));
                m.insert("outcome".into(), outcome_json(&e.outcome, |_| J::Null));
            }
            Ok(p) => {
                let mut problems: Vec<J> = Vec::new();
                match p {
                    Prepared::Workflow(w) => {
                        if !w.steps_ready.is_ok() {
                            problems.push(json!({"where": "steps_ready", "outcome": outcome_json(&w.steps_ready, |_| J::Null)}));
                        }
                        m.insert(
                            "dynamic_input_keys".into(),
                            json!(
                                w.parent_properties
                                    .iter()
                                    .map(|p| p.to_string())
                                    .collect::<Vec<_>>()
                            ),
                        );
                    }
                    Prepared::ResourceFunction(f) => {
                        if let Err(o) = &f.overlays {
                            problems.push(json!({"where": "overlays", "outcome": outcome_json(o, |_| J::Null)}));
                        }
                        m.insert("dynamic_input_keys".into(), json!(f.dynamic_input_keys));
                    }
                    Prepared::ValueFunction(f) => {
                        m.insert("dynamic_input_keys".into(), json!(f.dynamic_input_keys));
                    }
                    Prepared::FunctionTest(t) => {
                        if let Err(o) = &t.function {
                            problems.push(json!({"where": "function_under_test", "outcome": outcome_json(o, |_| J::Null)}));
                        }
                    }
                    Prepared::ResourceTemplate(_) => {}
                }
                if problems.is_empty() {
                    m.insert("status".into(), json!("ok"));
                } else {
                    m.insert("status".into(), json!("not_ready"));
                    m.insert("problems".into(), J::Array(problems));
                }
            }
        }
        out.push(J::Object(m));
    }
    out
}

/// The whole report: resources and FunctionTests (by name).
pub fn report_json(reg: &Registry) -> J {
    let tests: Vec<J> = reg.run_all_tests().iter().map(test_json).collect();
    json!({"resources": resources_json(reg), "function_tests": tests})
}

/// A Workflow reconcile result in the shape of `fixtures/reference/workflow_oracle.py`.
pub fn workflow_json(r: &crate::wf::WorkflowResult) -> J {
    let conditions: Vec<J> = r
        .conditions
        .iter()
        .map(|c| {
            json!({
                "type": c.type_,
                "reason": c.reason,
                "message": c.message,
                "status": c.status,
                "location": c.location,
            })
        })
        .collect();
    let state_errors: Map<String, J> = r
        .state_errors
        .iter()
        .map(|(k, v)| (k.clone(), J::String(v.clone())))
        .collect();
    json!({
        "result": outcome_json(&r.outcome, |v| crate::convert::value_to_data(v).to_serde()),
        "conditions": conditions,
        "state": crate::convert::value_to_data(&r.state).to_serde(),
        "state_errors": state_errors,
        "resource_ids": r.resource_ids.to_serde(),
    })
}
