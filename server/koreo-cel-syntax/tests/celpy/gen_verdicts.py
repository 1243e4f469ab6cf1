#!/usr/bin/env python3
"""Dump cel-python 0.3.0's parse verdicts (and literal values) for a corpus of expressions.

Run with the reference venv (see /work/shared/tools/README.md), from this directory:

    ~/.cache/koreo-ref/venv/bin/python gen_verdicts.py > verdicts.jsonl

One JSON object per line: {"src", "ok"} plus, when rejected, "line"/"col" (lark's 1-based
position, in characters) or "crash" (the exception name when cel-python raises something
other than CELParseError); for single literals, "value" as cel-python builds it. The corpus
is deterministic (fixed seed), so regenerating gives the same file.
"""

import itertools
import json
import random
import sys

import celpy
from celpy.celparser import CELParser, CELParseError

PARSER = CELParser()
ENV = celpy.Environment()

# ---------------------------------------------------------------------------------------------
# Hand-picked cases: every construct and every error the parser reports.
HAND = [
    "inputs.items.filter(i, i.active).map(i, i.name)",
    "1 + 2 * 3 - 4", "1 < 2 < 3", "a || b && c == d", "a ? b : c ? d : e",
    "a ? b ? c : d : e", "a ? (b ? c : d) : e", "!!-x", "-!x", "!-x", "x in [1, 2]",
    "1-2", "1 -2", "1--1", "1 - -1", "--1", "- 1", "-9223372036854775808",
    "- 9223372036854775808", "9223372036854775807", "-x", "-(1)", "a-1", "a -1", "(1)-1",
    "[1]-1", "{}-1", "a.b-1", "f(x)-1", "1 .x", "1.x", "1.5.x", "1u.x", "1.strip()",
    "1. 5", "1 .5", "x.5", "a.b[c].d(e, f)", ".root.x", ".a(1)", ".a.b(1)", ". a", "a . b",
    "a.\nb", "x.in", "x.null", ".null", "x.true", "x.false", "in", "in in [in]", "in(1)",
    "x.in(1)", "1 in in", "null", "null.x", "true.x", "if", "x.if", "namespace.package",
    "a.b{c: 1}", "a.b{c: 1}.d", "x{}", "1{}", "{}.x", "(x){a: 1}", "f(x){}", "[1]{}",
    ".x{a: 1}", "T{in: 1}", "T{null: 1}", "T{true: 1}", "T{f: 1,}", "a.b{c}", "a.b{1: 2}",
    "T{a: 1, b: 2}", "T{}", "f()", "f()()", "(1)(2)", "a.b(1)(2)", "a.b(c)d", "[]", "{}",
    "[1,2,]", "{1:2,}", "f(1,)", "[,]", "f(,)", "{,}", "()", "( )", "[1, 2", "{1: 2",
    "f(1", "f(1,", "f(a b)", "a b", "(1 + 2", "[f(a]", "f(a))", "a[1:2]", "a[]", "a[",
    "{a:1, b}", "{a}", "{a:}", "{:1}", "inputs.", "inputs.spec.", "inputs. && x", ".", "..",
    "a..b", "a.(b)", "1 +", "1 + ", "+", "-", "!", "?", ":", "*", "a ? : b", "a ? b :",
    "a ? b", "x ? y ? z : w : v", "", "  ", "// x", "1 // c", "1 +  // c", "a // c\n+ b",
    "1//2", "1 / /2", "\"unterminated", "'unterminated", "\"a\nb\"", "'a\nb'", "\"\"\"abc",
    "\"\"\"abc\"", "'''abc", "r\"abc", "b\"abc", "br\"x", "rb\"x\"", "R\"x\"", "Br'x'",
    "bR'''x'''", "a = b", "a == b", "a === b", "a != b", "a !== b", "a & b", "a | b",
    "a && b || c", "a ! b", "x @ y", "x # y", "x $ y", "é", "\"é\"", "x.é", "1 \v 2",
    "1 \f 2", "1 \r+ 2", "1\t+\n2", "a\r\nb", "1 ++ 2", "1 -- 2", "1 - - 2", "1 ** 2",
    "1 <> 2", "1 =< 2", "1 => 2", "a && && b", "a || || b", "(a", "a)", "[a", "a]", "{a",
    "a}", "[[[]]]", "((()))", "{{}}", "{1: {2: [3]}}", "has(a.b)", "dyn(1)", "size(x)",
    "[1, 2, 3].map(x, x * 2)", "[1].reduce(a, x, 0, a + x)", "m.all(k, m[k] > 0)",
    "a.exists_one(x, x)", "l.min()", "0x", "0X10", "0x1g", "0xu", "5e", "5e+", "5e+1",
    "1e3u", "1.5u", "1u32", "0b101", "1_000", "1__", "_", "__a", "a_b.c_d", "A1.B2",
    "1ul", "00012", "007", "09", "0x1F", "0x1Fu", "0x1FU", "-0x1F", "-0x1Fu", "1.e3",
    ".e3", "..5", "1..2", "1.2.3", "-.5", "- .5", "-.x", "- .x", "1e", "1e-", "1E5",
    "1.5E-3", "x - .5", "[.5]", "(.5)", "{.5: .5}", "true_x", "nullx", "inx", "truex.y",
    "x.truex", "a.b.c.d.e.f", "a[0][1][2]", "a.b().c().d()", "(a).b", "(a.b).c",
    "f(a)(b)", "\"abc\"[0]", "-\"a\"", "!true", "!!true", "!!!x", "-------1",
    '"a" "b"', '"a"+"b"', '"a\\"+"b"', "a inputs", "a index", "a int(x)", "a i", "1.inputs",
    "1uinputs", "x.inputs", "x in1", "a inr\"x\"", "[!=x]", "(!=y)", "a ! b", "a !b", "!= 1",
    "T{inner: 1}", "T{a inx: 1}", "{in: 1}", "{inx: in}", "a ? b : c in d", "a in b in c",
    "a ? b : c", "a ?b:c", "a?b:c?d:e", "(a ? b : c) ? d : e", "a || b ? c : d",
    "a ? b || c : d && e", "a ? b : c || d",
]

# Literals whose value we also compare.
STRING_BODIES = [
    "", "a", "é", "日本", "\\a\\b\\f\\n\\r\\t\\v", "\\\"", "\\'", "\\\\", "\\", "a\\",
    "\\x41", "\\x4", "\\xZZ", "\\X41", "\\u0041", "\\u004", "\\U0001F600", "\\U00110000",
    "\\U0010FFFF", "\\ud800", "\\uDFFF", "\\101", "\\777", "\\400", "\\377", "\\8",
    "\\89", "\\899", "\\999", "\\089", "\\0", "\\00", "\\000", "\\1234", "\\d", "\\?",
    "\\`", "\\ ", "\\é", "a\\\"b", "tab\there", "cr\rhere", "\\u00e9", "\\xff", "\\x80",
    "\\u0100", "\\U00000041", "x\\\\y", "\\\\\\", "\\'\\\"",
]


def string_literals():
    out = []
    for body in STRING_BODIES:
        for prefix in ["", "r", "b", "br", "R", "B", "bR", "Br"]:
            for q in ['"', "'"]:
                if q in body.replace("\\" + q, ""):
                    continue
                out.append(f"{prefix}{q}{body}{q}")
            out.append(f'{prefix}"""{body}"""')
    # Multi-line forms with raw line breaks.
    for body in ["a\nb", "a\r\nb", "a\rb", "\n", "x\\\ny", "\"\"", "a\"b", "a\"\"b", "''"]:
        for prefix in ["", "r", "b", "br"]:
            out.append(f'{prefix}"""{body}"""')
            out.append(f"{prefix}'''{body}'''")
    # Quote and backslash backtracking.
    out += [
        '"a\\"', '"a\\" + "b"', '"\\\\"', '"\\\\\\"', "'\\''", "'\\'", "'a\\'b'", '"a\\"b',
        '"\\"\\"', '"\\\\\\\\"', 'r"\\"', 'r"a\\"b"', "r'\\''", '"""a\\""""', '"""\\""""',
        '""""""', '"""""""', "''''''", '"""a""""', '"a" "b"', '"a"+"b"', '"a\\"+"b"',
    ]
    return out


NUMBERS = [
    "0", "1", "-1", "-0", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "0x7fffffffffffffff",
    "0x8000000000000000", "-0x8000000000000000", "-0x8000000000000001", "0xFFFFFFFFFFFFFFFF",
    "99999999999999999999999999", "0u", "1u", "1U", "-0u", "-00u", "-1u", "-0x0u", "-0x1u",
    "18446744073709551615u", "18446744073709551616u", "0xffffffffffffffffu",
    "0x10000000000000000u", "1.", "1.0", ".5", "-.5", "1e3", "1E3", "1e+3", "1e-3", "1.e3",
    "1.5e3", "-1.5e-3", "1e999", "-1e999", "1e-999", "0.0", "-0.0", "00.5", "0.1",
    "123456789012345678901234567890.0", "4.9e-324", "1.7976931348623157e308", "007.5",
]


def grammar_expr(rng, depth):
    """A random valid expression."""
    atoms = ["1", "-2", "3u", "1.5", ".5", '"s"', "'t'", 'b"x"', "true", "null", "x",
             "inputs", ".root", "[]", "{}", "in"]
    if depth <= 0:
        return rng.choice(atoms)
    r = rng.random()
    sub = lambda: grammar_expr(rng, depth - 1)
    if r < 0.2:
        return rng.choice(atoms)
    if r < 0.45:
        op = rng.choice(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in",
                         "&&", "||"])
        return f"{sub()} {op} {sub()}"
    if r < 0.55:
        return f"{rng.choice(['!', '-'])}{sub()}"
    if r < 0.65:
        return f"{sub()} ? {sub()} : {sub()}"
    if r < 0.72:
        return f"({sub()})"
    if r < 0.8:
        return f"{rng.choice(['x', 'inputs.a', 'f(1)', '(y)'])}.{rng.choice(['b', 'in', 'null', 'size()', 'map(v, v)'])}"
    if r < 0.86:
        return f"[{', '.join(sub() for _ in range(rng.randint(0, 3)))}]"
    if r < 0.92:
        return "{" + ", ".join(f"{sub()}: {sub()}" for _ in range(rng.randint(0, 2))) + "}"
    return f"{rng.choice(['f', 'size', 'has'])}({', '.join(sub() for _ in range(rng.randint(0, 2)))})"


FRAGMENTS = ["1", "-1", "1u", "1.", ".5", "1e3", "0x1F", '"a"', "'b'", 'r"c"', 'b"d"',
             '"""e"""', "true", "null", "x", "in", "y.z", ".w", "(", ")", "[", "]", "{", "}",
             ",", ":", "?", ".", "+", "-", "*", "/", "%", "!", "==", "!=", "<", "<=", ">=",
             "&&", "||", "f(", "a.m(", "//c\n", "=", "&", "|", '"', "'", "\\"]


def mutate(rng, s):
    if not s:
        return rng.choice(FRAGMENTS)
    i = rng.randrange(len(s) + 1)
    r = rng.random()
    if r < 0.35:
        return s[:i] + s[i + 1:]
    if r < 0.7:
        return s[:i] + rng.choice(FRAGMENTS) + s[i:]
    j = rng.randrange(len(s) + 1)
    a, b = sorted((i, j))
    return s[:a] + s[b:] + s[a:b]


def corpus():
    rng = random.Random(20240601)
    seen = set()
    out = []

    def add(src, value=False):
        if src not in seen:
            seen.add(src)
            out.append((src, value))

    for s in HAND:
        add(s)
    for s in string_literals() + NUMBERS:
        add(s, value=True)
    alphabet = ["1", "-", ".", "x", "(", ")", '"', "'", "\\", "u", "e", "[", "]", " "]
    for n in (1, 2, 3):
        for chars in itertools.product(alphabet, repeat=n):
            add("".join(chars))
    for _ in range(700):
        add(grammar_expr(rng, rng.randint(1, 4)))
    for _ in range(1500):
        s = grammar_expr(rng, rng.randint(1, 3))
        for _ in range(rng.randint(1, 2)):
            s = mutate(rng, s)
        add(s)
    for _ in range(600):
        add("".join(rng.choice(FRAGMENTS) + rng.choice(["", " "]) for _ in range(rng.randint(1, 6))))
    return out


def literal_value(src):
    try:
        value = ENV.program(ENV.compile(src)).evaluate({})
    except celpy.CELEvalError as e:
        return {"error": str(e.args[0])}
    except Exception as e:  # noqa: BLE001 - cel-python lets host exceptions escape
        return {"crash": type(e).__name__}
    if isinstance(value, celpy.celtypes.BoolType):
        return {"bool": bool(value)}
    if isinstance(value, celpy.celtypes.UintType):
        return {"uint": str(int(value))}
    if isinstance(value, celpy.celtypes.IntType):
        return {"int": str(int(value))}
    if isinstance(value, celpy.celtypes.DoubleType):
        return {"double": repr(float(value))}
    if isinstance(value, celpy.celtypes.StringType):
        return {"string": [ord(c) for c in value]}
    if isinstance(value, celpy.celtypes.BytesType):
        return {"bytes": list(value)}
    if value is None:
        return {"null": True}
    return {"other": repr(value)}


def main():
    for src, want_value in corpus():
        entry = {"src": src}
        try:
            PARSER.parse(src)
            entry["ok"] = True
        except CELParseError as e:
            entry.update(ok=False, line=e.line, col=e.column)
        except Exception as e:  # noqa: BLE001 - e.g. AssertionError on `x.true`
            entry.update(ok=False, crash=type(e).__name__)
        if want_value and entry["ok"]:
            entry["value"] = literal_value(src)
        sys.stdout.write(json.dumps(entry, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
