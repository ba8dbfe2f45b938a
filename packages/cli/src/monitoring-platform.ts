// The platform image's workloads as `wharf up --nodes N` deploys them: the node problem detector
// (DaemonSet), the remediation controller, the notification gateway and the monitoring components
// (kube-state-metrics, the Prometheus service discovery and the query proxy in one pod) (Deployments), from the same
// manifests a real
// cluster applies (deploy/npd, deploy/notify, deploy/monitoring/components.yaml), each with its own
// service account and least-privilege role; plus the query proxy's serving certificate (a Secret)
// and its APIService, whose caBundle is that certificate's CA (kept in DIR/monitoring). Two changes for simulated
// nodes, which share one host and its
// kernel: the detector keeps one state file per node under DIR/npd/state, and its kernel monitor
// follows DIR/npd/log/kern.log (a kern.log as rsyslog writes it, through a hostPath) instead of
// the host's /dev/kmsg, so one Wharf's drills never read or write the host's kernel log. And each
// reaches the API at the address pods reach this host on (WHARF_API_SERVER, in-cluster.ts), not
// the cluster IP another Wharf on the host may answer.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServingCert } from '@wharf/client';
import type { ManifestObject } from '@wharf/platform-monitoring';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const MANIFESTS = [
  'npd/crd-remediationpolicy.yaml',
  'npd/node-problem-detector.yaml',
  'npd/remediation-controller.yaml',
  'notify/notificationchannels.yaml',
  'notify/gateway.yaml',
  'notify/gateway-servicemonitor.yaml',
  'monitoring/components.yaml',
];
const NS = 'wharf-monitoring';
const LOG_MOUNT = '/wharf-log';

/** Where `wharf up`'s detectors read kernel lines: append to this file to simulate a kernel problem. */
export const npdLogFile = (dataDir: string): string => join(dataDir, 'npd', 'log', 'kern.log');

type Pod = {
  containers: {
    env?: { name: string; value?: string }[];
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  }[];
  volumes: { name: string; hostPath?: { path: string; type?: string } }[];
};

/** The kmsg kernel monitor of the manifest as a filelog monitor of DIR/npd/log/kern.log. */
function fileKernelMonitor(json: string): string {
  const m = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(
    {
      ...m,
      plugin: 'filelog',
      logPath: `${LOG_MOUNT}/kern.log`,
      pluginConfig: { timestamp: '^.{15}', message: 'kernel: \\[.*\\] (.*)', timestampFormat: 'Jan _2 15:04:05' },
    },
    null,
    2,
  );
}

export function platformWorkloads(
  dataDir: string,
  apiServer: string,
  parse: (yaml: string, source: string) => ManifestObject[],
): ManifestObject[] {
  const objects = MANIFESTS.flatMap((f) => parse(readFileSync(join(DEPLOY, f), 'utf8'), `deploy/${f}`));
  for (const o of objects) {
    const b = o.body as {
      kind: string;
      metadata: { name: string };
      data?: Record<string, string>;
      spec?: { template?: { spec: Pod } };
    };
    for (const c of b.spec?.template?.spec.containers ?? [])
      c.env = [...(c.env ?? []), { name: 'WHARF_API_SERVER', value: apiServer }];
    if (
      b.kind === 'ConfigMap' &&
      b.metadata.name === 'node-problem-detector-config' &&
      b.data?.['kernel-monitor.json']
    ) {
      b.data['kernel-monitor.json'] = fileKernelMonitor(b.data['kernel-monitor.json']);
    }
    if (b.kind === 'DaemonSet' && b.metadata.name === 'node-problem-detector' && b.spec?.template) {
      const pod = b.spec.template.spec;
      const state = pod.volumes.find((v) => v.name === 'state');
      if (state) state.hostPath = { path: join(dataDir, 'npd', 'state'), type: 'DirectoryOrCreate' };
      pod.volumes.push({
        name: 'wharf-log',
        hostPath: { path: join(dataDir, 'npd', 'log'), type: 'DirectoryOrCreate' },
      });
      pod.containers[0]?.volumeMounts?.push({ name: 'wharf-log', mountPath: LOG_MOUNT, readOnly: true });
    }
  }
  for (const d of ['state', 'log']) mkdirSync(join(dataDir, 'npd', d), { recursive: true });
  if (!existsSync(npdLogFile(dataDir))) writeFileSync(npdLogFile(dataDir), '');
  return [...queryProxyTls(dataDir), ...objects];
}

/** The query proxy's serving certificate as the Secret its pod mounts, and the APIService trusting its CA. */
function queryProxyTls(dataDir: string): ManifestObject[] {
  const tls = ensureServingCert(join(dataDir, 'monitoring', 'query-proxy-tls'), `query-proxy.${NS}.svc`);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [
    {
      path: `/api/v1/namespaces/${NS}/secrets`,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 'query-proxy-tls', namespace: NS },
        data: { 'tls.crt': b64(tls.cert), 'tls.key': b64(tls.key) },
      },
    },
    {
      path: '/apis/apiregistration.k8s.io/v1/apiservices',
      body: {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1alpha1.monitoring.wharf.dev' },
        spec: {
          group: 'monitoring.wharf.dev',
          version: 'v1alpha1',
          service: { namespace: NS, name: 'query-proxy', port: 443 },
          caBundle: b64(tls.ca),
          groupPriorityMinimum: 1000,
          versionPriority: 15,
        },
      },
    },
  ];
}
