//! Whole-document validation: `apiVersion`/`kind` lookup in the store, the kind's schema,
//! and the metadata rules every Kubernetes object follows.

use koreo_syntax::yaml::{NodeKind, Severity};
use koreo_syntax::{Node, TextRange};

use crate::builtin::{KOREO_API_VERSION, KOREO_GROUP, KOREO_KINDS};
use crate::formats;
use crate::load::load_crd_node;
use crate::model::{Gvk, SchemaSource, split_api_version};
use crate::store::{SchemaStore, is_crd_document};
use crate::validate::{SchemaDiagnostic, ValidateOptions, did_you_mean, or_list, validate};
use crate::value::{is_expression, key_text, map_get};

/// The outcome of [`validate_document`].
#[derive(Clone, Debug, Default)]
pub struct DocumentValidation {
    /// The document's kind, when `apiVersion` and `kind` are strings.
    pub gvk: Option<Gvk>,
    /// Where the schema used came from; `None` when the kind is unknown.
    pub schema_source: Option<SchemaSource>,
    pub diagnostics: Vec<SchemaDiagnostic>,
}

/// Validate one YAML document as a Kubernetes object: its `apiVersion` and `kind`, its
/// kind's schema from `store` (if known) and its metadata (a name is required for the
/// Koreo kinds; names and labels must have the Kubernetes syntax).
pub fn validate_document(
    store: &SchemaStore,
    root: &Node,
    options: &ValidateOptions,
) -> DocumentValidation {
    let mut out = DocumentValidation::default();
    let diags = &mut out.diagnostics;
    let NodeKind::Map(entries) = &root.kind else {
        diags.push(diag(
            root.range,
            Severity::Error,
            "schema-type",
            "a Kubernetes object must be a mapping with `apiVersion` and `kind`".into(),
            "",
        ));
        return out;
    };
    let anchor = entries.first().map_or(root.range, |e| e.key.range);
    let api_version = string_field(root, "apiVersion", anchor, diags);
    let kind = string_field(root, "kind", anchor, diags);
    let (Some((api_version, api_range)), Some((kind, kind_range))) = (api_version, kind) else {
        return out;
    };
    let gvk = Gvk::from_api_version(&api_version, &kind);
    out.gvk = Some(gvk.clone());
    let Some(schema) = store.get(&gvk) else {
        if is_crd_document(root) {
            // Without the cluster's apiextensions schema, still say whether we can use it.
            if let Err(e) = load_crd_node(root, SchemaSource::Workspace(String::new())) {
                let message = format!("this CustomResourceDefinition cannot be used: {e}");
                diags.push(diag(
                    kind_range,
                    Severity::Error,
                    "schema-crd",
                    message,
                    "kind",
                ));
            }
        } else {
            unknown_kind(store, &gvk, api_range, kind_range, diags);
        }
        return out;
    };
    out.schema_source = Some(schema.source.clone());
    diags.extend(validate(schema.root(), root, options));
    let koreo = gvk.group == KOREO_GROUP;
    metadata(root, anchor, koreo, options, diags);
    diags.sort_by_key(|d| d.range.start());
    out
}

fn diag(
    range: TextRange,
    severity: Severity,
    code: &'static str,
    message: String,
    path: &str,
) -> SchemaDiagnostic {
    SchemaDiagnostic {
        range,
        severity,
        code,
        message,
        path: path.to_owned(),
        suggestion: None,
    }
}

/// A required top-level string (`apiVersion`, `kind`) and its value's range.
fn string_field(
    root: &Node,
    name: &str,
    anchor: TextRange,
    diags: &mut Vec<SchemaDiagnostic>,
) -> Option<(String, TextRange)> {
    let Some(e) = map_get(root, name) else {
        diags.push(diag(
            anchor,
            Severity::Error,
            "schema-required",
            format!("missing required field `{name}`"),
            "",
        ));
        return None;
    };
    match &e.value.kind {
        NodeKind::Scalar(s) if !s.text.is_empty() => Some((s.text.clone(), e.value.range)),
        _ => {
            diags.push(diag(
                e.value.range,
                Severity::Error,
                "schema-type",
                format!("`{name}` must be a non-empty string"),
                name,
            ));
            None
        }
    }
}

fn unknown_kind(
    store: &SchemaStore,
    gvk: &Gvk,
    api_range: TextRange,
    kind_range: TextRange,
    diags: &mut Vec<SchemaDiagnostic>,
) {
    let api_version = gvk.api_version();
    if gvk.group == KOREO_GROUP {
        if KOREO_KINDS.contains(&gvk.kind.as_str()) {
            let mut d = diag(
                api_range,
                Severity::Error,
                "schema-api-version",
                format!(
                    "`{api_version}` is not a Koreo API version; the Koreo kinds are served as `{KOREO_API_VERSION}`"
                ),
                "apiVersion",
            );
            d.suggestion = Some(KOREO_API_VERSION.into());
            diags.push(d);
        } else {
            let suggestion = did_you_mean(&gvk.kind, KOREO_KINDS);
            let names: Vec<String> = KOREO_KINDS.iter().map(|k| format!("`{k}`")).collect();
            let mut message = format!(
                "`{}` is not a Koreo kind; expected {}",
                gvk.kind,
                or_list(names)
            );
            if let Some(s) = suggestion {
                message.push_str(&format!(" (did you mean `{s}`?)"));
            }
            let mut d = diag(
                kind_range,
                Severity::Error,
                "schema-unknown-kind",
                message,
                "kind",
            );
            d.suggestion = suggestion.map(str::to_owned);
            diags.push(d);
        }
        return;
    }
    let siblings = store.kinds_of_api_version(&api_version);
    if let Some(s) = did_you_mean(&gvk.kind, siblings.iter().map(|k| k.gvk.kind.as_str())) {
        let mut d = diag(
            kind_range,
            Severity::Warning,
            "schema-unknown-kind",
            format!(
                "unknown kind `{}` in `{api_version}`; did you mean `{s}`?",
                gvk.kind
            ),
            "kind",
        );
        d.suggestion = Some(s.to_owned());
        diags.push(d);
        return;
    }
    let elsewhere = store.kinds_named(&gvk.kind);
    if !elsewhere.is_empty() {
        let versions: Vec<String> = elsewhere
            .iter()
            .map(|k| format!("`{}`", k.gvk.api_version()))
            .collect();
        let mut d = diag(
            api_range,
            Severity::Warning,
            "schema-api-version",
            format!(
                "`{}` is not known in `{api_version}`; it is served as {}",
                gvk.kind,
                or_list(versions)
            ),
            "apiVersion",
        );
        d.suggestion = Some(elsewhere[0].gvk.api_version());
        diags.push(d);
        return;
    }
    let (group, _) = split_api_version(&api_version);
    let hint = if group.is_empty() || group.ends_with(".k8s.io") || !group.contains('.') {
        "connect to a cluster to check it"
    } else {
        "add its CRD to the workspace or connect to a cluster to check it"
    };
    diags.push(diag(
        kind_range,
        Severity::Information,
        "schema-unknown-kind",
        format!(
            "no schema known for `{}` (`{api_version}`); {hint}",
            gvk.kind
        ),
        "kind",
    ));
}

fn metadata(
    root: &Node,
    anchor: TextRange,
    koreo: bool,
    options: &ValidateOptions,
    diags: &mut Vec<SchemaDiagnostic>,
) {
    let meta = map_get(root, "metadata");
    let name = meta.and_then(|m| map_get(&m.value, "name"));
    let generate_name = meta.and_then(|m| map_get(&m.value, "generateName"));
    let meta_anchor = meta.map_or(anchor, |m| m.key.range);
    match name {
        None if koreo => diags.push(diag(
            meta_anchor,
            Severity::Error,
            "schema-metadata-name",
            "a Koreo resource needs `metadata.name`: the engine identifies it by kind and name"
                .into(),
            "metadata",
        )),
        None if generate_name.is_none() && !options.partial => diags.push(diag(
            meta_anchor,
            Severity::Warning,
            "schema-metadata-name",
            "`metadata.name` is missing: the API server needs a name (or `generateName`)".into(),
            "metadata",
        )),
        Some(e) if !is_expression(&e.value) => {
            if let NodeKind::Scalar(s) = &e.value.kind
                && !s.text.is_empty()
                && !formats::is_dns1123_subdomain(&s.text)
            {
                let mut d = diag(
                    e.value.range,
                    Severity::Warning,
                    "schema-name-format",
                    format!(
                        "`{}` is not a valid object name: use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit (at most 253 characters)",
                        s.text
                    ),
                    "metadata.name",
                );
                d.suggestion = suggest_name(&s.text);
                diags.push(d);
            }
        }
        _ => {}
    }
    if let Some(labels) = meta.and_then(|m| map_get(&m.value, "labels"))
        && let NodeKind::Map(entries) = &labels.value.kind
    {
        for e in entries {
            let Some(k) = key_text(&e.key) else { continue };
            if !formats::is_qualified_name(k) {
                diags.push(diag(
                    e.key.range,
                    Severity::Warning,
                    "schema-label-format",
                    format!("`{k}` is not a valid label key: an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`"),
                    "metadata.labels",
                ));
            }
            if let NodeKind::Scalar(s) = &e.value.kind
                && !is_expression(&e.value)
                && !formats::is_label_value(&s.text)
            {
                diags.push(diag(
                    e.value.range,
                    Severity::Warning,
                    "schema-label-format",
                    format!("`{}` is not a valid label value: at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit", s.text),
                    "metadata.labels",
                ));
            }
        }
    }
}

/// Lowercase, invalid characters replaced by `-`, trimmed to start and end alphanumeric.
fn suggest_name(name: &str) -> Option<String> {
    let mapped: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let s: String = trimmed.chars().take(253).collect();
    (formats::is_dns1123_subdomain(&s) && !s.is_empty()).then_some(s)
}
