//! Go to definition, find references and hover over resource names.

use koreo_model::{Body, Item, Kind, Reference, Resource};
use text_size::{TextRange, TextSize};

use crate::db::{Db, DefLoc};
use crate::{FileId, FilePosition, FileRange};

/// A place to navigate to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavigationTarget {
    /// The file.
    pub file: FileId,
    /// The whole item (resource document, CRD).
    pub full_range: TextRange,
    /// The part to select: the name.
    pub focus_range: TextRange,
    /// The name.
    pub name: String,
    /// `ValueFunction`, `CustomResourceDefinition`, ...
    pub kind: String,
}

/// Hover contents as Markdown, with the range they describe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    /// Byte range in the file.
    pub range: TextRange,
    /// Markdown text.
    pub markdown: String,
}

/// What the cursor is on.
pub(crate) enum Hit<'a> {
    /// The name of a reference to another resource.
    Ref(&'a Reference),
    /// The `metadata.name` of a resource.
    Def(&'a Resource, TextRange),
    /// The `kind` of a Workflow's `crdRef`.
    CrdRef {
        kind: &'a str,
        group: Option<&'a str>,
        range: TextRange,
    },
}

fn contains(range: TextRange, offset: TextSize) -> bool {
    range.contains_inclusive(offset)
}

pub(crate) fn hit_at(db: &Db, pos: FilePosition) -> Option<Hit<'_>> {
    let fa = db.files.get(&pos.file)?;
    for res in fa.resources() {
        if !contains(res.range, pos.offset) {
            continue;
        }
        if let Some(name) = &res.name
            && contains(name.range, pos.offset)
        {
            return Some(Hit::Def(res, name.range));
        }
        for r in res.references() {
            if let Some(name) = &r.name
                && contains(name.range, pos.offset)
            {
                return Some(Hit::Ref(r));
            }
        }
        if let Body::Workflow(wf) = &res.body
            && let Some(c) = &wf.crd_ref
            && let Some(k) = &c.kind
            && contains(k.range, pos.offset)
        {
            return Some(Hit::CrdRef {
                kind: &k.value,
                group: c.api_group.as_ref().map(|g| g.value.as_str()),
                range: k.range,
            });
        }
    }
    None
}

/// The definitions a reference points at: exact kind first, else any allowed kind (so
/// navigation still works while the kind is wrong).
pub(crate) fn resolve<'a>(db: &'a Db, r: &Reference) -> Vec<&'a DefLoc> {
    let Some(name) = &r.name else {
        return Vec::new();
    };
    let defs = db.index.defs(&name.value);
    let want = r.target_kind();
    let exact: Vec<&DefLoc> = defs.iter().filter(|d| Some(d.kind) == want).collect();
    if !exact.is_empty() {
        return exact;
    }
    defs.iter()
        .filter(|d| r.role.allowed_kinds().contains(&d.kind))
        .collect()
}

fn target_of(d: &DefLoc, name: &str) -> NavigationTarget {
    NavigationTarget {
        file: d.file,
        full_range: d.range,
        focus_range: d.name_range,
        name: name.to_owned(),
        kind: d.kind.as_str().to_owned(),
    }
}

pub(crate) fn goto_definition(db: &Db, pos: FilePosition) -> Vec<NavigationTarget> {
    match hit_at(db, pos) {
        Some(Hit::Ref(r)) => {
            let name = r.name.as_ref().map_or("", |n| n.value.as_str());
            resolve(db, r)
                .into_iter()
                .map(|d| target_of(d, name))
                .collect()
        }
        Some(Hit::Def(res, range)) => vec![NavigationTarget {
            file: pos.file,
            full_range: res.range,
            focus_range: range,
            name: res
                .name
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_default(),
            kind: res.kind.as_str().to_owned(),
        }],
        Some(Hit::CrdRef { kind, group, .. }) => db
            .index
            .crds_of_kind(kind)
            .iter()
            .filter(|c| group.is_none_or(|g| g == c.group))
            .map(|c| NavigationTarget {
                file: c.file,
                full_range: c.range,
                focus_range: c.kind_range,
                name: c.kind.clone(),
                kind: "CustomResourceDefinition".to_owned(),
            })
            .collect(),
        None => Vec::new(),
    }
}

pub(crate) fn find_references(db: &Db, pos: FilePosition, include_decl: bool) -> Vec<FileRange> {
    let (kind, name): (Kind, String) = match hit_at(db, pos) {
        Some(Hit::Def(res, _)) => match &res.name {
            Some(n) => (res.kind, n.value.clone()),
            None => return Vec::new(),
        },
        Some(Hit::Ref(r)) => {
            let Some(name) = &r.name else {
                return Vec::new();
            };
            // Follow what the reference resolves to, so a wrong `kind` still finds its target.
            match resolve(db, r)
                .first()
                .map(|d| d.kind)
                .or_else(|| r.target_kind())
            {
                Some(k) => (k, name.value.clone()),
                None => return Vec::new(),
            }
        }
        Some(Hit::CrdRef { .. }) | None => return Vec::new(),
    };
    let mut out = Vec::new();
    if include_decl {
        out.extend(db.index.lookup(kind, &name).into_iter().map(|d| FileRange {
            file: d.file,
            range: d.name_range,
        }));
    }
    for file in db.index.referencers(&name) {
        let Some(fa) = db.files.get(&file) else {
            continue;
        };
        for res in fa.resources() {
            for r in res.references() {
                let Some(n) = &r.name else { continue };
                if n.value != name {
                    continue;
                }
                let resolves = resolve(db, r)
                    .first()
                    .map(|d| d.kind)
                    .or_else(|| r.target_kind());
                if resolves == Some(kind) {
                    out.push(FileRange {
                        file,
                        range: n.range,
                    });
                }
            }
        }
    }
    out.sort_by_key(FileRange::sort_key);
    out.dedup();
    out
}

pub(crate) fn hover(db: &Db, pos: FilePosition) -> Option<HoverResult> {
    match hit_at(db, pos)? {
        Hit::Ref(r) => {
            let name = r.name.as_ref()?;
            let defs = resolve(db, r);
            let markdown = if defs.is_empty() {
                let want = r.target_kind().map_or("resource", |k| k.as_str());
                format!(
                    "**{want}** `{}`\n\nNot defined in the workspace.",
                    name.value
                )
            } else {
                defs.iter()
                    .map(|d| describe(db, d))
                    .collect::<Vec<_>>()
                    .join("\n\n---\n\n")
            };
            Some(HoverResult {
                range: name.range,
                markdown,
            })
        }
        Hit::Def(res, range) => {
            let name = res.name.as_ref()?;
            let d = db
                .index
                .lookup(res.kind, &name.value)
                .into_iter()
                .find(|d| d.name_range == range)?;
            let mut markdown = describe(db, d);
            let refs = find_references(db, pos, false).len();
            markdown.push_str(&format!(
                "\n\nReferenced {refs} time{}.",
                if refs == 1 { "" } else { "s" }
            ));
            Some(HoverResult { range, markdown })
        }
        Hit::CrdRef { kind, group, range } => {
            let crds: Vec<_> = db
                .index
                .crds_of_kind(kind)
                .iter()
                .filter(|c| group.is_none_or(|g| g == c.group))
                .collect();
            if crds.is_empty() {
                return Some(HoverResult {
                    range,
                    markdown: format!("**{kind}**\n\nNo CRD for this kind in the workspace."),
                });
            }
            let markdown = crds
                .iter()
                .map(|c| {
                    format!(
                        "**CustomResourceDefinition** `{}.{}`\n\nversions: {}\n\nfile: `{}`",
                        c.kind,
                        c.group,
                        c.versions.join(", "),
                        display_key(&db.keys[c.file.0 as usize])
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n---\n\n");
            Some(HoverResult { range, markdown })
        }
    }
}

/// Markdown describing one definition: kind, name, namespace, file and the inputs it reads.
fn describe(db: &Db, d: &DefLoc) -> String {
    let res = db
        .files
        .get(&d.file)
        .and_then(|fa| match fa.items().get(d.doc) {
            Some(Item::Resource(r)) => Some(&**r),
            _ => None,
        });
    let name = res
        .and_then(|r| r.name.as_ref())
        .map_or("", |n| n.value.as_str());
    let mut s = format!("**{}** `{}`\n\n", d.kind, name);
    if let Some(ns) = res.and_then(|r| r.namespace.as_ref()) {
        s.push_str(&format!("namespace: `{}`  \n", ns.value));
    }
    s.push_str(&format!(
        "file: `{}`",
        display_key(&db.keys[d.file.0 as usize])
    ));
    if let Some(res) = res
        && let Some(root) = res.input_root()
    {
        let inputs = res.inputs_read();
        if inputs.is_empty() {
            s.push_str(&format!("\n\nReads no `{root}`."));
        } else {
            let list: Vec<String> = inputs.iter().map(|i| format!("`{root}.{i}`")).collect();
            s.push_str(&format!("\n\nReads: {}", list.join(", ")));
        }
    }
    s
}

/// A file key as a reader wants it: `file://` URIs as plain paths (spaces decoded).
fn display_key(key: &str) -> String {
    match key.strip_prefix("file://") {
        Some(path) => path.replace("%20", " "),
        None => key.to_owned(),
    }
}
