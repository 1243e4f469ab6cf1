// The Koreo TextMate grammar on top of VS Code's own YAML grammar, tokenized by vscode-textmate
// (the engine VS Code uses). VS Code's YAML grammars are not ours to copy, so they are read from the
// code-server install the editor tests use (.ci/install-editors.sh); without it these tests skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vsctm from 'vscode-textmate';
import * as onig from 'vscode-oniguruma';

const EXT = path.join(__dirname, '..', '..');
const YAML_DIR =
  process.env.KOREO_VSCODE_YAML_SYNTAXES ??
  path.join(process.env.CS_PREFIX ?? '/opt/code-server', 'node_modules/code-server/lib/vscode/extensions/yaml/syntaxes');
const skip = fs.existsSync(YAML_DIR) ? false : `VS Code's YAML grammar not found at ${YAML_DIR} (install code-server or set KOREO_VSCODE_YAML_SYNTAXES)`;

let grammar: Promise<vsctm.IGrammar> | undefined;
function loadGrammar(): Promise<vsctm.IGrammar> {
  grammar ??= (async () => {
    const files: Record<string, string> = {
      'source.koreo': path.join(EXT, 'syntaxes/koreo.tmLanguage.json'),
      'source.cel': path.join(EXT, 'syntaxes/cel.tmLanguage.json'),
    };
    for (const f of fs.readdirSync(YAML_DIR)) {
      const p = path.join(YAML_DIR, f);
      files[JSON.parse(fs.readFileSync(p, 'utf8')).scopeName] = p;
    }
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (s: string[]) => new onig.OnigScanner(s), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: async (scope: string) => (files[scope] ? vsctm.parseRawGrammar(fs.readFileSync(files[scope], 'utf8'), files[scope]) : null),
    });
    const g = await registry.loadGrammar('source.koreo');
    assert.ok(g, 'source.koreo loads');
    return g;
  })();
  return grammar;
}

/** Tokens of `text` as [line, token text, scopes] (blank tokens dropped). */
async function tokenize(text: string): Promise<Array<[number, string, string[]]>> {
  const g = await loadGrammar();
  let state = vsctm.INITIAL;
  const out: Array<[number, string, string[]]> = [];
  text.split('\n').forEach((line, n) => {
    const r = g.tokenizeLine(line, state);
    state = r.ruleStack;
    for (const t of r.tokens) {
      const s = line.slice(t.startIndex, t.endIndex);
      if (s.trim()) out.push([n, s.trim(), t.scopes]);
    }
  });
  return out;
}

function scopesOf(tokens: Array<[number, string, string[]]>, line: number, text: string): string[] {
  const t = tokens.find(([l, s]) => l === line && s === text);
  assert.ok(t, `token ${JSON.stringify(text)} on line ${line}; tokens there: ${JSON.stringify(tokens.filter(([l]) => l === line).map(([, s]) => s))}`);
  return t[2];
}
const isCel = (scopes: string[]) => scopes.includes('meta.embedded.expression.cel');

const SAMPLE = `apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: demo
spec:
  locals:
    plain: =inputs.name + "-x"  # a comment
    dq: "=size(inputs.items) > 0 && has(inputs.a)"
    sq: '=inputs.x == ''y'''
    text: a=b
    flow: {name: =to_ref(inputs), ns: ns}
    seq: [=locals.a, plain]
    block: |
      =inputs.items.map(i, i * 2)
        .filter(x, x > 1)
    notcel: |
      just = text
    after: done
    "=key": 1
  return:
    - =locals.plain`;

test('CEL is injected into plain, quoted, flow and block = values', { skip }, async () => {
  const t = await tokenize(SAMPLE);
  assert.ok(scopesOf(t, 6, '=').includes('punctuation.definition.expression.koreo'));
  assert.ok(scopesOf(t, 6, 'inputs').includes('variable.language.koreo.cel'));
  assert.ok(scopesOf(t, 6, '+').includes('keyword.operator.arithmetic.cel'));
  assert.ok(scopesOf(t, 6, '-x').includes('string.quoted.double.cel'));
  assert.ok(scopesOf(t, 7, 'size').includes('support.function.builtin.cel'));
  assert.ok(scopesOf(t, 7, 'has').includes('keyword.control.macro.cel'));
  assert.ok(scopesOf(t, 7, '&&').includes('keyword.operator.logical.cel'));
  assert.ok(scopesOf(t, 8, "''").includes('constant.character.escape.yaml'), "'' stays a YAML escape");
  assert.ok(scopesOf(t, 10, 'to_ref').includes('support.function.koreo.cel'));
  assert.ok(isCel(scopesOf(t, 11, 'locals')));
  assert.ok(scopesOf(t, 13, 'map').includes('keyword.control.macro.cel'));
  assert.ok(scopesOf(t, 14, 'filter').includes('keyword.control.macro.cel'), 'block continuation lines stay CEL');
  assert.ok(isCel(scopesOf(t, 20, 'locals')), 'sequence item');
});

test('YAML around the expressions stays YAML', { skip }, async () => {
  const t = await tokenize(SAMPLE);
  assert.ok(scopesOf(t, 6, '#').some((s) => s.startsWith('comment.line')), 'a trailing comment is not CEL');
  assert.ok(!isCel(scopesOf(t, 9, 'a=b')), 'a value that does not start with = is a string');
  assert.ok(!isCel(scopesOf(t, 10, 'ns')), 'a flow value after , is YAML again');
  assert.ok(scopesOf(t, 11, 'plain').some((s) => s.startsWith('string.unquoted')));
  assert.ok(scopesOf(t, 16, 'just = text').includes('string.unquoted.block.yaml'), 'a block scalar without = is text');
  assert.ok(scopesOf(t, 17, 'after').includes('entity.name.tag.yaml'), 'the mapping resumes after a block scalar');
  assert.ok(scopesOf(t, 18, '=key').includes('entity.name.tag.yaml'), 'keys are never expressions');
});
