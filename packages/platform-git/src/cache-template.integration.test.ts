// The wharf-cache Task's script (deploy/pipelines/templates/cache.yaml) run by a real /bin/sh on
// real directories, as its step runs it: the key follows the lockfile's content, restore after
// save brings the files back, an entry is not rewritten, and entries least recently used go once
// the cache is over its size limit.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const task = parse(
  readFileSync(new URL('../../../deploy/pipelines/templates/cache.yaml', import.meta.url), 'utf8'),
) as { spec: { steps: { script: string }[] } };
const work = mkdtempSync(join(tmpdir(), 'wharf-cache-task-'));
const script = join(work, 'cache.sh');
writeFileSync(script, task.spec.steps[0]!.script);

/** One run of the step: `mode` in the source dir `src`, the cache workspace at `cache`. */
async function step(mode: string, src: string, cache: string, keyFiles: string[], paths: string[], maxMb = '1') {
  const results = mkdtempSync(join(work, 'results-'));
  const env = {
    PATH: process.env.PATH,
    MODE: mode,
    PREFIX: 'npm',
    MAX_MB: maxMb,
    ROOT: join(cache, 'keyed'),
    KEY_RESULT: join(results, 'key'),
    HIT_RESULT: join(results, 'hit'),
  };
  const out = await run('/bin/sh', [script, ...keyFiles, '--', ...paths], { cwd: src, env }).catch(
    (e: { stdout: string; code: number }) => ({ stdout: `${e.stdout}exit ${e.code}` }),
  );
  const result = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  return { log: out.stdout, key: result(env.KEY_RESULT), hit: result(env.HIT_RESULT) };
}

function source(name: string, lock: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules', 'greet'), { recursive: true });
  writeFileSync(join(dir, 'package-lock.json'), lock);
  writeFileSync(join(dir, 'node_modules', 'greet', 'index.js'), `module.exports = ${JSON.stringify(lock)};\n`);
  return dir;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the wharf-cache Task', () => {
  const cache = join(work, 'cache');

  it('misses, saves after the build, then restores into a fresh clone with the same lockfile', async () => {
    const first = source('one', '{"v":1}');
    const miss = await step('restore', first, cache, ['package-lock.json'], ['node_modules']);
    expect(miss.hit).toBe('false');
    expect(miss.key).toMatch(/^npm-[0-9a-f]{32}$/);
    expect(miss.log).toContain(`cache: no entry ${miss.key}`);
    const saved = await step('save', first, cache, ['package-lock.json'], ['node_modules', 'dist']);
    expect(saved.log).toMatch(new RegExp(`cache: saved ${saved.key} \\(\\d+ KB\\)`));
    expect(saved.key).toBe(miss.key);

    const clone = join(work, 'clone');
    mkdirSync(clone);
    writeFileSync(join(clone, 'package-lock.json'), '{"v":1}');
    const hit = await step('restore', clone, cache, ['package-lock.json'], ['node_modules']);
    expect(hit.hit).toBe('true');
    expect(readFileSync(join(clone, 'node_modules', 'greet', 'index.js'), 'utf8')).toBe(
      'module.exports = "{\\"v\\":1}";\n',
    );
    // Same lockfile, same entry: not written again.
    expect((await step('save', clone, cache, ['package-lock.json'], ['node_modules'])).log).toContain(
      'is there already',
    );
  });

  it('keys by content: another lockfile misses', async () => {
    const other = source('two', '{"v":2}');
    const r = await step('restore', other, cache, ['package-lock.json'], ['node_modules']);
    expect(r.hit).toBe('false');
    expect(existsSync(join(cache, 'keyed', r.key))).toBe(false);
  });

  it('evicts the least recently used entries past the size limit, never the one just saved', async () => {
    const big = (name: string, lock: string) => {
      const dir = source(name, lock);
      writeFileSync(join(dir, 'node_modules', 'blob'), Buffer.alloc(400 * 1024, 1));
      return dir;
    };
    const keys: string[] = [];
    for (const [i, lock] of ['{"a":1}', '{"b":1}'].entries()) {
      keys.push((await step('save', big(`big-${i}`, lock), cache, ['package-lock.json'], ['node_modules'])).key);
      // Stamps in the past, in order: a is the least recently used.
      utimesSync(join(cache, 'keyed', `${keys[i]}.used`), 1_000 + i, 1_000 + i);
    }
    // The first entry ({"v":1}) was used last of the old ones: restore it now, so it is kept.
    await step('restore', source('again', '{"v":1}'), cache, ['package-lock.json'], ['node_modules']);
    const third = await step('save', big('big-2', '{"c":1}'), cache, ['package-lock.json'], ['node_modules']);
    expect(third.log).toContain(`cache: evicted ${keys[0]}`);
    const left = readdirSync(join(cache, 'keyed')).filter((f) => !f.endsWith('.used'));
    expect(left).toContain(third.key);
    expect(left).not.toContain(keys[0]);
    const du = (await run('du', ['-sk', join(cache, 'keyed')])).stdout;
    expect(Number(du.split('\t')[0])).toBeLessThanOrEqual(1024);
  });

  it('fails with one line on a missing key file or a wrong mode', async () => {
    const dir = source('bad', '{}');
    expect((await step('restore', dir, cache, ['pom.xml'], ['target'])).log).toContain('cache: no key file pom.xml');
    expect((await step('upload', dir, cache, ['package-lock.json'], ['node_modules'])).log).toContain(
      'cache: mode must be restore or save, not upload',
    );
  });
});
