//! A readable rendering of parse results, for snapshot tests and debugging.

use std::fmt::Write;

use crate::yaml::{Node, NodeKind, ParsedFile, ScalarStyle};

impl ParsedFile {
    /// Renders documents, value trees with byte ranges, and problems, one item a line.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for e in &self.errors {
            let _ = writeln!(
                out,
                "file {:?} {} @{:?}: {}",
                e.severity, e.code, e.range, e.message
            );
        }
        for d in &self.documents {
            let _ = writeln!(
                out,
                "document {} source @{:?} content @{:?}{}",
                d.index,
                d.source_range,
                d.range,
                if d.recovered {
                    " (recovered from the CST)"
                } else {
                    ""
                }
            );
            match &d.root {
                Some(root) => dump_node(&mut out, root, 1),
                None => out.push_str("  (empty)\n"),
            }
            for e in &d.errors {
                let _ = writeln!(
                    out,
                    "  {:?} {} @{:?}: {}",
                    e.severity, e.code, e.range, e.message
                );
            }
        }
        out
    }
}

fn dump_node(out: &mut String, node: &Node, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = write!(out, "{pad}");
    write_head(out, node);
    out.push('\n');
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => {
            for item in items {
                dump_node(out, item, depth + 1);
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                let _ = write!(out, "{pad}  ");
                write_head(out, &e.key);
                out.push_str(" =>");
                if matches!(e.value.kind, NodeKind::Scalar(_)) {
                    out.push(' ');
                    write_head(out, &e.value);
                    out.push('\n');
                } else {
                    out.push('\n');
                    dump_node(out, &e.value, depth + 2);
                }
            }
        }
    }
}

fn write_head(out: &mut String, node: &Node) {
    if let Some(tag) = &node.tag {
        let _ = write!(out, "{tag} ");
    }
    match &node.kind {
        NodeKind::Scalar(s) => {
            let style = match s.style {
                ScalarStyle::Plain => "",
                ScalarStyle::SingleQuoted => "sq",
                ScalarStyle::DoubleQuoted => "dq",
                ScalarStyle::Literal => "lit",
                ScalarStyle::Folded => "fold",
            };
            let _ = write!(out, "{style}{:?} @{:?}", s.text, node.range);
        }
        NodeKind::Seq(items) => {
            let _ = write!(out, "seq({}) @{:?}", items.len(), node.range);
        }
        NodeKind::Map(entries) => {
            let _ = write!(out, "map({}) @{:?}", entries.len(), node.range);
        }
    }
}
