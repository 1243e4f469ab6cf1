//! The one diagnostic type of the project. Every layer's findings (YAML syntax, model,
//! schema, cross-references, later evaluation) are converted into [`Diagnostic`] here; the
//! server and the CLI convert it to their output formats.

use koreo_model::{Item, Kind, Reference, Resource};
use text_size::TextRange;

use crate::FileId;
use crate::db::{Db, DefLoc};

pub use koreo_syntax::yaml::Severity;

/// A finding at a byte range of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file.
    pub file: FileId,
    /// Byte range in the file.
    pub range: TextRange,
    /// How bad it is.
    pub severity: Severity,
    /// Stable kebab-case id (`unknown-reference`, `duplicate-resource`, `yaml-syntax`, ...).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Other places that explain this finding (e.g. the other definition of a duplicate).
    pub related: Vec<Related>,
}

/// A secondary location attached to a [`Diagnostic`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The file.
    pub file: FileId,
    /// Byte range in the file.
    pub range: TextRange,
    /// Human-readable explanation.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic without related information.
    pub fn new(
        file: FileId,
        range: TextRange,
        severity: Severity,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file,
            range,
            severity,
            code: code.into(),
            message: message.into(),
            related: Vec::new(),
        }
    }
}

/// Converts one of the engine's findings (already located in `file`).
pub(crate) fn from_eval(file: FileId, d: koreo_eval::Diagnostic) -> Diagnostic {
    let severity = match d.severity {
        koreo_eval::Severity::Error => Severity::Error,
        koreo_eval::Severity::Warning => Severity::Warning,
        koreo_eval::Severity::Information => Severity::Information,
        koreo_eval::Severity::Hint => Severity::Hint,
    };
    Diagnostic::new(file, d.range, severity, d.code, d.message)
}

/// Whether an engine finding repeats one the index already reports, which is clearer: the
/// engine's `duplicate-resource` (on the shadowed copy only; ours marks every copy and links
/// them), its "not found / not ready" for a reference we report as unknown or of the wrong
/// kind, its first schema violation where our validator reports that node, and anything
/// else with the same code over an overlapping range.
pub(crate) fn eval_is_redundant(
    d: &Diagnostic,
    ours: &[Diagnostic],
    references: &[TextRange],
) -> bool {
    const MISSING_REF: [&str; 5] = [
        "unknown-reference",
        "function-under-test-missing",
        "switch-case-not-ready",
        "overlay-ref-not-ready",
        "ref-kind-mismatch",
    ];
    let overlaps =
        |o: &Diagnostic| o.range.start() <= d.range.end() && d.range.start() <= o.range.end();
    d.code == "duplicate-resource"
        || ours.iter().filter(|o| overlaps(o)).any(|o| {
            o.code == d.code
                || (d.code == "schema" && o.code.starts_with("schema"))
        })
        // Ours points at the reference's `kind` or `name`, the engine's at either or the
        // whole mapping: same reference mapping, same finding.
        || (MISSING_REF.contains(&d.code.as_str())
            && references
                .iter()
                .filter(|r| r.contains_range(d.range))
                .any(|r| {
                    ours.iter().any(|o| {
                        r.contains_range(o.range)
                            && matches!(o.code.as_str(), "unknown-reference" | "ref-kind-mismatch")
                    })
                }))
}

/// Lower-case name of a severity, as used by the CLI's JSON output.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "information",
        Severity::Hint => "hint",
    }
}

/// Cross-file findings of one file: duplicate definitions and references that do not
/// resolve. Depends on the workspace index, so it is recomputed when a definition or
/// reference of a related name changes.
pub(crate) fn semantic(db: &Db, file: FileId) -> Vec<Diagnostic> {
    let Some(data) = db.files.get(&file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in data.items() {
        match item {
            Item::Resource(res) => {
                duplicates(db, file, res, &mut out);
                for r in res.references() {
                    reference(db, file, r, &mut out);
                }
                if let koreo_model::Body::Workflow(wf) = &res.body
                    && let Some(crd_ref) = &wf.crd_ref
                {
                    crd_reference(db, file, crd_ref, &mut out);
                }
            }
            Item::Crd(_) | Item::Object(_) | Item::Other => {}
        }
    }
    out
}

fn duplicates(db: &Db, file: FileId, res: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(name) = &res.name else { return };
    let same: Vec<&DefLoc> = db
        .index
        .defs(&name.value)
        .iter()
        .filter(|d| d.kind == res.kind)
        .collect();
    if same.len() < 2 {
        return;
    }
    let others: Vec<&&DefLoc> = same
        .iter()
        .filter(|d| !(d.file == file && d.name_range == name.range))
        .collect();
    let mut d = Diagnostic::new(
        file,
        name.range,
        Severity::Error,
        "duplicate-resource",
        format!(
            "{} '{}' is defined {} times; the engine keys resources by kind and name only (namespaces do not separate them), so one definition silently replaces the other.",
            res.kind,
            name.value,
            same.len()
        ),
    );
    d.related = others
        .iter()
        .map(|o| Related {
            file: o.file,
            range: o.name_range,
            message: format!("other definition of {} '{}'", res.kind, name.value),
        })
        .collect();
    out.push(d);
}

fn reference(db: &Db, file: FileId, r: &Reference, out: &mut Vec<Diagnostic>) {
    let Some(name) = &r.name else { return };
    let allowed = r.role.allowed_kinds();
    // An invalid `kind` is the schema's finding; only resolve references we can interpret.
    let Some(want) = r.target_kind().filter(|k| allowed.contains(k)) else {
        return;
    };
    let defs = db.index.defs(&name.value);
    if defs.iter().any(|d| d.kind == want) {
        return;
    }
    if let Some(other) = defs.iter().find(|d| allowed.contains(&d.kind)) {
        let at = r.kind.as_ref().map_or(name.range, |k| k.range);
        let mut d = Diagnostic::new(
            file,
            at,
            Severity::Error,
            "ref-kind-mismatch",
            format!(
                "'{}' is a {}, not a {want}: use `kind: {}`.",
                name.value, other.kind, other.kind
            ),
        );
        d.related.push(Related {
            file: other.file,
            range: other.name_range,
            message: format!("{} '{}' is defined here", other.kind, name.value),
        });
        out.push(d);
        return;
    }
    let mut message = if let Some(other) = defs.first() {
        format!(
            "'{}' is a {}, but {} must name a {}.",
            name.value,
            other.kind,
            r.role.field(),
            kinds_list(allowed)
        )
    } else {
        format!("Unknown {want} '{}'.", name.value)
    };
    if let Some(s) = suggestion(db, &name.value, want) {
        message.push_str(&format!(" Did you mean '{s}'?"));
    }
    let code = if defs.is_empty() {
        "unknown-reference"
    } else {
        "ref-kind-mismatch"
    };
    out.push(Diagnostic::new(
        file,
        name.range,
        Severity::Error,
        code,
        message,
    ));
}

fn kinds_list(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The closest defined name of `kind`, if it is close enough to be a likely typo.
pub(crate) fn suggestion(db: &Db, name: &str, kind: Kind) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for (candidate, defs) in db.index.all_defs() {
        if !defs.iter().any(|d| d.kind == kind) {
            continue;
        }
        let score = strsim::jaro_winkler(name, candidate);
        if score >= 0.85 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, s)| s.to_owned())
}

fn crd_reference(db: &Db, file: FileId, crd_ref: &koreo_model::CrdRef, out: &mut Vec<Diagnostic>) {
    let (Some(group), Some(kind)) = (&crd_ref.api_group, &crd_ref.kind) else {
        return;
    };
    let crds = db.index.crds_of_kind(&kind.value);
    if crds.is_empty() {
        // The CRD may live in the cluster only; nothing to say.
        return;
    }
    if !crds.iter().any(|c| c.group == group.value) {
        let groups: Vec<&str> = crds.iter().map(|c| c.group.as_str()).collect();
        out.push(Diagnostic::new(
            file,
            group.range,
            Severity::Warning,
            "crd-ref-mismatch",
            format!(
                "No CRD for kind '{}' in group '{}' in the workspace (found group {}).",
                kind.value,
                group.value,
                groups.join(", ")
            ),
        ));
        return;
    }
    if let Some(version) = &crd_ref.version
        && !crds
            .iter()
            .filter(|c| c.group == group.value)
            .any(|c| c.versions.iter().any(|v| v == &version.value))
    {
        out.push(Diagnostic::new(
            file,
            version.range,
            Severity::Warning,
            "crd-ref-mismatch",
            format!(
                "The workspace CRD for '{}.{}' has no version '{}'.",
                kind.value, group.value, version.value
            ),
        ));
    }
}
