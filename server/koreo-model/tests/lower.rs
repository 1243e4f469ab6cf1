//! Lowering YAML documents into typed resources: every field keeps the range of its node.

use expect_test::{Expect, expect};
use koreo_model::{Body, Item, Reference, Spanned, lower_document};
use koreo_syntax::Node;
use text_size::TextRange;

struct Out<'t> {
    text: &'t str,
    lines: Vec<String>,
}

impl Out<'_> {
    fn at(&self, r: TextRange) -> &str {
        &self.text[usize::from(r.start())..usize::from(r.end())]
    }
    fn s(&mut self, name: &str, v: &Option<Spanned<String>>) {
        if let Some(v) = v {
            let line = format!("{name}={} @`{}`", v.value, self.at(v.range));
            self.lines.push(line);
        }
    }
    fn b(&mut self, name: &str, v: &Option<Spanned<bool>>) {
        if let Some(v) = v {
            let line = format!("{name}={} @`{}`", v.value, self.at(v.range));
            self.lines.push(line);
        }
    }
    fn n(&mut self, name: &str, v: &Option<Node>) {
        if let Some(v) = v {
            let first = self.at(v.range).lines().next().unwrap_or("").to_owned();
            self.lines.push(format!("{name} @`{first}`"));
        }
    }
    fn r(&mut self, name: &str, r: &Option<Reference>) {
        if let Some(r) = r {
            let kind = r.target_kind().map_or("?".to_owned(), |k| k.to_string());
            let name_at = r.name.as_ref().map_or("-".to_owned(), |n| {
                format!("{} @`{}`", n.value, self.at(n.range))
            });
            self.lines
                .push(format!("{name} -> {kind} {name_at} dynamic={}", r.dynamic));
        }
    }
}

fn check(text: &str, expect: Expect) {
    let parsed = koreo_syntax::parse_file(text);
    let mut o = Out {
        text,
        lines: Vec::new(),
    };
    for doc in &parsed.documents {
        let lowered = lower_document(doc);
        for p in &lowered.problems {
            o.lines
                .push(format!("problem {} @`{}`", p.code, o.at(p.range)));
        }
        match &lowered.item {
            Item::Resource(res) => {
                o.lines
                    .push(format!("{} (kind @`{}`)", res.kind, o.at(res.kind_range)));
                o.s("name", &res.name);
                o.s("namespace", &res.namespace);
                match &res.body {
                    Body::ValueFunction(vf) => {
                        o.n("preconditions", &vf.preconditions);
                        o.n("locals", &vf.locals);
                        o.n("return", &vf.return_);
                    }
                    Body::ResourceFunction(rf) => {
                        o.n("preconditions", &rf.preconditions);
                        o.n("locals", &rf.locals);
                        if let Some(a) = &rf.api_config {
                            o.s("apiConfig.apiVersion", &a.api_version);
                            o.s("apiConfig.kind", &a.kind);
                            o.n("apiConfig.name", &a.name);
                            o.n("apiConfig.namespace", &a.namespace);
                            o.s("apiConfig.plural", &a.plural);
                            o.b("apiConfig.namespaced", &a.namespaced);
                            o.b("apiConfig.owned", &a.owned);
                            o.b("apiConfig.readonly", &a.readonly);
                            o.b("apiConfig.deleteIfExists", &a.delete_if_exists);
                        }
                        o.n("resource", &rf.resource);
                        o.r("resourceTemplateRef", &rf.resource_template_ref);
                        for ov in &rf.overlays {
                            o.n("overlay", &ov.overlay);
                            o.r("overlayRef", &ov.overlay_ref);
                            o.n("overlay.inputs", &ov.inputs);
                            o.n("overlay.skipIf", &ov.skip_if);
                        }
                        if let Some(c) = &rf.create {
                            o.b("create.enabled", &c.enabled);
                            o.n("create.delay", &c.delay);
                            o.n("create.overlay", &c.overlay);
                        }
                        o.n("update", &rf.update);
                        o.n("delete", &rf.delete);
                        o.n("postconditions", &rf.postconditions);
                        o.n("return", &rf.return_);
                    }
                    Body::ResourceTemplate(rt) => {
                        o.n("template", &rt.template);
                        o.n("context", &rt.context);
                    }
                    Body::Workflow(wf) => {
                        if let Some(c) = &wf.crd_ref {
                            o.s("crdRef.apiGroup", &c.api_group);
                            o.s("crdRef.version", &c.version);
                            o.s("crdRef.kind", &c.kind);
                        }
                        for st in &wf.steps {
                            o.s("step.label", &st.label);
                            o.r("step.ref", &st.reference);
                            if let Some(rs) = &st.ref_switch {
                                o.n("refSwitch.switchOn", &rs.switch_on);
                                for c in &rs.cases {
                                    o.s("case", &c.case);
                                    o.b("case.default", &c.default);
                                    o.r("case.ref", &Some(c.reference.clone()));
                                }
                            }
                            o.n("step.inputs", &st.inputs);
                            o.n("step.skipIf", &st.skip_if);
                            if let Some(f) = &st.for_each {
                                o.n("forEach.itemIn", &f.item_in);
                                o.s("forEach.inputKey", &f.input_key);
                            }
                            o.n("step.state", &st.state);
                            if let Some(c) = &st.condition {
                                o.s("condition.type", &c.type_);
                                o.s("condition.name", &c.name);
                            }
                        }
                    }
                    Body::FunctionTest(ft) => {
                        o.r("functionRef", &ft.function_ref);
                        o.n("inputs", &ft.inputs);
                        o.n("currentResource", &ft.current_resource);
                        for tc in &ft.test_cases {
                            o.s("tc.label", &tc.label);
                            o.b("tc.variant", &tc.variant);
                            o.b("tc.skip", &tc.skip);
                            o.n("tc.inputOverrides", &tc.input_overrides);
                            o.n("tc.currentResource", &tc.current_resource);
                            o.n("tc.overlayResource", &tc.overlay_resource);
                            o.n("tc.expectResource", &tc.expect_resource);
                            o.n("tc.expectDelete", &tc.expect_delete);
                            o.n("tc.expectReturn", &tc.expect_return);
                            o.n("tc.expectOutcome", &tc.expect_outcome);
                        }
                    }
                }
                let reads = res.inputs_read();
                if !reads.is_empty() {
                    o.lines.push(format!("reads {}", reads.join(", ")));
                }
            }
            Item::Crd(c) => {
                o.lines.push("CRD".into());
                o.s("name", &c.name);
                o.s("group", &c.group);
                o.s("kind", &c.kind);
                for v in &c.versions {
                    o.s("version", &Some(v.clone()));
                }
            }
            Item::Object(obj) => {
                o.lines.push(format!(
                    "Object {} {}",
                    obj.api_version.value, obj.kind.value
                ));
                o.s("name", &obj.name);
                o.s("namespace", &obj.namespace);
            }
            Item::Other => o.lines.push("Other".into()),
        }
        o.lines.push("--".into());
    }
    expect.assert_eq(&o.lines.join("\n"));
}

#[test]
fn value_function_and_resource_function() {
    check(
        r#"apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: vf, namespace: ns}
spec:
  preconditions:
    - assert: =inputs.ok
      skip: {message: no}
  locals: {x: =inputs.a.b}
  return: {y: '=locals.x + inputs["c"]'}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: rf}
spec:
  preconditions: [{assert: =true, ok: {}}]
  locals: {l: 1}
  apiConfig:
    apiVersion: v1
    kind: ConfigMap
    name: =inputs.name
    namespace: ns
    plural: configmaps
    namespaced: true
    owned: no
    readonly: false
    deleteIfExists: off
  resourceTemplateRef: {name: "='tmpl'"}
  overlays:
    - overlay: {data: {a: =inputs.a}}
      skipIf: =inputs.skip
    - overlayRef: {kind: ValueFunction, name: vf}
      inputs: {a: 1}
  create: {enabled: true, delay: 5, overlay: {metadata: {labels: {x: y}}}}
  update: {never: {}}
  delete: {abandon: {}}
  postconditions: [{assert: =has(resource.status), retry: {message: wait, delay: 5}}]
  return: {name: =resource.metadata.name}
"#,
        expect![[r#"
            ValueFunction (kind @`ValueFunction`)
            name=vf @`vf`
            namespace=ns @`ns`
            preconditions @`- assert: =inputs.ok`
            locals @`{x: =inputs.a.b}`
            return @`{y: '=locals.x + inputs["c"]'}`
            reads ok, a, c
            --
            ResourceFunction (kind @`ResourceFunction`)
            name=rf @`rf`
            preconditions @`[{assert: =true, ok: {}}]`
            locals @`{l: 1}`
            apiConfig.apiVersion=v1 @`v1`
            apiConfig.kind=ConfigMap @`ConfigMap`
            apiConfig.name @`=inputs.name`
            apiConfig.namespace @`ns`
            apiConfig.plural=configmaps @`configmaps`
            apiConfig.namespaced=true @`true`
            apiConfig.owned=false @`no`
            apiConfig.readonly=false @`false`
            apiConfig.deleteIfExists=false @`off`
            resourceTemplateRef -> ResourceTemplate tmpl @`"='tmpl'"` dynamic=false
            overlay @`{data: {a: =inputs.a}}`
            overlay.skipIf @`=inputs.skip`
            overlayRef -> ValueFunction vf @`vf` dynamic=false
            overlay.inputs @`{a: 1}`
            create.enabled=true @`true`
            create.delay @`5`
            create.overlay @`{metadata: {labels: {x: y}}}`
            update @`{never: {}}`
            delete @`{abandon: {}}`
            postconditions @`[{assert: =has(resource.status), retry: {message: wait, delay: 5}}]`
            return @`{name: =resource.metadata.name}`
            reads name, a, skip
            --"#]],
    );
}

#[test]
fn workflow_template_test_crd_and_objects() {
    check(
        r#"apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata: {name: wf}
spec:
  crdRef: {apiGroup: example.com, version: v1, kind: App}
  steps:
    - label: one
      ref: {kind: ValueFunction, name: vf}
      inputs: {a: =parent.spec.a}
      skipIf: =!has(parent.spec.a)
      forEach: {itemIn: =parent.spec.items, inputKey: item}
      state: {s: =value}
      condition: {type: OneReady, name: One}
    - label: two
      refSwitch:
        switchOn: =inputs.kind
        cases:
          - {case: a, kind: ResourceFunction, name: rf}
          - {case: b, kind: Workflow, name: sub, default: true}
          - {case: c, kind: ValueFunction, name: "=inputs.dynamic"}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata: {name: tmpl}
spec:
  template: {apiVersion: v1, kind: ConfigMap}
  context: {team: a}
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {name: t}
spec:
  functionRef: {kind: ResourceFunction, name: rf}
  inputs: {name: x}
  currentResource: {kind: ConfigMap}
  testCases:
    - label: first
      variant: true
      skip: false
      inputOverrides: {name: y}
      currentResource: {a: 1}
      overlayResource: {b: =name}
      expectResource: {c: 1}
    - expectDelete: true
    - expectReturn: {d: 1}
    - expectOutcome: {ok: {}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: apps.example.com}
spec:
  group: example.com
  names: {kind: App}
  versions: [{name: v1}, {name: v2}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: n}
---
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata: {namespace: n}
---
- just a list
"#,
        expect![[r#"
            Workflow (kind @`Workflow`)
            name=wf @`wf`
            crdRef.apiGroup=example.com @`example.com`
            crdRef.version=v1 @`v1`
            crdRef.kind=App @`App`
            step.label=one @`one`
            step.ref -> ValueFunction vf @`vf` dynamic=false
            step.inputs @`{a: =parent.spec.a}`
            step.skipIf @`=!has(parent.spec.a)`
            forEach.itemIn @`=parent.spec.items`
            forEach.inputKey=item @`item`
            step.state @`{s: =value}`
            condition.type=OneReady @`OneReady`
            condition.name=One @`One`
            step.label=two @`two`
            refSwitch.switchOn @`=inputs.kind`
            case=a @`a`
            case.ref -> ResourceFunction rf @`rf` dynamic=false
            case=b @`b`
            case.default=true @`true`
            case.ref -> Workflow sub @`sub` dynamic=false
            case=c @`c`
            case.ref -> ValueFunction - dynamic=true
            reads spec
            --
            ResourceTemplate (kind @`ResourceTemplate`)
            name=tmpl @`tmpl`
            template @`{apiVersion: v1, kind: ConfigMap}`
            context @`{team: a}`
            --
            FunctionTest (kind @`FunctionTest`)
            name=t @`t`
            functionRef -> ResourceFunction rf @`rf` dynamic=false
            inputs @`{name: x}`
            currentResource @`{kind: ConfigMap}`
            tc.label=first @`first`
            tc.variant=true @`true`
            tc.skip=false @`false`
            tc.inputOverrides @`{name: y}`
            tc.currentResource @`{a: 1}`
            tc.overlayResource @`{b: =name}`
            tc.expectResource @`{c: 1}`
            tc.expectDelete @`true`
            tc.expectReturn @`{d: 1}`
            tc.expectOutcome @`{ok: {}}`
            --
            CRD
            name=apps.example.com @`apps.example.com`
            group=example.com @`example.com`
            kind=App @`App`
            version=v1 @`v1`
            version=v2 @`v2`
            --
            Object apps/v1 Deployment
            name=d @`d`
            namespace=n @`n`
            --
            problem missing-name @`metadata`
            Workflow (kind @`Workflow`)
            namespace=n @`n`
            --
            Other
            --"#]],
    );
}
