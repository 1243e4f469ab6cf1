//! Built-in Kubernetes kinds (real 1.35 OpenAPI documents) and third-party CRDs.

mod common;

use common::{data, parse, parse_all, render};
use expect_test::expect;
use koreo_schema::cache::build_snapshot;
use koreo_schema::{
    ExpressionMode, Gvk, PathSegment, SchemaStore, SchemaType, Scope, ValidateOptions, validate,
    validate_document,
};

fn store() -> SchemaStore {
    let docs: Vec<(String, serde_json::Value)> = ["api/v1", "apis/apps/v1"]
        .iter()
        .map(|gv| {
            (
                gv.to_string(),
                serde_json::from_str(&data(&format!("openapi/{gv}.json"))).unwrap(),
            )
        })
        .collect();
    let mut store = SchemaStore::new();
    store.set_cluster(build_snapshot("test", None, &docs, false));
    let crds = data("crds/ack-s3-buckets.yaml");
    let nodes = parse_all(&crds);
    let refs: Vec<&koreo_schema::Node> = nodes.iter().collect();
    assert!(
        store
            .set_workspace_file("crds/ack-s3-buckets.yaml", &refs)
            .is_empty()
    );
    let workload = parse(&data("crds/workload-crd.yaml"));
    assert!(
        store
            .set_workspace_file("crds/workload-crd.yaml", &[&workload])
            .is_empty()
    );
    store
}

fn check_with(store: &SchemaStore, text: &str, options: &ValidateOptions) -> String {
    let root = parse(text);
    let result = validate_document(store, &root, options);
    render(text, &result.diagnostics)
}

fn check(text: &str) -> String {
    check_with(&store(), text, &ValidateOptions::default())
}

#[test]
fn deployment_with_seeded_mistakes() {
    let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    bad label: "-x-"
spec:
  replicas: "3"
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: Always
          ports:
            - containerPort: 99999999999
            - containerPort: 8080
              protocol: TCP
            - containerPort: 8080
          resourcez:
            limits:
              cpu: 500x
          livenessProbe:
            httpGet:
              port: true
              path: /healthz
          env:
            - name: VERSION
              value: 1.20
        - name: web
          image: busybox
          resources:
            requests:
              memory: 1Gb
              cpu: 250m
      nodeSelector:
        disk: ssd
        zone: 3
"#;
    expect![[r#"
        7:5-7:14 warning schema-label-format [metadata.labels] "bad label": `bad label` is not a valid label key: an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`
        7:16-7:21 warning schema-label-format [metadata.labels] "\"-x-\"": `-x-` is not a valid label value: at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit
        9:13-9:16 error schema-type [spec.replicas] "\"3\"": expected an integer, found a string; write 3 without quotes to make it an integer (fix: 3)
        23:30-23:41 error schema-format [spec.template.spec.containers[0].ports[0].containerPort] "99999999999": `99999999999` does not fit in a 32-bit integer (int32)
        26:30-26:34 error schema-duplicate-item [spec.template.spec.containers[0].ports[2]] "8080": duplicate item: `containerPort: 8080, protocol: TCP` is already used at index 1 (items of this list are keyed by `containerPort` and `protocol`)
        27:11-27:20 warning schema-unknown-field [spec.template.spec.containers[0].resourcez] "resourcez": unknown field `resourcez`; did you mean `resources`? (the API server drops it; `kubectl apply` rejects it) (fix: resources)
        32:21-32:25 error schema-type [spec.template.spec.containers[0].livenessProbe.httpGet.port] "true": expected an integer or a string, found a boolean; the YAML scalar `true` is read as a boolean: quote it to keep it a string (fix: "true")
        36:22-36:26 error schema-type [spec.template.spec.containers[0].env[0].value] "1.20": expected a string, found a number; the YAML scalar `1.20` is read as a number: quote it to keep it a string (fix: "1.20")
        37:17-37:20 error schema-duplicate-item [spec.template.spec.containers[1]] "web": duplicate item: `name: web` is already used at index 0 (items of this list are keyed by `name`)
        41:23-41:26 error schema-format [spec.template.spec.containers[1].resources.requests.memory] "1Gb": `1Gb` is not a quantity (500m, 1Gi, 2)
        45:15-45:16 error schema-type [spec.template.spec.nodeSelector.zone] "3": expected a string, found an integer; the YAML scalar `3` is read as an integer: quote it to keep it a string (fix: "3")
    "#]].assert_eq(&check(text));
}

#[test]
fn valid_deployment_has_no_diagnostics() {
    let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app.kubernetes.io/name: web}
  creationTimestamp: null
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80, name: http}]
          resources:
            limits: {cpu: 500m, memory: 128Mi}
            requests: {cpu: 0.1, memory: "64Mi"}
          readinessProbe:
            httpGet: {port: http, path: /}
"#;
    assert_eq!(check(text), "");
}

#[test]
fn service_configmap_and_secret() {
    let store = store();
    let service = r#"apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancr
  ports:
    - port: 80
      targetPort: http
    - port: "443"
      protocol: tcp
  selector:
    app: web
"#;
    expect![[r#"
        10:13-10:18 error schema-type [spec.ports[1].port] "\"443\"": expected an integer, found a string; write 443 without quotes to make it an integer (fix: 443)
    "#]].assert_eq(&check_with(&store, service, &ValidateOptions::default()));
    let config_map = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  retries: 3
  enabled: "true"
binaryData:
  blob: not base64!
immutable: yes
"#;
    expect![[r#"
        6:12-6:13 error schema-type [data.retries] "3": expected a string, found an integer; the YAML scalar `3` is read as an integer: quote it to keep it a string (fix: "3")
        9:9-9:20 error schema-format [binaryData.blob] "not base64!": `not base64!` is not base64-encoded data
    "#]].assert_eq(&check_with(&store, config_map, &ValidateOptions::default()));
    let secret = r#"apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
data:
  password: hunter2
  token: aHVudGVyMg==
stringData:
  plain: text
"#;
    expect![[r#"
        7:13-7:20 error schema-format [data.password] "hunter2": `hunter2` is not base64-encoded data
    "#]].assert_eq(&check_with(&store, secret, &ValidateOptions::default()));
}

#[test]
fn ack_s3_bucket_crd() {
    let text = r#"apiVersion: s3.services.k8s.aws/v1alpha1
kind: Bucket
metadata:
  name: my-bucket
spec:
  acl: private
  versioning:
    status: Enabled
    mfaDelete: Enabled
  tagging:
    tagSet:
      - key: team
        value: platform
      - key: cost-center
        value: 42
  publicAccessBlock:
    blockPublicAcls: "true"
"#;
    expect![[r#"
        5:1-5:5 error schema-required [spec] "spec": missing required field `name`
        9:5-9:14 warning schema-unknown-field [spec.versioning.mfaDelete] "mfaDelete": unknown field `mfaDelete`; expected one of `status` (the API server drops it; `kubectl apply` rejects it)
        15:16-15:18 error schema-type [spec.tagging.tagSet[1].value] "42": expected a string, found an integer; the YAML scalar `42` is read as an integer: quote it to keep it a string (fix: "42")
        17:5-17:20 warning schema-unknown-field [spec.publicAccessBlock.blockPublicAcls] "blockPublicAcls": unknown field `blockPublicAcls`; did you mean `blockPublicACLs`? (the API server drops it; `kubectl apply` rejects it) (fix: blockPublicACLs)
    "#]].assert_eq(&check(text));
    let missing_name = "apiVersion: s3.services.k8s.aws/v1alpha1\nkind: Bucket\nmetadata:\n  name: b\nspec:\n  acl: private\n";
    expect![[r#"
        5:1-5:5 error schema-required [spec] "spec": missing required field `name`
    "#]]
    .assert_eq(&check(missing_name));
}

#[test]
fn unknown_kinds_and_versions() {
    let store = store();
    let text = "apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n";
    expect![[r#"
        2:7-2:17 warning schema-unknown-kind [kind] "Deploymnet": unknown kind `Deploymnet` in `apps/v1`; did you mean `Deployment`? (fix: Deployment)
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: x\n";
    expect![[r#"
        1:13-1:25 warning schema-api-version [apiVersion] "apps/v1beta1": `Deployment` is not known in `apps/v1beta1`; it is served as `apps/v1` (fix: apps/v1)
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n";
    expect![[r#"
        2:7-2:13 info schema-unknown-kind [kind] "Widget": no schema known for `Widget` (`example.com/v1`); add its CRD to the workspace or connect to a cluster to check it
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "apiVersion: koreo.dev/v1\nkind: Workflow\nmetadata:\n  name: x\n";
    expect![[r#"
        1:13-1:25 error schema-api-version [apiVersion] "koreo.dev/v1": `koreo.dev/v1` is not a Koreo API version; the Koreo kinds are served as `koreo.dev/v1beta1` (fix: koreo.dev/v1beta1)
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "apiVersion: koreo.dev/v1beta1\nkind: WorkFlow\nmetadata:\n  name: x\n";
    expect![[r#"
        2:7-2:15 error schema-unknown-kind [kind] "WorkFlow": `WorkFlow` is not a Koreo kind; expected `ResourceTemplate`, `ValueFunction`, `ResourceFunction`, `Workflow` or `FunctionTest` (did you mean `Workflow`?) (fix: Workflow)
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "kind: ConfigMap\n";
    expect![[r#"
        1:1-1:5 error schema-required [] "kind": missing required field `apiVersion`
    "#]]
    .assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}\nspec:\n  group: example.com\n  names: {kind: X}\n  versions: [{name: v1}]\n";
    assert_eq!(check_with(&store, text, &ValidateOptions::default()), "");
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}\nspec:\n  names: {kind: X}\n";
    expect![[r#"
        2:7-2:31 error schema-crd [kind] "CustomResourceDefinition": this CustomResourceDefinition cannot be used: the CRD has no `spec.group`
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
    let text = "- a\n- b\n";
    expect![[r#"
        1:1-2:4 error schema-type [] "- a⏎- b": a Kubernetes object must be a mapping with `apiVersion` and `kind`
    "#]].assert_eq(&check_with(&store, text, &ValidateOptions::default()));
}

#[test]
fn expressions_are_dynamic_in_templates() {
    let store = store();
    let deployment = store.get(&Gvk::new("apps", "v1", "Deployment")).unwrap();
    let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: =inputs.name
spec:
  replicas: =inputs.replicas
  template:
    spec:
      containers: =inputs.containers
      nodeSelector:
        zone: =inputs.zone
      volumes:
        - name: data
          emptyDir: {}
      serviceAccountName: 3
"#;
    let node = parse(text);
    let dynamic = ValidateOptions {
        expressions: ExpressionMode::Dynamic,
        partial: true,
    };
    expect![[r#"
        15:27-15:28 error schema-type [spec.template.spec.serviceAccountName] "3": expected a string, found an integer; the YAML scalar `3` is read as an integer: quote it to keep it a string (fix: "3")
    "#]].assert_eq(&render(text, &validate(deployment.root(), &node, &dynamic)));
    // Sent as written, the same strings are wrong wherever a number or a list is expected.
    let literal = ValidateOptions::default();
    expect![[r#"
        5:1-5:5 error schema-required [spec] "spec": missing required field `selector`
        6:13-6:29 error schema-type [spec.replicas] "=inputs.replicas": expected an integer, found an expression: `replicas` is sent as written, so `=...` stays a string here
        9:19-9:37 error schema-type [spec.template.spec.containers] "=inputs.containers": expected a list, found an expression: `containers` is sent as written, so `=...` stays a string here
        15:27-15:28 error schema-type [spec.template.spec.serviceAccountName] "3": expected a string, found an integer; the YAML scalar `3` is read as an integer: quote it to keep it a string (fix: "3")
    "#]].assert_eq(&render(text, &validate(deployment.root(), &node, &literal)));
}

#[test]
fn lookups_for_hover_and_completion() {
    let store = store();
    let gvk = Gvk::new("apps", "v1", "Deployment");
    let path = |p: &[&str]| -> Vec<PathSegment> {
        p.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSegment::Index(i),
                Err(_) => PathSegment::Key(s.to_string()),
            })
            .collect()
    };
    let replicas = store.schema_at(&gvk, &path(&["spec", "replicas"])).unwrap();
    assert_eq!(replicas.type_label(), "integer (int32)");
    assert!(
        replicas
            .description()
            .unwrap()
            .contains("Number of desired pods")
    );
    // The 1.35 server documents enums in descriptions only.
    let policy = store
        .schema_at(
            &gvk,
            &path(&[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "imagePullPolicy",
            ]),
        )
        .unwrap();
    assert!(policy.enum_values().is_none());
    assert!(policy.description().unwrap().contains("IfNotPresent"));
    let step_kind = store
        .schema_at(
            &Gvk::new("koreo.dev", "v1beta1", "Workflow"),
            &path(&["spec", "steps", "3", "ref", "kind"]),
        )
        .unwrap();
    let values: Vec<&str> = step_kind
        .enum_values()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(values, ["ResourceFunction", "ValueFunction", "Workflow"]);
    let container = store
        .schema_at(
            &gvk,
            &path(&["spec", "template", "spec", "containers", "0"]),
        )
        .unwrap();
    let required: Vec<&str> = container
        .properties()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    assert_eq!(required, ["name"]);
    assert!(container.properties().any(|p| p.name == "resources"));
    let labels = store
        .schema_at(&gvk, &path(&["metadata", "labels"]))
        .unwrap();
    assert_eq!(labels.type_label(), "map of string");
    assert_eq!(
        store
            .schema_at(&gvk, &path(&["metadata", "labels", "anything"]))
            .unwrap()
            .schema()
            .ty,
        Some(SchemaType::String)
    );
    let port = store
        .schema_at(
            &gvk,
            &path(&[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "livenessProbe",
                "httpGet",
                "port",
            ]),
        )
        .unwrap();
    assert_eq!(port.type_label(), "integer | string");
    assert!(store.schema_at(&gvk, &path(&["spec", "nope"])).is_none());

    let cm = store.get(&Gvk::new("", "v1", "ConfigMap")).unwrap();
    assert_eq!(
        (cm.plural.as_deref(), cm.scope),
        (Some("configmaps"), Some(Scope::Namespaced))
    );
    let ns = store.get(&Gvk::new("", "v1", "Namespace")).unwrap();
    assert_eq!(
        (ns.plural.as_deref(), ns.scope),
        (Some("namespaces"), Some(Scope::Cluster))
    );

    let wf = Gvk::new("koreo.dev", "v1beta1", "Workflow");
    let label = store
        .schema_at(&wf, &path(&["spec", "steps", "0", "label"]))
        .unwrap();
    assert!(
        label.markdown().starts_with("`string`\n\n"),
        "{}",
        label.markdown()
    );
    let default = store
        .schema_at(
            &Gvk::new("koreo.dev", "v1beta1", "ResourceFunction"),
            &path(&["spec", "create", "delay"]),
        )
        .unwrap();
    assert_eq!(default.default(), Some(&serde_json::json!(30)));
    let meta_name = store.schema_at(&wf, &path(&["metadata", "name"])).unwrap();
    assert!(meta_name.description().unwrap().contains("DNS subdomain"));
}
