//! Code lenses: one entry point concatenating every provider's lenses, in file order.

use koreo_model::{Item, Kind};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::db::Db;

/// A lens: a title above `range` that runs a server command when clicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// Where the lens is shown (the resource's `kind` line).
    pub range: TextRange,
    /// What the lens says.
    pub title: String,
    /// The command id (`koreo.preview`, ...).
    pub command: String,
    /// The command's arguments after the document URI: a position in the file, if any.
    pub position: Option<TextSize>,
}

/// Every lens of `file`.
pub(crate) fn code_lenses(db: &Db, file: FileId) -> Vec<CodeLens> {
    let mut out = preview_lenses(db, file);
    out.extend(crate::function_tests::lenses(db, file));
    // Stable: lenses at one spot keep their provider's order (a test's status, then Run).
    out.sort_by_key(|l| l.range.start());
    out
}

/// "Preview" on functions and workflows, "Workflow graph" on workflows.
fn preview_lenses(db: &Db, file: FileId) -> Vec<CodeLens> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in fa.items() {
        let Item::Resource(res) = item else { continue };
        if res.name.is_none() {
            continue;
        }
        let at = res.kind_range.start();
        if matches!(
            res.kind,
            Kind::ValueFunction | Kind::ResourceFunction | Kind::Workflow
        ) {
            out.push(CodeLens {
                range: res.kind_range,
                title: "Preview".into(),
                command: "koreo.preview".into(),
                position: Some(at),
            });
        }
        if res.kind == Kind::Workflow {
            out.push(CodeLens {
                range: res.kind_range,
                title: "Workflow graph".into(),
                command: "koreo.workflowGraph".into(),
                position: Some(at),
            });
        }
    }
    out
}
