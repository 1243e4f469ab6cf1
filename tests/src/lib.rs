//! Shared helpers for the end-to-end tests in `tests/tests/`: locating (or building) the
//! real `koreo-ls` binary, a minimal JSON-RPC client over its stdio, and the repository
//! root. Waits have generous deadlines only so a broken server fails a test instead of
//! hanging it; nothing here measures time.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long to wait for any single message before declaring the server stuck.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `koreo-ls` binary of the current build profile: next to the test executable's
/// `deps/` folder (`cargo test --workspace` builds it there). Built with
/// `cargo build -p koreo-ls` when missing. `KOREO_LS_BIN` overrides the path.
///
/// `cargo test -p koreo-e2e` alone does not rebuild an existing binary (this crate cannot
/// depend on a binary crate): run `cargo build -p koreo-ls` first after server changes.
pub fn koreo_ls_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("KOREO_LS_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join(format!("koreo-ls{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "koreo-ls"])
            .current_dir(repo_root());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build -p koreo-ls");
        assert!(status.success(), "cargo build -p koreo-ls failed");
    }
    assert!(bin.exists(), "koreo-ls not found at {}", bin.display());
    bin
}

/// A `file://` URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        repo_root().join(path)
    };
    let abs = abs.canonicalize().unwrap_or(abs);
    let mut s = String::from("file://");
    for c in abs.to_string_lossy().chars() {
        match c {
            ' ' => s.push_str("%20"),
            '#' => s.push_str("%23"),
            '%' => s.push_str("%25"),
            _ => s.push(c),
        }
    }
    s
}

/// A running `koreo-ls` spoken to over stdio.
pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen so far, in arrival order.
    pub received: Vec<Value>,
}

impl LspClient {
    /// Starts the binary with `args` and extra environment variables.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> LspClient {
        let mut cmd = Command::new(koreo_ls_binary());
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn koreo-ls");
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        LspClient {
            child,
            stdin,
            rx,
            next_id: 1,
            received: Vec::new(),
        }
    }

    /// Writes raw bytes to the server's stdin (for malformed-input tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// Sends one JSON-RPC message with its `Content-Length` header.
    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).expect("serialise");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (`result` or `error` object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Waits for the response to request `id`, answering server requests meanwhile.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to request {id}"))
    }

    /// Waits for a notification `method` whose params satisfy `pred`.
    pub fn notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for(|m| m["method"] == method && m.get("id").is_none() && pred(&m["params"]))
            .map(|m| m["params"].clone())
            .unwrap_or_else(|| panic!("no {method} notification matched; got {:#?}", self.received))
    }

    /// Waits until a message matches `pred` (returned) or the deadline passes (`None`).
    /// Requests from the server (`client/registerCapability`, progress creation) are
    /// answered with `null` so it never waits on us.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.received.iter().position(&pred) {
            return Some(self.received.remove(i));
        }
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if msg.get("method").is_some() && msg.get("id").is_some() {
                        let id = msg["id"].clone();
                        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                    }
                    if pred(&msg) {
                        return Some(msg);
                    }
                    self.received.push(msg);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None;
                }
            }
        }
    }

    /// `initialize` + `initialized` with a workspace folder; returns the initialize result.
    pub fn initialize(&mut self, root: &Path, position_encodings: &[&str]) -> Value {
        let uri = file_uri(root);
        let resp = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "ws"}],
                "capabilities": {
                    "general": {"positionEncodings": position_encodings},
                    "window": {"workDoneProgress": true},
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}, "workspaceFolders": true, "inlayHint": {"refreshSupport": true}, "codeLens": {"refreshSupport": true}},
                    "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}}
                },
                "initializationOptions": {"cluster": {"context": null}, "offline": true, "inlayHints": {"enabled": true}}
            }),
        );
        assert!(resp.get("result").is_some(), "initialize failed: {resp}");
        self.notify("initialized", json!({}));
        resp["result"].clone()
    }

    /// `shutdown` + `exit`; returns the process exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let resp = self.request("shutdown", Value::Null);
        assert_eq!(resp.get("result"), Some(&Value::Null), "shutdown: {resp}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let end = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if self.is_alive() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads one `Content-Length`-framed message; `None` at end of stream.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

/// Whether opt-in end-to-end tests in real editors should run (`KOREO_E2E=1`).
pub fn e2e_enabled(test: &str) -> bool {
    if std::env::var("KOREO_E2E").as_deref() == Ok("1") {
        true
    } else {
        println!("skipping {test}: set KOREO_E2E=1 to run end-to-end tests in real editors");
        false
    }
}
