// `wharf notify-gateway` runs the notification gateway (@wharf/platform-notify) against any
// cluster's kubeconfig; `wharf alerts` reads and silences alerts through Alertmanager's API v2,
// test-sends a channel through the gateway, and prints the alert history the gateway keeps in
// ConfigMaps. Every failure is one line and a non-zero exit (main.ts).
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { durationSeconds } from './kube/options.js';
import { portOption } from './port-option.js';

const lib = () => import('@wharf/platform-notify');

interface KubeOpts {
  kubeconfig?: string;
}

async function kubeConfigFrom(o: KubeOpts) {
  const file = o.kubeconfig ?? process.env.KUBECONFIG;
  // In a pod (the platform image's Deployment): its service account.
  if (!file && process.env.KUBERNETES_SERVICE_HOST) return (await import('./in-cluster.js')).inClusterConfig();
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(file ?? join(homedir(), '.wharf', 'kubeconfig'));
  return kc;
}

/** A JSON answer, or an error naming the URL's path and the server's message. */
async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    throw new Error(
      `${new URL(url).origin} not reachable: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok && res.status !== 502) {
    let msg = text.trim();
    try {
      msg = (JSON.parse(text) as { message?: string }).message ?? msg;
    } catch {
      // plain text answer (Alertmanager)
    }
    throw new Error(`${method} ${new URL(url).pathname}: ${res.status} ${msg}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
};

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex` as Alertmanager's API v2 matchers. */
export function parseMatcher(s: string): { name: string; value: string; isRegex: boolean; isEqual: boolean } {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(s);
  if (!m) throw new Error(`matcher '${s}' must be name=value, name!=value, name=~regex or name!~regex`);
  const op = m[2]!;
  return {
    name: m[1]!,
    value: m[3]!.replace(/^"(.*)"$/, '$1'),
    isRegex: op.includes('~'),
    isEqual: !op.startsWith('!'),
  };
}

const amOption = [
  '--alertmanager <url>',
  "Alertmanager's URL",
  process.env.WHARF_ALERTMANAGER_URL ?? 'http://127.0.0.1:9093',
] as const;

export function addNotifyCommands(program: Command): void {
  program
    .command('notify-gateway')
    .description('run the notification gateway: Alertmanager webhooks → NotificationChannels')
    .option(
      '--kubeconfig <file>',
      "credentials of the cluster holding the channels (default $KUBECONFIG, the pod's service account, or ~/.wharf/kubeconfig)",
    )
    .option('--port <port>', 'HTTP port of the gateway', '9095')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--namespace <ns>', 'namespace of the alert history ConfigMaps', 'wharf-monitoring')
    .option('--alertmanager <url>', "Alertmanager's URL, to keep its silences (who silenced what) in the alert history")
    .action(async (o: KubeOpts & { port: string; host: string; namespace: string; alertmanager?: string }) => {
      const port = portOption('--port', o.port);
      const { createLogger } = await import('@wharf/client');
      const gw = await (
        await lib()
      ).startNotifyGateway({
        kubeConfig: await kubeConfigFrom(o),
        port,
        host: o.host,
        namespace: o.namespace,
        logger: createLogger(),
        ...(o.alertmanager ? { alertmanagerUrl: o.alertmanager } : {}),
      });
      process.stdout.write(`notification gateway listening on ${gw.url}\n`);
      const stop = (): void => void gw.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  const alerts = program.command('alerts').description('alerts, silences and notification channels');
  alerts
    .command('ls')
    .description('list active alerts (Alertmanager API v2)')
    .option(...amOption)
    .action(async (o: { alertmanager: string }) => {
      type A = { labels: Record<string, string>; startsAt: string; status: { state: string; silencedBy: string[] } };
      const list = await call<A[]>('GET', `${o.alertmanager}/api/v2/alerts`);
      const rows = list.map((a) => [
        a.labels.alertname ?? '',
        a.status.state,
        a.labels.severity ?? '',
        a.startsAt,
        a.status.silencedBy.join(','),
        Object.entries(a.labels)
          .filter(([k]) => k !== 'alertname' && k !== 'severity')
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      ]);
      process.stdout.write(
        list.length
          ? table([['ALERTNAME', 'STATE', 'SEVERITY', 'SINCE', 'SILENCED-BY', 'LABELS'], ...rows])
          : 'no alerts\n',
      );
    });
  alerts
    .command('silence <matchers...>')
    .description('silence alerts matching all matchers (e.g. alertname=NodeNotReady node=node-1)')
    .option(...amOption)
    .option('--duration <d>', 'how long, e.g. 30m, 2h, 1d', '2h')
    .option('--comment <text>', 'why', 'silenced with wharf alerts')
    .option('--author <name>', 'who silences', process.env.USER ?? 'wharf')
    .action(
      async (matchers: string[], o: { alertmanager: string; duration: string; comment: string; author: string }) => {
        const now = Date.now();
        const body = {
          matchers: matchers.map(parseMatcher),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + durationSeconds('--duration', o.duration) * 1000).toISOString(),
          createdBy: o.author,
          comment: o.comment,
        };
        const r = await call<{ silenceID: string }>('POST', `${o.alertmanager}/api/v2/silences`, body);
        process.stdout.write(`${r.silenceID}\n`);
      },
    );
  alerts
    .command('unsilence <id>')
    .description('expire a silence')
    .option(...amOption)
    .action(async (id: string, o: { alertmanager: string }) => {
      await call('DELETE', `${o.alertmanager}/api/v2/silence/${encodeURIComponent(id)}`);
      process.stdout.write(`silence ${id} expired\n`);
    });
  alerts
    .command('history')
    .description('alerts fired and resolved, as the notification gateway recorded them (newest first)')
    .option('--kubeconfig <file>', 'credentials of the cluster (default $KUBECONFIG or ~/.wharf/kubeconfig)')
    .option('--namespace <ns>', 'namespace of the alert history ConfigMaps', 'wharf-monitoring')
    .action(async (o: KubeOpts & { namespace: string }) => {
      const { KubeClient } = await import('@wharf/client');
      const client = new KubeClient(await kubeConfigFrom(o));
      try {
        const entries = await (await lib()).readHistory(client, o.namespace);
        const labels = (l: Record<string, string>): string =>
          Object.entries(l)
            .filter(([k]) => k !== 'alertname')
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
        const rows = entries.map((e) =>
          'kind' in e
            ? [
                `silence ${e.id.slice(0, 8)}`,
                `silenced (${e.state})`,
                e.startsAt,
                e.endsAt,
                `by ${e.createdBy}`,
                `${e.matchers} "${e.comment}"`,
              ]
            : [e.alertname, e.status, e.startsAt, e.endsAt ?? '', e.receiver, labels(e.labels)],
        );
        process.stdout.write(
          entries.length
            ? table([['ALERTNAME', 'STATUS', 'FIRED', 'RESOLVED', 'RECEIVER', 'LABELS'], ...rows])
            : 'no alert history\n',
        );
      } finally {
        client.close();
      }
    });
  alerts
    .command('test-channel <name>')
    .description('send a test notification through a NotificationChannel and print each attempt')
    .option('-n, --namespace <ns>', 'namespace of the channel', 'default')
    .option(
      '--gateway <url>',
      "the notification gateway's URL",
      process.env.WHARF_NOTIFY_GATEWAY_URL ?? 'http://127.0.0.1:9095',
    )
    .action(async (name: string, o: { namespace: string; gateway: string }) => {
      const r = await call<{ deliveredBy?: string; attempts: number }>(
        'POST',
        `${o.gateway}/api/v1/namespaces/${encodeURIComponent(o.namespace)}/notificationchannels/${encodeURIComponent(name)}/test`,
      );
      if (!r.deliveredBy)
        throw new Error(
          `test notification to ${o.namespace}/${name} not delivered after ${r.attempts} attempt(s): see kubectl describe notificationchannel ${name} -n ${o.namespace}`,
        );
      process.stdout.write(`test notification delivered by ${r.deliveredBy} after ${r.attempts} attempt(s)\n`);
    });
}
