// The kubeconfigs Wharf writes once its API is ready: the admin's, and each node agent's.
import { stringify } from 'yaml';

export function kubeconfigFor(
  server: string,
  caCert: string,
  token: string,
  name = 'wharf',
  user = `${name}-admin`,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
