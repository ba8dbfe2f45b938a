import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './wharf-process.js';

describe('freePort', () => {
  const saved = process.env.WHARF_TEST_PORTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.WHARF_TEST_PORTS;
    else process.env.WHARF_TEST_PORTS = saved;
  });

  it('never hands out one port twice in a run, though each pick lets its port go', async () => {
    process.env.WHARF_TEST_PORTS = '27950-27952';
    const ports = [await freePort(), await freePort(), await freePort()];
    expect(new Set(ports).size).toBe(3);
    await expect(freePort()).rejects.toThrow('no free port in WHARF_TEST_PORTS=27950-27952');
  });

  it('hands out distinct ports below the ephemeral range, where no outgoing connection takes them meanwhile', async () => {
    delete process.env.WHARF_TEST_PORTS;
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p).toBeLessThan(low);
    }
  });
});
