// The create-application wizard's form turned into the Application `wharf app create` makes
// (packages/cli/src/app/spec.ts: one component, IMAGE:PATH:MOUNT artifacts, CONFIGSET:as:path
// config), and the API's refusals turned back into the form fields they name.
import { api, type StatusCause } from './client.js';
import { appsPath, GROUP, type Application } from './platform.js';

export interface NewAppForm {
  name: string;
  namespace: string;
  component: string;
  image: string;
  /** One argument per line; empty: the image's own command. */
  command?: string;
  replicas?: number;
  port?: number;
  host?: string;
  analysisSeconds?: number;
  artifacts?: { image?: string; path?: string; mountPath?: string }[];
  config?: { configSet?: string; as?: 'env' | 'args' | 'file'; mountPath?: string }[];
}

const trimmed = (s: string | undefined): string => (s ?? '').trim();

export function applicationOf(f: NewAppForm): Application {
  const command = (f.command ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const host = trimmed(f.host);
  const component = {
    name: trimmed(f.component) || 'web',
    runtime: { image: trimmed(f.image), ...(command.length ? { command } : {}) },
    ...(f.artifacts?.length
      ? {
          artifacts: f.artifacts.map((a) => ({
            image: trimmed(a.image),
            path: trimmed(a.path),
            mountPath: trimmed(a.mountPath),
          })),
        }
      : {}),
    replicas: f.replicas ?? 1,
    ...(f.port ? { ports: [{ port: f.port }] } : {}),
    ...(host ? { expose: { host } } : {}),
    ...(f.config?.length
      ? {
          config: f.config.map((c) => ({
            configSet: trimmed(c.configSet),
            as: c.as ?? 'env',
            ...(c.as === 'file' && trimmed(c.mountPath) ? { mountPath: trimmed(c.mountPath) } : {}),
          })),
        }
      : {}),
  };
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'Application',
    metadata: { name: trimmed(f.name), namespace: f.namespace },
    spec: {
      components: [component],
      ...(f.analysisSeconds !== undefined && f.analysisSeconds !== null
        ? { rollout: { analysisSeconds: f.analysisSeconds } }
        : {}),
    } as Application['spec'],
  };
}

/**
 * The form field a cause's path names (`spec.components[0].artifacts[1].mountPath` → artifacts.1.mountPath), if any.
 */
export function fieldOf(cause: StatusCause): (string | number)[] | undefined {
  const path = (cause.field ?? '').replace(/^\./, '');
  if (path === 'metadata.name') return ['name'];
  const m = /^spec\.components\[0\]\.?(.*)$/.exec(path);
  if (!m) return undefined;
  const rest = m[1] ?? '';
  const list = /^(artifacts|config)\[(\d+)\]\.?(\w*)/.exec(rest);
  if (list)
    return list[3]
      ? [list[1] ?? '', Number(list[2]), list[3]]
      : [list[1] ?? '', Number(list[2]), list[1] === 'config' ? 'configSet' : 'image'];
  const simple: Record<string, string> = {
    name: 'component',
    'runtime.image': 'image',
    'runtime.command': 'command',
    replicas: 'replicas',
    'ports[0].port': 'port',
    'expose.host': 'host',
    expose: 'host',
  };
  const hit = Object.entries(simple).find(([p]) => rest === p || rest.startsWith(`${p}.`) || rest.startsWith(`${p}[`));
  return hit ? [hit[1]] : undefined;
}

/** Dry run first (validation and admission; nothing stored), then the create, as `wharf app create` would. */
export async function createApplication(app: Application, dryRun: boolean): Promise<Application> {
  return api<Application>(
    `${appsPath(app.metadata.namespace ?? '')}?fieldManager=wharf-console${dryRun ? '&dryRun=All' : ''}`,
    { method: 'POST', body: app },
  );
}
