//! Code actions: "Update expectation to actual" on failing FunctionTest cases, "Add missing
//! inputs" on FunctionTests, "Replace with 'X'" on unknown references with a suggestion.
//! Edits are byte ranges of one file; everything outside the replaced node stays as is.

use koreo_eval::ft::Assertion;
use koreo_eval::{Kind, ResourceRef, Verdict};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::db::Db;
use crate::diagnostics::Diagnostic;

/// A replacement of a byte range of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// The range replaced (empty for an insertion).
    pub range: TextRange,
    /// The new text.
    pub new_text: String,
}

/// A code action: edits to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assist {
    /// What the action says.
    pub title: String,
    /// LSP code action kind: `quickfix` or `refactor.rewrite`.
    pub kind: &'static str,
    /// The edits, in the file the action was asked for, not overlapping.
    pub edits: Vec<TextEdit>,
    /// The diagnostic it fixes, if any.
    pub fixes: Option<Diagnostic>,
}

fn touches(a: TextRange, b: TextRange) -> bool {
    a.start() <= b.end() && b.start() <= a.end()
}

/// Every action available at `range` of `file`.
pub(crate) fn code_actions(db: &Db, file: FileId, range: TextRange) -> Vec<Assist> {
    let mut out = Vec::new();
    update_expectations(db, file, range, &mut out);
    add_missing_inputs(db, file, range, &mut out);
    replace_suggestion(db, file, range, &mut out);
    out
}

fn line_start(text: &str, at: TextSize) -> usize {
    text[..usize::from(at).min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

fn column(text: &str, at: TextSize) -> usize {
    usize::from(at) - line_start(text, at)
}

/// `data` written where `node` is: block YAML indented to the node's column when the node
/// is a block collection, flow (JSON, which YAML reads the same) otherwise.
fn render_at(text: &str, node: TextRange, data: &koreo_eval::Data) -> String {
    let written = &text[usize::from(node.start())..usize::from(node.end()).min(text.len())];
    // A block collection starts its own line (after indentation or a list item's `- `).
    let before = &text[line_start(text, node.start())..usize::from(node.start())];
    let own_line = before
        .trim_start()
        .trim_start_matches('-')
        .trim()
        .is_empty();
    let collection = match data {
        koreo_eval::Data::Map(m) => !m.is_empty(),
        koreo_eval::Data::List(l) => !l.is_empty(),
        _ => false,
    };
    if !own_line || written.starts_with(['{', '[']) || !collection {
        return data.json_dumps();
    }
    let indent = " ".repeat(column(text, node.start()));
    let yaml = crate::yaml_out::to_yaml(data);
    yaml.trim_end_matches('\n')
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_owned()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn update_expectations(db: &Db, file: FileId, range: TextRange, out: &mut Vec<Assist>) {
    let Some(fa) = db.files.get(&file) else {
        return;
    };
    let text = fa.text();
    let test_diags = db.test_diags.get(&file);
    let mut tests: Vec<_> = db.tests.values().filter(|t| t.file == file).collect();
    tests.sort_by_key(|t| t.range.start());
    for t in tests {
        for c in &t.run.cases {
            if c.verdict != Verdict::Fail {
                continue;
            }
            let node = match &c.assertion {
                Assertion::Return(n) | Assertion::Resource(n) => n,
                _ => continue,
            };
            let item = t.case_nodes.get(c.index).map_or(c.range, |n| n.0);
            if !touches(item, range) {
                continue;
            }
            let Some(actual) = c.expectation_from_actual() else {
                continue;
            };
            let fixes = test_diags.and_then(|ds| {
                ds.iter()
                    .filter(|d| item.contains_range(d.range))
                    .find(|d| d.code == "test-field-mismatch" && touches(d.range, range))
                    .or_else(|| {
                        ds.iter()
                            .find(|d| d.code == "test-case-failed" && item.contains_range(d.range))
                    })
                    .cloned()
            });
            out.push(Assist {
                title: format!(
                    "Update {} of '{}' to the actual value",
                    c.assertion.field(),
                    c.label
                ),
                kind: "quickfix",
                edits: vec![TextEdit {
                    range: node.range,
                    new_text: render_at(text, node.range, &actual),
                }],
                fixes,
            });
        }
    }
}

fn add_missing_inputs(db: &Db, file: FileId, range: TextRange, out: &mut Vec<Assist>) {
    let Some(fa) = db.files.get(&file) else {
        return;
    };
    let text = fa.text();
    let registry = db.eval.test_registry();
    for res in fa.resources() {
        if res.kind != koreo_model::Kind::FunctionTest || !touches(res.range, range) {
            continue;
        }
        let Some(name) = &res.name else { continue };
        let Some(report) = registry.test_input_report(&name.value) else {
            continue;
        };
        if report.missing.is_empty() {
            continue;
        }
        let Some(src) = registry.source(&ResourceRef::new(Kind::FunctionTest, &name.value)) else {
            continue;
        };
        if src.range != res.range {
            continue;
        }
        let inputs = src.spec.get("inputs").filter(|n| !n.is_null());
        let edit = match inputs {
            Some(n) if text[usize::from(n.range.start())..].starts_with('{') => {
                let inner = &text[usize::from(n.range.start()) + 1..usize::from(n.range.end()) - 1];
                let sep = if inner.trim().is_empty() { "" } else { ", " };
                let keys: Vec<String> = report
                    .missing
                    .iter()
                    .map(|m| format!("{m}: null"))
                    .collect();
                TextEdit {
                    range: TextRange::empty(n.range.end() - TextSize::from(1)),
                    new_text: format!("{sep}{}", keys.join(", ")),
                }
            }
            Some(n) if n.entries().is_some() => {
                let indent = " ".repeat(column(text, n.range.start()));
                TextEdit {
                    range: TextRange::empty(n.range.end()),
                    new_text: report
                        .missing
                        .iter()
                        .map(|m| format!("\n{indent}{m}: null"))
                        .collect(),
                }
            }
            Some(_) => continue,
            None => {
                let Some(fref) = src.spec.get_entry("functionRef") else {
                    continue;
                };
                let col = column(text, fref.key.range.start());
                let inner = " ".repeat(col + 2);
                let keys: String = report
                    .missing
                    .iter()
                    .map(|m| format!("{inner}{m}: null\n"))
                    .collect();
                TextEdit {
                    range: TextRange::empty(fref.key.range.start()),
                    new_text: format!("inputs:\n{keys}{}", " ".repeat(col)),
                }
            }
        };
        let fixes = db.eval_diags.get(&file).and_then(|ds| {
            ds.iter()
                .find(|d| d.code == "missing-test-input" && res.range.contains_range(d.range))
                .cloned()
        });
        out.push(Assist {
            title: format!("Add missing inputs: {}", report.missing.join(", ")),
            kind: "quickfix",
            edits: vec![edit],
            fixes,
        });
    }
}

fn replace_suggestion(db: &Db, file: FileId, range: TextRange, out: &mut Vec<Assist>) {
    let (Some(fa), Some(sem)) = (db.files.get(&file), db.semantic.get(&file)) else {
        return;
    };
    for d in sem.iter() {
        if d.code != "unknown-reference" || !touches(d.range, range) {
            continue;
        }
        let Some(rest) = d.message.split("Did you mean '").nth(1) else {
            continue;
        };
        let Some(suggestion) = rest.strip_suffix("'?") else {
            continue;
        };
        let written = fa
            .text()
            .get(usize::from(d.range.start())..usize::from(d.range.end()))
            .unwrap_or("");
        // A name written as a CEL string literal stays one.
        let new_text = if written.starts_with('=') {
            format!(
                "={}",
                koreo_eval::Data::Str(suggestion.to_owned()).json_dumps()
            )
        } else {
            suggestion.to_owned()
        };
        out.push(Assist {
            title: format!("Replace with '{suggestion}'"),
            kind: "quickfix",
            edits: vec![TextEdit {
                range: d.range,
                new_text,
            }],
            fixes: Some(d.clone()),
        });
    }
}
