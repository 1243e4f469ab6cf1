//! The disk cache of cluster schemas, so they survive restarts and work offline.
//!
//! Layout under `$XDG_CACHE_HOME/koreo-ls/schemas/` (or `~/.cache/...`), one folder per
//! kubeconfig context:
//! * `openapi/<group-version>@<hash>.json`: an `/openapi/v3` document, keyed by the hash
//!   the server puts in its `serverRelativeURL` (a changed schema has a new hash);
//! * `crds.json`: the last CustomResourceDefinition list, as a JSON array of CRDs.
//!
//! Bounded: per group-version only the newest [`KEEP_PER_GROUP_VERSION`] documents are
//! kept, and a context folder is trimmed (oldest first) to [`MAX_CONTEXT_BYTES`].
//! Writes go through a temporary file and a rename; an entry that does not parse is
//! ignored and removed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use crate::load::{load_crd, load_openapi};
use crate::model::SchemaSource;
use crate::store::ClusterSchemas;

/// Documents kept per group-version (the current one and its predecessor).
pub const KEEP_PER_GROUP_VERSION: usize = 2;
/// Size cap of one context's folder.
pub const MAX_CONTEXT_BYTES: u64 = 256 * 1024 * 1024;

/// The cache folder of one kubeconfig context.
#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: PathBuf,
    context: String,
}

impl DiskCache {
    /// `$XDG_CACHE_HOME/koreo-ls/schemas`, else `$HOME/.cache/koreo-ls/schemas`.
    pub fn default_base() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("koreo-ls").join("schemas"))
    }

    /// The cache of `context` under `base`.
    pub fn new(base: &Path, context: &str) -> Self {
        Self {
            dir: base.join(safe_name(context)),
            context: context.to_owned(),
        }
    }

    /// The context folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn openapi_dir(&self) -> PathBuf {
        self.dir.join("openapi")
    }

    fn openapi_path(&self, group_version: &str, hash: &str) -> PathBuf {
        self.openapi_dir().join(format!(
            "{}@{}.json",
            safe_name(group_version),
            safe_name(hash)
        ))
    }

    /// The cached document of `group_version` (`apis/apps/v1`) with this hash.
    pub fn get_openapi(&self, group_version: &str, hash: &str) -> Option<Value> {
        read_json(&self.openapi_path(group_version, hash))
    }

    /// Store a document as fetched (raw JSON text), then enforce the bounds.
    pub fn put_openapi(&self, group_version: &str, hash: &str, text: &str) -> io::Result<()> {
        let path = self.openapi_path(group_version, hash);
        write_atomic(&path, text.as_bytes())?;
        self.prune_group_version(group_version);
        self.prune_size();
        Ok(())
    }

    /// The cached CRD list (a JSON array of CRDs).
    pub fn get_crds(&self) -> Option<Value> {
        read_json(&self.dir.join("crds.json")).filter(Value::is_array)
    }

    /// Store the CRD list.
    pub fn put_crds(&self, crds: &Value) -> io::Result<()> {
        let text = serde_json::to_string(crds).map_err(io::Error::other)?;
        write_atomic(&self.dir.join("crds.json"), text.as_bytes())
    }

    /// Everything cached for this context, newest document per group-version, as a
    /// snapshot for the store (`None` when nothing is cached).
    pub fn snapshot(&self) -> Option<ClusterSchemas> {
        let crds = self.get_crds();
        let mut newest: std::collections::BTreeMap<String, (SystemTime, PathBuf)> =
            Default::default();
        for (gv, modified, path) in self.openapi_entries() {
            let slot = newest.entry(gv).or_insert((modified, path.clone()));
            if modified > slot.0 {
                *slot = (modified, path);
            }
        }
        let docs: Vec<(String, Value)> = newest
            .into_iter()
            .filter_map(|(gv, (_, path))| read_json(&path).map(|v| (gv, v)))
            .collect();
        if crds.is_none() && docs.is_empty() {
            return None;
        }
        Some(build_snapshot(&self.context, crds.as_ref(), &docs, true))
    }

    /// (group-version as stored, modification time, path) of every cached document.
    fn openapi_entries(&self) -> Vec<(String, SystemTime, PathBuf)> {
        let Ok(rd) = fs::read_dir(self.openapi_dir()) else {
            return Vec::new();
        };
        rd.filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".json")?;
                let (gv, _) = stem.rsplit_once('@')?;
                let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                Some((gv.to_owned(), modified, e.path()))
            })
            .collect()
    }

    fn prune_group_version(&self, group_version: &str) {
        let key = safe_name(group_version);
        let mut mine: Vec<(SystemTime, PathBuf)> = self
            .openapi_entries()
            .into_iter()
            .filter(|(gv, _, _)| *gv == key)
            .map(|(_, t, p)| (t, p))
            .collect();
        mine.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (_, path) in mine.into_iter().skip(KEEP_PER_GROUP_VERSION) {
            let _ = fs::remove_file(path);
        }
    }

    fn prune_size(&self) {
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = self
            .openapi_entries()
            .into_iter()
            .filter_map(|(_, t, p)| fs::metadata(&p).ok().map(|m| (t, m.len(), p)))
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort_by_key(|e| e.0);
        for (_, len, path) in entries {
            if total <= MAX_CONTEXT_BYTES {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }
}

/// Turn a CRD list and `/openapi/v3` documents into a store snapshot. Group-versions
/// served by a listed CRD are taken from the CRD (it keeps every extension as written);
/// the rest (built-in types) from their OpenAPI documents.
pub fn build_snapshot(
    context: &str,
    crds: Option<&Value>,
    openapi: &[(String, Value)],
    from_cache: bool,
) -> ClusterSchemas {
    let source = if from_cache {
        SchemaSource::DiskCache(context.to_owned())
    } else {
        SchemaSource::Cluster(context.to_owned())
    };
    let mut kinds = Vec::new();
    let mut crd_groups = std::collections::HashSet::new();
    let items = crds.and_then(|c| {
        c.as_array()
            .or_else(|| c.get("items").and_then(Value::as_array))
    });
    for crd in items.into_iter().flatten() {
        if let Ok(def) = load_crd(crd, source.clone()) {
            crd_groups.insert(def.group.clone());
            kinds.extend(def.kinds);
        }
    }
    for (_, doc) in openapi {
        if let Ok(loaded) = load_openapi(doc, source.clone()) {
            kinds.extend(
                loaded
                    .kinds
                    .into_iter()
                    .filter(|k| !crd_groups.contains(&k.gvk.group)),
            );
        }
    }
    ClusterSchemas {
        context: context.to_owned(),
        from_cache,
        kinds,
        fetch_error: None,
    }
}

fn read_json(path: &Path) -> Option<Value> {
    let text = fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(_) => {
            // Corrupt (a torn write from an older version, disk trouble): drop it.
            let _ = fs::remove_file(path);
            None
        }
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("no parent folder"))?;
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// A file-name-safe form of `s`: unsafe characters become `_`, and a hash of the original
/// keeps distinct names distinct.
pub(crate) fn safe_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .enumerate()
        .map(|(i, c)| {
            // No leading dot: no `..`, no hidden files.
            let keep = c.is_ascii_alphanumeric() || c == '-' || c == '_' || (c == '.' && i > 0);
            if keep { c } else { '_' }
        })
        .take(80)
        .collect();
    if cleaned == s && !s.is_empty() && !s.starts_with('.') {
        return cleaned;
    }
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{cleaned}-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str) -> String {
        serde_json::json!({"components": {"schemas": {format!("io.k8s.api.x.v1.{kind}"): {
            "type": "object",
            "properties": {"spec": {"type": "object"}},
            "x-kubernetes-group-version-kind": [{"group": "x", "version": "v1", "kind": kind}]
        }}}})
        .to_string()
    }

    #[test]
    fn documents_are_keyed_by_hash_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path(), "arn:aws:eks:eu-west-1:1:cluster/prod");
        assert!(cache.dir().starts_with(dir.path()));
        assert!(!cache.dir().to_string_lossy().contains("cluster/prod"));
        assert!(cache.snapshot().is_none());
        for (i, kind) in ["A", "B", "C"].iter().enumerate() {
            cache
                .put_openapi("apis/x/v1", &format!("h{i}"), &doc(kind))
                .unwrap();
            // Distinct modification times order the entries.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            cache.get_openapi("apis/x/v1", "h0").is_none(),
            "oldest entry pruned"
        );
        assert!(cache.get_openapi("apis/x/v1", "h1").is_some());
        let snapshot = cache.snapshot().unwrap();
        assert!(snapshot.from_cache);
        let kinds: Vec<&str> = snapshot.kinds.iter().map(|k| k.gvk.kind.as_str()).collect();
        assert_eq!(kinds, ["C"], "the newest document of a group-version wins");
    }

    #[test]
    fn corrupt_entries_are_ignored_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path(), "ctx");
        cache.put_openapi("api/v1", "h1", &doc("A")).unwrap();
        let path = cache.openapi_path("api/v1", "h1");
        fs::write(&path, "{ torn").unwrap();
        assert!(cache.get_openapi("api/v1", "h1").is_none());
        assert!(!path.exists());
        fs::write(cache.dir().join("crds.json"), "[1, 2").unwrap();
        assert!(cache.get_crds().is_none());
        assert!(cache.snapshot().is_none());
        cache
            .put_crds(&serde_json::json!([{"kind": "not a CRD"}]))
            .unwrap();
        let snapshot = cache.snapshot().unwrap();
        assert!(snapshot.kinds.is_empty());
    }

    #[test]
    fn safe_names_are_stable_and_distinct() {
        assert_eq!(safe_name("kind-dev"), "kind-dev");
        assert_ne!(safe_name("a/b"), safe_name("a:b"));
        assert_eq!(safe_name("a/b"), safe_name("a/b"));
        assert!(!safe_name("..").starts_with(".."));
    }
}
