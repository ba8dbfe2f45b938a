// `wharf monitoring-components`: the monitoring stack's Wharf parts that talk only to the
// Kubernetes API (and Prometheus's) — kube-state-metrics, the Prometheus service discovery and
// the query proxy — in one process on three ports, as the platform image runs them for
// deploy/monitoring/components.yaml: one Node.js runtime instead of three (each costs ~100 MB RSS
// idle, mostly the runtime and Wharf's code). `wharf kube-state-metrics`, `wharf prometheus-sd`
// and `wharf query-proxy` run one part each, for a cluster that wants them apart. All run in the
// foreground until SIGTERM or Ctrl-C.
import { readFileSync } from 'node:fs';
import { createLogger, RequestHeaderAuth, type Logger } from '@wharf/client';
import type { Command } from 'commander';
import { kubeClient, kubeConfigOf, untilSignal } from './npd.js';
import { portOption } from './port-option.js';

interface Listen {
  kubeconfig?: string;
  host: string;
}

interface QueryProxyFlags {
  prometheus: string;
  tlsCert: string;
  tlsKey: string;
}

type Stop = () => Promise<void>;

async function startKsm(o: Listen, port: number, logger: Logger): Promise<Stop> {
  const { KubeStateMetrics } = await import('@wharf/platform-monitoring');
  const ksm = new KubeStateMetrics({ kubeConfig: await kubeConfigOf(o.kubeconfig), host: o.host, port, logger });
  await ksm.start();
  return () => ksm.stop();
}

async function startSd(o: Listen, port: number, logger: Logger): Promise<Stop> {
  const { KubernetesSd, serveSd } = await import('@wharf/platform-monitoring');
  const client = await kubeClient(o.kubeconfig, 'prometheus-sd');
  const server = await serveSd(new KubernetesSd(client, logger), o.host, port);
  logger.info({ port: server.port }, 'service discovery listening');
  return async () => {
    await server.stop();
    client.close();
  };
}

async function startQueryProxy(o: Listen & QueryProxyFlags, port: number, logger: Logger): Promise<Stop> {
  const { QueryProxy } = await import('@wharf/platform-monitoring');
  const client = await kubeClient(o.kubeconfig, 'query-proxy');
  const tls = { cert: readFileSync(o.tlsCert, 'utf8'), key: readFileSync(o.tlsKey, 'utf8') };
  // Who may call: the front proxy CA and names of extension-apiserver-authentication.
  const proxy = new QueryProxy({
    prometheusUrl: o.prometheus,
    tls,
    auth: await RequestHeaderAuth.load(client),
    host: o.host,
    port,
    logger,
  });
  await proxy.start();
  return async () => {
    await proxy.stop();
    client.close();
  };
}

const withListen = (c: Command, what: string): Command =>
  c
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--host <address>', `address ${what} listen on`, '0.0.0.0');

const withQueryProxyFlags = (c: Command): Command =>
  c
    .requiredOption('--prometheus <url>', "Prometheus's base URL")
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM) for <service>.<namespace>.svc')
    .requiredOption('--tls-key <file>', 'its key (PEM)');

export function addMonitoringCommands(program: Command): void {
  withQueryProxyFlags(withListen(program.command('monitoring-components'), 'the three servers'))
    .description(
      'serve kube-state-metrics, the Prometheus service discovery and the query proxy from one process, each on its port',
    )
    .option('--ksm-port <port>', 'port of /metrics (kube-state-metrics)', '8080')
    .option('--sd-port <port>', 'port of /sd (service discovery)', '8081')
    .option('--query-port <port>', 'HTTPS port of the query proxy', '8443')
    .action(async (o: Listen & QueryProxyFlags & { ksmPort: string; sdPort: string; queryPort: string }) => {
      const ports = {
        ksm: portOption('--ksm-port', o.ksmPort),
        sd: portOption('--sd-port', o.sdPort),
        query: portOption('--query-port', o.queryPort),
      };
      const logger = createLogger();
      const stops = await Promise.all([
        startSd(o, ports.sd, logger.child({ component: 'prometheus-sd' })),
        startQueryProxy(o, ports.query, logger.child({ component: 'query-proxy' })),
      ]);
      // Last, so its /healthz (the pod's readiness) answers only once all three serve.
      stops.push(await startKsm(o, ports.ksm, logger.child({ component: 'kube-state-metrics' })));
      await untilSignal(async () => {
        await Promise.all(stops.map((stop) => stop()));
      });
    });

  withListen(program.command('kube-state-metrics'), 'to')
    .description(
      "serve kube-state-metrics v2 metric families (and Wharf's application metrics) from list/watch of the API at /metrics",
    )
    .option('--port <port>', 'port of /metrics', '8080')
    .action(async (o: Listen & { port: string }) =>
      untilSignal(await startKsm(o, portOption('--port', o.port), createLogger())),
    );

  withListen(program.command('prometheus-sd'), 'to')
    .description(
      "serve Prometheus HTTP service discovery (/sd/node|pod|endpoints) with kubernetes_sd's targets and labels",
    )
    .option('--port <port>', 'port of /sd', '8081')
    .action(async (o: Listen & { port: string }) =>
      untilSignal(await startSd(o, portOption('--port', o.port), createLogger())),
    );

  withQueryProxyFlags(withListen(program.command('query-proxy'), 'to'))
    .description(
      "serve the Prometheus query API to the API server's aggregation layer, each query restricted to the namespace asked for",
    )
    .option('--port <port>', 'HTTPS port', '8443')
    .action(async (o: Listen & QueryProxyFlags & { port: string }) =>
      untilSignal(await startQueryProxy(o, portOption('--port', o.port), createLogger())),
    );
}
