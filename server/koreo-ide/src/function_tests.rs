//! FunctionTest results in the IDE: every FunctionTest is run when the workspace loads and
//! re-run when something it depends on changes (only the affected ones,
//! [`koreo_eval::Registry::affected_tests`]). Results become diagnostics (the failing case,
//! each differing expected field), code lenses, hovers on a case, and the CLI's report.
//! Tests run with PyYAML's reading of the files, as the Python tooling that runs them does.

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use koreo_eval::results::{FieldDiffKind, path_string};
use koreo_eval::spec::SNode;
use koreo_eval::{CaseResult, Kind, Registry, ResourceRef, TestRun, TestStatus, Verdict};
use text_size::{TextRange, TextSize};

use crate::FileId;
use crate::db::Db;
use crate::diagnostics::{Diagnostic, Severity};

/// A test run kept in the `Db`, with the file and nodes it reports on.
#[derive(Clone, Debug)]
pub(crate) struct StoredTest {
    pub(crate) file: FileId,
    /// Range of the whole FunctionTest document.
    pub(crate) range: TextRange,
    /// The `testCases` items, by index (ranges of the item and of its `label` value).
    pub(crate) case_nodes: Vec<(TextRange, Option<TextRange>)>,
    pub(crate) run: TestRun,
}

/// The overall verdict of a FunctionTest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestVerdict {
    /// Every case that ran passed or was skipped (or there are no cases).
    Pass,
    /// A case failed.
    Fail,
    /// The test could not run: the FunctionTest or its function failed to prepare, or the
    /// engine raised.
    Error,
}

impl TestVerdict {
    /// `pass`, `fail` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            TestVerdict::Pass => "pass",
            TestVerdict::Fail => "fail",
            TestVerdict::Error => "error",
        }
    }
}

/// The verdict of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseVerdict {
    /// The assertion held.
    Pass,
    /// The assertion did not hold, or the engine raised on this case.
    Fail,
    /// `skip: true`.
    Skip,
    /// Not executed (an earlier case failed, or the test could not run).
    NotRun,
}

impl CaseVerdict {
    /// `pass`, `fail`, `skip` or `not-run`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseVerdict::Pass => "pass",
            CaseVerdict::Fail => "fail",
            CaseVerdict::Skip => "skip",
            CaseVerdict::NotRun => "not-run",
        }
    }
}

/// The result of one test case, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseReport {
    /// Position in `testCases` (0-based).
    pub index: usize,
    /// The engine's label (`Test Case 2` when none is written).
    pub label: String,
    /// The verdict.
    pub verdict: CaseVerdict,
    /// The actual outcome type (`Ok`, `Skip`, `DepSkip`, `Retry`, `PermFail`), when it ran.
    pub outcome: Option<String>,
    /// Why it failed (or the engine's note, e.g. `user skipped`).
    pub message: Option<String>,
    /// The `testCases` item.
    pub range: TextRange,
    /// The `label` value, when written.
    pub label_range: Option<TextRange>,
}

/// The result of one FunctionTest, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    /// The file of the FunctionTest.
    pub file: FileId,
    /// `metadata.name`.
    pub name: String,
    /// The function under test (kind, name).
    pub function: Option<(String, String)>,
    /// The verdict.
    pub verdict: TestVerdict,
    /// Why the test is an error.
    pub message: Option<String>,
    /// The FunctionTest document.
    pub range: TextRange,
    /// One entry per declared case, in order.
    pub cases: Vec<CaseReport>,
}

impl TestReport {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(CaseVerdict::Pass)
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(CaseVerdict::Fail)
    }

    /// Cases skipped or not run.
    pub fn skipped(&self) -> usize {
        self.count(CaseVerdict::Skip) + self.count(CaseVerdict::NotRun)
    }

    fn count(&self, v: CaseVerdict) -> usize {
        self.cases.iter().filter(|c| c.verdict == v).count()
    }
}

fn test_ref(name: &str) -> ResourceRef {
    ResourceRef::new(Kind::FunctionTest, name)
}

/// Runs the FunctionTests affected by a change to `re_prepared`, drops results of tests that
/// are gone, recomputes the test diagnostics of their files and returns the files whose
/// test diagnostics differ.
pub(crate) fn update(db: &mut Db, re_prepared: &BTreeSet<ResourceRef>) -> Vec<FileId> {
    let registry = db.eval.test_registry();
    let changed: Vec<ResourceRef> = re_prepared.iter().cloned().collect();
    let mut names: BTreeSet<String> = registry.affected_tests(&changed).into_iter().collect();
    // A test whose source went away was in a changed file, so it is among `names`, unless
    // the registry was emptied (reset after a panic): only then look at every stored test.
    if registry.resources().next().is_none() {
        names.extend(db.tests.keys().cloned());
    }
    let mut files: BTreeSet<FileId> = BTreeSet::new();
    let mut ran = Vec::new();
    for name in &names {
        if let Some(old) = db.tests.remove(name) {
            files.insert(old.file);
            if let Some(set) = db.tests_by_file.get_mut(&old.file) {
                set.remove(name);
                if set.is_empty() {
                    db.tests_by_file.remove(&old.file);
                }
            }
        }
        let Some(stored) = run_one(registry, &db.ids, name) else {
            continue;
        };
        ran.push(name.clone());
        files.insert(stored.file);
        db.tests_by_file
            .entry(stored.file)
            .or_default()
            .insert(name.clone());
        db.tests.insert(name.clone(), Arc::new(stored));
    }
    db.tests_ran = ran;
    let mut differ = Vec::new();
    for file in files {
        let mut diags = Vec::new();
        let mut tests: Vec<&Arc<StoredTest>> = db
            .tests_by_file
            .get(&file)
            .into_iter()
            .flatten()
            .filter_map(|n| db.tests.get(n))
            .collect();
        tests.sort_by_key(|t| t.range.start());
        for t in tests {
            diagnostics(t, &mut diags);
        }
        let old = db.test_diags.get(&file).map(|v| &**v);
        if old.is_none_or(|o| *o != diags) {
            differ.push(file);
            if diags.is_empty() {
                db.test_diags.remove(&file);
            } else {
                db.test_diags.insert(file, Arc::new(diags));
            }
        }
    }
    differ
}

fn run_one(registry: &Registry, ids: &HashMap<Arc<str>, FileId>, name: &str) -> Option<StoredTest> {
    let src = registry.source(&test_ref(name))?;
    let file = *ids.get(src.key.file.as_str())?;
    // The evaluator is budgeted and panic-free by design; a bug must not take the
    // analysis down with it.
    let run = match catch_unwind(AssertUnwindSafe(|| registry.run_test(name))) {
        Ok(run) => run?,
        Err(p) => {
            tracing::error!(
                "running FunctionTest {name} panicked: {}",
                crate::db::panic_message(&p)
            );
            return None;
        }
    };
    let case_nodes = src
        .spec
        .get("testCases")
        .and_then(SNode::items)
        .map(|items| {
            items
                .iter()
                .map(|c| (c.range, c.get("label").map(|l| l.range)))
                .collect()
        })
        .unwrap_or_default();
    Some(StoredTest {
        file,
        range: src.range,
        case_nodes,
        run,
    })
}

impl StoredTest {
    /// The item range and label range of case `index`.
    fn case_node(&self, case: &CaseResult) -> (TextRange, Option<TextRange>) {
        self.case_nodes
            .get(case.index)
            .copied()
            .unwrap_or((case.range, None))
    }

    pub(crate) fn report(&self) -> TestReport {
        let verdict = match self.run.status {
            TestStatus::Pass | TestStatus::NoTests => TestVerdict::Pass,
            TestStatus::Fail => TestVerdict::Fail,
            TestStatus::Error => TestVerdict::Error,
        };
        TestReport {
            file: self.file,
            name: self.run.test.clone(),
            function: self
                .run
                .function
                .as_ref()
                .map(|f| (f.kind.as_str().to_owned(), f.name.clone())),
            verdict,
            message: self.run.message.clone(),
            range: self.range,
            cases: self
                .run
                .cases
                .iter()
                .map(|c| {
                    let (range, label_range) = self.case_node(c);
                    CaseReport {
                        index: c.index,
                        label: c.label.clone(),
                        verdict: match c.verdict {
                            Verdict::Pass => CaseVerdict::Pass,
                            Verdict::Fail | Verdict::Error => CaseVerdict::Fail,
                            Verdict::Skip => CaseVerdict::Skip,
                            Verdict::NotRun => CaseVerdict::NotRun,
                        },
                        outcome: c.actual.as_ref().map(|a| format!("{:?}", a.kind)),
                        message: case_message(c),
                        range,
                        label_range,
                    }
                })
                .collect(),
        }
    }
}

/// Why a case failed, in one line.
fn case_message(c: &CaseResult) -> Option<String> {
    match c.verdict {
        Verdict::Pass | Verdict::NotRun => None,
        Verdict::Skip => c.message.clone(),
        Verdict::Fail | Verdict::Error => {
            let diffs = c.field_diffs();
            if c.message.is_none() && !diffs.is_empty() {
                let fields: Vec<String> = diffs.iter().map(describe_diff).collect();
                Some(format!(
                    "{} differs from the actual {}: {}",
                    c.assertion.field(),
                    actual_noun(c),
                    fields.join("; ")
                ))
            } else {
                let s = c.summary();
                Some(s.strip_prefix("failed: ").map_or(s.clone(), str::to_owned))
            }
        }
    }
}

fn actual_noun(c: &CaseResult) -> &'static str {
    match c.assertion {
        koreo_eval::ft::Assertion::Resource(_) => "resource",
        _ => "return value",
    }
}

fn show(d: Option<&koreo_eval::Data>) -> String {
    d.map_or_else(|| "nothing".to_owned(), |d| d.json_dumps())
}

fn describe_diff(d: &koreo_eval::FieldDiff) -> String {
    let path = if d.path.is_empty() {
        "(root)".to_owned()
    } else {
        path_string(&d.path)
    };
    match d.kind {
        FieldDiffKind::Mismatch => format!(
            "`{path}`: expected {}, found {}",
            show(d.expected.as_ref()),
            show(d.actual.as_ref())
        ),
        FieldDiffKind::Missing => format!("`{path}` is expected but missing"),
        FieldDiffKind::Unexpected => {
            format!("`{path}` is not expected ({})", show(d.actual.as_ref()))
        }
        FieldDiffKind::Set => format!("`{path}`: {}", d.message),
    }
}

/// The diagnostics of one test: each failing case on its label (or item), each differing
/// expected field on that field (unexpected fields listed by path on their mapping).
fn diagnostics(t: &StoredTest, out: &mut Vec<Diagnostic>) {
    for c in &t.run.cases {
        if !matches!(c.verdict, Verdict::Fail | Verdict::Error) {
            continue;
        }
        let (item, label) = t.case_node(c);
        out.push(Diagnostic::new(
            t.file,
            label.unwrap_or(item),
            Severity::Error,
            "test-case-failed",
            format!(
                "{} failed: {}",
                c.label,
                case_message(c).unwrap_or_default()
            ),
        ));
        let mut unexpected: Vec<(TextRange, Vec<String>)> = Vec::new();
        for d in c.field_diffs() {
            if d.kind == FieldDiffKind::Unexpected {
                let path = path_string(&d.path);
                match unexpected.iter_mut().find(|(r, _)| *r == d.range) {
                    Some((_, v)) => v.push(path),
                    None => unexpected.push((d.range, vec![path])),
                }
                continue;
            }
            out.push(Diagnostic::new(
                t.file,
                d.range,
                Severity::Error,
                "test-field-mismatch",
                describe_diff(&d),
            ));
        }
        for (range, paths) in unexpected {
            out.push(Diagnostic::new(
                t.file,
                range,
                Severity::Error,
                "test-field-mismatch",
                format!(
                    "the actual {} has fields this expectation lacks: {}",
                    actual_noun(c),
                    paths.join(", ")
                ),
            ));
        }
    }
}

/// The results of the FunctionTests of `file` (all files with `None`), in file order.
pub(crate) fn test_results(db: &Db, file: Option<FileId>) -> Vec<TestReport> {
    let mut v: Vec<&Arc<StoredTest>> = db
        .tests
        .values()
        .filter(|t| file.is_none_or(|f| t.file == f))
        .collect();
    v.sort_by_key(|t| (t.file, t.range.start()));
    v.into_iter().map(|t| t.report()).collect()
}

/// The stored test whose document contains `offset`, and the case containing it, if any.
pub(crate) fn test_at(
    db: &Db,
    file: FileId,
    offset: TextSize,
) -> Option<(&StoredTest, Option<&CaseResult>)> {
    let t = db
        .tests
        .values()
        .find(|t| t.file == file && t.range.contains_inclusive(offset))?;
    let case = t
        .run
        .cases
        .iter()
        .find(|c| t.case_node(c).0.contains_inclusive(offset));
    Some((t, case))
}

/// Status lenses on each FunctionTest (and its cases) plus "Run".
pub(crate) fn lenses(db: &Db, file: FileId) -> Vec<crate::CodeLens> {
    let Some(fa) = db.files.get(&file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for res in fa.resources() {
        if res.kind != koreo_model::Kind::FunctionTest {
            continue;
        }
        let Some(name) = &res.name else { continue };
        let at = res.kind_range.start();
        let lens = |range: TextRange, title: String, position: TextSize| crate::CodeLens {
            range,
            title,
            command: "koreo.runTests".into(),
            position: Some(position),
        };
        let stored = db
            .tests
            .get(&name.value)
            .filter(|t| t.file == file && t.range == res.range);
        let Some(t) = stored else {
            out.push(lens(res.kind_range, "not run".into(), at));
            out.push(lens(res.kind_range, "Run".into(), at));
            continue;
        };
        let r = t.report();
        let title = match r.verdict {
            TestVerdict::Error => format!(
                "⚠ error: {}",
                r.message.as_deref().unwrap_or("the test cannot run")
            ),
            _ if r.cases.is_empty() => "no test cases".into(),
            TestVerdict::Fail => format!("✗ {} of {} failed", r.failed(), r.cases.len()),
            TestVerdict::Pass => format!("✓ {} passed", r.passed()),
        };
        out.push(lens(res.kind_range, title, at));
        out.push(lens(res.kind_range, "Run".into(), at));
        for c in &r.cases {
            let title = match c.verdict {
                CaseVerdict::Pass => "✓ passed",
                CaseVerdict::Fail => "✗ failed",
                CaseVerdict::Skip => "skipped",
                CaseVerdict::NotRun => "not run",
            };
            let range = TextRange::empty(c.range.start());
            out.push(lens(range, title.into(), c.range.start()));
        }
    }
    out
}

/// Hover on a test case: the actual outcome, the return value and the rendered resource.
pub(crate) fn hover(db: &Db, pos: crate::FilePosition) -> Option<crate::HoverResult> {
    let (t, case) = test_at(db, pos.file, pos.offset)?;
    let c = case?;
    let report = t.report();
    let r = report.cases.get(c.index)?;
    let mut md = format!("**{}**: {}", c.label, c.summary());
    if let Some(a) = &c.actual {
        md.push_str(&format!("\n\nActual outcome: `{:?}`", a.kind));
        if let Some(m) = &a.message {
            md.push_str(&format!(" — {m}"));
        }
    }
    if let Some(ret) = &c.actual_return {
        md.push_str(&format!(
            "\n\nReturn value:\n```yaml\n{}```",
            crate::yaml_out::to_yaml(ret)
        ));
    }
    if let Some(obj) = &c.rendered {
        md.push_str(&format!(
            "\n\nRendered resource:\n```yaml\n{}```",
            crate::yaml_out::to_yaml(&koreo_eval::rf::strip_last_applied(obj))
        ));
    }
    Some(crate::HoverResult {
        range: r.range,
        markdown: md,
    })
}
