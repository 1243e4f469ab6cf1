//! Handlers of the editing features (completion, rename, semantic tokens, inlay hints),
//! registered on the router in one place to keep `lsp.rs` small.

use std::collections::HashMap;

use async_lsp::router::Router;
use async_lsp::{ErrorCode, ResponseError};
use koreo_ide::CompletionKind as Ck;
use lsp_types::request;
use lsp_types::*;

use super::{Server, on_snapshot, uri_key};

/// `completionProvider` of the server capabilities.
pub(super) fn completion_options() -> CompletionOptions {
    CompletionOptions {
        trigger_characters: Some(vec![".".into(), ":".into(), " ".into()]),
        ..Default::default()
    }
}

/// `renameProvider` of the server capabilities.
pub(super) fn rename_options() -> OneOf<bool, RenameOptions> {
    OneOf::Right(RenameOptions {
        prepare_provider: Some(true),
        work_done_progress_options: Default::default(),
    })
}

/// The semantic tokens legend: types in `koreo_ide::TokenType::ALL` order, modifiers by
/// bit (`MOD_DECLARATION`, `MOD_DEFAULT_LIBRARY`).
pub(super) fn semantic_tokens_options() -> SemanticTokensServerCapabilities {
    use koreo_ide::TokenType as Tt;
    let types = Tt::ALL
        .iter()
        .map(|t| match t {
            Tt::Keyword => SemanticTokenType::KEYWORD,
            Tt::Function => SemanticTokenType::FUNCTION,
            Tt::Variable => SemanticTokenType::VARIABLE,
            Tt::Property => SemanticTokenType::PROPERTY,
            Tt::String => SemanticTokenType::STRING,
            Tt::Number => SemanticTokenType::NUMBER,
            Tt::Operator => SemanticTokenType::OPERATOR,
            Tt::Macro => SemanticTokenType::MACRO,
            Tt::Parameter => SemanticTokenType::PARAMETER,
            Tt::Type => SemanticTokenType::TYPE,
        })
        .collect();
    SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
        legend: SemanticTokensLegend {
            token_types: types,
            token_modifiers: vec![
                SemanticTokenModifier::DECLARATION,
                SemanticTokenModifier::DEFAULT_LIBRARY,
            ],
        },
        full: Some(SemanticTokensFullOptions::Bool(true)),
        range: None,
        work_done_progress_options: Default::default(),
    })
}

/// A refused rename, shown to the user by the client.
fn refused(e: koreo_ide::RenameError) -> ResponseError {
    ResponseError::new(ErrorCode::REQUEST_FAILED, e.0)
}

/// Adds the handlers of this module to the router.
pub(super) fn register(router: &mut Router<Server>) {
    router.request::<request::InlayHintRequest, _>(|st, p| {
        let key = uri_key(&p.text_document.uri);
        let enabled = st.settings.inlay_hints.enabled;
        on_snapshot(st, "inlayHint", move |a, conv| {
            let Some(file) = a.file_id(&key).filter(|_| enabled) else {
                return Ok(None);
            };
            let range = a
                .file(file)
                .map(|fa| super::convert::text_range(fa.line_index(), p.range, conv.encoding()));
            let hints = a.inlay_hints(file, range)?;
            Ok(Some(
                hints
                    .into_iter()
                    .filter_map(|h| {
                        let at = conv.range(a, file, koreo_ide::TextRange::empty(h.offset))?;
                        Some(InlayHint {
                            position: at.start,
                            label: InlayHintLabel::String(h.label),
                            kind: Some(InlayHintKind::TYPE),
                            text_edits: None,
                            tooltip: h.tooltip.map(|t| {
                                InlayHintTooltip::MarkupContent(MarkupContent {
                                    kind: MarkupKind::Markdown,
                                    value: t,
                                })
                            }),
                            padding_left: Some(true),
                            padding_right: None,
                            data: None,
                        })
                    })
                    .collect(),
            ))
        })
    });
    router.request::<request::SemanticTokensFullRequest, _>(|st, p| {
        let key = uri_key(&p.text_document.uri);
        on_snapshot(st, "semanticTokens/full", move |a, conv| {
            let Some(file) = a.file_id(&key) else {
                return Ok(None);
            };
            let data = conv.semantic_tokens(a, file, &a.semantic_tokens(file)?);
            Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            })))
        })
    });
    router.request::<request::PrepareRenameRequest, _>(|st, p| {
        let key = uri_key(&p.text_document.uri);
        let position = p.position;
        let fut = on_snapshot(st, "prepareRename", move |a, conv| {
            let Some(pos) = conv.file_position(a, &key, position) else {
                return Ok(Ok(None));
            };
            Ok(a.prepare_rename(pos)?.map(|found| {
                found.and_then(|(range, placeholder)| {
                    Some(PrepareRenameResponse::RangeWithPlaceholder {
                        range: conv.range(a, pos.file, range)?,
                        placeholder,
                    })
                })
            }))
        });
        async move { fut.await?.map_err(refused) }
    });
    router.request::<request::Rename, _>(|st, p| {
        let key = uri_key(&p.text_document_position.text_document.uri);
        let position = p.text_document_position.position;
        let new_name = p.new_name;
        let fut = on_snapshot(st, "rename", move |a, conv| {
            let Some(pos) = conv.file_position(a, &key, position) else {
                return Ok(Ok(None));
            };
            Ok(a.rename(pos, &new_name)?.map(|edits| {
                let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
                for e in edits {
                    let (Ok(uri), Some(range)) = (
                        Url::parse(&a.file_key(e.file)),
                        conv.range(a, e.file, e.range),
                    ) else {
                        continue;
                    };
                    changes.entry(uri).or_default().push(TextEdit {
                        range,
                        new_text: e.new_text,
                    });
                }
                Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                })
            }))
        });
        async move { fut.await?.map_err(refused) }
    });
    router.request::<request::Completion, _>(|st, p| {
        let key = uri_key(&p.text_document_position.text_document.uri);
        let position = p.text_document_position.position;
        on_snapshot(st, "completion", move |a, conv| {
            let Some(pos) = conv.file_position(a, &key, position) else {
                return Ok(None);
            };
            let items = a.completions(pos)?;
            let items: Vec<CompletionItem> = items
                .into_iter()
                .enumerate()
                .filter_map(|(i, it)| {
                    let range = conv.range(a, pos.file, it.range)?;
                    Some(CompletionItem {
                        label: it.label,
                        kind: Some(match it.kind {
                            Ck::Property => CompletionItemKind::PROPERTY,
                            Ck::EnumMember => CompletionItemKind::ENUM_MEMBER,
                            Ck::Reference => CompletionItemKind::REFERENCE,
                            Ck::Variable => CompletionItemKind::VARIABLE,
                            Ck::Field => CompletionItemKind::FIELD,
                            Ck::Function => CompletionItemKind::FUNCTION,
                            Ck::Macro => CompletionItemKind::KEYWORD,
                            Ck::Keyword => CompletionItemKind::KEYWORD,
                        }),
                        detail: it.detail,
                        documentation: it.documentation.map(|d| {
                            Documentation::MarkupContent(MarkupContent {
                                kind: MarkupKind::Markdown,
                                value: d,
                            })
                        }),
                        // Keep our order (most specific first) whatever the client sorts by.
                        sort_text: Some(format!("{i:04}")),
                        insert_text_format: Some(if it.snippet {
                            InsertTextFormat::SNIPPET
                        } else {
                            InsertTextFormat::PLAIN_TEXT
                        }),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                            range,
                            new_text: it.insert_text,
                        })),
                        ..Default::default()
                    })
                })
                .collect();
            Ok(Some(CompletionResponse::Array(items)))
        })
    });
}

#[cfg(test)]
mod tests {
    use koreo_ide::PositionEncoding;

    use super::super::convert::Conv;

    /// `(deltaLine, deltaStart, length, type)` of every token.
    fn encoded(enc: PositionEncoding) -> Vec<(u32, u32, u32, u32)> {
        let (a, _) = koreo_ide::fixture::analysis(
            "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: v}\nspec:\n  return:\n    a: |\n      ='é😀' + inputs.x +\n        1\n",
        );
        let file = a.files()[0];
        let tokens = a.semantic_tokens(file).unwrap();
        Conv::new(enc)
            .semantic_tokens(&a, file, &tokens)
            .iter()
            .map(|t| (t.delta_line, t.delta_start, t.length, t.token_type))
            .collect()
    }

    #[test]
    fn semantic_tokens_are_delta_encoded_in_the_negotiated_encoding() {
        // `'é😀'` is 5 UTF-16 units but 8 UTF-8 bytes; what follows shifts accordingly.
        assert_eq!(
            encoded(PositionEncoding::Utf16),
            [
                (1, 6, 13, 9),
                (1, 17, 1, 9),
                (4, 6, 1, 6),
                (0, 1, 5, 4),
                (0, 6, 1, 6),
                (0, 2, 6, 2),
                (0, 7, 1, 3),
                (0, 2, 1, 6),
                (1, 8, 1, 5),
            ]
        );
        let utf8 = encoded(PositionEncoding::Utf8);
        assert_eq!(utf8[3], (0, 1, 8, 4));
        assert_eq!(utf8[4], (0, 9, 1, 6));
    }
}
