//! `parse_file` / `parse_bytes`: split, parse each document twice (tree-sitter for the
//! editor, saphyr for exact values), reconcile the errors.

use text_size::{TextRange, TextSize};
use tree_sitter::Tree;

use crate::codes;
use crate::cst;
use crate::load::{self, DocPlace, count_nodes};
use crate::split::{Segment, split_documents};
use crate::yaml::{Document, ParsedFile, Severity, SyntaxError};

/// Files larger than this are not analysed (a file-level error says so).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Documents beyond this count in one file are not analysed.
pub const MAX_DOCUMENTS: usize = 20_000;

/// At most this many tree-sitter errors are reported per document besides saphyr's.
const MAX_CST_ERRORS: usize = 5;

/// Parses a YAML file into documents. Never fails, never panics: problems are
/// [`SyntaxError`]s on the file or its documents.
pub fn parse_file(text: &str) -> ParsedFile {
    let mut parser = cst::new_parser();
    let (segments, errors) = match prepare(text) {
        Ok(x) => x,
        Err(e) => {
            return ParsedFile {
                documents: Vec::new(),
                errors: vec![e],
            };
        }
    };
    let mut line = 0;
    let mut counted = 0;
    let documents = segments
        .into_iter()
        .enumerate()
        .map(|(index, seg)| {
            let start = u32::from(seg.source.start()) as usize;
            line += count_newlines(&text.as_bytes()[counted..start]);
            counted = start;
            parse_document(&mut parser, text, index, seg, line, None)
        })
        .collect();
    ParsedFile { documents, errors }
}

/// Splits `text`, capping the document count; `Err` when the file is not analysed at all.
pub(crate) fn prepare(text: &str) -> Result<(Vec<Segment>, Vec<SyntaxError>), SyntaxError> {
    let mut errors = Vec::new();
    if text.len() > MAX_FILE_BYTES {
        return Err(SyntaxError {
            range: TextRange::empty(TextSize::from(0)),
            severity: Severity::Information,
            code: codes::TOO_LARGE,
            message: format!(
                "this file is {} MiB; files over {} MiB are not analysed",
                text.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        });
    }
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut segments = split_documents(text, start);
    if segments.len() > MAX_DOCUMENTS {
        let cut = segments[MAX_DOCUMENTS].source.start();
        segments.truncate(MAX_DOCUMENTS);
        errors.push(SyntaxError {
            range: TextRange::empty(cut),
            severity: Severity::Information,
            code: codes::TOO_MANY_DOCUMENTS,
            message: format!(
                "only the first {MAX_DOCUMENTS} documents of this file are analysed; the rest \
                 (from here on) is skipped"
            ),
        });
    }
    Ok((segments, errors))
}

/// Parses one document: its CST (re-using `old_tree`, already edited, if given) and its
/// value tree.
pub(crate) fn parse_document(
    parser: &mut tree_sitter::Parser,
    text: &str,
    index: usize,
    seg: Segment,
    first_line: usize,
    old_tree: Option<&Tree>,
) -> Document {
    let place = DocPlace {
        text,
        source: seg.source,
        first_line,
    };
    let src = &text[seg.source];
    let base = seg.source.start();
    let safe = cst::cst_safe(src);
    let tree = if safe {
        parser.parse(src, old_tree)
    } else {
        None
    };
    let loaded = load::load_with_saphyr(place);
    let mut errors = loaded.errors;
    if !safe {
        errors.push(SyntaxError {
            range: TextRange::empty(seg.content.start()),
            severity: Severity::Information,
            code: codes::DEPTH_LIMIT,
            message: format!(
                "this document nests more than {} block levels; editor features that need \
                 its syntax tree (folding, completion positions) are off for it",
                cst::MAX_CST_BLOCK_DEPTH
            ),
        });
    }
    let mut root = loaded.root;
    let mut recovered = false;
    if let Some((at, message)) = loaded.failure {
        let at = at.min(seg.source.end());
        let cst_errs = tree
            .as_ref()
            .map(|t| cst::cst_errors(t, base, src))
            .unwrap_or_default();
        // saphyr often notices a problem only at the next token (a key typed without its
        // colon is reported at the following key). When tree-sitter found an error between
        // the last thing saphyr read and that point, it marks the culprit better.
        let culprit = cst_errs
            .iter()
            .position(|(r, _)| r.start() >= loaded.last_good && r.start() < at);
        let range = match culprit {
            Some(i) => cst_errs[i].0,
            None => point_range(text, at, seg.source.end()),
        };
        let mut syntax = vec![SyntaxError {
            range,
            severity: Severity::Error,
            code: codes::YAML_SYNTAX,
            message: friendly_message(&message),
        }];
        // saphyr stops at the first problem; tree-sitter's errors on later lines are
        // usually further problems. Earlier ones would be tree-sitter's own misreadings
        // (saphyr accepted that part), so they are dropped.
        let line_end = text[u32::from(at) as usize..]
            .find('\n')
            .map_or(TextSize::of(text), |i| at + TextSize::from(i as u32));
        syntax.extend(
            cst_errs
                .into_iter()
                .enumerate()
                .filter(|&(i, (r, _))| Some(i) != culprit && r.start() > line_end)
                .take(MAX_CST_ERRORS)
                .map(|(_, (range, message))| SyntaxError {
                    range,
                    severity: Severity::Error,
                    code: codes::YAML_SYNTAX,
                    message,
                }),
        );
        if let Some(tree) = &tree {
            let (cst_root, cst_errors) = cst::recover_value_tree(place, tree);
            let cst_size = cst_root.as_ref().map_or(0, count_nodes);
            if cst_size > root.as_ref().map_or(0, count_nodes) {
                root = cst_root;
                errors = cst_errors;
                recovered = true;
            }
        }
        errors.extend(syntax);
    }
    // saphyr lets some of these through; YAML (and go-yaml, PyYAML) reject them.
    if let Some((i, c)) = src.char_indices().find(|&(_, c)| !is_yaml_printable(c))
        && !errors.iter().any(|e| e.code == codes::YAML_SYNTAX)
    {
        let at = base + TextSize::from(i as u32);
        errors.push(SyntaxError {
            range: TextRange::at(at, TextSize::from(c.len_utf8() as u32)),
            severity: Severity::Error,
            code: codes::YAML_SYNTAX,
            message: format!(
                "the character U+{:04X} is not allowed in YAML; write it as an escape in a \
                 double-quoted string",
                c as u32
            ),
        });
    }
    errors.sort_by_key(|e| (e.range.start(), e.range.end()));
    Document {
        index,
        range: seg.content,
        root,
        errors,
        source_range: seg.source,
        tree,
        recovered,
    }
}

/// YAML's `c-printable` (tab, line breaks, and the printable ranges).
fn is_yaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// saphyr's (libyaml-style) messages, said plainly where they are cryptic.
fn friendly_message(message: &str) -> String {
    match message {
        "simple key expect ':'" | "could not find expected ':'" => {
            "expected `:` after this key (a key needs a colon, then its value)".to_owned()
        }
        "mapping values are not allowed in this context" => {
            "a `key: value` is not allowed here (check the indentation, or quote a value that \
             contains `: `)"
                .to_owned()
        }
        "recursion limit exceeded" => {
            "flow collections (`[`, `{`) are nested more than 255 levels deep; the rest of \
             the document is not read"
                .to_owned()
        }
        "found character that cannot start any token" => {
            "this character cannot start a YAML token (tabs cannot indent YAML; `@` and \
             backquote must be quoted)"
                .to_owned()
        }
        _ => {
            let mut m = message.to_owned();
            if let Some(first) = m.get(..1) {
                let upper = first.to_uppercase();
                m.replace_range(..1, &upper);
            }
            m
        }
    }
}

/// A short range at an error position: the character there, or empty at a line end.
fn point_range(text: &str, at: TextSize, limit: TextSize) -> TextRange {
    let i = u32::from(at) as usize;
    let len = text[i..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(0, char::len_utf8);
    let end = (at + TextSize::from(len as u32)).min(limit.max(at));
    TextRange::new(at, end)
}

/// Parses raw file content: NUL bytes (binary files) and invalid UTF-8 give a file-level
/// problem and no documents instead of garbage; a UTF-8 BOM is fine.
pub fn parse_bytes(bytes: &[u8]) -> ParsedFile {
    let file_error = |range: TextRange, severity, code, message: String| ParsedFile {
        documents: Vec::new(),
        errors: vec![SyntaxError {
            range,
            severity,
            code,
            message,
        }],
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return file_error(
            TextRange::empty(TextSize::from(0)),
            Severity::Error,
            codes::INVALID_UTF8,
            "this file is encoded as UTF-16; YAML files must be saved as UTF-8".to_owned(),
        );
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return file_error(
            TextRange::empty(TextSize::from(0)),
            Severity::Information,
            codes::BINARY,
            format!(
                "this looks like a binary file (NUL byte at offset {nul}); it is not read as YAML"
            ),
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_file(text),
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            // The range points into the valid prefix, so a client can show it.
            let start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            file_error(
                TextRange::new(TextSize::from(start as u32), TextSize::from(at as u32)),
                Severity::Error,
                codes::INVALID_UTF8,
                format!(
                    "this file is not valid UTF-8 (invalid byte at offset {at}, line {line}); \
                     YAML files must be UTF-8"
                ),
            )
        }
    }
}
