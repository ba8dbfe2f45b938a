import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PodProbes } from './pod-probes.js';

// resume() reads only the pod and the listed containers; the runtime and events are never touched.
const probes = (): PodProbes =>
  new PodProbes({ runtime: undefined as never, events: undefined as never, onChange: () => undefined });
const pod = (statuses: NonNullable<V1Pod['status']>['containerStatuses']): V1Pod => ({
  status: { containerStatuses: statuses },
});
const status = (
  id: string,
  ready: boolean,
  started = true,
): NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number] => ({
  name: 'web',
  image: 'busybox:1',
  imageID: '',
  restartCount: 0,
  containerID: `runc://${id}`,
  ready,
  started,
  state: { running: { startedAt: new Date() } },
});

describe('PodProbes.resume', () => {
  it('keeps a container that was reported ready and started ready after an agent restart', () => {
    const p = probes();
    p.resume(pod([status('c1', true)]), [{ id: 'c1', state: 'running' }]);
    expect(p.ready('c1')).toBe(true);
    expect(p.started('c1')).toBe(true);
  });

  it('takes nothing over for containers that are no longer running, or were reported unready', () => {
    const p = probes();
    p.resume(pod([status('gone', true), status('unready', false, false)]), [
      { id: 'gone', state: 'exited' },
      { id: 'unready', state: 'running' },
    ]);
    expect(p.ready('gone')).toBe(false);
    expect(p.ready('unready')).toBe(false);
    expect(p.started('unready')).toBe(false);
  });

  it("reads a container's reported state once, so a later status never overrides its probes", () => {
    const p = probes();
    p.resume(pod([status('c1', false)]), [{ id: 'c1', state: 'running' }]);
    p.resume(pod([status('c1', true)]), [{ id: 'c1', state: 'running' }]);
    expect(p.ready('c1')).toBe(false);
  });
});
