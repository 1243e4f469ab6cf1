//! The real `koreo-ls` binary over stdio, speaking JSON-RPC like an editor would.

use koreo_e2e::{LspClient, file_uri, repo_root};
use serde_json::{Value, json};

fn demo() -> std::path::PathBuf {
    repo_root().join("fixtures/web-service")
}

fn diagnostics_for<'a>(params: &'a Value, uri: &str) -> Option<&'a Vec<Value>> {
    (params["uri"] == uri)
        .then(|| params["diagnostics"].as_array())
        .flatten()
}

#[test]
fn edit_diagnose_navigate_and_shut_down() {
    let mut c = LspClient::spawn(&["--stdio"], &[]);
    let init = c.initialize(&demo(), &["utf-8", "utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(init["serverInfo"]["name"], "koreo-ls");

    // The initial index finishes with a koreo/status and a $/progress end.
    let status = c.notification("koreo/status", |p| p["indexing"] == false);
    assert_eq!(status["cluster"], "offline");
    assert!(
        status["message"].as_str().unwrap().contains("11 files"),
        "{status}"
    );
    c.notification("$/progress", |p| p["value"]["kind"] == "end");

    // Open the workflow with a typo in a step's ref.
    let wf_path = demo().join("workflow.k.yaml");
    let uri = file_uri(&wf_path);
    let text = std::fs::read_to_string(&wf_path)
        .unwrap()
        .replace("name: web-config\n", "name: web-confg\n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 1, "text": text}}),
    );
    let published = c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &uri).is_some_and(|d| !d.is_empty())
    });
    assert_eq!(published["version"], 1);
    let d = &published["diagnostics"][0];
    assert_eq!(d["code"], "unknown-reference");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "koreo");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean 'web-config'?"),
        "{d}"
    );
    // On the reference's name: line of `name: web-confg` under the first step.
    let line = text
        .lines()
        .position(|l| l.trim() == "name: web-confg")
        .unwrap();
    assert_eq!(d["range"]["start"], json!({"line": line, "character": 14}));
    assert_eq!(d["range"]["end"], json!({"line": line, "character": 23}));

    // Fix it with an incremental edit: insert the missing `i`.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": line, "character": 22}, "end": {"line": line, "character": 22}}, "text": "i"}]
        }),
    );
    let fixed = c.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str() && p["version"] == 2
    });
    assert_eq!(fixed["diagnostics"], json!([]));

    // Go to definition of web-configmap (the config_map step's ref).
    let ref_line = text
        .lines()
        .position(|l| l.trim() == "name: web-configmap")
        .unwrap();
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": {"line": ref_line, "character": 18}}),
    );
    let locs = def["result"].as_array().expect("locations");
    assert_eq!(locs.len(), 1);
    let target = demo().join("functions/configmap.k.yaml");
    assert_eq!(locs[0]["uri"], file_uri(&target));
    let target_line = std::fs::read_to_string(&target)
        .unwrap()
        .lines()
        .position(|l| l.trim() == "name: web-configmap")
        .unwrap();
    assert_eq!(
        locs[0]["range"]["start"],
        json!({"line": target_line, "character": 8})
    );

    // Hover names the target and the inputs it reads.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": ref_line, "character": 18}}),
    );
    let md = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**ResourceFunction** `web-configmap`"), "{md}");
    assert!(md.contains("`inputs.port`"), "{md}");
    let shown = demo()
        .join("functions/configmap.k.yaml")
        .canonicalize()
        .unwrap();
    assert!(md.contains(&format!("file: `{}`", shown.display())), "{md}");

    // References of web-config from its definition, with and without the declaration.
    let vf = demo().join("functions/config.k.yaml");
    let vf_line = std::fs::read_to_string(&vf)
        .unwrap()
        .lines()
        .position(|l| l.trim() == "name: web-config")
        .unwrap();
    let refs = |c: &mut LspClient, include: bool| {
        c.request(
            "textDocument/references",
            json!({"textDocument": {"uri": file_uri(&vf)}, "position": {"line": vf_line, "character": 10}, "context": {"includeDeclaration": include}}),
        )["result"]
            .as_array()
            .unwrap()
            .len()
    };
    // Referenced by the workflow step and by the FunctionTest.
    assert_eq!(refs(&mut c, false), 2);
    assert_eq!(refs(&mut c, true), 3);

    // Outline: the workflow with its four steps.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let top = &symbols["result"][0];
    assert_eq!(top["name"], "web-app");
    let steps: Vec<&str> = top["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["config", "config_map", "deployment", "service"]);

    let ws = c.request("workspace/symbol", json!({"query": "deploy"}));
    let names: Vec<&str> = ws["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"web-deployment") && names.contains(&"web-deployment-template"),
        "{names:?}"
    );

    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(!folds["result"].as_array().unwrap().is_empty());

    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn utf16_positions_when_the_client_does_not_offer_utf8() {
    let mut c = LspClient::spawn(&[], &[]);
    let init = c.initialize(&demo(), &["utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    c.notification("koreo/status", |p| p["indexing"] == false);
    // An unsaved document (not on disk) with a non-BMP character before the reference.
    let uri = "untitled:Untitled-1";
    let text = "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {name: t}\nspec:\n  functionRef: {kind: ValueFunction, name: \"😀\", x: 1}\n---\napiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {name: u}\nspec:\n  functionRef: {x: \"😀\", kind: ValueFunction, name: nope}\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 7, "text": text}}),
    );
    let p = c.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri);
    assert_eq!(p["version"], 7);
    let d: Vec<&Value> = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unknown-reference")
        .collect();
    assert_eq!(d.len(), 2, "{p:#}");
    // `"😀"` starts at column 43 and spans 4 UTF-16 units (2 quotes + a surrogate pair).
    assert_eq!(d[0]["range"]["start"], json!({"line": 4, "character": 43}));
    assert_eq!(d[0]["range"]["end"], json!({"line": 4, "character": 47}));
    // After the emoji (4 bytes but 2 UTF-16 units) `nope` is at UTF-16 column 52.
    assert_eq!(d[1]["range"]["start"], json!({"line": 10, "character": 52}));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn malformed_messages_and_panics_do_not_kill_the_server() {
    let mut c = LspClient::spawn(&["--stdio"], &[("KOREO_LS_PANIC_REQUEST", "1")]);
    c.initialize(&demo(), &["utf-16"]);
    c.notification("koreo/status", |p| p["indexing"] == false);

    // Invalid params on a request: an error response, not a crash.
    let bad = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");

    // Invalid params on notifications (async-lsp would stop its loop on these by default).
    c.notify("textDocument/didChange", json!({"garbage": 1}));
    c.notify("textDocument/didOpen", json!([1, 2, 3]));
    c.notify("some/unknownNotification", json!({}));

    // A request handler that panics becomes an internal error.
    let panicked = c.request("koreo/internal/panic", json!({}));
    assert_eq!(panicked["error"]["code"], -32603, "{panicked}");
    assert!(
        panicked["error"]["message"]
            .as_str()
            .unwrap()
            .contains("panic requested")
    );

    // Unknown request: method not found.
    let unknown = c.request("koreo/doesNotExist", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    // A request cancelled right away is still answered (result or RequestCancelled).
    let id = c.send_request("workspace/symbol", json!({"query": ""}));
    c.notify("$/cancelRequest", json!({"id": id}));
    let answer = c.response(id);
    assert!(
        answer.get("result").is_some() || answer["error"]["code"] == -32800,
        "{answer}"
    );

    // An edit whose range splits a character (a surrogate pair in UTF-16) is applied at
    // the nearest character boundaries instead of corrupting or crashing.
    let uri = "untitled:split";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 1, "text": "a: \"😀\"\n"}}),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"] == 1
    });
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 5}}, "text": "x"}]
        }),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"] == 2
    });

    // Still serving.
    let ws = c.request("workspace/symbol", json!({"query": "web"}));
    assert!(!ws["result"].as_array().unwrap().is_empty());
    assert!(c.is_alive());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn watched_file_events_update_the_index() {
    let dir = std::env::temp_dir().join(format!("koreo-e2e-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let vf = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: target}\nspec: {return: {a: 1}}\n";
    let test = "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {name: t}\nspec:\n  functionRef: {kind: ValueFunction, name: target}\n";
    std::fs::write(dir.join("test.k.yaml"), test).unwrap();
    let mut c = LspClient::spawn(&[], &[]);
    c.initialize(&dir, &["utf-16"]);
    // The server registers its file watchers dynamically.
    let reg = c
        .wait_for(|m| m["method"] == "client/registerCapability")
        .expect("registerCapability request");
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let test_uri = file_uri(&dir.join("test.k.yaml"));
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.len() == 1)
    });
    // Created on disk: the reference resolves and the test's diagnostics clear.
    std::fs::write(dir.join("vf.k.yaml"), vf).unwrap();
    let vf_uri = file_uri(&dir.join("vf.k.yaml"));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": vf_uri, "type": 1}]}),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.is_empty())
    });
    // Deleted: the reference is unknown again.
    std::fs::remove_file(dir.join("vf.k.yaml")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": vf_uri, "type": 3}]}),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.len() == 1)
    });
    assert_eq!(c.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn workspace_folders_can_be_added_and_removed() {
    let base = std::env::temp_dir().join(format!("koreo-e2e-folders-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (a, b) = (base.join("a"), base.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let test = "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata: {name: t}\nspec:\n  functionRef: {kind: ValueFunction, name: shared}\n";
    let vf = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: shared}\nspec: {return: {a: 1}}\n";
    std::fs::write(a.join("test.k.yaml"), test).unwrap();
    std::fs::write(b.join("vf.k.yaml"), vf).unwrap();
    let test_uri = file_uri(&a.join("test.k.yaml"));

    let mut c = LspClient::spawn(&[], &[]);
    c.initialize(&a, &["utf-16"]);
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.len() == 1)
    });
    let b_uri = file_uri(&b);
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": b_uri, "name": "b"}], "removed": []}}),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.is_empty())
    });
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [{"uri": b_uri, "name": "b"}]}}),
    );
    c.notification("textDocument/publishDiagnostics", |p| {
        diagnostics_for(p, &test_uri).is_some_and(|d| d.len() == 1)
    });
    assert_eq!(c.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn documents_opened_before_indexing_finishes_are_republished() {
    let mut c = LspClient::spawn(&[], &[]);
    c.initialize(&demo(), &["utf-16"]);
    // Opened right away: the reference may not resolve until the workspace is indexed, and
    // the final diagnostics for the document must be empty either way.
    let path = demo().join("tests/config.k.yaml");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 1, "text": text}}),
    );
    // The load publishes before it reports `indexing: false`, and notifications are handled
    // in order: whichever came first, the last diagnostics for the document are final.
    c.notification("koreo/status", |p| p["indexing"] == false);
    let is_ours = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    };
    let last = match c.received.iter().rev().find(|m| is_ours(m)) {
        Some(m) => m["params"].clone(),
        None => c.notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str()
        }),
    };
    assert_eq!(last["diagnostics"], json!([]), "{last}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn cluster_status_reports_unreachable_and_unconfigured_clusters() {
    let dir = std::env::temp_dir().join(format!("koreo-e2e-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Nothing listens on port 9 of the loopback address: the connection is refused at once.
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: dead\nclusters:\n- name: dead\n  cluster: {server: 'http://127.0.0.1:9'}\n\
         contexts:\n- name: dead\n  context: {cluster: dead, user: u}\nusers:\n- name: u\n  user: {token: t}\n",
    )
    .unwrap();
    let cache = dir.join("cache");
    let env = |kc: &std::path::Path| {
        vec![
            ("KUBECONFIG", kc.to_string_lossy().into_owned()),
            ("XDG_CACHE_HOME", cache.to_string_lossy().into_owned()),
            ("HOME", dir.to_string_lossy().into_owned()),
        ]
    };
    for (kc, want) in [
        (kubeconfig.clone(), "error"),
        (dir.join("missing"), "offline"),
    ] {
        let vars = env(&kc);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut c = LspClient::spawn(&[], &vars);
        let uri = file_uri(&demo());
        let resp = c.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "capabilities": {}, "initializationOptions": {"offline": false}}),
        );
        assert!(resp.get("result").is_some());
        c.notify("initialized", json!({}));
        let status = c.notification("koreo/status", |p| p["cluster"] == want);
        assert!(status["message"].is_string(), "{status}");
        assert_eq!(c.shutdown(), Some(0));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn preview_workflow_graph_and_code_lenses() {
    let mut c = LspClient::spawn(&["--stdio"], &[]);
    let init = c.initialize(&demo(), &["utf-16"]);
    let commands = &init["capabilities"]["executeCommandProvider"]["commands"];
    for cmd in ["koreo.preview", "koreo.workflowGraph"] {
        assert!(
            commands.as_array().unwrap().iter().any(|c| c == cmd),
            "{commands}"
        );
    }
    c.notification("koreo/status", |p| p["indexing"] == false);

    // The ResourceFunction's preview: inputs from its FunctionTest, the rendered ConfigMap.
    let rf_path = demo().join("functions/configmap.k.yaml");
    let rf_uri = file_uri(&rf_path);
    let rf_text = std::fs::read_to_string(&rf_path).unwrap();
    let name_line = rf_text
        .lines()
        .position(|l| l.trim() == "name: web-configmap")
        .unwrap();
    let exec = |c: &mut LspClient, command: &str, args: Value| {
        c.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": args}),
        )
    };
    let preview = exec(
        &mut c,
        "koreo.preview",
        json!([rf_uri, {"line": name_line, "character": 10}]),
    );
    let result = &preview["result"];
    assert_eq!(result["language"], "yaml", "{preview}");
    assert_eq!(result["title"], "ResourceFunction web-configmap (preview)");
    let content = result["content"].as_str().unwrap();
    assert!(
        content.contains("# Inputs: FunctionTest `web-configmap-test`"),
        "{content}"
    );
    assert!(content.contains("\nkind: ConfigMap\n"), "{content}");
    assert!(content.contains("  name: shop-config\n"), "{content}");

    // The preview follows unsaved edits.
    let edited = rf_text.replace("+ \"-config\"", "+ \"-settings\"");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": rf_uri, "languageId": "koreo", "version": 1, "text": edited}}),
    );
    let again = exec(
        &mut c,
        "koreo.preview",
        json!([rf_uri, {"line": name_line, "character": 10}]),
    );
    let content = again["result"]["content"].as_str().unwrap();
    assert!(content.contains("  name: shop-settings\n"), "{content}");

    // The workflow: reconciled for a parent built from the workspace CRD.
    let wf_uri = file_uri(&demo().join("workflow.k.yaml"));
    let wf = exec(
        &mut c,
        "koreo.preview",
        json!([wf_uri, {"line": 4, "character": 2}]),
    );
    let content = wf["result"]["content"].as_str().unwrap();
    assert!(content.contains("# Result: Ok"), "{content}");
    assert!(
        content.contains("# Step `deployment` (ResourceFunction `web-deployment`)"),
        "{content}"
    );

    // Nothing to preview outside a Koreo resource: null.
    let crd = exec(
        &mut c,
        "koreo.preview",
        json!([file_uri(&demo().join("crd.yaml")), {"line": 3, "character": 0}]),
    );
    assert_eq!(crd["result"], Value::Null, "{crd}");

    // The graph: Mermaid by default, DOT when asked; nodes link to what they run.
    let graph = exec(&mut c, "koreo.workflowGraph", json!([wf_uri]));
    let mermaid = graph["result"]["mermaid"].as_str().unwrap();
    assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
    assert!(mermaid.contains("  step0 --> step1\n"), "{mermaid}");
    assert_eq!(graph["result"]["title"], "Workflow web-app");
    let nodes = graph["result"]["nodes"].as_array().unwrap();
    let config = nodes.iter().find(|n| n["id"] == "step1").unwrap();
    assert_eq!(config["target"]["uri"], rf_uri.as_str());
    let dot = exec(
        &mut c,
        "koreo.workflowGraph",
        json!([wf_uri, {"line": 4, "character": 2}, "dot"]),
    );
    let dot = dot["result"]["dot"].as_str().unwrap();
    assert!(dot.starts_with("digraph \"web-app\" {"), "{dot}");
    assert!(dot.contains("step0 -> step1;"), "{dot}");

    // Bad arguments are the caller's error.
    let bad = exec(&mut c, "koreo.preview", json!([42]));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let bad = exec(&mut c, "koreo.workflowGraph", json!([wf_uri, null, "svg"]));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");

    // Lenses: Preview on the functions and the workflow, with [uri, position] arguments.
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": wf_uri}}),
    );
    let lenses = lenses["result"].as_array().unwrap();
    let titles: Vec<&str> = lenses
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Preview", "Workflow graph"]);
    assert_eq!(lenses[0]["command"]["command"], "koreo.preview");
    assert_eq!(lenses[0]["command"]["arguments"][0], wf_uri.as_str());
    let at = lenses[0]["command"]["arguments"][1].clone();
    let via_lens = exec(&mut c, "koreo.preview", json!([wf_uri, at]));
    assert!(via_lens["result"]["content"].is_string(), "{via_lens}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn function_test_failures_code_actions_and_run_tests() {
    let root = repo_root().join("tests/editors/vscode/workspace");
    let mut c = LspClient::spawn(&["--stdio"], &[]);
    let init = c.initialize(&root, &["utf-16"]);
    let caps = &init["capabilities"];
    assert!(
        caps["executeCommandProvider"]["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "koreo.runTests")
    );
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "refactor.rewrite"])
    );
    let path = root.join("tests.k.yaml");
    let uri = file_uri(&path);
    // Once the index is in, lenses (test status) are stale everywhere: the client is told.
    c.wait_for(|m| m["method"] == "workspace/codeLens/refresh" && m.get("id").is_some())
        .expect("a code lens refresh request");
    // The failing case is published as Problems in the test file, naming the expectation.
    let published = c.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str() && p["diagnostics"].to_string().contains("web-api")
    });
    let field = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "test-field-mismatch")
        .cloned()
        .expect("a field diagnostic");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": field["range"], "context": {"diagnostics": [field]}}),
    );
    let action = &actions["result"][0];
    assert_eq!(action["kind"], "quickfix", "{actions}");
    assert_eq!(action["diagnostics"][0]["code"], "test-field-mismatch");
    let edits = &action["edit"]["changes"][uri.as_str()];
    assert_eq!(edits[0]["newText"], "name: web-app", "{action}");

    let run = c.request(
        "workspace/executeCommand",
        json!({"command": "koreo.runTests", "arguments": [uri]}),
    );
    let r = &run["result"];
    assert_eq!(
        (r["passed"].as_u64(), r["failed"].as_u64()),
        (Some(0), Some(1)),
        "{run}"
    );
    assert_eq!(r["tests"][0]["name"], "make-name-test");
    assert_eq!(r["tests"][0]["verdict"], "fail");
    assert_eq!(
        r["tests"][0]["cases"][0]["label"],
        "joins prefix and suffix"
    );
    assert_eq!(r["tests"][0]["cases"][0]["verdict"], "fail");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn completion_rename_semantic_tokens_and_inlay_hints() {
    let mut c = LspClient::spawn(&["--stdio"], &[]);
    let init = c.initialize(&demo(), &["utf-16"]);
    let caps = &init["capabilities"];
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([".", ":", " "])
    );
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["inlayHintProvider"], true);
    let legend = &caps["semanticTokensProvider"]["legend"];
    assert_eq!(legend["tokenTypes"][0], "keyword");
    assert_eq!(caps["semanticTokensProvider"]["full"], true);
    c.notification("koreo/status", |p| p["indexing"] == false);

    // Complete `steps.` in the second step of the workflow: the earlier step's label.
    let wf_path = demo().join("workflow.k.yaml");
    let uri = file_uri(&wf_path);
    let text = std::fs::read_to_string(&wf_path).unwrap().replacen(
        "name: =steps.config.name",
        "name: =steps.",
        1,
    );
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 1, "text": text}}),
    );
    let (line, l) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim() == "name: =steps.")
        .unwrap();
    let completion = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": l.len()}}),
    );
    let items = completion["result"].as_array().expect("completion items");
    assert_eq!(items[0]["label"], "config", "{completion}");
    assert_eq!(
        items[0]["textEdit"]["range"]["start"],
        json!({"line": line, "character": l.len()})
    );
    assert!(items.iter().any(|i| i["label"] == "to_ref"));

    // Rename web-config from the step reference: definition, reference and FunctionTest.
    let ref_line = text
        .lines()
        .position(|l| l.trim() == "name: web-config")
        .unwrap();
    let at = json!({"line": ref_line, "character": 18});
    let prep = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri}, "position": at}),
    );
    assert_eq!(prep["result"]["placeholder"], "web-config", "{prep}");
    let renamed = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": at, "newName": "web-settings"}),
    );
    let changes = renamed["result"]["changes"].as_object().expect("changes");
    let mut files: Vec<&String> = changes.keys().collect();
    files.sort();
    let want = |p: &str| file_uri(&demo().join(p));
    assert_eq!(
        files,
        [
            &want("functions/config.k.yaml"),
            &want("tests/config.k.yaml"),
            &want("workflow.k.yaml")
        ]
    );
    assert_eq!(changes[&uri][0]["newText"], "web-settings");
    let refused = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": at, "newName": "Web_Settings"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a valid Kubernetes name")),
        "{refused}"
    );

    // Semantic tokens: relative five-number groups.
    let tokens = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = tokens["result"]["data"].as_array().expect("data");
    assert!(!data.is_empty() && data.len().is_multiple_of(5));

    // Inlay hints name each step's target, until the setting turns them off.
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}});
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    let labels: Vec<&str> = hints["result"]
        .as_array()
        .expect("hints")
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.iter().any(|l| l.starts_with("→ ValueFunction(")),
        "{labels:?}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"koreo": {"offline": true, "inlayHints": {"enabled": false}}}}),
    );
    // The client is asked to re-request its hints (it advertised refreshSupport).
    c.wait_for(|m| m["method"] == "workspace/inlayHint/refresh" && m.get("id").is_some())
        .expect("an inlay hint refresh request");
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    assert_eq!(hints["result"], Value::Null);

    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_burst_of_requests_is_answered_in_full() {
    // Editors fire many requests per keystroke; a server that stops reading while its
    // handlers are busy (async-lsp's default concurrency limit did, at the third request
    // in flight) freezes for good. Send a burst before reading anything back.
    let mut c = LspClient::spawn(&["--stdio"], &[]);
    c.initialize(&demo(), &["utf-16"]);
    let path = demo().join("workflow.k.yaml");
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "koreo", "version": 1, "text": text}}),
    );
    let doc = json!({"uri": uri});
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 60, "character": 0}});
    let mut ids = Vec::new();
    for i in 0..12 {
        let at = json!({"line": 15 + i, "character": 12});
        ids.push(c.send_request(
            "textDocument/hover",
            json!({"textDocument": doc, "position": at}),
        ));
        ids.push(c.send_request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc}),
        ));
        ids.push(c.send_request("textDocument/codeLens", json!({"textDocument": doc})));
        ids.push(c.send_request(
            "textDocument/inlayHint",
            json!({"textDocument": doc, "range": whole}),
        ));
        ids.push(c.send_request(
            "textDocument/completion",
            json!({"textDocument": doc, "position": at}),
        ));
    }
    for id in ids {
        let resp = c.response(id);
        assert!(
            resp.get("result").is_some() || resp.get("error").is_some(),
            "{resp}"
        );
    }
    assert_eq!(c.shutdown(), Some(0));
}
