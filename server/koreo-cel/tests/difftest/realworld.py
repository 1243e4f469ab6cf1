"""Cases from hand-written Koreo expressions found in a checkout of Koreo's own repos.

    python3 realworld.py DIR [DIR…] > realworld.jsonl
    ~/.cache/koreo-ref/venv/bin/python difftest.py --cases realworld.jsonl

Collects every `=`-prefixed string of the YAML / `.koreo` files and every CEL source string
of the Python tests (string constants given to `compile()` or assigned to a name containing
`expression` / `cel`), and pairs each with a few realistic bindings (gen.py's).
"""

import ast
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402


def files(root):
    """Tracked files of a git checkout (bare mirrors too), else a directory walk."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-tree", "-r", "--name-only", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.split("\n")
        for path in out:
            if path:
                text = subprocess.run(["git", "-C", root, "show", f"HEAD:{path}"],
                                      capture_output=True, text=True).stdout
                yield path, text
        return
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            try:
                with open(p, encoding="utf-8") as f:
                    yield p, f.read()
            except (UnicodeDecodeError, OSError):
                continue


YAML_EXPR = re.compile(r"""(?:^|[\s:\-\[,])(['"]?)(=[^\n#]*)""")


def yaml_exprs(text):
    for line in text.split("\n"):
        for m in YAML_EXPR.finditer(line):
            quote, e = m.group(1), m.group(2).rstrip()
            if quote and e.endswith(quote):
                e = e[:-1]
            if len(e) > 1 and not e.startswith("=="):
                yield e


def python_exprs(text):
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile":
            for a in node.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    yield a.value
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any("expression" in n.lower() or "cel" in n.lower() for n in names):
                yield node.value.value


def main():
    exprs = []
    for root in sys.argv[1:]:
        for path, text in files(root):
            if path.endswith((".yaml", ".yml", ".koreo", ".k")):
                exprs.extend(yaml_exprs(text))
            elif path.endswith(".py"):
                exprs.extend(python_exprs(text))
    exprs = list(dict.fromkeys(exprs))
    g = gen.Gen(random.Random(0))
    n = 0
    for e in exprs:
        for k in range(3):
            vars = g.bindings() if k else {}
            print(json.dumps({"id": f"rw-{n}", "expr": e, "vars": vars}, ensure_ascii=False))
            n += 1
    print(f"{len(exprs)} expressions, {n} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
