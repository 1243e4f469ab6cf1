//! Inlay hints: after each Workflow step reference (and refSwitch case), the target's kind
//! and the inputs it reads, e.g. `→ ValueFunction(prefix, suffix)`.

use koreo_model::{Body, Item, Reference};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::db::Db;
use crate::navigation;

/// A hint shown at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where it is shown (a byte offset; the hint follows the text before it).
    pub offset: TextSize,
    /// The text.
    pub label: String,
    /// Longer Markdown explanation on hover.
    pub tooltip: Option<String>,
}

pub(crate) fn inlay_hints(db: &Db, file: FileId, range: Option<TextRange>) -> Vec<InlayHint> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let text: &str = fa.text();
    let mut out = Vec::new();
    for res in fa.resources() {
        let Body::Workflow(wf) = &res.body else {
            continue;
        };
        if range.is_some_and(|r| r.intersect(res.range).is_none()) {
            continue;
        }
        for step in &wf.steps {
            let refs = step.reference.iter().chain(
                step.ref_switch
                    .iter()
                    .flat_map(|rs| rs.cases.iter().map(|c| &c.reference)),
            );
            for r in refs {
                if let Some(h) = hint(db, text, r) {
                    out.push(h);
                }
            }
        }
    }
    out.retain(|h| range.is_none_or(|r| r.contains_inclusive(h.offset)));
    out
}

fn hint(db: &Db, text: &str, r: &Reference) -> Option<InlayHint> {
    let name = r.name.as_ref()?;
    // Ambiguous (several definitions) or unknown targets get no hint: diagnostics say why.
    let [d] = navigation::resolve(db, r)[..] else {
        return None;
    };
    let Some(Item::Resource(target)) = db.files.get(&d.file)?.items().get(d.doc) else {
        return None;
    };
    let inputs = target.inputs_read();
    let label = format!("→ {}({})", d.kind, inputs.join(", "));
    let tooltip = target.input_root().map(|root| {
        if inputs.is_empty() {
            format!("`{}` reads no `{root}`.", name.value)
        } else {
            let list: Vec<String> = inputs.iter().map(|i| format!("`{root}.{i}`")).collect();
            format!("`{}` reads {}.", name.value, list.join(", "))
        }
    });
    // After a flow mapping (`{kind: …, name: …}`) rather than inside it.
    let flow = text
        .get(usize::from(r.range.start())..)
        .is_some_and(|s| s.starts_with('{'));
    let offset = if flow {
        r.range.end()
    } else {
        name.range.end()
    };
    Some(InlayHint {
        offset,
        label,
        tooltip,
    })
}
