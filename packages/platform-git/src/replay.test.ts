import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryLog } from './replay.js';

describe('delivery log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-replay-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a delivery id seen before, also after a restart, per repository', () => {
    const file = join(dir, 'deliveries.json');
    const log = new DeliveryLog(file);
    expect(log.accept('ns/a', 'd1')).toBe(true);
    expect(log.accept('ns/a', 'd1')).toBe(false);
    expect(log.accept('ns/b', 'd1')).toBe(true);
    const again = new DeliveryLog(file);
    expect(again.accept('ns/a', 'd1')).toBe(false);
    expect(again.accept('ns/a', 'd2')).toBe(true);
  });

  it('keeps the newest ids only', () => {
    const log = new DeliveryLog(join(dir, 'small.json'), 2);
    log.accept('r', '1');
    log.accept('r', '2');
    log.accept('r', '3');
    expect(log.accept('r', '1')).toBe(true);
    expect(log.accept('r', '3')).toBe(false);
  });
});
