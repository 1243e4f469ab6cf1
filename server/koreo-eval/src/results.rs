//! Per-field views of test results for editors: which expected field differs, where it is
//! in the YAML, and what the actual value is (for diagnostics, hovers and "update
//! expectation" actions).

use crate::compare::Difference;
use crate::data::Data;
use crate::ft::{Assertion, CaseResult, Verdict};
use crate::outcome::OutcomeKind;
use crate::rf::strip_last_applied;
use crate::spec::SNode;
use text_size::TextRange;

/// One step of a path into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Renders a path as `a.b[0].c`.
pub fn path_string(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// What kind of difference a field has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldDiffKind {
    /// Expected and actual values differ.
    Mismatch,
    /// The expected field is absent from the actual value.
    Missing,
    /// The actual value has a field the expectation lacks.
    Unexpected,
    /// A list compared as a set has missing or extra members.
    Set,
}

/// One differing field of an expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    /// Path from the expectation's root.
    pub path: Vec<PathSeg>,
    /// What kind of difference.
    pub kind: FieldDiffKind,
    /// The expected value at the path (absent for unexpected fields).
    pub expected: Option<Data>,
    /// The actual value at the path (absent for missing fields).
    pub actual: Option<Data>,
    /// The engine's text for this difference (`missing`, ``expected '`5`' but found '`4`'``).
    pub message: String,
    /// Where to report it: the expected field's node (its whole entry for missing fields),
    /// or the enclosing expected mapping for unexpected fields.
    pub range: TextRange,
}

fn data_at<'a>(d: Option<&'a Data>, seg: &PathSeg) -> Option<&'a Data> {
    match (d?, seg) {
        (Data::Map(m), PathSeg::Key(k)) => m.get(k),
        (Data::List(l), PathSeg::Index(i)) => l.get(*i),
        _ => None,
    }
}

fn node_at<'a>(n: Option<&'a SNode>, seg: &PathSeg) -> Option<&'a SNode> {
    match seg {
        PathSeg::Key(k) => n?.get(k),
        PathSeg::Index(i) => n?.items()?.get(*i),
    }
}

fn entry_range(n: Option<&SNode>, key: &str) -> Option<TextRange> {
    let e = n?.get_entry(key)?;
    Some(e.key.range.cover(e.value.range))
}

/// Flattens a difference structure against the expectation's YAML node and the actual
/// value.
pub fn flatten(diff: &Difference, expected: &SNode, actual: &Data) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    walk(
        diff,
        &mut Vec::new(),
        Some(expected),
        Some(&expected.to_data()),
        Some(actual),
        expected.range,
        &mut out,
    );
    out
}

fn walk(
    diff: &Difference,
    path: &mut Vec<PathSeg>,
    node: Option<&SNode>,
    expected: Option<&Data>,
    actual: Option<&Data>,
    fallback: TextRange,
    out: &mut Vec<FieldDiff>,
) {
    let here = node.map(|n| n.range).unwrap_or(fallback);
    match diff {
        Difference::Map(entries) => {
            for (key, d) in entries {
                let seg = PathSeg::Key(key.clone());
                let child_node = node_at(node, &seg);
                let child_exp = data_at(expected, &seg);
                let child_act = data_at(actual, &seg);
                path.push(seg);
                match d {
                    Difference::Missing => out.push(FieldDiff {
                        path: path.clone(),
                        kind: FieldDiffKind::Missing,
                        expected: child_exp.cloned(),
                        actual: None,
                        message: "missing".into(),
                        range: entry_range(node, key).unwrap_or(here),
                    }),
                    Difference::Unexpected => out.push(FieldDiff {
                        path: path.clone(),
                        kind: FieldDiffKind::Unexpected,
                        expected: None,
                        actual: child_act.cloned(),
                        message: "unexpected".into(),
                        range: here,
                    }),
                    other => walk(other, path, child_node, child_exp, child_act, here, out),
                }
                path.pop();
            }
        }
        Difference::List(items) => {
            for (i, d) in items.iter().enumerate() {
                let Some(d) = d else { continue };
                let seg = PathSeg::Index(i);
                let child_node = node_at(node, &seg);
                let (e, a) = (data_at(expected, &seg), data_at(actual, &seg));
                path.push(seg);
                walk(d, path, child_node, e, a, here, out);
                path.pop();
            }
        }
        Difference::Set(items) => out.push(FieldDiff {
            path: path.clone(),
            kind: FieldDiffKind::Set,
            expected: expected.cloned(),
            actual: actual.cloned(),
            message: items.join(", "),
            range: here,
        }),
        Difference::Mismatch(m) => out.push(FieldDiff {
            path: path.clone(),
            kind: FieldDiffKind::Mismatch,
            expected: expected.cloned(),
            actual: actual.cloned(),
            message: m.clone(),
            range: here,
        }),
        Difference::Missing | Difference::Unexpected => out.push(FieldDiff {
            path: path.clone(),
            kind: if matches!(diff, Difference::Missing) {
                FieldDiffKind::Missing
            } else {
                FieldDiffKind::Unexpected
            },
            expected: expected.cloned(),
            actual: actual.cloned(),
            message: if matches!(diff, Difference::Missing) {
                "missing".into()
            } else {
                "unexpected".into()
            },
            range: here,
        }),
    }
}

impl CaseResult {
    /// The actual value the expectation is compared with: the return value
    /// (`expectReturn`) or the written object without the last-applied annotation
    /// (`expectResource`).
    pub fn compared_actual(&self) -> Option<Data> {
        match &self.assertion {
            Assertion::Return(_) => self.actual_return.clone(),
            Assertion::Resource(_) => self.rendered.as_ref().map(strip_last_applied),
            _ => None,
        }
    }

    /// Every differing field, with the YAML range of the expected field.
    pub fn field_diffs(&self) -> Vec<FieldDiff> {
        let (Some(diff), Some(actual)) = (&self.differences, self.compared_actual()) else {
            return Vec::new();
        };
        flatten(diff, self.assertion.node(), &actual)
    }

    /// What the expectation would have to say for this case to pass (for an "update
    /// expectation to actual" action): the actual return / written object, the actual
    /// outcome as an `expectOutcome` body, or whether delete was called.
    pub fn expectation_from_actual(&self) -> Option<Data> {
        match &self.assertion {
            Assertion::Return(_) | Assertion::Resource(_) => self.compared_actual(),
            Assertion::Delete { .. } => Some(Data::Bool(self.delete_called)),
            Assertion::Outcome { .. } => {
                let a = self.actual.as_ref()?;
                let mut body = crate::data::DataMap::new();
                let key = match a.kind {
                    OutcomeKind::Ok => {
                        let mut m = crate::data::DataMap::new();
                        m.insert("ok".into(), Data::map());
                        return Some(Data::Map(m));
                    }
                    OutcomeKind::Skip => "skip",
                    OutcomeKind::DepSkip => "depSkip",
                    OutcomeKind::Retry => "retry",
                    OutcomeKind::PermFail => "permFail",
                };
                body.insert(
                    "message".into(),
                    Data::Str(a.message.clone().unwrap_or_default()),
                );
                if let Some(d) = a.delay {
                    body.insert("delay".into(), Data::Int(d));
                }
                let mut m = crate::data::DataMap::new();
                m.insert(key.into(), Data::Map(body));
                Some(Data::Map(m))
            }
        }
    }

    /// A short human summary: the verdict and, for failures, the reason.
    pub fn summary(&self) -> String {
        match self.verdict {
            Verdict::Pass => "passed".into(),
            Verdict::Skip => "skipped".into(),
            Verdict::NotRun => "not run".into(),
            Verdict::Error => format!(
                "aborted: the engine raises ({})",
                self.crash
                    .as_ref()
                    .map(|c| c.message.as_str())
                    .unwrap_or("?")
            ),
            Verdict::Fail => match (&self.message, self.field_diffs().len()) {
                (Some(m), _) => format!("failed: {m}"),
                (None, 1) => "failed: 1 field differs".into(),
                (None, n) => format!("failed: {n} fields differ"),
            },
        }
    }
}
