import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { hasStarted } from './started.js';

const pod = (statuses?: unknown[]): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1' },
    ...(statuses ? { status: { containerStatuses: statuses } } : {}),
  }) as KubeObject;

describe("whether a pod's container has started (its log can be followed)", () => {
  it('is false while the pod is unscheduled or the container waits, true once it runs or ran', () => {
    expect(hasStarted(pod(), 'web')).toBe(false);
    expect(hasStarted(pod([{ name: 'web', state: { waiting: { reason: 'ContainerCreating' } } }]), 'web')).toBe(false);
    expect(hasStarted(pod([{ name: 'web', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }]), 'web')).toBe(
      true,
    );
    expect(hasStarted(pod([{ name: 'web', state: { terminated: { exitCode: 0 } } }]), 'web')).toBe(true);
    // Waiting to restart after a crash: the previous run's log is there.
    expect(
      hasStarted(
        pod([
          {
            name: 'web',
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1 } },
          },
        ]),
        'web',
      ),
    ).toBe(true);
  });

  it('looks at the named container only', () => {
    expect(
      hasStarted(
        pod([
          { name: 'sidecar', state: { running: {} } },
          { name: 'web', state: { waiting: {} } },
        ]),
        'web',
      ),
    ).toBe(false);
  });
});
