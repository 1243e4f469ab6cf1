#!/usr/bin/env python3
"""Generates a synthetic Koreo workspace of N files for the `koreo-ls --check` benchmark.

Files come in groups of five that reference each other (ValueFunction, ResourceTemplate,
ResourceFunction with an overlayRef, Workflow, FunctionTest), so the index, reference
resolution and duplicate detection all do real work. Usage: gen.py N OUT_DIR
"""
import os
import sys

VF = """apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: config-{i}
spec:
  preconditions:
    - assert: =has(inputs.name)
      permFail: {{message: name is required}}
  locals:
    replicas: '=inputs.env == "prod" ? 3 : 1'
  return:
    name: =inputs.name
    replicas: =locals.replicas
    labels:
      app: =inputs.name
      group: "g{i}"
"""

RT = """apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata:
  name: template-{i}
spec:
  template:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      strategy: {{type: RollingUpdate}}
"""

RF = """apiVersion: koreo.dev/v1beta1
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
    - overlayRef: {{kind: ValueFunction, name: config-{i}}}
      inputs:
        name: =inputs.name
        env: =inputs.env
  return:
    name: =resource.metadata.name
"""

WF = """apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: app-{i}
spec:
  steps:
    - label: config
      ref: {{kind: ValueFunction, name: config-{i}}}
      inputs:
        name: =parent.metadata.name
        env: =parent.spec.env
    - label: deploy
      ref: {{kind: ResourceFunction, name: deploy-{i}}}
      inputs:
        name: =steps.config.name
        namespace: =parent.metadata.namespace
        replicas: =steps.config.replicas
        env: =parent.spec.env
      state:
        deployment: =value.name
"""

FT = """apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: config-{i}-test
spec:
  functionRef: {{kind: ValueFunction, name: config-{i}}}
  inputs: {{name: app, env: prod}}
  testCases:
    - expectReturn:
        name: app
        replicas: 3
        labels: {{app: app, group: g{i}}}
"""

KINDS = [("config", VF), ("template", RT), ("deploy", RF), ("app", WF), ("test", FT)]


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    for f in range(n):
        group, k = divmod(f, len(KINDS))
        name, body = KINDS[k]
        d = os.path.join(out, f"group-{group // 100:03}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{name}-{group}.k.yaml"), "w") as fh:
            fh.write(body.format(i=group))


if __name__ == "__main__":
    main()
