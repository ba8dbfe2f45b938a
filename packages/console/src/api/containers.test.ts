import { describe, expect, it } from 'vitest';
import { containerPatch, fromEnvRows, fromResourceForm, toEnvRows, toResourceForm, type EnvVar } from './containers.js';

describe('environment variables as form rows', () => {
  it('round-trips plain values and ConfigMap and Secret keys, and keeps sources the form does not edit', () => {
    const env: EnvVar[] = [
      { name: 'GREETING', value: 'hello' },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    const rows = toEnvRows(env);
    expect(rows.map((r) => r.source)).toEqual(['value', 'configMap', 'secret', 'other']);
    expect(rows[1]).toMatchObject({ value: 'settings', key: 'mode' });
    expect(fromEnvRows(rows)).toEqual(env);
  });
});

describe('resources as a form', () => {
  it('sets and removes CPU and memory, keeping other resources and dropping emptied lists', () => {
    const was = { requests: { cpu: '100m', 'ephemeral-storage': '1Gi' }, limits: { memory: '64Mi' } };
    const form = toResourceForm(was);
    expect(form).toEqual({ requests: { cpu: '100m', memory: '' }, limits: { cpu: '', memory: '64Mi' } });
    const out = fromResourceForm(
      { requests: { cpu: ' 250m ', memory: '128Mi' }, limits: { cpu: '', memory: '' } },
      was,
    );
    expect(out).toEqual({ requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '1Gi' } });
  });
});

describe('containerPatch', () => {
  const containers = [{ name: 'web', image: 'busybox:1', env: [{ name: 'A', value: 'b' }] }, { name: 'side' }];

  it("sets one field of one container, guarded by the container's name", () => {
    expect(containerPatch(containers, 1, 'image', 'busybox:2')).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/1/name', value: 'side' },
      { op: 'add', path: '/spec/template/spec/containers/1/image', value: 'busybox:2' },
    ]);
  });

  it('removes a field emptied, and sends only the guard when there was nothing to remove', () => {
    expect(containerPatch(containers, 0, 'env', [])[1]).toEqual({
      op: 'remove',
      path: '/spec/template/spec/containers/0/env',
    });
    expect(containerPatch(containers, 1, 'resources', {})).toHaveLength(1);
  });
});
