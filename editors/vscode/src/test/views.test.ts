import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, graphHtml, parsePreviewQuery, previewLocation } from '../views';

test('preview locations round-trip and end in .yaml', () => {
  const target = { uri: 'file:///ws/fn.k.yaml', line: 4, character: 2 };
  const loc = previewLocation(target, 'fn.k.yaml');
  assert.equal(loc.path, '/fn (preview, line 5).yaml');
  assert.deepEqual(parsePreviewQuery(loc.query), target);
  assert.equal(parsePreviewQuery('{"uri":1}'), undefined);
  assert.equal(parsePreviewQuery('not json'), undefined);
});

test('graph HTML escapes the source and locks scripts to a nonce', () => {
  const html = graphHtml({ graph: { mermaid: 'flowchart TD\n a["<b>x</b>"] --> b' }, title: 'wf <1>', cspSource: 'vscode-resource:', mermaidUri: 'vscode-resource:/m.js', nonce: 'N0NCE' });
  assert.match(html, /script-src 'nonce-N0NCE'/);
  assert.match(html, /a\[&quot;&lt;b&gt;x&lt;\/b&gt;&quot;\] --&gt; b/);
  assert.match(html, /<title>wf &lt;1&gt;<\/title>/);
  assert.ok(!html.includes('<b>x</b>'));
  for (const m of html.matchAll(/<script([^>]*)>/g)) assert.match(m[1], /nonce="N0NCE"/);
});

test('DOT is shown as text', () => {
  const html = graphHtml({ graph: { dot: 'digraph { a -> b }' }, title: 't', cspSource: 'x', mermaidUri: 'y', nonce: 'n' });
  assert.match(html, /<pre id="graph">digraph \{ a -&gt; b \}<\/pre>/);
  assert.ok(!html.includes('<script'));
  assert.equal(escapeHtml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
});
