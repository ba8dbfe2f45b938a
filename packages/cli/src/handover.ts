// How a running dataplane hands its listening sockets to the dataplane of a newer build, so an
// upgrade of Wharf upgrades cluster DNS and the Ingress gateway without refusing a connection or
// dropping a query. The old process starts the new one with an IPC channel (the only way Node
// passes a socket to another process) and answers its requests for listeners by name; the new one
// serves on them, says so, and the old one stops accepting, lets its requests finish and exits.
import { spawn } from 'node:child_process';
import type { InheritedListeners, ListenerHandle } from '@wharf/node';

type Message =
  | { readonly type: 'want'; readonly name: string }
  | { readonly type: 'handle' | 'none'; readonly name: string }
  | { readonly type: 'serving' };

/** Set in the successor's environment: it takes its listeners from its parent. */
export const HANDOVER_ENV = 'WHARF_DATAPLANE_HANDOVER';

/** In the successor: true when it was started to take over from a running dataplane. */
export function takingOver(): boolean {
  return process.env[HANDOVER_ENV] === '1' && typeof process.send === 'function';
}

/** In the successor: the listeners its parent hands over, asked for one at a time. */
export function inheritedFromParent(): InheritedListeners {
  const waiting = new Map<
    string,
    { use: (h: ListenerHandle) => void; resolve: () => void; reject: (e: Error) => void }
  >();
  process.on('message', (m: Message, handle?: ListenerHandle) => {
    if (m.type === 'serving' || m.type === 'want') return;
    const w = waiting.get(m.name);
    if (!w) return;
    waiting.delete(m.name);
    if (m.type === 'handle' && handle) {
      w.use(handle);
      w.resolve();
    } else w.reject(new Error(`the running dataplane has no ${m.name} listener to hand over`));
  });
  return {
    take: (name, use) =>
      new Promise((resolve, reject) => {
        waiting.set(name, { use, resolve, reject });
        process.send?.({ type: 'want', name } satisfies Message);
      }),
  };
}

/** In the successor, once it serves: tells its parent, and lets go of the channel. */
export function tellServing(): void {
  process.send?.({ type: 'serving' } satisfies Message, () => process.disconnect?.());
}

/**
 * In the running dataplane: starts `command args` detached (its output to `logFd`) and hands it
 * `listeners` as it asks for them; resolves when it serves, rejects (and kills it) when it exits
 * first or does not serve within `timeoutMs`.
 */
export function handOver(
  command: string,
  args: readonly string[],
  logFd: number,
  listeners: Record<string, ListenerHandle>,
  timeoutMs: number,
): Promise<number> {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: { ...process.env, [HANDOVER_ENV]: '1' },
  });
  return new Promise<number>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`the new dataplane did not serve within ${timeoutMs} ms`), timeoutMs);
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code) => fail(`the new dataplane exited with ${code} before it served`));
    child.on('message', (m: Message) => {
      if (m.type === 'want') {
        const h = listeners[m.name];
        if (h) child.send({ type: 'handle', name: m.name } satisfies Message, h);
        else child.send({ type: 'none', name: m.name } satisfies Message);
      } else if (m.type === 'serving') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.unref();
        child.channel?.unref();
        resolve(child.pid ?? -1);
      }
    });
  });
}
