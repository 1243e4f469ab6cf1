//! The cluster source end to end: kube-rs talks HTTP to a local test API server that
//! serves the real Kubernetes data of tests/data at the real paths, through a generated
//! kubeconfig.
#![cfg(feature = "kube")]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{data, parse, render};
use expect_test::expect;
use koreo_schema::cache::DiskCache;
use koreo_schema::cluster::{ClusterError, ClusterOptions, fetch};
use koreo_schema::{Gvk, SchemaSource, SchemaStore, ValidateOptions, validate_document};

/// What the test server saw: (path with query, Authorization header).
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

struct TestApiServer {
    port: u16,
    log: Log,
}

fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016X}")
}

impl TestApiServer {
    /// Serve `docs` (group-version path → OpenAPI JSON) and `crds` (a CRD list) until the
    /// test process ends.
    fn start(docs: Vec<(&'static str, String)>, crds: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let mut routes: HashMap<String, String> = HashMap::new();
        let mut index = serde_json::Map::new();
        for (gv, body) in &docs {
            let url = format!("/openapi/v3/{gv}?hash={}", fnv(body.as_bytes()));
            index.insert(
                (*gv).to_owned(),
                serde_json::json!({ "serverRelativeURL": url }),
            );
            routes.insert(url, body.clone());
        }
        routes.insert(
            "/openapi/v3".into(),
            serde_json::json!({ "paths": index }).to_string(),
        );
        routes.insert(
            "/version".into(),
            r#"{"major":"1","minor":"35","gitVersion":"v1.35.0","platform":"linux/amd64"}"#.into(),
        );
        routes.insert(
            "/api".into(),
            r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]}"#.into(),
        );
        let groups: Vec<serde_json::Value> = docs
            .iter()
            .filter_map(|(gv, _)| gv.strip_prefix("apis/"))
            .map(|gv| {
                let (group, version) = gv.rsplit_once('/').unwrap();
                serde_json::json!({"name": group, "versions": [{"groupVersion": gv, "version": version}],
                    "preferredVersion": {"groupVersion": gv, "version": version}})
            })
            .collect();
        routes.insert(
            "/apis".into(),
            serde_json::json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
                .to_string(),
        );
        let routes = Arc::new(routes);
        let crds: Arc<serde_json::Value> = Arc::new(serde_json::from_str(&crds).unwrap());
        let server_log = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (routes, crds, log) = (routes.clone(), crds.clone(), server_log.clone());
                std::thread::spawn(move || serve_connection(stream, &routes, &crds, &log));
            }
        });
        Self { port, log }
    }

    fn kubeconfig(&self, dir: &Path) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        let text = format!(
            r#"apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: http://127.0.0.1:{port}
  - name: gone
    cluster:
      server: http://127.0.0.1:{closed}
users:
  - name: tester
    user:
      token: test-token-123
contexts:
  - name: test-ctx
    context: {{cluster: test, user: tester, namespace: default}}
  - name: gone-ctx
    context: {{cluster: gone, user: tester}}
current-context: test-ctx
"#,
            port = self.port,
            closed = closed_port()
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.log.lock().unwrap().clone()
    }
}

/// A port nobody listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// HTTP/1.1 with keep-alive: GET requests only, no request bodies.
fn serve_connection(
    stream: TcpStream,
    routes: &HashMap<String, String>,
    crds: &serde_json::Value,
    log: &Log,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_owned();
        let mut auth = None;
        let mut content_length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "authorization" => auth = Some(value.trim().to_owned()),
                    "content-length" => content_length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; content_length];
        let _ = reader.read_exact(&mut body);
        log.lock().unwrap().push((target.clone(), auth));
        let (status, payload) = respond(&target, routes, crds);
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            payload.len()
        );
        if stream.write_all(head.as_bytes()).is_err()
            || stream.write_all(payload.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn respond(
    target: &str,
    routes: &HashMap<String, String>,
    crds: &serde_json::Value,
) -> (&'static str, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions" {
        // Pages of 4 items, whatever the client's limit: exercises `continue`.
        let start: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("continue="))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let items = crds["items"].as_array().unwrap();
        let end = (start + 4).min(items.len());
        let mut page = crds.clone();
        page["items"] = serde_json::Value::Array(items[start..end].to_vec());
        if end < items.len() {
            page["metadata"]["continue"] = serde_json::Value::String(end.to_string());
        }
        return ("200 OK", page.to_string());
    }
    match routes.get(target).or_else(|| routes.get(path)) {
        Some(body) => ("200 OK", body.clone()),
        None => (
            "404 Not Found",
            r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}"#.into(),
        ),
    }
}

fn standard_server() -> TestApiServer {
    TestApiServer::start(
        vec![
            ("api/v1", data("openapi/api/v1.json")),
            ("apis/apps/v1", data("openapi/apis/apps/v1.json")),
            (
                "apis/koreo.dev/v1beta1",
                data("openapi/apis/koreo.dev/v1beta1.json"),
            ),
        ],
        data("crd-list.json"),
    )
}

fn options(kubeconfig: &Path, cache: &Path) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: Some(kubeconfig.to_owned()),
        cache_dir: Some(cache.to_owned()),
        ..ClusterOptions::default()
    }
}

fn kinds(schemas: &koreo_schema::ClusterSchemas) -> Vec<String> {
    let mut k: Vec<String> = schemas
        .kinds
        .iter()
        .filter(|k| !k.gvk.kind.ends_with("List"))
        .map(|k| k.gvk.to_string())
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn fetches_crds_and_openapi_then_serves_from_cache() {
    let server = standard_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path());
    let cache_dir = dir.path().join("cache");
    let opts = options(&kubeconfig, &cache_dir);

    let live = fetch(&opts).await.unwrap();
    assert_eq!(live.context, "test-ctx");
    assert!(!live.from_cache);
    assert_eq!(live.fetch_error, None);
    expect![[r#"
        [
            "Bucket.s3.services.k8s.aws/v1alpha1",
            "ConfigMap.v1",
            "Deployment.apps/v1",
            "FunctionTest.koreo.dev/v1beta1",
            "Namespace.v1",
            "ResourceFunction.koreo.dev/v1beta1",
            "ResourceTemplate.koreo.dev/v1beta1",
            "Secret.v1",
            "Service.v1",
            "ServiceAccount.v1",
            "ValueFunction.koreo.dev/v1beta1",
            "Workflow.koreo.dev/v1beta1",
            "Workload.example.koreo.dev/v1",
        ]
    "#]]
    .assert_debug_eq(&kinds(&live));
    // CRD kinds come from the CRD list, with their source and scope.
    let bucket = live.kinds.iter().find(|k| k.gvk.kind == "Bucket").unwrap();
    assert_eq!(bucket.source, SchemaSource::Cluster("test-ctx".into()));
    assert_eq!(bucket.plural.as_deref(), Some("buckets"));

    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some("Bearer test-token-123")),
        "{requests:?}"
    );
    // Documents download concurrently: compare as a sorted list.
    let mut paths: Vec<&str> = requests
        .iter()
        .map(|(p, _)| p.split('?').next().unwrap())
        .collect();
    paths.sort_unstable();
    expect![[r#"
        [
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            "/openapi/v3",
            "/openapi/v3/api/v1",
            "/openapi/v3/apis/apps/v1",
        ]
    "#]]
    .assert_debug_eq(&paths);

    // Unchanged hashes: the second fetch reads the documents from the disk cache.
    let again = fetch(&opts).await.unwrap();
    assert_eq!(kinds(&again), kinds(&live));
    let downloads = server
        .requests()
        .iter()
        .filter(|(p, _)| p.starts_with("/openapi/v3/"))
        .count();
    assert_eq!(downloads, 2, "{:?}", server.requests());

    // Offline: the same kinds, from the cache, without a request.
    let before = server.requests().len();
    let offline = fetch(&ClusterOptions {
        offline: true,
        ..opts.clone()
    })
    .await
    .unwrap();
    assert!(offline.from_cache);
    assert_eq!(kinds(&offline), kinds(&live));
    assert_eq!(
        offline.kinds[0].source,
        SchemaSource::DiskCache("test-ctx".into())
    );
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn unreachable_cluster_falls_back_to_the_cache() {
    let server = standard_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path());
    let cache_dir = dir.path().join("cache");

    // Nothing cached for `gone-ctx` yet: a request error.
    let gone = ClusterOptions {
        context: Some("gone-ctx".into()),
        ..options(&kubeconfig, &cache_dir)
    };
    match fetch(&gone).await {
        Err(ClusterError::Request(_)) => {}
        other => panic!("{other:?}"),
    }
    match fetch(&ClusterOptions {
        offline: true,
        ..gone.clone()
    })
    .await
    {
        Err(ClusterError::NoCache(ctx)) => assert_eq!(ctx, "gone-ctx"),
        other => panic!("{other:?}"),
    }
    // Seed `gone-ctx`'s cache from the live server's data, then fail over to it.
    let live = fetch(&options(&kubeconfig, &cache_dir)).await.unwrap();
    let live_cache = DiskCache::new(&cache_dir, "test-ctx");
    let gone_cache = DiskCache::new(&cache_dir, "gone-ctx");
    copy_dir(live_cache.dir(), gone_cache.dir());
    let fallback = fetch(&gone).await.unwrap();
    assert!(fallback.from_cache);
    assert!(fallback.fetch_error.is_some());
    assert_eq!(kinds(&fallback), kinds(&live));

    match fetch(&ClusterOptions {
        context: Some("nope".into()),
        ..gone
    })
    .await
    {
        Err(ClusterError::Config(_)) => {}
        other => panic!("{other:?}"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[tokio::test]
async fn cluster_schemas_in_the_store() {
    let server = standard_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path());
    let live = fetch(&options(&kubeconfig, &dir.path().join("cache")))
        .await
        .unwrap();

    let mut store = SchemaStore::new();
    store.set_cluster(live);
    // Koreo kinds stay ours (documented, engine-parity severities), not the cluster's CRDs.
    let wf = store
        .get(&Gvk::new("koreo.dev", "v1beta1", "Workflow"))
        .unwrap();
    assert_eq!(wf.source, SchemaSource::Builtin);
    let workload = Gvk::new("example.koreo.dev", "v1", "Workload");
    assert_eq!(
        store.get(&workload).unwrap().source,
        SchemaSource::Cluster("test-ctx".into())
    );

    let text = "apiVersion: example.koreo.dev/v1\nkind: Workload\nmetadata:\n  name: w\nspec:\n  environment: qa\n  container: {image: nginx, port: 80}\n";
    let check = |store: &SchemaStore| {
        render(
            text,
            &validate_document(store, &parse(text), &ValidateOptions::default()).diagnostics,
        )
    };
    expect![[r#"
        6:16-6:18 error schema-enum [spec.environment] "qa": `qa` is not an allowed value; expected `dev`, `staging` or `prod`
    "#]].assert_eq(&check(&store));

    // A workspace CRD for the same kind wins over the cluster's.
    let crd = data("crds/workload-crd.yaml").replace(
        r#"enum: ["dev", "staging", "prod"]"#,
        r#"enum: ["dev", "qa", "prod"]"#,
    );
    let node = parse(&crd);
    let generation = store.generation();
    assert!(
        store
            .set_workspace_file("crds/workload.yaml", &[&node])
            .is_empty()
    );
    assert!(store.generation() > generation);
    assert_eq!(
        store.get(&workload).unwrap().source,
        SchemaSource::Workspace("crds/workload.yaml".into())
    );
    assert_eq!(check(&store), "");
    store.remove_workspace_file("crds/workload.yaml");
    assert_eq!(
        store.get(&workload).unwrap().source,
        SchemaSource::Cluster("test-ctx".into())
    );

    // A Deployment is checked against the cluster's apps/v1 schema.
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n";
    expect![[r#"
        6:13-6:16 error schema-type [spec.replicas] "two": expected an integer, found a string
    "#]]
    .assert_eq(&render(
        deployment,
        &validate_document(&store, &parse(deployment), &ValidateOptions::default()).diagnostics,
    ));
    store.clear_cluster();
    assert!(store.get(&workload).is_none());
}
