// The kubeconfig user `wharf login` adds: kubectl runs `wharf credential oidc` (an exec
// credential plugin, client.authentication.k8s.io/v1) for its token, in a context on the current
// context's cluster, which becomes the current one. Tokens stay in the cache, not in the file.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}
interface KubeconfigDoc {
  clusters?: Named<unknown>[];
  users?: Named<unknown>[];
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  'current-context'?: string;
  [k: string]: unknown;
}

export interface ExecUser {
  /** The kubeconfig user and context name. */
  readonly name: string;
  /** The program and arguments kubectl runs. */
  readonly command: string;
  readonly args: readonly string[];
  /** The namespace of the new context. @default the current context's */
  readonly namespace?: string;
}

/** Adds (or replaces) the user and its context and makes the context current; returns the cluster's name. */
export function addExecUser(file: string, u: ExecUser): string {
  if (!existsSync(file))
    throw new Error(
      `kubeconfig ${file} does not exist: sign in to a cluster you have a kubeconfig for (--kubeconfig FILE)`,
    );
  const doc = (parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigDoc;
  const current = doc.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = current?.context?.cluster ?? (doc.clusters?.length === 1 ? doc.clusters[0]?.name : undefined);
  if (!cluster) throw new Error(`kubeconfig ${file} has no current context to take the cluster from`);
  const user = {
    name: u.name,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: u.command,
        args: [...u.args],
        interactiveMode: 'Never',
        provideClusterInfo: false,
      },
    },
  };
  doc.users = [...(doc.users ?? []).filter((x) => x.name !== u.name), user];
  const namespace = u.namespace ?? current?.context?.namespace;
  const context = { name: u.name, context: { cluster, user: u.name, ...(namespace ? { namespace } : {}) } };
  doc.contexts = [...(doc.contexts ?? []).filter((x) => x.name !== u.name), context];
  doc['current-context'] = u.name;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(doc), { mode: 0o600 });
  chmodSync(file, 0o600);
  return cluster;
}
