"""Generates dependency-extraction goldens from koreo-core's own extractor.

    ~/.cache/koreo-ref/venv/bin/python gen_deps_goldens.py > deps_goldens.json
"""

import json
import sys

import celpy
from koreo.cel.functions import koreo_function_annotations
from koreo.cel.structure_extractor import extract_argument_structure

ENV = celpy.Environment(annotations=koreo_function_annotations)

EXPRS = [
    "steps.a", "steps.a.b.c", "steps['a']", "steps['a'].b", "steps.a[0]", "steps.a[0].b", "l[0]", "l[-1]", "l[-i]",
    "l[!b]", "l[- 1]", "inputs[locals.k]", "inputs[locals.k].x", "m[string(i)]", "m[(i)]", "m[i + 1]", "m[1 + i]",
    "m[i.j]", "m[i[0]]", "m[i.f()]", "m[f(i)]", "m[[1][0]]", "m[{'a': 1}.a]", "m[true]", "m[1.5]", "m[null]",
    "m[b'x']", "m['x'] + n['y']", "to_ref(x).name", "(a).b", "[1, 2][i]", "{'k': v}.k", ".a.b", "a.b.split('/')",
    "a.b.split('/').c", "a.b.split('/')[0]", "steps", "parent", "parent.spec.x", "steps.a.map(x, x.y)",
    "steps.a.map(x, steps.b.z)", "has(steps.a.b)", "steps.a ? steps.b : steps.c", "[steps.a, steps.b.c]",
    "{'x': steps.a}", "f(steps.a.b)", "steps.a + steps.b", "-steps.a", "!steps.a.ok", "x.y.z().w", "x[y][z]",
    "x[y.z][w]", "x['a'][\"b\"]", "x['''a''']", "x[r'a']", "x[0x10]", "x[1u]", "steps.a.b == []", "size(steps.a)",
    "steps.a[steps.b.c]", "inputs.a.b[0].c", "1 + 2", "'plain'", "a", "x[a ? b : c]", "x[a || b]", "x[(a)]",
    "steps.my-label", "steps.a_b.c", "x.y(1).z(2)", "x[y](1)", "m[-1]", "m[-1.5]", "a[0][1]", "a.b[c.d[e.f]]",
]


def main():
    out = []
    for e in EXPRS:
        try:
            tree = ENV.compile(e)
        except Exception:
            continue
        try:
            paths = sorted(extract_argument_structure(tree))
            out.append({"expr": e, "paths": paths})
        except Exception as ex:
            out.append({"expr": e, "crash": str(ex)[:80]})
    json.dump(out, sys.stdout, indent=0)
    sys.stdout.write("\n")


main()
