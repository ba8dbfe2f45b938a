import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPodRange, hostRoutes, podRangeOctet, releasePodRange, routeUses } from './pod-range.js';

const made: string[] = [];
const temp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('pod ranges per data dir', () => {
  it('gives 64 data dirs 64 different ranges, and refuses a 65th with the reason', () => {
    const claims = temp('claims-');
    const octets = Array.from({ length: 64 }, () => claimPodRange(temp('dd-'), { claims, routes: [] }));
    expect(new Set(octets).size).toBe(64);
    for (const x of octets) expect(x >= 128 && x < 192).toBe(true);
    expect(() => claimPodRange(temp('dd-'), { claims, routes: [] })).toThrow(
      /every pod range 10\.128-191\.0\.0\/16 is taken/,
    );
  });

  it('keeps a data dir on its range across starts, and podRangeOctet reads it', () => {
    const claims = temp('claims-');
    const dir = temp('dd-');
    const x = claimPodRange(dir, { claims, routes: [] });
    expect(claimPodRange(dir, { claims, routes: [{ network: ((10 << 24) | (x << 16)) >>> 0, bits: 24 }] })).toBe(x);
    expect(podRangeOctet(dir)).toBe(x);
  });

  it('skips a range a route of the host lies in, not one a short route covers', () => {
    const dir = temp('dd-');
    const first = claimPodRange(dir, { claims: temp('claims-'), routes: [] });
    releasePodRange(dir, { claims: temp('claims-') });
    const routes = [
      { network: ((10 << 24) | (first << 16) | (3 << 8)) >>> 0, bits: 24 },
      { network: (10 << 24) >>> 0, bits: 8 },
    ];
    expect(routeUses(first, routes)).toBe(true);
    expect(routeUses(first === 128 ? 129 : 128, [{ network: (10 << 24) >>> 0, bits: 8 }])).toBe(false);
    expect(claimPodRange(dir, { claims: temp('claims-'), routes })).not.toBe(first);
  });

  it('takes over the claim of a data dir that no longer records it, but not a fresh one', () => {
    const claims = temp('claims-');
    const dir = temp('dd-');
    const x = claimPodRange(dir, { claims, routes: [] });
    rmSync(dir, { recursive: true, force: true }); // removed without wharf reset
    const fresh = temp('dd-');
    // The claim is younger than a minute: its owner may still be starting.
    const other = claimPodRange(fresh, { claims, routes: [] });
    releasePodRange(fresh, { claims });
    expect(other).not.toBe(x);
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(claims, `10.${x}`), old, old);
    writeFileSync(join(claims, `10.${other}`), '/nonexistent', { flag: 'w' });
    utimesSync(join(claims, `10.${other}`), old, old);
    const takers = [temp('dd-'), temp('dd-')].map((d) => claimPodRange(d, { claims, routes: [] }));
    expect(new Set(takers).size).toBe(2);
  });

  it('releases the claim on reset, so the range is free again', () => {
    const claims = temp('claims-');
    const dir = temp('dd-');
    const x = claimPodRange(dir, { claims, routes: [] });
    releasePodRange(dir, { claims });
    expect(podRangeOctet(dir)).toBeGreaterThanOrEqual(128);
    expect(claimPodRange(dir, { claims, routes: [] })).toBe(x); // the hash's first choice again
  });

  it('reads /proc/net/route destinations and prefix lengths', () => {
    const table =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'wh1\t0000800A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(hostRoutes(table)).toEqual([
      { network: 0, bits: 0 },
      { network: ((10 << 24) | (128 << 16)) >>> 0, bits: 24 },
    ]);
  });
});
