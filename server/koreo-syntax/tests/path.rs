//! `path_at`, `range_at_path`, folding ranges: CST helpers for editor features, on valid
//! and broken documents. `$0` marks the cursor.

use expect_test::{Expect, expect};
use koreo_syntax::{Part, PathSegment, TextSize, parse_file, path_to_string};

fn at(fixture: &str) -> String {
    let offset = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replace("$0", "");
    let file = parse_file(&text);
    let Some(p) = file.path_at(&text, TextSize::from(offset as u32)) else {
        return "none".to_owned();
    };
    let node = p
        .node_range
        .map_or(String::new(), |r| format!(" node={:?}", &text[r]));
    format!(
        "doc{} {} {:?}{node} siblings={:?}{}",
        p.document,
        path_to_string(&p.path),
        p.target,
        p.sibling_keys,
        if p.could_be_key { " could_be_key" } else { "" }
    )
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&at(fixture));
}

const VF: &str = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: vf\n";

#[test]
fn on_keys_and_values() {
    check(
        &format!("{VF}spec:\n  ret$0urn:\n    x: 1\n"),
        expect![[r#"doc0 .spec.return Key node="return" siblings=[]"#]],
    );
    check(
        &format!("{VF}spec:\n  return:\n    x: =inputs$0.a\n    y: 2\n"),
        expect![[r#"doc0 .spec.return.x Value node="=inputs.a" siblings=[]"#]],
    );
    check(
        &format!("{VF}spec:\n  return:\n    x: 1\n    y$0: 2\n"),
        expect![[r#"doc0 .spec.return.y Key node="y" siblings=["x"]"#]],
    );
    check(
        "a: {b: 1, c: [x, y$0]}\n",
        expect![[r#"doc0 .a.c[1] Value node="y" siblings=[]"#]],
    );
    check(
        "\"quoted key\": 'v$0'\n",
        expect![[r#"doc0 .quoted key Value node="'v'" siblings=[]"#]],
    );
}

#[test]
fn in_sequences() {
    check(
        "spec:\n  steps:\n  - label: a\n    ref: x\n  - label: b$0\n",
        expect![[r#"doc0 .spec.steps[1].label Value node="b" siblings=[]"#]],
    );
    check(
        "spec:\n  steps:\n  - label: a\n  - lab$0el: b\n    ref: c\n",
        expect![[r#"doc0 .spec.steps[1].label Key node="label" siblings=["ref"]"#]],
    );
    check(
        "a:\n- - x\n  - y$0\n",
        expect![[r#"doc0 .a[0][1] Value node="y" siblings=[]"#]],
    );
}

#[test]
fn after_colon_and_dash() {
    check(
        "spec:\n  name: $0\n",
        expect![[r#"doc0 .spec.name Value siblings=[]"#]],
    );
    check(
        "spec:\n  name:$0\n",
        expect![[r#"doc0 .spec.name Value siblings=[]"#]],
    );
    check(
        "items:\n- $0\n",
        expect![[r#"doc0 .items[0] Value siblings=[]"#]],
    );
    check(
        "a: {x: 1, $0}\n",
        expect![[r#"doc0 .a NewKey siblings=["x"]"#]],
    );
}

#[test]
fn blank_lines_use_indentation() {
    // Indented under `spec:` with nothing yet.
    check(
        &format!("{VF}spec:\n  $0\n"),
        expect![[r#"doc0 .spec NewKey siblings=[]"#]],
    );
    // Between keys of `spec`.
    check(
        &format!("{VF}spec:\n  locals:\n    a: 1\n  $0\n  return: {{}}\n"),
        expect![[r#"doc0 .spec NewKey siblings=["locals", "return"]"#]],
    );
    // Deeper: inside `locals`.
    check(
        &format!("{VF}spec:\n  locals:\n    a: 1\n    $0\n"),
        expect![[r#"doc0 .spec.locals NewKey siblings=["a"]"#]],
    );
    // Back at the top level.
    check(
        &format!("{VF}spec:\n  locals:\n    a: 1\n$0\n"),
        expect![[r#"doc0  NewKey siblings=["apiVersion", "kind", "metadata", "spec"]"#]],
    );
    // A new item of a sequence, and a new key inside an item.
    check(
        "steps:\n- label: a\n$0\n",
        expect!["doc0 .steps[1] Value siblings=[]"],
    );
    check(
        "steps:\n  - label: a\n  $0\n",
        expect![[r#"doc0 .steps[1] Value siblings=[]"#]],
    );
    check(
        "steps:\n  - label: a\n    $0\n",
        expect![[r#"doc0 .steps[0] NewKey siblings=["label"]"#]],
    );
    check("$0", expect![[r#"none"#]]);
    check("# comment\n$0", expect![[r#"none"#]]);
}

#[test]
fn typing_a_key_below_its_parent() {
    check(
        &format!("{VF}spec:\n  ret$0\n"),
        expect![[r#"doc0 .spec Value node="ret" siblings=[] could_be_key"#]],
    );
}

#[test]
fn broken_documents_still_have_paths() {
    // A key without its colon in the middle of a mapping.
    check(
        &format!("{VF}spec:\n  locals:\n    a: 1\n    incompl\n    b: 2$0\n"),
        expect![[r#"doc0 .spec.locals.b Value node="2" siblings=[]"#]],
    );
    // An unclosed flow mapping.
    check(
        "a: 1\nb: {x: 1, y: $0\n",
        expect!["doc0 .y Value siblings=[]"],
    );
    // The other documents are unaffected by a broken one.
    check(
        "a: [\n---\nkind: X\nspec:\n  k: v$0\n",
        expect![[r#"doc1 .spec.k Value node="v" siblings=[]"#]],
    );
}

#[test]
fn ranges_at_paths() {
    let text = "metadata:\n  name: vf\nspec:\n  steps:\n  - label: a\n  - label: b\n    ref: {kind: X}\n  empty:\n";
    let file = parse_file(text);
    let doc = &file.documents[0];
    let key = |k: &str| PathSegment::Key(k.to_owned());
    let r = |path: &[PathSegment], part| doc.range_at_path(text, path, part).map(|r| &text[r]);
    assert_eq!(r(&[key("metadata"), key("name")], Part::Value), Some("vf"));
    assert_eq!(r(&[key("metadata"), key("name")], Part::Key), Some("name"));
    assert_eq!(
        r(&[key("metadata"), key("name")], Part::Entry),
        Some("name: vf")
    );
    assert_eq!(
        r(
            &[
                key("spec"),
                key("steps"),
                PathSegment::Index(1),
                key("ref"),
                key("kind")
            ],
            Part::Value
        ),
        Some("X")
    );
    assert_eq!(
        r(
            &[key("spec"), key("steps"), PathSegment::Index(0)],
            Part::Entry
        ),
        Some("- label: a")
    );
    assert_eq!(
        r(
            &[key("spec"), key("steps"), PathSegment::Index(0)],
            Part::Value
        ),
        Some("label: a")
    );
    assert_eq!(r(&[key("spec"), key("empty")], Part::Key), Some("empty"));
    assert_eq!(r(&[key("spec"), key("empty")], Part::Value), None);
    assert_eq!(r(&[key("spec"), key("missing")], Part::Value), None);
    assert_eq!(
        r(
            &[key("spec"), key("steps"), PathSegment::Index(5)],
            Part::Value
        ),
        None
    );
    assert_eq!(r(&[], Part::Value), Some(text.trim_end()));
}

#[test]
fn folding_ranges_cover_multiline_structures() {
    let text = "a:\n  b: 1\n  c:\n    - x\n    - y\nd: |\n  one\n  two\ne: 1\n";
    let file = parse_file(text);
    let folds: Vec<&str> = file.documents[0]
        .folding_ranges(text)
        .into_iter()
        .map(|r| &text[r])
        .collect();
    assert_eq!(
        folds,
        vec![
            "a:\n  b: 1\n  c:\n    - x\n    - y",
            "c:\n    - x\n    - y",
            "d: |\n  one\n  two",
            "|\n  one\n  two"
        ]
    );
}

#[test]
fn cst_nodes_visit_everything_in_order() {
    let text = "a: [1, 2]\n---\nb: c\n";
    let file = parse_file(text);
    let kinds: Vec<&str> = file.documents[0]
        .cst_nodes()
        .filter(|n| n.is_named())
        .map(|n| n.kind())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "stream",
            "document",
            "block_node",
            "block_mapping",
            "block_mapping_pair",
            "flow_node",
            "plain_scalar",
            "string_scalar",
            "flow_node",
            "flow_sequence",
            "flow_node",
            "plain_scalar",
            "integer_scalar",
            "flow_node",
            "plain_scalar",
            "integer_scalar"
        ]
    );
    let doc1 = &file.documents[1];
    let scalar = doc1
        .cst_nodes()
        .find(|n| n.kind() == "plain_scalar")
        .expect("scalar");
    assert_eq!(&text[doc1.cst_range(scalar)], "b");
}
