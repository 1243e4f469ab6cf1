"""Parse + evaluate every golden-corpus expression with the reference engine (koreo-core's
CEL environment on cel-python 0.3.0) for a fixed time; print the throughput as JSON."""

import json
import logging
import sys
import time

import celpy
from koreo.cel.functions import koreo_cel_functions, koreo_function_annotations

logging.disable(logging.CRITICAL)

corpus_path, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
doc = json.load(open(corpus_path))
env = celpy.Environment(annotations=koreo_function_annotations)
acts = {
    "inputs": {"inputs": celpy.json_to_cel(doc["inputs"])},
    "raw": {"resource": doc["raw_resource"]},
    "none": {},
}
cases = [(c["expr"], acts[c["bindings"]]) for c in doc["cases"]]
start = time.perf_counter()
n = 0
while time.perf_counter() - start < seconds:
    for expr, act in cases:
        try:
            env.program(env.compile(expr), functions=koreo_cel_functions).evaluate(act)
        except Exception:
            pass
        n += 1
        if time.perf_counter() - start >= seconds:
            break
elapsed = time.perf_counter() - start
print(json.dumps({"engine": "cel-python 0.3.0 via koreo-core", "expressions": n, "seconds": round(elapsed, 3),
                  "per_second": round(n / elapsed, 1)}))
