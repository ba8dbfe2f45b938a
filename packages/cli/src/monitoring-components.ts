// `wharf kube-state-metrics`, `wharf prometheus-sd` and `wharf query-proxy`: the monitoring
// stack's Wharf parts that talk only to the Kubernetes API (and Prometheus's), as the platform
// image runs them for deploy/monitoring/components.yaml, each with its own service account. They
// run in the foreground until SIGTERM or Ctrl-C.
import { readFileSync } from 'node:fs';
import { createLogger, RequestHeaderAuth } from '@wharf/client';
import type { Command } from 'commander';
import { kubeClient, kubeConfigOf, untilSignal } from './npd.js';
import { portOption } from './port-option.js';

interface Listen {
  kubeconfig?: string;
  host: string;
  port: string;
}

export function addMonitoringCommands(program: Command): void {
  program
    .command('kube-state-metrics')
    .description("serve kube-state-metrics v2 metric families (and Wharf's application metrics) from list/watch of the API at /metrics")
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'port of /metrics', '8080')
    .action(async (o: Listen) => {
      const port = portOption('--port', o.port);
      const { KubeStateMetrics } = await import('@wharf/platform-monitoring');
      const ksm = new KubeStateMetrics({ kubeConfig: await kubeConfigOf(o.kubeconfig), host: o.host, port, logger: createLogger() });
      await ksm.start();
      await untilSignal(() => ksm.stop());
    });

  program
    .command('prometheus-sd')
    .description("serve Prometheus HTTP service discovery (/sd/node|pod|endpoints) with kubernetes_sd's targets and labels")
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'port of /sd', '8081')
    .action(async (o: Listen) => {
      const port = portOption('--port', o.port);
      const { KubernetesSd, serveSd } = await import('@wharf/platform-monitoring');
      const client = await kubeClient(o.kubeconfig, 'prometheus-sd');
      const logger = createLogger();
      const server = await serveSd(new KubernetesSd(client, logger), o.host, port);
      logger.info({ port: server.port }, 'service discovery listening');
      await untilSignal(async () => {
        await server.stop();
        client.close();
      });
    });

  program
    .command('query-proxy')
    .description("serve the Prometheus query API to the API server's aggregation layer, each query restricted to the namespace asked for")
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'HTTPS port', '8443')
    .requiredOption('--prometheus <url>', "Prometheus's base URL")
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM) for <service>.<namespace>.svc')
    .requiredOption('--tls-key <file>', 'its key (PEM)')
    .action(async (o: Listen & { prometheus: string; tlsCert: string; tlsKey: string }) => {
      const port = portOption('--port', o.port);
      const { QueryProxy } = await import('@wharf/platform-monitoring');
      const client = await kubeClient(o.kubeconfig, 'query-proxy');
      const tls = { cert: readFileSync(o.tlsCert, 'utf8'), key: readFileSync(o.tlsKey, 'utf8') };
      // Who may call: the front proxy CA and names of extension-apiserver-authentication.
      const proxy = new QueryProxy({ prometheusUrl: o.prometheus, tls, auth: await RequestHeaderAuth.load(client), host: o.host, port, logger: createLogger() });
      await proxy.start();
      await untilSignal(async () => {
        await proxy.stop();
        client.close();
      });
    });
}
