//! Layer 2: typed Koreo resources (with ranges) built from YAML documents, references, CRDs and plain objects.
