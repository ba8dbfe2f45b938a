import { KubeConfig } from '@kubernetes/client-node';
import { realClock, silentLogger } from '@wharf/client';
import { describe, expect, it } from 'vitest';
import { ALL_CONTROLLERS, resolveControllerManagerOptions } from './options.js';

const kubeConfig = new KubeConfig();

describe('resolveControllerManagerOptions', () => {
  it("gives every controller its defaults (kube-controller-manager's) when nothing is set", () => {
    const r = resolveControllerManagerOptions({ kubeConfig });
    expect([...r.controllers]).toEqual(ALL_CONTROLLERS);
    expect(r).toMatchObject({
      clock: realClock,
      logger: silentLogger,
      leaderElection: {},
      schedulerName: 'default-scheduler',
    });
    expect(r.nodeLifecycle).toEqual({
      monitorPeriodMs: 5000,
      gracePeriodMs: 50_000,
      nodeEvictionRate: 0.1,
      secondaryNodeEvictionRate: 0.01,
      largeClusterSizeThreshold: 50,
      unhealthyZoneThreshold: 0.55,
    });
    expect(r.podGc).toEqual({ checkPeriodMs: 20_000, quarantineMs: 40_000 });
  });

  it('keeps what was set, undefined meaning "the default", and turns the grace period into ms', () => {
    const r = resolveControllerManagerOptions({
      kubeConfig,
      controllers: ['scheduler'],
      leaderElection: false,
      schedulerName: undefined,
      nodeLifecycle: { gracePeriodSeconds: 4, nodeEvictionRate: 0, monitorPeriodMs: undefined },
      podGc: { quarantineMs: 0 },
    });
    expect([...r.controllers]).toEqual(['scheduler']);
    expect(r.leaderElection).toBe(false);
    expect(r.schedulerName).toBe('default-scheduler');
    expect(r.nodeLifecycle).toMatchObject({ gracePeriodMs: 4000, nodeEvictionRate: 0, monitorPeriodMs: 5000 });
    expect(r.podGc).toEqual({ checkPeriodMs: 20_000, quarantineMs: 0 });
  });
});
