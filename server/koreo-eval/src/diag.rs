//! Diagnostics produced by this crate: prepare failures (§11) and the lints that flag
//! surprising engine behaviour, each at the offending node.

use crate::resource::ResourceRef;
use text_size::TextRange;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The engine fails or the resource cannot run.
    Error,
    /// The engine will do something unexpected.
    Warning,
    /// Worth knowing; nothing fails.
    Information,
    /// A suggestion.
    Hint,
}

/// A problem at a range of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file ([`SourceKey::file`](crate::registry::SourceKey)).
    pub file: String,
    /// The resource the problem belongs to.
    pub resource: ResourceRef,
    /// Range in the file.
    pub range: TextRange,
    /// How serious it is.
    pub severity: Severity,
    /// Stable kebab-case code.
    pub code: &'static str,
    /// What happens and how to write it instead.
    pub message: String,
    /// The engine's own message, where it has one (PermFail text, parse error, ...).
    pub engine_message: Option<String>,
}

use crate::ft::FunctionUnderTest;
use crate::outcome::Outcome;
use crate::prepare::PrepareError;
use crate::registry::{Prepared, Registry, Source};
use crate::resource::Kind;
use crate::spec::SNode;

fn severity_of(o: &Outcome<()>) -> Severity {
    match o {
        Outcome::PermFail(_) => Severity::Error,
        _ => Severity::Warning,
    }
}

fn prepare_diag(src: &Source, e: &PrepareError) -> Diagnostic {
    let engine = e.message().to_string();
    let message = match (&e.detail, e.code) {
        (Some(d), "cel-parse-error") => format!("CEL syntax error: {d}"),
        (Some(d), _) => format!("{d} ({engine})"),
        (None, _) => engine.clone(),
    };
    // Schema messages name the failing path (`spec.preconditions[0].skip must ...`).
    let range = e.range.or_else(|| {
        (e.code == "schema")
            .then(|| schema_path_range(&src.spec, &engine))
            .flatten()
    });
    Diagnostic {
        file: src.key.file.clone(),
        resource: ResourceRef::new(src.kind, src.name.clone()),
        range: range.or(src.name_range).unwrap_or(src.range),
        severity: if e.crashed {
            Severity::Error
        } else {
            severity_of(&e.outcome)
        },
        code: e.code,
        message,
        engine_message: Some(engine),
    }
}

/// The deepest node named by the first `spec…` path in a schema message.
fn schema_path_range(spec: &SNode, message: &str) -> Option<TextRange> {
    let start = message
        .find(" spec")
        .map(|i| i + 1)
        .or_else(|| message.starts_with("spec").then_some(0))?;
    let path: String = message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let rest = path.strip_prefix("spec")?;
    let mut node = spec;
    let mut chars = rest.chars().peekable();
    loop {
        match chars.next() {
            Some('.') => {
                let key: String =
                    std::iter::from_fn(|| chars.next_if(|c| *c != '.' && *c != '[')).collect();
                match node.get(&key) {
                    Some(n) => node = n,
                    None => break,
                }
            }
            Some('[') => {
                let idx: String = std::iter::from_fn(|| chars.next_if(|c| *c != ']')).collect();
                chars.next();
                match idx.parse::<usize>().ok().and_then(|i| node.items()?.get(i)) {
                    Some(n) => node = n,
                    None => break,
                }
            }
            _ => break,
        }
    }
    Some(node.range)
}

impl Registry {
    /// Every diagnostic this crate produces: prepare failures (§11) with the engine's
    /// message, FunctionTest input checks, duplicate resources, and the lints. Call
    /// [`Registry::prepare_all`] first.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let refs: Vec<ResourceRef> = self.resources().cloned().collect();
        self.diagnostics_of(&refs)
    }

    /// The diagnostics [`Registry::diagnostics`] reports for `refs` only (incremental
    /// callers pass the resources a change invalidated).
    pub fn diagnostics_of(&self, refs: &[ResourceRef]) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Only `refs`, in `(kind, name)` order: scanning every duplicate of the registry
        // made each edit cost what the workspace holds.
        let mut dups: Vec<&ResourceRef> = refs.iter().collect();
        dups.sort();
        dups.dedup();
        for r in dups {
            let Some(keys) = self.duplicate_keys(r) else {
                continue;
            };
            let r = r.clone();
            let Some(active) = self.source(&r) else {
                continue;
            };
            for key in keys.iter().filter(|k| **k != active.key) {
                if let Some(shadowed) = self.source_by_key(key) {
                    out.push(Diagnostic {
                        file: key.file.clone(),
                        resource: r.clone(),
                        range: shadowed.name_range.unwrap_or(shadowed.range),
                        severity: Severity::Warning,
                        code: "duplicate-resource",
                        message: format!(
                            "{} `{}` is also defined in {} (document {}); the engine caches by kind and name only (namespace ignored) and the one loaded last wins",
                            r.kind, r.name, active.key.file, active.key.index
                        ),
                        engine_message: None,
                    });
                }
            }
        }
        for r in refs.iter().cloned() {
            let Some(src) = self.source(&r) else { continue };
            out.extend(crate::lint::lint_source(src));
            let Some(state) = self.state(&r) else {
                continue;
            };
            match &state.result {
                Err(e) => out.push(prepare_diag(src, e)),
                Ok(Prepared::Workflow(w)) => {
                    for step in &w.steps {
                        if let crate::wf::StepEntry::Error(e) = step {
                            out.push(prepare_diag(src, &e.error));
                        }
                    }
                }
                Ok(Prepared::ResourceFunction(f)) => {
                    for e in &f.overlay_errors {
                        out.push(prepare_diag(src, e));
                    }
                }
                Ok(Prepared::FunctionTest(t)) => {
                    let fref = src
                        .spec
                        .get("functionRef")
                        .map(|n| n.range)
                        .unwrap_or(src.range);
                    match &t.function {
                        Err(o) => out.push(Diagnostic {
                            file: src.key.file.clone(),
                            resource: r.clone(),
                            range: fref,
                            severity: severity_of(o),
                            code: if matches!(o, Outcome::DepSkip(_)) {
                                "function-under-test-missing"
                            } else {
                                "function-under-test-failed"
                            },
                            message: match o {
                                Outcome::DepSkip(_) => o.message().unwrap_or("").to_string(),
                                _ => format!(
                                    "the function under test failed to prepare: {}",
                                    o.message().unwrap_or("None")
                                ),
                            },
                            engine_message: o.message().map(str::to_string),
                        }),
                        Ok(f) => {
                            let report = self.test_inputs(&r.name, f);
                            for name in &report.missing {
                                out.push(Diagnostic {
                                    file: src.key.file.clone(),
                                    resource: r.clone(),
                                    range: report.inputs_range.unwrap_or(fref),
                                    severity: Severity::Error,
                                    code: "missing-test-input",
                                    message: format!("the function reads `inputs.{name}`, which `spec.inputs` does not provide"),
                                    engine_message: None,
                                });
                            }
                            for (name, range) in &report.unused {
                                out.push(Diagnostic {
                                    file: src.key.file.clone(),
                                    resource: r.clone(),
                                    range: *range,
                                    severity: Severity::Warning,
                                    code: "unused-test-input",
                                    message: format!("the function never reads `inputs.{name}`"),
                                    engine_message: None,
                                });
                            }
                        }
                    }
                }
                Ok(_) => {}
            }
        }
        out
    }

    /// Diagnostics of one file.
    pub fn diagnostics_for_file(&self, file: &str) -> Vec<Diagnostic> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.file == file)
            .collect()
    }

    /// Which inputs a FunctionTest lacks or never uses (what the reference tooling reports,
    /// and what an "add missing inputs" action needs). `None` when the test or its function
    /// is not prepared.
    pub fn test_input_report(&self, test: &str) -> Option<InputReport> {
        let state = self.state(&ResourceRef::new(Kind::FunctionTest, test))?;
        let Ok(Prepared::FunctionTest(t)) = &state.result else {
            return None;
        };
        let f = t.function.as_ref().ok()?;
        Some(self.test_inputs(test, f))
    }

    fn test_inputs(&self, test: &str, f: &FunctionUnderTest) -> InputReport {
        let (keys, programs) = match f {
            FunctionUnderTest::ValueFunction(v) => (&v.dynamic_input_keys, v.programs()),
            FunctionUnderTest::ResourceFunction(r) => (&r.dynamic_input_keys, r.programs()),
        };
        let mut referenced: Vec<String> = Vec::new();
        for k in keys {
            if let Some(Some(n)) = crate::deps::name_after("inputs", k)
                && !referenced.contains(&n)
            {
                referenced.push(n);
            }
        }
        // Inputs only ever read under `has()` are optional: not reported as missing (the
        // reference tooling reports them; that is a false alarm).
        let required: Vec<String> = referenced
            .iter()
            .filter(|n| {
                programs.iter().any(|p| reads_input_unguarded(p, n))
                    && !programs.iter().any(|p| tests_input_presence(p, n))
            })
            .cloned()
            .collect();
        // `overlayResource` reads inputs as bare names.
        let mut bare: Vec<String> = Vec::new();
        if let Some(Ok(Prepared::FunctionTest(t))) = self
            .state(&ResourceRef::new(Kind::FunctionTest, test))
            .map(|s| &s.result)
        {
            for case in &t.cases {
                if let Some(o) = &case.overlay {
                    collect_idents(o.values.expr(), &mut bare);
                }
            }
        }
        let src = self.source(&ResourceRef::new(Kind::FunctionTest, test));
        let inputs_node = src.and_then(|s| s.spec.get("inputs"));
        let provided: Vec<(String, text_size::TextRange)> = inputs_node
            .and_then(SNode::entries)
            .map(|e| e.iter().map(|x| (x.key.py_str(), x.key.range)).collect())
            .unwrap_or_default();
        // Names every (non-skipped) case provides through `inputOverrides` are not missing.
        let cases: Vec<&SNode> = src
            .and_then(|s| s.spec.get("testCases"))
            .and_then(SNode::items)
            .map(|c| {
                c.iter()
                    .filter(|c| !c.get("skip").is_some_and(SNode::truthy))
                    .collect()
            })
            .unwrap_or_default();
        let overridden = |n: &str| {
            !cases.is_empty()
                && cases
                    .iter()
                    .all(|c| c.get_path(&["inputOverrides", n]).is_some())
        };
        let missing = required
            .iter()
            .filter(|n| !provided.iter().any(|(p, _)| p == *n) && !overridden(n))
            .cloned()
            .collect();
        let unused = provided
            .iter()
            .filter(|(p, _)| !referenced.contains(p) && !bare.contains(p))
            .cloned()
            .collect();
        InputReport {
            missing,
            unused,
            referenced,
            inputs_range: inputs_node.map(|n| n.range).or_else(|| {
                src.and_then(|s| s.spec.get_entry("functionRef"))
                    .map(|e| e.key.range)
            }),
        }
    }
}

/// FunctionTest inputs versus what the function reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputReport {
    /// Input names the function reads that `spec.inputs` does not provide.
    pub missing: Vec<String>,
    /// Provided input names the function never reads, with the key's range.
    pub unused: Vec<(String, TextRange)>,
    /// Every first-level input name the function reads.
    pub referenced: Vec<String>,
    /// The `spec.inputs` node (or the `functionRef` key when there are no inputs): where
    /// missing inputs are reported and added.
    pub inputs_range: Option<TextRange>,
}

fn visit_expr<'e>(
    e: &'e koreo_cel_syntax::Expr,
    under_has: bool,
    f: &mut dyn FnMut(&'e koreo_cel_syntax::Expr, bool),
    depth: usize,
) {
    use koreo_cel_syntax::ExprKind as K;
    if depth > 256 {
        return;
    }
    f(e, under_has);
    let d = depth + 1;
    match &e.kind {
        K::Paren(x) | K::Unary { operand: x, .. } | K::Select { operand: x, .. } => {
            visit_expr(x, under_has, f, d)
        }
        K::Binary { lhs, rhs, .. } => {
            visit_expr(lhs, under_has, f, d);
            visit_expr(rhs, under_has, f, d);
        }
        K::Ternary {
            cond,
            then,
            otherwise,
        } => {
            for x in [cond, then, otherwise] {
                visit_expr(x, under_has, f, d);
            }
        }
        K::Index { operand, index } => {
            visit_expr(operand, under_has, f, d);
            visit_expr(index, under_has, f, d);
        }
        K::Call {
            receiver,
            args,
            func,
        } => {
            let has = receiver.is_none() && func.text == "has";
            if let Some(r) = receiver {
                visit_expr(r, under_has, f, d);
            }
            for a in args {
                visit_expr(a, under_has || has, f, d);
            }
        }
        K::List(items) => items.iter().for_each(|x| visit_expr(x, under_has, f, d)),
        K::Map(entries) => entries.iter().for_each(|m| {
            visit_expr(&m.key, under_has, f, d);
            visit_expr(&m.value, under_has, f, d);
        }),
        K::Message { fields, .. } => fields
            .iter()
            .for_each(|x| visit_expr(&x.value, under_has, f, d)),
        _ => {}
    }
}

/// Whether a program reads `inputs.<name>` (or `inputs["name"]`) outside `has()`.
fn reads_input_unguarded(p: &crate::cel::CelProgram, name: &str) -> bool {
    use koreo_cel_syntax::{ExprKind as K, Literal};
    let mut found = false;
    visit_expr(
        p.expr(),
        false,
        &mut |e, under_has| {
            if under_has || found {
                return;
            }
            let (operand, field) = match &e.kind {
                K::Select { operand, field } => (operand, Some(field.text.clone())),
                K::Index { operand, index } => match &index.kind {
                    K::Literal(Literal::String(s)) => (operand, Some(s.clone())),
                    _ => (operand, None),
                },
                _ => return,
            };
            if matches!(&operand.kind, K::Ident(n) if n.text == "inputs")
                && field.as_deref() == Some(name)
            {
                found = true;
            }
        },
        0,
    );
    found
}

/// Whether a program tests `has(inputs.<name>…)`: the author treats the input as optional.
fn tests_input_presence(p: &crate::cel::CelProgram, name: &str) -> bool {
    use koreo_cel_syntax::ExprKind as K;
    let mut found = false;
    visit_expr(
        p.expr(),
        false,
        &mut |e, under_has| {
            if !under_has || found {
                return;
            }
            if let K::Select { operand, field } = &e.kind
                && matches!(&operand.kind, K::Ident(n) if n.text == "inputs")
                && field.text == name
            {
                found = true;
            }
        },
        0,
    );
    found
}

fn collect_idents(e: &koreo_cel_syntax::Expr, out: &mut Vec<String>) {
    visit_expr(
        e,
        false,
        &mut |x, _| {
            if let koreo_cel_syntax::ExprKind::Ident(n) = &x.kind
                && !out.contains(&n.text)
            {
                out.push(n.text.clone());
            }
        },
        0,
    );
}
