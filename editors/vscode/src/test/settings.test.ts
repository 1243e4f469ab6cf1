import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyChange, Getter, readSettings, toServerSettings } from '../settings';

const getter = (values: Record<string, unknown>): Getter => (<T>(key: string, fallback: T) => (key in values ? values[key] : fallback) as T);

test('defaults map to: current context, online, inlay hints on', () => {
  const s = readSettings(getter({}));
  assert.deepEqual(s, { serverPath: '', clusterContext: '', offline: false, inlayHints: true, detectYamlByContent: true, trace: 'off' });
  assert.deepEqual(toServerSettings(s), { cluster: { context: null }, offline: false, inlayHints: { enabled: true } });
});

test('configured values reach the server', () => {
  const s = readSettings(getter({ 'server.path': '/x/koreo-ls', 'cluster.context': ' kind-dev ', offline: true, 'inlayHints.enabled': false, 'trace.server': 'verbose' }));
  assert.equal(s.serverPath, '/x/koreo-ls');
  assert.equal(s.trace, 'verbose');
  assert.deepEqual(toServerSettings(s), { cluster: { context: 'kind-dev' }, offline: true, inlayHints: { enabled: false } });
});

test('wrongly typed values fall back to the defaults', () => {
  const s = readSettings(getter({ 'server.path': 42, 'cluster.context': null, offline: 'yes', 'trace.server': 'loud' }));
  assert.equal(s.serverPath, '');
  assert.equal(s.clusterContext, '');
  assert.equal(s.offline, false);
  assert.equal(s.trace, 'off');
});

test('a new server path restarts, server settings notify, others do nothing', () => {
  const affects = (...changed: string[]) => (section: string) => changed.some((c) => c === section || c.startsWith(section + '.'));
  assert.equal(classifyChange(affects('koreo.server.path')), 'restart');
  assert.equal(classifyChange(affects('koreo.cluster.context')), 'notify');
  assert.equal(classifyChange(affects('koreo.offline')), 'notify');
  assert.equal(classifyChange(affects('koreo.inlayHints.enabled')), 'notify');
  assert.equal(classifyChange(affects('koreo.trace.server')), 'none');
  assert.equal(classifyChange(affects('editor.fontSize')), 'none');
});
