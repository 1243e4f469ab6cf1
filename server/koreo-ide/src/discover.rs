//! Finding the Koreo files of a workspace on disk (shared by the server and `--check`).
//!
//! Koreo-named files (`*.k.yaml`, `*.k.yml`, `*.koreo`, `*.k`) are always taken; other
//! `*.yaml`/`*.yml` files only when a cheap byte scan finds a `koreo.dev` apiVersion or a
//! CRD in them, so a repository full of plain manifests costs little. `.gitignore`d
//! paths, `.git`, `target` and `node_modules` are skipped.

use std::path::{Path, PathBuf};

use crate::Contents;

/// Koreo-specific file name endings.
const KOREO_SUFFIXES: [&str; 4] = [".k.yaml", ".k.yml", ".koreo", ".k"];

/// Whether the file name marks a Koreo file regardless of its content.
pub fn is_koreo_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    KOREO_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether the file could hold Koreo documents (by name: Koreo-named or plain YAML).
pub fn is_candidate(path: &Path) -> bool {
    if is_koreo_name(path) {
        return true;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The content pre-filter for plain YAML files: Koreo documents or CRDs inside.
pub fn wants_contents(path: &Path, bytes: &[u8]) -> bool {
    if is_koreo_name(path) {
        return true;
    }
    contains(bytes, b"koreo.dev") || contains(bytes, b"CustomResourceDefinition")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A file found by [`scan`], already read.
#[derive(Debug)]
pub struct FoundFile {
    /// Path of the file.
    pub path: PathBuf,
    /// The file as read.
    pub contents: Contents,
}

/// A problem met while scanning (unreadable directory or file).
#[derive(Debug)]
pub struct ScanError {
    /// Path of the file.
    pub path: PathBuf,
    /// Human-readable explanation.
    pub message: String,
}

/// Walks `root` (a directory or a single file) and reads every Koreo file, sorted by path.
/// A file given directly is always taken when it is a candidate by name.
pub fn scan(root: &Path) -> (Vec<FoundFile>, Vec<ScanError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    if root.is_file() {
        match std::fs::read(root) {
            Ok(bytes) => files.push(FoundFile {
                path: root.to_owned(),
                contents: Contents::from_bytes(bytes),
            }),
            Err(e) => errors.push(ScanError {
                path: root.to_owned(),
                message: e.to_string(),
            }),
        }
        return (files, errors);
    }
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name().to_str().unwrap_or("");
            !(e.depth() > 0 && matches!(name, ".git" | "target" | "node_modules"))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(ScanError {
                    path: root.to_owned(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) || !is_candidate(entry.path()) {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                if wants_contents(entry.path(), &bytes) {
                    files.push(FoundFile {
                        path: entry.path().to_owned(),
                        contents: Contents::from_bytes(bytes),
                    });
                }
            }
            Err(e) => errors.push(ScanError {
                path: entry.path().to_owned(),
                message: e.to_string(),
            }),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_filters_by_name_content_and_gitignore() {
        let dir = std::env::temp_dir().join(format!("koreo-ide-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let w = |p: &str, s: &str| {
            let p = dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, s).unwrap();
        };
        w("a.k.yaml", "anything: 1\n");
        w("b.yaml", "apiVersion: koreo.dev/v1beta1\n");
        w("c.yaml", "apiVersion: v1\nkind: ConfigMap\n");
        w("d.yml", "kind: CustomResourceDefinition\n");
        w("e.txt", "koreo.dev\n");
        w("ignored/f.k.yaml", "x: 1\n");
        w("node_modules/g.k.yaml", "x: 1\n");
        w("target/h.k.yaml", "x: 1\n");
        w(".gitignore", "ignored/\n");
        let (found, errors) = scan(&dir);
        let names: Vec<String> = found
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.k.yaml", "b.yaml", "d.yml"]);
        assert!(errors.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
