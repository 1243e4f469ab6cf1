//! Value trees, ranges and problems of whole files (snapshots under `tests/data/`).
//! Update snapshots with `UPDATE_EXPECT=1 cargo test -p koreo-syntax`.

use expect_test::expect_file;
use koreo_syntax::{
    Node, ParsedFile, ResolveRules, Resolved, Severity, TextRange, TextSize, codes, parse_bytes,
    parse_file,
};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    String::from_utf8(std::fs::read(&path).expect("test data")).expect("utf-8")
}

fn check_invariants(text: &str, file: &ParsedFile) {
    koreo_syntax::invariants::check_parse(text, file);
    koreo_syntax::invariants::check_editor_helpers(text, file, usize::MAX);
}

fn snapshot(name: &str) -> ParsedFile {
    let text = data(name);
    let file = parse_file(&text);
    check_invariants(&text, &file);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    expect_file![format!("data/{stem}.dump")].assert_eq(&file.dump());
    file
}

#[test]
fn koreo_examples() {
    for name in [
        "02-string-escapes.yaml",
        "16-workflow-basics.yaml",
        "24-yaml11-and-numeric-names.yaml",
        "26-error-values.yaml",
    ] {
        let file = snapshot(name);
        assert!(file.documents.len() >= 2, "{name}");
        assert!(
            file.documents
                .iter()
                .all(|d| !d.recovered && d.tree.is_some()),
            "{name}"
        );
        assert!(
            file.all_errors().all(|e| e.severity != Severity::Error),
            "{name}: {:?}",
            file.all_errors().collect::<Vec<_>>()
        );
    }
}

#[test]
fn anchors_and_merges() {
    let file = snapshot("anchors-merge.yaml");
    let root = file.documents[0].root.as_ref().expect("root");
    let plain = |n: &Node| n.to_plain(ResolveRules::Kubernetes);
    // Explicit keys win over merged ones.
    assert_eq!(
        root.get("single")
            .and_then(|n| n.get("replicas"))
            .map(plain),
        Some(Resolved::Int(3).into())
    );
    // In a merge sequence the earlier mapping wins.
    assert_eq!(
        root.get("list").and_then(|n| n.get("replicas")).map(plain),
        Some(Resolved::Int(2).into())
    );
    assert_eq!(
        root.get("list")
            .and_then(|n| n.get("image"))
            .and_then(Node::as_str),
        Some("nginx")
    );
    // The explicit key wins even after the merge, with a warning about go-yaml v2.
    assert_eq!(
        root.get("late").and_then(|n| n.get("replicas")).map(plain),
        Some(Resolved::Int(9).into())
    );
    let codes_found: Vec<_> = file.documents[0].errors.iter().map(|e| e.code).collect();
    assert!(codes_found.contains(&codes::MERGE_ORDER));
    assert!(codes_found.contains(&codes::MERGE));
    let dup = file.documents[0]
        .errors
        .iter()
        .find(|e| e.code == codes::DUPLICATE_KEY)
        .expect("dup");
    assert!(dup.message.contains("line 22"), "{}", dup.message);
}

#[test]
fn broken_document_keeps_the_others() {
    let file = snapshot("broken-documents.yaml");
    assert_eq!(file.documents.len(), 3);
    let [a, b, c] = &file.documents[..] else {
        unreachable!()
    };
    assert!(!a.recovered && a.errors.is_empty());
    assert!(!c.recovered && c.errors.is_empty());
    assert_eq!(
        c.root
            .as_ref()
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str),
        Some("ResourceTemplate")
    );
    assert!(b.recovered);
    let root = b.root.as_ref().expect("recovered root");
    // Structure on both sides of the broken line survives.
    let spec = root.get("spec").expect("spec");
    assert!(spec.get("locals").and_then(|l| l.get("b")).is_some());
    assert!(
        spec.get("return")
            .and_then(|r| r.get("x"))
            .is_some_and(Node::is_expression)
    );
    let err = b
        .errors
        .iter()
        .find(|e| e.code == codes::YAML_SYNTAX)
        .expect("syntax error");
    let text = data("broken-documents.yaml");
    assert_eq!(&text[err.range], "incompl");
}

#[test]
fn scalar_styles() {
    let file = snapshot("scalars.yaml");
    let root = file.documents[0].root.as_ref().expect("root");
    assert!(root.get("expr").is_some_and(Node::is_expression));
    assert_eq!(
        root.get("expr").and_then(Node::expression),
        Some("inputs.name + \"x\"")
    );
    assert!(root.get("quoted_expr").is_some_and(Node::is_expression));
    assert!(!root.get("not_expr").is_some_and(Node::is_expression));
    assert_eq!(
        root.get("int")
            .and_then(|n| n.resolve(ResolveRules::Kubernetes)),
        Some(Resolved::Int(42))
    );
    assert_eq!(root.get("tagged").and_then(Node::as_str), Some("123"));
    assert_eq!(root.get("tilde").and_then(Node::as_str), None);
}

#[test]
fn crlf_and_bom() {
    let file = snapshot("crlf.yaml");
    assert_eq!(file.documents.len(), 2);
    let lit = file.documents[1]
        .root
        .as_ref()
        .and_then(|r| r.get("c"))
        .and_then(Node::as_str);
    assert_eq!(lit, Some("lit\n"));
    let file = snapshot("bom.yaml");
    assert_eq!(file.documents[0].source_range.start(), TextSize::from(3));
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(parse_file("").documents.len(), 0);
    assert_eq!(parse_file("# just a comment\n\n").documents.len(), 0);
    let file = parse_file("---\n");
    assert_eq!(file.documents.len(), 1);
    assert!(
        file.documents[0]
            .root
            .as_ref()
            .is_none_or(|r| r.as_scalar().is_some_and(|s| s.text.is_empty()))
    );
}

#[test]
fn marker_with_content_on_the_same_line() {
    let text = "--- |\n  literal\n--- {a: 1}\n";
    let file = parse_file(text);
    check_invariants(text, &file);
    assert_eq!(file.documents.len(), 2);
    assert_eq!(
        file.documents[0].root.as_ref().and_then(Node::as_str),
        Some("literal\n")
    );
    assert!(
        file.documents[1]
            .root
            .as_ref()
            .and_then(|r| r.get("a"))
            .is_some()
    );
}

#[test]
fn document_at_offsets() {
    let text = "a: 1\n---\nb: 2\n";
    let file = parse_file(text);
    assert_eq!(
        file.document_at(TextSize::from(0)).map(|d| d.index),
        Some(0)
    );
    assert_eq!(
        file.document_at(TextSize::from(5)).map(|d| d.index),
        Some(1)
    );
    assert_eq!(
        file.document_at(TextSize::of(text)).map(|d| d.index),
        Some(1)
    );
}

#[test]
fn binary_and_invalid_utf8() {
    let file = parse_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert!(file.documents.is_empty());
    assert_eq!(file.errors[0].code, codes::BINARY);
    let file = parse_bytes(b"a: 1\nb: \xff\xfe oops\n");
    assert!(file.documents.is_empty());
    assert_eq!(file.errors[0].code, codes::INVALID_UTF8);
    assert!(
        file.errors[0].message.contains("line 2"),
        "{}",
        file.errors[0].message
    );
    assert_eq!(file.errors[0].range, TextRange::new(5.into(), 8.into()));
    let file = parse_bytes(b"\xff\xfea\x00:\x00");
    assert!(file.errors[0].message.contains("UTF-16"));
    let file = parse_bytes("\u{feff}a: é\n".as_bytes());
    assert_eq!(file.documents.len(), 1);
    assert!(file.errors.is_empty());
}

#[test]
fn scalar_source_maps() {
    let text = "a: =inputs.x + y\nb: \"==a\\tb + c\"\nc: 'it''s =x'\nd: |\n  =first\n  second\ne: =one\n  two\n";
    let file = parse_file(text);
    let root = file.documents[0].root.as_ref().unwrap();
    let at = |key: &str, i: usize| {
        let off = root.get(key).unwrap().expression_offset(text, i).unwrap();
        &text[usize::from(off)..]
    };
    assert!(at("a", 0).starts_with("inputs.x"));
    assert!(at("a", 9).starts_with("+ y"));
    // After the `==` of a quoted scalar; the `\t` escape maps to its backslash.
    assert!(at("b", 0).starts_with("a\\tb"));
    assert!(at("b", 1).starts_with("\\tb"));
    assert!(at("b", 2).starts_with("b + c"));
    // A block scalar's second line.
    assert!(at("d", 5).starts_with("\n  second"));
    assert!(at("d", 6).starts_with("second"));
    // A folded plain scalar: the space stands for the line break.
    assert!(at("e", 4).starts_with("two"));
    // The end of the value.
    let end = root.get("a").unwrap().expression_offset(text, 100).unwrap();
    assert_eq!(usize::from(end), text.find("\nb:").unwrap());
    // Single quotes: `''` is one character.
    let c = root.get("c").unwrap();
    let map = c.scalar_source_map(text).unwrap();
    assert_eq!(map.len(), "it's =x".len() + 1);
    assert!(text[usize::from(map[5])..].starts_with("=x'"));
    assert_eq!(root.scalar_source_map(text), None);
}
