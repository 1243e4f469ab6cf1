"""Random Koreo CEL expressions and bindings for the differential tester.

`cases(seed, n)` yields `{"id", "expr", "vars"}` dicts. Plain Python (no reference engine
needed), deterministic for a seed.

The grammar is typed loosely: `expr(kind)` prefers producers of that kind (int, double,
string, bool, list, map, bytes, ts, dur, any) but any producer may return something else,
so the operators meet every type pair sooner or later. It is biased toward what Koreo
resources actually contain: `inputs.*` / `parent.*` / `steps.*` / `resource.*` paths into
realistic bindings, the Koreo function library, `has()` guards, ternaries, macros with nested
lambdas, map literals (whose values are lazy errors), string escapes, timestamps and
durations, big ints near the 64-bit limits and regexes users write. A share of cases is
mutated into near-misses (syntax errors, odd whitespace, comments).
"""

import json
import random

IDENT_FIELDS = [
    "name", "namespace", "labels", "spec", "metadata", "status", "replicas", "image", "port",
    "enabled", "tier", "env", "items", "count", "ratio", "tags", "annotations", "a", "b", "x",
    "missing", "conditions", "type", "reason", "message", "value", "size", "int", "in",
    "apiVersion", "kind", "data", "list", "map", "nested", "n", "empty", "zero", "big",
]
STRINGS = [
    "", "a", "web", "prod", "hello world", "Hello", "ns-1", "apps/v1", "v1", "/apps/web/", "a/b/c",
    "a,b,,c", "  padded  ", "--xx-name-xx--", "42", "-7", "3.5", "1e3", "0x10", "true", "True",
    "null", "é", "日本", "😀", "a\nb", "tab\there", "quote\"d", "it's", "back\\slash", "UpToDate",
    "Ready", "2024-01-01T00:00:00Z", "1h30m", "{\"a\": 1}", "[1, 2]", "a29yZW8=", "MiXeD",
    "ÀÉÎ", "ß", "İ", "x" * 40, "%s", "%d items",
]
INTS = [0, 1, -1, 2, 3, 7, 10, 42, -42, 100, 255, 1000, 65535, 2**31 - 1, -2**31,
        2**53 + 1, 2**62, 2**63 - 1, -2**63, -2**63 + 1, 2**63 - 2]
DOUBLES = [0.0, -0.0, 0.5, 1.5, 2.0, -2.5, 3.14159, 1e20, 1e-7, 1e300, -1e300, 2.5e-10, 100.0,
           0.1, 0.2, 1e16, 9.007199254740993e15, 123456789.123]
REGEXES = [
    "^[a-z]+$", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "^v[0-9]+$", "\\\\d+", "^\\\\w+$", ".*",
    "^$", "a|b", "(ab)+", "[[:alpha:]]", "^prod-.*", "(?i)HELLO", "^\\\\s*$", "[", "(", "a{2,}",
    "\\\\bweb\\\\b", "^[^/]+/[^/]+$", "(?P<x>a)(?P=x)", "foo(?=bar)", "é", "\\\\.", "[.]",
    "^(?:[0-9]{1,3}\\\\.){3}[0-9]{1,3}$", "\\\\A\\\\w", "x*?", "\\\\Z", "[\\\\w-]+",
]
TIMESTAMPS = [
    "2024-01-01T00:00:00Z", "2024-02-29T12:30:45.123Z", "2023-12-31T23:59:59+05:30",
    "1970-01-01T00:00:00Z", "2024-06-15T08:00:00-07:00", "2024-01-01", "2024-01-01T10:20:30",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "bad", "2024-13-01T00:00:00Z",
    "2024-01-01T00:00:00.999999999Z", "2024-03-10T02:30:00Z", "2024-01-01 10:00:00",
]
DURATIONS = ["1h", "30m", "90s", "1h30m", "-5m", "1.5h", "0s", "100ms", "1us", "2ns", "1d",
             "", "3h2m1s", "-1.5s", "1000000h", "5", "1m1m"]
TZS = ["UTC", "+02:00", "-05:30", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Bad/Zone", "Z"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.depth = 0
        self.vars = {}
        self.scope = []  # macro variables in scope

    # ---- bindings -------------------------------------------------------------------
    def json_value(self, d=0):
        r = self.r
        k = r.random()
        if d > 3 or k < 0.5:
            return r.choice([
                lambda: r.choice(STRINGS), lambda: r.choice(INTS), lambda: r.choice(DOUBLES),
                lambda: r.choice([True, False]), lambda: None, lambda: r.randint(-5, 20),
                lambda: r.choice(["web", "api", "db"]) + "-" + str(r.randint(0, 9)),
            ])()
        if k < 0.75:
            return [self.json_value(d + 1) for _ in range(r.choice([0, 1, 2, 3, 3, 5]))]
        keys = r.sample(IDENT_FIELDS, r.choice([0, 1, 2, 3, 4]))
        if r.random() < 0.1:
            keys.append(r.choice(["with-dash", "1", "", "a.b", "é"]))
        return {key: self.json_value(d + 1) for key in keys}

    def k8s_object(self):
        r = self.r
        obj = {
            "apiVersion": r.choice(["v1", "apps/v1", "koreo.dev/v1beta1", ""]),
            "kind": r.choice(["Deployment", "Service", "ConfigMap", ""]),
            "metadata": {"name": r.choice(["web", "api", ""]), "labels": {"app": "web", "tier": r.choice(["prod", "dev"])}},
        }
        if r.random() < 0.7:
            obj["metadata"]["namespace"] = r.choice(["default", "prod", ""])
        if r.random() < 0.6:
            obj["spec"] = {"replicas": r.choice([1, 3, 0]), "image": "nginx:1.25",
                           "ports": [{"port": 80, "name": "http"}, {"port": 443}]}
        if r.random() < 0.5:
            conds = [{"type": r.choice(["Ready", "Synced"]), "status": r.choice(["True", "False"]),
                      "reason": r.choice(["UpToDate", "Pending"])} for _ in range(r.randint(0, 3))]
            obj["status"] = {"conditions": conds}
        return obj

    def bindings(self):
        r = self.r
        inputs = {
            "name": r.choice(["web", "my-app", "", "Ünï"]),
            "namespace": r.choice(["default", "prod", ""]),
            "replicas": r.choice([0, 1, 3, 2**63 - 1, -1]),
            "ratio": r.choice([0.5, 1.0, 2.5, -0.0, 1e20]),
            "enabled": r.choice([True, False]),
            "tier": r.choice(["prod", "dev", None]),
            "tags": r.choice([[], ["a", "b"], ["x", "", "y"], [1, "a", None]]),
            "labels": r.choice([{}, {"app": "web"}, {"app": "web", "tier": "prod", "team": "a"}]),
            "items": r.choice([None, [], [1, 2, 3], [{"name": "a", "port": 80}, {"name": "b", "port": 8080}]]),
            "path": r.choice(["/apps/web/", "a/b/c", "", "noslash"]),
            "obj": self.k8s_object(),
            "count": r.choice([0, 2, 10, -3]),
            "nums": r.choice([[1, 2, 3], [3, 1, 2], [1.5, 2.5], [], [0, -1, 2**63 - 1]]),
        }
        for _ in range(r.randint(0, 3)):
            inputs[r.choice(IDENT_FIELDS)] = self.json_value()
        if r.random() < 0.05:
            # Numbers at the edges of what the conversion accepts.
            inputs["edge"] = r.choice([2**63, -2**63 - 1, 2**64, 10**30, float("nan"), float("inf"),
                                       -0.0, 1e308, 5e-324, 2**53 + 1])
        if r.random() < 0.15:
            inputs = r.choice([None, [1, 2], "str", 5])
        vars = {"inputs": inputs}
        if r.random() < 0.3:
            vars["parent"] = {"metadata": {"name": "p", "namespace": "ns"}, "spec": self.json_value()}
        if r.random() < 0.3:
            vars["steps"] = {"config": self.json_value(), "deploy": self.k8s_object()}
        if r.random() < 0.25:
            vars["resource"] = self.k8s_object()
        if r.random() < 0.15:
            vars["locals"] = {"x": self.json_value(), "prefix": "pre"}
        self.vars = vars
        return vars

    # ---- expressions ----------------------------------------------------------------
    def path_into(self, value, prefix, depth=0):
        """A dotted/indexed path into a binding, sometimes stepping off the end."""
        r = self.r
        if depth > 4 or r.random() < 0.3:
            if r.random() < 0.15:
                return prefix + "." + r.choice(["missing", "nope", "name"])
            return prefix
        if isinstance(value, dict) and value:
            k = r.choice(list(value))
            if k.isidentifier() and r.random() < 0.8:
                return self.path_into(value[k], f"{prefix}.{k}", depth + 1)
            return self.path_into(value[k], f"{prefix}[{json.dumps(k, ensure_ascii=r.random() < 0.5)}]", depth + 1)
        if isinstance(value, list) and value:
            i = r.choice([0, len(value) - 1, -1, len(value), -len(value) - 1, 0])
            idx = r.choice([str(i), str(i), "true" if i == 1 else str(i), f"{i}u", f"{i}.0"]) if r.random() < 0.2 else str(i)
            inner = value[i] if -len(value) <= i < len(value) else None
            return self.path_into(inner, f"{prefix}[{idx}]", depth + 1)
        return prefix

    def var_path(self):
        r = self.r
        if self.scope and r.random() < 0.4:
            return r.choice(self.scope)
        name = r.choice(list(self.vars)) if self.vars else "inputs"
        if r.random() < 0.03:
            name = r.choice(["nothing", "inputs", "self", "template"])
        return self.path_into(self.vars.get(name), name)

    def str_lit(self):
        r = self.r
        s = r.choice(STRINGS)
        k = r.random()
        if k < 0.45:
            return json.dumps(s, ensure_ascii=r.random() < 0.5)
        if k < 0.6:
            body = s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
            return f"'{body}'"
        if k < 0.7:
            esc = r.choice(["\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\a\\b\\f\\v", "\\q", "\\", "\\'",
                            "\\\\", "\\t", "\\377", "\\xff", "\\ud800", "\\0", "\\400", "\\x4"])
            return r.choice(['"', "'"]) + "x" + esc + "y" + r.choice(['"', "'"])[:1].replace("'", "'")
        if k < 0.8:
            q = r.choice(['"""', "'''"])
            body = s.replace(q[0], "\\" + q[0]) if r.random() < 0.5 else s.replace(q[0], "")
            return f"{q}{body}{q}"
        if k < 0.9:
            pre = r.choice(["r", "R"])
            body = r.choice(["\\n", "\\d+", "a\\'b", "C:\\\\path", "\\u00e9", "plain"])
            q = r.choice(['"', "'", '"""'])
            return f"{pre}{q}{body}{q}"
        return json.dumps(s, ensure_ascii=False)

    def int_lit(self):
        r = self.r
        k = r.random()
        if k < 0.6:
            return str(r.choice([0, 1, 2, 3, 5, 10, -1, -3, 42, 100]))
        if k < 0.8:
            return str(r.choice(INTS + [2**63, -2**63 - 1, 2**64, 10**20]))
        if k < 0.9:
            return r.choice(["0x10", "0xFF", "-0x1", "0x7fffffffffffffff", "0x8000000000000000", "0XaB"])
        return r.choice(["1u", "0u", "18446744073709551615u", "18446744073709551616u", "0x10u", "7U"])

    def dbl_lit(self):
        r = self.r
        return r.choice(["0.0", "1.5", "-2.5", "1e3", "1.", ".5", "1e-7", "1e20", "1.0", "2.0",
                         "3.14", "1e308", "1e309", "-0.0", "6.02e23", "0.1", "1E2", "1.5e+2"])

    def any_lit(self):
        r = self.r
        return r.choice([self.int_lit, self.dbl_lit, self.str_lit, lambda: r.choice(["true", "false", "null"]),
                         lambda: "b" + self.str_lit() if r.random() < 0.7 else "b'\\xff\\x00'"])()

    def expr(self, kind="any", d=None):
        r = self.r
        if d is None:
            d = self.depth
        if d <= 0 or r.random() < 0.18:
            return self.leaf(kind)
        self.depth = d - 1
        try:
            producers = {
                "int": [self.arith, self.size_call, self.int_conv, self.ts_getter, self.ternary, self.index_expr, self.reduce_macro],
                "double": [self.arith, self.dbl_conv, self.ternary],
                "string": [self.str_fn, self.concat, self.string_conv, self.ternary, self.index_expr, self.to_json_call],
                "bool": [self.compare, self.logic, self.has_call, self.str_pred, self.bool_macro, self.in_expr, self.not_expr],
                "list": [self.list_lit, self.list_macro, self.split_call, self.concat, self.flatten_call, self.ternary],
                "map": [self.map_lit, self.ref_fn, self.overlay_call, self.from_json_call, self.ternary],
                "bytes": [self.bytes_expr],
                "ts": [self.ts_expr],
                "dur": [self.dur_expr],
            }
            if kind == "any":
                kind = r.choice(list(producers) + ["int", "string", "bool", "list", "map"] * 2)
            choices = producers.get(kind, producers["int"])
            if r.random() < 0.1:
                choices = [self.paren, self.dyn_call, self.weird]
            return r.choice(choices)()
        finally:
            self.depth = d

    def sub(self, kind="any"):
        return self.expr(kind, self.depth)

    def leaf(self, kind):
        r = self.r
        if r.random() < 0.55:
            return self.var_path()
        return {
            "int": self.int_lit, "double": self.dbl_lit, "string": self.str_lit,
            "bool": lambda: r.choice(["true", "false"]),
            "list": lambda: r.choice(["[]", "[1, 2, 3]", "['a', 'b']", "[1, 'a', null]", "[[1], [2, 3]]"]),
            "map": lambda: r.choice(["{}", "{'a': 1}", "{'a': {'b': 2}}", "{1: 'one', 2: 'two'}", "{'k': [1, 2]}"]),
            "bytes": lambda: r.choice(["b'abc'", "b''", "b'\\xff'", "B\"x\""]),
            "ts": lambda: f"timestamp('{r.choice(TIMESTAMPS)}')",
            "dur": lambda: f"duration('{r.choice(DURATIONS)}')",
        }.get(kind, self.any_lit)()

    # producers
    def paren(self):
        return f"({self.sub()})"

    def dyn_call(self):
        return f"dyn({self.sub()})"

    def weird(self):
        r = self.r
        return r.choice([
            lambda: f"{self.sub()}.{r.choice(IDENT_FIELDS)}",
            lambda: f"type({self.sub()})",
            lambda: f"type({self.sub()}) == {r.choice(['int', 'string', 'double', 'bool', 'list', 'map', 'null_type', 'uint', 'bytes'])}",
            lambda: f"{r.choice(['int', 'string', 'size', 'to_ref', 'timestamp'])}",
            lambda: f"{self.sub()} % {self.sub()}",
            lambda: f"'%s-%d' % {self.sub()}",
            lambda: f"{self.sub()}.{r.choice(['unknownFn', 'toUpper', 'join', 'keys'])}()",
            lambda: f".{self.var_path()}",
            lambda: f"{r.choice(['list', 'map', 'bool', 'bytes', 'uint', 'double'])}({self.sub()})",
            lambda: f"{self.sub()}.min()",
        ])()

    def arith(self):
        r = self.r
        op = r.choice(["+", "-", "*", "/", "%", "+", "-", "*"])
        a = self.sub(r.choice(["int", "int", "double", "any"]))
        b = self.sub(r.choice(["int", "int", "double", "any"]))
        if r.random() < 0.15:
            return f"-{a}"
        return f"{a} {op} {b}"

    def size_call(self):
        r = self.r
        x = self.sub(r.choice(["string", "list", "map", "any", "bytes"]))
        return r.choice([f"size({x})", f"{x}.size()"])

    def int_conv(self):
        r = self.r
        x = self.sub(r.choice(["double", "string", "any", "int"]))
        return f"{r.choice(['int', 'uint', 'int'])}({x})"

    def dbl_conv(self):
        return f"double({self.sub(self.r.choice(['int', 'string', 'any']))})"

    def string_conv(self):
        return f"string({self.sub()})"

    def ts_getter(self):
        r = self.r
        g = r.choice(["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
                      "getHours", "getMinutes", "getSeconds", "getMilliseconds"])
        recv = self.sub(r.choice(["ts", "ts", "dur"]))
        tz = f"'{r.choice(TZS)}'" if r.random() < 0.3 else ""
        return f"{recv}.{g}({tz})"

    def ternary(self):
        r = self.r
        c = self.sub(r.choice(["bool", "bool", "any"]))
        k = r.choice(["any", "int", "string"])
        return f"{c} ? {self.sub(k)} : {self.sub(k)}"

    def index_expr(self):
        r = self.r
        recv = self.sub(r.choice(["list", "map", "string", "any"]))
        idx = r.choice([lambda: self.sub("int"), lambda: self.str_lit(),
                        lambda: r.choice(["0", "-1", "1", "true", "false", "10", "-10", "1u", "1.0", "null", "'a'"])])()
        return f"{recv}[{idx}]"

    def reduce_macro(self):
        r = self.r
        recv = self.sub("list")
        v = r.choice(["x", "i", "acc"])
        self.scope += ["acc", v]
        body = self.sub(r.choice(["int", "any"]))
        self.scope = self.scope[:-2]
        return f"{recv}.reduce(acc, {v}, {self.sub('int')}, {body})"

    def str_fn(self):
        r = self.r
        s = self.sub("string")
        f = r.choice(["lower", "strip", "rstrip", "split_first", "split_last", "split_index", "replace",
                      "b64encode", "b64decode", "lower", "strip"])
        arg = {
            "lower": [], "b64encode": [], "b64decode": [],
            "strip": [self.str_lit()] if r.random() < 0.8 else [],
            "rstrip": [self.str_lit()],
            "split_first": [self.str_lit()], "split_last": [self.str_lit()],
            "split_index": [self.str_lit(), self.sub("int")],
            "replace": [self.str_lit(), self.sub("string")],
        }[f]
        if r.random() < 0.5:
            return f"{s}.{f}({', '.join(arg)})"
        return f"{f}({', '.join([s] + arg)})"

    def concat(self):
        r = self.r
        k = r.choice(["string", "string", "list", "any"])
        return f"{self.sub(k)} + {self.sub(k)}"

    def to_json_call(self):
        x = self.sub()
        return self.r.choice([f"to_json({x})", f"{x}.to_json()"])

    def compare(self):
        r = self.r
        op = r.choice(["==", "!=", "<", "<=", ">", ">=", "==", "=="])
        k = r.choice(["int", "string", "any", "double", "list", "map", "ts", "dur"])
        rhs = self.sub(k) if r.random() < 0.7 else r.choice(["null", "[]", "{}", "''", "0", "1.0", "true"])
        return f"{self.sub(k)} {op} {rhs}"

    def logic(self):
        r = self.r
        op = r.choice(["&&", "||"])
        return f"{self.sub(r.choice(['bool', 'bool', 'any']))} {op} {self.sub(r.choice(['bool', 'bool', 'any']))}"

    def has_call(self):
        r = self.r
        if r.random() < 0.7:
            return f"has({self.var_path()})"
        return f"has({self.sub()})"

    def str_pred(self):
        r = self.r
        s = self.sub("string")
        f = r.choice(["startsWith", "endsWith", "contains", "matches", "matches"])
        arg = f"'{r.choice(REGEXES)}'" if f == "matches" else self.sub("string")
        return r.choice([f"{s}.{f}({arg})", f"{f}({s}, {arg})"])

    def macro_var(self):
        return self.r.choice(["x", "y", "item", "k", "e", "c"])

    def bool_macro(self):
        r = self.r
        recv = self.sub(r.choice(["list", "list", "map", "any"]))
        v = self.macro_var()
        self.scope.append(v)
        body = self.sub(r.choice(["bool", "bool", "any"]))
        self.scope.pop()
        m = r.choice(["all", "exists", "exists_one"])
        return f"{recv}.{m}({v}, {body})"

    def list_macro(self):
        r = self.r
        recv = self.sub(r.choice(["list", "list", "map", "any"]))
        v = self.macro_var()
        self.scope.append(v)
        if r.random() < 0.8:
            m = r.choice(["map", "filter", "map"])
            body = self.sub("bool" if m == "filter" else "any")
            self.scope.pop()
            if m == "map" and r.random() < 0.1:
                return f"{recv}.map({v}, {self.sub('bool')}, {body})"
            return f"{recv}.{m}({v}, {body})"
        body = self.sub("bool")
        self.scope.pop()
        return f"{recv}.filter({v}, {body}).map({v}, {v})"

    def in_expr(self):
        r = self.r
        return f"{self.sub()} in {self.sub(r.choice(['list', 'map', 'string', 'any']))}"

    def not_expr(self):
        return f"!{self.sub('bool')}"

    def list_lit(self):
        r = self.r
        n = r.choice([0, 1, 2, 3])
        items = ", ".join(self.sub() for _ in range(n))
        return f"[{items}{',' if n and r.random() < 0.1 else ''}]"

    def map_lit(self):
        r = self.r
        n = r.choice([0, 1, 2, 3])
        parts = []
        for _ in range(n):
            key = r.choice([lambda: self.str_lit(), lambda: self.int_lit(), lambda: r.choice(["true", "1.5", "null"]),
                            lambda: self.sub("string"), lambda: json.dumps(r.choice(IDENT_FIELDS))])()
            parts.append(f"{key}: {self.sub()}")
        return "{" + ", ".join(parts) + (", " if n and r.random() < 0.1 else "") + "}"

    def split_call(self):
        r = self.r
        s = self.sub("string")
        sep = self.str_lit() if r.random() < 0.8 else self.sub()
        return r.choice([f"split({s}, {sep})", f"{s}.split({sep})"])

    def flatten_call(self):
        x = self.sub("list")
        return self.r.choice([f"flatten({x})", f"{x}.flatten()"])

    def ref_fn(self):
        r = self.r
        f = r.choice(["to_ref", "group_ref", "kindless_ref", "self_ref", "config_connect_ready"])
        x = self.sub("map") if r.random() < 0.5 else self.var_path()
        return r.choice([f"{f}({x})", f"{x}.{f}()"])

    def overlay_call(self):
        a, b = self.sub("map"), self.sub("map")
        return self.r.choice([f"overlay({a}, {b})", f"{a}.overlay({b})"])

    def from_json_call(self):
        r = self.r
        s = r.choice(['\'{"a": 1, "b": [true, null, 1.5]}\'', "'[1, 2'", "''", "'null'", "'1e400'",
                      "'99999999999999999999'", "'\"\\\\u00e9\"'", "'{\"a\": 1, \"a\": 2}'", "' 7 '",
                      "'NaN'", "'-Infinity'", "'[1,]'"])
        if r.random() < 0.3:
            s = f"to_json({self.sub()})"
        return f"from_json({s})"

    def bytes_expr(self):
        r = self.r
        return r.choice([f"bytes({self.sub('string')})", f"b'ab' + {self.sub('bytes')}", "b'\\x00\\xff'"])

    def ts_expr(self):
        r = self.r
        return r.choice([
            lambda: f"timestamp('{r.choice(TIMESTAMPS)}')",
            lambda: f"timestamp({self.sub('string')})",
            lambda: f"{self.sub('ts')} + {self.sub('dur')}",
            lambda: f"{self.sub('ts')} - {self.sub('dur')}",
        ])()

    def dur_expr(self):
        r = self.r
        return r.choice([
            lambda: f"duration('{r.choice(DURATIONS)}')",
            lambda: f"{self.sub('ts')} - {self.sub('ts')}",
            lambda: f"{self.sub('dur')} {r.choice(['+', '-', '*', '/'])} {self.sub(r.choice(['dur', 'int', 'double']))}",
        ])()

    # ---- syntax noise -------------------------------------------------------------------
    def mutate(self, e):
        r = self.r
        k = r.random()
        if k < 0.25:  # drop a character
            i = r.randrange(len(e)) if e else 0
            return e[:i] + e[i + 1:]
        if k < 0.45:  # insert a token
            i = r.randrange(len(e) + 1)
            tok = r.choice(["(", ")", "[", "]", "{", "}", ",", ".", "?", ":", "+", "-", "!", "&&", "||",
                            "'", '"', "in ", " 1", "a", "\\", "=", "==", "@", "#", "$", "?."])
            return e[:i] + tok + e[i:]
        if k < 0.6:  # whitespace
            i = r.randrange(len(e) + 1)
            ws = r.choice(["\n", "\t", "\r\n", "\f", "\v", "  ", "\u00a0", "\u2028", "\r"])
            return e[:i] + ws + e[i:]
        if k < 0.75:  # comment
            return r.choice([f"// lead\n{e}", f"{e} // trailing", f"{e}\n// end", f"{e}/* c */"])
        if k < 0.85:
            return "=" * r.randint(1, 2) + e
        return r.choice(["", " ", "()", "[", "a.", "1 +", "?", "has()", "1..2", "a.b.", "'unterminated",
                         "inputs.", "x.map(", "{:}", "[,]", "1 2", "a b", "&&", "!", "--1", "- -1"])


def realistic_exprs():
    """Hand-written styles from Koreo examples (mirrors of koreo-core / koreo-tooling)."""
    return [
        "inputs.name + '-' + inputs.namespace",
        "has(inputs.labels) ? inputs.labels : {}",
        "inputs.obj.metadata.name",
        "inputs.obj.to_ref()",
        "inputs.obj.self_ref()",
        "inputs.obj.config_connect_ready()",
        "{'name': inputs.name, 'namespace': inputs.namespace}.to_ref()",
        "inputs.items.map(item, item.name)",
        "inputs.items.filter(i, i.port > 1000).map(i, i.name)",
        "inputs.tags.map(t, t.lower())",
        "inputs.tags.exists(t, t == 'a')",
        "size(inputs.tags) > 0",
        "inputs.replicas > 0 ? inputs.replicas : 1",
        "inputs.enabled && inputs.replicas > 1",
        "inputs.path.split('/')",
        "inputs.path.split_last('/')",
        "inputs.path.rstrip('/').split_last('/')",
        "'%s-%s' % [inputs.name, inputs.namespace]",
        "inputs.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
        "string(inputs.replicas)",
        "int(inputs.ratio * 100.0)",
        "inputs.labels.overlay({'managed-by': 'koreo'})",
        "to_json(inputs.labels)",
        "b64encode(to_json(inputs.labels))",
        "inputs.obj.status.conditions.filter(c, c.type == 'Ready')",
        "inputs.obj.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
        "has(inputs.obj.status.conditions) && inputs.obj.status.conditions.all(c, c.status == 'True')",
        "inputs.obj.metadata.labels.map(k, k + '=' + inputs.obj.metadata.labels[k])",
        "inputs.nums.reduce(acc, n, 0, acc + n)",
        "inputs.nums.min()",
        "inputs.items.map(i, {'name': i.name, 'port': i.port})",
        "inputs.items.map(i, i.port).filter(p, p < 8000)",
        "[inputs.name, inputs.namespace].filter(s, s != '')",
        "inputs.tier == 'prod' ? 3 : 1",
        "inputs.tier == null",
        "has(inputs.tier) && inputs.tier != null",
        "{'app': inputs.name, 'tier': has(inputs.tier) ? inputs.tier : 'dev'}",
        "timestamp('2024-01-01T00:00:00Z') + duration('24h')",
        "inputs.name.size() <= 63",
        "'web' in inputs.tags",
        "inputs.labels.app",
        "inputs.labels['app']",
        "inputs.obj.spec.ports.map(p, p.port)",
        "inputs.obj.spec.ports.map(p, has(p.name) ? p.name : string(p.port))",
        "inputs.obj.spec.ports.exists_one(p, p.port == 80)",
        "from_json(to_json(inputs.labels))",
        "inputs.name.replace('-', '_')",
        "inputs.name.split_index('-', 0)",
        "steps.config.value",
        "parent.metadata.name + '-child'",
        "resource.metadata.name",
        "locals.prefix + '-' + inputs.name",
        "inputs.obj.metadata.?labels",
        "inputs.name.upperAscii()",
        "flatten([inputs.tags, ['z']])",
        "inputs.items.map(i, i.name).join(',')",
        "double(inputs.replicas) / 2.0",
        "inputs.replicas / 2",
        "inputs.ratio * 2",
        "inputs.replicas * 2.0",
        "inputs.count % 3 == 0",
        "inputs.replicas + 1",
        "-inputs.replicas",
        "inputs.obj.metadata.labels.filter(k, k.startsWith('t'))",
        "inputs.obj.kind.lower() + 's'",
    ]


def cases(seed, n, mutate_share=0.12):
    rng = random.Random(seed)
    g = Gen(rng)
    real = realistic_exprs()
    for i in range(n):
        vars = g.bindings()
        g.scope = []
        if rng.random() < 0.1:
            e = rng.choice(real)
        else:
            g.depth = rng.choice([1, 2, 2, 3, 3, 4, 5])
            e = g.expr(rng.choice(["any", "any", "int", "string", "bool", "list", "map"]))
        if rng.random() < mutate_share:
            e = g.mutate(e)
        elif rng.random() < 0.05:
            e = rng.choice([" ", "\t", "\n", "  "]) + e.replace(" ", rng.choice(["  ", "\n", "\t", " "])) + rng.choice(["", " ", "\n"])
        yield {"id": f"{seed}-{i}", "expr": e, "vars": vars}


REGEX_ATOMS = [
    "a", "b", "ab", ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "[a-z]", "[^a-z]", "[abc]",
    "[a-]", "[]a]", "[[:alpha:]]", "[\\d-]", "[.]", "\\.", "\\-", "é", "日", "\\b", "\\B", "\\A",
    "\\Z", "^", "$", "\\n", "\\t", "\\x41", "\\u00e9", "\\101", "\\0", "\\1", "\\q", "\\z",
    "\\G", "\\p{L}", "\\N{LATIN SMALL LETTER A}", "{", "}", "{2}", "]", ")", "(", "|", "\\\\",
    "[\\w.-]", "[a-\\d]", "[z-a]", "(?i)", "(?s)", "(?m)", "(?x)", "(?a)", "(?u)", "(?L)", "(?-i:a)",
    "(?i:a)", "(?#c)", "\\f", "\\v", "\\a", "\\e", "\\r", "[^]", "[]", "[\\]]", "(?P<n>a)",
    "(?P=n)", "(?<n>a)", "(?i:é)", "(?a:\\w)", "(?s:.)", "(?m:^a)", "(?m:a$)", "(?i:[a-z])", "(?a:\\b)",
    "(?i:ß)", "(?i:k)",
]
REGEX_QUANTS = ["", "", "", "*", "+", "?", "*?", "+?", "??", "*+", "++", "?+", "{2}", "{1,}", "{,2}",
                "{1,2}", "{2,1}", "{1,2}?", "{1,2}+", "{x}", "**", "{", "{1"]
REGEX_TEXTS = ["", "a", "ab", "abc", "aab", "ba", "A", "é", "a\nb", "a b", "123", "x.y", "-", "abcabc",
               "日本", "a\n", "\n", "ǅ", "K", "web-1", "prod-api", "v1.2.3", "10.0.0.1", "Hello World",
               "ÉCOLE", "école", "straße", "STRASSE", "a\u0301", "١٢", "\u00a0", "\x1c", "  ", "_"]


def regex_cases(seed, n):
    """`matches()` with random Python patterns (most of them invalid on purpose)."""
    r = random.Random(seed)

    def pat(d=0):
        parts = []
        for _ in range(r.choice([1, 2, 3, 4])):
            k = r.random()
            if k < 0.15 and d < 2:
                g = r.choice(["(", "(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?P<g>"])
                parts.append(g + pat(d + 1) + ")" + r.choice(REGEX_QUANTS))
            elif k < 0.2 and d < 2:
                parts.append(pat(d + 1) + "|" + pat(d + 1))
            else:
                parts.append(r.choice(REGEX_ATOMS) + r.choice(REGEX_QUANTS))
        return "".join(parts)

    i = 0
    while i < n:
        p = pat()
        if "'" in p or '"' in p:
            continue
        t = json.dumps(r.choice(REGEX_TEXTS), ensure_ascii=False)
        e = f"matches({t}, r'{p}')" if r.random() < 0.5 else f"{t}.matches(r'{p}')"
        yield {"id": f"re{seed}-{i}", "expr": e, "vars": {}}
        i += 1


FORMAT_ARGS = ["1", "-42", "0", "2.5", "-0.0", "1e300", "1e-7", "123456.789", "true", "false", "null",
               "'abc'", "'é'", "'x'", "[1, 2]", "{'a': 1, 'k': 'v'}", "b'xy'", "b'z'", "65", "1114112",
               "18446744073709551615u", "(1.0/0.0)", "(-1.0/0.0)", "double('nan')", "(1.5 + 0.5)",
               "(true + true)", "duration('1s')", "timestamp('2024-01-01T00:00:00Z')", "[]", "{}",
               "9223372036854775807"]


def format_cases(seed, n):
    """Python `%` formatting: `'fmt' % x` and `b'fmt' % x` with random specs."""
    r = random.Random(seed)

    def spec():
        s = "%"
        if r.random() < 0.15:
            s += "(" + r.choice(["a", "k", "zz", "0", ""]) + ")"
        s += "".join(r.choice("-+ #0") for _ in range(r.choice([0, 0, 1, 2])))
        if r.random() < 0.4:
            s += r.choice(["1", "5", "10", "*", "02"])
        if r.random() < 0.4:
            s += "." + r.choice(["", "0", "1", "3", "10", "*"])
        if r.random() < 0.05:
            s += r.choice("hlL")
        s += r.choice(list("sradiuoxXeEfFgGc%") + ["q", "\\r", "b"])
        return s

    for i in range(n):
        fmt = "".join(r.choice(["x", spec(), " ", "%%", "|"]) for _ in range(r.choice([1, 1, 2, 3])))
        if r.random() < 0.05:
            fmt += "%"
        lit = "'" + fmt.replace("'", "\\'") + "'"
        if r.random() < 0.1:
            lit = "b" + lit
        e = f"{lit} % {r.choice(FORMAT_ARGS)}"
        if r.random() < 0.1:
            e = f"size({e})"
        yield {"id": f"fmt{seed}-{i}", "expr": e, "vars": {}}


def timestamp_cases(seed, n, clock_free=False):
    """`timestamp(text)` over ISO 8601 and pendulum's fallback forms, valid or nearly so.
    Times without a date take today's date in the engine: `clock_free` leaves them out."""
    r = random.Random(seed)

    def two():
        return r.choice(["01", "12", "00", "13", "31", "29", "30", "1", "001", "60", "24", "59", "99"])

    def date():
        y = r.choice(["2024", "2023", "0001", "9999", "0000", "1970", "024", "20245"])
        k = r.random()
        if k < 0.3:
            return f"{y}-{two()}-{two()}"
        if k < 0.4:
            return f"{y}{two()}{two()}"
        if k < 0.5:
            return f"{y}-{two()}"
        if k < 0.55:
            return y
        if k < 0.65:
            return f"{y}-{r.choice(['001', '032', '365', '366', '367', '000', '1'])}"
        if k < 0.7:
            return f"{y}{r.choice(['001', '366', '36'])}"
        if k < 0.8:
            return f"{y}-W{r.choice(['01', '53', '54', '00', '1'])}" + r.choice(["", "-1", "-7", "-8", "-0", "3"])
        if k < 0.85:
            return f"{y}W{r.choice(['01', '53'])}" + r.choice(["", "1", "7", "-1"])
        return f"{y}{r.choice(['/', ':'])}{two()}{r.choice(['/', ':', ''])}{two()}"

    def time():
        h, m, sec = two(), two(), two()
        t = r.choice([h, f"{h}:{m}", f"{h}{m}", f"{h}:{m}:{sec}", f"{h}{m}{sec}", f"{h}:{m}{sec}",
                      f"{h}{m}:{sec}", f"{h}:", f"{h}:{m}:"])
        if r.random() < 0.3:
            t += r.choice([".", ","]) + r.choice(["5", "123", "123456", "1234567890", "", "x"])
        if r.random() < 0.5:
            t += r.choice(["Z", "z", "+00:00", "-05:30", "+05", "+0530", "+23:59", "-00:00", "+5",
                           "+05:3", "+0", " +05:00", "UTC", "+05:60", "+99"])
        return t

    for i in range(n):
        k = r.random()
        if k < 0.6:
            text = date() + r.choice(["T", " ", "t", "  ", "_"]) + time()
        elif k < 0.85 or clock_free:
            text = date()
        else:
            text = r.choice(["", " "]) + time()
        e = r.choice([f"string(timestamp({json.dumps(text)}))", f"timestamp({json.dumps(text)})",
                      f"timestamp({json.dumps(text)}).getDayOfYear()"])
        yield {"id": f"ts{seed}-{i}", "expr": e, "vars": {}}


def duration_cases(seed, n):
    """`duration(text)`: numbers, units and signs, valid or nearly so."""
    r = random.Random(seed)
    units = ["h", "m", "s", "ms", "us", "µs", "ns", "d", "H", "", "x", "min"]
    numbers = ["1", "0", "1.5", ".5", "5.", "-1", "+2", "100000000000", "1e3", "0.000001", "", "3",
               "90", "-0", "1_0", "."]
    for i in range(n):
        text = "".join(r.choice(numbers) + r.choice(units) for _ in range(r.choice([1, 1, 2, 3])))
        if r.random() < 0.1:
            text = r.choice(["-", "+", " "]) + text
        e = r.choice([f"string(duration({json.dumps(text, ensure_ascii=False)}))",
                      f"duration({json.dumps(text, ensure_ascii=False)}).getSeconds()",
                      f"duration({json.dumps(text, ensure_ascii=False)}).getMilliseconds()"])
        yield {"id": f"dur{seed}-{i}", "expr": e, "vars": {}}


if __name__ == "__main__":
    import sys
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for c in cases(seed, n):
        print(json.dumps(c, ensure_ascii=False))
