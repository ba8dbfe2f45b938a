// The monitoring stack of `wharf up`. With node agents on runc (the default), Prometheus and
// Alertmanager run as pods in wharf-monitoring from images built from Debian's packages (once per
// data dir, in the background), reaching the API through the `kubernetes` Service, and the
// operator (in this process) writes their configuration. After them, node-exporter (Debian's, a
// DaemonSet: deploy/monitoring/node-exporter.yaml), then the platform image's
// workloads (monitoring-platform.ts): node problem detector, remediation controller, notification
// gateway, and kube-state-metrics, service discovery and query proxy (one pod serving the three),
// which Prometheus and the API server reach by their Services. With --prometheus-url, the operator configures and
// reloads
// that Prometheus instead (one run on the host, on loopback), with those three in this process.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { isStatus, KubeClient, type Logger } from '@wharf/client';
import type { MonitoringStack } from '@wharf/platform-monitoring';
import type { MonitoringConfig } from './up-options.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/wharf.js', import.meta.url));
const NS = 'wharf-monitoring';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const NODE_EXPORTER = fileURLToPath(new URL('../../../deploy/monitoring/node-exporter.yaml', import.meta.url));
/** The images the monitoring pods run, and the `wharf image` command building each (Debian's packages). */
const debianImage = (ref: string, pkg: string, entrypoint: string) => ({
  ref,
  build: ['build-base', ref, '--debian-packages', pkg, '--entrypoint', entrypoint],
});
const IMAGES = {
  prometheus: debianImage('prometheus:2.42', 'prometheus', '/usr/bin/prometheus'),
  alertmanager: debianImage('alertmanager:0.25', 'prometheus-alertmanager', '/usr/bin/prometheus-alertmanager'),
  // What deploy/monitoring/node-exporter.yaml names.
  nodeExporter: debianImage('node-exporter:1.5', 'prometheus-node-exporter', '/usr/bin/prometheus-node-exporter'),
  // Debian's nodejs + Wharf's in-cluster components (image-platform.ts).
  platform: { ref: 'wharf/platform:0.1.0', build: ['build-platform', 'wharf/platform:0.1.0'] },
};
type Image = (typeof IMAGES)[keyof typeof IMAGES];

export interface MonitoringStart {
  readonly kubeConfig: KubeConfig;
  readonly dataDir: string;
  readonly apiPort: number;
  readonly config: MonitoringConfig;
  readonly logger: Logger;
  /** Where pods reach this host (the `kubernetes` endpoint address); undefined: no pods. */
  readonly podHostAddress: string | undefined;
  /** A node whose disk holds the volumes. */
  readonly node: string | undefined;
  /** host:port of the Ingress gateway's /metrics, read at each pass. */
  readonly gatewayMetrics: () => string | undefined;
}

/** Builds (once per data dir) and pushes an image unless the registry has it. */
async function ensureImage(dataDir: string, image: Image): Promise<void> {
  const { stdout } = await run(process.execPath, [CLI, 'image', 'ls', '--data-dir', dataDir]);
  const [repo, tag] = image.ref.split(':');
  if (stdout.split('\n').some((l) => l.split('\t')[0] === repo && l.split('\t')[1] === tag)) return;
  await run(process.execPath, [CLI, 'image', ...image.build, '--data-dir', dataDir], { timeout: 600_000 });
}

const COMPONENTS = 'monitoring-components';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
/** Earlier builds' kube-state-metrics, discovery and query proxy: a Deployment and an account each. */
const LEGACY_OBJECTS = [
  ...['kube-state-metrics', 'prometheus-sd', 'query-proxy'].flatMap((n) => [
    `/apis/apps/v1/namespaces/${NS}/deployments/${n}`,
    `/api/v1/namespaces/${NS}/serviceaccounts/${n}`,
  ]),
  `${RBAC}/clusterrolebindings/wharf:kube-state-metrics`,
  `${RBAC}/clusterrolebindings/wharf:prometheus-sd`,
  `${RBAC}/namespaces/kube-system/rolebindings/wharf:query-proxy:authentication-reader`,
];

/**
 * Makes way for deploy/monitoring/components.yaml's one Deployment in a data dir of an earlier
 * build: its three Deployments and their accounts go, and the parts' Services that select anything
 * else (theirs, or none where the query proxy ran in this process with Endpoints at 127.0.0.1) are
 * deleted, to be created again selecting the new pod (ensureObjects leaves existing objects).
 */
async function removeLegacyComponents(client: KubeClient): Promise<void> {
  const gone = (e: unknown): void => {
    if (!isStatus(e, 404)) throw e;
  };
  for (const path of LEGACY_OBJECTS) await client.delete(path).catch(gone);
  for (const name of ['kube-state-metrics', 'prometheus-sd', 'query-proxy']) {
    const svc = `/api/v1/namespaces/${NS}/services/${name}`;
    const found = await client.getOptional<{ spec?: { selector?: Record<string, string> } }>(svc);
    if (found && found.spec?.selector?.['app.kubernetes.io/name'] !== COMPONENTS) await client.delete(svc).catch(gone);
  }
}

export async function startMonitoring(o: MonitoringStart): Promise<MonitoringStack> {
  const lib = await import('@wharf/platform-monitoring');
  const base = {
    kubeConfig: o.kubeConfig,
    logger: o.logger,
    scrapeInterval: o.config.scrapeInterval,
    ...(o.config.alertFor ? { alertFor: o.config.alertFor } : {}),
  };
  const promConfigDir = join(o.dataDir, 'monitoring', 'prometheus');
  const amConfigDir = join(o.dataDir, 'monitoring', 'alertmanager');
  const inPods = !o.config.prometheusUrl && o.podHostAddress !== undefined && o.node !== undefined;
  if (!inPods) {
    const stack = new lib.MonitoringStack({
      ...base,
      queryProxy: true,
      configDir: promConfigDir,
      apiServer: { url: `https://127.0.0.1:${o.apiPort}`, caFile: join(o.dataDir, 'pki', 'ca.crt') },
      gatewayMetrics: o.gatewayMetrics,
      ...(o.config.prometheusUrl ? { prometheusUrl: o.config.prometheusUrl } : {}),
      ...(o.config.alertmanagerUrl ? { alertmanagerUrl: o.config.alertmanagerUrl } : {}),
      ...(o.config.alertmanagerConfigFile ? { alertmanagerConfigFile: o.config.alertmanagerConfigFile } : {}),
    });
    await stack.start();
    return stack;
  }
  const client = new KubeClient(o.kubeConfig);
  await lib.ensureObjects(client, [lib.prometheusRbac(NS)[0]!, ...lib.monitoringServices(NS)]);
  const ip = async (name: string): Promise<string> =>
    (await client.get<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${NS}/services/${name}`)).spec.clusterIP;
  mkdirSync(amConfigDir, { recursive: true });
  const stack = new lib.MonitoringStack({
    // The gateway's metrics listen where pods reach this host (dataplane.ts, podMetrics).
    ...base,
    configDir: promConfigDir,
    gatewayMetrics: o.gatewayMetrics,
    kubeStateMetrics: `kube-state-metrics.${NS}.svc:8080`,
    discoveryUrl: `http://prometheus-sd.${NS}.svc:8081`,
    // Prometheus in its pod: the API at the address pods reach this host on (the `kubernetes`
    // Service's endpoint; its cluster IP may be answered by another Wharf on this host, see
    // in-cluster.ts), verified as `kubernetes`, with its own account's token.
    apiServer: {
      url: `https://${o.podHostAddress}:${o.apiPort}`,
      serverName: 'kubernetes',
      caFile: `${SA_DIR}/ca.crt`,
      tokenFile: `${SA_DIR}/token`,
    },
    // And the nodes' kubelet ports at their InternalIP:10250 (nodes.ts, nodeAddressOf), as on a real cluster.
    kubeletDirect: true,
    prometheusUrl: `http://${await ip('prometheus')}:9090`,
    alertmanagerUrl: `http://${await ip('alertmanager')}:9093`,
    alertmanagerConfigFile: join(amConfigDir, 'alertmanager.yml'),
  });
  await stack.start();
  const volumes = join(o.dataDir, 'monitoring', 'volumes');
  for (const d of ['prometheus', 'alertmanager']) mkdirSync(join(volumes, d), { recursive: true });
  // The images take a minute to build the first time: Wharf is ready meanwhile.
  void (async () => {
    for (const image of [IMAGES.prometheus, IMAGES.alertmanager]) await ensureImage(o.dataDir, image);
    await lib.ensureObjects(
      client,
      lib.monitoringWorkloads({
        namespace: NS,
        node: o.node!,
        prometheusConfigDir: promConfigDir,
        alertmanagerConfigDir: amConfigDir,
        prometheusDataDir: join(volumes, 'prometheus'),
        alertmanagerDataDir: join(volumes, 'alertmanager'),
        prometheusImage: IMAGES.prometheus.ref,
        alertmanagerImage: IMAGES.alertmanager.ref,
        retention: o.config.retention,
      }),
    );
    // The claims name their volumes and the volumes their claims: the PersistentVolume binder binds them.
    o.logger.info({ namespace: NS }, 'prometheus and alertmanager deployed');
    await ensureImage(o.dataDir, IMAGES.nodeExporter);
    await lib.ensureObjects(
      client,
      lib.manifestObjects(readFileSync(NODE_EXPORTER, 'utf8'), 'deploy/monitoring/node-exporter.yaml'),
    );
    await ensureImage(o.dataDir, IMAGES.platform);
    const { platformWorkloads } = await import('./monitoring-platform.js');
    await removeLegacyComponents(client);
    await lib.ensureObjects(
      client,
      platformWorkloads(o.dataDir, `https://${o.podHostAddress}:${o.apiPort}`, lib.manifestObjects),
    );
    o.logger.info(
      { image: IMAGES.platform.ref },
      'node problem detector, remediation controller, notification gateway and the monitoring components (kube-state-metrics, service discovery, query proxy) deployed',
    );
  })().catch((e: unknown) => o.logger.error({ err: e }, 'the monitoring workloads could not be deployed'));
  return stack;
}
