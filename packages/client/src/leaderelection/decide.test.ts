import { Writable } from 'node:stream';
import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiError, type KubeClient } from '../client.js';
import type { Clock } from '../clock.js';
import { decideLeadership, microTime } from './decide.js';
import { createLogger } from '../log.js';
import { LeaderElector, resolveLeaderElectorOptions } from './elector.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const cfg = { namespace: 'kube-system', name: 'wharf-controller-manager', identity: 'me', leaseDurationSeconds: 15 };

function lease(holder: string, renewAt: number, rv = '7'): V1Lease {
  return {
    metadata: { name: cfg.name, namespace: cfg.namespace, resourceVersion: rv },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      renewTime: microTime(renewAt),
      acquireTime: microTime(T0 - 60_000),
      leaseTransitions: 2,
    },
  };
}

describe('decideLeadership', () => {
  it('creates the Lease when there is none', () => {
    const d = decideLeadership(undefined, cfg, T0);
    expect(d).toMatchObject({
      type: 'create',
      lease: {
        metadata: { name: 'wharf-controller-manager', namespace: 'kube-system' },
        spec: { holderIdentity: 'me', leaseDurationSeconds: 15, leaseTransitions: 0 },
      },
    });
    expect(String(d.type === 'create' && d.lease.spec?.renewTime)).toBe('2025-01-01T00:00:00.000000Z');
  });

  it('waits while another holder renewed within the lease duration', () => {
    expect(decideLeadership(lease('other', T0 - 14_000), cfg, T0)).toEqual({
      type: 'wait',
      holder: 'other',
      expiresAt: T0 + 1_000,
    });
  });

  it('takes over an expired Lease with a CAS on its resourceVersion and counts the transition', () => {
    const d = decideLeadership(lease('other', T0 - 15_001), cfg, T0);
    expect(d).toMatchObject({
      type: 'update',
      takeover: true,
      lease: { metadata: { resourceVersion: '7' }, spec: { holderIdentity: 'me', leaseTransitions: 3 } },
    });
    expect(String(d.type === 'update' && d.lease.spec?.acquireTime)).toBe(String(microTime(T0)));
  });

  it('takes over a released Lease at once', () => {
    expect(
      decideLeadership({ ...lease('', T0), spec: { ...lease('', T0).spec, leaseDurationSeconds: 1 } }, cfg, T0),
    ).toMatchObject({ type: 'update', takeover: true });
  });

  it('renews its own Lease, keeping acquireTime and transitions', () => {
    const d = decideLeadership(lease('me', T0 - 2_000), cfg, T0);
    expect(d).toMatchObject({
      type: 'update',
      takeover: false,
      lease: { spec: { holderIdentity: 'me', leaseTransitions: 2, acquireTime: microTime(T0 - 60_000) } },
    });
  });
});

function fakeClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = T0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.add(t);
      return t;
    },
    clearTimeout: (h) => void timers.delete(h as { at: number; fn: () => void }),
    async advance(ms) {
      const end = now + ms;
      while (now < end) {
        now = Math.min(end, now + 100);
        for (const t of [...timers]) {
          if (t.at > now) continue;
          timers.delete(t);
          t.fn();
        }
        for (let i = 0; i < 5; i++) await flush();
      }
    },
  };
}

/** One Lease in memory with the API server's resourceVersion check; `down` cuts a client off. */
class FakeLeases {
  lease: V1Lease | undefined;
  private rv = 1;
  client(down: { value: boolean }): Pick<KubeClient, 'get' | 'create' | 'replace'> {
    const check = (): void => {
      if (down.value) throw new Error('connection refused');
    };
    const self = this as FakeLeases;
    return {
      get: async <T>(): Promise<T> => {
        check();
        if (!self.lease)
          throw new ApiError({
            method: 'PUT',
            path: 'lease',
            status: 404,
            body: JSON.stringify({ reason: 'NotFound', message: 'not found' }),
          });
        return structuredClone(self.lease) as T;
      },
      create: async <T>(_p: string, body: unknown): Promise<T> => {
        check();
        if (self.lease)
          throw new ApiError({
            method: 'PUT',
            path: 'lease',
            status: 409,
            body: JSON.stringify({ reason: 'AlreadyExists', message: 'exists' }),
          });
        self.lease = {
          ...(body as V1Lease),
          metadata: { ...(body as V1Lease).metadata, resourceVersion: String(++self.rv) },
        };
        return structuredClone(self.lease) as T;
      },
      replace: async <T>(_p: string, body: unknown): Promise<T> => {
        check();
        const b = body as V1Lease;
        if (b.metadata?.resourceVersion !== self.lease?.metadata?.resourceVersion)
          throw new ApiError({
            method: 'PUT',
            path: 'lease',
            status: 409,
            body: JSON.stringify({ reason: 'Conflict', message: 'stale' }),
          });
        self.lease = { ...b, metadata: { ...b.metadata, resourceVersion: String(++self.rv) } };
        return structuredClone(self.lease) as T;
      },
    };
  }
}

describe('LeaderElector', () => {
  it('lets one of two candidates lead; the other takes over only after the lease expires', async () => {
    const clock = fakeClock();
    const store = new FakeLeases();
    const aDown = { value: false };
    const log: string[] = [];
    const elector = (id: string, down: { value: boolean }): LeaderElector =>
      new LeaderElector({
        client: store.client(down),
        identity: id,
        clock,
        onStartedLeading: () => void log.push(`${id} start`),
        onStoppedLeading: () => void log.push(`${id} stop`),
      });
    const a = elector('a', aDown);
    const b = elector('b', { value: false });
    expect(await a.start()).toBe(true);
    expect(await b.start()).toBe(false);
    await clock.advance(20_000);
    expect([a.leading, b.leading]).toEqual([true, false]);
    const renewed = String(store.lease?.spec?.renewTime);

    // a's API connection dies: it steps down after renewDeadline (10 s, noticed at its next
    // attempt); b waits until renewTime + 15 s.
    aDown.value = true;
    await clock.advance(9_000);
    expect([a.leading, b.leading]).toEqual([true, false]);
    await clock.advance(4_000);
    expect(a.leading).toBe(false);
    await clock.advance(1_000);
    expect(b.leading).toBe(false);
    await clock.advance(2_000);
    expect(b.leading).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe('b');
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    expect(Date.parse(String(store.lease?.spec?.renewTime)) - Date.parse(renewed)).toBeGreaterThanOrEqual(15_000);
    expect(log).toEqual(['a start', 'a stop', 'b start']);

    // A leader that stops releases the Lease: a candidate takes over at its next retry.
    aDown.value = false;
    await clock.advance(2_000);
    expect(a.leading).toBe(false);
    await b.stop();
    expect(store.lease?.spec?.holderIdentity).toBe('');
    await clock.advance(2_100);
    expect(a.leading).toBe(true);
    await a.stop();
  });
});

describe('LeaderElector logging', () => {
  it('logs a lost connection at warn with the error, and a start callback that throws at error', async () => {
    const lines: { level: number; msg: string; err?: { message: string } }[] = [];
    const logger = createLogger({
      destination: new Writable({
        write: (chunk: Buffer, _e, done) => {
          lines.push(JSON.parse(chunk.toString()));
          done();
        },
      }),
    });
    const clock = fakeClock();
    const store = new FakeLeases();
    const down = { value: true };
    const elector = new LeaderElector({
      client: store.client(down),
      identity: 'a',
      clock,
      logger,
      onStartedLeading: () => {
        throw new Error('boom');
      },
      onStoppedLeading: () => undefined,
    });
    expect(await elector.start()).toBe(false);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'leader election: lease update failed',
        err: expect.objectContaining({ message: 'connection refused' }),
      }),
    ]);
    down.value = false;
    await clock.advance(2_000);
    expect(elector.leading).toBe(true);
    expect(lines.at(-1)).toEqual(
      expect.objectContaining({
        level: 50,
        msg: 'leader election: start callback failed',
        err: expect.objectContaining({ message: 'boom' }),
      }),
    );
    await elector.stop();
  });
});

describe('resolveLeaderElectorOptions', () => {
  it('applies every default once and keeps what was given, even beside undefined', () => {
    const r = resolveLeaderElectorOptions({
      client: new FakeLeases().client({ value: false }),
      renewIntervalMs: 500,
      retryIntervalMs: undefined,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    });
    expect(r).toMatchObject({
      namespace: 'kube-system',
      name: 'wharf-controller-manager',
      leaseDurationSeconds: 15,
      renewIntervalMs: 500,
      retryIntervalMs: 2000,
      renewDeadlineMs: 10_000,
    });
    expect(r.identity).toMatch(/_\d+-[0-9a-f-]{36}$/);
  });
});
