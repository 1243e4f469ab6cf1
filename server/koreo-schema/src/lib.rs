//! Layer 3: structural (Kubernetes OpenAPI) schemas, the validator walker, built-in Koreo kinds, CRD/OpenAPI/cluster/disk-cache schema store.
