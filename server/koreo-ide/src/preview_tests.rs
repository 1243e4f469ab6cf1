//! Previews on fixtures (`koreo.preview`): functions with inputs from tests and workflow
//! steps, FunctionTest cases, workflows reconciled for a parent.

use expect_test::{Expect, expect};

use crate::fixture;

fn check(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let preview = analysis
        .preview(pos.expect("fixture needs $0"))
        .unwrap()
        .map(|p| format!("{}\n{}", p.title, p.content))
        .unwrap_or_else(|| "no preview".into());
    expect.assert_eq(&preview);
}

#[test]
fn value_function_with_inputs_from_its_test() {
    check(
        r#"
# - functions.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-name
spec:
  return:
    name: =inputs.prefix + "-" + inputs.suffix$0
    port: "8080"
    script: |
      echo one
      echo two
# - tests.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-name-test
spec:
  functionRef: {kind: ValueFunction, name: make-name}
  inputs: {prefix: web, suffix: app}
  testCases:
    - label: named
      expectReturn: {name: web-api}
"#,
        expect![[r#"
            ValueFunction make-name (preview)
            # ValueFunction `make-name`: the value it returns (Kubernetes YAML rules, as the controller reads them).
            # Inputs: FunctionTest `make-name-test`, test case 1 (`named`).
            # Outcome: Ok
            ---
            name: web-app
            port: 8080
            script: |
              echo one
              echo two
            ---
            # How it was rendered.
            inputs:
              prefix: web
              suffix: app
            outcome:
              type: Ok
        "#]],
    );
}

const RF_WORKSPACE: &str = r#"
# - template.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: deployment-base
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels: {team: platform}
    spec:
      replicas: 1
      template:
        spec:
          containers: []
# - labels.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: add-labels
spec:
  return:
    metadata:
      labels:
        app: =inputs.app
        copied: =resource.metadata.name
# - rf.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: web-deployment
spec:
  apiConfig:
    apiVersion: apps/v1
    kind: Deployment
    name: =inputs.name
    namespace: default
  resourceTemplateRef:
    name: deployment-base
  overlays:
    - overlay:
        spec:
          replicas: =inputs.replicas
          selector:
            matchLabels: {app: =inputs.name}
    - overlayRef: {kind: ValueFunction, name: add-labels}
      inputs: {app: =inputs.name}
    - skipIf: =!has(inputs.debug)
      overlay:
        metadata:
          annotations: {debug: "on"}
  return:
    ready: =resource.spec.replicas
# - tests.k.yaml
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: web-deployment-test
spec:
  functionRef: {kind: ResourceFunction, name: web-deployment}
  inputs: {name: web, replicas: 2}
  testCases:
    - label: creates
      expectOutcome: {retry: {message: Creating, delay: 0}}
    - label: debug variant
      variant: true
      inputOverrides: {debug: true, replicas: "three"}
      expectOutcome: {retry: {message: Creating, delay: 0}}
"#;

#[test]
fn resource_function_with_template_overlays_and_overlay_ref() {
    check(
        &RF_WORKSPACE.replace("  name: web-deployment\n", "  name: web-deploy$0ment\n"),
        expect![[r#"
            ResourceFunction web-deployment (preview)
            # ResourceFunction `web-deployment`: the resource the controller would write (Kubernetes YAML rules).
            # Inputs: FunctionTest `web-deployment-test`, test case 1 (`creates`).
            # Outcome: Retry after 30s: Creating Deployment:default:web. (at spec.create)
            # Schema: no schema known for apps/v1 Deployment (not checked).
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels:
                team: platform
                app: web
                copied: web
              name: web
              namespace: default
            spec:
              replicas: 2
              template:
                spec:
                  containers: []
              selector:
                matchLabels:
                  app: web
            ---
            # How it was rendered.
            inputs:
              name: web
              replicas: 2
            outcome:
              type: Retry
              message: Creating Deployment:default:web.
              location: spec.create
              delay: 30
            resourceId:
              apiVersion: apps/v1
              kind: Deployment
              plural: deployments
              name: web
              readonly: false
              namespace: default
              resourceFunction: web-deployment
        "#]],
    );
}

#[test]
fn function_test_case_under_the_cursor() {
    check(
        &RF_WORKSPACE.replace("inputOverrides: {debug", "inputOverrides: {$0debug"),
        expect![[r#"
            FunctionTest web-deployment-test (preview)
            # debug variant: FAIL: Retry: Expected(message=Creating, delay=0) Actual(message=Patching `Deployment:default:web` due to 'metadata' -> 'annotations' -> <missing 'debug' in resource>., delay=30)
            # ResourceFunction `web-deployment`: the resource the controller would write (Kubernetes YAML rules).
            # Inputs: FunctionTest `web-deployment-test`, test case 2 (`debug variant`).
            # Outcome: Retry after 30s: Patching `Deployment:default:web` due to 'metadata' -> 'annotations' -> <missing 'debug' in resource>. (at spec.update.patch)
            # Schema: no schema known for apps/v1 Deployment (not checked).
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              labels:
                team: platform
                app: web
                copied: web
              name: web
              namespace: default
              annotations:
                debug: 'on'
            spec:
              replicas: three
              template:
                spec:
                  containers: []
              selector:
                matchLabels:
                  app: web
            ---
            # How it was rendered.
            inputs:
              name: web
              replicas: three
              debug: true
            currentResource:
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                labels:
                  team: platform
                  app: web
                  copied: web
                name: web
                namespace: default
                annotations:
                  koreo.dev/last-applied-configuration: '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"labels": {"team": "platform", "app": "web", "copied": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 2, "template": {"spec": {"containers": []}}, "selector": {"matchLabels": {"app": "web"}}}}'
              spec:
                replicas: 2
                template:
                  spec:
                    containers: []
                selector:
                  matchLabels:
                    app: web
            outcome:
              type: Retry
              message: Patching `Deployment:default:web` due to 'metadata' -> 'annotations' -> <missing 'debug' in resource>.
              location: spec.update.patch
              delay: 30
            resourceId:
              apiVersion: apps/v1
              kind: Deployment
              plural: deployments
              name: web
              readonly: false
              namespace: default
              resourceFunction: web-deployment
        "#]],
    );
}

const APP_CRD: &str = r#"
# - crd.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: apps.demo.koreo.dev
spec:
  group: demo.koreo.dev
  names: {kind: App, plural: apps, singular: app, listKind: AppList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [image, environments]
              properties:
                image: {type: string}
                tier: {type: string, enum: [web, worker]}
                replicas: {type: integer, default: 2}
                environments: {type: array, items: {type: string}}
            status: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

const APP_WORKFLOW: &str = r#"
# - functions.k.yaml
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: config
spec:
  return:
    name: =inputs.name + "-config"
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: web-settings
spec:
  return: {port: 8080}
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: worker-settings
spec:
  return: {queue: =inputs.tier + "-jobs"}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: env-configmap
spec:
  apiConfig:
    apiVersion: v1
    kind: ConfigMap
    name: =inputs.name + "-" + inputs.env
    namespace: =inputs.namespace
  resource:
    data:
      env: =inputs.env
      config: =inputs.config
# - workflow.k.yaml
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: app
spec:
  crdRef: {apiGroup: demo.koreo.dev, version: v1, kind: App}
  steps:
    - label: config
      ref: {kind: ValueFunction, name: config}
      inputs: {name: =parent.metadata.name}
    - label: settings
      refSwitch:
        switchOn: =inputs["tier"]
        cases:
          - {case: web, kind: ValueFunction, name: web-settings}
          - {case: worker, default: true, kind: ValueFunction, name: worker-settings}
      inputs: {tier: =parent.spec.tier}
      state: {settings: =value}
    - label: configmaps$0
      ref: {kind: ResourceFunction, name: env-configmap}
      forEach: {itemIn: =parent.spec.environments, inputKey: env}
      inputs:
        name: =parent.metadata.name
        namespace: =parent.metadata.namespace
        config: =steps.config.name
      condition: {type: ConfigMaps, name: Environment config maps}
      state: {configmaps: =value.size()}
"#;

#[test]
fn workflow_with_for_each_and_ref_switch_for_a_workspace_parent() {
    let parent = r#"
# - shop.k.yaml
apiVersion: demo.koreo.dev/v1
kind: App
metadata:
  name: shop
  namespace: team-a
spec:
  image: shop:1.0
  tier: worker
  environments: [dev, prod]
"#;
    check(
        &format!("{APP_CRD}{APP_WORKFLOW}{parent}"),
        expect![[r#"
            Workflow app (preview)
            # Workflow `app`: one controller reconcile after another, against an in-memory cluster (Kubernetes YAML rules).
            # Parent: App `shop` from shop.k.yaml:1, with a placeholder uid.
            # 2 reconcile passes, after which nothing changes.
            # Result: Ok
            ---
            # Each step's outcome in the last pass.
            steps:
              config:
                ref: ValueFunction config
                outcome:
                  type: Ok
                value:
                  name: shop-config
              settings:
                ref: 'refSwitch (web: ValueFunction web-settings, worker: ValueFunction worker-settings, default: ValueFunction worker-settings)'
                outcome:
                  type: Ok
                value:
                  queue: worker-jobs
              configmaps:
                ref: ResourceFunction env-configmap
                forEach: env
                after:
                  - config
                outcome:
                  type: Ok
                value:
                  - null
                  - null
                resources:
                  - v1 ConfigMap team-a/shop-dev
                  - v1 ConfigMap team-a/shop-prod
            ---
            # The parent as the controller leaves it (status and the managed-resources annotation; timestamps omitted).
            apiVersion: demo.koreo.dev/v1
            kind: App
            metadata:
              name: shop
              namespace: team-a
              uid: 00000000-0000-0000-0000-000000000000
              annotations:
                koreo.dev/managed-resources: '{"workflow":"app","resources":{"config":null,"settings":null,"configmaps":[{"apiVersion":"v1","kind":"ConfigMap","plural":"configmaps","name":"shop-dev","readonly":false,"namespace":"team-a","resourceFunction":"env-configmap"},{"apiVersion":"v1","kind":"ConfigMap","plural":"configmaps","name":"shop-prod","readonly":false,"namespace":"team-a","resourceFunction":"env-configmap"}]}}'
            spec:
              image: shop:1.0
              tier: worker
              environments:
                - dev
                - prod
            status:
              conditions:
                - type: ConfigMaps
                  reason: Ready
                  message: Environment config maps ready.
                  status: 'True'
                  location: app
                - type: Ready
                  reason: Ready
                  message: Workflow app ready.
                  status: 'True'
                  location: app
              state:
                settings:
                  queue: worker-jobs
                configmaps: 2
              koreo:
                errors: null
                locations: null
                state_errors: null
            ---
            # Step `configmaps[0]` (ResourceFunction `env-configmap`): v1 ConfigMap team-a/shop-dev
            # Schema: no schema known for v1 ConfigMap (not checked).
            data:
              env: dev
              config: shop-config
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: shop-dev
              namespace: team-a
              ownerReferences:
                - apiVersion: demo.koreo.dev/v1
                  kind: App
                  blockOwnerDeletion: true
                  controller: false
                  name: shop
                  uid: 00000000-0000-0000-0000-000000000000
            ---
            # Step `configmaps[1]` (ResourceFunction `env-configmap`): v1 ConfigMap team-a/shop-prod
            # Schema: no schema known for v1 ConfigMap (not checked).
            data:
              env: prod
              config: shop-config
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: shop-prod
              namespace: team-a
              ownerReferences:
                - apiVersion: demo.koreo.dev/v1
                  kind: App
                  blockOwnerDeletion: true
                  controller: false
                  name: shop
                  uid: 00000000-0000-0000-0000-000000000000
        "#]],
    );
}

#[test]
fn workflow_parent_from_the_crd_schema() {
    check(
        &format!("{APP_CRD}{APP_WORKFLOW}"),
        expect![[r#"
            Workflow app (preview)
            # Workflow `app`: one controller reconcile after another, against an in-memory cluster (Kubernetes YAML rules).
            # Parent: App built from the CRD's schema (defaults, placeholders for required fields).
            # 1 reconcile pass, after which nothing changes.
            # Result: PermFail: Error evaluating `app.spec.steps.settings.inputs` (at parent.spec.tier) ("no such member in mapping: 'tier'", <class 'KeyError'>, None) (at parent.spec.tier)
            ---
            # Each step's outcome in the last pass.
            steps:
              config:
                ref: ValueFunction config
                outcome:
                  type: Ok
                value:
                  name: preview-config
              settings:
                ref: 'refSwitch (web: ValueFunction web-settings, worker: ValueFunction worker-settings, default: ValueFunction worker-settings)'
                outcome:
                  type: PermFail
                  message: 'Error evaluating `app.spec.steps.settings.inputs` (at parent.spec.tier) ("no such member in mapping: ''tier''", <class ''KeyError''>, None)'
                  location: parent.spec.tier
              configmaps:
                ref: ResourceFunction env-configmap
                forEach: env
                after:
                  - config
                outcome:
                  type: Ok
                value: []
            ---
            # The parent as the controller leaves it (status and the managed-resources annotation; timestamps omitted).
            apiVersion: demo.koreo.dev/v1
            kind: App
            metadata:
              name: preview
              namespace: default
              uid: 00000000-0000-0000-0000-000000000000
              annotations:
                koreo.dev/managed-resources: '{"workflow":"app","resources":{"config":null,"settings":null,"configmaps":null}}'
            spec:
              image: image
              replicas: 2
              environments: []
            status:
              conditions:
                - type: ConfigMaps
                  reason: Ready
                  message: Environment config maps ready.
                  status: 'True'
                  location: app
                - type: Ready
                  reason: Failure
                  message: 'Unrecoverable error reconciling Workflow app. (Error evaluating `app.spec.steps.settings.inputs` (at parent.spec.tier) ("no such member in mapping: ''tier''", <class ''KeyError''>, None)).'
                  status: 'True'
                  location: parent.spec.tier
              state:
                configmaps: 0
              koreo:
                errors: 'Error evaluating `app.spec.steps.settings.inputs` (at parent.spec.tier) ("no such member in mapping: ''tier''", <class ''KeyError''>, None)'
                locations: parent.spec.tier
                state_errors: null
        "#]],
    );
}

#[test]
fn function_inputs_from_a_workflow_step() {
    let parent = "# - shop.k.yaml\napiVersion: demo.koreo.dev/v1\nkind: App\nmetadata: {name: shop, namespace: team-a}\nspec: {image: x, tier: web, environments: [dev]}\n";
    let fixture = format!("{APP_CRD}{APP_WORKFLOW}{parent}")
        .replace("$0", "")
        .replace("  name: env-configmap\n", "  name: env-$0configmap\n");
    check(
        &fixture,
        expect![[r#"
        ResourceFunction env-configmap (preview)
        # ResourceFunction `env-configmap`: the resource the controller would write (Kubernetes YAML rules).
        # Inputs: Workflow `app` step `configmaps`, for the parent App `shop` from shop.k.yaml:1, with a placeholder uid, first `forEach` item.
        # Outcome: Retry after 30s: Creating ConfigMap:team-a:shop-dev. (at spec.create)
        # Schema: no schema known for v1 ConfigMap (not checked).
        ---
        data:
          env: dev
          config: shop-config
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shop-dev
          namespace: team-a
        ---
        # How it was rendered.
        inputs:
          name: shop
          namespace: team-a
          config: shop-config
          env: dev
        outcome:
          type: Retry
          message: Creating ConfigMap:team-a:shop-dev.
          location: spec.create
          delay: 30
        resourceId:
          apiVersion: v1
          kind: ConfigMap
          plural: configmaps
          name: shop-dev
          readonly: false
          namespace: team-a
          resourceFunction: env-configmap
    "#]],
    );
}

fn check_graph(fixture: &str, expect: Expect) {
    let (analysis, pos) = fixture::analysis(fixture);
    let pos = pos.expect("fixture needs $0");
    let g = analysis.workflow_graph(pos.file, Some(pos)).unwrap();
    let rendered = match g {
        None => "no graph".to_owned(),
        Some(g) => {
            let nodes: Vec<String> = g
                .nodes
                .iter()
                .map(|n| {
                    let target = n
                        .target
                        .map(|t| fixture::render_file_range(&analysis, t))
                        .unwrap_or_else(|| "-".into());
                    format!("{} -> {target}", n.id)
                })
                .collect();
            format!(
                "{}\n{}\n{}\n{}",
                g.title,
                g.mermaid,
                g.dot,
                nodes.join("\n")
            )
        }
    };
    expect.assert_eq(&rendered);
}

#[test]
fn workflow_graph_with_switch_for_each_sub_workflow_and_a_broken_step() {
    let extra = r#"
# - outer.k.yaml
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: outer
spec:
  steps:
    - label: inner
      ref: {kind: Workflow, name: app}
      inputs: {metadata: {name: x}}
    - label: after
      ref: {kind: ValueFunction, name: config}
      inputs: {name: =steps.inner.settings + "\"<b>"}
    - label: broken
      ref: {kind: ValueFunction, name: config}
      inputs: {name: =steps.later}
    - label: later
      ref: {kind: ValueFunction, name: config}
"#;
    check_graph(
        &format!("{APP_CRD}{APP_WORKFLOW}"),
        expect![[r#"
        Workflow app
        flowchart TD
          parent(["parent: App<br/>demo.koreo.dev/v1"])
          step0["config<br/>ValueFunction config"]
          step1{{"settings<br/>refSwitch on inputs[#quot;tier#quot;]"}}
          step1_case0["ValueFunction web-settings"]
          step1_case1["ValueFunction worker-settings"]
          step2[["configmaps<br/>ResourceFunction env-configmap<br/>forEach env in parent.spec.environments<br/>condition ConfigMaps"]]
          parent -.-> step0
          step1 -.->|"web"| step1_case0
          step1 -.->|"worker (default)"| step1_case1
          parent -.-> step1
          step0 --> step2
          click parent href "crd.yaml#L7"
          click step0 href "functions.k.yaml#L4"
          click step1_case0 href "functions.k.yaml#L12"
          click step1_case1 href "functions.k.yaml#L19"
          click step2 href "functions.k.yaml#L26"

        digraph "app" {
          rankdir=TB;
          node [shape=box, fontname="sans-serif"];
          parent [label="parent: App\ndemo.koreo.dev/v1", shape=ellipse, URL="crd.yaml#L7"];
          step0 [label="config\nValueFunction config", shape=box, URL="functions.k.yaml#L4"];
          step1 [label="settings\nrefSwitch on inputs[\"tier\"]", shape=hexagon];
          step1_case0 [label="ValueFunction web-settings", shape=box, URL="functions.k.yaml#L12"];
          step1_case1 [label="ValueFunction worker-settings", shape=box, URL="functions.k.yaml#L19"];
          step2 [label="configmaps\nResourceFunction env-configmap\nforEach env in parent.spec.environments\ncondition ConfigMaps", shape=box3d, URL="functions.k.yaml#L26"];
          parent -> step0 [style=dashed];
          step1 -> step1_case0 [label="web", style=dashed];
          step1 -> step1_case1 [label="worker (default)", style=dashed];
          parent -> step1 [style=dashed];
          step0 -> step2;
        }

        parent -> crd.yaml:7:17-7:20 `App`
        step0 -> functions.k.yaml:4:9-4:15 `config`
        step1 -> -
        step1_case0 -> functions.k.yaml:12:9-12:21 `web-settings`
        step1_case1 -> functions.k.yaml:19:9-19:24 `worker-settings`
        step2 -> functions.k.yaml:26:9-26:22 `env-configmap`"#]],
    );
    check_graph(
        &format!("{APP_CRD}{APP_WORKFLOW}{extra}")
            .replace("$0", "")
            .replace("label: after", "label: af$0ter"),
        expect![[r#"
            Workflow outer
            flowchart TD
              step0[/"inner<br/>Workflow app"/]
              step1["after<br/>ValueFunction config"]
              step2["broken<br/>ValueFunction config<br/>error: Step 'broken', must come after later."]
              step3["later<br/>ValueFunction config"]
              step0 --> step1
              classDef error stroke:#d33,stroke-width:2px
              class step2 error
              click step0 href "workflow.k.yaml#L4"
              click step1 href "functions.k.yaml#L4"
              click step2 href "functions.k.yaml#L4"
              click step3 href "functions.k.yaml#L4"

            digraph "outer" {
              rankdir=TB;
              node [shape=box, fontname="sans-serif"];
              step0 [label="inner\nWorkflow app", shape=parallelogram, URL="workflow.k.yaml#L4"];
              step1 [label="after\nValueFunction config", shape=box, URL="functions.k.yaml#L4"];
              step2 [label="broken\nValueFunction config\nerror: Step 'broken', must come after later.", shape=box, color=red, URL="functions.k.yaml#L4"];
              step3 [label="later\nValueFunction config", shape=box, URL="functions.k.yaml#L4"];
              step0 -> step1;
            }

            step0 -> workflow.k.yaml:4:9-4:12 `app`
            step1 -> functions.k.yaml:4:9-4:15 `config`
            step2 -> functions.k.yaml:4:9-4:15 `config`
            step3 -> functions.k.yaml:4:9-4:15 `config`"#]],
    );
}
