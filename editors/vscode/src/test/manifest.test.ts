// Consistency of package.json with the code and with the VS Code the editor tests run (code-server 4.100).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const EXT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(EXT, 'package.json'), 'utf8'));
const minor = (v: string) => Number(/1\.(\d+)/.exec(v)?.[1]);

test('engines.vscode and @types/vscode stay within what code-server 4.100 (VS Code 1.100) runs', () => {
  assert.ok(minor(pkg.engines.vscode) <= 100, pkg.engines.vscode);
  assert.ok(minor(pkg.devDependencies['@types/vscode']) <= minor(pkg.engines.vscode), '@types/vscode must not be newer than engines.vscode (vsce refuses)');
});

test('every setting the code reads is contributed', () => {
  const props = Object.keys(pkg.contributes.configuration.properties);
  const src = fs.readFileSync(path.join(EXT, 'src/settings.ts'), 'utf8');
  const read = [...src.matchAll(/get<\w+>\('([\w.]+)'/g)].map((m) => 'koreo.' + m[1]);
  assert.ok(read.length >= 6);
  for (const key of read) assert.ok(props.includes(key), `${key} is read but not contributed`);
  for (const key of ['koreo.server.path', 'koreo.cluster.context', 'koreo.offline', 'koreo.trace.server']) assert.ok(props.includes(key), key);
});

test('commands in menus are declared and registered', () => {
  const declared = pkg.contributes.commands.map((c: { command: string }) => c.command);
  const src = fs.readFileSync(path.join(EXT, 'src/extension.ts'), 'utf8');
  for (const id of declared) assert.ok(src.includes(`registerCommand('${id}'`), `${id} is not registered`);
  for (const items of Object.values(pkg.contributes.menus) as Array<Array<{ command: string }>>) {
    for (const item of items) assert.ok(declared.includes(item.command), item.command);
  }
});

test('language, grammars and the files they name exist', () => {
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'koreo');
  assert.deepEqual(lang.extensions, ['.k.yaml', '.k.yml', '.koreo', '.k']);
  assert.ok(fs.existsSync(path.join(EXT, lang.configuration)));
  JSON.parse(fs.readFileSync(path.join(EXT, lang.configuration), 'utf8'));
  for (const g of pkg.contributes.grammars) {
    const grammar = JSON.parse(fs.readFileSync(path.join(EXT, g.path), 'utf8'));
    assert.equal(grammar.scopeName, g.scopeName);
  }
});
