//! The shared test fixture format for IDE features.
//!
//! A fixture is one string holding one or more files. A line `# - path/to/file.k.yaml`
//! starts a file; text before the first header (or a fixture without headers) goes to
//! `main.k.yaml`. One `$0` marks the cursor. Common indentation is removed first, so
//! fixtures can be indented inside raw strings:
//!
//! ```
//! let (analysis, pos) = koreo_ide::fixture::analysis(r#"
//!     ## - vf.k.yaml
//!     apiVersion: koreo.dev/v1beta1
//!     kind: ValueFunction
//!     metadata:
//!       name: v$0f
//!     spec:
//!       return: {}
//! "#);
//! let pos = pos.unwrap();
//! assert_eq!(&*analysis.file_key(pos.file), "vf.k.yaml");
//! ```
//!
//! Render results with [`render_range`] / [`render_diagnostics`] and compare them to an
//! `expect![[...]]` snapshot.

use std::fmt::Write;

use crate::diagnostics::severity_name;
use crate::{Analysis, AnalysisHost, Change, Contents, FileId, FilePosition, FileRange};
use text_size::{TextRange, TextSize};

/// The cursor marker.
pub const CURSOR: &str = "$0";
/// The file header prefix.
pub const HEADER: &str = "# - ";

/// A parsed fixture.
#[derive(Clone, Debug, Default)]
pub struct Fixture {
    /// `(path, text)` in order of appearance.
    pub files: Vec<(String, String)>,
    /// The file and byte offset of `$0`, if any.
    pub cursor: Option<(String, TextSize)>,
}

impl Fixture {
    /// Parses the fixture format described in the module docs.
    pub fn parse(text: &str) -> Fixture {
        let text = trim_indent(text);
        let mut fixture = Fixture::default();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix(HEADER) {
                if let Some(f) = current.take() {
                    fixture.files.push(f);
                }
                current = Some((path.trim().to_owned(), String::new()));
                continue;
            }
            let (_, body) =
                current.get_or_insert_with(|| ("main.k.yaml".to_owned(), String::new()));
            body.push_str(line);
        }
        fixture.files.extend(current);
        fixture
            .files
            .retain(|(p, t)| !(p == "main.k.yaml" && t.trim().is_empty()));
        for (path, body) in &mut fixture.files {
            if let Some(at) = body.find(CURSOR) {
                body.replace_range(at..at + CURSOR.len(), "");
                fixture.cursor = Some((path.clone(), TextSize::from(at as u32)));
            }
        }
        fixture
    }

    /// A host with every file loaded as disk contents (keys are the fixture paths).
    pub fn host(&self) -> (AnalysisHost, Option<FilePosition>) {
        let mut host = AnalysisHost::new();
        let mut change = Change::new();
        for (path, text) in &self.files {
            change.set_disk(path.clone(), Some(Contents::from_text(text.as_str())));
        }
        host.apply_change(change);
        let pos = self.cursor.as_ref().and_then(|(path, offset)| {
            host.file_id(path).map(|file| FilePosition {
                file,
                offset: *offset,
            })
        });
        (host, pos)
    }
}

/// Loads a fixture and returns a snapshot plus the cursor position.
pub fn analysis(text: &str) -> (Analysis, Option<FilePosition>) {
    let (host, pos) = Fixture::parse(text).host();
    (host.analysis(), pos)
}

/// `path:line:col-line:col` (1-based) followed by the covered text, for snapshots.
pub fn render_range(analysis: &Analysis, file: FileId, range: TextRange) -> String {
    let key = analysis.file_key(file);
    let Some(fa) = analysis.file(file) else {
        return format!("{key}:?");
    };
    let li = fa.line_index();
    let (l1, c1) = li.line_col(range.start()).unwrap_or((0, 0));
    let (l2, c2) = li.line_col(range.end()).unwrap_or((0, 0));
    let text = fa
        .text()
        .get(usize::from(range.start())..usize::from(range.end()))
        .unwrap_or("");
    let text = if text.len() > 40 || text.contains('\n') {
        let first = text.lines().next().unwrap_or("");
        format!("{}…", first.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    };
    format!("{key}:{}:{}-{}:{} `{text}`", l1 + 1, c1 + 1, l2 + 1, c2 + 1)
}

/// [`render_range`] for a [`FileRange`].
pub fn render_file_range(analysis: &Analysis, r: FileRange) -> String {
    render_range(analysis, r.file, r.range)
}

/// Every diagnostic of every file, one per line (`severity[code] location: message`),
/// related information indented below.
pub fn render_diagnostics(analysis: &Analysis) -> String {
    let mut out = String::new();
    let mut files = analysis.files();
    files.sort_by_key(|f| analysis.file_key(*f));
    for file in files {
        for d in analysis.diagnostics(file).unwrap_or_default() {
            let _ = writeln!(
                out,
                "{}[{}] {}: {}",
                severity_name(d.severity),
                d.code,
                render_range(analysis, d.file, d.range),
                d.message
            );
            for r in &d.related {
                let _ = writeln!(
                    out,
                    "    related {}: {}",
                    render_range(analysis, r.file, r.range),
                    r.message
                );
            }
        }
    }
    out
}

/// Removes the indentation common to all non-blank lines and a leading blank line.
fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    text.split_inclusive('\n')
        .map(|l| {
            if l.len() >= indent && l[..indent].bytes().all(|b| b == b' ') {
                &l[indent..]
            } else {
                l.trim_start_matches(' ')
            }
        })
        .collect()
}
