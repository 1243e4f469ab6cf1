// Copies mermaid's self-contained browser bundle into media/ for the workflow-graph webview, so the
// .vsix ships that one file instead of mermaid's whole dependency tree.
const fs = require('fs');
const path = require('path');
const src = require.resolve('mermaid/dist/mermaid.min.js');
const dst = path.join(__dirname, '..', 'media', 'mermaid.min.js');
fs.mkdirSync(path.dirname(dst), { recursive: true });
fs.copyFileSync(src, dst);
