//! Handlers of the editing features (completion, rename, semantic tokens, inlay hints),
//! registered on the router in one place to keep `lsp.rs` small.

use async_lsp::router::Router;
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

/// Adds the handlers of this module to the router.
pub(super) fn register(router: &mut Router<Server>) {
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
