// The bare repositories on disk (DIR/<namespace>/<name>.git) and what a push changed in them:
// refs read before and after receive-pack, and the author and message of a pushed commit.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const repoDir = (root: string, namespace: string, name: string): string => join(root, namespace, `${name}.git`);

/** Creates the bare repository unless it exists; answers whether it was created. */
export async function ensureBareRepo(dir: string): Promise<boolean> {
  if (existsSync(join(dir, 'HEAD'))) return false;
  await mkdir(dir, { recursive: true });
  await exec('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  return true;
}

export async function listRefs(dir: string): Promise<Map<string, string>> {
  const { stdout } = await exec('git', ['--git-dir', dir, 'for-each-ref', '--format=%(objectname) %(refname)']);
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]),
  );
}

/** Refs that were created, moved or deleted (commit undefined), in ref order. */
export function changedRefs(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): { ref: string; commit?: string }[] {
  const out: { ref: string; commit?: string }[] = [];
  for (const [ref, sha] of after) if (before.get(ref) !== sha) out.push({ ref, commit: sha });
  for (const ref of before.keys()) if (!after.has(ref)) out.push({ ref });
  return out.sort((a, b) => a.ref.localeCompare(b.ref));
}

/** Author ("Name <email>") and full message of a commit (of the commit a tag points to). */
export async function commitInfo(dir: string, sha: string): Promise<{ author: string; message: string }> {
  const { stdout } = await exec('git', ['--git-dir', dir, 'log', '-1', '--format=%an <%ae>%x00%B', `${sha}^{commit}`]);
  const [author = '', message = ''] = stdout.split('\0');
  return { author, message: message.trim() };
}
