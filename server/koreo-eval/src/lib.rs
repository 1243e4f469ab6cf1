//! Layer 2: Koreo reconcile semantics: structure encoding, prepare, ValueFunction/ResourceFunction/Workflow evaluation, FunctionTest runner, in-memory cluster.
