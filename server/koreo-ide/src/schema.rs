//! Structural validation of Koreo resources through the schema layer's validator, against
//! the built-in definitions of the five kinds. Every problem is reported at its node.

use koreo_model::Resource;
use koreo_schema::ValidateOptions;
use koreo_schema::builtin::koreo_kind as koreo_kind_schema;
use koreo_syntax::Node;

use crate::FileId;
use crate::diagnostics::Diagnostic;

/// Validates the document `root` of a Koreo resource and appends the findings to `out`.
pub(crate) fn validate(file: FileId, res: &Resource, root: &Node, out: &mut Vec<Diagnostic>) {
    let Some(kind) = koreo_kind_schema(res.kind.as_str()) else {
        return;
    };
    // The resource is sent to the API server as written: `=` strings are plain strings here.
    let options = ValidateOptions::default();
    for d in koreo_schema::validate(kind.root(), root, &options) {
        // The model already explains a missing name in Koreo terms.
        if d.code == "schema-required" && d.path == "metadata.name" && res.name.is_none() {
            continue;
        }
        out.push(Diagnostic::new(
            file, d.range, d.severity, d.code, d.message,
        ));
    }
}
