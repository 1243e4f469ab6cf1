//! FunctionTest (§10): prepare (with the engine's messages) and the runner.

use crate::api::MockApi;
use crate::cel::{Crash, Stop};
use crate::compare::{Difference, test_compare};
use crate::convert::{data_to_value, value_to_data};
use crate::data::Data;
use crate::outcome::{Outcome, OutcomeKind};
use crate::prepare::PrepareError;
use crate::resource::{Kind, ResourceRef};
use crate::rf::{
    self, Owner, ResourceFunction, RfContext, Template, TemplateLookup, strip_last_applied,
};
use crate::spec::{SKind, SNode};
use crate::structure::{
    OverlayProgram, deep_overlay, eval_overlay, predicate_outcome, prepare_overlay,
};
use crate::vf::{self, ValueFunction};
use koreo_cel::{Activation, Map, Value};
use std::sync::Arc;
use text_size::TextRange;

/// The function a FunctionTest runs.
#[derive(Clone, Debug)]
pub enum FunctionUnderTest {
    /// A prepared ValueFunction.
    ValueFunction(Arc<ValueFunction>),
    /// A prepared ResourceFunction.
    ResourceFunction(Arc<ResourceFunction>),
}

/// What a test case asserts.
#[derive(Clone, Debug)]
pub enum Assertion {
    /// `expectResource` (the expected object, with ranges).
    Resource(SNode),
    /// `expectOutcome`: `None` means "expect Ok" (`ok: {}`).
    Outcome {
        /// The expected outcome; `None` expects Ok.
        expected: Option<Outcome<()>>,
        /// The `expectOutcome` node.
        node: SNode,
    },
    /// `expectReturn`.
    Return(SNode),
    /// `expectDelete`.
    Delete {
        /// Whether DELETE must be called.
        expected: bool,
        /// The `expectDelete` node.
        node: SNode,
    },
}

impl Assertion {
    /// The assertion's field name.
    pub fn field(&self) -> &'static str {
        match self {
            Assertion::Resource(_) => "expectResource",
            Assertion::Outcome { .. } => "expectOutcome",
            Assertion::Return(_) => "expectReturn",
            Assertion::Delete { .. } => "expectDelete",
        }
    }

    /// The YAML node of the expectation.
    pub fn node(&self) -> &SNode {
        match self {
            Assertion::Resource(n) | Assertion::Return(n) => n,
            Assertion::Outcome { node, .. } | Assertion::Delete { node, .. } => node,
        }
    }
}

/// A prepared test case.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// Position in `testCases` (0-based).
    pub index: usize,
    /// The engine's label (`Test Case {n}` by default, `[variant] ` prefixed for variants).
    pub label: String,
    /// `variant: true`: nothing carries forward, failures are not fatal.
    pub variant: bool,
    /// `skip: true`.
    pub skip: bool,
    /// `inputOverrides` as a CEL map (deep-merged onto the current inputs).
    pub input_overrides: Option<Value>,
    /// `currentResource` of the case (replaces the current resource).
    pub current_resource: Option<Data>,
    /// The prepared `overlayResource`.
    pub overlay: Option<OverlayProgram>,
    /// What the case asserts.
    pub assertion: Assertion,
    /// The test case node.
    pub node: SNode,
}

/// A prepared FunctionTest.
#[derive(Clone, Debug)]
pub struct FunctionTest {
    /// The FunctionTest's name.
    pub name: String,
    /// `functionRef` (kind and name).
    pub function_ref: ResourceRef,
    /// The function under test, or why it cannot run (DepSkip when missing, its cached
    /// failure when it failed to prepare).
    pub function: Result<FunctionUnderTest, Outcome<()>>,
    /// `spec.inputs` as a CEL map (`None` when absent or empty).
    pub inputs: Option<Value>,
    /// `spec.inputs` node.
    pub inputs_node: Option<SNode>,
    /// `spec.currentResource`.
    pub initial_resource: Option<Data>,
    /// The prepared test cases, in order.
    pub cases: Vec<TestCase>,
    /// ResourceTemplates the test cases would use (re-run when they change); `None` when
    /// any template may be used.
    pub templates: Option<Vec<String>>,
}

/// Looks up the function under test: `None` when not cached, `Err` with its failure.
pub type FunctionLookup<'a> =
    &'a dyn Fn(Kind, &str) -> Option<Result<FunctionUnderTest, Outcome<()>>>;

fn null() -> SNode {
    SNode::detached(SKind::Null)
}

fn convert_or_crash(node: &SNode, name: &str) -> Result<Value, PrepareError> {
    data_to_value(&node.to_data()).map_err(|e| {
        let range = node.contains_other().map(|n| n.range).unwrap_or(node.range);
        let mut err = PrepareError::crash(Kind::FunctionTest, name, &e.message, Some(range));
        err.code = "yaml-date-in-inputs";
        err
    })
}

/// Prepares a FunctionTest's `spec` (§10.2).
pub fn prepare(
    name: &str,
    spec: &SNode,
    schema_error: Option<&str>,
    lookup: FunctionLookup<'_>,
) -> Result<FunctionTest, PrepareError> {
    if let Some(msg) = schema_error {
        return Err(PrepareError::perm_fail(
            "schema",
            msg,
            Some(format!("{name}:spec")),
            None,
        ));
    }
    let ref_loc = Some(format!("{name}:spec.functionRef"));
    let fref = spec.get("functionRef").filter(|f| f.truthy());
    let Some(fref) = fref else {
        return Err(PrepareError::perm_fail(
            "function-ref-missing",
            "Missing `spec.functionRef`",
            ref_loc,
            Some(spec.range),
        ));
    };
    if !fref.is_map() {
        return Err(PrepareError::perm_fail(
            "function-ref-invalid",
            format!(
                "Failed to process `functionRef`, expected object with `kind` and `name`. received {}",
                fref.to_data().py_type()
            ),
            ref_loc,
            Some(fref.range),
        ));
    }
    let Some(fkind) = fref.get("kind").filter(|k| k.truthy()) else {
        return Err(PrepareError::perm_fail(
            "function-ref-invalid",
            "Missing `functionRef.kind`.",
            ref_loc,
            Some(fref.range),
        ));
    };
    let Some(fname) = fref.get("name").filter(|k| k.truthy()) else {
        return Err(PrepareError::perm_fail(
            "function-ref-invalid",
            "Missing `functionRef.name`.",
            ref_loc,
            Some(fref.range),
        ));
    };
    let kind_s = fkind.py_str();
    let kind = match Kind::parse(&kind_s) {
        Some(k @ (Kind::ValueFunction | Kind::ResourceFunction)) => k,
        _ => {
            return Err(PrepareError::perm_fail(
                "function-ref-invalid",
                format!("Invalid `functionRef.kind` ({kind_s})."),
                ref_loc,
                Some(fkind.range),
            ));
        }
    };
    let fname = fname.py_str();
    let function_ref = ResourceRef::new(kind, fname.clone());
    let function = match lookup(kind, &fname) {
        None => Err(Outcome::dep_skip(
            format!("{kind} ({fname}) not found or not ready, FunctionTest '{name}' must wait."),
            Some(format!("prepare:FunctionTest:{name}")),
        )),
        Some(r) => r,
    };
    let initial_resource = spec.get("currentResource").map(SNode::to_data);

    let mut cases = Vec::new();
    let items: &[SNode] = spec
        .get("testCases")
        .filter(|t| t.truthy())
        .and_then(SNode::items)
        .unwrap_or(&[]);
    for (idx, case_spec) in items.iter().enumerate() {
        let case = prepare_case(name, case_spec, idx, kind == Kind::ResourceFunction)?;
        cases.push(case);
    }

    let inputs_node = spec.get("inputs").cloned();
    let inputs = match inputs_node.as_ref().filter(|i| i.truthy()) {
        None => None,
        Some(node) => {
            let v = convert_or_crash(node, name)?;
            if !matches!(v, Value::Map(_)) {
                return Err(PrepareError::perm_fail(
                    "inputs-not-object",
                    format!(
                        "FunctionTest '{name}' `spec.inputs` ('{}') must be an object.",
                        koreo_cel::python::py_str(&v)
                    ),
                    Some(format!("prepare:FunctionTest:{name}")),
                    Some(node.range),
                ));
            }
            Some(v)
        }
    };

    let templates = match &function {
        Ok(FunctionUnderTest::ResourceFunction(f)) => {
            template_names(name, f, inputs.as_ref(), &cases)?
        }
        _ => Some(Vec::new()),
    };

    Ok(FunctionTest {
        name: name.to_string(),
        function_ref,
        function,
        inputs,
        inputs_node,
        initial_resource,
        cases,
        templates,
    })
}

fn prepare_case(
    test: &str,
    spec: &SNode,
    idx: usize,
    resource_function: bool,
) -> Result<TestCase, PrepareError> {
    let variant = spec.get("variant").is_some_and(SNode::truthy);
    let mut label = spec
        .get("label")
        .filter(|l| l.truthy())
        .map(SNode::py_str)
        .unwrap_or_else(|| format!("Test Case {}", idx + 1));
    if variant && !label.to_lowercase().contains("variant") {
        label = format!("[variant] {label}");
    }
    let location = format!("spec.testCases[{idx}: \"{label}\"]");
    let fail = |code: &'static str, message: String, part: Option<&str>, range: TextRange| {
        let loc = match part {
            Some(p) => format!("{location}.{p}"),
            None => location.clone(),
        };
        PrepareError::perm_fail(
            code,
            message,
            Some(format!("FunctionTest:{test}:{loc}")),
            Some(range),
        )
    };

    let input_overrides = match spec.get("inputOverrides").filter(|o| o.truthy()) {
        None => None,
        Some(node) => {
            let v = convert_or_crash(node, test)?;
            if !matches!(v, Value::Map(_)) {
                return Err(fail(
                    "test-case-malformed",
                    format!("`{location}.inputOverrides` must be an object."),
                    Some("inputOverrides"),
                    node.range,
                ));
            }
            Some(v)
        }
    };
    let current = spec.get("currentResource").filter(|c| !c.is_null());
    if let Some(c) = current
        && !c.is_map()
    {
        return Err(fail(
            "test-case-malformed",
            format!("`{location}.currentResource` must be an object."),
            Some("currentResource"),
            c.range,
        ));
    }
    let overlay_node = spec.get("overlayResource").filter(|c| !c.is_null());
    if let Some(o) = overlay_node
        && !o.is_map()
    {
        return Err(fail(
            "test-case-malformed",
            format!("`{location}.overlayResource` must be an object."),
            Some("overlayResource"),
            o.range,
        ));
    }
    let overlay = match prepare_overlay(
        &overlay_node.cloned().unwrap_or_else(null),
        &format!("{location}.overlayResource"),
        Some(&ResourceRef::new(Kind::FunctionTest, test)),
    ) {
        Ok(o) => o,
        Err(f) => {
            let mut e = PrepareError::from_structure(Kind::FunctionTest, test, f, None);
            // The engine's location is the test-case failure's (absent) location.
            e.outcome
                .set_location(Some(format!("FunctionTest:{test}:None")));
            return Err(e);
        }
    };

    let exactly_one = |range| {
        fail(
            "test-case-assertions",
            format!(
                "`{location}` must contain exactly one assertion (`expectResource`, `expectReturn`, `expectOutcome`, or `expectDelete`)."
            ),
            None,
            range,
        )
    };
    let mut assertion: Option<Assertion> = None;
    if let Some(n) = spec.get("expectResource").filter(|n| !n.is_null()) {
        if !resource_function {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectResource` only valid for `ResourceFunction` tests."),
                Some("expectResource"),
                n.range,
            ));
        }
        if !n.is_map() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectResource` must be an object."),
                Some("expectResource"),
                n.range,
            ));
        }
        if !n.truthy() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectResource` may not be an empty object."),
                Some("expectResource"),
                n.range,
            ));
        }
        assertion = Some(Assertion::Resource(n.clone()));
    }
    if let Some(n) = spec.get("expectOutcome").filter(|n| !n.is_null()) {
        if !n.is_map() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectOutcome` must be an object."),
                Some("expectOutcome"),
                n.range,
            ));
        }
        if !n.truthy() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectOutcome` must be a valid outcome."),
                Some("expectOutcome"),
                n.range,
            ));
        }
        if assertion.is_some() {
            return Err(exactly_one(spec.range));
        }
        let mut with_assert = n.to_data();
        if let Some(m) = with_assert.as_map_mut() {
            m.insert("assert".into(), Data::Bool(true));
        }
        let value = data_to_value(&with_assert).map_err(|e| {
            PrepareError::crash(Kind::FunctionTest, test, &e.message, Some(n.range))
        })?;
        let expected = predicate_outcome(&value, &format!("{location}.expectOutcome"));
        assertion = Some(Assertion::Outcome {
            expected,
            node: n.clone(),
        });
    }
    if let Some(n) = spec.get("expectReturn").filter(|n| !n.is_null()) {
        if !n.is_map() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectReturn` must be an object."),
                Some("expectReturn"),
                n.range,
            ));
        }
        if !n.truthy() {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectReturn` may not be an empty object."),
                Some("expectReturn"),
                n.range,
            ));
        }
        if assertion.is_some() {
            return Err(exactly_one(spec.range));
        }
        assertion = Some(Assertion::Return(n.clone()));
    }
    if let Some(n) = spec.get("expectDelete").filter(|n| !n.is_null()) {
        if !resource_function {
            return Err(fail(
                "test-case-assertions",
                format!("`{location}.expectDelete` only valid for `ResourceFunction` tests."),
                Some("expectDelete"),
                n.range,
            ));
        }
        if assertion.is_some() {
            return Err(exactly_one(spec.range));
        }
        assertion = Some(Assertion::Delete {
            expected: n.truthy(),
            node: n.clone(),
        });
    }
    let Some(assertion) = assertion else {
        return Err(exactly_one(spec.range));
    };
    Ok(TestCase {
        index: idx,
        label,
        variant,
        skip: spec.get("skip").is_some_and(SNode::truthy),
        input_overrides,
        current_resource: current.map(SNode::to_data),
        overlay,
        assertion,
        node: spec.clone(),
    })
}

/// `_check_for_resource_template_ref`: which templates the cases would use. The engine
/// evaluates the function's `locals` for every case here, and a `locals` program that
/// raises aborts the FunctionTest's prepare.
fn template_names(
    test: &str,
    f: &ResourceFunction,
    base: Option<&Value>,
    cases: &[TestCase],
) -> Result<Option<Vec<String>>, PrepareError> {
    let Template::Ref(name_prog) = &f.template else {
        return Ok(Some(Vec::new()));
    };
    let args = koreo_cel::extract_paths(name_prog.expr(), name_prog.source()).unwrap_or_default();
    if args.is_empty() {
        return Ok(
            match name_prog.evaluate(&Activation::new(), "templateName") {
                Ok(Value::String(s)) => Some(vec![s.to_string()]),
                _ => Some(Vec::new()),
            },
        );
    }
    let mut names = Vec::new();
    for case in cases {
        let inputs = case_inputs(base, case.input_overrides.as_ref());
        let locals = match &f.locals {
            None => Value::map(Map::new()),
            Some(l) => match l.evaluate_raw(&Activation::new().with("inputs", inputs.clone())) {
                Ok(v) => v,
                Err(message) => {
                    let mut e = PrepareError::crash(
                        Kind::FunctionTest,
                        test,
                        &message,
                        Some(case.node.range),
                    );
                    e.code = "test-locals-crash";
                    return Err(e);
                }
            },
        };
        let env = Activation::new()
            .with("locals", locals)
            .with("inputs", inputs);
        if let Ok(Value::String(s)) = name_prog.evaluate(&env, "templateName")
            && !names.contains(&s.to_string())
        {
            names.push(s.to_string());
        }
    }
    Ok(Some(names))
}

/// The inputs of a case: overrides deep-merged onto the current inputs (§10.3).
fn case_inputs(base: Option<&Value>, overrides: Option<&Value>) -> Value {
    match (
        base.filter(|b| b.truthy()),
        overrides.filter(|o| o.truthy()),
    ) {
        (Some(b), Some(o)) => deep_overlay(b, o),
        (Some(b), None) => b.clone(),
        (None, Some(o)) => o.clone(),
        (None, None) => Value::map(Map::new()),
    }
}

/// The verdict of one test case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The assertion held.
    Pass,
    /// The assertion did not hold (see the message / differences).
    Fail,
    /// `skip: true` (the engine records a pass with message `user skipped`).
    Skip,
    /// Not executed: an earlier non-variant case failed, or the run aborted.
    NotRun,
    /// The engine raised while running this case (the run aborts).
    Error,
}

impl Verdict {
    /// Lower-case name (`pass`, `fail`, `skip`, `not-run`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
            Verdict::NotRun => "not-run",
            Verdict::Error => "error",
        }
    }
}

/// The outcome a case actually produced.
#[derive(Clone, Debug, PartialEq)]
pub struct ActualOutcome {
    /// Ok, Skip, DepSkip, Retry or PermFail.
    pub kind: OutcomeKind,
    /// The outcome's message (non-Ok only).
    pub message: Option<String>,
    /// The engine's location (for CEL errors, the failing sub-expression).
    pub location: Option<String>,
    /// The Retry delay.
    pub delay: Option<i64>,
    /// The YAML node that produced a non-Ok outcome, when known.
    pub origin: Option<crate::cel::Origin>,
}

impl ActualOutcome {
    /// Summarises an outcome.
    pub fn from_outcome<T>(o: &Outcome<T>) -> ActualOutcome {
        ActualOutcome {
            kind: o.kind(),
            message: o.message().map(str::to_string),
            location: o.location().map(str::to_string),
            delay: o.delay(),
            origin: o.origin().cloned(),
        }
    }
}

/// The result of one test case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Position in `testCases`.
    pub index: usize,
    /// The engine's label.
    pub label: String,
    /// Whether the case is a variant.
    pub variant: bool,
    /// Pass, fail, skip, not run or error.
    pub verdict: Verdict,
    /// The engine's message (failure text, `user skipped`, `Delete called`, ...).
    pub message: Option<String>,
    /// The engine's differences structure (expectReturn / expectResource).
    pub differences: Option<Difference>,
    /// The assertion (with the expectation's YAML node).
    pub assertion: Assertion,
    /// What the function produced.
    pub actual: Option<ActualOutcome>,
    /// The Ok value, as plain data.
    pub actual_return: Option<Data>,
    /// The object written to the mock API (create/patch body merged, `{}` after delete).
    pub rendered: Option<Data>,
    /// The ResourceFunction's resource id (`{apiVersion, kind, plural, name, ...}`).
    pub resource_id: Option<Data>,
    /// Whether the mock API was written to.
    pub api_called: bool,
    /// Whether DELETE was called.
    pub delete_called: bool,
    /// The inputs the function received.
    pub inputs: Option<Data>,
    /// The resource the case started from (what the mock API returned).
    pub current_resource: Option<Data>,
    /// The host exception that aborted the run at this case.
    pub crash: Option<Crash>,
    /// The test case node.
    pub range: TextRange,
}

impl CaseResult {
    /// The one-line text the reference LS prints for a failing case:
    /// `{label}: {message}` or `{label}: {Py-repr of differences}`.
    pub fn failure_line(&self) -> Option<String> {
        if self.verdict != Verdict::Fail {
            return None;
        }
        Some(match (&self.message, &self.differences) {
            (Some(m), _) => format!("{}: {m}", self.label),
            (None, Some(d)) => format!("{}: {}", self.label, d.to_data().py_repr()),
            (None, None) => format!("{}: failed", self.label),
        })
    }
}

/// The overall status of a FunctionTest run (the oracle's vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestStatus {
    /// Every case that ran passed (or was skipped).
    Pass,
    /// A case failed.
    Fail,
    /// The function is not ready, or the run aborted on a host exception.
    Error,
    /// The FunctionTest has no cases.
    NoTests,
}

impl TestStatus {
    /// The oracle's status name (`pass`, `fail`, `error`, `no_tests`).
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Pass => "pass",
            TestStatus::Fail => "fail",
            TestStatus::Error => "error",
            TestStatus::NoTests => "no_tests",
        }
    }
}

/// The result of running one FunctionTest.
#[derive(Clone, Debug)]
pub struct TestRun {
    /// The FunctionTest's name.
    pub test: String,
    /// The function under test (`None` when the FunctionTest itself did not prepare).
    pub function: Option<ResourceRef>,
    /// Overall status.
    pub status: TestStatus,
    /// Why the run is an error (function unhealthy or the host exception).
    pub message: Option<String>,
    /// `Ok(())` or the function's failure (DepSkip when missing).
    pub function_healthy: Outcome<()>,
    /// A non-variant case failed (later cases did not run).
    pub fatal: bool,
    /// The host exception that aborted the run.
    pub crash: Option<Crash>,
    /// One entry per declared case, in order (not-run cases included).
    pub cases: Vec<CaseResult>,
}

impl TestRun {
    /// Cases that ran.
    pub fn cases_run(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| !matches!(c.verdict, Verdict::NotRun))
            .count()
    }
}

/// Runs a FunctionTest (§10.3).
pub fn run(ft: &FunctionTest, templates: TemplateLookup<'_>) -> TestRun {
    let mut out = TestRun {
        test: ft.name.clone(),
        function: Some(ft.function_ref.clone()),
        status: TestStatus::Pass,
        message: None,
        function_healthy: Outcome::Ok(()),
        fatal: false,
        crash: None,
        cases: Vec::new(),
    };
    let function = match &ft.function {
        Ok(f) => f,
        Err(o) => {
            out.status = TestStatus::Error;
            out.message = Some(o.message().unwrap_or("None").to_string());
            out.function_healthy = o.clone();
            out.fatal = true;
            out.cases = ft.cases.iter().map(not_run).collect();
            return out;
        }
    };
    if ft.cases.is_empty() {
        out.status = TestStatus::NoTests;
        return out;
    }
    let mut cur_inputs = ft.inputs.clone();
    let mut cur_resource = ft.initial_resource.clone();
    let mut stopped = false;
    for case in &ft.cases {
        if stopped {
            out.cases.push(not_run(case));
            continue;
        }
        let location = format!("{}.testCases[{}]", ft.name, case.index);
        let step = run_case(
            function,
            case,
            &location,
            cur_inputs.as_ref(),
            cur_resource.as_ref(),
            templates,
        );
        match step {
            CaseStep::Crashed(result, crash) => {
                out.cases.push(*result);
                out.crash = Some(crash.clone());
                out.status = TestStatus::Error;
                out.message = Some(format!("Unknown {}.", crash.message));
                stopped = true;
            }
            CaseStep::Done {
                result,
                new_inputs,
                new_resource,
                fatal,
            } => {
                if !case.variant && !case.skip {
                    if let Some(i) = new_inputs {
                        cur_inputs = Some(i);
                    }
                    cur_resource = new_resource;
                }
                out.cases.push(*result);
                if fatal {
                    out.fatal = true;
                    stopped = true;
                }
            }
        }
    }
    if out.status != TestStatus::Error {
        let all_pass = out
            .cases
            .iter()
            .all(|c| matches!(c.verdict, Verdict::Pass | Verdict::Skip));
        out.status = if all_pass {
            TestStatus::Pass
        } else {
            TestStatus::Fail
        };
    }
    out
}

fn not_run(case: &TestCase) -> CaseResult {
    CaseResult {
        index: case.index,
        label: case.label.clone(),
        variant: case.variant,
        verdict: Verdict::NotRun,
        message: None,
        differences: None,
        assertion: case.assertion.clone(),
        actual: None,
        actual_return: None,
        rendered: None,
        resource_id: None,
        api_called: false,
        delete_called: false,
        inputs: None,
        current_resource: None,
        crash: None,
        range: case.node.range,
    }
}

enum CaseStep {
    Done {
        result: Box<CaseResult>,
        /// `None` keeps the current inputs.
        new_inputs: Option<Value>,
        new_resource: Option<Data>,
        fatal: bool,
    },
    Crashed(Box<CaseResult>, Crash),
}

fn run_case(
    function: &FunctionUnderTest,
    case: &TestCase,
    location: &str,
    base_inputs: Option<&Value>,
    current: Option<&Data>,
    templates: TemplateLookup<'_>,
) -> CaseStep {
    let mut result = not_run(case);
    if case.skip {
        result.verdict = Verdict::Skip;
        result.message = Some("user skipped".into());
        return CaseStep::Done {
            result: Box::new(result),
            new_inputs: None,
            new_resource: current.cloned(),
            fatal: false,
        };
    }
    let inputs = case_inputs(base_inputs, case.input_overrides.as_ref());
    result.inputs = Some(value_to_data(&inputs));
    let fail_with = |mut result: CaseResult, message: String, fatal: bool| {
        result.verdict = Verdict::Fail;
        result.message = Some(message);
        CaseStep::Done {
            result: Box::new(result),
            new_inputs: None,
            new_resource: current.cloned(),
            fatal,
        }
    };

    let resource: Option<Data> = if let Some(overlay) = &case.overlay {
        let Some(cur) = current.filter(|c| c.truthy()) else {
            return fail_with(
                result,
                "Can not overlay until the full resource exists. Try setting `currentResource` or reordering test cases.".into(),
                true,
            );
        };
        // Every input key is a top-level variable; `resource` is the raw mapping.
        let mut env = Activation::new();
        if let Some(m) = inputs.as_map() {
            for (k, v) in m.iter() {
                env.bind(koreo_cel::python::py_str(k), v.clone());
            }
        }
        let base = crate::convert::data_to_raw(cur);
        match eval_overlay(
            overlay,
            &env,
            &base,
            &format!("{}:overlayResource", case.label),
        ) {
            Ok(v) => Some(value_to_data(&v)),
            Err(Stop::Fail(f)) => {
                let o: Outcome<()> = Outcome::PermFail(f);
                result.actual = Some(ActualOutcome::from_outcome(&o));
                let msg = format!(
                    "Could not run test case due to resource overlay error: ({})",
                    o.py_str_with(|_| String::new())
                );
                return fail_with(result, msg, !case.variant);
            }
            Err(Stop::Crash(c)) => {
                result.verdict = Verdict::Error;
                result.crash = Some(c.clone());
                return CaseStep::Crashed(Box::new(result), c);
            }
        }
    } else if let Some(c) = case.current_resource.as_ref().filter(|c| c.truthy()) {
        Some(c.clone())
    } else {
        current.cloned()
    };
    result.current_resource = resource.clone();

    let mut api = MockApi::new(resource.clone());
    let ran: Result<(Outcome<Value>, Option<Data>), Crash> = match function {
        FunctionUnderTest::ResourceFunction(f) => {
            let owner = Owner::unit_test();
            let mut ctx = RfContext {
                api: &mut api,
                templates,
                owner: &owner,
            };
            rf::reconcile(&mut ctx, location, f, inputs.clone()).map(|r| (r.outcome, r.resource_id))
        }
        FunctionUnderTest::ValueFunction(f) => {
            let base = match resource.as_ref().filter(|r| r.truthy()) {
                None => Ok(Value::map(Map::new())),
                Some(r) => data_to_value(r).map_err(|e| Crash {
                    message: e.message,
                    origin: None,
                }),
            };
            base.and_then(|b| {
                vf::reconcile(location, f, inputs.clone(), Some(&b)).map(|o| (o, None))
            })
        }
    };
    let (outcome, resource_id) = match ran {
        Ok(x) => x,
        Err(c) => {
            result.verdict = Verdict::Error;
            result.crash = Some(c.clone());
            return CaseStep::Crashed(Box::new(result), c);
        }
    };
    result.actual = Some(ActualOutcome::from_outcome(&outcome));
    if let Outcome::Ok(v) = &outcome {
        result.actual_return = Some(value_to_data(v));
    }
    result.resource_id = resource_id;
    result.api_called = api.api_called;
    result.delete_called = api.delete_called;
    result.rendered = api.materialized.clone();

    let (pass, message, differences) = check(&case.assertion, &outcome, &api);
    result.verdict = if pass { Verdict::Pass } else { Verdict::Fail };
    result.message = message;
    result.differences = differences;
    let new_resource = if api.api_called {
        api.materialized.clone()
    } else {
        resource
    };
    CaseStep::Done {
        result: Box::new(result),
        new_inputs: Some(inputs),
        new_resource,
        fatal: !pass && !case.variant,
    }
}

/// `str()` of an actual outcome as the engine prints it inside messages.
fn outcome_str(o: &Outcome<Value>) -> String {
    o.py_str_with(koreo_cel::python::py_str)
}

/// `Ok({convert_bools(actual)})` for truthy Ok values, else `str(actual)`.
fn actual_str(o: &Outcome<Value>) -> String {
    match o {
        Outcome::Ok(v) if v.truthy() => format!("Ok({})", value_to_data(v).py_str()),
        Outcome::Ok(v) => koreo_cel::python::py_str(v),
        other => outcome_str(other),
    }
}

fn check(
    assertion: &Assertion,
    outcome: &Outcome<Value>,
    api: &MockApi,
) -> (bool, Option<String>, Option<Difference>) {
    match assertion {
        Assertion::Outcome { expected, .. } => check_outcome(expected.as_ref(), outcome),
        Assertion::Return(node) => match outcome {
            Outcome::Ok(v) => {
                let diff = test_compare(&node.to_data(), &value_to_data(v));
                (diff.is_none(), None, diff)
            }
            other => (
                false,
                Some(format!("Non-Ok return value ({})", outcome_str(other))),
                None,
            ),
        },
        Assertion::Resource(node) => {
            let Some(materialized) = &api.materialized else {
                let m = match outcome {
                    Outcome::Ok(_) => "unexpected Ok result".to_string(),
                    other => other.message().unwrap_or("None").to_string(),
                };
                return (
                    false,
                    Some(format!("No resource changes attempted: {m}")),
                    None,
                );
            };
            if !matches!(outcome, Outcome::Retry(_)) {
                return (
                    false,
                    Some(format!(
                        "Unexpected result-type ({}), but expected Retry",
                        match outcome {
                            Outcome::Ok(v) => koreo_cel::python::py_str(v),
                            other => outcome_str(other),
                        }
                    )),
                    None,
                );
            }
            let diff = test_compare(&node.to_data(), &strip_last_applied(materialized));
            (diff.is_none(), None, diff)
        }
        Assertion::Delete { expected, .. } => (
            api.delete_called == *expected,
            Some(if api.delete_called {
                "Delete called".into()
            } else {
                "Delete not called.".into()
            }),
            None,
        ),
    }
}

fn matches_message(expected: Option<&str>, actual: Option<&str>) -> bool {
    match expected.filter(|e| !e.is_empty()) {
        None => true,
        Some(e) => actual.is_some_and(|a| a.to_lowercase().contains(&e.to_lowercase())),
    }
}

/// `_validate_outcome_match`.
pub fn check_outcome(
    expected: Option<&Outcome<()>>,
    actual: &Outcome<Value>,
) -> (bool, Option<String>, Option<Difference>) {
    let none = |s: Option<&str>| s.unwrap_or("None").to_string();
    match (expected, actual) {
        (Some(Outcome::Retry(e)), Outcome::Retry(a)) => {
            let mut pass = matches_message(e.message.as_deref(), a.message.as_deref());
            if e.delay != 0 && e.delay != a.delay {
                pass = false;
            }
            let msg = (!pass).then(|| {
                format!(
                    "Retry: Expected(message={}, delay={}) Actual(message={}, delay={})",
                    none(e.message.as_deref()),
                    e.delay,
                    none(a.message.as_deref()),
                    a.delay
                )
            });
            (pass, msg, None)
        }
        (Some(Outcome::PermFail(e)), Outcome::PermFail(a))
        | (Some(Outcome::DepSkip(e)), Outcome::DepSkip(a))
        | (Some(Outcome::Skip(e)), Outcome::Skip(a)) => {
            let pass = matches_message(e.message.as_deref(), a.message.as_deref());
            let prefix = match actual.kind() {
                OutcomeKind::PermFail => "PermFail",
                OutcomeKind::DepSkip => "DepSkip",
                _ => "Skip",
            };
            let msg = (!pass).then(|| {
                format!(
                    "{prefix}: Expected(message={}) Actual(message={})",
                    none(e.message.as_deref()),
                    none(a.message.as_deref())
                )
            });
            (pass, msg, None)
        }
        (None, a) => {
            let pass = a.is_ok();
            (
                pass,
                (!pass).then(|| format!("Expected(Ok) Actual({})", actual_str(a))),
                None,
            )
        }
        (Some(e), a) => (
            false,
            Some(format!(
                "Expected({}) Actual({})",
                e.py_str_with(|_| String::new()),
                actual_str(a)
            )),
            None,
        ),
    }
}
