// `wharf app logs` and `wharf app exec`: the pods of an application's components, read through
// client-node's Log and Exec (the same streams kubectl uses), each log line prefixed with its pod.
import { Transform, type TransformCallback } from 'node:stream';
import type { V1Pod, V1Status } from '@kubernetes/client-node';
import { LABELS } from '@wharf/platform-apps';
import type { Connection } from '../kube/context.js';
import { about, CliError } from '../kube/errors.js';

/** The application's pods (of one component, if given), oldest first. */
export async function appPods(c: Connection, app: string, component?: string): Promise<V1Pod[]> {
  const selector = [`${LABELS.application}=${app}`, ...(component ? [`${LABELS.component}=${component}`] : [])].join(
    ',',
  );
  const list = await about({ verb: 'list', resource: 'pod', namespace: c.namespace }, () =>
    c.client.get<{ items: V1Pod[] }>(
      `/api/v1/namespaces/${c.namespace}/pods?${new URLSearchParams({ labelSelector: selector })}`,
    ),
  );
  return list.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
}

const isReady = (p: V1Pod): boolean =>
  (p.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
/** The container of a component's pod is named after the component. */
const containerOf = (p: V1Pod): string => p.metadata?.labels?.[LABELS.component] ?? p.spec?.containers[0]?.name ?? '';

/** Prefixes every line with `[pod] `, holding a partial line until its end arrives. */
export class LinePrefixer extends Transform {
  private rest = '';
  constructor(private readonly prefix: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.rest + chunk.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    done(null, lines.map((l) => `${this.prefix}${l}\n`).join(''));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.rest ? `${this.prefix}${this.rest}\n` : '');
  }
}

export interface LogOptions {
  component?: string;
  follow?: boolean;
  tail?: number;
}

/** Streams the logs of every pod of the application (or component) to stdout, prefixed by pod. */
export async function streamLogs(c: Connection, app: string, o: LogOptions): Promise<void> {
  const pods = await appPods(c, app, o.component);
  if (!pods.length)
    throw new CliError(
      `application ${app}${o.component ? ` component ${o.component}` : ''} has no pods in namespace ${c.namespace}`,
    );
  const { Log } = await import('@kubernetes/client-node');
  const log = new Log(c.kubeConfig);
  await Promise.all(
    pods.map(async (p) => {
      const name = p.metadata?.name ?? '';
      const prefix = new LinePrefixer(`[${name}] `);
      prefix.pipe(process.stdout, { end: false });
      const finished = new Promise<void>((resolve) => prefix.on('end', resolve));
      try {
        await log.log(c.namespace, name, containerOf(p), prefix, {
          follow: o.follow ?? false,
          ...(o.tail !== undefined ? { tailLines: o.tail } : {}),
        });
      } catch (e) {
        throw new CliError(
          `logs of pod ${name} in namespace ${c.namespace}: ${(e as { body?: string }).body ?? (e as Error).message}`,
        );
      }
      await finished;
    }),
  );
}

/** Runs a command in the first Ready pod of the component; resolves with its exit code. */
export async function execInApp(
  c: Connection,
  app: string,
  component: string | undefined,
  command: string[],
  opts: { stdin: boolean; tty: boolean },
): Promise<number> {
  const pod = (await appPods(c, app, component)).find(isReady);
  if (!pod)
    throw new CliError(
      `application ${app}${component ? ` component ${component}` : ''} has no Ready pod in namespace ${c.namespace}`,
    );
  const { Exec } = await import('@kubernetes/client-node');
  let exitCode = 0;
  const ws = await new Exec(c.kubeConfig).exec(
    c.namespace,
    pod.metadata?.name ?? '',
    containerOf(pod),
    command,
    process.stdout,
    process.stderr,
    opts.stdin ? process.stdin : null,
    opts.tty,
    (s: V1Status) => {
      if (s.status === 'Success') return;
      const code = s.details?.causes?.find((x) => x.reason === 'ExitCode')?.message;
      exitCode = code !== undefined ? Number(code) : 1;
      if (code === undefined) process.stderr.write(`wharf: ${s.message ?? 'exec failed'}\n`);
    },
  );
  await new Promise<void>((resolve) => ws.on('close', () => resolve()));
  return exitCode;
}
