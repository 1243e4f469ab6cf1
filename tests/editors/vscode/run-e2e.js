#!/usr/bin/env node
// End-to-end test of the Koreo extension in real VS Code: code-server (VS Code 1.100 in a browser)
// with the packaged .vsix installed, koreo-ls as its server, driven by headless Debian Chromium
// through playwright-core. Run by tests/tests/vscode.rs; see tests/editors/README.md.
//
// Env: KOREO_LS (the koreo-ls binary), KOREO_VSIX (the packaged extension), CS_PREFIX (code-server
// install, default /opt/code-server), CHROMIUM (default /usr/bin/chromium), ARTIFACTS (screenshots
// and report.json, default tests/artifacts/vscode).
//
// Each check prints PASS or FAIL. Before the browser starts, koreo-ls is probed over plain stdio
// (its initialize result, and whether it publishes the CEL error of broken.k.yaml): a check whose
// server feature is missing FAILS with that reason, so a regression in the server is reported as
// such rather than as a UI timeout. KOREO_E2E_ALLOW_PENDING=1 reports those checks as PENDING
// instead (for developing the driver against a partial server). Exit status 1 if any check failed.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..', '..', '..');
const KOREO_LS = mustEnv('KOREO_LS');
const VSIX = mustEnv('KOREO_VSIX');
const CS = path.join(process.env.CS_PREFIX || '/opt/code-server', 'node_modules/.bin/code-server');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(REPO, 'tests/artifacts/vscode'));
// Generous upper bounds for things that must happen; none of them is a timing assertion.
const WAIT = 60_000;

function mustEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return path.resolve(v);
}

const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

// --- the server's own word on what it supports ---------------------------------------------------

/**
 * Runs `koreo-ls --stdio` through initialize, opens `broken` (relative to `ws`) and waits for its
 * diagnostics, then shuts down. Returns the capabilities and whether an Error landed on `line`.
 */
function probeServer(bin, ws, broken, line) {
  return new Promise((resolve) => {
    const child = spawn(bin, ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = Buffer.alloc(0);
    let stderr = '';
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(r);
    };
    let result;
    const timer = setTimeout(() => finish(result ?? { ok: false, reason: 'no answer to initialize within 20 s' }), 20_000);
    const brokenUri = 'file://' + path.join(ws, broken);
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    child.on('error', (e) => finish({ ok: false, reason: `cannot run ${bin}: ${e.message}` }));
    child.on('exit', (code) => finish({ ok: false, reason: `exited with ${code} before answering initialize${stderr ? ': ' + stderr.trim().slice(0, 200) : ''}` }));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) {
          if (buf.length > 4096 && !/^Content-Length/i.test(buf.toString('latin1', 0, 20))) {
            finish({ ok: false, reason: `does not speak LSP on stdio (printed ${JSON.stringify(buf.toString().slice(0, 80))})` });
          }
          return;
        }
        const len = Number(/Content-Length:\s*(\d+)/i.exec(buf.toString('latin1', 0, sep))?.[1]);
        if (!Number.isFinite(len)) return finish({ ok: false, reason: 'bad LSP header' });
        if (buf.length < sep + 4 + len) return;
        const msg = JSON.parse(buf.toString('utf8', sep + 4, sep + 4 + len));
        buf = buf.subarray(sep + 4 + len);
        if (msg.id === 1) {
          if (msg.error) return finish({ ok: false, reason: `initialize failed: ${msg.error.message}` });
          result = { ok: true, capabilities: msg.result?.capabilities ?? {}, serverInfo: msg.result?.serverInfo, brokenDiagnostic: false };
          send({ method: 'initialized', params: {} });
          const text = fs.readFileSync(path.join(ws, broken), 'utf8');
          send({ method: 'textDocument/didOpen', params: { textDocument: { uri: brokenUri, languageId: 'koreo', version: 1, text } } });
        } else if (msg.method === 'textDocument/publishDiagnostics' && msg.params?.uri === brokenUri && result) {
          if (msg.params.diagnostics.some((d) => d.severity === 1 && d.range.start.line === line)) {
            result.brokenDiagnostic = true;
            send({ id: 2, method: 'shutdown' });
            send({ method: 'exit' });
            return finish(result);
          }
        } else if (msg.id !== undefined && msg.method) {
          send({ id: msg.id, result: null }); // client/registerCapability, workspace/configuration, ...
        }
      }
    });
    child.stdout.on('end', () => setTimeout(() => finish({ ok: false, reason: `does not speak LSP on stdio${stderr ? ': ' + stderr.trim().slice(0, 200) : ''}` }), 100));
    const rootUri = 'file://' + ws;
    send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'workspace' }], capabilities: {} } });
  });
}

// Which server feature each check waits for; null = runs now.
function needs(probe) {
  const caps = probe.ok ? probe.capabilities : undefined;
  const cmds = caps?.executeCommandProvider?.commands ?? [];
  const lsp = probe.ok ? null : `koreo-ls does not answer LSP initialize yet (${probe.reason})`;
  return {
    lsp,
    diagnostic: lsp || (probe.brokenDiagnostic ? null : 'koreo-ls publishes no Error diagnostic on broken.k.yaml line 8 (a CEL parse error) yet, over plain stdio within 20 s'),
    hover: lsp || (caps.hoverProvider ? null : 'koreo-ls does not advertise hoverProvider yet'),
    definition: lsp || (caps.definitionProvider ? null : 'koreo-ls does not advertise definitionProvider yet'),
    runTests: lsp || (cmds.includes('koreo.runTests') ? null : 'koreo-ls does not advertise the koreo.runTests command yet'),
    preview: lsp || (cmds.includes('koreo.preview') ? null : 'koreo-ls does not advertise the koreo.preview command yet'),
    workflowGraph: lsp || (cmds.includes('koreo.workflowGraph') ? null : 'koreo-ls does not advertise the koreo.workflowGraph command yet'),
    completion: lsp || (caps.completionProvider ? null : 'koreo-ls does not advertise completionProvider'),
    codeAction: lsp || (caps.codeActionProvider ? null : 'koreo-ls does not advertise codeActionProvider'),
  };
}

// --- code-server -----------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${url}`);
}

// --- the browser side ------------------------------------------------------------------------------

class Workbench {
  constructor(page) {
    this.page = page;
    this.quickInput = page.locator('.quick-input-widget input');
    this.selection = page.locator('.statusbar-item[id="status.editor.selection"]');
  }

  async openFile(name) {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await this.quickInput.waitFor({ timeout: WAIT });
    await this.quickInput.fill(name);
    // The focused row, not any row: before the filter applies, the list shows recently opened files.
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
    await this.activeTab(name);
    await page.locator('.monaco-editor .view-lines').first().click();
  }

  async activeTab(name) {
    try {
      await this.page.locator(`.tab.active[aria-label^="${name}"]`).first().waitFor({ timeout: WAIT });
    } catch (e) {
      const tabs = await this.page.locator('.tab').evaluateAll((els) => els.map((el) => `${el.getAttribute('aria-label')} [${el.className}]`));
      throw new Error(`${name} is not the active tab; tabs: ${JSON.stringify(tabs)}`);
    }
  }

  /** Moves the cursor with Go to Line (1-based line and column) and waits for the status bar to agree. */
  async gotoLine(line, col) {
    const { page } = this;
    await page.keyboard.press('Control+G');
    await this.quickInput.waitFor({ timeout: WAIT });
    await this.quickInput.fill(`:${line}:${col}`);
    await page.keyboard.press('Enter');
    await this.selection.filter({ hasText: `Ln ${line}, Col ${col}` }).waitFor({ timeout: WAIT });
  }

  async runCommand(title) {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await this.quickInput.waitFor({ timeout: WAIT });
    await this.quickInput.fill('>' + title);
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first().waitFor({ timeout: WAIT });
    await page.keyboard.press('Enter');
  }

  async showProblems() {
    if (!(await this.page.locator('.markers-panel').isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel').waitFor({ timeout: WAIT });
  }

  /** Waits for a Problems entry of `file` (a marker row under that file's row) matching `re`. */
  async waitProblem(file, re) {
    await this.showProblems();
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const deadline = Date.now() + WAIT;
    for (;;) {
      const texts = await rows.allInnerTexts();
      let inFile = false;
      for (const t of texts) {
        const isFileRow = /\.(k\.ya?ml|ya?ml|koreo|k)\b/.test(t.split('\n')[0]) && !/\[Ln \d+, Col \d+\]/.test(t);
        if (isFileRow) inFile = t.startsWith(file);
        else if (inFile && re.test(t)) return t.replace(/\s+/g, ' ').trim();
      }
      if (Date.now() > deadline) throw new Error(`no Problems entry for ${file} matching ${re}; rows: ${JSON.stringify(texts)}`);
      await this.page.waitForTimeout(250);
    }
  }

  /**
   * Ctrl+. at the cursor, then applies the action whose row matches `re`; returns its title.
   * Asked up to three times, as a person would: an answer computed while another change
   * arrived is dropped by the server (ContentModified) and the editor shows no actions.
   */
  async applyCodeAction(re) {
    const { page } = this;
    const action = page.locator('.action-widget .monaco-list-row', { hasText: re }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await action.waitFor({ timeout: attempt < 3 ? 10000 : WAIT });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(1000);
      }
    }
    const title = (await action.innerText()).replace(/\s+/g, ' ').trim();
    // The action list animates in, so a click may never see it "stable"; the keyboard is
    // what users use here anyway: Enter applies the focused row.
    if ((await action.getAttribute('class'))?.includes('focused')) await page.keyboard.press('Enter');
    else await action.click({ force: true });
    return title;
  }

  /** Waits until the Problems panel lists nothing for `file`. */
  async waitNoProblems(file) {
    await this.showProblems();
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const deadline = Date.now() + WAIT;
    for (;;) {
      const texts = await rows.allInnerTexts();
      if (!texts.some((t) => t.startsWith(file + '\n') || t === file)) return;
      if (Date.now() > deadline) throw new Error(`Problems still lists ${file}: ${JSON.stringify(texts)}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** Computed colour of the first token span with exactly this text on the visible editor lines. */
  async tokenColor(text) {
    const span = this.page.locator('.monaco-editor .view-line span span', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
    await span.waitFor({ timeout: WAIT });
    return span.evaluate((el) => getComputedStyle(el).color);
  }
}

// --- the checks ------------------------------------------------------------------------------------

function checks(wb, need) {
  const { page } = wb;
  return [
    {
      name: 'extension-activates',
      what: 'a *.k.yaml file opens in the Koreo language mode and the Koreo status item shows',
      run: async () => {
        await wb.openFile('functions.k.yaml');
        await page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: /^Koreo$/ }).waitFor({ timeout: WAIT });
        const item = page.locator('.statusbar-item[aria-label*="Koreo"]:not([id="status.editor.mode"])').first();
        await item.waitFor({ timeout: WAIT });
        return `language mode Koreo; status item "${(await item.getAttribute('aria-label')) ?? ''}"`;
      },
    },
    {
      name: 'cel-highlighting',
      what: 'CEL in a = value is coloured unlike a plain YAML string (the TextMate injection)',
      run: async () => {
        await wb.openFile('functions.k.yaml');
        const cel = await wb.tokenColor('prefix');
        const plain = await wb.tokenColor('make-name');
        if (cel === plain) throw new Error(`"prefix" in =inputs.prefix has the same colour as the string make-name (${cel})`);
        return `CEL field access ${cel}, YAML string ${plain}`;
      },
    },
    {
      name: 'yaml-detected-by-content',
      what: 'a plain .yaml file with apiVersion: koreo.dev/... switches to the Koreo language',
      run: async () => {
        await wb.openFile('extra.yaml');
        await page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: /^Koreo$/ }).waitFor({ timeout: WAIT });
        return 'extra.yaml is in the Koreo language mode';
      },
    },
    {
      name: 'server-running',
      what: 'the extension started koreo-ls and the status item reports it running',
      pending: need.lsp,
      run: async () => {
        await wb.openFile('functions.k.yaml');
        const item = page.locator('.statusbar-item[aria-label*="Koreo"]:not([id="status.editor.mode"])', { has: page.locator('.codicon-check') });
        await item.first().waitFor({ timeout: WAIT });
        return 'status item shows the check mark';
      },
    },
    {
      name: 'diagnostic',
      what: 'broken.k.yaml gets an error squiggle and a Problems entry on line 8 (the dangling + in =inputs.count +)',
      pending: need.diagnostic,
      run: async () => {
        await wb.openFile('broken.k.yaml');
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: WAIT });
        return wb.waitProblem('broken.k.yaml', /\[Ln 8, Col \d+\]/);
      },
    },
    {
      name: 'hover',
      what: 'hover on the function name in a workflow step ref shows the ValueFunction',
      pending: need.hover,
      run: async () => {
        await wb.openFile('workflow.k.yaml');
        await wb.gotoLine(15, 17);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        const hover = page.locator('.monaco-hover', { hasText: 'ValueFunction' }).first();
        await hover.waitFor({ timeout: WAIT });
        return (await hover.innerText()).replace(/\s+/g, ' ').slice(0, 160);
      },
    },
    {
      name: 'definition',
      what: 'F12 on the step ref name opens functions.k.yaml at the ValueFunction (line 5)',
      pending: need.definition,
      run: async () => {
        await wb.openFile('workflow.k.yaml');
        await wb.gotoLine(15, 17);
        await page.keyboard.press('F12');
        await wb.activeTab('functions.k.yaml');
        await wb.selection.filter({ hasText: /Ln 5, Col \d+/ }).waitFor({ timeout: WAIT });
        return `now in functions.k.yaml at ${await wb.selection.innerText()}`;
      },
    },
    {
      name: 'function-test',
      what: '"Koreo: Run FunctionTests in This File" on tests.k.yaml reports the failing case (expected web-api)',
      pending: need.runTests,
      run: async () => {
        await wb.openFile('tests.k.yaml');
        await wb.runCommand('Koreo: Run FunctionTests in This File');
        return wb.waitProblem('tests.k.yaml', /web-api/);
      },
    },
    {
      name: 'preview',
      what: '"Koreo: Open Preview" opens the rendered YAML beside the source',
      pending: need.preview,
      run: async () => {
        await wb.openFile('functions.k.yaml');
        await wb.gotoLine(8, 12);
        await wb.runCommand('Koreo: Open Preview');
        const group = page.locator('.editor-group-container', { has: page.locator('.tab.active[aria-label*="(preview, line 8)"]') });
        const lines = group.locator('.monaco-editor .view-lines');
        await lines.filter({ hasText: /\S/ }).first().waitFor({ timeout: WAIT });
        const text = (await lines.first().innerText()).replace(/\s+/g, ' ').trim();
        if (text.startsWith('# koreo-ls') || text.startsWith('# Preview failed')) throw new Error(`the preview shows an error: ${text}`);
        return `preview beside the source: ${text.slice(0, 100)}`;
      },
    },
    {
      name: 'workflow-graph',
      what: '"Koreo: Show Workflow Graph" renders the workflow as an SVG in a webview (bundled mermaid)',
      pending: need.workflowGraph,
      run: async () => {
        await wb.openFile('workflow.k.yaml');
        await wb.gotoLine(12, 7);
        await wb.runCommand('Koreo: Show Workflow Graph');
        const frame = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
        const svg = frame.locator('svg[id^="mermaid"], pre.mermaid svg').first();
        await svg.waitFor({ timeout: WAIT });
        const nodes = await frame.locator('svg .node').count();
        if (nodes < 1) throw new Error('the graph has no nodes');
        const label = await frame.locator('svg .node').first().textContent();
        return `SVG with ${nodes} node(s), the first labelled ${JSON.stringify((label ?? '').trim())}`;
      },
    },
    {
      name: 'completion',
      what: 'Ctrl+Space on the step ref name in workflow.k.yaml suggests the ValueFunction make-name',
      pending: need.completion,
      run: async () => {
        await wb.openFile('workflow.k.yaml');
        await wb.gotoLine(15, 15);
        await page.keyboard.press('Control+Space');
        const row = page.locator('.suggest-widget .monaco-list-row', { hasText: 'make-name' }).first();
        await row.waitFor({ timeout: WAIT });
        const text = (await row.innerText()).replace(/\s+/g, ' ').trim();
        await page.keyboard.press('Escape');
        return `suggestion "${text}"`;
      },
    },
    {
      name: 'quick-fix',
      what: 'a typo in the step ref name gets an error, and the quick fix (Ctrl+.) restores make-name and clears it',
      pending: need.codeAction,
      run: async () => {
        await wb.openFile('workflow.k.yaml');
        await wb.gotoLine(15, 24);
        await page.keyboard.type('x');
        await page.keyboard.press('Escape');
        await wb.waitProblem('workflow.k.yaml', /Unknown ValueFunction 'make-namex'/);
        await wb.gotoLine(15, 17);
        const title = await wb.applyCodeAction(/make-name/);
        await wb.waitNoProblems('workflow.k.yaml');
        // Monaco renders spaces as U+00A0; \s matches both.
        // The inlay hint after the name is part of the rendered line.
        const line = page.locator('.monaco-editor .view-line', { hasText: /name:\s+make-name/ }).first();
        const text = (await line.innerText()).replace(/\s+/g, ' ').trim();
        if (!/^name: make-name( |$)/.test(text)) throw new Error(`line 15 reads ${JSON.stringify(text)} after the fix`);
        return `applied "${title}"; line 15 reads "${text}" and the error is gone`;
      },
    },
    {
      name: 'test-lens-and-update',
      what: 'tests.k.yaml shows a failed status lens; the "Update expectation" action on the expected field fixes the test: Problems clear and the case lens says passed',
      pending: need.codeAction,
      run: async () => {
        await wb.openFile('tests.k.yaml');
        const lens = (re) => page.locator('.monaco-editor .codelens-decoration', { hasText: re }).first();
        await wb.gotoLine(3, 1);
        await lens(/1 of 1 failed/).waitFor({ timeout: WAIT });
        await wb.gotoLine(16, 16);
        await lens(/✗ failed/).waitFor({ timeout: WAIT });
        const title = await wb.applyCodeAction(/Update/);
        await wb.waitNoProblems('tests.k.yaml');
        // The case's own lens sits just above the edited lines (the test's is scrolled away).
        await lens(/✓ passed/).waitFor({ timeout: WAIT });
        return `lens went from failed to passed after "${title}"`;
      },
    },
  ];
}

// --- main ------------------------------------------------------------------------------------------

async function main() {
  for (const [what, p] of [['koreo-ls', KOREO_LS], ['the .vsix', VSIX], ['code-server', CS], ['chromium', CHROMIUM]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} not found at ${p} (run .ci/install-editors.sh)`);
  }
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koreo-vscode-e2e-'));
  const ws = path.join(tmp, 'workspace');
  fs.cpSync(path.join(__dirname, 'workspace'), ws, { recursive: true });

  const probe = await probeServer(KOREO_LS, ws, 'broken.k.yaml', 7);
  log(probe.ok ? `koreo-ls capabilities: ${JSON.stringify(probe.capabilities)}; error on broken.k.yaml:8: ${probe.brokenDiagnostic}` : `koreo-ls probe: ${probe.reason}`);
  const need = needs(probe);
  const data = path.join(tmp, 'data');
  const exts = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(data, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(data, 'User', 'settings.json'),
    JSON.stringify(
      {
        'koreo.server.path': KOREO_LS,
        'koreo.trace.server': 'messages',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'chat.disableAIFeatures': true,
        'editor.stickyScroll.enabled': false,
        'editor.minimap.enabled': false,
        'editor.hover.delay': 100,
        'workbench.editor.enablePreview': false,
        'workbench.colorTheme': 'Default Light Modern',
      },
      null,
      2,
    ),
  );

  const install = spawnSync(CS, ['--user-data-dir', data, '--extensions-dir', exts, '--install-extension', VSIX], { encoding: 'utf8' });
  if (install.status !== 0 || !/successfully installed/.test(install.stdout + install.stderr)) {
    throw new Error(`installing ${VSIX} failed (${install.status}):\n${install.stdout}${install.stderr}`);
  }
  log(`installed ${path.basename(VSIX)}`);

  const port = await freePort();
  const csLog = fs.openSync(path.join(ARTIFACTS, 'code-server.log'), 'w');
  // Own process group, so that the extension host, file watcher and koreo-ls go down with it.
  const cs = spawn(
    CS,
    ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--user-data-dir', data, '--extensions-dir', exts, ws],
    { detached: true, stdio: ['ignore', csLog, csLog] },
  );
  const results = [];
  let browser;
  try {
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, cs);
    log(`code-server on port ${port}`);
    const profile = path.join(tmp, 'chromium');
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = browser.pages()[0] || (await browser.newPage());
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ timeout: WAIT });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'functions.k.yaml' }).first().waitFor({ timeout: WAIT });
    log('workbench loaded');
    const wb = new Workbench(page);
    for (const check of checks(wb, need)) {
      if (check.pending) {
        const status = process.env.KOREO_E2E_ALLOW_PENDING === '1' ? 'pending' : 'fail';
        results.push({ name: check.name, status, what: check.what, reason: check.pending });
        log(`${status.toUpperCase()} ${check.name}: ${check.pending}`);
        continue;
      }
      try {
        const detail = await check.run();
        await page.screenshot({ path: path.join(ARTIFACTS, `${check.name}.png`) });
        results.push({ name: check.name, status: 'pass', what: check.what, detail });
        log(`PASS ${check.name}: ${detail}`);
      } catch (e) {
        await page.screenshot({ path: path.join(ARTIFACTS, `${check.name}-failure.png`) }).catch(() => {});
        results.push({ name: check.name, status: 'fail', what: check.what, error: String(e.message || e) });
        log(`FAIL ${check.name}: ${check.what}\n    ${String(e.message || e).split('\n').join('\n    ')}`);
        await page.keyboard.press('Escape').catch(() => {});
      }
    }
    fs.writeFileSync(path.join(ARTIFACTS, 'browser-console.log'), consoleLines.join('\n') + '\n');
  } finally {
    if (browser) await browser.close().catch(() => {});
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => (cs.exitCode !== null ? r() : cs.once('exit', r)));
    try {
      process.kill(-cs.pid, 'SIGKILL'); // children that ignored SIGTERM
    } catch {
      // all gone
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const report = { server: probe.ok ? { capabilities: probe.capabilities, serverInfo: probe.serverInfo } : { error: probe.reason }, results };
  fs.writeFileSync(path.join(ARTIFACTS, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const count = (s) => results.filter((r) => r.status === s).length;
  console.log(`vscode e2e: ${count('pass')} passed, ${count('fail')} failed, ${count('pending')} pending; artifacts in ${ARTIFACTS}`);
  return count('fail') === 0;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(`vscode e2e: ${e.stack || e}`);
    process.exit(2);
  },
);
