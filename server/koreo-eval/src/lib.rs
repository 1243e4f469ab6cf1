//! Layer 2: Koreo's reconcile semantics, reproducing koreo-core 0.1.17 verdict for verdict:
//! structure encoding, prepare, ValueFunction / ResourceFunction / Workflow evaluation, the
//! FunctionTest runner, an in-memory cluster, diagnostics and lints. No I/O, no LSP types.
//!
//! # Using it
//!
//! Load documents into a [`Registry`] (it keys resources by `(kind, name)` like the engine),
//! prepare, then run FunctionTests and read per-case results:
//!
//! ```
//! use koreo_eval::{Registry, TestStatus, Verdict};
//! use koreo_syntax::yaml::ResolveRules;
//!
//! let yaml = r#"
//! apiVersion: koreo.dev/v1beta1
//! kind: ValueFunction
//! metadata: {name: ports}
//! spec:
//!   return:
//!     port: "8080"
//!     name: =inputs.app + "-svc"
//! ---
//! apiVersion: koreo.dev/v1beta1
//! kind: FunctionTest
//! metadata: {name: ports-test}
//! spec:
//!   functionRef: {kind: ValueFunction, name: ports}
//!   inputs: {app: shop}
//!   testCases:
//!   - expectReturn: {port: "8080", name: shop-svc}
//! "#;
//!
//! let mut registry = Registry::new();
//! // PyYAML rules: what the reference tooling's FunctionTests see.
//! registry.load_text("app.k.yaml", yaml, ResolveRules::PyYaml);
//! registry.prepare_all();
//!
//! let run = registry.run_test("ports-test").expect("prepared");
//! assert_eq!(run.status, TestStatus::Fail);
//! let case = &run.cases[0];
//! assert_eq!(case.verdict, Verdict::Fail);
//! // The quoted "8080" became the number 8080 when the return was encoded (§2.3):
//! let diff = &case.field_diffs()[0];
//! assert_eq!(diff.message, "expected '`8080`' but found '`8080`'");
//! assert_eq!(&yaml[usize::from(diff.range.start())..usize::from(diff.range.end())], "\"8080\"");
//! // The engine's one-line failure text, and what the expectation should say instead:
//! assert_eq!(case.failure_line().unwrap(), r#"Test Case 1: {'port': "expected '`8080`' but found '`8080`'"}"#);
//! assert_eq!(case.expectation_from_actual().unwrap().json_dumps(), r#"{"port": 8080, "name": "shop-svc"}"#);
//!
//! // Diagnostics (prepare failures and lints) point at the offending node.
//! let lint = registry.diagnostics().into_iter().find(|d| d.code == "numeric-string").unwrap();
//! assert_eq!(&yaml[usize::from(lint.range.start())..usize::from(lint.range.end())], "\"8080\"");
//! ```
//!
//! # Map
//!
//! * [`registry`]: the prepare cache, dependency graph ([`Registry::dependents`],
//!   [`Registry::affected_tests`]), test runs, previews ([`Registry::preview_value_function`],
//!   [`Registry::preview_resource_function`], [`Registry::reconcile_workflow`]).
//! * [`ft`]: FunctionTest prepare and runner; [`TestRun`], [`CaseResult`], [`Verdict`].
//! * [`results`]: per-field differences with YAML ranges ([`FieldDiff`]).
//! * [`diag`] and [`lint`]: diagnostics with stable codes.
//! * [`vf`], [`rf`], [`rt`], [`wf`]: the kinds' prepare and reconcile.
//! * [`encode`] (§2.2 with a source map), [`structure`] (§2.4–§2.6), [`outcome`] (§5),
//!   [`compare`] (§8.5, §10.5), [`api`] (the mock API and the in-memory cluster),
//!   [`convert`] (§2.7), [`data`] (Python-faithful plain data), [`spec`] (resolved YAML trees).
//! * [`report`]: results as JSON in the reference oracle's shape.

// Prepare errors carry the engine's outcome plus ranges and explanations for diagnostics;
// they are built once per resource, so their size does not matter.
#![allow(clippy::result_large_err)]
#![deny(missing_docs)]

pub mod api;
pub mod cel;
pub mod compare;
pub mod convert;
pub mod data;
pub mod deps;
pub mod diag;
pub mod encode;
pub mod ft;
pub mod lint;
pub mod outcome;
pub mod prepare;
pub mod pyset;
pub mod registry;
pub mod report;
pub mod resource;
pub mod results;
pub mod rf;
pub mod rt;
pub mod spec;
pub mod structure;
pub mod vf;
pub mod wf;

pub use api::{Api, InMemoryCluster, MockApi};
pub use data::Data;
pub use diag::{Diagnostic, Severity};
pub use ft::{CaseResult, TestRun, TestStatus, Verdict};
pub use outcome::{Outcome, OutcomeKind};
pub use registry::{Registry, Source, SourceKey};
pub use resource::{Kind, ResourceRef};
pub use results::FieldDiff;
