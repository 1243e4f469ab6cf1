//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use koreo_schema::{Node, SchemaDiagnostic};
use koreo_syntax::LineIndex;
use koreo_syntax::yaml::Severity;

/// The first document of `text` (tests only feed well-formed YAML).
pub fn parse(text: &str) -> Node {
    let parsed = koreo_syntax::parse_file(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let doc = parsed.documents.into_iter().next().expect("one document");
    assert!(
        doc.errors.iter().all(|e| e.severity != Severity::Error),
        "{:?}",
        doc.errors
    );
    doc.root.expect("a value")
}

/// Every document of `text`.
pub fn parse_all(text: &str) -> Vec<Node> {
    koreo_syntax::parse_file(text)
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .collect()
}

/// One line per diagnostic: `line:col-line:col severity code [path] message (→ fix)`,
/// 1-based positions, plus the source text the range covers.
pub fn render(text: &str, diags: &[SchemaDiagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let (l1, c1) = index.line_col(d.range.start()).unwrap_or((0, 0));
        let (l2, c2) = index.line_col(d.range.end()).unwrap_or((0, 0));
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        };
        let covered = &text[usize::from(d.range.start())..usize::from(d.range.end())];
        let covered: String = covered
            .chars()
            .take(30)
            .collect::<String>()
            .replace('\n', "⏎");
        out.push_str(&format!(
            "{}:{}-{}:{} {sev} {} [{}] {:?}: {}",
            l1 + 1,
            c1 + 1,
            l2 + 1,
            c2 + 1,
            d.code,
            d.path,
            covered,
            d.message
        ));
        if let Some(s) = &d.suggestion {
            out.push_str(&format!(" (fix: {s})"));
        }
        out.push('\n');
    }
    out
}

/// A file of `tests/data`.
pub fn data(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
