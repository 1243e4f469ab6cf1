//! Conversions between `koreo-ide` data (byte ranges) and LSP types (line/column in the
//! negotiated encoding).

use koreo_ide::{
    Analysis, CodeLens, Diagnostic, FileId, FilePosition, Fold, LineIndex, NavigationTarget,
    PositionEncoding, Severity, Symbol, SymbolKind as IdeKind, TextPosition, TextRange,
};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, FoldingRange, Location,
    NumberOrString, OneOf, Position, Range, SymbolKind, Url, WorkspaceSymbol,
};

/// The position encoding of this session.
#[derive(Clone, Copy)]
pub struct Conv {
    enc: PositionEncoding,
}

/// An LSP range to a byte range of a text, clamping out-of-range positions.
pub fn text_range(li: &LineIndex, r: Range, enc: PositionEncoding) -> TextRange {
    let p = |p: Position| TextPosition::new(p.line, p.character);
    let s = li.offset_clamped(p(r.start), enc);
    let e = li.offset_clamped(p(r.end), enc).max(s);
    TextRange::new(s, e)
}

impl Conv {
    /// A lens whose command gets `[uri]` or `[uri, position]`.
    pub fn code_lens(
        &self,
        a: &Analysis,
        file: FileId,
        uri: &Url,
        l: &CodeLens,
    ) -> Option<lsp_types::CodeLens> {
        let mut arguments = vec![serde_json::Value::String(uri.to_string())];
        if let Some(at) = l.position {
            let p = self.range(a, file, TextRange::empty(at))?.start;
            arguments.push(serde_json::to_value(p).ok()?);
        }
        Some(lsp_types::CodeLens {
            range: self.range(a, file, l.range)?,
            command: Some(lsp_types::Command {
                title: l.title.clone(),
                command: l.command.clone(),
                arguments: Some(arguments),
            }),
            data: None,
        })
    }

    pub fn new(enc: PositionEncoding) -> Conv {
        Conv { enc }
    }

    pub fn file_position(&self, a: &Analysis, key: &str, p: Position) -> Option<FilePosition> {
        let file = a.file_id(key)?;
        let li = a.file(file)?.line_index();
        let offset = li.offset_clamped(TextPosition::new(p.line, p.character), self.enc);
        Some(FilePosition { file, offset })
    }

    pub fn range(&self, a: &Analysis, file: FileId, r: TextRange) -> Option<Range> {
        let li = a.file(file)?.line_index();
        let s = li.position_clamped(r.start(), self.enc);
        let e = li.position_clamped(r.end(), self.enc);
        Some(Range::new(
            Position::new(s.line, s.character),
            Position::new(e.line, e.character),
        ))
    }

    pub fn location(&self, a: &Analysis, file: FileId, r: TextRange) -> Option<Location> {
        let uri = Url::parse(&a.file_key(file)).ok()?;
        Some(Location {
            uri,
            range: self.range(a, file, r)?,
        })
    }

    /// An LSP range of `file` as bytes.
    pub fn text_range(&self, a: &Analysis, file: FileId, r: Range) -> Option<TextRange> {
        Some(text_range(a.file(file)?.line_index(), r, self.enc))
    }

    /// A code action editing `uri` (a `changes` map), with the diagnostic it fixes.
    pub fn code_action(
        &self,
        a: &Analysis,
        file: FileId,
        uri: &Url,
        assist: &koreo_ide::Assist,
    ) -> Option<lsp_types::CodeAction> {
        let edits = assist
            .edits
            .iter()
            .map(|e| {
                Some(lsp_types::TextEdit {
                    range: self.range(a, file, e.range)?,
                    new_text: e.new_text.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(lsp_types::CodeAction {
            title: assist.title.clone(),
            kind: Some(lsp_types::CodeActionKind::from(assist.kind.to_owned())),
            diagnostics: assist.fixes.as_ref().map(|d| vec![self.diagnostic(a, d)]),
            edit: Some(lsp_types::WorkspaceEdit {
                changes: Some([(uri.clone(), edits)].into_iter().collect()),
                ..Default::default()
            }),
            is_preferred: Some(assist.fixes.is_some()),
            ..Default::default()
        })
    }

    pub fn diagnostic(&self, a: &Analysis, d: &Diagnostic) -> lsp_types::Diagnostic {
        let related: Vec<DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter_map(|r| {
                Some(DiagnosticRelatedInformation {
                    location: self.location(a, r.file, r.range)?,
                    message: r.message.clone(),
                })
            })
            .collect();
        lsp_types::Diagnostic {
            range: self.range(a, d.file, d.range).unwrap_or_default(),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Information => DiagnosticSeverity::INFORMATION,
                Severity::Hint => DiagnosticSeverity::HINT,
            }),
            code: Some(NumberOrString::String(d.code.clone())),
            source: Some("koreo".into()),
            message: d.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }

    #[allow(deprecated)]
    pub fn document_symbol(&self, a: &Analysis, file: FileId, s: &Symbol) -> DocumentSymbol {
        DocumentSymbol {
            name: s.name.clone(),
            detail: s.detail.clone(),
            kind: symbol_kind(s.kind, s.detail.as_deref()),
            tags: None,
            deprecated: None,
            range: self.range(a, file, s.range).unwrap_or_default(),
            selection_range: self.range(a, file, s.selection_range).unwrap_or_default(),
            children: (!s.children.is_empty()).then(|| {
                s.children
                    .iter()
                    .map(|c| self.document_symbol(a, file, c))
                    .collect()
            }),
        }
    }

    pub fn workspace_symbol(&self, a: &Analysis, t: &NavigationTarget) -> Option<WorkspaceSymbol> {
        let loc = self.location(a, t.file, t.focus_range)?;
        Some(WorkspaceSymbol {
            name: t.name.clone(),
            kind: symbol_kind(IdeKind::Resource, Some(&t.kind)),
            tags: None,
            container_name: Some(t.kind.clone()),
            location: OneOf::Left(loc),
            data: None,
        })
    }

    pub fn folding_ranges(&self, a: &Analysis, file: FileId, folds: &[Fold]) -> Vec<FoldingRange> {
        let Some(fa) = a.file(file) else {
            return Vec::new();
        };
        let li = fa.line_index();
        let mut out: Vec<FoldingRange> = folds
            .iter()
            .filter_map(|f| {
                let s = li.position_clamped(f.range.start(), self.enc).line;
                let mut e = li.position_clamped(f.range.end(), self.enc);
                // A range ending at column 0 ends on the previous line's break.
                if e.character == 0 && e.line > s {
                    e.line -= 1;
                }
                (e.line > s).then_some(FoldingRange {
                    start_line: s,
                    end_line: e.line,
                    ..Default::default()
                })
            })
            .collect();
        out.dedup_by_key(|f| (f.start_line, f.end_line));
        out
    }
}

/// LSP symbol kinds for Koreo things (there is no perfect match; chosen for familiar icons).
fn symbol_kind(kind: IdeKind, detail: Option<&str>) -> SymbolKind {
    match kind {
        IdeKind::Step => SymbolKind::EVENT,
        IdeKind::TestCase => SymbolKind::METHOD,
        IdeKind::Crd => SymbolKind::INTERFACE,
        IdeKind::Object => SymbolKind::OBJECT,
        IdeKind::Resource => match detail {
            Some("ValueFunction" | "ResourceFunction") => SymbolKind::FUNCTION,
            Some("Workflow") => SymbolKind::CLASS,
            Some("ResourceTemplate") => SymbolKind::STRUCT,
            Some("FunctionTest") => SymbolKind::MODULE,
            Some("CustomResourceDefinition") => SymbolKind::INTERFACE,
            _ => SymbolKind::OBJECT,
        },
    }
}

impl Conv {
    /// The negotiated position encoding.
    pub fn encoding(&self) -> PositionEncoding {
        self.enc
    }

    /// LSP's relative encoding of semantic tokens (each on one line, in file order), with
    /// columns and lengths in the negotiated encoding. Type and modifier numbers are the
    /// legend's indices (see `features::semantic_tokens_legend`).
    pub fn semantic_tokens(
        &self,
        a: &Analysis,
        file: FileId,
        tokens: &[koreo_ide::SemanticToken],
    ) -> Vec<lsp_types::SemanticToken> {
        let Some(fa) = a.file(file) else {
            return Vec::new();
        };
        let li = fa.line_index();
        let mut out = Vec::with_capacity(tokens.len());
        let (mut line, mut col) = (0u32, 0u32);
        for t in tokens {
            let s = li.position_clamped(t.range.start(), self.enc);
            let e = li.position_clamped(t.range.end(), self.enc);
            if e.line != s.line || e.character <= s.character || s.line < line {
                continue;
            }
            let delta_line = s.line - line;
            let delta_start = if delta_line == 0 {
                s.character - col
            } else {
                s.character
            };
            out.push(lsp_types::SemanticToken {
                delta_line,
                delta_start,
                length: e.character - s.character,
                token_type: koreo_ide::TokenType::ALL
                    .iter()
                    .position(|k| *k == t.ty)
                    .unwrap_or(0) as u32,
                token_modifiers_bitset: t.modifiers,
            });
            (line, col) = (s.line, s.character);
        }
        out
    }
}
