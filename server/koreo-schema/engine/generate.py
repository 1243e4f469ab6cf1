#!/usr/bin/env python3
"""Regenerate engine/koreo-bundled.json from koreo-core's bundled CRD schemas.

Keeps the `spec` schema of each kind exactly as fastjsonschema sees it (key order
included) minus `description` texts, which never reach the engine's messages.
Run by hand when the reference engine version changes:

    python3 engine/generate.py SITE_PACKAGES/koreo/schema > engine/koreo-bundled.json
"""
import json
import sys
from pathlib import Path

import yaml

SCHEMA_KEYS_WITH_SCHEMA_MAPS = {"properties", "patternProperties", "definitions"}
SCHEMA_KEYS_WITH_SCHEMA = {"items", "additionalProperties", "not"}
SCHEMA_KEYS_WITH_SCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}


def strip(schema):
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "description":
            continue
        if key in SCHEMA_KEYS_WITH_SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: strip(v) for k, v in value.items()}
        elif key in SCHEMA_KEYS_WITH_SCHEMA:
            out[key] = strip(value)
        elif key in SCHEMA_KEYS_WITH_SCHEMA_LISTS and isinstance(value, list):
            out[key] = [strip(v) for v in value]
        else:
            out[key] = value
    return out


def main():
    result = {}
    for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            kind = doc["spec"]["names"]["kind"]
            for version in doc["spec"]["versions"]:
                spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
                result.setdefault(kind, {})[version["name"]] = strip(spec)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
