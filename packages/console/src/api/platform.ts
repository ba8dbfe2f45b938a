// The platform.wharf.dev kinds the Applications pages read (Application, ApplicationRevision,
// ConfigSet), declared here with only the fields shown: the console imports nothing server-side,
// so these mirror packages/platform-apps/src/types.ts. Every write is the request `wharf app`
// makes for the same verb (packages/cli/src/app/actions.ts).
import { api, ApiError } from './client.js';
import type { KubeObject } from './types.js';

export const GROUP = 'platform.wharf.dev';
const BASE = `/apis/${GROUP}/v1alpha1`;
const MERGE = 'application/merge-patch+json';

export const LABEL_APPLICATION = `${GROUP}/application`;
export const ANNOTATION_ROLLBACK_TO = `${GROUP}/rollback-to`;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
export interface ImagePin {
  component: string;
  role: string;
  image: string;
  digest?: string;
}

export interface Component {
  name: string;
  replicas?: number;
  runtime: { image: string };
  artifacts?: { name?: string; image: string; mountPath: string }[];
  config?: { configSet: string; as: string; mountPath?: string; keys?: string[]; prefix?: string; update?: string }[];
  expose?: { host?: string };
}

export interface Application extends KubeObject {
  spec: { components: Component[] };
  status?: {
    revision?: number;
    url?: string;
    conditions?: Condition[];
    components?: { name: string; replicas: number; readyReplicas: number; updatedReplicas: number; url?: string }[];
    images?: ImagePin[];
    rollout?: { revision: number; from: number; phase: string; message?: string };
  };
}

export interface Revision extends KubeObject {
  spec: {
    application: string;
    revision: number;
    cause: string;
    config: { configSet: string; version: number }[];
    secrets: { secret: string; hash: string }[];
    images: ImagePin[];
  };
  status?: { phase?: string; message?: string; images?: ImagePin[] };
}

export interface ConfigVersion {
  version: number;
  configMap: string;
  author?: string;
  time: string;
  message?: string;
  keys: string[];
}

export interface ConfigSet extends KubeObject {
  spec: { data?: Record<string, string>; binaryData?: Record<string, string> };
  status?: { version?: number; observedGeneration?: number; history?: ConfigVersion[] };
}

/** One namespace's Applications, or every namespace's when `ns` is empty. */
export const appsPath = (ns: string): string =>
  ns ? `${BASE}/namespaces/${encodeURIComponent(ns)}/applications` : `${BASE}/applications`;
export const appPath = (ns: string, name: string): string => `${appsPath(ns)}/${encodeURIComponent(name)}`;
export const revisionsPath = (ns: string): string =>
  `${BASE}/namespaces/${encodeURIComponent(ns)}/applicationrevisions`;
export const configSetsPath = (ns: string): string => `${BASE}/namespaces/${encodeURIComponent(ns)}/configsets`;

/** `ready/desired` pods of one component: desired from the spec, ready from the controller's status. */
export function readyOf(app: Application, component: string): { ready: number; desired: number } {
  const want = app.spec.components.find((c) => c.name === component)?.replicas ?? 1;
  return { ready: app.status?.components?.find((c) => c.name === component)?.readyReplicas ?? 0, desired: want };
}

/** One word for the state, as `wharf app ls` prints it: Degraded's or Progressing's reason, else Ready. */
export function stateOf(app: Application): string {
  const c = (type: string): Condition | undefined => app.status?.conditions?.find((x) => x.type === type);
  if (c('Degraded')?.status === 'True') return c('Degraded')?.reason ?? 'Degraded';
  if (c('Progressing')?.status === 'True') return c('Progressing')?.reason ?? 'Progressing';
  const ready = c('Ready');
  if (!ready) return 'Pending';
  return ready.status === 'True' ? 'Ready' : (ready.reason ?? 'NotReady');
}

/** `wharf app rollback NAME --to N`: the annotation the controller turns into a new revision copying N. */
export function requestRollback(ns: string, name: string, to: number): Promise<Application> {
  return api<Application>(appPath(ns, name), {
    method: 'PATCH',
    contentType: MERGE,
    body: { metadata: { annotations: { [ANNOTATION_ROLLBACK_TO]: String(to) } } },
  });
}

/**
 * `wharf app scale NAME --component C --replicas N`: read, change the component's replicas, write
 * back with the resourceVersion; a conflict with the controller's status write is retried.
 */
export async function scaleComponent(
  ns: string,
  name: string,
  component: string,
  replicas: number,
): Promise<Application> {
  for (let attempt = 0; ; attempt++) {
    const app = await api<Application>(appPath(ns, name));
    const next = {
      ...app,
      spec: {
        ...app.spec,
        components: app.spec.components.map((c) => (c.name === component ? { ...c, replicas } : c)),
      },
    };
    try {
      return await api<Application>(appPath(ns, name), { method: 'PUT', body: next });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
    }
  }
}

/** The data of version `v` of a ConfigSet: its immutable ConfigMap (`wharf config get NAME --version V`). */
export async function configVersionData(ns: string, configMap: string): Promise<Record<string, string>> {
  const cm = await api<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
    `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps/${encodeURIComponent(configMap)}`,
  );
  const binary = Object.fromEntries(
    Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, `(binary, ${Math.floor((v.length * 3) / 4)} bytes)`]),
  );
  return { ...binary, ...(cm.data ?? {}) };
}

export interface KeyChange {
  key: string;
  change: 'added' | 'changed' | 'removed';
  before?: string;
  after?: string;
}

/** The keys that differ between two versions, sorted, as `wharf config diff` lists them. */
export function changesBetween(a: Record<string, string>, b: Record<string, string>): KeyChange[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key): KeyChange[] => {
    const before = a[key];
    const after = b[key];
    if (before === after) return [];
    return [
      {
        key,
        change: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      },
    ];
  });
}
