// Credentials of the platform image's commands in a pod: its service account. With
// WHARF_API_SERVER (which `wharf up` sets on its platform workloads), the API at that URL instead
// of the `kubernetes` Service's cluster IP, still verified as `kubernetes` (a name on the serving
// certificate): several Wharfs on one host all use the cluster IP 10.96.0.1, and their service
// proxies' nat rules do not tell whose pod a packet comes from, so one Wharf's pods may reach
// another's API server.
import { KubeConfig } from '@kubernetes/client-node';

export function inClusterConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromCluster();
  const server = process.env.WHARF_API_SERVER;
  if (server) {
    const cluster = kc.clusters[0]!;
    kc.clusters = [{ ...cluster, server, tlsServerName: 'kubernetes' }];
  }
  return kc;
}
