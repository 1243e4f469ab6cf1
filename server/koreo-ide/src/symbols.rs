//! Document outline and workspace symbol search.

use koreo_model::{Body, Item};
use text_size::TextRange;

use crate::FileId;
use crate::db::Db;
use crate::navigation::NavigationTarget;

/// What a symbol stands for (mapped to LSP symbol kinds by the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A Koreo resource.
    Resource,
    /// A workflow step.
    Step,
    /// A FunctionTest test case.
    TestCase,
    /// A CRD.
    Crd,
    /// Another Kubernetes object.
    Object,
}

/// One node of a document outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// Extra text shown next to the name (the kind, or a step's target).
    pub detail: Option<String>,
    /// What the symbol stands for.
    pub kind: SymbolKind,
    /// The whole element.
    pub range: TextRange,
    /// The name (or the element when it has no name node).
    pub selection_range: TextRange,
    /// Nested symbols (steps, test cases).
    pub children: Vec<Symbol>,
}

pub(crate) fn document_symbols(db: &Db, file: FileId) -> Vec<Symbol> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in fa.items() {
        match item {
            Item::Resource(res) => {
                let (name, sel) = match &res.name {
                    Some(n) => (n.value.clone(), n.range),
                    None => (format!("<unnamed {}>", res.kind), res.kind_range),
                };
                let mut children = Vec::new();
                match &res.body {
                    Body::Workflow(wf) => {
                        for (i, step) in wf.steps.iter().enumerate() {
                            let (name, sel) = match &step.label {
                                Some(l) => (l.value.clone(), l.range),
                                None => (format!("step {}", i + 1), step.range),
                            };
                            let detail = step
                                .reference
                                .as_ref()
                                .and_then(|r| {
                                    let k = r.kind.as_ref().map_or("?", |k| k.value.as_str());
                                    r.name.as_ref().map(|n| format!("{k} {}", n.value))
                                })
                                .or_else(|| {
                                    step.ref_switch.as_ref().map(|_| "refSwitch".to_owned())
                                });
                            children.push(Symbol {
                                name,
                                detail,
                                kind: SymbolKind::Step,
                                range: step.range,
                                selection_range: sel,
                                children: Vec::new(),
                            });
                        }
                    }
                    Body::FunctionTest(ft) => {
                        for (i, tc) in ft.test_cases.iter().enumerate() {
                            let (name, sel) = match &tc.label {
                                Some(l) => (l.value.clone(), l.range),
                                None => (format!("Test Case {}", i + 1), tc.range),
                            };
                            children.push(Symbol {
                                name,
                                detail: None,
                                kind: SymbolKind::TestCase,
                                range: tc.range,
                                selection_range: sel,
                                children: Vec::new(),
                            });
                        }
                    }
                    _ => {}
                }
                out.push(Symbol {
                    name,
                    detail: Some(res.kind.as_str().to_owned()),
                    kind: SymbolKind::Resource,
                    range: res.range,
                    selection_range: sel,
                    children,
                });
            }
            Item::Crd(crd) => {
                let (name, sel) = match &crd.name {
                    Some(n) => (n.value.clone(), n.range),
                    None => ("<unnamed CRD>".to_owned(), crd.range),
                };
                out.push(Symbol {
                    name,
                    detail: Some("CustomResourceDefinition".to_owned()),
                    kind: SymbolKind::Crd,
                    range: crd.range,
                    selection_range: sel,
                    children: Vec::new(),
                });
            }
            Item::Object(obj) => {
                let Some(n) = &obj.name else { continue };
                out.push(Symbol {
                    name: n.value.clone(),
                    detail: Some(obj.kind.value.clone()),
                    kind: SymbolKind::Object,
                    range: obj.range,
                    selection_range: n.range,
                    children: Vec::new(),
                });
            }
            Item::Other => {}
        }
    }
    out
}

/// Case-insensitive subsequence match; lower scores are better (earlier, tighter matches).
fn fuzzy_score(query: &str, name: &str) -> Option<usize> {
    if query.is_empty() {
        return Some(0);
    }
    let name_l = name.to_lowercase();
    if let Some(i) = name_l.find(&query.to_lowercase()) {
        return Some(i);
    }
    let mut chars = name_l.char_indices();
    let mut last = 0;
    for q in query.to_lowercase().chars() {
        let (i, _) = chars.find(|(_, c)| *c == q)?;
        last = i;
    }
    Some(1000 + last)
}

pub(crate) fn workspace_symbols(db: &Db, query: &str, limit: usize) -> Vec<NavigationTarget> {
    let mut hits: Vec<(usize, NavigationTarget)> = Vec::new();
    for (name, defs) in db.index.all_defs() {
        let Some(score) = fuzzy_score(query, name) else {
            continue;
        };
        for d in defs {
            hits.push((
                score,
                NavigationTarget {
                    file: d.file,
                    full_range: d.range,
                    focus_range: d.name_range,
                    name: name.to_owned(),
                    kind: d.kind.as_str().to_owned(),
                },
            ));
        }
    }
    hits.sort_by(|a, b| {
        (a.0, &a.1.name, a.1.file, a.1.focus_range.start()).cmp(&(
            b.0,
            &b.1.name,
            b.1.file,
            b.1.focus_range.start(),
        ))
    });
    hits.into_iter().take(limit).map(|(_, t)| t).collect()
}
