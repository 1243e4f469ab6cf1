"""The reference side of `koreo-ls eval --batch`: koreo-core 0.1.17's CEL environment.

    ~/.cache/koreo-ref/venv/bin/python refeval.py CASES.jsonl > ref.jsonl

Reads the CLI's input lines `{"id", "expr", "vars"}` and writes the lines the CLI is meant
to write, built the way Koreo builds them:

* the expression loses its leading `=` characters (Koreo's `encode_cel` lstrips them), is
  compiled by an environment with Koreo's annotations and run with Koreo's function table;
* each variable goes through `celpy.json_to_cel` (as Koreo converts inputs);
* the result is walked with Koreo's `check_for_celevalerror` (§2.6), converted with
  `convert_bools` and serialised with `json.dumps` (as values leave the engine); non-finite
  floats become the strings "Infinity" / "-Infinity" / "NaN" (the CLI contract).

`error` is the text a Koreo user matches on (spec §3.8): the CEL error's reason
(`err.args[0]`, the first element of the `{args}` tuple of the PermFail message). Failures
that are not CEL errors keep the reference LS's wording (`Unknown pop from empty list.`,
`Unknown failure (Class: message)`), parse errors are `Parsing error at line L, column C.`
followed by lark's context text. Every line also carries `kind` (value, error, parse,
unknown, crash, unserializable, timeout, recursion) and, for CEL errors, the full PermFail
`message` for location `eval` -- extra keys for the differential tester, not the contract.
"""

import json
import logging
import math
import signal
import sys

import celpy
from celpy.celparser import tree_dump

from koreo.cel.encoder import convert_bools
from koreo.cel.functions import koreo_cel_functions, koreo_function_annotations

ENV = celpy.Environment(annotations=koreo_function_annotations)
# celpy logs some failures, and formatting those records can itself crash (an error value's
# repr); logging swallows that, so silencing it changes no result, only stderr noise.
logging.disable(logging.CRITICAL)
TIMEOUT_S = 5


class Timeout(Exception):
    pass


def _alarm(_sig, _frame):
    raise Timeout()


def _finite(v):
    """JSON data with non-finite floats spelled as the CLI spells them."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, list):
        return [_finite(x) for x in v]
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    return v


def _nested_error(value):
    """Koreo's check_for_celevalerror walk, returning the error object itself."""
    if isinstance(value, celpy.CELEvalError):
        return value
    if isinstance(value, (celpy.celtypes.MapType, dict)):
        for k, v in value.items():
            e = _nested_error(k)
            if e is not None:
                return e
            e = _nested_error(v)
            if e is not None:
                return e
    elif isinstance(value, (celpy.celtypes.ListType, list, tuple)):
        for v in value:
            e = _nested_error(v)
            if e is not None:
                return e
    return None


def _cel_error(err):
    reason = str(err.args[0]) if err.args else ""
    try:
        tree = tree_dump(err.tree) if err.tree else ""
    except IndexError as crash:
        # Koreo's formatter crashes while building the message; the reference LS reports it.
        return {"error": f"Unknown {crash}.", "kind": "crash", "reason": reason}
    return {
        "error": reason,
        "kind": "error",
        "message": f"Error evaluating `eval` (at {tree}) {err.args}",
    }


def ref_eval(expr, vars):
    source = expr.lstrip("=")
    try:
        ast = ENV.compile(source)
    except celpy.CELParseError as e:
        return {
            "error": f"Parsing error at line {e.line}, column {e.column}. '{e}'",
            "kind": "parse",
        }
    except RecursionError:
        return {"error": "Parsing error: recursion", "kind": "parse"}
    except Exception as e:  # lark internals
        return {"error": f"Parsing error: {type(e).__name__}: {e}", "kind": "parse"}
    try:
        prog = ENV.program(ast, functions=koreo_cel_functions)
        if vars is None:
            vars = {}
        if not isinstance(vars, dict):
            return {"error": "vars must be a JSON object", "kind": "bad-input"}
        act = {k: celpy.json_to_cel(v) for k, v in vars.items()}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}", "kind": "bad-input"}
    try:
        value = prog.evaluate(act)
        nested = _nested_error(value)
        if nested is not None:
            return _cel_error(nested)
        data = convert_bools(value)
        try:
            text = json.dumps(data)
        except Exception as e:
            return {"error": str(e), "kind": "unserializable"}
        return {"value": _finite(json.loads(text)), "text": text, "kind": "value"}
    except celpy.CELEvalError as err:
        return _cel_error(err)
    except Timeout:
        raise
    except RecursionError:
        return {"error": "RecursionError", "kind": "recursion"}
    except Exception as e:
        return {"error": f"Unknown failure ({type(e).__name__}: {e})", "kind": "unknown"}


def ref_eval_timed(expr, vars, timeout=TIMEOUT_S):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return ref_eval(expr, vars)
    except Timeout:
        return {"error": "timeout", "kind": "timeout"}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def main():
    sys.setrecursionlimit(10000)
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    for line in src:
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except ValueError as e:
            print(json.dumps({"id": None, "error": f"invalid JSON line: {e}", "kind": "bad-input"}))
            continue
        out = {"id": case.get("id")}
        out.update(ref_eval_timed(case.get("expr", ""), case.get("vars")))
        print(json.dumps(out))


if __name__ == "__main__":
    main()
