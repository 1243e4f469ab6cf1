//! Hostile input: huge, deep, repetitive, binary. Every case must come back (no panic, no
//! abort, no stack overflow) with a clear problem where one is due. Times are measured in
//! the benchmarks, not here.

use koreo_syntax::{
    MAX_ALIAS_NODES, MAX_DEPTH, Node, NodeKind, ParsedFile, Severity, codes, parse_bytes,
    parse_file,
};

fn codes_of(file: &ParsedFile) -> Vec<&'static str> {
    file.all_errors().map(|e| e.code).collect()
}

/// Depth of a value tree, counted without recursion.
fn depth(node: &Node) -> usize {
    let mut max = 0;
    let mut stack = vec![(node, 1)];
    while let Some((n, d)) = stack.pop() {
        max = max.max(d);
        match &n.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            NodeKind::Map(entries) => stack.extend(entries.iter().map(|e| (&e.value, d + 1))),
        }
    }
    max
}

fn only_doc_root(file: &ParsedFile) -> &Node {
    assert_eq!(file.documents.len(), 1);
    file.documents[0].root.as_ref().expect("a root")
}

#[test]
fn deep_flow_sequences() {
    let n = 10_000;
    for text in [format!("{}{}", "[".repeat(n), "]".repeat(n)), "[".repeat(n)] {
        let file = parse_file(&text);
        assert!(
            codes_of(&file).contains(&codes::YAML_SYNTAX)
                || codes_of(&file).contains(&codes::DEPTH_LIMIT)
        );
        if let Some(root) = &file.documents[0].root {
            assert!(depth(root) <= MAX_DEPTH + 1);
        }
    }
}

#[test]
fn deep_flow_mappings() {
    let text = "{a: ".repeat(10_000);
    let file = parse_file(&text);
    assert!(codes_of(&file).contains(&codes::YAML_SYNTAX));
}

#[test]
fn deep_block_indentation() {
    // 300 levels: past tree-sitter-yaml's scanner state limit (it would abort the process).
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    text.push_str(&" ".repeat(300));
    text.push_str("leaf\n");
    let file = parse_file(&text);
    let doc = &file.documents[0];
    assert!(doc.tree.is_none(), "no CST for a document this deep");
    let codes = codes_of(&file);
    assert!(codes.contains(&codes::DEPTH_LIMIT), "{codes:?}");
    assert!(depth(only_doc_root(&file)) <= MAX_DEPTH + 1);
    // Editor helpers degrade gracefully.
    assert_eq!(doc.path_at(&text, 5.into()), None);
    assert!(doc.folding_ranges(&text).is_empty());
}

#[test]
fn moderately_deep_documents_keep_their_cst() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&"  ".repeat(i));
        text.push_str("a:\n");
    }
    let file = parse_file(&text);
    assert!(file.documents[0].tree.is_some());
    assert!(
        file.all_errors().next().is_none(),
        "{:?}",
        file.all_errors().collect::<Vec<_>>()
    );
    assert_eq!(depth(only_doc_root(&file)), 41);
}

#[test]
fn deep_compact_sequences_on_one_line() {
    let text = format!("{}x\n", "- ".repeat(10_000));
    let file = parse_file(&text);
    assert!(file.documents[0].tree.is_none());
    assert!(depth(only_doc_root(&file)) <= MAX_DEPTH + 1);
    assert!(codes_of(&file).contains(&codes::DEPTH_LIMIT));
}

#[test]
fn billion_laughs_is_bounded() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, c) in "bcdefghij".chars().enumerate() {
        let p = (b'a' + i as u8) as char;
        let refs = vec![format!("*{p}"); 10].join(", ");
        text.push_str(&format!("{c}: &{c} [{refs}]\n"));
    }
    let file = parse_file(&text);
    let err = file
        .all_errors()
        .find(|e| e.code == codes::ALIAS_LIMIT)
        .expect("alias limit");
    assert_eq!(err.severity, Severity::Error);
    let total: usize = {
        let mut n = 0;
        let mut stack = vec![only_doc_root(&file)];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.kind {
                NodeKind::Scalar(_) => {}
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => {
                    stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value]))
                }
            }
        }
        n
    };
    assert!(total <= MAX_ALIAS_NODES + 1_000, "{total} nodes");
}

#[test]
fn five_thousand_documents() {
    let doc = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: x\nspec:\n  return:\n    value: =inputs.x\n";
    let text = format!("---\n{doc}").repeat(5_000);
    let file = parse_file(&text);
    assert_eq!(file.documents.len(), 5_000);
    assert!(file.all_errors().next().is_none());
    let last = file.documents.last().unwrap();
    let name = last
        .root
        .as_ref()
        .and_then(|r| r.get("metadata"))
        .and_then(|m| m.get("name"))
        .unwrap();
    assert_eq!(&text[name.range], "x");
    let expected = text.rfind("name: x").unwrap() + "name: ".len();
    assert_eq!(u32::from(name.range.start()) as usize, expected);
}

#[test]
fn too_many_documents_are_cut_with_a_notice() {
    let text = "---\n".repeat(koreo_syntax::MAX_DOCUMENTS + 10);
    let file = parse_file(&text);
    assert_eq!(file.documents.len(), koreo_syntax::MAX_DOCUMENTS);
    assert_eq!(file.errors[0].code, codes::TOO_MANY_DOCUMENTS);
}

/// A megabyte of one document repeating its keys (the 10 MB case is the one-line test
/// below and the `stress` example; this one checks the problem cap).
#[test]
fn a_megabyte_of_repeated_keys() {
    let doc = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: x\n";
    let text = doc.repeat(1024 * 1024 / doc.len());
    let file = parse_file(&text);
    let dups = file
        .all_errors()
        .filter(|e| e.code == codes::DUPLICATE_KEY)
        .count();
    // Capped, with one summary line.
    assert!((100..=101).contains(&dups), "{dups}");
    assert!(
        file.all_errors()
            .any(|e| e.message.contains("more `duplicate-key` problems"))
    );
}

#[test]
fn one_ten_megabyte_line() {
    let text = format!("a: {}\n", "x".repeat(10 * 1024 * 1024));
    let file = parse_file(&text);
    let a = only_doc_root(&file)
        .get("a")
        .and_then(Node::as_str)
        .unwrap();
    assert_eq!(a.len(), 10 * 1024 * 1024);
}

#[test]
fn oversized_files_are_skipped_with_information() {
    let text = " ".repeat(koreo_syntax::MAX_FILE_BYTES + 1);
    let file = parse_file(&text);
    assert!(file.documents.is_empty());
    assert_eq!(
        (file.errors[0].code, file.errors[0].severity),
        (codes::TOO_LARGE, Severity::Information)
    );
}

#[test]
fn binary_noise() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(1 << 16).collect();
    assert_eq!(parse_bytes(&bytes).errors[0].code, codes::BINARY);
    // Control characters without NUL, as text.
    let text: String = (1..0x7fu8).cycle().take(1 << 16).map(char::from).collect();
    let file = parse_file(&text);
    let err = file
        .all_errors()
        .find(|e| e.code == codes::YAML_SYNTAX)
        .expect("syntax error");
    assert!(err.message.contains("U+0001"), "{}", err.message);
}
