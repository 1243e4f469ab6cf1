"""Writes tests/data/pyyaml-scalars.tsv: how PyYAML's SafeLoader types plain scalars.

Run with the reference venv (PyYAML 6):
    ~/.cache/koreo-ref/venv/bin/python server/koreo-syntax/tests/pyyaml_golden.py

Each line is `scalar<TAB>kind<TAB>value`, kind one of null, bool, int, float, str, date,
datetime, error; value is Python's repr for floats, str() for dates, the exception class
for errors. Only scalars that PyYAML really reads as plain scalars are kept.
"""

import datetime
import itertools
import os
import sys

import yaml


def casings(word):
    out = {word.lower(), word.upper(), word.title(), word.capitalize()}
    if len(word) > 1:
        out.add(word[0].lower() + word[1:].upper())
        out.add("".join(c.upper() if i % 2 else c for i, c in enumerate(word.lower())))
    return sorted(out)


def candidates():
    words = ["yes", "no", "true", "false", "on", "off", "y", "n", "null", "none", "nil"]
    for w in words:
        yield from casings(w)
    yield from ["~", "", "=", "<<", "==x", "=x + 1", "=", "hello", "a b", "~x", "-", "+", ".", "..",
                "-.", "+.", "0.", "_", "_1", "1_", "1__0", "0_", "00", "007", "08", "09", "0o17",
                "0O17", "0x", "0b", "0b_", "0x_", "0x_1F", "0xFF_FF", "0Xff", "0b102", "0xG",
                "12:30:00", "1:20", "1:60", "1:2", "01:20", "0:20", "-1:20", "+1:20", "1:20:30:40",
                "1:20.5", "-1:20.5", "190:20:30.15", "1_0:20", "1:2_0", "NaN", "Infinity", "inf",
                "nan", "-inf", ".inf", ".Inf", ".INF", ".iNf", "+.inf", "-.inf", "-.Inf", "+.INF",
                ".nan", ".NaN", ".NAN", "-.nan", "+.nan", "6.8523015e+5", "685.230_15e+03",
                "685_230.15", "1e3", "1E3", "1e+3", "1.e+3", "1.5e3", "1.5e+3", "1.5E-3", "1.5e03",
                ".5e+3", ".5e3", "1.", ".5", "0.1_0", "._5", "1._5", "1_000.5", "1.0", "-0", "+0",
                "-0.0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                "-9223372036854775809", "18446744073709551615", "18446744073709551616",
                "0x" + "F" * 20, "0b" + "1" * 70, "0" + "7" * 30, "1" + "0" * 30 + ":00",
                "123456789012345678901234567890", "1e400", "1.0e+400", "-1.0e+400",
                "2024-01-02", "2024-1-2", "2024-01-2", "2024-02-30", "2024-02-29", "2023-02-29",
                "2024-13-01", "2024-00-10", "0000-01-01", "0001-01-01", "9999-12-31",
                "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
                "2001-12-15T02:59:43.1Z", "2001-12-15 2:59:43.10", "2024-01-02T03:04:05",
                "2024-01-02T25:00:00", "2024-01-02T03:60:00", "2024-01-02T03:04:60",
                "2024-01-02T03:04:05+25:00", "2024-01-02T03:04:05+23:59",
                "2024-01-02 03:04:05.1234567", "2024-01-02T03:04:05.000000Z",
                "2024-01-02T03:04:05+05:30", "2024-01-02T03:04:05 -0", "2024-01-02T03:04:05-00:00",
                "2024-01-02T03:04:05.5+01", "2024-1-2T3:04:05", "2024-01-02T3:4:5",
                "2024-01-02   03:04:05", "2024-01-02\t03:04:05", "2024-01-02T03:04:05 Z",
                "2024-01-02T03:04:05.", "2024-01-02 03:04", "20240102", "2024/01/02",
                "v1", "koreo.dev/v1beta1", "ValueFunction", "=inputs.x", "1.2.3", "1,000",
                "0.0.0.0", "127.0.0.1", "10:00am", "1h30m", "100Mi", "0.5Gi", "1e", "e3", "0e0",
                "0e+0", "0.e+0", "-.5", "+.5", "+1", "+12", "-12", "+0x1F", "-0x1F", "+0b11",
                "-0b11", "+017", "-017", "+08", "0b1_0", "0_1", "0x1p3", "1__2", "3.14_15",
                "1_2:3_4", "1:00:00", "60:00", "1:59:59", "99:99"]
    signs = ["", "+", "-"]
    bodies = ["0", "1", "10", "017", "0x1F", "0b101", "1_000", "1.5", "1.", ".5", "1e3", "1.5e+3",
              "1:20", ".inf", ".nan", "0o17", "08"]
    for s, b in itertools.product(signs, bodies):
        yield s + b


def classify(value):
    # bool before int: bool is an int in Python.
    if value is None:
        return "null", ""
    if isinstance(value, bool):
        return "bool", "true" if value else "false"
    if isinstance(value, int):
        return "int", str(value)
    if isinstance(value, float):
        return "float", repr(value)
    if isinstance(value, datetime.datetime):
        return "datetime", str(value)
    if isinstance(value, datetime.date):
        return "date", str(value)
    if isinstance(value, str):
        return "str", value
    raise TypeError(type(value))


def main():
    seen = set()
    rows = []
    for s in candidates():
        if s in seen or "\t" in s and not s.startswith("2024"):
            continue
        seen.add(s)
        doc = "v: " + s + "\n"
        try:
            node = yaml.compose(doc, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            continue
        value_node = node.value[0][1]
        if not isinstance(value_node, yaml.ScalarNode) or value_node.style is not None:
            continue
        if value_node.value != s:
            continue
        try:
            kind, value = classify(yaml.safe_load(doc)["v"])
        except Exception as e:  # PyYAML raises ValueError etc. for some scalars
            kind, value = "error", type(e).__name__
        rows.append((s, kind, value))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pyyaml-scalars.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# generated by tests/pyyaml_golden.py with PyYAML %s; scalar, kind, value\n"
                % yaml.__version__)
        for s, kind, value in rows:
            assert "\t" not in value and "\n" not in value
            f.write("%s\t%s\t%s\n" % (s.replace("\t", "\\t"), kind, value))
    print("wrote %d rows to %s" % (len(rows), out), file=sys.stderr)


if __name__ == "__main__":
    main()
