//! `workspace/executeCommand`: one dispatcher routing by command id, and the commands'
//! handlers. The argument and result shapes are the contract of `editors/README.md`.

use koreo_ide::{Analysis, Cancelled, FilePosition};
use lsp_types::{Position, Url};
use serde_json::{Value, json};

use super::convert::Conv;
use super::uri_key;

/// Renders what the controller would produce for the resource at a position.
pub const PREVIEW: &str = "koreo.preview";
/// The graph of the workflow at a position.
pub const WORKFLOW_GRAPH: &str = "koreo.workflowGraph";

/// Runs the FunctionTests of a file (or the one at a position).
pub const RUN_TESTS: &str = "koreo.runTests";

/// Every command the server executes (advertised in `executeCommandProvider`).
pub fn all() -> Vec<String> {
    vec![
        PREVIEW.to_owned(),
        WORKFLOW_GRAPH.to_owned(),
        RUN_TESTS.to_owned(),
    ]
}

/// Why a command could not run: answered as `InvalidParams`.
pub struct BadArguments(pub String);

/// Runs `command` on a snapshot. `Ok(Ok(Value::Null))` when there is nothing to show.
pub fn execute(
    a: &Analysis,
    conv: Conv,
    command: &str,
    args: &[Value],
) -> Result<Result<Value, BadArguments>, Cancelled> {
    match command {
        PREVIEW => preview(a, conv, args),
        WORKFLOW_GRAPH => workflow_graph(a, conv, args),
        RUN_TESTS => run_tests(a, conv, args),
        other => Ok(Err(BadArguments(format!("unknown command `{other}`")))),
    }
}

fn document_key(args: &[Value]) -> Result<String, BadArguments> {
    let uri = args
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| BadArguments("expected a document URI as the first argument".into()))?;
    let uri = Url::parse(uri).map_err(|e| BadArguments(format!("invalid URI `{uri}`: {e}")))?;
    Ok(uri_key(&uri))
}

/// The document key and the optional position every command takes first.
fn target(args: &[Value]) -> Result<(String, Option<Position>), BadArguments> {
    Ok((document_key(args)?, position(args)?))
}

fn position(args: &[Value]) -> Result<Option<Position>, BadArguments> {
    match args.get(1) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| BadArguments(format!("invalid position: {e}"))),
    }
}

fn file_position(a: &Analysis, conv: Conv, key: &str, p: Position) -> Option<FilePosition> {
    conv.file_position(a, key, p)
}

/// `koreo.preview [uri, position]` → `{title, language: "yaml", content}` or null.
fn preview(
    a: &Analysis,
    conv: Conv,
    args: &[Value],
) -> Result<Result<Value, BadArguments>, Cancelled> {
    let (key, p) = match target(args) {
        Ok((key, p)) => (key, p.unwrap_or_default()),
        Err(e) => return Ok(Err(e)),
    };
    let Some(pos) = file_position(a, conv, &key, p) else {
        return Ok(Ok(Value::Null));
    };
    Ok(Ok(match a.preview(pos)? {
        Some(p) => json!({"title": p.title, "language": "yaml", "content": p.content}),
        None => Value::Null,
    }))
}

/// `koreo.workflowGraph [uri, position?, "dot"?]` → `{title, mermaid, nodes}` (or `dot`
/// instead of `mermaid` when asked), or null.
fn workflow_graph(
    a: &Analysis,
    conv: Conv,
    args: &[Value],
) -> Result<Result<Value, BadArguments>, Cancelled> {
    let (key, p) = match target(args) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let format = args.get(2).and_then(Value::as_str).unwrap_or("mermaid");
    if !matches!(format, "mermaid" | "dot") {
        return Ok(Err(BadArguments(format!(
            "unknown graph format `{format}` (expected \"mermaid\" or \"dot\")"
        ))));
    }
    let Some(file) = a.file_id(&key) else {
        return Ok(Ok(Value::Null));
    };
    let pos = p.and_then(|p| file_position(a, conv, &key, p));
    let Some(g) = a.workflow_graph(file, pos)? else {
        return Ok(Ok(Value::Null));
    };
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "label": n.label,
                "location": conv.location(a, n.source.file, n.source.range),
                "target": n.target.and_then(|t| conv.location(a, t.file, t.range)),
            })
        })
        .collect();
    let mut out = json!({"title": g.title, "nodes": nodes});
    out[format] = Value::String(if format == "dot" { g.dot } else { g.mermaid });
    Ok(Ok(out))
}

/// `koreo.runTests [uri, position?]` → `{passed, failed, skipped, tests: [{name, verdict,
/// cases: [{index, label, verdict, message}]}]}` (case counts over the tests reported). The
/// results come from the snapshot: tests re-run whenever what they depend on changes, and
/// their failures are already published as diagnostics.
fn run_tests(
    a: &Analysis,
    conv: Conv,
    args: &[Value],
) -> Result<Result<Value, BadArguments>, Cancelled> {
    let (key, p) = match target(args) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let Some(file) = a.file_id(&key) else {
        return Ok(Ok(
            json!({"passed": 0, "failed": 0, "skipped": 0, "tests": []}),
        ));
    };
    let at = p.and_then(|p| file_position(a, conv, &key, p));
    let mut tests = a.test_results(Some(file))?;
    if let Some(at) = at {
        let inside: Vec<_> = tests
            .iter()
            .filter(|t| t.range.contains_inclusive(at.offset))
            .cloned()
            .collect();
        // A position outside every FunctionTest means the whole file.
        if !inside.is_empty() {
            tests = inside;
        }
    }
    let sum = |f: fn(&koreo_ide::TestReport) -> usize| tests.iter().map(f).sum::<usize>();
    let out: Vec<Value> = tests
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "verdict": t.verdict.as_str(),
                "message": t.message,
                "cases": t.cases.iter().map(|c| json!({
                    "index": c.index,
                    "label": c.label,
                    "verdict": c.verdict.as_str(),
                    "message": c.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Ok(json!({
        "passed": sum(|t| t.passed()),
        "failed": sum(|t| t.failed()),
        "skipped": sum(|t| t.skipped()),
        "tests": out,
    })))
}
