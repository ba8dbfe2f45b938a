// Prometheus and Alertmanager as workloads in the monitoring namespace (what `wharf up` deploys
// and deploy/monitoring/ holds): a Deployment each from the images built from Debian's packages,
// their data on a PVC bound to a pre-created local PersistentVolume (there is no dynamic
// provisioner yet), their configuration from the directory the operator writes (a hostPath at
// the same path, so the paths in prometheus.yml hold inside the pod), and a Service each. Pure.

export interface WorkloadsOptions {
  /** @default 'wharf-monitoring' */
  readonly namespace?: string;
  /** The node whose disk holds the volumes. */
  readonly node: string;
  /** Directories on that node: the operator's config dirs and the volumes' roots. */
  readonly prometheusConfigDir: string;
  readonly alertmanagerConfigDir: string;
  readonly prometheusDataDir: string;
  readonly alertmanagerDataDir: string;
  /** Image references. */
  readonly prometheusImage: string;
  readonly alertmanagerImage: string;
  /** @default '15d' */
  readonly retention?: string;
  /** @default '10Gi' */
  readonly storage?: string;
}

type Obj = { path: string; body: Record<string, unknown> };

const labels = (app: string): Record<string, string> => ({
  'app.kubernetes.io/name': app,
  'app.kubernetes.io/part-of': 'wharf',
});

function volume(o: WorkloadsOptions, ns: string, app: string, dir: string): Obj[] {
  const pv = `${ns}-${app}`;
  return [
    {
      path: '/api/v1/persistentvolumes',
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pv, labels: labels(app) },
        spec: {
          capacity: { storage: o.storage ?? '10Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: 'local-storage',
          local: { path: dir },
          claimRef: { namespace: ns, name: `${app}-data` },
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] },
              ],
            },
          },
        },
      },
    },
    {
      path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: `${app}-data`, namespace: ns, labels: labels(app) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'local-storage',
          volumeName: pv,
          resources: { requests: { storage: o.storage ?? '10Gi' } },
        },
      },
    },
  ];
}

function deployment(
  ns: string,
  app: string,
  spec: { image: string; args: string[]; port: number; configDir: string; dataPath: string; serviceAccount?: string },
): Obj {
  return {
    path: `/apis/apps/v1/namespaces/${ns}/deployments`,
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: ns, labels: labels(app) },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels(app) },
        template: {
          metadata: { labels: labels(app) },
          spec: {
            ...(spec.serviceAccount ? { serviceAccountName: spec.serviceAccount } : {}),
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: app,
                image: spec.image,
                args: spec.args,
                ports: [{ name: 'web', containerPort: spec.port }],
                readinessProbe: { httpGet: { path: '/-/ready', port: spec.port }, periodSeconds: 5 },
                resources: { requests: { cpu: '50m', memory: '64Mi' } },
                volumeMounts: [
                  { name: 'config', mountPath: spec.configDir, readOnly: true },
                  { name: 'data', mountPath: spec.dataPath },
                ],
              },
            ],
            volumes: [
              { name: 'config', hostPath: { path: spec.configDir, type: 'DirectoryOrCreate' } },
              { name: 'data', persistentVolumeClaim: { claimName: `${app}-data` } },
            ],
          },
        },
      },
    },
  };
}

const service = (ns: string, app: string, port: number): Obj => ({
  path: `/api/v1/namespaces/${ns}/services`,
  body: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace: ns, labels: labels(app) },
    spec: { selector: labels(app), ports: [{ name: 'web', port, targetPort: port }] },
  },
});

/** The Services (created first: their ClusterIPs go into the configuration). */
export function monitoringServices(namespace = 'wharf-monitoring'): Obj[] {
  return [service(namespace, 'prometheus', 9090), service(namespace, 'alertmanager', 9093)];
}

/** Volumes, claims and Deployments, in the order to create them. */
export function monitoringWorkloads(o: WorkloadsOptions): Obj[] {
  const ns = o.namespace ?? 'wharf-monitoring';
  return [
    ...volume(o, ns, 'prometheus', o.prometheusDataDir),
    ...volume(o, ns, 'alertmanager', o.alertmanagerDataDir),
    deployment(ns, 'prometheus', {
      image: o.prometheusImage,
      port: 9090,
      configDir: o.prometheusConfigDir,
      dataPath: '/prometheus',
      serviceAccount: 'prometheus',
      args: [
        `--config.file=${o.prometheusConfigDir}/prometheus.yml`,
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${o.retention ?? '15d'}`,
        '--web.enable-lifecycle',
        '--web.listen-address=:9090',
      ],
    }),
    deployment(ns, 'alertmanager', {
      image: o.alertmanagerImage,
      port: 9093,
      configDir: o.alertmanagerConfigDir,
      dataPath: '/alertmanager',
      args: [
        `--config.file=${o.alertmanagerConfigDir}/alertmanager.yml`,
        '--storage.path=/alertmanager',
        '--web.listen-address=:9093',
        '--cluster.listen-address=',
      ],
    }),
  ];
}
