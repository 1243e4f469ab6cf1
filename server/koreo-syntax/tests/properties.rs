//! Property tests: no input makes parsing panic, and results are always consistent.

use koreo_syntax::invariants::{check_editor_helpers, check_parse};
use koreo_syntax::{parse_bytes, parse_file};
use proptest::prelude::*;

/// YAML-looking text: indentation, indicators, markers, quotes, anchors, unicode.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a",
        "key",
        ":",
        ": ",
        " ",
        "  ",
        "\n",
        "\r\n",
        "- ",
        "-",
        "---",
        "...",
        "#",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\"",
        "'",
        "\\",
        "|",
        ">",
        "|-",
        "&a ",
        "*a",
        "!!str ",
        "!t ",
        "<<: ",
        "? ",
        "%YAML 1.2",
        "=x",
        "1",
        "0x1F",
        "yes",
        "~",
        "é",
        "😀",
        "\t",
        "\u{0}",
        "\u{feff}",
        "%",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    // `PROPTEST_CASES` raises the count for longer local runs.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let file = parse_file(&text);
        check_parse(&text, &file);
        check_editor_helpers(&text, &file, 16);
    }

    #[test]
    fn yamlish_text_is_consistent(text in yamlish()) {
        let file = parse_file(&text);
        check_parse(&text, &file);
        check_editor_helpers(&text, &file, usize::MAX);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let file = parse_bytes(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check_parse(text, &file);
        }
    }
}
