// HTML and URIs for the preview document and the workflow-graph webview. Pure, unit-tested.
import { GraphResult } from './protocol';

export const PREVIEW_SCHEME = 'koreo-preview';

export interface PreviewTarget {
  uri: string;
  line: number;
  character: number;
}

/** Path and query of the virtual preview document; the path ends in `.yaml` so the editor picks YAML. */
export function previewLocation(target: PreviewTarget, sourceName: string): { path: string; query: string } {
  const base = sourceName.replace(/\.(k\.ya?ml|ya?ml|koreo|k)$/i, '').replace(/[^\w.-]+/g, '_') || 'koreo';
  return { path: `/${base} (preview, line ${target.line + 1}).yaml`, query: JSON.stringify(target) };
}

export function parsePreviewQuery(query: string): PreviewTarget | undefined {
  try {
    const t = JSON.parse(query) as Partial<PreviewTarget>;
    if (typeof t.uri === 'string' && Number.isInteger(t.line) && Number.isInteger(t.character)) {
      return { uri: t.uri, line: t.line as number, character: t.character as number };
    }
  } catch {
    // not ours
  }
  return undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The webview page for a workflow graph. Mermaid source is rendered by the bundled mermaid.min.js
 * (strict security level, no remote content); DOT is shown as text, since no DOT renderer is bundled.
 */
export function graphHtml(opts: { graph: GraphResult; title: string; cspSource: string; mermaidUri: string; nonce: string }): string {
  const { graph, title, cspSource, mermaidUri, nonce } = opts;
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const body =
    'mermaid' in graph
      ? `<pre class="mermaid" id="graph">${escapeHtml(graph.mermaid)}</pre>
<script nonce="${nonce}" src="${escapeHtml(mermaidUri)}"></script>
<script nonce="${nonce}">
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default' });
  mermaid.run({ querySelector: '#graph' }).catch((e) => {
    const p = document.createElement('p'); p.className = 'error'; p.textContent = 'Could not render the graph: ' + e; document.body.prepend(p);
  });
</script>`
      : `<p>Graphviz DOT source (not rendered):</p><pre id="graph">${escapeHtml(graph.dot)}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  pre.mermaid { background: transparent; }
  .error { color: var(--vscode-errorForeground); }
</style>
</head>
<body>
<h3>${escapeHtml(title)}</h3>
${body}
</body>
</html>`;
}
