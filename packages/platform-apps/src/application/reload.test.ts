import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Application } from '../types.js';
import { LABELS } from '../types.js';
import { exitCodeOf } from './exec.js';
import { planReloads } from './reload.js';

const app = (reload: object): Application =>
  ({
    apiVersion: 'platform.wharf.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'demo' },
    spec: {
      components: [
        {
          name: 'web',
          runtime: { image: 'busybox:1' },
          config: [{ configSet: 'files', as: 'file', mountPath: '/conf', update: 'inPlace', reload }],
        },
      ],
    },
  }) as Application;

const pod = (name: string, ready: boolean): V1Pod => ({
  metadata: { name, labels: { [LABELS.component]: 'web' } },
  status: { podIP: '10.1.0.7', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('planReloads', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  const changed = [{ configSet: 'files', version: 2 }];

  it("waits delaySeconds after the change, then calls every Ready pod: HTTP by URL, exec in the component's container", () => {
    const http = app({ httpGet: { path: '/reload', port: 8080 }, delaySeconds: 3 });
    const first = planReloads(http, [], changed, [pod('a', true)], now);
    expect(first).toEqual({
      pending: [{ configSet: 'files', version: 2, at: '2026-12-05T10:00:03.000Z' }],
      due: [],
      recheckMs: 3000,
    });
    expect(planReloads(http, first.pending, [], [pod('a', true), pod('b', false)], now + 3000).due).toEqual([
      { configSet: 'files', version: 2, calls: [{ pod: 'a', url: 'http://10.1.0.7:8080/reload' }] },
    ]);

    const exec = app({ exec: { command: ['sh', '-c', 'kill -HUP 1'] }, delaySeconds: 0 });
    expect(planReloads(exec, [], changed, [pod('a', true), pod('b', true)], now).due).toEqual([
      {
        configSet: 'files',
        version: 2,
        calls: [
          { pod: 'a', container: 'web', command: ['sh', '-c', 'kill -HUP 1'] },
          { pod: 'b', container: 'web', command: ['sh', '-c', 'kill -HUP 1'] },
        ],
      },
    ]);
  });
});

describe('exitCodeOf', () => {
  it('reads the exit code a finished exec reports', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    expect(
      exitCodeOf({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      }),
    ).toBe(3);
    expect(exitCodeOf({ status: 'Failure', message: 'container not found' })).toBeUndefined();
  });
});
