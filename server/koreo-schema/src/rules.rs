//! The seam between the validator and the CEL evaluator for `x-kubernetes-validations`.
//!
//! Everything the walker needs from CEL goes through [`evaluate`] and
//! [`evaluate_message`]: the rule text, `self` as JSON, and a verdict. Rules run in the
//! Kubernetes dialect of koreo-cel (standard CEL plus the Kubernetes extension library),
//! with `oldSelf` unbound: we validate objects as if they were being created, and
//! transition rules only apply to updates.

use serde_json::Value;

/// What became of one rule.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RuleVerdict {
    /// The rule holds.
    Pass,
    /// The rule is false: the object would be rejected.
    Fail,
    /// The rule could not be evaluated (unsupported function, runtime error, ...). Never
    /// reported as a failure.
    Error(String),
    /// Not applicable here (a transition rule, which needs `oldSelf`).
    Skipped,
}

/// True for transition rules, which Kubernetes only evaluates on updates.
pub(crate) fn is_transition_rule(rule: &str) -> bool {
    rule.contains("oldSelf")
}

/// Evaluate `rule` with `self` bound to `self_value`.
pub(crate) fn evaluate(rule: &str, self_value: &Value) -> RuleVerdict {
    if is_transition_rule(rule) {
        return RuleVerdict::Skipped;
    }
    backend::evaluate(rule, self_value)
}

/// Evaluate a `messageExpression`; `None` when it fails or is not a string (Kubernetes
/// then falls back to `message`).
pub(crate) fn evaluate_message(expr: &str, self_value: &Value) -> Option<String> {
    if is_transition_rule(expr) {
        return None;
    }
    backend::evaluate_message(expr, self_value)
}

mod backend {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    use koreo_cel::{
        Activation, Budget, Dialect, EvalOptions, Failure, Native, Program, Value as CelValue,
    };
    use serde_json::Value;

    use super::RuleVerdict;

    /// Rules repeat across objects and files: parse each rule text once per thread.
    const CACHE_LIMIT: usize = 4096;

    thread_local! {
        static PROGRAMS: RefCell<HashMap<String, Rc<Result<Program, String>>>> = RefCell::new(HashMap::new());
    }

    fn program(source: &str) -> Rc<Result<Program, String>> {
        PROGRAMS.with(|cell| {
            let mut cache = cell.borrow_mut();
            if let Some(p) = cache.get(source) {
                return p.clone();
            }
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            let parsed = Program::parse(source).map_err(|errors| {
                errors.first().map_or_else(
                    || "syntax error".to_owned(),
                    |e| format!("syntax error: {}", e.message),
                )
            });
            let p = Rc::new(parsed);
            cache.insert(source.to_owned(), p.clone());
            p
        })
    }

    /// cel-python's reasons can end with a dump of the whole activation: keep the sentence.
    fn short(reason: String) -> String {
        let cut = reason.find(" (in activation").unwrap_or(reason.len());
        let mut out: String = reason[..cut].chars().take(200).collect();
        if out.len() < cut {
            out.push('…');
        }
        out
    }

    fn run(source: &str, self_value: &Value) -> Result<CelValue, String> {
        let program = program(source);
        let program = program.as_ref().as_ref().map_err(Clone::clone)?;
        let bound = koreo_cel::from_json(self_value).map_err(|e| format!("{e:?}"))?;
        let activation = Activation::new().with("self", bound);
        let options = EvalOptions {
            budget: Budget::default(),
            dialect: Dialect::Kubernetes,
        };
        match koreo_cel::evaluate(program, &activation, &options) {
            Ok(CelValue::Error(e)) => Err(short(e.reason())),
            Ok(v) => Ok(v),
            Err(Failure::Error(e)) => Err(short(e.reason())),
            Err(other) => Err(short(other.reason())),
        }
    }

    pub(super) fn evaluate(rule: &str, self_value: &Value) -> RuleVerdict {
        match run(rule, self_value) {
            Ok(CelValue::Bool(b) | CelValue::Native(Native::Bool(b))) => {
                if b {
                    RuleVerdict::Pass
                } else {
                    RuleVerdict::Fail
                }
            }
            Ok(_) => RuleVerdict::Error("the rule does not evaluate to a boolean".into()),
            Err(e) => RuleVerdict::Error(e),
        }
    }

    pub(super) fn evaluate_message(expr: &str, self_value: &Value) -> Option<String> {
        match run(expr, self_value) {
            Ok(v) => v.as_str().map(str::to_owned),
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn verdicts() {
        let v = json!({"min": 5, "max": 2, "name": "ab_c"});
        assert_eq!(evaluate("self.min <= self.max", &v), RuleVerdict::Fail);
        assert_eq!(evaluate("self.max < self.min", &v), RuleVerdict::Pass);
        // RE2 classes in the Kubernetes dialect.
        assert_eq!(
            evaluate(r#"self.name.matches("^[[:word:]]+$")"#, &v),
            RuleVerdict::Pass
        );
        assert_eq!(
            evaluate("self.min == oldSelf.min", &v),
            RuleVerdict::Skipped
        );
        assert!(matches!(evaluate("self.min +", &v), RuleVerdict::Error(_)));
        assert!(matches!(evaluate("self.min", &v), RuleVerdict::Error(_)));
        match evaluate("self.nope()", &v) {
            RuleVerdict::Error(e) => assert!(!e.contains("activation"), "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            evaluate_message("'min is ' + string(self.min)", &v).as_deref(),
            Some("min is 5")
        );
        assert_eq!(evaluate_message("self.min", &v), None);
    }
}
