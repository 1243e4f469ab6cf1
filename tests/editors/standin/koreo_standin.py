#!/usr/bin/env python3
"""A stand-in for koreo-ls, for developing the editor drivers before the real server has a feature.

Never used by the tests themselves (they run the real target/debug/koreo-ls). It speaks just enough of
the protocol the extension relies on (editors/README.md): diagnostics for a CEL expression ending in a
dangling operator, hover and go-to-definition on function names, the koreo.runTests / koreo.preview /
koreo.workflowGraph commands, work-done progress and koreo/status. Stdlib only.
"""
import json, os, re, sys
from urllib.parse import unquote, urlparse

docs, root = {}, None


def read():
    headers = {}
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            sys.exit(0)
        line = line.decode().strip()
        if not line:
            break
        k, v = line.split(":", 1)
        headers[k.lower()] = v.strip()
    return json.loads(sys.stdin.buffer.read(int(headers["content-length"])))


def send(msg):
    body = json.dumps(dict(jsonrpc="2.0", **msg)).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def rng(line, start, end):
    return {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}


def text_of(uri):
    if uri in docs:
        return docs[uri]
    with open(unquote(urlparse(uri).path), encoding="utf-8") as f:
        return f.read()


def workspace_uris():
    if not root:
        return list(docs)
    out = set(docs)
    for dirpath, _, files in os.walk(unquote(urlparse(root).path)):
        out.update("file://" + os.path.join(dirpath, f) for f in files if f.endswith((".yaml", ".yml", ".koreo", ".k")))
    return sorted(out)


def word_at(uri, pos):
    line = text_of(uri).split("\n")[pos["line"]]
    for m in re.finditer(r"[\w.-]+", line):
        if m.start() <= pos["character"] <= m.end():
            return m.group()


def find_definition(name):
    for uri in workspace_uris():
        lines = text_of(uri).split("\n")
        for i, line in enumerate(lines):
            if re.match(r"^\s+name:\s*%s\s*$" % re.escape(name), line) and i > 0 and lines[i - 1].startswith("metadata:"):
                kind = next((l.split(":", 1)[1].strip() for l in lines[:i] if l.startswith("kind:")), "?")
                return uri, i, line.index(name), kind
    return None


def publish(uri, extra=()):
    diags = list(extra)
    for i, line in enumerate(text_of(uri).split("\n")):
        m = re.search(r"=.*[-+*/]\s*$", line)
        if m:
            diags.append({"range": rng(i, m.start(), len(line.rstrip())), "severity": 1, "source": "koreo-standin",
                          "message": "CEL: expected an expression after the operator"})
    send({"method": "textDocument/publishDiagnostics", "params": {"uri": uri, "diagnostics": diags}})


while True:
    m = read()
    method, mid, p = m.get("method"), m.get("id"), m.get("params") or {}
    if method == "initialize":
        root = p.get("rootUri")
        send({"id": mid, "result": {"serverInfo": {"name": "koreo-standin"}, "capabilities": {
            "textDocumentSync": 1, "hoverProvider": True, "definitionProvider": True,
            "executeCommandProvider": {"commands": ["koreo.runTests", "koreo.preview", "koreo.workflowGraph"]}}}})
    elif method == "initialized":
        send({"id": "progress-1", "method": "window/workDoneProgress/create", "params": {"token": "index"}})
        send({"method": "$/progress", "params": {"token": "index", "value": {"kind": "begin", "title": "Indexing", "percentage": 0}}})
        send({"method": "$/progress", "params": {"token": "index", "value": {"kind": "end"}}})
        send({"method": "koreo/status", "params": {"indexing": False, "cluster": "offline", "message": "stand-in: no cluster"}})
    elif method in ("textDocument/didOpen", "textDocument/didChange"):
        td = p["textDocument"]
        docs[td["uri"]] = td.get("text", (p.get("contentChanges") or [{}])[-1].get("text"))
        publish(td["uri"])
    elif method == "textDocument/hover":
        word = word_at(p["textDocument"]["uri"], p["position"])
        found = word and find_definition(word)
        send({"id": mid, "result": found and {"contents": {"kind": "markdown", "value": "**%s** `%s`" % (found[3], word)}}})
    elif method == "textDocument/definition":
        word = word_at(p["textDocument"]["uri"], p["position"])
        found = word and find_definition(word)
        send({"id": mid, "result": found and [{"uri": found[0], "range": rng(found[1], found[2], found[2] + len(word))}]})
    elif method == "workspace/executeCommand":
        cmd, args = p.get("command"), p.get("arguments") or []
        if cmd == "koreo.runTests":
            lines = text_of(args[0]).split("\n")
            fails = [{"range": rng(i, 0, len(l)), "severity": 1, "source": "koreo-standin",
                      "message": "FunctionTest failed: expected name 'web-api' but found 'web-app'"}
                     for i, l in enumerate(lines) if "expectReturn" in l]
            publish(args[0], fails)
            send({"id": mid, "result": {"passed": 0, "failed": len(fails)}})
        elif cmd == "koreo.preview":
            send({"id": mid, "result": {"title": "preview", "language": "yaml", "content": "# rendered by the stand-in\nname: web-app\n"}})
        elif cmd == "koreo.workflowGraph":
            send({"id": mid, "result": {"title": "Workflow naming", "mermaid": "flowchart TD\n  parent((App)) --> name[name: make-name]"}})
        else:
            send({"id": mid, "error": {"code": -32602, "message": "unknown command"}})
    elif method == "shutdown":
        send({"id": mid, "result": None})
    elif method == "exit":
        sys.exit(0)
    elif mid is not None and method:
        send({"id": mid, "error": {"code": -32601, "message": "unhandled " + method}})
