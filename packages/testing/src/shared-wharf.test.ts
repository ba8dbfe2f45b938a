import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive, sharedWharf, stopSharedWharf } from './shared-wharf.js';

describe('sharedWharf', () => {
  const saved = process.env.WHARF_E2E_RUN_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.WHARF_E2E_RUN_DIR;
    else process.env.WHARF_E2E_RUN_DIR = saved;
  });

  it('names the way to run when no e2e run dir is set', async () => {
    delete process.env.WHARF_E2E_RUN_DIR;
    await expect(sharedWharf()).rejects.toThrow('run the file with `npx vitest run --project e2e`');
  });

  it('has nothing to stop in a run where no file asked for it', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'shared-wharf-'));
    await expect(stopSharedWharf(runDir)).resolves.toBeUndefined();
    rmSync(runDir, { recursive: true });
  });
});

describe('processAlive', () => {
  it('tells a running process from one that has exited', () => {
    expect(processAlive(process.pid)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    expect(processAlive(exited)).toBe(false);
  });
});
