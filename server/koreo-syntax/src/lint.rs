//! Warnings about plain scalars whose type depends on who reads them.
//!
//! The controller sees what `kubectl` sends (go-yaml v2 typing); the Python tooling and
//! its FunctionTest runner see PyYAML's YAML 1.1 typing. Where the two differ, or where
//! PyYAML refuses the scalar, the user gets a warning with the fix. `yes`/`no`/`on`/`off`
//! (booleans for both, strings for YAML 1.2 tools) only get a hint.

use text_size::TextRange;

use crate::codes;
use crate::resolve::{resolve_k8s_plain, resolve_pyyaml_plain};
use crate::yaml::{Resolved, Severity, SyntaxError};

/// Checks one plain, untagged scalar (key or value) and appends findings to `out`.
pub(crate) fn check_plain_scalar(text: &str, range: TextRange, out: &mut Vec<SyntaxError>) {
    // Fast path: most scalars start with a letter that neither reader types.
    match text.as_bytes().first() {
        // `<<` is a merge key (a plain `<<` value is too odd to warn about).
        None | Some(b'<') => return,
        Some(b) if !b"yYnNtTfFoO0123456789+-.~=".contains(b) => return,
        _ => {}
    }
    let k8s = resolve_k8s_plain(text);
    let py = resolve_pyyaml_plain(text);
    let quoted = || format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    match &py {
        Err(reason) => {
            out.push(SyntaxError {
                range,
                severity: Severity::Warning,
                code: codes::AMBIGUOUS_SCALAR,
                message: format!(
                    "`{text}` is read as {} by Kubernetes, but PyYAML (the Python tooling) cannot \
                     load it: {reason}; quote it ({}) if you mean the string",
                    describe(&k8s),
                    quoted()
                ),
            });
        }
        Ok(py) if !same(&k8s, py) => {
            let mut message = format!(
                "`{text}` is read as {} by Kubernetes but as {} by PyYAML (the Python \
                 tooling); quote it ({}) if you mean the string",
                describe(&k8s),
                describe(py),
                quoted()
            );
            if let Some(alt) = unambiguous_spelling(&k8s).or_else(|| unambiguous_spelling(py)) {
                message.push_str(&format!(", or write `{alt}`"));
            }
            out.push(SyntaxError {
                range,
                severity: Severity::Warning,
                code: codes::AMBIGUOUS_SCALAR,
                message,
            });
        }
        Ok(Resolved::Bool(b))
            if !matches!(text.to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            let quoted = quoted();
            out.push(SyntaxError {
                range,
                severity: Severity::Hint,
                code: codes::IMPLICIT_BOOLEAN,
                message: format!(
                    "`{text}` is the boolean {b} only under YAML 1.1 rules (Kubernetes, PyYAML); \
                     YAML 1.2 tools read a string. Write `{b}`, or quote it ({quoted}) if you \
                     mean the string"
                ),
            });
        }
        Ok(_) => {}
    }
}

/// Whether two readings are the same value (NaN equals NaN here).
fn same(a: &Resolved, b: &Resolved) -> bool {
    match (a, b) {
        (Resolved::Float(x), Resolved::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

/// A spelling both readers agree on, for values that have one.
fn unambiguous_spelling(v: &Resolved) -> Option<String> {
    match v {
        Resolved::Bool(b) => Some(b.to_string()),
        Resolved::Int(i) => Some(i.to_string()),
        Resolved::Float(f) if f.is_finite() => {
            let s = format!("{f:?}");
            // `1e21` style needs a dot and a signed exponent for PyYAML.
            (!s.contains('e')).then_some(s)
        }
        _ => None,
    }
}

fn describe(v: &Resolved) -> String {
    match v {
        Resolved::Null => "null".to_owned(),
        Resolved::Bool(b) => format!("the boolean {b}"),
        Resolved::Int(i) => format!("the integer {i}"),
        Resolved::BigInt(t) => format!("the integer {t}"),
        Resolved::Float(f) if f.is_nan() => "the number NaN".to_owned(),
        Resolved::Float(f) if f.is_infinite() => {
            if *f > 0.0 {
                "infinity".to_owned()
            } else {
                "minus infinity".to_owned()
            }
        }
        Resolved::Float(f) => format!("the number {f:?}"),
        Resolved::Str(s) => format!("the string \"{s}\""),
        Resolved::Date(d) => format!("the date {d}"),
        Resolved::DateTime(d) => format!("the date-time {d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Vec<(Severity, &'static str, String)> {
        let mut out = Vec::new();
        check_plain_scalar(text, TextRange::default(), &mut out);
        out.into_iter()
            .map(|e| (e.severity, e.code, e.message))
            .collect()
    }

    #[test]
    fn agreeing_scalars_are_quiet() {
        for s in [
            "true", "false", "1", "0755", "0x1F", "1.5", "null", "~", "hello", "=x + 1", "1_000",
        ] {
            assert_eq!(lint(s), vec![], "{s}");
        }
    }

    #[test]
    fn disagreements_warn_with_both_readings() {
        let w = lint("y");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].0, Severity::Warning);
        assert!(
            w[0].2.contains("the boolean true by Kubernetes"),
            "{}",
            w[0].2
        );
        assert!(w[0].2.contains("the string \"y\" by PyYAML"), "{}", w[0].2);
        assert!(w[0].2.contains("or write `true`"), "{}", w[0].2);
        let w = lint("1e3");
        assert!(
            w[0].2.contains("the number 1000.0 by Kubernetes"),
            "{}",
            w[0].2
        );
        assert!(w[0].2.contains("or write `1000.0`"), "{}", w[0].2);
        assert!(
            lint("2024-01-02")[0]
                .2
                .contains("the date 2024-01-02 by PyYAML")
        );
        assert!(
            lint("12:30:00")[0]
                .2
                .contains("the integer 45000 by PyYAML")
        );
        assert!(lint("0o17")[0].2.contains("the integer 15 by Kubernetes"));
    }

    #[test]
    fn pyyaml_failures_warn() {
        let w = lint("=");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].2
                .contains("PyYAML (the Python tooling) cannot load it"),
            "{}",
            w[0].2
        );
        assert!(lint("2024-02-30")[0].2.contains("day is out of range"));
    }

    #[test]
    fn yaml11_booleans_hint() {
        let w = lint("on");
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].0, w[0].1), (Severity::Hint, codes::IMPLICIT_BOOLEAN));
        assert!(w[0].2.contains("Write `true`"));
        assert!(lint("No")[0].2.contains("Write `false`"));
    }
}
