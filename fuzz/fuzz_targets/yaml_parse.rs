#![no_main]

//! YAML layer (`server/koreo-syntax`): any bytes parse without panic or abort; for UTF-8
//! input, results are consistent, the editor helpers are total, and an edit applied
//! incrementally (position and text taken from the input) matches a fresh parse.

use koreo_syntax::invariants::{check_editor_helpers, check_parse};
use koreo_syntax::{TextRange, TextSize, YamlFile, parse_bytes, parse_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_bytes(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = parse_file(text);
    check_parse(text, &file);
    check_editor_helpers(text, &file, 64);

    // Edit: delete the first quarter's last few bytes and insert the input's tail there.
    let at = text.len() / 4;
    let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let end = (at..=text.len()).find(|&i| i >= at + 3 && text.is_char_boundary(i)).unwrap_or(text.len());
    let tail_start = (text.len() * 3 / 4..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    let insert = &text[tail_start..];
    let mut yaml = YamlFile::new(text);
    yaml.apply_edit(TextRange::new(TextSize::from(at as u32), TextSize::from(end as u32)), insert);
    let fresh = parse_file(yaml.text());
    check_parse(yaml.text(), yaml.parsed());
    assert_eq!(yaml.parsed().dump(), fresh.dump(), "incremental and fresh parses differ");
});
