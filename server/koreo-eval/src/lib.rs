//! Layer 2: Koreo reconcile semantics: structure encoding, prepare, ValueFunction /
//! ResourceFunction / Workflow evaluation, the FunctionTest runner and an in-memory cluster.

// Prepare errors carry the engine's outcome plus ranges and explanations for diagnostics;
// they are built once per resource, so their size does not matter.
#![allow(clippy::result_large_err)]

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
