// `wharf app create` and `wharf app deploy` flags turned into Application specs: pure, so the
// parsing rules (IMAGE:PATH:MOUNT, KEY=VALUE, CONFIGSET:as:path) are unit-tested without a cluster.
import type { Application, Artifact, Component, ConfigRef, RolloutPolicy, SecretRef } from '@wharf/platform-apps';

export interface CreateFlags {
  image?: string;
  component?: string;
  artifact?: string[];
  replicas?: string;
  port?: string[];
  host?: string;
  path?: string;
  env?: string[];
  config?: string[];
  secret?: string[];
  analysisSeconds?: string;
  batchSeconds?: string;
}

/** `IMAGE:PATH:MOUNT`: image references have colons too, but both paths start with `/`. */
export function parseArtifact(s: string): Artifact {
  const mountAt = s.lastIndexOf(':/');
  const pathAt = mountAt > 0 ? s.lastIndexOf(':/', mountAt - 1) : -1;
  if (pathAt <= 0) throw new Error(`--artifact ${s}: expected IMAGE:PATH:MOUNT, e.g. shop-site:1:/site:/www`);
  return { image: s.slice(0, pathAt), path: s.slice(pathAt + 1, mountAt), mountPath: s.slice(mountAt + 1) };
}

/** `KEY=VALUE` (the value may contain `=`). */
export function parseKeyValue(flag: string, s: string): [string, string] {
  const eq = s.indexOf('=');
  if (eq <= 0) throw new Error(`${flag} ${s}: expected KEY=VALUE`);
  return [s.slice(0, eq), s.slice(eq + 1)];
}

export function parseCount(flag: string, s: string, min = 0): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || s.trim() === '')
    throw new Error(`${flag} ${s}: expected a whole number of at least ${min}`);
  return n;
}

/** `8080` or `http:8080`. */
function parsePort(s: string): { name?: string; port: number } {
  const [name, num] = s.includes(':') ? s.split(':', 2) : [undefined, s];
  const port = parseCount('--port', num ?? '', 1);
  if (port > 65535) throw new Error(`--port ${s}: a port is at most 65535`);
  return name ? { name, port } : { port };
}

/** `CONFIGSET` (env), `CONFIGSET:args`, `CONFIGSET:file:/path` or `CONFIGSET:file:/path:inPlace`. */
export function parseConfigRef(s: string): ConfigRef {
  const [configSet, as = 'env', mountPath, update] = s.split(':');
  if (!configSet)
    throw new Error(`--config ${s}: expected CONFIGSET[:env|args|file[:MOUNTPATH[:rollout|inPlace|manual]]]`);
  if (as !== 'env' && as !== 'args' && as !== 'file')
    throw new Error(`--config ${s}: read as env, args or file, not "${as}"`);
  if (as === 'file' && !mountPath)
    throw new Error(`--config ${s}: a file reference needs a mount path (CONFIGSET:file:/etc/app)`);
  if (update !== undefined && update !== 'rollout' && update !== 'inPlace' && update !== 'manual')
    throw new Error(`--config ${s}: update is rollout, inPlace or manual, not "${update}"`);
  return { configSet, as, ...(mountPath ? { mountPath } : {}), ...(update ? { update } : {}) };
}

/** `SECRET` (env) or `SECRET:file:/path`. */
export function parseSecretRef(s: string): SecretRef {
  const [secret, as = 'env', mountPath] = s.split(':');
  if (!secret) throw new Error(`--secret ${s}: expected SECRET[:env|file[:MOUNTPATH]]`);
  if (as !== 'env' && as !== 'file') throw new Error(`--secret ${s}: read as env or file, not "${as}"`);
  if (as === 'file' && !mountPath)
    throw new Error(`--secret ${s}: a file reference needs a mount path (SECRET:file:/run/secrets)`);
  return { secret, as, ...(mountPath ? { mountPath } : {}) };
}

/** The Application of `wharf app create NAME --image ... [-- COMMAND ARGS...]`. */
export function applicationFromFlags(
  name: string,
  namespace: string,
  f: CreateFlags,
  command: readonly string[] = [],
): Application {
  if (!f.image) throw new Error('--image is required (or give the whole Application with -f app.yaml)');
  const ports = (f.port ?? []).map(parsePort);
  if (f.host && !ports.length) throw new Error('--host needs --port: the port the host is served from');
  const component: Component = {
    name: f.component ?? 'web',
    runtime: { image: f.image, ...(command.length ? { command: [...command] } : {}) },
    ...(f.artifact?.length ? { artifacts: f.artifact.map(parseArtifact) } : {}),
    replicas: f.replicas === undefined ? 1 : parseCount('--replicas', f.replicas),
    ...(ports.length ? { ports } : {}),
    ...(f.host || f.path
      ? { expose: { ...(f.host ? { host: f.host } : {}), ...(f.path ? { path: f.path } : {}) } }
      : {}),
    ...(f.env?.length
      ? { env: f.env.map((e) => parseKeyValue('--env', e)).map(([k, v]) => ({ name: k, value: v })) }
      : {}),
    ...(f.config?.length ? { config: f.config.map(parseConfigRef) } : {}),
    ...(f.secret?.length ? { secrets: f.secret.map(parseSecretRef) } : {}),
  };
  return {
    apiVersion: 'platform.wharf.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace },
    spec: {
      components: [component],
      ...rolloutFlags(f),
    },
  };
}

/** `rollout` from --analysis-seconds and --batch-seconds: only what was given, nothing when neither was. */
function rolloutFlags(f: CreateFlags): { rollout?: RolloutPolicy } {
  const rollout = {
    ...(f.analysisSeconds !== undefined
      ? { analysisSeconds: parseCount('--analysis-seconds', f.analysisSeconds) }
      : {}),
    ...(f.batchSeconds !== undefined ? { batchSeconds: parseCount('--batch-seconds', f.batchSeconds) } : {}),
  };
  return Object.keys(rollout).length ? { rollout } : {};
}

/** The component a verb acts on: the one named, or the only one. */
export function pickComponent(app: Application, name: string | undefined): Component {
  const comps = app.spec.components;
  if (name) {
    const c = comps.find((x) => x.name === name);
    if (!c)
      throw new Error(
        `application ${app.metadata?.name} has no component ${name}; it has ${comps.map((x) => x.name).join(', ')}`,
      );
    return c;
  }
  if (comps.length !== 1 || !comps[0])
    throw new Error(
      `application ${app.metadata?.name} has components ${comps.map((x) => x.name).join(', ')}: choose one with --component`,
    );
  return comps[0];
}

/**
 * The spec with a new version of a component: `--image` for the runtime, `--artifact` as
 * `IMAGE` (the only artifact), `NAME=IMAGE` (the artifact named so, or artifact-N), or
 * `IMAGE:PATH:MOUNT` (the artifact at that mount path, added if there is none).
 */
export function deploySpec(
  app: Application,
  f: { component?: string; image?: string; artifact?: string[] },
): Application['spec'] {
  if (!f.image && !f.artifact?.length) throw new Error('nothing to deploy: give --image and/or --artifact');
  const target = pickComponent(app, f.component);
  const components = app.spec.components.map((c) => {
    if (c !== target) return c;
    let artifacts = [...(c.artifacts ?? [])];
    for (const a of f.artifact ?? []) artifacts = withArtifact(c.name, artifacts, a);
    return {
      ...c,
      runtime: f.image ? { ...c.runtime, image: f.image } : c.runtime,
      ...(artifacts.length ? { artifacts } : {}),
    };
  });
  return { ...app.spec, components };
}

function withArtifact(component: string, list: Artifact[], flag: string): Artifact[] {
  if (flag.includes(':/')) {
    const a = parseArtifact(flag);
    const i = list.findIndex((x) => x.mountPath === a.mountPath);
    return i < 0 ? [...list, a] : list.map((x, j) => (j === i ? { ...x, ...a } : x));
  }
  const eq = flag.indexOf('=');
  if (eq > 0) {
    const name = flag.slice(0, eq);
    const i = list.findIndex((x, j) => (x.name ?? `artifact-${j}`) === name);
    if (i < 0)
      throw new Error(
        `--artifact ${flag}: component ${component} has no artifact ${name}; it has ${list.map((x, j) => x.name ?? `artifact-${j}`).join(', ') || 'none'}`,
      );
    return list.map((x, j) => (j === i ? { ...x, image: flag.slice(eq + 1) } : x));
  }
  if (list.length !== 1)
    throw new Error(
      `--artifact ${flag}: component ${component} has ${list.length} artifacts; name one (NAME=IMAGE) or give IMAGE:PATH:MOUNT`,
    );
  return [{ ...list[0]!, image: flag }];
}
