//! Validation speed: a Deployment against the real apps/v1 schema, a Koreo Workflow
//! against the built-in kind, and the loaders. Figures: docs/performance.md ("Schema").

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use koreo_schema::cache::build_snapshot;
use koreo_schema::value::map_get;
use koreo_schema::{
    SchemaSource, SchemaStore, ValidateOptions, engine_first_error, load_openapi, validate_document,
};

const APPS_V1: &str = include_str!("../tests/data/openapi/apis/apps/v1.json");
const CORE_V1: &str = include_str!("../tests/data/openapi/api/v1.json");

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true, fsGroup: 2000}
      containers:
        - name: web
          image: registry.example.com/web:1.2.3
          imagePullPolicy: IfNotPresent
          args: [--port=8080, --log-level=info]
          ports:
            - {containerPort: 8080, name: http}
            - {containerPort: 9090, name: metrics}
          env:
            - {name: MODE, value: production}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
          resources:
            limits: {cpu: "1", memory: 512Mi}
            requests: {cpu: 250m, memory: 256Mi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 5
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
            initialDelaySeconds: 10
          volumeMounts:
            - {name: config, mountPath: /etc/web, readOnly: true}
        - name: sidecar
          image: registry.example.com/proxy:0.9
          ports: [{containerPort: 15001}]
          resources:
            limits: {cpu: 200m, memory: 64Mi}
      volumes:
        - name: config
          configMap: {name: web-config}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: {matchLabels: {app: web}}
      tolerations:
        - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
"#;

const WORKFLOW: &str = r#"apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: web-service
spec:
  crdRef: {apiGroup: example.koreo.dev, version: v1, kind: Workload}
  steps:
    - label: config
      ref: {kind: ValueFunction, name: web-config}
      inputs:
        name: =parent.metadata.name
        namespace: =parent.metadata.namespace
        spec: =parent.spec
    - label: service_account
      ref: {kind: ResourceFunction, name: service-account}
      inputs: {metadata: =steps.config.metadata}
      condition: {type: ServiceAccount, name: Service account}
    - label: deployment
      refSwitch:
        switchOn: =steps.config.flavour
        cases:
          - {case: small, kind: ResourceFunction, name: small-deployment}
          - {case: large, kind: ResourceFunction, name: large-deployment, default: true}
      inputs:
        metadata: =steps.config.metadata
        serviceAccount: =steps.service_account.name
        replicas: =steps.config.replicas
      condition: {type: Deployment, name: Web deployment}
      state:
        replicas: =value.replicas
        ready: =value.ready
    - label: service
      ref: {kind: ResourceFunction, name: service}
      skipIf: =!steps.config.expose
      inputs: {metadata: =steps.config.metadata, ports: =steps.config.ports}
      condition: {type: Service, name: Web service}
    - label: per_env_config
      ref: {kind: ResourceFunction, name: env-config}
      forEach: {itemIn: =steps.config.environments, inputKey: environment}
      inputs: {metadata: =steps.config.metadata}
"#;

fn bench(c: &mut Criterion) {
    let docs: Vec<(String, serde_json::Value)> = vec![
        (
            "apis/apps/v1".into(),
            serde_json::from_str(APPS_V1).unwrap(),
        ),
        ("api/v1".into(), serde_json::from_str(CORE_V1).unwrap()),
    ];
    let mut store = SchemaStore::new();
    store.set_cluster(build_snapshot("bench", None, &docs, false));
    let options = ValidateOptions::default();

    let deployment = koreo_syntax::parse_file(DEPLOYMENT)
        .documents
        .remove(0)
        .root
        .unwrap();
    assert!(
        validate_document(&store, &deployment, &options)
            .diagnostics
            .is_empty()
    );
    c.bench_function("schema/validate_deployment", |b| {
        b.iter(|| validate_document(&store, black_box(&deployment), &options))
    });

    let workflow = koreo_syntax::parse_file(WORKFLOW)
        .documents
        .remove(0)
        .root
        .unwrap();
    assert!(
        validate_document(&store, &workflow, &options)
            .diagnostics
            .is_empty()
    );
    c.bench_function("schema/validate_workflow", |b| {
        b.iter(|| validate_document(&store, black_box(&workflow), &options))
    });

    let spec = &map_get(&workflow, "spec").unwrap().value;
    assert_eq!(engine_first_error("Workflow", spec), None);
    c.bench_function("schema/engine_first_error_workflow", |b| {
        b.iter(|| engine_first_error("Workflow", black_box(spec)))
    });

    c.bench_function("schema/parse_and_validate_deployment", |b| {
        b.iter(|| {
            let parsed = koreo_syntax::parse_file(black_box(DEPLOYMENT));
            let root = parsed.documents[0].root.as_ref().unwrap();
            validate_document(&store, root, &options)
        })
    });

    let apps: serde_json::Value = serde_json::from_str(APPS_V1).unwrap();
    c.bench_function("schema/load_openapi_apps_v1_trimmed", |b| {
        b.iter(|| load_openapi(black_box(&apps), SchemaSource::Builtin).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
