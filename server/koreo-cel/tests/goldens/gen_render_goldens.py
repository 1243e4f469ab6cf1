"""Python renderings of plain data (repr, str, json.dumps with sort_keys, type names), the
conventions that leak into Koreo's messages (spec Appendix B).

    ~/.cache/koreo-ref/venv/bin/python gen_render_goldens.py > render_goldens.json
"""

import json
import sys

DATA = [
    None, True, False, 0, -5, 2**62, 1.5, 2.0, 1e20, 1e16, 1e15, 0.1, 1e-5, 1.5e-7, -0.0, 123456789.125,
    float("inf"), float("-inf"), "", "a", "it's", 'a"b', "both'\"", "tab\there", "new\nline", "\x01\x7f",
    "é", "日本", "\u2028", "\U0001F600", "\\", [], {}, [1, "a", None, True, 2.5], {"b": 1, "a": [True, None]},
    {"z": {"y": [1, {"x": "é"}]}, "a": 0}, ["a\u00a0b", "\u200b"],
]

out = []
for d in DATA:
    out.append({
        "data": json.loads(json.dumps(d)) if d == d and d not in (float("inf"), float("-inf")) else None,
        "float": repr(d) if isinstance(d, float) else None,
        "repr": repr(d),
        "str": str(d),
        "json_sorted": json.dumps(d, sort_keys=True),
        "json": json.dumps(d),
        "type": str(type(d)),
    })
json.dump(out, sys.stdout, indent=0, ensure_ascii=True)
sys.stdout.write("\n")
