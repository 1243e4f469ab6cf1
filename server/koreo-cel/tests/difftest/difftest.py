"""Differential tester: `koreo-ls eval --batch` (our `cli::run_batch`) vs the reference engine.

    export CARGO_TARGET_DIR=...            # wherever you build
    cargo build -p koreo-cel --release --example eval_batch
    ~/.cache/koreo-ref/venv/bin/python difftest.py --seed 1 --count 20000 [--minimise] [--out DIR]
    ~/.cache/koreo-ref/venv/bin/python difftest.py --cases FILE.jsonl    # your own cases

Generates cases (gen.py) or reads them, runs both engines, compares every line and writes
`DIR/report.json` (every disagreement, minimised with --minimise) plus a summary on stdout,
grouped by category:

* `crash`       our line is missing, unparsable or has the wrong id (a panic or a hang);
* `value`       both gave a value, the values differ (types are strict: 1 != 1.0 != true,
                map key order is checked);
* `ours-error`  the reference gave a value, we gave an error;
* `ours-value`  the reference gave an error, we gave a value;
* `text`        both failed but the error texts differ (for host exceptions, `Unknown
                failure (Class: …)`, only the class is compared).
"""

import argparse
import json
import warnings
import os
import resource
import subprocess
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import refeval  # noqa: E402


MEMORY_LIMIT = 2 << 30  # bytes; a runaway allocation shows up as a crash, not a swap storm


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HERE, "..", "..", "..", "..", "target")
    return os.path.join(target, "release", "examples", "eval_batch")


def strict_eq(a, b):
    """JSON equality where bool, int and float are distinct and key order matters."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(strict_eq(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and (a != 0 or str(a) == str(b))
    return a == b


def classify(ref, ours):
    """The disagreement category, or None when the answers agree."""
    if ours is None or ours.get("id") != ref.get("id"):
        return "crash"
    kind = ref["kind"]
    if kind == "timeout":
        return None
    if kind == "bad-input":
        # The reference cannot even bind the vars (e.g. an integer beyond int64): an error.
        return None if "error" in ours else "ours-value"
    if kind == "value":
        if "value" not in ours:
            return "ours-error"
        return None if strict_eq(ref["value"], ours["value"]) else "value"
    if "error" not in ours:
        return "ours-value"
    if kind == "recursion":
        return None
    if kind == "parse" and "AssertionError" in ref["error"]:
        # lark's own crash (an error at a `true`/`false` token): only the kind can match.
        return None if ours["error"].startswith("Parsing error: AssertionError") else "text"
    if kind == "unknown":
        # Host exceptions: the class must match; their texts can embed lark trees and
        # object addresses, so they are compared only when the class is not enough.
        cls = ref["error"].split(":", 1)[0]
        return None if ours["error"].split(":", 1)[0] == cls else "text"
    return None if ours["error"] == ref["error"] else "text"


class Ours:
    """A long-running eval_batch process answering one line at a time."""

    def __init__(self, binary):
        self.binary = binary
        self.p = None

    def _start(self):
        self.p = subprocess.Popen([self.binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, encoding="utf-8", bufsize=1, preexec_fn=_limit_memory)

    def ask(self, case):
        if self.p is None or self.p.poll() is not None:
            self._start()
        try:
            self.p.stdin.write(json.dumps(case, ensure_ascii=False) + "\n")
            self.p.stdin.flush()
            line = self.p.stdout.readline()
            return json.loads(line) if line else None
        except (BrokenPipeError, ValueError):
            self.p = None
            return None


def run_ours_batch(binary, cases, path):
    """Runs the batch; when the process dies (a crash), the case it died on stays unanswered
    and the rest is run again."""
    out = {}
    code = 0
    stderr = ""
    todo = list(cases)
    while todo:
        with open(path, "w", encoding="utf-8") as f:
            for c in todo:
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
        r = subprocess.run([binary, path], capture_output=True, text=True, encoding="utf-8",
                           timeout=3600, preexec_fn=_limit_memory)
        answered = 0
        for line in r.stdout.split("\n"):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            out[json.dumps(o.get("id"))] = o
            answered += 1
        code = max(code, r.returncode) if r.returncode >= 0 else r.returncode
        stderr += r.stderr
        if r.returncode >= 0 and r.returncode != 134:
            break
        todo = todo[answered + 1:]
    return out, code, stderr


# ---- minimisation ------------------------------------------------------------------------

SIMPLE = ["1", "'a'", "true", "null", "[]", "{}", "1.5", "x"]


def subtrees(tree):
    """(start, end, children spans) of every parse-tree node with positions."""
    out = []
    stack = [tree]
    while stack:
        t = stack.pop()
        if not hasattr(t, "children"):
            continue
        meta = getattr(t, "meta", None)
        if meta is not None and not meta.empty and meta.start_pos is not None and meta.end_pos is not None:
            kids = [(c.meta.start_pos, c.meta.end_pos) for c in t.children
                    if hasattr(c, "meta") and not c.meta.empty and c.meta.start_pos is not None and c.meta.end_pos is not None]
            out.append((meta.start_pos, meta.end_pos, kids))
        stack.extend(c for c in t.children if hasattr(c, "children"))
    return out


def candidates(expr):
    try:
        tree = refeval.ENV.compile(expr)
    except Exception:
        # Unparsable: drop single characters and short runs.
        for n in (8, 4, 2, 1):
            for i in range(0, len(expr) - n + 1):
                yield expr[:i] + expr[i + n:]
        return
    spans = sorted(subtrees(tree), key=lambda s: s[0] - s[1])  # biggest first
    for start, end, kids in spans:
        for ks, ke in kids:
            if (ks, ke) != (start, end):
                yield expr[:start] + expr[ks:ke] + expr[end:]
        for s in SIMPLE:
            if expr[start:end] != s:
                yield expr[:start] + s + expr[end:]


def shrink_vars(vars):
    if not isinstance(vars, dict):
        return
    for k in list(vars):
        yield {x: v for x, v in vars.items() if x != k}
    inputs = vars.get("inputs")
    if isinstance(inputs, dict):
        for k in list(inputs):
            yield dict(vars, inputs={x: v for x, v in inputs.items() if x != k})


def minimise(case, category, ours, budget=400):
    best = dict(case)
    tries = 0
    progress = True
    while progress and tries < budget:
        progress = False
        for e in candidates(best["expr"]):
            if tries >= budget:
                break
            if len(e) >= len(best["expr"]):
                continue
            tries += 1
            c = dict(best, expr=e)
            r = refeval.ref_eval_timed(e, c["vars"], timeout=2)
            if classify(dict(r, id=c["id"]), ours.ask(c)) == category:
                best = c
                progress = True
                break
        if progress:
            continue
        for v in shrink_vars(best["vars"]):
            if tries >= budget:
                break
            tries += 1
            c = dict(best, vars=v)
            r = refeval.ref_eval_timed(c["expr"], v, timeout=2)
            if classify(dict(r, id=c["id"]), ours.ask(c)) == category:
                best = c
                progress = True
                break
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--cases", help="JSON lines of {id, expr, vars} instead of generated cases")
    ap.add_argument("--kind", choices=["koreo", "regex", "format", "timestamp", "duration"], default="koreo",
                    help="generator: Koreo expressions and bindings, matches() patterns, %% formats, "
                         "timestamp() texts, duration() texts")
    ap.add_argument("--binary", default=default_binary())
    ap.add_argument("--out", default="difftest-out")
    ap.add_argument("--minimise", action="store_true")
    ap.add_argument("--show", type=int, default=5, help="examples printed per category")
    args = ap.parse_args()
    sys.setrecursionlimit(10000)
    warnings.simplefilter("ignore")
    os.makedirs(args.out, exist_ok=True)

    if args.cases:
        with open(args.cases, encoding="utf-8") as f:
            cases = [json.loads(l) for l in f if l.strip()]
    else:
        make = {"koreo": gen.cases, "regex": gen.regex_cases, "format": gen.format_cases,
                "timestamp": gen.timestamp_cases, "duration": gen.duration_cases}[args.kind]
        cases = list(make(args.seed, args.count))
    ours, code, stderr = run_ours_batch(args.binary, cases, os.path.join(args.out, "cases.jsonl"))
    if stderr.strip():
        print("eval_batch stderr:", stderr[-2000:], file=sys.stderr)

    kinds = Counter()
    diffs = []
    for c in cases:
        ref = refeval.ref_eval_timed(c["expr"], c.get("vars"))
        ref["id"] = c["id"]
        kinds[ref["kind"]] += 1
        mine = ours.get(json.dumps(c["id"]))
        cat = classify(ref, mine)
        if cat:
            diffs.append({"category": cat, "case": c, "ref": ref, "ours": mine})

    if args.minimise and diffs:
        proc = Ours(args.binary)
        seen = set()
        for d in diffs:
            m = minimise(d["case"], d["category"], proc)
            d["minimal"] = m
            r = refeval.ref_eval_timed(m["expr"], m["vars"])
            d["minimal_ref"] = r
            d["minimal_ours"] = proc.ask(m)
            key = (d["category"], m["expr"])
            d["duplicate"] = key in seen
            seen.add(key)

    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(diffs, f, indent=1)

    print(f"{len(cases)} cases, batch exit code {code}; reference kinds: {dict(kinds)}")
    by = defaultdict(list)
    for d in diffs:
        by[d["category"]].append(d)
    if not diffs:
        print("no disagreements")
    for cat, ds in sorted(by.items()):
        print(f"\n== {cat}: {len(ds)}")
        shown = 0
        for d in ds:
            if d.get("duplicate"):
                continue
            c = d.get("minimal", d["case"])
            ref = d.get("minimal_ref", d["ref"])
            mine = d.get("minimal_ours", d["ours"])
            print(f"  expr: {c['expr']!r}")
            if c is d.get("minimal"):
                print(f"  vars: {json.dumps(c['vars'], )[:300]}")
            print(f"   ref: {json.dumps({k: ref.get(k) for k in ('value', 'error') if k in ref}, )[:300]}")
            print(f"  ours: {json.dumps(mine, )[:300]}")
            shown += 1
            if shown >= args.show:
                break
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
