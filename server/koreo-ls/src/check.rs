//! `koreo-ls --check`: the headless checker. It loads the same [`AnalysisHost`] as the
//! server and prints its diagnostics as rustc-style text, JSON or SARIF.
//!
//! FunctionTests run unless `--no-tests`; their results come from the same analysis as the
//! editor's (failing cases are `test-case-failed` / `test-field-mismatch` diagnostics).
//!
//! Exit codes: 0 no error, 1 errors found or a FunctionTest failed, 2 usage or I/O failure.

use std::io::Write;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use koreo_ide::diagnostics::severity_name;
use koreo_ide::{
    Analysis, AnalysisHost, CaseVerdict, Change, Diagnostic, FileId, PositionEncoding, Severity,
    TestReport, TestVerdict,
};
use serde::Serialize;

use crate::Format;

/// What `--check` was asked to do.
pub struct Options {
    pub format: Format,
    /// Run FunctionTests and report them.
    pub run_tests: bool,
}

/// Runs the check and returns the process exit code.
pub fn run(paths: &[PathBuf], opts: &Options) -> u8 {
    let mut change = Change::new();
    let mut io_failed = false;
    let mut count = 0usize;
    let mut seen = std::collections::HashSet::new();
    for root in paths {
        if !root.exists() {
            eprintln!("error: {}: no such file or directory", root.display());
            io_failed = true;
            continue;
        }
        let (files, errors) = koreo_ide::discover::scan(root);
        for e in errors {
            eprintln!("error: {}: {}", e.path.display(), e.message);
            io_failed = true;
        }
        for f in files {
            // A file reached through two PATH arguments is one file, not a duplicate definition.
            let canonical = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
            if seen.insert(canonical) {
                change.set_disk(display_path(root, &f.path), Some(f.contents));
                count += 1;
            }
        }
    }
    let mut host = AnalysisHost::new();
    host.apply_change(change);
    let analysis = host.analysis();
    let report = Report::collect(&analysis, opts.run_tests);
    debug_assert_eq!(report.files.len(), count);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match opts.format {
        Format::Human => write_human(&mut out, &analysis, &report),
        Format::Json => write_json(&mut out, &analysis, &report),
        Format::Sarif => write_sarif(&mut out, &analysis, &report),
        Format::Junit => write_junit(&mut out, &analysis, &report),
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        eprintln!("error: writing the report: {e}");
        return 2;
    }
    if io_failed {
        2
    } else if report.errors > 0
        || report
            .tests
            .iter()
            .flatten()
            .any(|t| t.verdict != TestVerdict::Pass)
    {
        1
    } else {
        0
    }
}

/// The path to show for `file` found under `root`: `root` as given on the command line
/// joined with the file's path relative to it, with `/` separators.
fn display_path(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let joined = if rel.as_os_str().is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let s = joined.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Everything the writers need, computed once.
struct Report {
    files: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
    resources: usize,
    errors: usize,
    warnings: usize,
    /// FunctionTest results, in file order (`None` with `--no-tests`).
    tests: Option<Vec<TestReport>>,
}

/// Diagnostic codes that report FunctionTest results (dropped with `--no-tests`).
const TEST_CODES: [&str; 2] = ["test-case-failed", "test-field-mismatch"];

impl Report {
    fn collect(analysis: &Analysis, run_tests: bool) -> Report {
        let mut files = analysis.files();
        files.sort_by_key(|f| analysis.file_key(*f));
        let mut diagnostics = Vec::new();
        for f in &files {
            // The snapshot is private to this process, so it cannot be cancelled.
            diagnostics.extend(analysis.diagnostics(*f).unwrap_or_default());
        }
        if !run_tests {
            diagnostics.retain(|d| !TEST_CODES.contains(&d.code.as_str()));
        }
        let tests = run_tests.then(|| {
            let mut t = analysis.test_results(None).unwrap_or_default();
            t.sort_by_key(|t| (analysis.file_key(t.file), t.range.start()));
            t
        });
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Report {
            resources: analysis.stats().resources,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            files,
            diagnostics,
            tests,
        }
    }
}

/// 0-based line and UTF-16 column, as in LSP.
#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    character: u32,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    range: JsonRange,
    severity: &'static str,
    code: &'a str,
    message: &'a str,
}

/// Summary counts; the FunctionTest counts only when tests ran (not with `--no-tests`).
#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    resources: usize,
    errors: usize,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    tests: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_cases_passed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_cases_failed: Option<usize>,
}

#[derive(Serialize)]
struct JsonFunction<'a> {
    kind: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonCase<'a> {
    index: usize,
    label: &'a str,
    verdict: &'static str,
    outcome: Option<&'a str>,
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonTest<'a> {
    path: String,
    namespace: Option<String>,
    name: &'a str,
    function: Option<JsonFunction<'a>>,
    verdict: &'static str,
    cases: Vec<JsonCase<'a>>,
}

/// The JSON report; `tests` only when tests ran.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: JsonSummary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tests: Option<Vec<JsonTest<'a>>>,
}

/// `metadata.namespace` of the FunctionTest a report is about.
fn namespace_of(analysis: &Analysis, t: &TestReport) -> Option<String> {
    analysis
        .file(t.file)?
        .resources()
        .find(|r| r.range == t.range)?
        .namespace
        .as_ref()
        .map(|n| n.value.clone())
}

fn case_counts(report: &Report) -> (usize, usize) {
    let tests = report.tests.iter().flatten();
    let passed = tests.clone().map(TestReport::passed).sum();
    let failed = tests.map(TestReport::failed).sum();
    (passed, failed)
}

fn range_of(analysis: &Analysis, d: &Diagnostic) -> JsonRange {
    let Some(fa) = analysis.file(d.file) else {
        let zero = || JsonPosition {
            line: 0,
            character: 0,
        };
        return JsonRange {
            start: zero(),
            end: zero(),
        };
    };
    let li = fa.line_index();
    let p = |o| {
        let p = li.position_clamped(o, PositionEncoding::Utf16);
        JsonPosition {
            line: p.line,
            character: p.character,
        }
    };
    JsonRange {
        start: p(d.range.start()),
        end: p(d.range.end()),
    }
}

fn write_json(out: &mut dyn Write, analysis: &Analysis, report: &Report) -> std::io::Result<()> {
    let keys: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| analysis.file_key(d.file))
        .collect();
    let diagnostics = report
        .diagnostics
        .iter()
        .zip(&keys)
        .map(|(d, key)| JsonDiagnostic {
            path: key,
            range: range_of(analysis, d),
            severity: severity_name(d.severity),
            code: &d.code,
            message: &d.message,
        })
        .collect();
    let (passed, failed) = case_counts(report);
    let tests = report.tests.as_ref().map(|tests| {
        tests
            .iter()
            .map(|t| JsonTest {
                path: analysis.file_key(t.file).to_string(),
                namespace: namespace_of(analysis, t),
                name: &t.name,
                function: t
                    .function
                    .as_ref()
                    .map(|(kind, name)| JsonFunction { kind, name }),
                verdict: t.verdict.as_str(),
                cases: t
                    .cases
                    .iter()
                    .map(|c| JsonCase {
                        index: c.index,
                        label: &c.label,
                        verdict: c.verdict.as_str(),
                        outcome: c.outcome.as_deref(),
                        message: c.message.as_deref(),
                    })
                    .collect(),
            })
            .collect()
    });
    let ran = report.tests.is_some();
    let json = JsonReport {
        version: 1,
        summary: JsonSummary {
            files: report.files.len(),
            resources: report.resources,
            errors: report.errors,
            warnings: report.warnings,
            tests: report.tests.as_ref().map(Vec::len),
            test_cases_passed: ran.then_some(passed),
            test_cases_failed: ran.then_some(failed),
        },
        diagnostics,
        tests,
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

fn write_sarif(out: &mut dyn Write, analysis: &Analysis, report: &Report) -> std::io::Result<()> {
    let mut rules: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<serde_json::Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let r = range_of(analysis, d);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "note",
            };
            // SARIF regions are 1-based; columns count UTF-16 code units (declared below).
            serde_json::json!({
                "ruleId": d.code,
                "level": level,
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": &*analysis.file_key(d.file) },
                        "region": {
                            "startLine": r.start.line + 1,
                            "startColumn": r.start.character + 1,
                            "endLine": r.end.line + 1,
                            "endColumn": r.end.character + 1,
                        }
                    }
                }],
                "relatedLocations": d.related.iter().enumerate().map(|(i, rel)| {
                    let rr = range_of(analysis, &Diagnostic::new(rel.file, rel.range, d.severity, "", ""));
                    serde_json::json!({
                        "id": i,
                        "message": { "text": rel.message },
                        "physicalLocation": {
                            "artifactLocation": { "uri": &*analysis.file_key(rel.file) },
                            "region": {
                                "startLine": rr.start.line + 1,
                                "startColumn": rr.start.character + 1,
                                "endLine": rr.end.line + 1,
                                "endColumn": rr.end.character + 1,
                            }
                        }
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let sarif = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "koreo-ls",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/koreo-dev/koreo-ls",
                "rules": rules.iter().map(|r| serde_json::json!({ "id": r })).collect::<Vec<_>>(),
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn write_human(out: &mut dyn Write, analysis: &Analysis, report: &Report) -> std::io::Result<()> {
    let renderer = Renderer::plain();
    for d in &report.diagnostics {
        let Some(fa) = analysis.file(d.file) else {
            continue;
        };
        let key = analysis.file_key(d.file);
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Information => Level::INFO,
            Severity::Hint => Level::HELP,
        };
        let span = clamp(fa.text(), d.range);
        let mut group: Group<'_> = level.primary_title(&d.message).id(&d.code).element(
            Snippet::source(&**fa.text())
                .path(&*key)
                .annotation(AnnotationKind::Primary.span(span)),
        );
        let related_keys: Vec<_> = d
            .related
            .iter()
            .map(|r| analysis.file_key(r.file))
            .collect();
        for (r, rkey) in d.related.iter().zip(&related_keys) {
            let Some(rfa) = analysis.file(r.file) else {
                continue;
            };
            group = group.element(
                Snippet::source(&**rfa.text()).path(&**rkey).annotation(
                    AnnotationKind::Context
                        .span(clamp(rfa.text(), r.range))
                        .label(&r.message),
                ),
            );
        }
        writeln!(out, "{}\n", renderer.render(&[group]))?;
    }
    if let Some(tests) = &report.tests {
        let (passed, failed) = case_counts(report);
        let failing: Vec<&str> = tests
            .iter()
            .filter(|t| t.verdict != TestVerdict::Pass)
            .map(|t| t.name.as_str())
            .collect();
        writeln!(
            out,
            "ran {} FunctionTest{}: {} case{} passed, {} failed{}",
            tests.len(),
            plural(tests.len()),
            passed,
            plural(passed),
            failed,
            if failing.is_empty() {
                String::new()
            } else {
                format!(" (not passing: {})", failing.join(", "))
            }
        )?;
    }
    writeln!(
        out,
        "checked {} file{} ({} resource{}): {} error{}, {} warning{}",
        report.files.len(),
        plural(report.files.len()),
        report.resources,
        plural(report.resources),
        report.errors,
        plural(report.errors),
        report.warnings,
        plural(report.warnings),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A byte span inside the text on char boundaries (the renderer slices by it).
fn clamp(text: &str, range: koreo_ide::TextRange) -> std::ops::Range<usize> {
    let mut s = usize::from(range.start()).min(text.len());
    let mut e = usize::from(range.end()).min(text.len()).max(s);
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    while !text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}

/// Escapes text for XML attribute values and character data; characters XML 1.0 cannot
/// hold at all (most C0 controls) become U+FFFD.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one testsuite per FunctionTest, one testcase per case; failed cases get a
/// `<failure>`, skipped and not-run ones `<skipped/>`, a test that cannot run one
/// `<error>` testcase. Without tests (`--no-tests`) the document has no suites.
fn write_junit(out: &mut dyn Write, analysis: &Analysis, report: &Report) -> std::io::Result<()> {
    let tests = report.tests.as_deref().unwrap_or(&[]);
    let total: usize = tests.iter().map(|t| t.cases.len().max(1)).sum();
    let failures: usize = tests.iter().map(TestReport::failed).sum();
    let errors = tests
        .iter()
        .filter(|t| t.verdict == TestVerdict::Error)
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="koreo-ls" tests="{total}" failures="{failures}" errors="{errors}">"#
    )?;
    for t in tests {
        let path = analysis.file_key(t.file);
        let suite = xml_escape(&t.name);
        let error = t.verdict == TestVerdict::Error;
        let skipped = t.skipped();
        writeln!(
            out,
            r#"  <testsuite name="{suite}" file="{}" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
            xml_escape(&path),
            t.cases.len().max(usize::from(error)),
            t.failed(),
            usize::from(error),
            if error { 0 } else { skipped },
        )?;
        if error {
            let msg = xml_escape(t.message.as_deref().unwrap_or("the test cannot run"));
            writeln!(
                out,
                r#"    <testcase name="{suite}" classname="{suite}"><error message="{msg}"/></testcase>"#
            )?;
        } else {
            for c in &t.cases {
                let name = xml_escape(&c.label);
                let body = match c.verdict {
                    CaseVerdict::Pass => String::new(),
                    CaseVerdict::Fail => format!(
                        r#"<failure message="{}"/>"#,
                        xml_escape(c.message.as_deref().unwrap_or("failed"))
                    ),
                    CaseVerdict::Skip | CaseVerdict::NotRun => {
                        format!(r#"<skipped message="{}"/>"#, c.verdict.as_str())
                    }
                };
                writeln!(
                    out,
                    r#"    <testcase name="{name}" classname="{suite}">{body}</testcase>"#
                )?;
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
