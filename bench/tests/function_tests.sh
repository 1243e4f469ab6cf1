#!/usr/bin/env bash
# FunctionTest cases per second: koreo-eval versus the reference engine (koreo-core 0.1.17)
# on the same workspaces, printed side by side with the ratio.
#
#   bench/tests/function_tests.sh [DIR...]        (default: fixtures/reference/*)
#
# Needs the reference venv (../shared/tools/setup_ref.sh); override with KOREO_REF_PYTHON
# and KOREO_ORACLE. Ours runs in release (`cargo bench`); the oracle runs 3 times and the
# best `run_tests` time counts. Both count executed cases (skipped and not-run excluded).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$#" -gt 0 ]; then DIRS=("$@"); else DIRS=(fixtures/reference/*/); fi
# cargo runs benches from the package directory: pass absolute paths.
for i in "${!DIRS[@]}"; do DIRS[$i]="$(cd "${DIRS[$i]}" && pwd)"; done
PY="${KOREO_REF_PYTHON:-$HOME/.cache/koreo-ref/venv/bin/python}"
ORACLE="${KOREO_ORACLE:-../shared/tools/koreo_oracle.py}"

ours="$(cargo bench -q -p koreo-eval --bench function_tests -- "${DIRS[@]}" 2>/dev/null | tail -n 1)"

best=""
for _ in 1 2 3; do
  out="$("$PY" "$ORACLE" "${DIRS[@]}" 2>/dev/null)"
  best="$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
cases = sum(1 for t in d["function_tests"] for c in t["test_cases"] if not c.get("skipped"))
print(json.dumps({"cases": cases, "run_ms": d["timing_ms"]["run_tests"], "prepare_ms": d["timing_ms"]["prepare_and_settle"]}))
' | python3 -c '
import json, sys
new = json.loads(sys.stdin.read()); old = sys.argv[1]
print(json.dumps(new if not old or new["run_ms"] < json.loads(old)["run_ms"] else json.loads(old)))
' "$best")"
done

python3 - "$ours" "$best" <<'PY'
import json, sys
ours, ref = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ref_cps = ref["cases"] / (ref["run_ms"] / 1000.0)
print(f"workspaces: cases executed ours={ours['cases']} reference={ref['cases']}")
print(f"koreo-eval: {ours['cases_per_second']:>12.0f} cases/s  (run {ours['run_seconds']*1000:.2f} ms, load+prepare {ours['load_prepare_seconds']*1000:.2f} ms)")
print(f"reference : {ref_cps:>12.0f} cases/s  (run {ref['run_ms']:.2f} ms, prepare {ref['prepare_ms']:.2f} ms)")
print(f"ratio     : {ours['cases_per_second'] / ref_cps:>12.1f}x faster")
PY
