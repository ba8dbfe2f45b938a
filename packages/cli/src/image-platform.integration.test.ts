// The platform image's layer tree, made from the built CLI (npm run build first): ~45 MB copied.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platformTree } from './image-platform.js';

describe("the platform image's layer tree", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-platform-tree-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the in-cluster commands from /opt/wharf with nothing from the repository', () => {
    // The built CLI modules are what the image copies (the tree is made from dist/).
    if (!existsSync(join(import.meta.dirname, '..', 'dist', 'platform-main.js')))
      throw new Error('build first: npm run build');
    platformTree(dir);
    expect(readFileSync(join(dir, 'usr/local/bin/wharf'), 'utf8')).toBe(
      '#!/bin/sh\nexec node /opt/wharf/cli/dist/platform-main.js "$@"\n',
    );
    const help = execFileSync(process.execPath, [join(dir, 'opt/wharf/cli/dist/platform-main.js'), '--help'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(help).toMatch(/node-problem-detector[\s\S]*remediation-controller[\s\S]*notify-gateway/);
    // The packages load from the copy (a missing dependency would throw here).
    execFileSync(
      process.execPath,
      [
        '-e',
        "Promise.all(['@wharf/platform-npd','@wharf/platform-notify'].map((p)=>import(p))).catch((e)=>{console.error(e.message);process.exit(1)})",
      ],
      { cwd: join(dir, 'opt/wharf/cli/dist') },
    );
    // Modules reached only through dynamic imports or nested folders are copied too.
    for (const m of ['in-cluster.js', 'kube/options.js', 'kube/errors.js'])
      expect(existsSync(join(dir, 'opt/wharf/cli/dist', m)), m).toBe(true);
    expect(existsSync(join(dir, 'opt/wharf/cli/dist/main.js'))).toBe(false);
    expect(existsSync(join(dir, 'opt/wharf/node_modules/@wharf/apiserver'))).toBe(false);
  }, 60_000);
});
