// `wharf console`: a short-lived sign-in link for the current kubeconfig user. The user's bearer
// token is traded with the running console for a one-time code (two minutes), which the link
// carries in its fragment: browsers send no fragment to servers, and the code is spent on first use.
// With --gateway the link names the console as the Ingress gateway serves it (console.localhost):
// the same server, so the same code. With --https it names the console's HTTPS listener
// (`wharf up --console-address`), for a browser on another host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir, type Endpoints } from '../endpoints.js';
import { kubeconfigPath } from '../kube/context.js';

export interface ConsoleCommandOptions {
  dataDir?: string;
  kubeconfig?: string;
  /** A link through the Ingress gateway (`wharf up --nodes`), not to the console's own port. */
  gateway?: boolean;
  /** A link to the console's HTTPS listener for other hosts (`wharf up --console-address`). */
  https?: boolean;
}

export async function consoleLink(o: ConsoleCommandOptions): Promise<string> {
  const dataDir = defaultDataDir(o.dataDir);
  const ep = join(dataDir, 'endpoints.json');
  const endpoints = existsSync(ep) ? (JSON.parse(readFileSync(ep, 'utf8')) as Endpoints) : undefined;
  const url = endpoints?.console;
  if (!url)
    throw new Error(`no running Wharf console found in ${dataDir}: start Wharf with "wharf up --data-dir ${dataDir}"`);
  if (o.gateway && o.https) throw new Error('--gateway and --https name different addresses: choose one');
  const linkTo = o.gateway ? endpoints.consoleByName : o.https ? endpoints.consoleHttps : url;
  if (!linkTo)
    throw new Error(
      o.https
        ? `the Wharf in ${dataDir} serves no HTTPS console: start it with --console-address IP, or leave out --https`
        : `the Wharf in ${dataDir} runs no Ingress gateway: start it with --nodes N, or leave out --gateway`,
    );
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const file = o.kubeconfig ?? (o.dataDir ? join(dataDir, 'kubeconfig') : kubeconfigPath(undefined));
  if (file) {
    if (!existsSync(file)) throw new Error(`kubeconfig ${file} does not exist`);
    kc.loadFromFile(file);
  } else kc.loadFromDefault();
  const user = kc.getCurrentUser();
  const token = user?.token;
  if (!token)
    throw new Error(
      `the kubeconfig user "${user?.name ?? ''}" has no bearer token: open ${url} and paste a token (kubectl create token SERVICEACCOUNT)`,
    );
  let res: Response;
  try {
    res = await fetch(`${url}/console-auth/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  } catch (e) {
    throw new Error(`the console at ${url} does not answer (${(e as Error).message}): is "wharf up" running?`);
  }
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok || !body.code)
    throw new Error(`the console at ${url} refused a sign-in code: ${body.message ?? res.status}`);
  return `${linkTo}/#code=${body.code}`;
}
