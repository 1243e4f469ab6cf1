//! Rename of Koreo resource names (definition and every kind-aware reference in the
//! workspace) and of Workflow step labels (with their `steps.<label>` uses).

use koreo_model::{Body, Kind, Resource};
use koreo_syntax::yaml::{Node, NodeKind};
use text_size::{TextRange, TextSize};

use crate::db::Db;
use crate::navigation::{self, Hit};
use crate::{FileId, FilePosition};

/// One replacement in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceEdit {
    /// The file.
    pub file: FileId,
    /// The byte range replaced.
    pub range: TextRange,
    /// The new text.
    pub new_text: String,
}

/// Why a rename is refused, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What can be renamed at a position.
enum Target<'a> {
    /// A resource `(kind, name)`; `range` is the name under the cursor (inside quotes).
    Resource {
        kind: Kind,
        name: String,
        range: TextRange,
    },
    /// A step `label` of a Workflow.
    Label {
        workflow: &'a Resource,
        label: String,
        range: TextRange,
    },
}

/// The name inside a scalar's source: without the quotes of a quoted scalar.
fn inner(text: &str, range: TextRange) -> TextRange {
    let src = text
        .get(usize::from(range.start())..usize::from(range.end()))
        .unwrap_or("");
    let quoted = src.len() >= 2
        && (src.starts_with('"') && src.ends_with('"')
            || src.starts_with('\'') && src.ends_with('\''));
    if quoted {
        TextRange::new(
            range.start() + TextSize::from(1),
            range.end() - TextSize::from(1),
        )
    } else {
        range
    }
}

fn is_expression_source(text: &str, range: TextRange) -> bool {
    text.get(usize::from(inner(text, range).start())..)
        .is_some_and(|s| s.starts_with('='))
}

fn target(db: &Db, pos: FilePosition) -> Result<Option<Target<'_>>, RenameError> {
    let Some(fa) = db.files.get(&pos.file) else {
        return Ok(None);
    };
    let text: &str = fa.text();
    let expression = || {
        RenameError(
            "This name is a Koreo expression (`=…`); it is only known at run time and cannot be renamed."
                .to_owned(),
        )
    };
    match navigation::hit_at(db, pos) {
        Some(Hit::Def(res, range)) => {
            let Some(name) = &res.name else {
                return Ok(None);
            };
            if name.value.starts_with('=') {
                return Err(expression());
            }
            Ok(Some(Target::Resource {
                kind: res.kind,
                name: name.value.clone(),
                range: inner(text, range),
            }))
        }
        Some(Hit::Ref(r)) => {
            let Some(name) = &r.name else { return Ok(None) };
            if r.dynamic || is_expression_source(text, name.range) {
                return Err(expression());
            }
            let kind = navigation::resolve(db, r)
                .first()
                .map(|d| d.kind)
                .or_else(|| r.target_kind());
            let Some(kind) = kind else {
                return Err(RenameError(format!(
                    "`{}` does not name a known Koreo kind here.",
                    name.value
                )));
            };
            Ok(Some(Target::Resource {
                kind,
                name: name.value.clone(),
                range: inner(text, name.range),
            }))
        }
        Some(Hit::CrdRef { .. }) => Ok(None),
        None => Ok(label_at(db, pos)),
    }
}

fn label_at(db: &Db, pos: FilePosition) -> Option<Target<'_>> {
    let fa = db.files.get(&pos.file)?;
    let res = fa
        .resources()
        .find(|r| r.range.contains_inclusive(pos.offset))?;
    let Body::Workflow(wf) = &res.body else {
        return None;
    };
    let label = wf
        .steps
        .iter()
        .filter_map(|s| s.label.as_ref())
        .find(|l| l.range.contains_inclusive(pos.offset))?;
    Some(Target::Label {
        workflow: res,
        label: label.value.clone(),
        range: inner(fa.text(), label.range),
    })
}

pub(crate) fn prepare_rename(
    db: &Db,
    pos: FilePosition,
) -> Result<Option<(TextRange, String)>, RenameError> {
    Ok(target(db, pos)?.map(|t| match t {
        Target::Resource { name, range, .. } => (range, name),
        Target::Label { label, range, .. } => (range, label),
    }))
}

/// Kubernetes' DNS-1123 subdomain rule for `metadata.name`.
fn valid_resource_name(name: &str) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|c| alnum(c) || c == b'-' || c == b'.')
        && name.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty() && alnum(b[0]) && alnum(b[b.len() - 1])
        })
}

/// A step label usable as `steps.<label>` (the Koreo CRD wants `^\w+$`, 3 to 45 long).
fn valid_label(label: &str) -> bool {
    let b = label.as_bytes();
    (3..=45).contains(&b.len())
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

pub(crate) fn rename(
    db: &Db,
    pos: FilePosition,
    new_name: &str,
) -> Result<Vec<SourceEdit>, RenameError> {
    let Some(t) = target(db, pos)? else {
        return Err(RenameError(
            "Nothing to rename here: place the cursor on a resource name, a reference or a step label."
                .to_owned(),
        ));
    };
    let mut edits = match t {
        Target::Resource { kind, name, .. } => {
            if !valid_resource_name(new_name) {
                return Err(RenameError(format!(
                    "`{new_name}` is not a valid Kubernetes name: use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit (at most 253 characters)."
                )));
            }
            if new_name == name {
                return Ok(Vec::new());
            }
            if !db.index.lookup(kind, new_name).is_empty() {
                return Err(RenameError(format!(
                    "A {kind} named `{new_name}` already exists."
                )));
            }
            rename_resource(db, &name, pos, new_name)
        }
        Target::Label {
            workflow, label, ..
        } => {
            if new_name == label {
                return Ok(Vec::new());
            }
            if !valid_label(new_name) {
                return Err(RenameError(format!(
                    "`{new_name}` is not a valid step label: use 3 to 45 letters, digits or `_`, not starting with a digit."
                )));
            }
            rename_label(db, pos.file, workflow, &label, new_name)
        }
    };
    edits.sort_by_key(|e| (e.file, e.range.start()));
    edits.dedup();
    Ok(edits)
}

fn rename_resource(db: &Db, old: &str, pos: FilePosition, new_name: &str) -> Vec<SourceEdit> {
    let mut out = Vec::new();
    // A plain scalar must stay a string: `true`, `123` or `1e3` would not.
    let plain_ok = matches!(
        koreo_syntax::resolve_k8s_plain(new_name),
        koreo_syntax::yaml::Resolved::Str(_)
    );
    for r in navigation::find_references(db, pos, true) {
        let Some(fa) = db.files.get(&r.file) else {
            continue;
        };
        let text: &str = fa.text();
        let Some(src) = text.get(usize::from(r.range.start())..usize::from(r.range.end())) else {
            continue;
        };
        let range = inner(text, r.range);
        let (range, new_text) = if is_expression_source(text, r.range) {
            // `='old'`: rewrite the literal only.
            let Some(at) = src.find(old) else { continue };
            let start = r.range.start() + TextSize::from(at as u32);
            (
                TextRange::at(start, TextSize::from(old.len() as u32)),
                new_name.to_owned(),
            )
        } else if range == r.range && !plain_ok {
            (range, format!("\"{new_name}\""))
        } else {
            (range, new_name.to_owned())
        };
        out.push(SourceEdit {
            file: r.file,
            range,
            new_text,
        });
    }
    out
}

fn rename_label(
    db: &Db,
    file: FileId,
    workflow: &Resource,
    old: &str,
    new_name: &str,
) -> Vec<SourceEdit> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let text: &str = fa.text();
    let mut out = Vec::new();
    if let Body::Workflow(wf) = &workflow.body {
        for l in wf.steps.iter().filter_map(|s| s.label.as_ref()) {
            if l.value == old {
                out.push(SourceEdit {
                    file,
                    range: inner(text, l.range),
                    new_text: new_name.to_owned(),
                });
            }
        }
    }
    let Some(spec) = &workflow.spec else {
        return out;
    };
    let mut stack = vec![spec];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Seq(items) => stack.extend(items),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            NodeKind::Scalar(_) => {
                for range in step_uses(n, text, old) {
                    out.push(SourceEdit {
                        file,
                        range,
                        new_text: new_name.to_owned(),
                    });
                }
            }
        }
    }
    out
}

/// File ranges of `label` in `steps.label` inside the expression `n`.
fn step_uses(n: &Node, text: &str, label: &str) -> Vec<TextRange> {
    use koreo_cel_syntax::TokenKind as T;
    let Some(cel) = n.expression() else {
        return Vec::new();
    };
    let tokens: Vec<_> = koreo_cel_syntax::lex(cel)
        .into_iter()
        .filter(|t| t.kind != T::Comment)
        .collect();
    let word = |i: usize| tokens.get(i).map(|t| &cel[t.span]);
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let is_root = word(i) == Some("steps")
            && tokens[i].kind == T::Ident
            && (i == 0 || tokens[i - 1].kind != T::Dot);
        let next = tokens.get(i + 1).map(|t| t.kind);
        let span = match (next, tokens.get(i + 2)) {
            (Some(T::Dot), Some(t)) if word(i + 2) == Some(label) => t.span,
            // `steps["label"]` / `steps['label']`: the text between the quotes.
            (Some(T::LBracket), Some(t))
                if t.kind == T::String
                    && t.span.len() == TextSize::from(label.len() as u32 + 2)
                    && cel[t.span][1..].starts_with(label) =>
            {
                TextRange::at(
                    t.span.start() + TextSize::from(1),
                    TextSize::from(label.len() as u32),
                )
            }
            _ => continue,
        };
        if is_root {
            let (Some(s), Some(e)) = (
                n.expression_offset(text, span.start().into()),
                n.expression_offset(text, span.end().into()),
            ) else {
                continue;
            };
            // Only where the source spells the label verbatim (no escapes in between).
            if text.get(usize::from(s)..usize::from(e)) == Some(label) {
                out.push(TextRange::new(s, e));
            }
        }
    }
    out
}
