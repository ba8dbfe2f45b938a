// Which cluster and namespace a `wharf app|config|secret` command talks to: `--kubeconfig`, else
// $KUBECONFIG, else the kubeconfig `wharf up` wrote into the default data dir, else
// ~/.kube/config; `-n` else the kubeconfig context's namespace, else `default`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from '@wharf/client';
import { defaultDataDir } from '../endpoints.js';

/** The options every verb that talks to a cluster takes. */
export interface ConnectionOptions {
  kubeconfig?: string;
  namespace?: string;
}

export interface Connection {
  readonly kubeConfig: KubeConfig;
  readonly client: KubeClient;
  readonly namespace: string;
}

/** The kubeconfig file to read, or undefined for client-node's default rules ($KUBECONFIG, ~/.kube/config). */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag) return flag;
  if (env.KUBECONFIG) return undefined;
  const wharf = join(defaultDataDir(undefined), 'kubeconfig');
  return existsSync(wharf) ? wharf : undefined;
}

/** The namespace: the flag, else the current context's, else `default`. */
export function namespaceOf(
  flag: string | undefined,
  kc: Pick<KubeConfig, 'getContextObject' | 'getCurrentContext'>,
): string {
  return flag || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}

export async function connect(opts: ConnectionOptions): Promise<Connection> {
  // Loaded here so `wharf up` and `wharf --help` do not pay for the client library.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { KubeClient, componentUserAgent } = await import('@wharf/client');
  const kc = new KubeConfig();
  const file = kubeconfigPath(opts.kubeconfig);
  if (file) {
    if (!existsSync(file)) throw new Error(`kubeconfig ${file} does not exist`);
    kc.loadFromFile(file);
  } else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) {
    throw new Error('no cluster to talk to: pass --kubeconfig FILE, set KUBECONFIG, or start one with "wharf up"');
  }
  // The User-Agent names the field manager of our writes: `wharf` in managedFields.
  const client = new KubeClient(kc, { userAgent: componentUserAgent('wharf') });
  return { kubeConfig: kc, client, namespace: namespaceOf(opts.namespace, kc) };
}
