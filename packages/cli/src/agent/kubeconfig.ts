// The node's own kubeconfig, read without @kubernetes/client-node: loading client-node costs each
// `wharf agent` process about 70 MB, and an agent needs only its current context's server, CA and
// credential (a client certificate after a join, a token for the nodes of `wharf up`).
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { join } from 'node:path';
import type { KubeCredentials } from '@wharf/client';
import { parse } from 'yaml';

/** DIR/kubeconfig: the node's credentials, written by a join (or by `wharf up` for its nodes). */
export const kubeconfigPath = (dataDir: string): string => join(dataDir, 'kubeconfig');

/** The signed-in user of a node kubeconfig, its fields decoded (PEM, not base64). */
export interface NodeUser {
  /** The user's name: `system:node:<node>`. */
  readonly name: string;
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface NodeKubeconfig extends KubeCredentials {
  /** The cluster CA, PEM. */
  readonly ca: string;
  readonly user: NodeUser;
}

interface Named<T> {
  readonly name?: string;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}
interface Doc {
  readonly 'current-context'?: string;
  readonly contexts?: Named<{ cluster?: string; user?: string }>[];
  readonly clusters?: Named<{
    server?: string;
    'certificate-authority-data'?: string;
    'certificate-authority'?: string;
  }>[];
  readonly users?: Named<{ token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string }>[];
}

const fromBase64 = (v: string | undefined): string | undefined =>
  v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');

/** Reads the current context of a kubeconfig with inline data, as `wharf up` and a join write them. */
export function loadNodeKubeconfig(path: string): NodeKubeconfig {
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Doc;
  const context =
    (doc.contexts ?? []).find((c) => c.name === doc['current-context'])?.context ?? doc.contexts?.[0]?.context;
  const cluster = (doc.clusters ?? []).find((c) => c.name === context?.cluster) ?? doc.clusters?.[0];
  const user = (doc.users ?? []).find((u) => u.name === context?.user) ?? doc.users?.[0];
  const server = cluster?.cluster?.server;
  if (!server) throw new Error(`${path} names no cluster server`);
  const ca =
    fromBase64(cluster?.cluster?.['certificate-authority-data']) ??
    (cluster?.cluster?.['certificate-authority']
      ? readFileSync(cluster.cluster['certificate-authority'], 'utf8')
      : undefined);
  if (!ca) throw new Error(`${path} has no certificate authority for ${server}`);
  const u = user?.user ?? {};
  const cert = fromBase64(u['client-certificate-data']);
  const key = fromBase64(u['client-key-data']);
  const nodeUser: NodeUser = {
    name: user?.name ?? '',
    ...(u.token ? { token: u.token } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
  return {
    ca,
    user: nodeUser,
    getCurrentCluster: () => ({ server }),
    // What client-node's KubeConfig sets for these two kinds of credential.
    applyToHTTPSOptions: (opts: https.RequestOptions) => {
      opts.ca = ca;
      if (nodeUser.cert && nodeUser.key) Object.assign(opts, { cert: nodeUser.cert, key: nodeUser.key });
      if (nodeUser.token) opts.headers = { ...opts.headers, Authorization: `Bearer ${nodeUser.token}` };
      return Promise.resolve();
    },
  };
}
