// The VS Code side of koreo-ls: starts the server, wires settings, commands, the status bar,
// previews and the workflow graph. Logic that needs no editor lives in the pure modules next to it.
import * as fs from 'fs';
import * as os from 'os';
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageclient/node';
import { findServer, INSTALL_URL } from './discovery';
import { hasKoreoApiVersion, isYamlFileName } from './detect';
import { advertisedCommands, Commands, describeTestSummary, parseGraph, parsePreview, parseStatus, parseTestSummary, STATUS_NOTIFICATION } from './protocol';
import { classifyChange, readSettings, toServerSettings } from './settings';
import { StatusModel } from './status';
import { graphHtml, parsePreviewQuery, PREVIEW_SCHEME, previewLocation, PreviewTarget } from './views';

const LANGUAGE = 'koreo';
let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
const status = new StatusModel();
let extensionUri: vscode.Uri;

function settings() {
  const cfg = vscode.workspace.getConfiguration('koreo');
  return readSettings((key, fallback) => cfg.get(key, fallback));
}

function renderStatus(): void {
  const v = status.view();
  statusItem.text = v.text;
  statusItem.tooltip = v.tooltip;
  statusItem.backgroundColor =
    v.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
    : v.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground')
    : undefined;
  statusItem.show();
}

function isExecutable(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function startClient(): Promise<void> {
  if (client || starting) return starting;
  starting = doStart().finally(() => (starting = undefined));
  return starting;
}

async function doStart(): Promise<void> {
  const s = settings();
  const found = findServer({
    configured: s.serverPath,
    pathEnv: process.env.PATH,
    platform: process.platform,
    home: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isExecutable,
  });
  if (!found.ok) {
    status.setServer('missing', found.message);
    renderStatus();
    output.appendLine(found.message);
    void vscode.window.showErrorMessage(`Koreo: ${found.message}`, 'Install instructions', 'Open Settings').then((choice) => {
      if (choice === 'Install instructions') void vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'koreo.server.path');
    });
    return;
  }
  output.appendLine(`Starting ${found.command} (found via ${found.source})`);
  status.setServer('starting');
  renderStatus();

  // vscode-languageclient adds --stdio for this transport; koreo-ls accepts it.
  const run = { command: found.command, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE, scheme: 'file' },
      { language: LANGUAGE, scheme: 'untitled' },
    ],
    initializationOptions: toServerSettings(s),
    outputChannel: output,
    synchronize: {
      // koreo-ls indexes the whole workspace, so it must hear about files changed outside the editor.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{k.yaml,k.yml,koreo,k,yaml,yml}'),
    },
    middleware: {
      workspace: {
        // Answer workspace/configuration for "koreo" with the same shape as initializationOptions.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) return raw;
          return params.items.map((item, i) => (item.section === 'koreo' ? toServerSettings(settings()) : raw[i]));
        },
      },
      provideInlayHints: (document, range, token, next) => (settings().inlayHints ? next(document, range, token) : []),
      // Code lenses of the server call koreo.runTests directly: report their outcome the same way.
      // Their koreo.preview / koreo.workflowGraph show the result, as the editor commands do.
      executeCommand: async (command, args, next) => {
        const target = lensTarget(args);
        if (command === Commands.preview && previewProvider && target) return void (await openPreviewAt(previewProvider, target));
        if (command === Commands.workflowGraph && target) return void (await showWorkflowGraphAt(target));
        const result = await next(command, args);
        if (command === Commands.runTests) void reportTests(result);
        return result;
      },
    },
  };
  const c = new LanguageClient('koreo', 'Koreo Language Server', serverOptions, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    if (client !== c) return;
    if (e.newState === State.Running) status.setServer('running');
    else if (e.newState === State.Stopped) status.setServer('failed', 'the server stopped; see the Koreo Language Server output');
    renderStatus();
  });
  try {
    await c.start();
  } catch (e) {
    status.setServer('failed', String(e));
    renderStatus();
    output.appendLine(`koreo-ls failed to start: ${e}`);
    return;
  }
  c.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
    const st = parseStatus(params);
    if (st) {
      status.setStatus(st);
      renderStatus();
    }
  });
  // Replaces the client's default handler (a window progress), so that indexing progress shows in
  // our status item next to the cluster state.
  c.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    const sub = c.onProgress(WorkDoneProgress.type, token, (value) => {
      status.onProgress(token, value);
      renderStatus();
      if (value.kind === 'end') sub.dispose();
    });
  });
  const cmds = advertisedCommands(c.initializeResult?.capabilities);
  await vscode.commands.executeCommand('setContext', 'koreo.server.runTests', cmds.runTests);
  await vscode.commands.executeCommand('setContext', 'koreo.server.preview', cmds.preview);
  await vscode.commands.executeCommand('setContext', 'koreo.server.workflowGraph', cmds.workflowGraph);
  status.setServer('running');
  renderStatus();
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(2000);
    } catch (e) {
      output.appendLine(`stopping koreo-ls: ${e}`);
    }
  }
  status.setServer('stopped');
  for (const key of ['runTests', 'preview', 'workflowGraph']) await vscode.commands.executeCommand('setContext', `koreo.server.${key}`, false);
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

function runningClient(): LanguageClient | undefined {
  if (client?.state === State.Running) return client;
  void vscode.window.showErrorMessage('Koreo: koreo-ls is not running.', 'Show Output').then((c) => c && output.show());
  return undefined;
}

function koreoEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === LANGUAGE) return editor;
  void vscode.window.showWarningMessage('Koreo: open a Koreo file first.');
  return undefined;
}

async function reportTests(result: unknown): Promise<void> {
  const summary = parseTestSummary(result);
  const msg = describeTestSummary(summary);
  if (summary && summary.failed > 0) {
    const choice = await vscode.window.showWarningMessage(msg, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  } else {
    void vscode.window.showInformationMessage(msg);
  }
}

async function runFileTests(): Promise<void> {
  const editor = koreoEditor();
  const c = editor && runningClient();
  if (!editor || !c) return;
  if (!advertisedCommands(c.initializeResult?.capabilities).runTests) {
    void vscode.window.showWarningMessage(`Koreo: this koreo-ls does not offer "${Commands.runTests}"; update it to run FunctionTests.`);
    return;
  }
  const uri = c.code2ProtocolConverter.asUri(editor.document.uri);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Koreo: running FunctionTests' },
      () => c.sendRequest(ExecuteCommandRequest.type, { command: Commands.runTests, arguments: [uri] }),
    );
    await reportTests(result);
  } catch (e) {
    void vscode.window.showErrorMessage(`Koreo: running FunctionTests failed: ${e instanceof Error ? e.message : e}`);
  }
}

// Preview: a read-only virtual document whose content koreo-ls renders; it refreshes while the
// source document is edited.
class PreviewProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Map<string, vscode.Uri>();
  private timers = new Map<string, NodeJS.Timeout>();

  uriFor(target: PreviewTarget, sourceName: string): vscode.Uri {
    const loc = previewLocation(target, sourceName);
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: loc.path, query: loc.query });
    this.open.set(uri.toString(), uri);
    return uri;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = parsePreviewQuery(uri.query);
    const c = client;
    if (!target) return '# Not a Koreo preview.';
    if (!c || c.state !== State.Running) return '# koreo-ls is not running.';
    try {
      const result = parsePreview(
        await c.sendRequest(ExecuteCommandRequest.type, {
          command: Commands.preview,
          arguments: [target.uri, { line: target.line, character: target.character }],
        }),
      );
      return typeof result === 'string' ? `# ${result}` : result.content;
    } catch (e) {
      return `# Preview failed: ${e instanceof Error ? e.message : e}`;
    }
  }

  /** Debounced refresh of the previews of `source`, so typing does not flood the server. */
  sourceChanged(source: vscode.Uri): void {
    const s = source.toString();
    for (const [key, uri] of this.open) {
      if (parsePreviewQuery(uri.query)?.uri !== s) continue;
      clearTimeout(this.timers.get(key));
      this.timers.set(key, setTimeout(() => this.changed.fire(uri), 300));
    }
  }

  closed(uri: vscode.Uri): void {
    this.open.delete(uri.toString());
  }
}

async function openPreview(provider: PreviewProvider): Promise<void> {
  const editor = koreoEditor();
  if (!editor || !runningClient()) return;
  const pos = editor.selection.active;
  await openPreviewAt(provider, { uri: client!.code2ProtocolConverter.asUri(editor.document.uri), line: pos.line, character: pos.character });
}

async function openPreviewAt(provider: PreviewProvider, target: PreviewTarget): Promise<void> {
  const name = decodeURIComponent(target.uri.split('/').pop() ?? 'koreo');
  const doc = await vscode.workspace.openTextDocument(provider.uriFor(target, name));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
}

/** The `[uri, position]` arguments of a server lens, as a preview target. */
function lensTarget(args: unknown[]): PreviewTarget | undefined {
  const [uri, pos] = args as [unknown, { line?: unknown; character?: unknown } | undefined];
  if (typeof uri !== 'string') return undefined;
  const line = typeof pos?.line === 'number' ? pos.line : 0;
  const character = typeof pos?.character === 'number' ? pos.character : 0;
  return { uri, line, character };
}

let previewProvider: PreviewProvider | undefined;
let graphPanel: { panel: vscode.WebviewPanel; target: PreviewTarget } | undefined;

async function renderGraph(): Promise<void> {
  const g = graphPanel;
  const c = client;
  if (!g || !c || c.state !== State.Running) return;
  let graph;
  try {
    graph = parseGraph(
      await c.sendRequest(ExecuteCommandRequest.type, {
        command: Commands.workflowGraph,
        arguments: [g.target.uri, { line: g.target.line, character: g.target.character }],
      }),
    );
  } catch (e) {
    graph = `Workflow graph failed: ${e instanceof Error ? e.message : e}`;
  }
  if (typeof graph === 'string') {
    void vscode.window.showWarningMessage(`Koreo: ${graph}`);
    return;
  }
  const webview = g.panel.webview;
  const mermaidUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'mermaid.min.js')).toString();
  const title = graph.title ?? 'Workflow graph';
  g.panel.title = title;
  webview.html = graphHtml({ graph, title, cspSource: webview.cspSource, mermaidUri, nonce: crypto.randomBytes(16).toString('base64') });
}

async function showWorkflowGraph(): Promise<void> {
  const editor = koreoEditor();
  if (!editor || !runningClient()) return;
  const pos = editor.selection.active;
  await showWorkflowGraphAt({ uri: client!.code2ProtocolConverter.asUri(editor.document.uri), line: pos.line, character: pos.character });
}

async function showWorkflowGraphAt(target: PreviewTarget): Promise<void> {
  if (!graphPanel) {
    const panel = vscode.window.createWebviewPanel('koreo.workflowGraph', 'Workflow graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    });
    panel.onDidDispose(() => (graphPanel = undefined));
    graphPanel = { panel, target };
  } else {
    graphPanel.target = target;
    graphPanel.panel.reveal(vscode.ViewColumn.Beside, true);
  }
  await renderGraph();
}

// Plain .yaml files with Koreo resources switch to the koreo language, so they get CEL
// highlighting and the server. A document the user switched back to YAML is left alone.
const switchedToKoreo = new Set<string>();
const detectTimers = new Map<string, NodeJS.Timeout>();

function detectKoreoYaml(doc: vscode.TextDocument): void {
  if (doc.languageId !== 'yaml' || !settings().detectYamlByContent) return;
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return;
  if (doc.uri.scheme === 'file' && !isYamlFileName(doc.uri.path)) return;
  const key = doc.uri.toString();
  if (switchedToKoreo.has(key)) return;
  if (!hasKoreoApiVersion(doc.getText())) return;
  switchedToKoreo.add(key);
  void vscode.languages.setTextDocumentLanguage(doc, LANGUAGE);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionUri = context.extensionUri;
  output = vscode.window.createOutputChannel('Koreo Language Server', { log: true });
  statusItem = vscode.window.createStatusBarItem('koreo.status', vscode.StatusBarAlignment.Left, 0);
  statusItem.name = 'Koreo';
  statusItem.command = 'koreo.showOutput';
  const preview = new PreviewProvider();
  previewProvider = preview;
  context.subscriptions.push(
    output,
    statusItem,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview),
    vscode.commands.registerCommand('koreo.restartServer', restartClient),
    vscode.commands.registerCommand('koreo.runFileTests', runFileTests),
    vscode.commands.registerCommand('koreo.openPreview', () => openPreview(preview)),
    vscode.commands.registerCommand('koreo.showWorkflowGraph', showWorkflowGraph),
    vscode.commands.registerCommand('koreo.showOutput', () => output.show()),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      detectKoreoYaml(doc);
      if (doc.languageId === LANGUAGE) void startClient();
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const doc = e.document;
      if (doc.languageId === 'yaml') {
        const key = doc.uri.toString();
        clearTimeout(detectTimers.get(key));
        detectTimers.set(key, setTimeout(() => detectKoreoYaml(doc), 500));
      } else if (doc.languageId === LANGUAGE) {
        preview.sourceChanged(doc.uri);
        if (graphPanel && graphPanel.target.uri === doc.uri.toString()) void renderGraph();
      }
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === PREVIEW_SCHEME) preview.closed(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const change = classifyChange((section) => e.affectsConfiguration(section));
      if (change === 'restart' && client) void restartClient();
      else if (change === 'notify' && client?.state === State.Running) {
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { koreo: toServerSettings(settings()) } });
      }
      if (e.affectsConfiguration('koreo.detectYamlByContent')) vscode.workspace.textDocuments.forEach(detectKoreoYaml);
    }),
  );
  for (const doc of vscode.workspace.textDocuments) detectKoreoYaml(doc);
  if (vscode.workspace.textDocuments.some((d) => d.languageId === LANGUAGE)) await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
