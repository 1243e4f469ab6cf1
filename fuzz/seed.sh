#!/bin/sh
# Seeds every target's corpus with the expressions of the cel-python golden
# (server/koreo-cel-syntax/tests/celpy/verdicts.jsonl), one file per expression.
set -eu
cd "$(dirname "$0")"
for target in cel_lex cel_parse cel_roundtrip; do
    mkdir -p "corpus/$target"
    python3 - "corpus/$target" <<'PY'
import json, sys, hashlib, pathlib
out = pathlib.Path(sys.argv[1])
for line in open("../server/koreo-cel-syntax/tests/celpy/verdicts.jsonl", encoding="utf-8"):
    src = json.loads(line)["src"].encode("utf-8")
    (out / hashlib.sha1(src).hexdigest()).write_bytes(src)
PY
done
