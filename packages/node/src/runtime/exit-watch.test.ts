// ExitWatch on a real directory (inotify through fs.watch): an exit file written by conmon (here:
// by the test) reports the container's sandbox at once; unwatched or closed, nothing is reported.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@wharf/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitWatch } from './exit-watch.js';

describe('ExitWatch', () => {
  let dir: string;
  let watch: ExitWatch;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wharf-exit-watch-'));
    watch = new ExitWatch();
  });
  afterEach(async () => {
    watch.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the sandbox of a container whose exit file appears', async () => {
    const seen: string[] = [];
    watch.subscribe((sid) => seen.push(sid));
    watch.watch(dir, 'wharf-0123');
    watch.watch(dir, 'wharf-0123'); // idempotent: one watch, one report per change
    expect(watch.size).toBe(1);
    await writeFile(path.join(dir, 'wharf-0123-app-0'), '137');
    await eventually(() => (seen.length > 0 ? true : undefined), 5_000, 'the exit reported');
    expect(new Set(seen)).toEqual(new Set(['wharf-0123']));
  });

  it('reports nothing once unwatched or unsubscribed; a missing dir is skipped', async () => {
    const seen: string[] = [];
    const unsubscribe = watch.subscribe((sid) => seen.push(sid));
    watch.watch(path.join(dir, 'missing'), 'wharf-gone');
    expect(watch.size).toBe(0);
    watch.watch(dir, 'wharf-1');
    watch.unwatch(dir);
    await writeFile(path.join(dir, 'a'), '0');
    watch.watch(dir, 'wharf-1');
    unsubscribe();
    await writeFile(path.join(dir, 'b'), '0');
    // A reported event arrives within a few ms (first test); give it ample time to show up wrongly.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
  });
});
