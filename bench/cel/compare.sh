#!/usr/bin/env bash
# Throughput of koreo-cel vs the reference engine on the same expressions (the golden corpus),
# parse + evaluate, measured in the same run. Usage: bench/cel/compare.sh [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs="${1:-5}"
py="${KOREO_REF_PYTHON:-$HOME/.cache/koreo-ref/venv/bin/python}"
corpus="$root/server/koreo-cel/tests/goldens/cel_goldens.json"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q --release -p koreo-cel --example cel_throughput --manifest-path "$root/Cargo.toml"
rust_json="$("$CARGO_TARGET_DIR/release/examples/cel_throughput" "$secs")"
ref_json="$("$py" "$here/ref_throughput.py" "$corpus" "$secs")"
echo "$rust_json"
echo "$ref_json"
python3 - "$rust_json" "$ref_json" <<'PY'
import json, sys
r, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio: koreo-cel is {r['per_second'] / p['per_second']:.0f}x the reference engine "
      f"({r['per_second']:.0f} vs {p['per_second']:.0f} expressions/s)")
PY
