//! `YamlFile`: edits re-parse only what changed, and always agree with a fresh parse.

use koreo_syntax::{
    Node, ParsedFile, PositionEncoding, TextPosition, TextRange, TextSize, YamlFile, parse_file,
};
use proptest::prelude::*;

/// Everything observable about a parse: the dump (trees, ranges, errors) and each CST.
fn fingerprint(file: &ParsedFile) -> String {
    let mut out = file.dump();
    for d in &file.documents {
        out.push_str(
            &d.tree
                .as_ref()
                .map_or("(no tree)".to_owned(), |t| t.root_node().to_sexp()),
        );
        out.push('\n');
    }
    out
}

fn assert_fresh(file: &YamlFile) {
    let fresh = parse_file(file.text());
    assert_eq!(
        fingerprint(file.parsed()),
        fingerprint(&fresh),
        "text: {:?}",
        file.text()
    );
}

fn range(a: u32, b: u32) -> TextRange {
    TextRange::new(TextSize::from(a), TextSize::from(b))
}

const THREE: &str =
    "kind: A\nspec:\n  x: 1\n---\nkind: B\nspec:\n  y: 2\n---\nkind: C\nspec:\n  z: 3\n";

#[test]
fn only_the_edited_document_is_reparsed() {
    let mut file = YamlFile::new(THREE);
    // Change `y: 2` to `y: 22` in the second document.
    let at = THREE.find("y: 2").unwrap() as u32 + 4;
    let summary = file.apply_edit(range(at, at), "2");
    assert_eq!(summary.reparsed, vec![1]);
    assert!(!summary.documents_changed);
    assert_fresh(&file);
    let y = file.documents()[1]
        .root
        .as_ref()
        .and_then(|r| r.get("spec"))
        .and_then(|s| s.get("y"));
    assert_eq!(y.and_then(Node::scalar_text), Some("22"));
    // The third document moved by one byte without being re-parsed.
    let c = &file.documents()[2];
    assert_eq!(
        &file.text()[c.root.as_ref().unwrap().get("kind").unwrap().range],
        "C"
    );
}

#[test]
fn typing_a_marker_splits_a_document() {
    let mut file = YamlFile::new("a: 1\nb: 2\n");
    let summary = file.apply_edit(range(5, 5), "---\n");
    assert!(summary.documents_changed);
    assert_eq!(file.documents().len(), 2);
    assert_fresh(&file);
    // And deleting it joins them again.
    file.apply_edit(range(5, 9), "");
    assert_eq!(file.documents().len(), 1);
    assert_fresh(&file);
}

#[test]
fn last_good_tree_survives_a_broken_edit() {
    let text = "spec:\n  locals:\n    a: 1\n  return: {x: 1}\n";
    let mut file = YamlFile::new(text);
    assert!(!file.documents()[0].has_syntax_errors());
    // Type a key without its colon: saphyr rejects the document.
    let at = text.find("  return").unwrap() as u32;
    file.apply_edit(range(at, at), "    bro\n");
    assert!(file.documents()[0].has_syntax_errors());
    let good = file.last_good_root(0).expect("last good");
    let x = good
        .get("spec")
        .and_then(|s| s.get("return"))
        .and_then(|r| r.get("x"))
        .expect("x");
    // Its ranges follow the edit: `1` is still where `1` is.
    assert_eq!(&file.text()[x.range], "1");
    // Another broken edit keeps the same last good tree.
    let end = TextSize::of(file.text());
    file.apply_edit(TextRange::empty(end), "  [");
    let good = file.last_good_root(0).expect("still there");
    assert!(good.get("spec").and_then(|s| s.get("locals")).is_some());
    // Fixing the document makes the current tree the good one.
    let text = file.text().replace("    bro\n", "").replace("  [", "");
    file.set_text(text);
    assert!(!file.documents()[0].has_syntax_errors());
    assert!(std::ptr::eq(
        file.last_good_root(0).unwrap(),
        file.documents()[0].root.as_ref().unwrap()
    ));
}

#[test]
fn lsp_changes_with_positions() {
    let mut file = YamlFile::new("name: é😀\nb: 1\n");
    // Replace `1` on line 1 (UTF-16 positions).
    file.apply_change(
        Some((TextPosition::new(1, 3), TextPosition::new(1, 4))),
        "2",
        PositionEncoding::Utf16,
    );
    assert_eq!(file.text(), "name: é😀\nb: 2\n");
    // Insert after 😀 (UTF-16 column 9).
    file.apply_change(
        Some((TextPosition::new(0, 9), TextPosition::new(0, 9))),
        "!",
        PositionEncoding::Utf16,
    );
    assert_eq!(file.text(), "name: é😀!\nb: 2\n");
    // Past the end of the line and of the text: clamped.
    file.apply_change(
        Some((TextPosition::new(9, 9), TextPosition::new(9, 9))),
        "c: 3\n",
        PositionEncoding::Utf16,
    );
    assert_eq!(file.text(), "name: é😀!\nb: 2\nc: 3\n");
    file.apply_change(None, "whole: text\n", PositionEncoding::Utf16);
    assert_eq!(file.text(), "whole: text\n");
    assert_fresh(&file);
}

#[test]
fn duplicate_key_lines_follow_inserted_lines() {
    let mut file = YamlFile::new("a: 1\n---\nk: 1\nk: 2\n");
    file.apply_edit(range(0, 0), "x: 0\n\n");
    assert_fresh(&file);
    let msg = &file.documents()[1].errors[0].message;
    assert!(msg.contains("line 5"), "{msg}");
}

/// Pieces that make interesting YAML when glued together.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a: 1\n",
        "b:\n",
        "  c: x\n",
        "- i\n",
        "  - j\n",
        "---\n",
        "...\n",
        "# c\n",
        "k: [1, 2]\n",
        "m: {x: 1}\n",
        "s: |\n  lit\n",
        "q: \"s\"\n",
        "&a x: *a\n",
        "<<: {z: 1}\n",
        "\n",
        "%YAML 1.2\n",
    ])
}

fn insertion() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "", "a", ":", " ", "\n", "-", "---\n", "...", "#", "{", "}", "[", "\"", "'", "  ",
        "x: y\n", "é", "\t", "*a", "&b ",
    ])
}

proptest! {
    // `PROPTEST_CASES` raises the count for longer local runs.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn edits_agree_with_fresh_parses(
        parts in prop::collection::vec(fragment(), 0..12),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..6, insertion()), 1..6),
    ) {
        let text: String = parts.concat();
        let mut file = YamlFile::new(text);
        for (at, len, ins) in edits {
            let n = file.text().len();
            let start = if n == 0 { 0 } else { at.index(n + 1) };
            let end = (start + len).min(n);
            file.apply_edit(range(start as u32, end as u32), ins);
            let fresh = parse_file(file.text());
            prop_assert_eq!(fingerprint(file.parsed()), fingerprint(&fresh), "text: {:?}", file.text());
        }
    }
}
