import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandConfiguredPath, findServer } from '../discovery';

const files = (...paths: string[]) => (p: string) => paths.includes(p);

test('the configured absolute path wins over PATH', () => {
  const r = findServer({ configured: '/opt/k/koreo-ls', pathEnv: '/usr/bin', platform: 'linux', isExecutable: files('/opt/k/koreo-ls', '/usr/bin/koreo-ls') });
  assert.deepEqual(r, { ok: true, command: '/opt/k/koreo-ls', source: 'setting' });
});

test('a configured path that does not exist is an error naming the setting and the path', () => {
  const r = findServer({ configured: '~/bin/koreo-ls', home: '/home/u', pathEnv: '/usr/bin', platform: 'linux', isExecutable: files('/usr/bin/koreo-ls') });
  assert.equal(r.ok, false);
  assert.match((r as { message: string }).message, /koreo\.server\.path.*\/home\/u\/bin\/koreo-ls does not exist/);
});

test('without a setting the first PATH entry holding koreo-ls is used', () => {
  const r = findServer({ configured: '', pathEnv: '/a::/b:/c', platform: 'linux', isExecutable: files('/b/koreo-ls', '/c/koreo-ls') });
  assert.deepEqual(r, { ok: true, command: '/b/koreo-ls', source: 'PATH' });
});

test('nothing found: the message says what to do', () => {
  const r = findServer({ pathEnv: '/usr/bin:/bin', platform: 'linux', isExecutable: () => false });
  assert.equal(r.ok, false);
  assert.match((r as { message: string }).message, /koreo-ls was not found on PATH.*koreo\.server\.path/);
});

test('a bare configured name is looked up on PATH', () => {
  const r = findServer({ configured: 'koreo-ls-dev', pathEnv: '/x:/y', platform: 'linux', isExecutable: files('/y/koreo-ls-dev') });
  assert.deepEqual(r, { ok: true, command: '/y/koreo-ls-dev', source: 'setting' });
});

test('Windows: ; separates PATH and .exe is tried', () => {
  const r = findServer({ pathEnv: 'C:\\tools;C:\\bin', platform: 'win32', isExecutable: files('C:\\bin\\koreo-ls.exe') });
  assert.deepEqual(r, { ok: true, command: 'C:\\bin\\koreo-ls.exe', source: 'PATH' });
});

test('~, ${userHome}, ${workspaceFolder} and relative paths are expanded', () => {
  const env = { home: '/home/u', workspaceFolder: '/ws' };
  assert.equal(expandConfiguredPath('~/bin/koreo-ls', env), '/home/u/bin/koreo-ls');
  assert.equal(expandConfiguredPath('${userHome}/k', env), '/home/u/k');
  assert.equal(expandConfiguredPath('${workspaceFolder}/target/debug/koreo-ls', env), '/ws/target/debug/koreo-ls');
  assert.equal(expandConfiguredPath('target/debug/koreo-ls', env), '/ws/target/debug/koreo-ls');
  assert.equal(expandConfiguredPath('  /abs/koreo-ls ', env), '/abs/koreo-ls');
});
