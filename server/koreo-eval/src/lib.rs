//! Layer 2: Koreo reconcile semantics: structure encoding, prepare, ValueFunction /
//! ResourceFunction / Workflow evaluation, the FunctionTest runner and an in-memory cluster.

pub mod api;
pub mod compare;
pub mod data;
pub mod deps;
pub mod encode;
pub mod outcome;
pub mod spec;
