// Runs once around the whole e2e run. The suites' temporary directories (data dirs of `wharf up`,
// image layouts, scratch dirs, the shared control plane's) go into one folder of this run's own (TMPDIR, inherited by
// the
// workers and every process they start), so two runs on one machine never remove each other's;
// at the end it is removed, except what is still in use. The test cache stays in the real temp dir.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeNewTempDirs, stopSharedWharf, wharfTempDirs } from '@wharf/testing';

export default function setup(): () => Promise<void> {
  // Set up once per run, even when several projects name this setup.
  if (process.env.WHARF_E2E_RUN_DIR) return async () => undefined;
  const base = tmpdir();
  process.env.WHARF_TEST_CACHE ??= join(base, 'wharf-test-cache');
  const runDir = mkdtempSync(join(base, 'wharf-e2e-run-'));
  chmodSync(runDir, 0o1777); // as /tmp: suites also run Wharf as nobody
  process.env.TMPDIR = runDir;
  process.env.WHARF_E2E_RUN_DIR = runDir;
  const before = new Set(wharfTempDirs());
  return async () => {
    await stopSharedWharf(runDir); // the files' shared control plane (sharedWharf), if one started it
    const kept = removeNewTempDirs(before);
    if (kept.length) console.warn(`e2e: kept ${kept.length} temporary dir(s) still in use: ${kept.join(', ')}`);
    else rmSync(runDir, { recursive: true, force: true });
  };
}
