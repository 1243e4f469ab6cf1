//! The Kubernetes API as the evaluator sees it: the FunctionTest mock (§10.4), with its exact
//! quirks, and an in-memory cluster for previews of Workflow reconciles.

use crate::data::{Data, DataMap};
use std::collections::BTreeMap;

/// Identifies a resource for API calls.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    /// apiVersion of the resource.
    pub api_version: String,
    /// Kind of the resource.
    pub kind: String,
    /// Plural (the URL segment).
    pub plural: String,
    /// Namespace; `None` for cluster-scoped resources.
    pub namespace: Option<String>,
    /// Name of the resource.
    pub name: String,
}

/// An API failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// HTTP 409 on create (a competing creation).
    Conflict,
    /// Another API-server error: HTTP status code and text.
    Status(u16, String),
    /// A failure that is not an HTTP status (transport, timeouts).
    Transport(String),
}

/// What the evaluator needs from a Kubernetes API.
pub trait Api {
    /// Reads a resource; `Ok(None)` when it does not exist.
    fn get(&mut self, key: &ResourceKey) -> Result<Option<Data>, ApiError>;
    /// Creates a resource from `body`.
    fn create(&mut self, key: &ResourceKey, body: Data) -> Result<(), ApiError>;
    /// Applies a JSON merge patch.
    fn patch(&mut self, key: &ResourceKey, body: Data) -> Result<(), ApiError>;
    /// Deletes a resource.
    fn delete(&mut self, key: &ResourceKey) -> Result<(), ApiError>;
    /// Discovers the plural of a kind the client does not know (§8.7). `lookup` is what the
    /// engine asks for: `{kind}` for core `v1`, else `{kind}.{apiVersion}`. `None` when the
    /// API server does not know the kind.
    fn lookup_kind(&mut self, lookup: &str) -> Option<String>;
}

/// The FunctionTest mock API (§10.4), reproduced quirk for quirk:
/// GET returns the current resource whatever is asked for, PATCH replaces top-level keys
/// wholesale, DELETE leaves `{}` behind, plural discovery returns `kind.lower()`.
#[derive(Clone, Debug, Default)]
pub struct MockApi {
    current: Option<Data>,
    /// The object the last write produced.
    pub materialized: Option<Data>,
    /// Whether any write (create, patch, delete) was made.
    pub api_called: bool,
    /// Whether DELETE was called.
    pub delete_called: bool,
}

impl MockApi {
    /// A mock seeded with the test case's current resource.
    pub fn new(current: Option<Data>) -> MockApi {
        MockApi {
            current,
            ..MockApi::default()
        }
    }

    fn write(&mut self, body: Data) {
        self.api_called = true;
        let merged = match (&self.current, body) {
            (Some(cur), Data::Map(body)) if cur.truthy() => {
                let mut out = cur.as_map().cloned().unwrap_or_default();
                for (k, v) in body {
                    out.insert(k, v);
                }
                Data::Map(out)
            }
            (_, body) => body,
        };
        self.materialized = Some(merged);
    }
}

impl Api for MockApi {
    fn get(&mut self, _key: &ResourceKey) -> Result<Option<Data>, ApiError> {
        Ok(self.current.clone().filter(Data::truthy))
    }

    fn create(&mut self, _key: &ResourceKey, body: Data) -> Result<(), ApiError> {
        self.write(body);
        Ok(())
    }

    fn patch(&mut self, _key: &ResourceKey, body: Data) -> Result<(), ApiError> {
        self.write(body);
        Ok(())
    }

    fn delete(&mut self, _key: &ResourceKey) -> Result<(), ApiError> {
        self.api_called = true;
        self.delete_called = true;
        self.materialized = Some(Data::map());
        Ok(())
    }

    fn lookup_kind(&mut self, lookup: &str) -> Option<String> {
        // The mock answers `lookup.lower()`: `widget.example.dev/v1` for a Widget.
        Some(lookup.to_lowercase())
    }
}

/// An in-memory cluster for previews: resources keyed by apiVersion, kind, namespace and
/// name; create fails with a conflict when the resource exists; patch is a JSON merge patch.
#[derive(Clone, Debug, Default)]
pub struct InMemoryCluster {
    objects: BTreeMap<(String, String, Option<String>, String), Data>,
    plurals: BTreeMap<String, String>,
    /// Every write, in order (for previews that show what a reconcile would do).
    pub log: Vec<ApiCall>,
}

/// A write recorded by [`InMemoryCluster`].
#[derive(Clone, Debug, PartialEq)]
pub enum ApiCall {
    /// A create with its body.
    Create(ResourceKey, Data),
    /// A merge patch with its body.
    Patch(ResourceKey, Data),
    /// A delete.
    Delete(ResourceKey),
}

impl InMemoryCluster {
    /// An empty cluster.
    pub fn new() -> InMemoryCluster {
        InMemoryCluster::default()
    }

    /// Stores an object as-is (its apiVersion, kind, metadata.namespace and metadata.name
    /// form the key).
    pub fn insert(&mut self, object: Data) {
        let key = (
            object
                .get("apiVersion")
                .map(Data::py_str)
                .unwrap_or_default(),
            object.get("kind").map(Data::py_str).unwrap_or_default(),
            object
                .get_path(&["metadata", "namespace"])
                .filter(|d| d.truthy())
                .map(Data::py_str),
            object
                .get_path(&["metadata", "name"])
                .map(Data::py_str)
                .unwrap_or_default(),
        );
        self.objects.insert(key, object);
    }

    /// Declares the plural of a kind (what API discovery would answer; without it the
    /// lower-cased kind plus `s`).
    pub fn set_plural(&mut self, api_version: &str, kind: &str, plural: &str) {
        let lookup = if api_version == "v1" {
            kind.to_string()
        } else {
            format!("{kind}.{api_version}")
        };
        self.plurals.insert(lookup, plural.into());
    }

    /// Reads a stored object.
    pub fn object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&Data> {
        self.objects.get(&(
            api_version.to_string(),
            kind.to_string(),
            namespace.map(str::to_string),
            name.to_string(),
        ))
    }

    /// A stored object, mutably (to stand in for the cluster's own controllers, e.g. to
    /// write a `status`).
    pub fn object_mut(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&mut Data> {
        self.objects.get_mut(&(
            api_version.to_string(),
            kind.to_string(),
            namespace.map(str::to_string),
            name.to_string(),
        ))
    }

    /// Every stored object.
    pub fn objects(&self) -> impl Iterator<Item = &Data> {
        self.objects.values()
    }

    fn k(key: &ResourceKey) -> (String, String, Option<String>, String) {
        (
            key.api_version.clone(),
            key.kind.clone(),
            key.namespace.clone(),
            key.name.clone(),
        )
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Data, patch: &Data) {
    match patch {
        Data::Map(pm) => {
            if !matches!(target, Data::Map(_)) {
                *target = Data::Map(DataMap::new());
            }
            if let Data::Map(tm) = target {
                for (k, v) in pm {
                    if matches!(v, Data::Null) {
                        tm.shift_remove(k);
                    } else {
                        merge_patch(tm.entry(k.clone()).or_insert(Data::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

impl Api for InMemoryCluster {
    fn get(&mut self, key: &ResourceKey) -> Result<Option<Data>, ApiError> {
        Ok(self.objects.get(&Self::k(key)).cloned())
    }

    fn create(&mut self, key: &ResourceKey, body: Data) -> Result<(), ApiError> {
        let k = Self::k(key);
        if self.objects.contains_key(&k) {
            return Err(ApiError::Conflict);
        }
        self.log.push(ApiCall::Create(key.clone(), body.clone()));
        self.objects.insert(k, body);
        Ok(())
    }

    fn patch(&mut self, key: &ResourceKey, body: Data) -> Result<(), ApiError> {
        let k = Self::k(key);
        self.log.push(ApiCall::Patch(key.clone(), body.clone()));
        match self.objects.get_mut(&k) {
            Some(obj) => {
                merge_patch(obj, &body);
                Ok(())
            }
            None => Err(ApiError::Status(404, "NotFound".into())),
        }
    }

    fn delete(&mut self, key: &ResourceKey) -> Result<(), ApiError> {
        self.log.push(ApiCall::Delete(key.clone()));
        self.objects.remove(&Self::k(key));
        Ok(())
    }

    fn lookup_kind(&mut self, lookup: &str) -> Option<String> {
        let kind = lookup.split('.').next().unwrap_or(lookup);
        Some(
            self.plurals
                .get(lookup)
                .cloned()
                .unwrap_or_else(|| format!("{}s", kind.to_lowercase())),
        )
    }
}

/// Whether a kind is namespaced and its plural, from the Kubernetes client's built-in table
/// (§8.7). `None` for kinds the client does not know.
pub fn builtin_kind(api_version: &str, kind: &str) -> Option<(&'static str, bool)> {
    const N: bool = true;
    const C: bool = false;
    let table: &[(&str, &str, &str, bool)] = &[
        ("v1", "Binding", "bindings", N),
        ("v1", "ComponentStatus", "componentstatuses", C),
        ("v1", "ConfigMap", "configmaps", N),
        ("v1", "Endpoints", "endpoints", N),
        ("v1", "Event", "events", N),
        ("v1", "LimitRange", "limitranges", N),
        ("v1", "Namespace", "namespaces", C),
        ("v1", "Node", "nodes", C),
        ("v1", "PersistentVolume", "persistentvolumes", C),
        ("v1", "PersistentVolumeClaim", "persistentvolumeclaims", N),
        ("v1", "Pod", "pods", N),
        ("v1", "PodTemplate", "podtemplates", N),
        ("v1", "ReplicationController", "replicationcontrollers", N),
        ("v1", "ResourceQuota", "resourcequotas", N),
        ("v1", "Secret", "secrets", N),
        ("v1", "Service", "services", N),
        ("v1", "ServiceAccount", "serviceaccounts", N),
        ("apps/v1", "ControllerRevision", "controllerrevisions", N),
        ("apps/v1", "DaemonSet", "daemonsets", N),
        ("apps/v1", "Deployment", "deployments", N),
        ("apps/v1", "ReplicaSet", "replicasets", N),
        ("apps/v1", "StatefulSet", "statefulsets", N),
        ("batch/v1", "CronJob", "cronjobs", N),
        ("batch/v1", "Job", "jobs", N),
        (
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            N,
        ),
        ("networking.k8s.io/v1", "Ingress", "ingresses", N),
        (
            "networking.k8s.io/v1",
            "NetworkPolicy",
            "networkpolicies",
            N,
        ),
        ("networking.k8s.io/v1", "IngressClass", "ingressclasses", C),
        ("networking.k8s.io/v1", "IPAddress", "ipaddresses", C),
        ("networking.k8s.io/v1", "ServiceCIDR", "servicecidrs", C),
        (
            "policy/v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            N,
        ),
        ("rbac.authorization.k8s.io/v1", "Role", "roles", N),
        (
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "rolebindings",
            N,
        ),
        (
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            "clusterroles",
            C,
        ),
        (
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            C,
        ),
        (
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            C,
        ),
    ];
    table
        .iter()
        .find(|(v, k, _, _)| *v == api_version && *k == kind)
        .map(|(_, _, p, n)| (*p, *n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Data {
        Data::from_json_text(s).unwrap()
    }

    fn key() -> ResourceKey {
        ResourceKey {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            plural: "configmaps".into(),
            namespace: Some("ns".into()),
            name: "x".into(),
        }
    }

    #[test]
    fn mock_patch_is_shallow_and_get_ignores_names() {
        let mut api = MockApi::new(Some(j(
            r#"{"metadata": {"name": "other", "labels": {"a": "1"}}, "status": {"ok": true}}"#,
        )));
        assert!(api.get(&key()).unwrap().is_some());
        api.patch(&key(), j(r#"{"metadata": {"name": "x"}}"#))
            .unwrap();
        assert_eq!(
            api.materialized,
            Some(j(r#"{"metadata": {"name": "x"}, "status": {"ok": true}}"#))
        );
        api.delete(&key()).unwrap();
        assert!(api.delete_called);
        assert_eq!(api.materialized, Some(Data::map()));
    }

    #[test]
    fn cluster_merge_patch() {
        let mut c = InMemoryCluster::new();
        c.create(
            &key(),
            j(r#"{"metadata": {"name": "x", "labels": {"a": "1"}}}"#),
        )
        .unwrap();
        assert_eq!(c.create(&key(), Data::map()), Err(ApiError::Conflict));
        c.patch(
            &key(),
            j(r#"{"metadata": {"labels": {"a": null, "b": "2"}}}"#),
        )
        .unwrap();
        assert_eq!(
            c.get(&key()).unwrap(),
            Some(j(r#"{"metadata": {"name": "x", "labels": {"b": "2"}}}"#))
        );
        assert_eq!(builtin_kind("v1", "Namespace"), Some(("namespaces", false)));
    }
}
