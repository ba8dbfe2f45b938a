// A command run in a pod's container through the API (pods/exec over WebSocket, as kubectl 1.32
// does), for exec reloads: answers the command's exit code; its output is dropped.
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';

/** The exit code a finished exec's Status carries (0 on Success), or undefined when it says none. */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const code = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
  return Number.isInteger(code) ? code : undefined;
}

export function execInPods(kubeConfig: KubeConfig, timeoutMs = 30_000) {
  return (namespace: string, pod: string, container: string, command: readonly string[]): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
      const timer = setTimeout(
        () => reject(new Error(`the command did not finish within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        fn();
      };
      new Exec(kubeConfig)
        .exec(namespace, pod, container, [...command], discard, discard, null, false, (status) => {
          const code = exitCodeOf(status);
          settle(() => (code === undefined ? reject(new Error(status.message ?? 'exec failed')) : resolve(code)));
        })
        .catch((e: unknown) => settle(() => reject(e as Error)));
    });
}
