import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeStore, type ContainerRecord, type SandboxRecord } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'wharf-store-'));
  dirs.push(d);
  return d;
}

const sandbox = (id: string): SandboxRecord => ({
  id,
  config: { uid: `uid-${id}`, name: id, namespace: 'default' },
  state: 'ready',
  netnsName: id,
  ip: '10.88.0.2',
  createdAt: '2026-12-06T10:00:00Z',
  logDir: `/logs/${id}`,
});

const container = (sandboxId: string, name: string): ContainerRecord => ({
  id: `${sandboxId}-${name}-0`,
  sandboxId,
  name,
  attempt: 0,
  createdAt: '2026-12-06T10:00:01Z',
  logPath: `/logs/${sandboxId}/${name}/0.log`,
  cgroupsPath: `/wharf/${sandboxId}-${name}-0`,
  config: { name, rootfs: '/images/busybox', args: ['sleep', '3600'] },
});

async function write(store: RuntimeStore, s: SandboxRecord, cs: ContainerRecord[]): Promise<void> {
  mkdirSync(store.sandboxDir(s.id), { recursive: true });
  await store.writeSandbox(s);
  for (const c of cs) {
    mkdirSync(store.containerDir(c.id), { recursive: true });
    await store.writeContainer(c);
  }
}

describe('RuntimeStore', () => {
  it("writes every change through, so a restarted agent's store loads the same records from disk", async () => {
    const dir = stateDir();
    const a = new RuntimeStore(dir);
    await a.init();
    await write(a, sandbox('s1'), [container('s1', 'app'), container('s1', 'side')]);
    await write(a, sandbox('s2'), [container('s2', 'app')]);
    await a.writeSandbox({ ...sandbox('s2'), state: 'notready' });

    const b = new RuntimeStore(dir);
    await b.init();
    expect((await b.sandboxRecords()).map((s) => [s.id, s.state]).sort()).toEqual([
      ['s1', 'ready'],
      ['s2', 'notready'],
    ]);
    expect((await b.containerRecords('s1')).map((c) => c.name).sort()).toEqual(['app', 'side']);
    expect(await b.readContainer('s2-app-0')).toEqual(container('s2', 'app'));
    expect(JSON.parse(readFileSync(path.join(b.sandboxDir('s2'), 'sandbox.json'), 'utf8')).state).toBe('notready');
  });

  it('answers from memory once loaded: a record removed from disk behind its back is still known until forgotten', async () => {
    const store = new RuntimeStore(stateDir());
    await store.init();
    await write(store, sandbox('s1'), [container('s1', 'app')]);
    rmSync(store.containerDir('s1-app-0'), { recursive: true });
    expect(await store.readContainer('s1-app-0')).toBeDefined();
    store.forgetContainer('s1-app-0');
    store.forgetSandbox('s1');
    expect(await store.readContainer('s1-app-0')).toBeUndefined();
    expect(await store.readSandbox('s1')).toBeUndefined();
    expect(await store.containerRecords()).toEqual([]);
  });

  it("lists only a sandbox's own containers, not those of a sandbox whose id it prefixes", async () => {
    const store = new RuntimeStore(stateDir());
    await store.init();
    await write(store, sandbox('s1'), [container('s1', 'app')]);
    await write(store, sandbox('s1-x'), [container('s1-x', 'app')]);
    expect((await store.containerRecords('s1')).map((c) => c.id)).toEqual(['s1-app-0']);
  });

  it('reads records from disk when never init()ed (another reader of the state dir)', async () => {
    const dir = stateDir();
    const writer = new RuntimeStore(dir);
    await writer.init();
    const reader = new RuntimeStore(dir);
    await write(writer, sandbox('s1'), [container('s1', 'app')]);
    expect((await reader.readSandbox('s1'))?.ip).toBe('10.88.0.2');
    expect((await reader.containerRecords('s1')).map((c) => c.id)).toEqual(['s1-app-0']);
  });
  it("keeps an earlier build's layout while it has pods (their conmons' files cannot move), and uses run/ after", async () => {
    const dir = stateDir();
    // What the build before run/ left: records beside runc/ and cni/, the root filesystem in the container's dir.
    const old = sandbox('s1');
    mkdirSync(path.join(dir, 'sandboxes', 's1'), { recursive: true });
    writeFileSync(path.join(dir, 'sandboxes', 's1', 'sandbox.json'), JSON.stringify(old));
    const c = container('s1', 'app');
    mkdirSync(path.join(dir, 'containers', c.id, 'upper'), { recursive: true });
    writeFileSync(path.join(dir, 'containers', c.id, 'container.json'), JSON.stringify(c));

    const store = new RuntimeStore(dir);
    await store.init();
    expect(store.legacy).toBe(true);
    expect(store.runcRoot).toBe(path.join(dir, 'runc'));
    expect(store.layerDir(c.id)).toBe(path.join(dir, 'containers', c.id));
    expect(store.dirs).not.toContain(store.layersDir);
    expect((await store.sandboxRecords()).map((s) => s.id)).toEqual(['s1']);
    expect(await store.readContainer(c.id)).toEqual(c);

    // Its pods gone, the next agent's store lays out run/ and layers/.
    rmSync(path.join(dir, 'sandboxes', 's1'), { recursive: true });
    rmSync(path.join(dir, 'containers', c.id), { recursive: true });
    const next = new RuntimeStore(dir);
    expect(next.legacy).toBe(false);
    expect(next.runcRoot).toBe(path.join(dir, 'run', 'runc'));
    expect(next.layerDir(c.id)).toBe(path.join(dir, 'layers', c.id));
  });
});
