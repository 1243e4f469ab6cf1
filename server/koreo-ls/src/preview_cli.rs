//! `koreo-ls preview FILE[:LINE]`: the `koreo.preview` YAML (or, with `--graph`, the
//! workflow graph) for the resource at a line, printed to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use koreo_ide::{AnalysisHost, Change, FilePosition, PositionEncoding, TextPosition};

/// What `preview` was asked for.
pub struct Options {
    /// `FILE` or `FILE:LINE` (1-based line; default: the first line).
    pub target: String,
    /// Folders whose Koreo files are loaded too (default: the current directory).
    pub roots: Vec<PathBuf>,
    /// Print the workflow graph instead: `mermaid` or `dot`.
    pub graph: Option<String>,
}

/// Splits `FILE:LINE` (a trailing number after the last colon is a line).
fn split_target(target: &str) -> (PathBuf, u32) {
    if let Some((file, line)) = target.rsplit_once(':')
        && let Ok(n) = line.parse::<u32>()
    {
        return (PathBuf::from(file), n.max(1));
    }
    (PathBuf::from(target), 1)
}

fn key(path: &Path) -> String {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    abs.to_string_lossy().into_owned()
}

/// Runs the command and returns the exit code (0 printed, 1 nothing to preview, 2 usage
/// or I/O failure).
pub fn run(opts: &Options) -> u8 {
    let (file, line) = split_target(&opts.target);
    if !file.is_file() {
        eprintln!("error: {}: no such file", file.display());
        return 2;
    }
    let mut change = Change::new();
    let roots = if opts.roots.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.roots.clone()
    };
    for root in roots.iter().map(PathBuf::as_path).chain([file.as_path()]) {
        let (found, errors) = koreo_ide::discover::scan(root);
        for e in errors {
            eprintln!("warning: {}: {}", e.path.display(), e.message);
        }
        for f in found {
            change.set_disk(key(&f.path), Some(f.contents));
        }
    }
    let mut host = AnalysisHost::new();
    host.apply_change(change);
    let analysis = host.analysis();
    let Some(id) = analysis.file_id(&key(&file)) else {
        eprintln!("error: {}: not a Koreo file", file.display());
        return 2;
    };
    let Some(fa) = analysis.file(id) else {
        return 2;
    };
    let line_start = fa
        .line_index()
        .offset_clamped(TextPosition::new(line - 1, 0), PositionEncoding::Utf8);
    // The first non-blank character of the line, so a line's own document is chosen.
    let indent = fa.text()[usize::from(line_start)..]
        .chars()
        .take_while(|c| *c == ' ')
        .count();
    let pos = FilePosition {
        file: id,
        offset: line_start + koreo_ide::TextSize::from(indent as u32),
    };
    // The snapshot is private to this process, so it cannot be cancelled.
    let text = match &opts.graph {
        Some(format) => analysis
            .workflow_graph(id, Some(pos))
            .ok()
            .flatten()
            .map(|g| if format == "dot" { g.dot } else { g.mermaid }),
        None => analysis.preview(pos).ok().flatten().map(|p| p.content),
    };
    let Some(text) = text else {
        eprintln!(
            "{}:{line}: no {} here",
            file.display(),
            if opts.graph.is_some() {
                "Workflow"
            } else {
                "Koreo resource"
            }
        );
        return 1;
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return 2;
    }
    0
}
