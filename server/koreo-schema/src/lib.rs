//! Layer 3: structural (Kubernetes OpenAPI) schemas, the validator walker, the built-in
//! Koreo kinds, and a schema store fed by workspace CRDs, the cluster and a disk cache.
//!
//! # Model and loaders
//! A schema is an arena of [`Schema`] nodes ([`SchemaArena`], ids [`SchemaId`]) covering
//! the Kubernetes structural subset of OpenAPI v3 plus the `x-kubernetes-*` extensions.
//! * [`load_crd`] / [`load_crd_node`]: a CustomResourceDefinition (JSON, or a YAML
//!   [`Node`]) → [`CrdDefinition`] with one [`KindSchema`] per version.
//! * [`load_openapi`]: an OpenAPI v3 document as served at `/openapi/v3/<group-version>`
//!   → [`OpenApiDocument`]; `$ref`s are interned (recursive schemas are cycles of ids),
//!   kinds come from `x-kubernetes-group-version-kind`, plural and scope from `paths`.
//!
//! # Validation
//! * [`validate`]`(schema, node, &options)` walks a YAML value tree and returns every
//!   [`SchemaDiagnostic`] (range, severity, stable `schema-*` code, message, path and an
//!   optional replacement `suggestion`). [`ValidateOptions`] selects how Koreo Expressions
//!   are treated ([`ExpressionMode`]) and whether the tree is a partial fragment.
//! * [`validate_document`]`(store, root, &options)` validates a whole object: looks its
//!   kind up, validates it, and checks `apiVersion`, `kind` and metadata.
//! * `x-kubernetes-validations` rules are evaluated through koreo-cel's Kubernetes
//!   dialect; an evaluation problem is at most an information diagnostic.
//!
//! ```
//! use koreo_schema::{SchemaStore, ValidateOptions, validate_document};
//!
//! let text = "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: wf}\n\
//!             spec:\n  steps:\n    - label: one\n      ref: {kind: ValueFuntion, name: x}\n";
//! let root = koreo_syntax::parse_file(text).documents.remove(0).root.unwrap();
//! let store = SchemaStore::new(); // the built-in Koreo kinds
//! let result = validate_document(&store, &root, &ValidateOptions::default());
//! let d = &result.diagnostics[0];
//! assert_eq!(d.code, "schema-enum");
//! assert_eq!(d.path, "spec.steps[0].ref.kind");
//! assert_eq!(d.suggestion.as_deref(), Some("ValueFunction"));
//! assert_eq!(&text[d.range], "ValueFuntion");
//! ```
//!
//! # Koreo kinds
//! [`builtin`] holds our own definitions of the five Koreo kinds (`builtin/*.yaml`),
//! documented for hover and completion, including the API-server-only rules of the
//! Koreo CRDs as warnings. [`engine_first_error`] reproduces the engine's own first
//! schema error, message for message, for the FunctionTest/prepare layer.
//!
//! # Store
//! [`SchemaStore`] resolves `(group, version, kind)` across sources (built-in Koreo kinds,
//! workspace CRD files, cluster, disk cache; precedence in [`store`]), and answers
//! hover/completion lookups ([`SchemaStore::schema_at`] → [`SchemaView`]).
//! With the `kube` feature (default), [`cluster::fetch`] reads CRDs and `/openapi/v3`
//! from a kubeconfig context and keeps a bounded disk cache ([`cache`]).

pub mod builtin;
pub mod cache;
#[cfg(feature = "kube")]
pub mod cluster;
mod document;
mod engine;
mod formats;
mod load;
mod model;
mod rules;
pub mod store;
mod validate;
pub mod value;
mod view;

pub use document::{DocumentValidation, validate_document};
pub use engine::{engine_first_error, engine_first_error_json};
pub use koreo_syntax::Node;
pub use load::{
    CrdDefinition, CrdVersion, LoadError, OpenApiDocument, load_crd, load_crd_node, load_openapi,
    load_schema,
};
pub use model::{
    Additional, Gvk, KindSchema, ListType, PathSegment, Pattern, Schema, SchemaArena, SchemaId,
    SchemaSource, SchemaType, Scope, ValidationRule, format_path, split_api_version,
};
pub use store::{ClusterSchemas, SchemaStore, is_crd_document};
pub use validate::{ExpressionMode, SchemaDiagnostic, ValidateOptions, validate};
pub use view::{PropertyView, SchemaView};
