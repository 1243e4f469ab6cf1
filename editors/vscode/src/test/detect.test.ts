import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKoreoApiVersion, isKoreoFileName, isYamlFileName } from '../detect';

test('Koreo file names', () => {
  for (const n of ['a.k.yaml', 'dir/b.k.yml', 'c.koreo', 'd.k', 'E.K.YAML']) assert.ok(isKoreoFileName(n), n);
  for (const n of ['a.yaml', 'b.k8s', 'k.yaml.bak', 'koreo']) assert.ok(!isKoreoFileName(n), n);
  assert.ok(isYamlFileName('x.yml') && isYamlFileName('x.YAML') && !isYamlFileName('x.json'));
});

test('a top-level koreo.dev apiVersion in any document makes the file Koreo', () => {
  assert.ok(hasKoreoApiVersion('apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\n'));
  assert.ok(hasKoreoApiVersion('# c\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: "koreo.dev/v1beta1"  # koreo\nkind: Workflow\n'));
  assert.ok(hasKoreoApiVersion("apiVersion : 'koreo.dev/v1beta1'\n"));
  assert.ok(hasKoreoApiVersion('{apiVersion: koreo.dev/v1beta1, kind: ValueFunction, metadata: {name: x}}\n'));
  assert.ok(hasKoreoApiVersion('kind: ValueFunction\r\napiVersion: koreo.dev/v1beta1\r\n'));
});

test('nested, commented or other apiVersions do not', () => {
  assert.ok(!hasKoreoApiVersion('apiVersion: apps/v1\nkind: Deployment\n'));
  assert.ok(!hasKoreoApiVersion('# apiVersion: koreo.dev/v1beta1\napiVersion: v1\n'));
  assert.ok(!hasKoreoApiVersion('spec:\n  expectResource:\n    apiVersion: koreo.dev/v1beta1\n'));
  assert.ok(!hasKoreoApiVersion('apiVersion: notkoreo.dev/v1\n'));
  assert.ok(!hasKoreoApiVersion('description: see koreo.dev/docs\n'));
  assert.ok(!hasKoreoApiVersion(''));
});

test('only the head of a huge file is scanned', () => {
  const filler = 'x: ' + 'a'.repeat(80) + '\n';
  const big = filler.repeat(5000) + 'apiVersion: koreo.dev/v1beta1\n';
  assert.ok(!hasKoreoApiVersion(big));
  assert.ok(hasKoreoApiVersion('apiVersion: koreo.dev/v1beta1\n' + big));
});
