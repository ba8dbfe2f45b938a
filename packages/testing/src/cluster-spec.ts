// A `Cluster` spec file for `wharf cluster create -f` in e2e suites: nodes as processes of their
// own, on the ports given, without the platform and monitoring add-ons (the suites that use it
// upgrade or restart the cluster, and those add-ons only slow that down).
import type { freeClusterPorts } from './wharf-process.js';

export interface TestCluster {
  readonly version: string;
  readonly nodes: number;
  readonly dataDir: string;
  readonly ports: Awaited<ReturnType<typeof freeClusterPorts>>;
  /** spec.controlPlane. @default none: one member on SQLite */
  readonly controlPlane?: { readonly members?: 1 | 3; readonly store?: 'sqlite' | 'etcd' };
}

/** The YAML of cluster `up` with `c`. */
export function clusterSpecYaml(c: TestCluster): string {
  return `apiVersion: wharf.dev/v1alpha1
kind: Cluster
metadata: {name: up}
spec:
  version: "${c.version}"
  nodes: ${c.nodes}
  nodeProcesses: true
${c.controlPlane ? `  controlPlane: ${JSON.stringify(c.controlPlane)}\n` : ''}  addons: {platform: false, monitoring: false}
  ports: ${JSON.stringify(c.ports)}
  dataDir: ${c.dataDir}
`;
}
