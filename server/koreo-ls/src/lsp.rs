//! The LSP server: protocol glue between async-lsp and the `koreo-ide` analysis.
//!
//! Notifications run in arrival order on the main loop with `&mut Server` and apply
//! changes to the [`AnalysisHost`]; requests take an [`koreo_ide::Analysis`] snapshot
//! synchronously and compute on a blocking thread, so typing is never blocked by a slow
//! request and a newer change cancels older requests (answered with `ContentModified`).

mod commands;
mod convert;
mod features;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_lsp::client_monitor::ClientProcessMonitorLayer;
use async_lsp::concurrency::ConcurrencyLayer;
use async_lsp::panic::CatchUnwindLayer;
use async_lsp::router::Router;
use async_lsp::server::LifecycleLayer;
use async_lsp::tracing::TracingLayer;
use async_lsp::{ClientSocket, ErrorCode, ResponseError};
use koreo_ide::{Analysis, AnalysisHost, Cancelled, Change, Contents, FileId, PositionEncoding};
use lsp_types::notification::{self, Notification};
use lsp_types::request::{self, Request};
use lsp_types::*;
use serde::{Deserialize, Serialize};
use tower::ServiceBuilder;

use convert::Conv;

/// Runs the server on stdin/stdout until `exit` or end of input.
pub fn run() -> std::process::ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    rt.block_on(async {
        let (server, _) = async_lsp::MainLoop::new_server(|client| {
            ServiceBuilder::new()
                .layer(TracingLayer::default())
                .layer(LifecycleLayer::default())
                .layer(CatchUnwindLayer::default())
                // async-lsp stops polling in-flight requests while it waits for a free slot,
                // and a slot is freed only when one of them is polled to completion: with the
                // default limit (the number of cores, 2 on CI) a third request arriving while
                // two compute froze the server for good. Requests run on blocking threads
                // and yield to newer edits, so a generous limit costs nothing; the layer stays
                // for `$/cancelRequest`.
                .layer(ConcurrencyLayer::new(
                    std::num::NonZeroUsize::new(256).expect("non-zero"),
                ))
                .layer(ClientProcessMonitorLayer::new(client.clone()))
                .service(router(client))
        });
        #[cfg(unix)]
        let io = (
            async_lsp::stdio::PipeStdin::lock_tokio(),
            async_lsp::stdio::PipeStdout::lock_tokio(),
        );
        let (stdin, stdout) = match io {
            (Ok(i), Ok(o)) => (i, o),
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!("cannot use stdin/stdout: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        match server.run_buffered(stdin, stdout).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!("server stopped: {e}");
                std::process::ExitCode::from(1)
            }
        }
    })
}

/// Settings from `initializationOptions` / `workspace/didChangeConfiguration`
/// (`{ "koreo": { ... } }` or the inner object directly).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub server: serde_json::Value,
    pub cluster: ClusterSettings,
    pub offline: bool,
    pub inlay_hints: InlayHintSettings,
}

/// `koreo.cluster`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ClusterSettings {
    /// Kubeconfig context; `None` = the current context.
    pub context: Option<String>,
}

/// `koreo.inlayHints`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct InlayHintSettings {
    pub enabled: bool,
}

impl Default for InlayHintSettings {
    fn default() -> Self {
        Self { enabled: true }
    }
}

impl Settings {
    fn from_value(v: &serde_json::Value) -> Option<Settings> {
        let inner = v.get("koreo").unwrap_or(v);
        if !inner.is_object() {
            return None;
        }
        serde_json::from_value(inner.clone()).ok()
    }
}

/// The custom `koreo/status` notification shown in the VS Code status bar.
enum KoreoStatus {}

/// Payload of `koreo/status`.
#[derive(Debug, Serialize, Deserialize)]
struct StatusParams {
    indexing: bool,
    cluster: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl Notification for KoreoStatus {
    type Params = StatusParams;
    const METHOD: &'static str = "koreo/status";
}

/// Test hook: a request that panics, registered only when `KOREO_LS_PANIC_REQUEST=1`, so
/// the end-to-end tests can prove a panicking handler does not take the server down.
enum PanicRequest {}

impl Request for PanicRequest {
    type Params = serde_json::Value;
    type Result = ();
    const METHOD: &'static str = "koreo/internal/panic";
}

/// The outcome of a cluster schema fetch, for the settings generation it was started with.
struct ClusterLoaded {
    generation: u64,
    result: Result<koreo_schema::ClusterSchemas, String>,
    /// The kubeconfig could not be read: no cluster is configured (not an error).
    no_config: bool,
}

/// Files read from disk in the background.
struct Loaded {
    files: Vec<(String, Contents)>,
    /// Workspace folders this load covers (the initial one ends indexing).
    initial: bool,
    progress: Option<ProgressToken>,
}

/// The main-loop state.
struct Server {
    client: ClientSocket,
    host: AnalysisHost,
    encoding: PositionEncoding,
    roots: Vec<PathBuf>,
    settings: Settings,
    /// Open documents: text (kept to apply incremental edits) and version.
    docs: HashMap<String, (String, i32)>,
    watch_dynamic: bool,
    progress_supported: bool,
    /// The client can be asked to re-request inlay hints (after a settings change).
    inlay_refresh: bool,
    /// The client can be asked to re-request code lenses (test status lenses of files
    /// other than the edited one change with it).
    lens_refresh: bool,
    indexing: bool,
    /// Until the first scan is in, diagnostics are held back: references into files not yet
    /// read would show as unknown for a moment.
    initial_done: bool,
    /// `koreo/status` cluster state and its message.
    cluster: (&'static str, Option<String>),
    /// Bumped when cluster settings change, so a stale fetch result is ignored.
    cluster_generation: u64,
}

/// A notification whose params are decoded by us, so bad params are logged instead of
/// ending the main loop (async-lsp stops on undecodable notification params).
struct Lenient<N>(PhantomData<N>);

impl<N: Notification> Notification for Lenient<N> {
    type Params = serde_json::Value;
    const METHOD: &'static str = N::METHOD;
}

fn on<N: Notification>(router: &mut Router<Server>, f: fn(&mut Server, N::Params)) {
    router.notification::<Lenient<N>>(move |st, raw| {
        match serde_json::from_value::<N::Params>(raw) {
            Ok(params) => {
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| f(st, params))) {
                    tracing::error!("{} handler panicked: {}", N::METHOD, panic_text(&p));
                }
            }
            Err(e) => tracing::warn!("ignoring {} with invalid params: {e}", N::METHOD),
        }
        ControlFlow::Continue(())
    });
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `f` on a snapshot in a blocking thread, catching panics and cancellation.
fn on_snapshot<R, F>(
    st: &Server,
    method: &'static str,
    f: F,
) -> impl std::future::Future<Output = Result<R, ResponseError>> + Send + 'static + use<R, F>
where
    R: Send + 'static,
    F: FnOnce(&Analysis, Conv) -> Result<R, Cancelled> + Send + 'static,
{
    let analysis = st.host.analysis();
    let conv = Conv::new(st.encoding);
    async move {
        let joined = tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| f(&analysis, conv)))
        })
        .await;
        match joined {
            Ok(Ok(Ok(r))) => Ok(r),
            Ok(Ok(Err(Cancelled))) => Err(ResponseError::new(
                ErrorCode::CONTENT_MODIFIED,
                "content modified",
            )),
            Ok(Err(p)) => {
                let msg = panic_text(&p);
                tracing::error!("{method} panicked: {msg}");
                Err(ResponseError::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("{method} failed: {msg}"),
                ))
            }
            Err(e) => {
                tracing::error!("{method} task failed: {e}");
                Err(ResponseError::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("{method} failed: {e}"),
                ))
            }
        }
    }
}

fn router(client: ClientSocket) -> Router<Server> {
    let mut router = Router::new(Server {
        client,
        host: AnalysisHost::new(),
        encoding: PositionEncoding::Utf16,
        roots: Vec::new(),
        settings: Settings::default(),
        docs: HashMap::new(),
        watch_dynamic: false,
        progress_supported: false,
        inlay_refresh: false,
        lens_refresh: false,
        indexing: false,
        initial_done: false,
        cluster: ("offline", None),
        cluster_generation: 0,
    });
    router
        .request::<request::Initialize, _>(|st, params| {
            let result = st.initialize(params);
            async move { Ok(result) }
        })
        .request::<request::Shutdown, _>(|_, _| async { Ok(()) })
        .request::<request::GotoDefinition, _>(|st, p| {
            let uri = p.text_document_position_params.text_document.uri.clone();
            let key = uri_key(&uri);
            let position = p.text_document_position_params.position;
            on_snapshot(st, "definition", move |a, conv| {
                let Some(pos) = conv.file_position(a, &key, position) else {
                    return Ok(None);
                };
                let targets = a.goto_definition(pos)?;
                let locs: Vec<Location> = targets
                    .iter()
                    .filter_map(|t| conv.location(a, t.file, t.focus_range))
                    .collect();
                Ok((!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs)))
            })
        })
        .request::<request::References, _>(|st, p| {
            let key = uri_key(&p.text_document_position.text_document.uri);
            let position = p.text_document_position.position;
            let include = p.context.include_declaration;
            on_snapshot(st, "references", move |a, conv| {
                let Some(pos) = conv.file_position(a, &key, position) else {
                    return Ok(None);
                };
                let refs = a.find_references(pos, include)?;
                Ok(Some(
                    refs.iter()
                        .filter_map(|r| conv.location(a, r.file, r.range))
                        .collect(),
                ))
            })
        })
        .request::<request::HoverRequest, _>(|st, p| {
            let key = uri_key(&p.text_document_position_params.text_document.uri);
            let position = p.text_document_position_params.position;
            on_snapshot(st, "hover", move |a, conv| {
                let Some(pos) = conv.file_position(a, &key, position) else {
                    return Ok(None);
                };
                let Some(h) = a.hover(pos)? else {
                    return Ok(None);
                };
                Ok(Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: h.markdown,
                    }),
                    range: conv.range(a, pos.file, h.range),
                }))
            })
        })
        .request::<request::DocumentSymbolRequest, _>(|st, p| {
            let key = uri_key(&p.text_document.uri);
            on_snapshot(st, "documentSymbol", move |a, conv| {
                let Some(file) = a.file_id(&key) else {
                    return Ok(None);
                };
                let symbols = a.document_symbols(file)?;
                Ok(Some(DocumentSymbolResponse::Nested(
                    symbols
                        .iter()
                        .map(|s| conv.document_symbol(a, file, s))
                        .collect(),
                )))
            })
        })
        .request::<request::WorkspaceSymbolRequest, _>(|st, p| {
            on_snapshot(st, "workspace/symbol", move |a, conv| {
                let targets = a.workspace_symbols(&p.query, 256)?;
                Ok(Some(WorkspaceSymbolResponse::Nested(
                    targets
                        .iter()
                        .filter_map(|t| conv.workspace_symbol(a, t))
                        .collect(),
                )))
            })
        })
        .request::<request::ExecuteCommand, _>(|st, p| {
            let fut = on_snapshot(st, "workspace/executeCommand", move |a, conv| {
                commands::execute(a, conv, &p.command, &p.arguments)
            });
            async move {
                match fut.await? {
                    Ok(v) => Ok((!v.is_null()).then_some(v)),
                    Err(commands::BadArguments(m)) => {
                        Err(ResponseError::new(ErrorCode::INVALID_PARAMS, m))
                    }
                }
            }
        })
        .request::<request::CodeActionRequest, _>(|st, p| {
            let uri = p.text_document.uri.clone();
            let key = uri_key(&uri);
            on_snapshot(st, "codeAction", move |a, conv| {
                let Some(file) = a.file_id(&key) else {
                    return Ok(None);
                };
                let Some(range) = conv.text_range(a, file, p.range) else {
                    return Ok(None);
                };
                let actions = a.code_actions(file, range)?;
                Ok(Some(
                    actions
                        .iter()
                        .filter_map(|x| conv.code_action(a, file, &uri, x))
                        .map(CodeActionOrCommand::CodeAction)
                        .collect(),
                ))
            })
        })
        .request::<request::CodeLensRequest, _>(|st, p| {
            let uri = p.text_document.uri.clone();
            let key = uri_key(&uri);
            on_snapshot(st, "codeLens", move |a, conv| {
                let Some(file) = a.file_id(&key) else {
                    return Ok(None);
                };
                let lenses = a.code_lenses(file)?;
                Ok(Some(
                    lenses
                        .iter()
                        .filter_map(|l| conv.code_lens(a, file, &uri, l))
                        .collect(),
                ))
            })
        })
        .request::<request::FoldingRangeRequest, _>(|st, p| {
            let key = uri_key(&p.text_document.uri);
            on_snapshot(st, "foldingRange", move |a, conv| {
                let Some(file) = a.file_id(&key) else {
                    return Ok(None);
                };
                Ok(Some(conv.folding_ranges(a, file, &a.folding_ranges(file)?)))
            })
        });
    features::register(&mut router);
    if std::env::var("KOREO_LS_PANIC_REQUEST").as_deref() == Ok("1") {
        router.request::<PanicRequest, _>(|st, _| {
            on_snapshot(
                st,
                "koreo/internal/panic",
                |_, _| -> Result<(), Cancelled> { panic!("panic requested by the test hook") },
            )
        });
    }
    on::<notification::Initialized>(&mut router, Server::initialized);
    on::<notification::DidOpenTextDocument>(&mut router, Server::did_open);
    on::<notification::DidChangeTextDocument>(&mut router, Server::did_change);
    on::<notification::DidCloseTextDocument>(&mut router, Server::did_close);
    on::<notification::DidSaveTextDocument>(&mut router, |_, _| {});
    on::<notification::DidChangeWatchedFiles>(&mut router, Server::did_change_watched);
    on::<notification::DidChangeWorkspaceFolders>(&mut router, Server::did_change_folders);
    on::<notification::DidChangeConfiguration>(&mut router, Server::did_change_configuration);
    router.notification::<notification::Exit>(|_, _| ControlFlow::Break(Ok(())));
    router.unhandled_notification(|_, n| {
        tracing::debug!("ignoring notification {}", n.method);
        ControlFlow::Continue(())
    });
    router.event::<ClusterLoaded>(|st, loaded| {
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| st.cluster_loaded(loaded))) {
            tracing::error!("applying cluster schemas panicked: {}", panic_text(&p));
        }
        ControlFlow::Continue(())
    });
    router.event::<Loaded>(|st, loaded| {
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| st.loaded(loaded))) {
            tracing::error!("applying the index panicked: {}", panic_text(&p));
        }
        ControlFlow::Continue(())
    });
    router
}

/// The analysis key of a document: file URIs normalised through their path, others verbatim.
fn uri_key(uri: &Url) -> String {
    if uri.scheme() == "file"
        && let Ok(path) = uri.to_file_path()
        && let Ok(u) = Url::from_file_path(path)
    {
        return u.to_string();
    }
    uri.to_string()
}

fn path_key(path: &Path) -> Option<String> {
    Url::from_file_path(path).ok().map(|u| u.to_string())
}

impl Server {
    fn initialize(&mut self, params: InitializeParams) -> InitializeResult {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        self.encoding = if offered {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        };
        self.watch_dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.inlay_refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false);
        self.lens_refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.progress_supported = params
            .capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        if let Some(opts) = params
            .initialization_options
            .as_ref()
            .and_then(Settings::from_value)
        {
            self.settings = opts;
        }
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path().ok())
        {
            roots.push(root);
        }
        self.roots = roots;
        tracing::info!(encoding = ?self.encoding, roots = ?self.roots, "initialize");
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if offered {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(features::completion_options()),
                rename_provider: Some(features::rename_options()),
                semantic_tokens_provider: Some(features::semantic_tokens_options()),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: commands::all(),
                    ..Default::default()
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "koreo-ls".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    fn initialized(&mut self, _: InitializedParams) {
        if self.watch_dynamic {
            let client = self.client.clone();
            tokio::spawn(async move {
                let watchers = ["**/*.{k.yaml,k.yml,koreo,k}", "**/*.{yaml,yml}"]
                    .into_iter()
                    .map(|g| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(g.into()),
                        kind: None,
                    })
                    .collect();
                let options = DidChangeWatchedFilesRegistrationOptions { watchers };
                let reg = Registration {
                    id: "koreo-watched-files".into(),
                    method: notification::DidChangeWatchedFiles::METHOD.into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(e) = client
                    .request::<request::RegisterCapability>(RegistrationParams {
                        registrations: vec![reg],
                    })
                    .await
                {
                    tracing::warn!("registering file watchers failed: {e}");
                }
            });
        }
        let roots = self.roots.clone();
        self.start_load(roots, true);
        self.connect_cluster();
    }

    /// Fetches cluster schemas in the background (unless offline); the result comes back as
    /// a [`ClusterLoaded`] event.
    fn connect_cluster(&mut self) {
        self.cluster_generation += 1;
        if self.settings.offline {
            self.host.set_cluster_schemas(None);
            self.cluster = ("offline", Some("offline mode".into()));
            self.send_status(None);
            return;
        }
        #[cfg(feature = "kube")]
        {
            let client = self.client.clone();
            let generation = self.cluster_generation;
            let options = koreo_schema::cluster::ClusterOptions {
                context: self.settings.cluster.context.clone(),
                ..Default::default()
            };
            tokio::spawn(async move {
                let fetched = koreo_schema::cluster::fetch(&options).await;
                let no_config =
                    matches!(fetched, Err(koreo_schema::cluster::ClusterError::Config(_)));
                let result = fetched.map_err(|e| e.to_string());
                let _ = client.emit(ClusterLoaded {
                    generation,
                    result,
                    no_config,
                });
            });
        }
    }

    fn cluster_loaded(&mut self, loaded: ClusterLoaded) {
        if loaded.generation != self.cluster_generation {
            return;
        }
        self.cluster = match loaded.result {
            Ok(schemas) => {
                let state = if schemas.from_cache {
                    "offline"
                } else {
                    "connected"
                };
                let message = match &schemas.fetch_error {
                    Some(e) => format!("cached schemas of `{}` ({e})", schemas.context),
                    None => format!("{} kinds from `{}`", schemas.kinds.len(), schemas.context),
                };
                self.host.set_cluster_schemas(Some(schemas));
                (state, Some(message))
            }
            Err(e) if loaded.no_config => ("offline", Some(format!("no cluster configured ({e})"))),
            Err(e) => ("error", Some(e)),
        };
        tracing::info!(cluster = self.cluster.0, message = ?self.cluster.1, "cluster schemas");
        self.send_status(None);
    }

    /// Scans folders on a blocking thread; the result comes back as a [`Loaded`] event.
    fn start_load(&mut self, roots: Vec<PathBuf>, initial: bool) {
        self.indexing = true;
        self.send_status(Some(format!("indexing {} folder(s)", roots.len())));
        let client = self.client.clone();
        let progress = self
            .progress_supported
            .then(|| NumberOrString::String(format!("koreo-index-{}", std::process::id())));
        tokio::spawn(async move {
            if let Some(token) = progress.clone() {
                let created = client
                    .request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                        token: token.clone(),
                    })
                    .await;
                if created.is_ok() {
                    let _ = client.notify::<notification::Progress>(ProgressParams {
                        token,
                        value: ProgressParamsValue::WorkDone(WorkDoneProgress::Begin(
                            WorkDoneProgressBegin {
                                title: "Indexing Koreo files".into(),
                                cancellable: Some(false),
                                message: None,
                                percentage: None,
                            },
                        )),
                    });
                }
            }
            let scanned = tokio::task::spawn_blocking(move || {
                let mut files = Vec::new();
                for root in &roots {
                    let (found, errors) = koreo_ide::discover::scan(root);
                    for e in errors {
                        tracing::warn!("{}: {}", e.path.display(), e.message);
                    }
                    files.extend(
                        found
                            .into_iter()
                            .filter_map(|f| path_key(&f.path).map(|k| (k, f.contents))),
                    );
                }
                files
            })
            .await
            .unwrap_or_default();
            let _ = client.emit(Loaded {
                files: scanned,
                initial,
                progress,
            });
        });
    }

    fn loaded(&mut self, loaded: Loaded) {
        let n = loaded.files.len();
        let mut change = Change::new();
        for (key, contents) in loaded.files {
            change.set_disk(key, Some(contents));
        }
        let mut affected = self.host.apply_change(change);
        if loaded.initial {
            self.initial_done = true;
            // Open documents were not published while the index was incomplete.
            affected.extend(self.docs.keys().filter_map(|k| self.host.file_id(k)));
            affected.sort();
            affected.dedup();
        }
        self.publish(&affected, loaded.initial);
        self.refresh_lenses();
        self.indexing = false;
        if let Some(token) = loaded.progress {
            let _ = self
                .client
                .notify::<notification::Progress>(ProgressParams {
                    token,
                    value: ProgressParamsValue::WorkDone(WorkDoneProgress::End(
                        WorkDoneProgressEnd {
                            message: Some(format!("{n} files")),
                        },
                    )),
                });
        }
        let stats = self.host.analysis().stats();
        self.send_status(Some(format!(
            "{} files, {} resources",
            stats.files, stats.resources
        )));
        tracing::info!(files = stats.files, resources = stats.resources, "indexed");
    }

    /// Sends `koreo/status`; `message` describes indexing, else the cluster state is told.
    fn send_status(&self, message: Option<String>) {
        let _ = self.client.notify::<KoreoStatus>(StatusParams {
            indexing: self.indexing,
            cluster: self.cluster.0.into(),
            message: message.or_else(|| self.cluster.1.clone()),
        });
    }

    /// Publishes diagnostics of `files`; with `skip_empty`, closed files without findings
    /// are not sent (used after the initial scan, when the client holds nothing for them).
    fn publish(&self, files: &[FileId], skip_empty: bool) {
        if !self.initial_done {
            return;
        }
        let analysis = self.host.analysis();
        let conv = Conv::new(self.encoding);
        for &file in files {
            let key = analysis.file_key(file);
            let Ok(uri) = Url::parse(&key) else { continue };
            let diags = if analysis.file(file).is_some() {
                analysis.diagnostics(file).unwrap_or_default()
            } else {
                Vec::new()
            };
            // Open documents may hold diagnostics published before the index was complete.
            if skip_empty && diags.is_empty() && !self.docs.contains_key(&*key) {
                continue;
            }
            let version = self.docs.get(&*key).map(|(_, v)| *v);
            let diagnostics = diags
                .iter()
                .map(|d| conv.diagnostic(&analysis, d))
                .collect();
            let _ =
                self.client
                    .notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics,
                        version,
                    });
        }
    }

    fn apply(&mut self, change: Change) {
        let affected = self.host.apply_change(change);
        self.publish(&affected, false);
        // The client re-requests lenses of the document it edits; others it must be told.
        if affected.len() > 1 {
            self.refresh_lenses();
        }
    }

    fn refresh_lenses(&self) {
        if !self.lens_refresh || !self.initial_done {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.request::<request::CodeLensRefresh>(()).await {
                tracing::debug!("code lens refresh: {e}");
            }
        });
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let key = uri_key(&p.text_document.uri);
        let text = p.text_document.text;
        let mut change = Change::new();
        change.set_open(key.clone(), Some(Arc::from(text.as_str())));
        self.docs.insert(key, (text, p.text_document.version));
        self.apply(change);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let key = uri_key(&p.text_document.uri);
        let Some((text, version)) = self.docs.get_mut(&key) else {
            tracing::warn!("didChange for a document that is not open: {key}");
            return;
        };
        for c in p.content_changes {
            match c.range {
                Some(range) => {
                    let li = koreo_ide::LineIndex::new(text);
                    let r = convert::text_range(&li, range, self.encoding);
                    // A UTF-8 column may point inside a character; never split one.
                    let mut start = usize::from(r.start()).min(text.len());
                    let mut end = usize::from(r.end()).clamp(start, text.len());
                    while !text.is_char_boundary(start) {
                        start -= 1;
                    }
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(start..end, &c.text);
                }
                None => *text = c.text,
            }
        }
        *version = p.text_document.version;
        let mut change = Change::new();
        change.set_open(key, Some(Arc::from(text.as_str())));
        self.apply(change);
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let key = uri_key(&p.text_document.uri);
        self.docs.remove(&key);
        let mut change = Change::new();
        change.set_open(key, None);
        self.apply(change);
    }

    fn did_change_watched(&mut self, p: DidChangeWatchedFilesParams) {
        let mut change = Change::new();
        for ev in p.changes {
            let key = uri_key(&ev.uri);
            let Ok(path) = ev.uri.to_file_path() else {
                continue;
            };
            if !koreo_ide::discover::is_candidate(&path) || in_skipped_dir(&path) {
                continue;
            }
            if ev.typ == FileChangeType::DELETED {
                change.set_disk(key, None);
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) if koreo_ide::discover::wants_contents(&path, &bytes) => {
                    change.set_disk(key, Some(Contents::from_bytes(bytes)));
                }
                // No longer (or never) a Koreo file: forget it.
                Ok(_) => {
                    change.set_disk(key, None);
                }
                Err(e) => {
                    tracing::warn!("{}: {e}", path.display());
                    change.set_disk(key, None);
                }
            }
        }
        if !change.is_empty() {
            self.apply(change);
        }
    }

    fn did_change_folders(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
        if !removed.is_empty() {
            self.roots.retain(|r| !removed.contains(r));
            let analysis = self.host.analysis();
            let mut change = Change::new();
            for file in self.host.disk_files() {
                let key = analysis.file_key(file);
                let inside = Url::parse(&key)
                    .ok()
                    .and_then(|u| u.to_file_path().ok())
                    .is_some_and(|p| {
                        removed.iter().any(|r| p.starts_with(r))
                            && !self.roots.iter().any(|r| p.starts_with(r))
                    });
                if inside {
                    change.set_disk(key.to_string(), None);
                }
            }
            self.apply(change);
        }
        let added: Vec<PathBuf> = p
            .event
            .added
            .iter()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
        if !added.is_empty() {
            self.roots.extend(added.iter().cloned());
            self.start_load(added, false);
        }
    }

    fn did_change_configuration(&mut self, p: DidChangeConfigurationParams) {
        match Settings::from_value(&p.settings) {
            Some(s) => {
                tracing::info!(?s, "settings changed");
                let reconnect =
                    s.offline != self.settings.offline || s.cluster != self.settings.cluster;
                let hints_changed = s.inlay_hints != self.settings.inlay_hints;
                self.settings = s;
                if hints_changed && self.inlay_refresh {
                    let client = self.client.clone();
                    tokio::spawn(async move {
                        if let Err(e) = client.request::<request::InlayHintRefreshRequest>(()).await
                        {
                            tracing::debug!("inlay hint refresh: {e}");
                        }
                    });
                }
                if reconnect && self.initial_done {
                    self.connect_cluster();
                }
            }
            None => tracing::debug!("ignoring settings without a koreo object"),
        }
    }
}

fn in_skipped_dir(path: &Path) -> bool {
    path.components().any(|c| {
        matches!(
            c.as_os_str().to_str(),
            Some(".git" | "target" | "node_modules")
        )
    })
}
