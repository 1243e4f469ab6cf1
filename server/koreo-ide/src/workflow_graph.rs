//! The workflow graph (`koreo.workflowGraph`): steps as nodes (label, kind, target), edges
//! from the `steps.x` dependencies the engine extracts, `refSwitch` cases as branches,
//! `forEach` steps marked, every node linked to the definition it runs. Rendered as a
//! Mermaid flowchart and as Graphviz DOT.
//!
//! Steps come from the model (so the graph is drawn while the workflow does not prepare);
//! dependencies come from the prepared workflow, which extracts them exactly like the engine
//! (§9.2.3), else from a token scan of the step's expressions.

use std::fmt::Write as _;

use koreo_eval::wf::StepEntry;
use koreo_eval::{Kind as EvalKind, ResourceRef};
use koreo_model::{Body, Item, Kind, Reference, Step};

use crate::db::Db;
use crate::{FileId, FilePosition, FileRange};

/// A workflow's graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowGraph {
    /// `Workflow <name>`.
    pub title: String,
    /// A Mermaid `flowchart`.
    pub mermaid: String,
    /// The same graph in Graphviz DOT.
    pub dot: String,
    /// The nodes, with what they stand for (for clients that link them).
    pub nodes: Vec<GraphNode>,
}

/// One node of a [`WorkflowGraph`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNode {
    /// The node id used in the Mermaid and DOT text.
    pub id: String,
    /// What the node shows.
    pub label: String,
    /// The step (or switch case) in the workflow's file.
    pub source: FileRange,
    /// The definition the step runs, when it resolves.
    pub target: Option<FileRange>,
}

struct Node {
    id: String,
    lines: Vec<String>,
    shape: Shape,
    source: FileRange,
    target: Option<FileRange>,
    error: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Parent,
    Step,
    ForEach,
    Switch,
    Workflow,
}

struct Edge {
    from: String,
    to: String,
    label: Option<String>,
    dotted: bool,
}

/// The graph of the workflow at `pos` (the first workflow of the file when `pos` is not in
/// one); `None` when the file has no workflow.
pub(crate) fn workflow_graph(
    db: &Db,
    file: FileId,
    pos: Option<FilePosition>,
) -> Option<WorkflowGraph> {
    let fa = db.files.get(&file)?;
    let parsed = fa.parsed()?;
    let workflows: Vec<(usize, &koreo_model::Resource)> = fa
        .items()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Item::Resource(r) if r.kind == Kind::Workflow => Some((i, &**r)),
            _ => None,
        })
        .collect();
    let at = pos
        .and_then(|p| parsed.document_at(p.offset))
        .map(|d| d.index);
    let (_, res) = workflows
        .iter()
        .find(|(i, _)| Some(*i) == at)
        .or_else(|| workflows.first())?;
    let Body::Workflow(wf) = &res.body else {
        return None;
    };
    let name = res.name.as_ref().map_or("", |n| n.value.as_str());
    let prepared = match db
        .eval
        .registry()
        .state(&ResourceRef::new(EvalKind::Workflow, name))
        .map(|s| &s.result)
    {
        Some(Ok(koreo_eval::registry::Prepared::Workflow(w))) => Some(w.clone()),
        _ => None,
    };

    let mut nodes: Vec<Node> = Vec::new();
    let mut edges: Vec<Edge> = Vec::new();
    let at_file = |range| FileRange { file, range };
    if let Some(crd) = &wf.crd_ref {
        let kind = crd.kind.as_ref().map_or("?", |k| k.value.as_str());
        let api = format!(
            "{}/{}",
            crd.api_group.as_ref().map_or("?", |g| g.value.as_str()),
            crd.version.as_ref().map_or("?", |v| v.value.as_str())
        );
        let target = db.index.crds_of_kind(kind).first().map(|c| FileRange {
            file: c.file,
            range: c.kind_range,
        });
        nodes.push(Node {
            id: "parent".into(),
            lines: vec![format!("parent: {kind}"), api],
            shape: Shape::Parent,
            source: at_file(crd.range),
            target,
            error: false,
        });
    }
    let labels: Vec<String> = wf
        .steps
        .iter()
        .map(|s| {
            s.label
                .as_ref()
                .map(|l| l.value.clone())
                .unwrap_or_default()
        })
        .collect();
    for (i, step) in wf.steps.iter().enumerate() {
        let id = format!("step{i}");
        let label = &labels[i];
        let prepared_step = prepared
            .as_ref()
            .and_then(|w| w.steps.iter().find(|s| s.label() == label.as_str()));
        let (deps, error) = match prepared_step {
            Some(StepEntry::Step(s)) => (s.dependencies.clone(), None),
            Some(StepEntry::Error(e)) => (
                scanned_dependencies(step, &labels[..i]),
                Some(e.error.message().to_owned()),
            ),
            None => (scanned_dependencies(step, &labels[..i]), None),
        };
        let mut lines = vec![if label.is_empty() {
            "(no label)".to_owned()
        } else {
            label.clone()
        }];
        let mut shape = Shape::Step;
        let mut target = None;
        if let Some(r) = &step.reference {
            lines.push(reference_text(r));
            target = definition(db, r);
            if r.target_kind() == Some(Kind::Workflow) {
                shape = Shape::Workflow;
            }
        }
        if let Some(sw) = &step.ref_switch {
            shape = Shape::Switch;
            let on = sw
                .switch_on
                .as_ref()
                .and_then(|n| n.as_str())
                .map(|s| s.trim_start_matches('=').trim().to_owned())
                .unwrap_or_default();
            lines.push(format!("refSwitch on {on}"));
            for (c, case) in sw.cases.iter().enumerate() {
                let case_id = format!("{id}_case{c}");
                let mut edge_label = case
                    .case
                    .as_ref()
                    .map(|c| c.value.clone())
                    .unwrap_or_default();
                if case.default.as_ref().is_some_and(|d| d.value) {
                    edge_label = if edge_label.is_empty() {
                        "default".into()
                    } else {
                        format!("{edge_label} (default)")
                    };
                }
                let case_shape = if case.reference.target_kind() == Some(Kind::Workflow) {
                    Shape::Workflow
                } else {
                    Shape::Step
                };
                nodes.push(Node {
                    id: case_id.clone(),
                    lines: vec![reference_text(&case.reference)],
                    shape: case_shape,
                    source: at_file(case.range),
                    target: definition(db, &case.reference),
                    error: false,
                });
                edges.push(Edge {
                    from: id.clone(),
                    to: case_id,
                    label: Some(edge_label),
                    dotted: true,
                });
            }
        }
        if let Some(fe) = &step.for_each {
            if shape != Shape::Switch {
                shape = Shape::ForEach;
            }
            let items = fe
                .item_in
                .as_ref()
                .and_then(|n| n.as_str())
                .map(|s| s.trim_start_matches('=').trim().to_owned())
                .unwrap_or_default();
            let key = fe.input_key.as_ref().map_or("?", |k| k.value.as_str());
            lines.push(format!("forEach {key} in {items}"));
        }
        if let Some(c) = step.condition.as_ref().and_then(|c| c.type_.as_ref()) {
            lines.push(format!("condition {}", c.value));
        }
        if let Some(e) = &error {
            lines.push(format!("error: {}", shorten(e, 80)));
        }
        if deps.is_empty() && nodes.first().is_some_and(|n| n.id == "parent") {
            edges.push(Edge {
                from: "parent".into(),
                to: id.clone(),
                label: None,
                dotted: true,
            });
        }
        for d in &deps {
            if let Some(j) = labels[..i].iter().position(|l| l == d) {
                edges.push(Edge {
                    from: format!("step{j}"),
                    to: id.clone(),
                    label: None,
                    dotted: false,
                });
            }
        }
        // Edges from switch cases belong after the step's own node.
        let at = nodes
            .iter()
            .position(|n| n.id.starts_with(&format!("{id}_case")))
            .unwrap_or(nodes.len());
        nodes.insert(
            at,
            Node {
                id,
                lines,
                shape,
                source: at_file(step.range),
                target,
                error: error.is_some(),
            },
        );
    }
    let keys = |f: FileId| {
        db.keys
            .get(f.0 as usize)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    let line = |r: FileRange| {
        db.files
            .get(&r.file)
            .and_then(|fa| fa.line_index().line_col(r.range.start()))
            .map_or(1, |(l, _)| l + 1)
    };
    let link = |n: &Node| n.target.map(|t| format!("{}#L{}", keys(t.file), line(t)));
    Some(WorkflowGraph {
        title: format!("Workflow {name}"),
        mermaid: mermaid(&nodes, &edges, &link),
        dot: dot(name, &nodes, &edges, &link),
        nodes: nodes
            .iter()
            .map(|n| GraphNode {
                id: n.id.clone(),
                label: n.lines.join("\n"),
                source: n.source,
                target: n.target,
            })
            .collect(),
    })
}

fn reference_text(r: &Reference) -> String {
    let kind = r.kind.as_ref().map_or("?", |k| k.value.as_str());
    let name = r.name.as_ref().map_or("?", |n| n.value.as_str());
    format!("{kind} {name}")
}

fn definition(db: &Db, r: &Reference) -> Option<FileRange> {
    let kind = r.target_kind()?;
    let name = r.name.as_ref()?;
    db.index
        .lookup(kind, &name.value)
        .first()
        .map(|d| FileRange {
            file: d.file,
            range: d.name_range,
        })
}

/// `steps.x` references of a step that did not prepare (a token scan; the engine's
/// extractor needs a step that parses).
fn scanned_dependencies(step: &Step, earlier: &[String]) -> Vec<String> {
    let mut nodes: Vec<&koreo_syntax::Node> = Vec::new();
    nodes.extend(step.inputs.as_ref());
    nodes.extend(step.skip_if.as_ref());
    nodes.extend(step.state.as_ref());
    nodes.extend(step.for_each.as_ref().and_then(|f| f.item_in.as_ref()));
    nodes.extend(step.ref_switch.as_ref().and_then(|s| s.switch_on.as_ref()));
    let mut out: Vec<String> = Vec::new();
    for n in nodes {
        for (expr, _) in koreo_model::node::expressions(n) {
            for label in koreo_model::expr::root_fields(expr, "steps") {
                if earlier.contains(&label) && !out.contains(&label) {
                    out.push(label);
                }
            }
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// Mermaid label text inside `"…"`: quotes and angle brackets as entities, lines joined
/// with `<br/>`.
fn mermaid_text(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| {
            l.replace('&', "#amp;")
                .replace('"', "#quot;")
                .replace('<', "#lt;")
                .replace('>', "#gt;")
        })
        .collect::<Vec<_>>()
        .join("<br/>")
}

fn mermaid(nodes: &[Node], edges: &[Edge], link: &dyn Fn(&Node) -> Option<String>) -> String {
    let mut out = String::from("flowchart TD\n");
    for n in nodes {
        let text = mermaid_text(&n.lines);
        let shaped = match n.shape {
            Shape::Parent => format!("([\"{text}\"])"),
            Shape::Step => format!("[\"{text}\"]"),
            Shape::ForEach => format!("[[\"{text}\"]]"),
            Shape::Switch => format!("{{{{\"{text}\"}}}}"),
            Shape::Workflow => format!("[/\"{text}\"/]"),
        };
        let _ = writeln!(out, "  {}{shaped}", n.id);
    }
    for e in edges {
        let arrow = if e.dotted { "-.->" } else { "-->" };
        match &e.label {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "  {} {arrow}|\"{}\"| {}",
                    e.from,
                    mermaid_text(std::slice::from_ref(l)),
                    e.to
                );
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
            }
        }
    }
    let errors: Vec<&str> = nodes
        .iter()
        .filter(|n| n.error)
        .map(|n| n.id.as_str())
        .collect();
    if !errors.is_empty() {
        out.push_str("  classDef error stroke:#d33,stroke-width:2px\n");
        let _ = writeln!(out, "  class {} error", errors.join(","));
    }
    // Links work where the renderer allows them (not in a strict-security webview).
    for n in nodes {
        if let Some(url) = link(n) {
            let _ = writeln!(out, "  click {} href \"{}\"", n.id, url.replace('"', "%22"));
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(
    name: &str,
    nodes: &[Node],
    edges: &[Edge],
    link: &dyn Fn(&Node) -> Option<String>,
) -> String {
    let mut out = format!("digraph \"{}\" {{\n", dot_text(name));
    out.push_str("  rankdir=TB;\n  node [shape=box, fontname=\"sans-serif\"];\n");
    for n in nodes {
        let label = n
            .lines
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let shape = match n.shape {
            Shape::Parent => "ellipse",
            Shape::Step => "box",
            Shape::ForEach => "box3d",
            Shape::Switch => "hexagon",
            Shape::Workflow => "parallelogram",
        };
        let mut attrs = format!("label=\"{label}\", shape={shape}");
        if n.error {
            attrs.push_str(", color=red");
        }
        if let Some(url) = link(n) {
            let _ = write!(attrs, ", URL=\"{}\"", dot_text(&url));
        }
        let _ = writeln!(out, "  {} [{attrs}];", n.id);
    }
    for e in edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", dot_text(l)));
        }
        if e.dotted {
            attrs.push("style=dashed".to_owned());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "  {} -> {}{attrs};", e.from, e.to);
    }
    out.push_str("}\n");
    out
}
