//! What one keystroke costs the IDE: `cargo bench -p koreo-ide --bench edit`. Figures go to
//! `docs/performance.md` ("Editing").
//!
//! The workspace has the shape of `bench/check/gen.py` (groups of a ValueFunction, a
//! ResourceTemplate, a ResourceFunction with an overlayRef, a Workflow and a FunctionTest
//! that reference each other), plus a comment in each ValueFunction. An edit is one
//! character changed in an open document, then the diagnostics of every file
//! `apply_change` reports, as the server publishes them.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use koreo_ide::{Analysis, AnalysisHost, Change, Contents};

const VF: &str = "apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: config-{i}
spec:
  preconditions:
    - assert: =has(inputs.name)
      permFail: {message: name is required}
  locals:
    replicas: '=inputs.env == \"prod\" ? 3 : 1'
  # Production runs three replicas.
  return:
    name: =inputs.name
    replicas: =locals.replicas
    labels:
      app: =inputs.name
      group: \"g{i}\"
";

const RT: &str = "apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: template-{i}
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      strategy: {type: RollingUpdate}
";

const RF: &str = "apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: deploy-{i}
spec:
  apiConfig:
    apiVersion: apps/v1
    kind: Deployment
    name: =inputs.name
    namespace: =inputs.namespace
  resourceTemplateRef:
    name: template-{i}
  overlays:
    - overlay:
        spec:
          replicas: =inputs.replicas
    - overlayRef: {kind: ValueFunction, name: config-{i}}
      inputs:
        name: =inputs.name
        env: =inputs.env
  return:
    name: =resource.metadata.name
";

const WF: &str = "apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: app-{i}
spec:
  steps:
    - label: config
      ref: {kind: ValueFunction, name: config-{i}}
      inputs:
        name: =parent.metadata.name
        env: =parent.spec.env
    - label: deploy
      ref: {kind: ResourceFunction, name: deploy-{i}}
      inputs:
        name: =steps.config.name
        namespace: =parent.metadata.namespace
        replicas: =steps.config.replicas
        env: =parent.spec.env
      state:
        deployment: =value.name
";

const FT: &str = "apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: config-{i}-test
spec:
  functionRef: {kind: ValueFunction, name: config-{i}}
  inputs: {name: app, env: prod}
  testCases:
    - expectReturn:
        name: app
        replicas: 3
        labels: {app: app, group: g{i}}
";

const KINDS: [(&str, &str); 5] = [
    ("config", VF),
    ("template", RT),
    ("deploy", RF),
    ("app", WF),
    ("test", FT),
];

/// `(key, text)` of file `f`, as `gen.py` names and fills it.
fn file(f: usize) -> (String, String) {
    let (group, k) = (f / KINDS.len(), f % KINDS.len());
    let (name, body) = KINDS[k];
    (
        format!("/ws/group-{:03}/{name}-{group}.k.yaml", group / 100),
        body.replace("{i}", &group.to_string()),
    )
}

fn load(n: usize) -> AnalysisHost {
    let mut host = AnalysisHost::new();
    let mut change = Change::new();
    for f in 0..n {
        let (key, text) = file(f);
        change.set_disk(key, Some(Contents::from_text(text)));
    }
    host.apply_change(change);
    host
}

/// Applies `text` as the open contents of `key` and computes the diagnostics of every
/// affected file; returns how many there were. With `held`, the snapshot stays alive until
/// the next edit, as when a request (semantic tokens, inlay hints) is still running.
fn edit(
    host: &mut AnalysisHost,
    key: &str,
    text: &Arc<str>,
    held: Option<&mut Option<Analysis>>,
) -> usize {
    let mut change = Change::new();
    change.set_open(key, Some(text.clone()));
    let affected = host.apply_change(change);
    let analysis = host.analysis();
    let mut n = 0;
    for f in &affected {
        n += analysis.diagnostics(*f).expect("not cancelled").len();
    }
    black_box(n);
    if let Some(held) = held {
        *held = Some(analysis);
    }
    affected.len()
}

/// The edits: file index in group 0, the text before and the one-character change.
const EDITS: [(&str, usize, &str, &str); 4] = [
    // Used by the Workflow, the ResourceFunction's overlay and the FunctionTest.
    (
        "vf-expression",
        0,
        "    name: =inputs.name\n",
        "    name: =inputs.nam\n",
    ),
    ("test-expectation", 4, "replicas: 3", "replicas: 4"),
    ("comment", 0, "three replicas.", "three replicas!"),
    // The first edit again, with the previous snapshot alive.
    (
        "vf-expression-snapshot-held",
        0,
        "    name: =inputs.name\n",
        "    name: =inputs.nam\n",
    ),
];

fn benches(c: &mut Criterion) {
    let sizes: Vec<usize> = match std::env::var("KOREO_EDIT_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![100, 1_000, 10_000],
    };
    let mut g = c.benchmark_group("edit");
    g.sample_size(20);
    for &n in &sizes {
        let mut host = load(n);
        for (label, f, from, to) in EDITS {
            let (key, text) = file(f);
            assert!(text.contains(from), "{label}: {from:?} not in {key}");
            // Alternate between the two texts so every iteration is a real change.
            let texts: [Arc<str>; 2] = [text.replacen(from, to, 1).into(), text.into()];
            let mut i = 0;
            let affected = edit(&mut host, &key, &texts[0], None);
            edit(&mut host, &key, &texts[1], None);
            eprintln!("{label} at {n} files: {affected} affected files");
            let mut held = None;
            let hold = label.ends_with("snapshot-held");
            g.bench_function(BenchmarkId::new(label, n), |b| {
                b.iter(|| {
                    i += 1;
                    edit(&mut host, &key, &texts[i % 2], hold.then_some(&mut held))
                })
            });
            drop(held);
            edit(&mut host, &key, &texts[1], None);
        }
    }
    g.finish();

    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    for &n in &sizes {
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(load(n)))
        });
    }
    g.finish();
}

criterion_group!(edit_benches, benches);
criterion_main!(edit_benches);
