#!/usr/bin/env python3
"""Regenerate the test data from the shared Kubernetes API data (run by hand).

    python3 generate.py /work/shared/k8s

* openapi/api/v1.json, openapi/apis/apps/v1.json: the real 1.35 documents trimmed to
  the components reachable from a few kinds, and to their list/get paths (which carry
  plural names and scope).
* openapi/apis/koreo.dev/v1beta1.json: the Koreo CRDs as an API server publishes a
  CRD group (components named by reversed group, tagged with their kind).
* crds/*.yaml: CRDs copied unmodified (Koreo's without their descriptions); crd-list.json: the CustomResourceDefinitionList
  the API server returns for them.
"""
import json
import shutil
import sys
from pathlib import Path

import yaml

SRC = Path(sys.argv[1])
OUT = Path(__file__).parent

DOCS = {
    "api/v1": ["ConfigMap", "Service", "Namespace", "Secret", "ServiceAccount"],
    "apis/apps/v1": ["Deployment"],
}
CRDS = [
    "ack-s3-buckets.yaml",
    "workload-crd.yaml",
    "koreo-function-test.yaml",
    "koreo-resource-function.yaml",
    "koreo-resource-template.yaml",
    "koreo-value-function.yaml",
    "koreo-workflow.yaml",
]


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v.split("/")[-1]
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for x in node:
            yield from refs(x)


def trim(doc, kinds):
    schemas = doc["components"]["schemas"]
    roots = [
        name
        for name, s in schemas.items()
        if any(g["kind"] in kinds for g in s.get("x-kubernetes-group-version-kind", []))
    ]
    seen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(refs(schemas[name]))
    paths = {}
    for path, item in doc["paths"].items():
        op = item.get("get") or {}
        gvk = op.get("x-kubernetes-group-version-kind")
        if gvk and gvk["kind"] in kinds and op.get("x-kubernetes-action") in ("list", "get"):
            paths[path] = {
                "get": {
                    "x-kubernetes-action": op["x-kubernetes-action"],
                    "x-kubernetes-group-version-kind": gvk,
                }
            }
    return {
        "openapi": doc["openapi"],
        "info": doc["info"],
        "paths": paths,
        "components": {"schemas": {k: v for k, v in schemas.items() if k in seen}},
    }


def crd_group_doc(crds):
    schemas = {}
    for crd in crds:
        spec = crd["spec"]
        rev = ".".join(reversed(spec["group"].split(".")))
        for version in spec["versions"]:
            schema = json.loads(json.dumps(version["schema"]["openAPIV3Schema"]))
            schema.setdefault("properties", {})
            schema["properties"]["apiVersion"] = {"type": "string"}
            schema["properties"]["kind"] = {"type": "string"}
            schema["properties"]["metadata"] = {
                "$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
            }
            schema["x-kubernetes-group-version-kind"] = [
                {"group": spec["group"], "kind": spec["names"]["kind"], "version": version["name"]}
            ]
            schemas[f"{rev}.{version['name']}.{spec['names']['kind']}"] = schema
    schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] = {"type": "object"}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
            "paths": {}, "components": {"schemas": schemas}}


def strip_descriptions(node):
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip_descriptions(x) for x in node]
    return node


def main():
    for gv, kinds in DOCS.items():
        doc = json.loads((SRC / "openapi-v3/1.35" / f"{gv}.json").read_text())
        out = OUT / "openapi" / f"{gv}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(trim(doc, kinds), indent=None, separators=(",", ":")) + "\n")
    (OUT / "crds").mkdir(exist_ok=True)
    items = []
    for name in CRDS:
        docs = [d for d in yaml.safe_load_all((SRC / "crds" / name).read_text()) if d]
        if name.startswith("koreo-"):
            # Koreo's own CRDs: keep the facts, not their documentation text.
            docs = [strip_descriptions(d) for d in docs]
            text = yaml.safe_dump_all(docs, sort_keys=False)
            (OUT / "crds" / name).write_text(text)
        else:
            shutil.copy(SRC / "crds" / name, OUT / "crds" / name)
        (OUT / "crds" / name).chmod(0o644)
        items.extend(docs)
    koreo = [c for c in items if c["spec"]["group"] == "koreo.dev"]
    out = OUT / "openapi/apis/koreo.dev/v1beta1.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(crd_group_doc(koreo), separators=(",", ":")) + "\n")
    crd_list = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinitionList",
        "metadata": {"resourceVersion": "4242"},
        "items": items,
    }
    (OUT / "crd-list.json").write_text(json.dumps(crd_list, separators=(",", ":")) + "\n")


main()
