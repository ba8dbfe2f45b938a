// The terminal of a running TTY container: the pseudo-terminal `script` gave `runc run` (see
// shim.ts), found through /proc from the shim's pid (shim → script → runc's stdin). Setting its
// size signals runc (SIGWINCH), which copies the size to the container's console.
import { spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';

/** The pts that runc, under script under the shim `shimPid`, has as stdin; undefined when there is none. */
export async function shimTerminal(shimPid: number): Promise<string | undefined> {
  const [script] = await children(shimPid);
  const [runc] = script ? await children(script) : [];
  const tty = runc ? await readlink(`/proc/${runc}/fd/0`).catch(() => '') : '';
  return tty.startsWith('/dev/pts/') ? tty : undefined;
}

/** `stty -F <tty> rows <height> cols <width>`; resolves when stty is done (errors ignored: the container may be gone). */
export function setTerminalSize(tty: string, width: number, height: number): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('stty', ['-F', tty, 'rows', String(Math.floor(height)), 'cols', String(Math.floor(width))], { stdio: 'ignore' });
    p.once('error', () => resolve());
    p.once('exit', () => resolve());
  });
}

async function children(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}
