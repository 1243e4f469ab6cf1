import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusModel } from '../status';

test('server states before it runs', () => {
  const m = new StatusModel();
  m.setServer('missing', 'koreo-ls was not found on PATH.');
  assert.deepEqual(m.view(), { text: '$(error) Koreo: koreo-ls not found', tooltip: 'koreo-ls was not found on PATH.', severity: 'error' });
  m.setServer('starting');
  assert.equal(m.view().text, '$(sync~spin) Koreo');
});

test('work-done progress shows while it lasts, with its percentage', () => {
  const m = new StatusModel();
  m.setServer('running');
  m.onProgress('idx', { kind: 'begin', title: 'Indexing', percentage: 0 });
  m.onProgress('idx', { kind: 'report', message: '3/10 files', percentage: 30 });
  assert.equal(m.view().text, '$(sync~spin) Koreo: Indexing 30%');
  assert.match(m.view().tooltip, /Indexing: 3\/10 files/);
  m.onProgress('idx', { kind: 'end' });
  assert.equal(m.view().text, '$(check) Koreo');
});

test('koreo/status: indexing flag and cluster state', () => {
  const m = new StatusModel();
  m.setServer('running');
  m.setStatus({ indexing: true, cluster: 'connected' });
  assert.equal(m.view().text, '$(sync~spin) Koreo: indexing $(cloud)');
  m.setStatus({ indexing: false, cluster: 'offline' });
  assert.equal(m.view().text, '$(check) Koreo $(cloud-offline)');
  m.setStatus({ indexing: false, cluster: 'error', message: 'context "prod" not found' });
  const v = m.view();
  assert.equal(v.severity, 'warning');
  assert.match(v.tooltip, /Cluster: error\ncontext "prod" not found/);
});

test('a stopped server forgets progress and status', () => {
  const m = new StatusModel();
  m.setServer('running');
  m.onProgress(1, { kind: 'begin', title: 'Indexing' });
  m.setStatus({ indexing: true, cluster: 'connected' });
  m.setServer('failed', 'exit code 101');
  assert.deepEqual(m.view(), { text: '$(error) Koreo', tooltip: 'koreo-ls is not running: exit code 101', severity: 'error' });
  m.setServer('running');
  assert.equal(m.view().text, '$(check) Koreo');
});
