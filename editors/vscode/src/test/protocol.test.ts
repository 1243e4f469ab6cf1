import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advertisedCommands, describeTestSummary, parseGraph, parsePreview, parseStatus, parseTestSummary } from '../protocol';

test('commands light up only when the server advertises them', () => {
  assert.deepEqual(advertisedCommands({ executeCommandProvider: { commands: ['koreo.preview', 'other'] } }), { runTests: false, preview: true, workflowGraph: false });
  assert.deepEqual(advertisedCommands({ executeCommandProvider: { commands: ['koreo.runTests', 'koreo.workflowGraph'] } }), { runTests: true, preview: false, workflowGraph: true });
  assert.deepEqual(advertisedCommands({}), { runTests: false, preview: false, workflowGraph: false });
  assert.deepEqual(advertisedCommands(undefined), { runTests: false, preview: false, workflowGraph: false });
});

test('koreo/status is validated', () => {
  assert.deepEqual(parseStatus({ indexing: true, cluster: 'offline' }), { indexing: true, cluster: 'offline', message: undefined });
  assert.deepEqual(parseStatus({ indexing: false, cluster: 'error', message: 'Unauthorized' }), { indexing: false, cluster: 'error', message: 'Unauthorized' });
  assert.equal(parseStatus({ indexing: false, cluster: 'sideways' }), undefined);
  assert.equal(parseStatus(null), undefined);
});

test('preview results: defaults for title and language, errors for garbage', () => {
  assert.deepEqual(parsePreview({ title: 'ConfigMap cm', language: 'yaml', content: 'a: 1\n' }), { title: 'ConfigMap cm', language: 'yaml', content: 'a: 1\n' });
  assert.deepEqual(parsePreview({ content: '' }), { title: 'Preview', language: 'yaml', content: '' });
  assert.equal(typeof parsePreview(null), 'string');
  assert.equal(typeof parsePreview({ content: 3 }), 'string');
});

test('graph results: mermaid or dot', () => {
  assert.deepEqual(parseGraph({ mermaid: 'flowchart TD\n a-->b' }), { title: undefined, mermaid: 'flowchart TD\n a-->b' });
  assert.deepEqual(parseGraph({ title: 'wf', dot: 'digraph{}' }), { title: 'wf', dot: 'digraph{}' });
  assert.match(parseGraph({ svg: '<svg/>' }) as string, /expected "mermaid" or "dot"/);
  assert.match(parseGraph(null) as string, /Workflow/);
});

test('test summaries', () => {
  assert.deepEqual(parseTestSummary({ passed: 2, failed: 1 }), { passed: 2, failed: 1, skipped: 0 });
  assert.equal(parseTestSummary('done'), undefined);
  assert.equal(describeTestSummary({ passed: 2, failed: 1, skipped: 1 }), 'FunctionTests: 2 passed, 1 failed, 1 skipped.');
  assert.equal(describeTestSummary({ passed: 0, failed: 0, skipped: 0 }), 'No FunctionTests in this file.');
  assert.equal(describeTestSummary(undefined), 'FunctionTests finished.');
});
