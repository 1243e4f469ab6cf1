"""Generates the CEL golden corpus from the reference engine.

Run with the reference venv (koreo-core 0.1.17, cel-python 0.3.0):

    ~/.cache/koreo-ref/venv/bin/python gen_goldens.py > cel_goldens.json

Every case is evaluated through koreo-core's own CEL environment (the annotations and
function table Koreo prepares programs with), bindings go through celpy's json_to_cel (as
Koreo converts inputs), results through Koreo's convert_bools (as values leave the engine),
and nested errors are found with Koreo's own check_for_celevalerror.
"""

import json
import math
import sys

import celpy
from celpy import celtypes
from celpy.celparser import tree_dump

from koreo.cel.encoder import convert_bools
from koreo.cel.evaluation import check_for_celevalerror
from koreo.cel.functions import koreo_cel_functions, koreo_function_annotations

ENV = celpy.Environment(annotations=koreo_function_annotations)

INPUTS = {
    "a": 1,
    "b": 1.5,
    "s": "hello",
    "n": None,
    "t": True,
    "l": [1, 2, 3],
    "m": {"k": "v", "n": 2},
    "empty": [],
    "path": "/apps/web/",
    "count": 3,
    "nested": {"x": {"y": {"z": 1}}},
    "target": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "", "extra": "x"},
    "obj": {
        "apiVersion": "v1",
        "kind": "Thing",
        "metadata": {"name": "t", "namespace": "ns"},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "UpToDate"}]},
    },
    "items": None,
    "big": 9223372036854775807,
}
RAW_RESOURCE = {"a": 1, "spec": {"replicas": 3, "name": "x"}, "list": [1, 2], "flag": True, "f": 1.5}


def to_jsonable(v):
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return {"__float__": repr(v)}
        return v
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, list):
        return [to_jsonable(x) for x in v]
    if isinstance(v, dict):
        # Keys keep their Python type as a tagged pair so int/bool keys survive.
        return {"__map__": [[to_jsonable(k), to_jsonable(x)] for k, x in v.items()]}
    raise TypeError(f"Object of type {type(v).__name__} is not JSON serializable")


def run(expr, bindings="inputs"):
    case = {"expr": expr, "bindings": bindings}
    try:
        prog = ENV.program(ENV.compile(expr), functions=koreo_cel_functions)
    except Exception as e:  # parse errors are the parser's business, not ours
        return None
    if bindings == "inputs":
        act = {"inputs": celpy.json_to_cel(INPUTS)}
    elif bindings == "raw":
        act = {"resource": json.loads(json.dumps(RAW_RESOURCE))}
    else:
        act = {}
    try:
        value = prog.evaluate(act)
        nested = check_for_celevalerror(value, "loc")
        if nested is not None:
            case["nested_error"] = nested.message
            return case
        case["class"] = type(value).__qualname__ if type(value).__module__ == "builtins" else f"{type(value).__module__}.{type(value).__qualname__}"
        try:
            case["repr"] = repr(value)
        except Exception as e:
            case["repr_crash"] = f"{type(e).__name__}: {e}"
        try:
            case["value"] = to_jsonable(convert_bools(value))
        except Exception as e:
            case["unserializable"] = str(e)
    except celpy.CELEvalError as err:
        case["error"] = {"args": repr(err.args), "reason": str(err.args[0]) if err.args else ""}
        try:
            case["error"]["dump"] = tree_dump(err.tree) if err.tree else ""
        except IndexError as e:
            case["error"]["dump_crash"] = str(e)
    except RecursionError as e:
        return None
    except Exception as e:
        case["unknown"] = {"class": type(e).__name__, "message": str(e)}
    return case


OPERANDS = {
    "int": "2",
    "uint": "2u",
    "double": "1.5",
    "bool": "true",
    "string": '"a"',
    "bytes": 'b"a"',
    "null": "null",
    "list": "[1]",
    "map": '{"a": 1}',
    "ts": 'timestamp("2024-01-01T00:00:00Z")',
    "dur": 'duration("60s")',
    "natfloat": "(1.5 + 0.5)",
    "natint": "(true + true)",
    "natstr": '("a" + "b")',
    "natlist": "([1] + [2])",
    "natbytes": '(b"a" + b"b")',
    "natdur": '(duration("60s") - duration("30s"))',
    "error": "(1 / 0)",
    "zero": "0",
    "zerod": "0.0",
    "false": "false",
}
BINOPS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in"]


def corpus():
    out = []
    names = list(OPERANDS)
    for op in BINOPS:
        for l in names:
            for r in names:
                out.append((f"{OPERANDS[l]} {op} {OPERANDS[r]}", "none"))
    for n in names:
        v = OPERANDS[n]
        for e in [
            f"-{v}", f"!{v}", f"- {v}", f"string({v})", f"type({v})", f"size({v})", f"int({v})",
            f"uint({v})", f"double({v})", f"bool({v})", f"bytes({v})", f"{v} ? 1 : 2", f"{v} && true",
            f"true && {v}", f"{v} || false", f"false || {v}", f"{v} && {v}", f"has({v})", f"dyn({v})",
            f"[{v}]", f'{{"k": {v}}}', f"{v}.f", f"{v}[0]", f'{v}["a"]', f"to_json({v})",
            f"{v}.map(x, x)", f"{v}.filter(x, true)", f"{v}.min()", f"{v}.all(x, true)",
            f"{v}.exists(x, false)", f"{v}.exists_one(x, true)", f"flatten({v})", f"lower({v})",
            f"{v}.size()", f"[{v}, {v}]", f"{v} == {v}", f"type({v}) == type({v})", f"string([{v}])",
            f'string({{"k": {v}}})', f"{v} in [{v}]",
        ]:
            out.append((e, "none"))
    # Bindings, selection, indexing, has().
    for e in [
        "inputs.a", "inputs.b", "inputs.s", "inputs.n", "inputs.t", "inputs.l", "inputs.m", "inputs.missing",
        "inputs.a.b", "inputs.n.x", "inputs.l.x", "inputs.m.k", "inputs.m.zz", "inputs.nested.x.y.z",
        "inputs['a']", "inputs['missing']", "inputs.l[0]", "inputs.l[-1]", "inputs.l[3]", "inputs.l[-4]",
        "inputs.l[true]", "inputs.l[1.0]", "inputs.l['a']", "inputs.s[1]", "inputs.s[-1]", "inputs.s[10]",
        "inputs.m[1]", "inputs.m[1.5]", "inputs.m[null]", "inputs.m[[1]]", "{1: 'a'}[1]", "{1: 'a'}[true]",
        "{true: 'a'}[1]", "{1u: 'a'}[1]", "{1: 'a'}[1u]", "{'a': 1}['b']", "has(inputs.a)", "has(inputs.missing)",
        "has(inputs.nested.x.y.z)", "has(inputs.nested.q.y.z)", "has(inputs.n)", "has(nothing)", "has(inputs.l[5])",
        "has(1/0)", "has(inputs.l.map(x, 1/0))", "nothing", ".inputs.a", ".nothing", "inputs.a + inputs.b",
        "inputs.b + inputs.a", "inputs.a + inputs.missing", "inputs.missing + 1", "inputs.count == null",
        "inputs.s == null", "inputs.n == null", "inputs.l == null", "inputs.m == null", "inputs.items == []",
        "inputs.l == []", "[] == inputs.l", "inputs.missing == []", "inputs.missing == {}", "{} == inputs.missing",
        "size(inputs.missing) == 0", "inputs.big + 1", "inputs.big * 2", "-inputs.big - 2", "inputs.t == 1",
        "1 == inputs.t", "has(inputs.a) ? inputs.a : 0", "has(inputs.zz) ? inputs.zz : 0", "'x' + string(inputs.missing)",
        "1 + inputs.missing", "string(1/0)", "'a' + string(1/0)", "inputs.s.startsWith('he')", "inputs.s.endsWith('lo')",
        "inputs.s.contains('ell')", "inputs.s.matches('^h.*o$')", "inputs.l.exists(x, x == 2)", "inputs.l.all(x, x > 0)",
        "inputs.l.map(x, x * 2)", "inputs.l.filter(x, x % 2 == 1)", "inputs.m.map(k, k)", "inputs.m.filter(k, k == 'k')",
        "inputs.l.reduce(a, x, 0, a + x)", "inputs.l.min()", "inputs.s.map(c, c)", "inputs.l.exists_one(x, x == 1)",
        "inputs.l.map(x, inputs.l.map(y, x * y))", "inputs.l.map(x, x / 0)", "has(inputs.l.map(x, x / 0))",
        "inputs.l.map(x, x / 0) || true", "[inputs.l.map(x, x/0)].exists(y, true)", "inputs.l.exists(x, 1 / (x - 1) > 0)",
        "inputs.l.all(x, 1 / (x - 1) > 0)", "[0, 1].exists(x, 1 / x > 0)", "[0].all(x, x)", "[1, 2].all(x, x)",
        "[0, 1, 2].filter(x, x)", "[3, 1, 2].min()", "[].min()", "['b', 'a'].min()", "[1, 'a'].min()", "[1.5, 1].min()",
        "[1, 2, 3].reduce(acc, x, 0, acc + x)", "[1, 2].map(x, y, x)", "[1, 2].map(x)", "[1, 2].filter(x)",
        "[1, 2].reduce(a, x, 0)", "null.map(x, x)", "1.5.map(x, x)", "{'a': 1}.all(k, k == 'a')",
        "[1, 2].exists(x, 'a')", "['a'].exists(x, x)", "[1, 2].map(x, x).map(y, y + 1)", "size({'bad': 1 / 0, 'good': 2})",
        "{'bad': 1 / 0, 'good': 2}.good", "{'bad': 1 / 0, 'good': 2}", "{'a': 1, 'a': 2}", "{1: 'a', true: 'b'}",
        "{1: 'a', 1.0: 'b'}", "{[1]: 1}", "{1 / 0: 1}", "{'a': [1, 1 / 0]}", "[1, 1 / 0]", "[1 / 0, inputs.missing]",
        "{'a': {'b': 1 / 0}}", "{'a': 1, 'b': inputs.missing, 'c': 1 / 0}", "{inputs.missing: 1}",
        "{'k': 1}.k", "[1, 2][1]", "false || 'x'", "'x' || false", "true && 'x'", "'x' && true", "'x' && 'y'",
        "'x' || 'y'", "(1 / 0) || true", "true || (1 / 0)", "false || (1 / 0)", "(1 / 0) && false", "(1 / 0) && true",
        "1 < 2 < 3", "1 < 2 == true", "true ? 1 : 1 / 0", "false ? 1 / 0 : 2", "(1 / 0) ? 1 : 2", "1 ? 1 : 2",
        "null ? 1 : 2", "'' ? 1 : 2", "[] ? 1 : 2", "0x1F", "-0x10", "0x10u", "1e3", ".5", "1.", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "18446744073709551615u", "18446744073709551616u",
        "'abc'[1]", "'héllo'[1]", "size('héllo')", "size(b'\\xff\\x00')", "'\\x41\\101\\u00e9'", "r'\\n'", "'''a\nb'''",
        "b'abc'", "string(b'abc')", "string(b'\\xff')", "bytes('é')", "size(bytes('é'))", "'a' * 2", "true * 'ab'",
        "false * 'ab'", "true * [1]", "true * b'x'", "[1] * 2", "2 * [1]", "10 / 4.0", "-10 / 4.0", "10 % 4.0",
        "-7 / 2", "7 / -2", "-7 % 3", "7 % -3", "-9223372036854775808 / -1", "-9223372036854775808 % -1", "1 / 0",
        "1 % 0", "1.0 / 0.0", "-1.0 / 0.0", "0.0 / 0.0", "1.0 / 0", "1u / 0u", "1u - 2u", "18446744073709551615u + 1u",
        "2u * -1", "(true + true) / 4", "(1.5 + 0.5) == 2", "2.0 == 2", "(1.5 + 0.5) % 0.5", "(1.5 + 0.5) / 0.0",
        "(1.5 + 0.5) / 0", "true / 2", "-true", "-(1.5 + 0.5)", "-(true + true)", "!true", "!!false", "!1",
        "1 in ['a', 1]", "1 in ['a']", "'bc' in 'abc'", "'b' in 'abc'", "97 in b'a'", "'a' in {'a': 1}",
        "1 in {'a': 1}", "'a' in null", "1 in 1", "[1] == [1.0]", "[1] == ['a']", "[1, 2] == [1]", "[1, 2] == [1.0, 3]",
        "{'a': 1} == {'a': 1.0}", "{'a': 1} == {'b': 1}", "{'a': 1} != {'a': 2}", "{'a': 1} != {'a': 'x'}",
        "(1 / 0) == (1 / 0)", "(1 / 0) == (2 / 0)", "'a' == (1 / 0)", "null == (1/0)", "(1/0) == 1",
        "type(1) == int", "type('a') == string", "type(1.5) == double", "type(true) == bool", "type(null) == null_type",
        "type(1u) == uint", "type([]) == list", "type({}) == map", "type(b'') == bytes", "type(type(1)) == type",
        "type(1.5 + 1) == double", "type(1) == type(2)", "int", "size", "to_ref", "type(to_ref)", "string(int)",
        "int == int", "type(duration('1s')) == duration", "type(timestamp('2024-01-01T00:00:00Z')) == timestamp",
    ]:
        out.append((e, "inputs"))
    # Conversions.
    for e in [
        "int(2.5)", "int(3.5)", "int(2.7)", "int(-2.5)", "int('0x10')", "int('-0x10')", "int(' 42 ')", "int('1_000')",
        "int('12.5')", "int('abc')", "int(true)", "int(null)", "int(1u)", "int(18446744073709551615u)", "int(1e19)",
        "int(timestamp('2024-01-01T00:00:00Z'))", "int([1])", "int(1/0)", "uint(1)", "uint(-1)", "uint(2.5)",
        "uint('0x10')", "uint('7')", "uint(null)", "uint(true)", "double(1)", "double('1e3')", "double('inf')",
        "double('-inf')", "double('nan')", "double('abc')", "double(' 1.5 ')", "double(null)", "double(true)",
        "double([1])", "string(true)", "string(null)", "string(2.0)", "string(1e20)", "string(1e-7)", "string(0.1)",
        "string(123456789012345678.0)", "string(-0.0)", "string(1.0/0.0)", "string([1])", "string({'a': 1})",
        "string([1.5, 'a', true, null, b'x'])", "string({'a': [1, {'b': 2u}]})", "string(duration('90s'))",
        "string(timestamp('2024-01-01T10:00:00+02:00'))", "string(1 + 1)", "string(1u)", "string(type(1))",
        "string(1.5 + 1)", "string('a' + 'b')", "string(['it\\'s', 'a\"b'])", "string(['a\\nb'])",
        "string(duration('1s') - duration('2s'))", "string(b'a' + b'b')", "bool(1)", "bool(2)", "bool(0)", "bool(0.5)",
        "bool(null)", "bool('1')", "bool('true')", "bool('0')", "bool([])", "bytes('abc')", "bytes([65, 66])",
        "bytes([256])", "bytes(1)", "bytes(null)", "duration('1h30m')", "duration('90s')", "duration('-90m')",
        "duration('1.5h')", "duration('1x')", "duration('')", "duration(60)", "duration('1h').getMinutes()",
        "duration('1.5s').getMilliseconds()", "duration('3h').getHours()", "duration('90s').getSeconds()",
        "timestamp('2024-01-01T00:00:00Z')", "timestamp('2024-01-01')", "timestamp('2024-01-01T10:20:30.5Z')",
        "timestamp('2024-01-01T10:20:30+05:30')", "timestamp('bad')", "timestamp(1)",
        "string(timestamp('2024-01-01T00:00:00.123456789Z'))", "string(timestamp('20240101T000000Z'))", "string(timestamp('2024-01-01 00:00'))", "string(timestamp('2024-01-01T00:00'))", "string(timestamp('2024-01-01T10'))", "string(timestamp('2024-001'))", "string(timestamp('2024-W01-1'))", "string(timestamp('2024-01'))", "string(timestamp('2024'))", "string(timestamp('2024-01-01T00:00:00+0530'))", "string(timestamp('2024-01-01T00:00:00-01'))", "string(timestamp('2024-01-01t00:00:00z'))", "string(timestamp('2024-02-30'))", "string(timestamp('2024-01-01T24:00:00Z'))", "string(timestamp('2024-01-01T00:00:60Z'))", "string(timestamp('0001-01-01T00:00:00Z'))", "string(timestamp('9999-12-31T23:59:59Z'))", "timestamp(2024, 1, 2)",
        "timestamp('2024-03-10T12:34:56Z').getFullYear()", "timestamp('2024-03-10T12:34:56Z').getMonth()",
        "timestamp('2024-03-10T12:34:56Z').getDate()", "timestamp('2024-03-10T12:34:56Z').getDayOfMonth()",
        "timestamp('2024-03-10T12:34:56Z').getDayOfWeek()", "timestamp('2024-03-10T12:34:56Z').getDayOfYear()",
        "timestamp('2024-03-10T12:34:56Z').getHours()", "timestamp('2024-03-10T12:34:56Z').getMinutes()",
        "timestamp('2024-03-10T12:34:56Z').getSeconds()", "timestamp('2024-03-10T12:34:56.789Z').getMilliseconds()",
        "timestamp('2024-03-10T23:34:56Z').getHours('+02:00')", "timestamp('2024-03-10T23:34:56Z').getDate('-05:00')",
        "timestamp('2024-07-10T23:34:56Z').getHours('Europe/Paris')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('Europe/Paris')",
        "timestamp('2024-07-10T23:34:56Z').getHours('America/New_York')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('America/New_York')",
        "timestamp('2024-07-10T23:34:56Z').getHours('Asia/Kolkata')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('Asia/Kolkata')",
        "timestamp('2024-07-10T23:34:56Z').getHours('utc')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('utc')",
        "timestamp('2024-07-10T23:34:56Z').getHours('UTC')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('UTC')",
        "timestamp('2024-07-10T23:34:56Z').getHours('GMT')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('GMT')",
        "timestamp('2024-07-10T23:34:56Z').getHours('Z')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('Z')",
        "timestamp('2024-07-10T23:34:56Z').getHours('+05:30')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('+05:30')",
        "timestamp('2024-07-10T23:34:56Z').getHours('-08:00')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('-08:00')",
        "timestamp('2024-07-10T23:34:56Z').getHours('05:30')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('05:30')",
        "timestamp('2024-07-10T23:34:56Z').getHours('Nope/Zone')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('Nope/Zone')",
        "timestamp('2024-07-10T23:34:56Z').getHours('')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('')",
        "timestamp('2024-07-10T23:34:56Z').getHours('Etc/UTC')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('Etc/UTC')",
        "timestamp('2024-07-10T23:34:56Z').getHours('US/Pacific')", "timestamp('2024-01-10T23:34:56Z').getDayOfWeek('US/Pacific')",
        "getFullYear(timestamp('2024-03-10T12:34:56Z'))", "timestamp('2024-01-01T00:00:00Z') + duration('25h')",
        "duration('1h') + timestamp('2024-01-01T00:00:00Z')", "timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z')",
        "timestamp('2024-01-01T00:00:00Z') - duration('1s')", "timestamp('2024-01-01T00:00:00Z') < timestamp('2024-01-02T00:00:00Z')",
        "duration('1h') > duration('59m')", "duration('1h') * 2", "2.5 * duration('1h')", "duration('1h') / 2",
        "duration('1h') / duration('30m')", "duration('1h') % duration('25m')", "timestamp('9999-12-31T23:59:59Z') + duration('1s')",
        "list([1, 2])", "list('ab')", "list({'a': 1})", "list(1)", "map([['a', 1]])", "map({'a': 1})", "map([1])",
        "map(null)", "type(list)", "null_type(1)",
    ]:
        out.append((e, "none"))
    # Built-in functions, both styles.
    for e in [
        "size('abc')", "'abc'.size()", "size([1, 2])", "[1, 2].size()", "size({'a': 1})", "size(null)", "size(1)",
        "size(b'ab')", "size()", "size(1, 2)", "contains('abc', 'b')", "'abc'.contains('b')", "contains([1, 2], 2)",
        "contains({'a': 1}, 'a')", "contains('abc', 1)", "contains([1], 'a')", "contains(1, 1)", "startsWith('abc', 'a')",
        "'abc'.startsWith('a')", "'abc'.startsWith(1)", "startsWith(1, 'a')", "endsWith('abc', 'c')", "'abc'.endsWith('bc')",
        "b'abc'.endsWith(b'c')", "matches('abc', 'b')", "'abc'.matches('^b')", "'abc'.matches('[')", "'a]'.matches('[[:alpha:]]')",
        "'abc\\n'.matches('c$')", "'x'.matches(1)", "matches(1, 'x')", "'aaa'.matches('a{2}')", "'a{'.matches('a{')",
        "'ABC'.matches('(?i)abc')", "'abcabc'.matches('(abc)\\\\1')", "'foobar'.matches('foo(?=bar)')", "'foobar'.matches('foo(?!bar)')", "'xbar'.matches('(?<=x)bar')", "'ab'.matches('(?P<n>a)(?P=n)')", "'a1'.matches('\\\\d$')", "'test-1'.matches('^[a-z]+-\\\\d+$')", "'x'.unknownFn()", "unknownFn(1)",
        "unknownFn(1 / 0)", "(1 / 0).size()", "'abc'.contains(1 / 0)", "size(1 / 0)", "lower(inputs.missing)",
        "inputs.missing.lower()", "to_ref(inputs.missing)", "type(1 / 0)", "int(1 / 0)", "string(inputs.missing)",
        "dyn(1) + 1", "has()", "dyn()",
    ]:
        out.append((e, "inputs"))
    # Koreo functions.
    for e in [
        'to_json({"b": true, "a": [1, 2.5, null, "é"]})', "to_json(true)", "to_json(1.0 / 0.0)", "to_json(b'x')",
        "to_json(duration('1s'))", "to_json({1: 'a', 'b': 2})", "to_json({2: 'a', 1: 'b'})", "to_json('a\"b\\n\\u2028')",
        "to_json([1u, 1.5 + 1, 'x' + 'y'])", "to_json({'a': 1/0})", "{'a': 1}.to_json()",
        'from_json("{\\"n\\": 1, \\"f\\": 1.0}")', "from_json('[1, 2')", "from_json('')", "from_json('1 2')",
        "from_json('99999999999999999999')", "from_json('null')", "from_json('\"\\\\u00e9\"')", "from_json(1)",
        "from_json('{\"a\" 1}')", "from_json('NaN')", "'[1]'.from_json()", "strip('--xx-name-xx--', '-x')",
        "inputs.path.rstrip('/')", "strip('abc', '')", "strip(1, 'a')", "strip('a', 1)", "strip('  a  ')",
        "rstrip('a//', '/')", "split_index(inputs.path, '/', -2)", "split_index(inputs.path, '/', 10)",
        "split_index('', '/', 10)", "split_index('a/b', '', 0)", "split_index('a/b', '/', 1.5)",
        "inputs.path.split_first('/')", "split_first('a/b/c', '/')", "split_first('', '/')", "split_first('abc', '/')",
        "split_last('a/b/c', '/')", "'abc'.split_last('/')", "split('a,,b', ',')", "split('', '/')", "split('a', '')",
        "split('a', null)", "split(1, ',')", "split('a,b', 1)", "'a/b'.split('/')", "lower('MiXeD')", "lower('ÀÉ')",
        "lower(1)", "lower(b'AB')", "'X'.lower()", "replace('a.b.c', '.', '-')", "replace('ab', '', '-')",
        "replace(1, 'a', 'b')", "replace('a', 1, 'b')", "replace('a', 'a', 'b', 'c')", "'aa'.replace('a', 'b')",
        "b64encode('koreo')", "b64encode(b'x')", "b64encode(1)", "'é'.b64encode()", "b64decode('a29yZW8=')",
        "b64decode('a29yZW8')", "b64decode('!!!')", "b64decode('a')", "b64decode('/w==')", "b64decode(1)",
        "b64decode('a29y!ZW8=')", "b64decode('é')", "flatten([[1], [], [2, 3]])", "flatten([[1], 'ab'])",
        "flatten([{'a': 1}])", "flatten([1])", "flatten([])", "flatten(null)", "flatten('')", "[[1], [2]].flatten()",
        'overlay({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 9}, "l": [3]})', "overlay({'a': 1}, {'b': null})",
        "overlay({'a': 1}, 1)", "overlay([1], {'a': 1})", "overlay('abc', {'a': 1})", "{'a': {'b': 1}}.overlay({'a': {'c': 2}})",
        "overlay({'a': 1}, {})", "to_ref(inputs.target)", "group_ref(inputs.target)", "kindless_ref(inputs.target)",
        "self_ref(inputs.obj)", "config_connect_ready(inputs.obj)", "inputs.obj.self_ref()", "inputs.target.to_ref()",
        "to_ref({'name': 'a', 'namespace': 'b', 'kind': 'K', 'apiVersion': 'v1'})", "to_ref({'external': 'x', 'name': 'a'})",
        "to_ref({'external': ''})", "to_ref({})", "to_ref({'name': ''})", "to_ref({'name': 5})", "to_ref('x')", "to_ref(1)",
        "to_ref([1])", "group_ref({'apiVersion': 'v1', 'kind': 'K', 'name': 'n'})", "group_ref({'apiGroup': 'g', 'name': 'n'})",
        "group_ref({'apiVersion': 5, 'name': 'n'})", "kindless_ref({'external': 'x'})", "kindless_ref({'kind': 'K'})",
        "self_ref({'apiVersion': 'v1'})", "self_ref({'apiVersion': 'v1', 'kind': 'K'})",
        "self_ref({'apiVersion': 'v1', 'kind': 'K', 'metadata': {'name': 'n'}})", "self_ref({'apiVersion': 'v1', 'kind': 'K', 'metadata': 'x'})",
        "self_ref(1)", "config_connect_ready({})", "config_connect_ready({'status': {}})",
        "config_connect_ready({'status': {'conditions': []}})", "config_connect_ready({'status': 'x'})",
        "config_connect_ready({'status': {'conditions': [{'type': 'Ready', 'status': 'True', 'reason': 'Nope'}]}})",
        "config_connect_ready({'status': {'conditions': [{'type': 'Ready', 'status': 'True', 'reason': 'UpToDate'}, {'type': 'Ready'}]}})",
        "config_connect_ready({'status': {'conditions': [1]}})", "config_connect_ready({'status': {'conditions': [{'type': 1}]}})",
        "to_ref()", "to_ref({}, {})",
    ]:
        out.append((e, "inputs"))
    # Error dumps and the formatter crash.
    for e in [
        "inputs.a.b.c", "inputs.missing.b", "inputs.l[5]", "inputs.m['zz']", "inputs.a + inputs.s", "inputs.a - 1.5",
        "!inputs.a", "-inputs.s", "inputs.a ? 1 : 2", "inputs.a == []", "inputs.a == {}", "[] == inputs.a",
        "{} == inputs.a", "inputs.a + []", "[inputs.a, []] == 1", "f([], inputs.a)", "size([]) + inputs.s",
        "inputs.l.map(x, x + 'a')", "inputs.l.map(x, [] + x)", "inputs.l.map(x, x + [])", "(inputs.a + inputs.s)",
        "inputs.a + (inputs.s)", "{'a': inputs.a + 's'}", "{'a': [] == inputs.a}", "[inputs.a + 's']",
        "inputs.l[inputs.s]", "inputs.s.lower().x", "1 + 2 + inputs.s", "inputs.a * 2 + inputs.s", "inputs.a < 'x' || false",
        "inputs.a && inputs.s", "inputs.a || inputs.s", "has(inputs.a) && inputs.a == 'x'", "inputs.m.k + 1",
        "{'a': 1, 'a': 2}.a", "{}.a", "[][0]", "inputs.l.all(x, x == 'a')", "inputs.l.exists(x, x == 'a')",
        "inputs.l.exists(x, x)", "inputs.l.all(x, [x])", "inputs.items == [] ? 1 : 2", "inputs.s.size() + inputs.s",
        "{'a': 1}.all(k, k == 1)", "[1, 2, 3].min() + 'x'", "inputs.nested.x.y.z.w", "inputs.l.reduce(a, x, 0, a + 's')",
        "inputs.l.reduce(a, x, 1 / 0, a)", "[1].reduce(a, x, 1 / 0, a)",
    ]:
        out.append((e, "inputs"))
    # Raw mapping (FunctionTest overlayResource's `resource`).
    for e in [
        "resource['a']", "resource.a", "has(resource.a)", "size(resource)", "resource['spec']['replicas'] + 1",
        "resource['spec'].name", "resource['list'][0]", "resource['list'] + [3]", "resource['flag'] == true",
        "resource['flag'] && true", "resource['f'] + 1", "1 + resource['a']", "resource['a'] == 1", "resource['missing']",
        "'a' in resource", "resource['spec']['replicas'] / 2", "resource['spec']", "resource", "to_ref(resource)",
        "resource['a'] * 2.5", "string(resource)", "type(resource['a'])", "resource['spec'].map(k, k)",
        "resource['spec']['name'] + 'y'", "resource['f'] == 1.5", "resource == resource",
    ]:
        out.append((e, "raw"))
    return out


def main():
    cases = []
    seen = set()
    for expr, b in corpus():
        if (expr, b) in seen:
            continue
        seen.add((expr, b))
        c = run(expr, b)
        if c is not None:
            cases.append(c)
    json.dump({"inputs": INPUTS, "raw_resource": RAW_RESOURCE, "cases": cases}, sys.stdout, indent=0, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
