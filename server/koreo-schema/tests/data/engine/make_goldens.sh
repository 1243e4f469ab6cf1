#!/usr/bin/env bash
# Regenerate goldens.json with the reference engine (see /work/shared/tools/README.md):
# the prepare message koreo-core 0.1.17 gives each resource of cases.k.yaml.
set -euo pipefail
cd "$(dirname "$0")"
PY=${KOREO_REF_PYTHON:-$HOME/.cache/koreo-ref/venv/bin/python}
ORACLE=${KOREO_ORACLE:-/work/shared/tools/koreo_oracle.py}
tmp=$(mktemp -d)
cp cases.k.yaml "$tmp/"
"$PY" "$ORACLE" "$tmp" --no-timing > "$tmp/out.json"
python3 - "$tmp/out.json" > goldens.json <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
goldens = {}
for e in out["prepare_errors"]:
    goldens[f'{e["kind"]}/{e["name"]}'] = {"message": e.get("message"), "location": e.get("location")}
json.dump(goldens, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
print()
PY
rm -rf "$tmp"
