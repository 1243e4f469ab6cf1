//! The tree-sitter queries in `queries/` against tree-sitter-yaml 0.7 (the YAML parser Neovim and
//! Helix use): every file compiles (alone, and after YAML's own highlights for `; inherits: yaml`),
//! and on a sample Koreo file they capture what they promise.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tree_sitter::{
    Language, Node, Parser, Query, QueryCursor, QueryPredicateArg, StreamingIterator, Tree,
};

fn yaml() -> Language {
    tree_sitter_yaml::LANGUAGE.into()
}

fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../queries")
}

fn read(rel: &str) -> String {
    let p = queries_dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn scm_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("queries/ is readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            scm_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "scm") {
            out.push(path);
        }
    }
}

/// The query as an editor assembles it: `; inherits: yaml` prepends YAML's own query of that name
/// (only highlights ship with the crate; YAML's injections are editor-specific).
fn assembled(text: &str, file_name: &str) -> String {
    if text.starts_with("; inherits: yaml") && file_name == "highlights.scm" {
        format!("{}\n{text}", tree_sitter_yaml::HIGHLIGHTS_QUERY)
    } else {
        text.to_string()
    }
}

#[test]
fn every_query_file_compiles() {
    let mut files = Vec::new();
    scm_files(&queries_dir(), &mut files);
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.strip_prefix(queries_dir()).unwrap().display().to_string())
        .collect();
    for expected in [
        "koreo/highlights.scm",
        "koreo/injections.scm",
        "helix/koreo/injections.scm",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        Query::new(&yaml(), &text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        Query::new(&yaml(), &assembled(&text, name))
            .unwrap_or_else(|e| panic!("{} with YAML's highlights: {e}", file.display()));
    }
}

/// Helix (tree-house) rejects a query with a predicate it does not know; it knows #eq?, #match?,
/// #any-of? (and their negations) and #set!. Neovim-only directives (#offset!, #lua-match?, ...)
/// must stay out of the files Helix loads: the shared highlights and the Helix injections.
#[test]
fn helix_files_use_only_predicates_helix_knows() {
    for rel in ["koreo/highlights.scm", "helix/koreo/injections.scm"] {
        let query = Query::new(&yaml(), &read(rel)).unwrap();
        for i in 0..query.pattern_count() {
            let general: Vec<_> = query
                .general_predicates(i)
                .iter()
                .map(|p| p.operator.to_string())
                .collect();
            assert!(
                general.is_empty(),
                "{rel} pattern {i} uses {general:?}, which Helix rejects"
            );
        }
    }
}

const SAMPLE: &str = r#"apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: make-name
spec:
  locals:
    joined: =inputs.prefix + "-" + inputs.suffix
    quoted: "=has(inputs.a) ? 1 : 2"
    single: '=inputs.x == ''y'''
    literal: app
    flow: {ref: =to_ref(inputs), ns: default}
    list: [=locals.a, plain]
    block: |
      =inputs.items.map(i,
        i * 2)
    text: |
      just = text
    "=key": value
  return:
    - =locals.joined
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: make-name-test
spec:
  functionRef: {kind: ValueFunction, name: make-name}
  testCases:
    - expectResource:
        apiVersion: v1
        kind: ConfigMap
"#;

fn parse(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&yaml()).unwrap();
    let tree = parser.parse(text, None).unwrap();
    assert!(
        !tree.root_node().has_error(),
        "the sample is valid YAML: {}",
        tree.root_node().to_sexp()
    );
    tree
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

/// (capture name, captured text) for every capture of `query` on `src`.
fn captures(query: &Query, src: &str) -> BTreeSet<(String, String)> {
    let tree = parse(src);
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
    let mut out = BTreeSet::new();
    while let Some(m) = matches.next() {
        for c in m.captures() {
            let name = query.capture_names()[c.index as usize];
            out.insert((name.to_string(), text(c.node, src).to_string()));
        }
    }
    out
}

fn has(caps: &BTreeSet<(String, String)>, capture: &str, text: &str) -> bool {
    caps.contains(&(capture.to_string(), text.to_string()))
}

#[test]
fn highlights_mark_koreo_kinds_keys_and_cel_values() {
    let query = Query::new(&yaml(), &read("koreo/highlights.scm")).unwrap();
    let caps = captures(&query, SAMPLE);
    let cel: BTreeSet<_> = caps
        .iter()
        .filter(|(c, _)| c == "string.special")
        .map(|(_, t)| t.as_str())
        .collect();

    assert!(has(&caps, "type.builtin", "ValueFunction"), "{caps:?}");
    assert!(has(&caps, "type.builtin", "FunctionTest"));
    assert!(
        !has(&caps, "type.builtin", "ConfigMap"),
        "only Koreo kinds are builtin types"
    );
    assert!(has(&caps, "namespace", "koreo.dev/v1beta1"));
    assert!(!has(&caps, "namespace", "v1"));
    for key in [
        "locals",
        "return",
        "functionRef",
        "testCases",
        "expectResource",
    ] {
        assert!(has(&caps, "keyword", key), "{key} is a Koreo key");
    }
    assert!(
        !has(&caps, "keyword", "literal"),
        "other keys are left to YAML"
    );

    let expected: BTreeSet<&str> = [
        r#"=inputs.prefix + "-" + inputs.suffix"#,
        r#""=has(inputs.a) ? 1 : 2""#,
        "'=inputs.x == ''y'''",
        "=to_ref(inputs)",
        "=locals.a",
        "|\n      =inputs.items.map(i,\n        i * 2)",
        "=locals.joined",
    ]
    .into();
    assert_eq!(
        cel, expected,
        "every = value and nothing else (not the \"=key\" key, not plain strings)"
    );
}

/// The injected CEL text after Neovim's `#offset!` (row/column deltas on start and end).
fn with_offset(node: Node, src: &str, offset: Option<[i64; 4]>) -> String {
    let Some([sr, sc, er, ec]) = offset else {
        return text(node, src).to_string();
    };
    let point_to_byte = |row: i64, col: i64| {
        let line_start: usize = src
            .split_inclusive('\n')
            .take(row as usize)
            .map(str::len)
            .sum();
        (line_start as i64 + col) as usize
    };
    let (s, e) = (node.start_position(), node.end_position());
    let start = point_to_byte(s.row as i64 + sr, s.column as i64 + sc);
    let end = point_to_byte(e.row as i64 + er, e.column as i64 + ec);
    src[start..end].to_string()
}

/// (language, injected text) for every injection of `query` on `src`.
fn injections(query: &Query, src: &str) -> BTreeSet<(String, String)> {
    let content = query.capture_index_for_name("injection.content").unwrap();
    let tree = parse(src);
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
    let mut out = BTreeSet::new();
    while let Some(m) = matches.next() {
        let lang = query
            .property_settings(m.pattern_index)
            .iter()
            .find(|p| &*p.key == "injection.language")
            .and_then(|p| p.value.as_deref())
            .expect("every injection names its language")
            .to_string();
        let offset = query
            .general_predicates(m.pattern_index)
            .iter()
            .find(|p| &*p.operator == "offset!")
            .map(|p| {
                let nums: Vec<i64> = p.args[1..]
                    .iter()
                    .map(|a| match a {
                        QueryPredicateArg::String(s) => s.parse().expect("#offset! takes numbers"),
                        QueryPredicateArg::Capture(_) => panic!("#offset! @capture n n n n"),
                    })
                    .collect();
                [nums[0], nums[1], nums[2], nums[3]]
            });
        for c in m.captures().iter().filter(|c| c.index == content) {
            out.insert((lang.clone(), with_offset(c.node, src, offset)));
        }
    }
    out
}

#[test]
fn neovim_injections_hand_cel_the_bare_expression() {
    let query = Query::new(&yaml(), &read("koreo/injections.scm")).unwrap();
    let got: BTreeSet<String> = injections(&query, SAMPLE)
        .into_iter()
        .map(|(lang, text)| {
            assert_eq!(lang, "cel");
            text
        })
        .collect();
    let expected: BTreeSet<String> = [
        r#"inputs.prefix + "-" + inputs.suffix"#,
        "has(inputs.a) ? 1 : 2",
        "inputs.x == ''y''",
        "to_ref(inputs)",
        "locals.a",
        // #offset! only shifts columns: the block keeps its line break and = (see injections.scm).
        "\n      =inputs.items.map(i,\n        i * 2)",
        "locals.joined",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn helix_injections_cover_the_same_values() {
    let query = Query::new(&yaml(), &read("helix/koreo/injections.scm")).unwrap();
    let got: BTreeSet<String> = injections(&query, SAMPLE)
        .into_iter()
        .map(|(lang, text)| {
            assert_eq!(lang, "cel");
            text
        })
        .collect();
    let highlighted = captures(
        &Query::new(&yaml(), &read("koreo/highlights.scm")).unwrap(),
        SAMPLE,
    );
    let cel_values: BTreeSet<String> = highlighted
        .into_iter()
        .filter(|(c, _)| c == "string.special")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        got, cel_values,
        "Helix injects exactly the values highlighted as CEL"
    );
}

/// A Neovim >= 0.10 (vim.treesitter.language.add with a path): KOREO_NVIM, the one
/// .ci/install-editors.sh puts in /opt/nvim011, or `nvim` on PATH.
fn neovim() -> PathBuf {
    let candidates = [
        std::env::var_os("KOREO_NVIM").map(PathBuf::from),
        Some(PathBuf::from("/opt/nvim011/bin/nvim")),
        Some(PathBuf::from("nvim")),
    ];
    for nvim in candidates.into_iter().flatten() {
        let Ok(out) = Command::new(&nvim).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout);
        let minor = version
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("NVIM v0."))
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if minor.is_some_and(|m| m >= 10) {
            return nvim;
        }
    }
    panic!(
        "no Neovim >= 0.10 found (KOREO_NVIM, /opt/nvim011/bin/nvim, PATH): run .ci/install-editors.sh"
    );
}

/// The C sources of the tree-sitter-yaml crate this test links, found through cargo metadata.
fn tree_sitter_yaml_src() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["metadata", "--format-version", "1"])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tree-sitter-yaml")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("tree-sitter-yaml is a dependency");
    Path::new(manifest).parent().unwrap().join("src")
}

#[test]
fn neovim_loads_the_queries() {
    if std::env::var("KOREO_E2E").as_deref() != Ok("1") {
        println!(
            "skipped neovim_loads_the_queries: set KOREO_E2E=1 (after .ci/install-editors.sh) to run it"
        );
        return;
    }
    let nvim = neovim();
    let tmp = std::env::temp_dir().join(format!("koreo-queries-{}", std::process::id()));
    let ws = tmp.join("ws");
    std::fs::create_dir_all(&ws).unwrap();

    // The parser as nvim-treesitter would build it: the grammar's parser.c and scanner.c.
    let src = tree_sitter_yaml_src();
    let so = tmp.join("yaml.so");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-O1", "-I"])
        .arg(&src)
        .arg(src.join("parser.c"))
        .arg(src.join("scanner.c"))
        .arg("-o")
        .arg(&so)
        .status()
        .expect("a C compiler (cc)");
    assert!(status.success(), "building the YAML parser failed");

    let sample = "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n  name: demo\nspec:\n  return:\n    name: =inputs.prefix + \"-x\"\n    quoted: \"=has(inputs.a)\"\n    plain: hello\n    block: |\n      =inputs.items.map(i,\n        i * 2)\n";
    std::fs::write(ws.join("fn.k.yaml"), sample).unwrap();
    std::fs::write(ws.join("resource.yaml"), sample).unwrap();
    std::fs::write(
        ws.join("deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\n",
    )
    .unwrap();
    let result = tmp.join("out.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/queries/nvim_check.lua");
    let out = Command::new(&nvim)
        .args(["--headless", "--clean", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env(
            "KOREO_REPO",
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap(),
        )
        .env("YAML_SO", &so)
        .env("WS", &ws)
        .env("OUT", &result)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("nvim runs");
    let json = std::fs::read_to_string(&result).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        out.status.success(),
        "nvim failed ({}): {json} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_str(&json).expect("nvim_check.lua wrote JSON");

    assert_eq!(got["filetypes"]["fn.k.yaml"], "koreo");
    assert_eq!(
        got["filetypes"]["resource.yaml"], "koreo",
        "detected by content"
    );
    assert_eq!(got["filetypes"]["deployment.yaml"], "yaml");
    let caps = &got["captures"];
    for (row_capture, what) in [
        ("0:namespace", "apiVersion koreo.dev/..."),
        ("1:type.builtin", "the kind ValueFunction"),
        ("5:keyword", "the Koreo key return"),
        ("6:string.special", "=inputs.prefix ..."),
        ("7:string.special", "\"=has(inputs.a)\""),
        ("10:string.special", "the block scalar's CEL"),
    ] {
        assert!(
            caps[row_capture].as_u64().unwrap_or(0) > 0,
            "{what} ({row_capture}) not highlighted: {caps}"
        );
    }
    assert!(
        caps.get("8:string.special").is_none(),
        "a plain string is not CEL: {caps}"
    );
    let injected: BTreeSet<(String, String)> = got["injections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["lang"].as_str().unwrap().to_string(),
                i["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        "inputs.prefix + \"-x\"",
        "has(inputs.a)",
        "\n      =inputs.items.map(i,\n        i * 2)",
    ]
    .into_iter()
    .map(|t| ("lua".to_string(), t.to_string()))
    .collect();
    assert_eq!(
        injected, expected,
        "\"cel\" (mapped to the lua parser) is injected into exactly the = values"
    );
}
