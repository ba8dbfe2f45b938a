// The `wharf secret` verbs: set a key of an application's Secret (APP-secrets) or of a named
// Secret, list names and keys, remove keys or Secrets. Values are printed only with --reveal,
// and only to a user the API server allows to `get` secrets (a SelfSubjectAccessReview).
import type { V1Secret } from '@kubernetes/client-node';
import { isStatus } from '@wharf/client';
import { type Application, appSecretName, LABELS, paths } from '@wharf/platform-apps';
import type { Common } from '../app/actions.js';
import { connect, type Connection } from '../kube/context.js';
import { about, CliError, explain } from '../kube/errors.js';
import { outputFormat, renderObject } from '../kube/output.js';
import { renderChange } from '../config/diff.js';
import { renderSecrets, type SecretSummary } from './render.js';
import { secretValue } from './value.js';

const SNAPSHOT_OF = 'platform.wharf.dev/snapshot-of';
const KEY = /^[-._a-zA-Z0-9]+$/;
const secretsPath = (c: Connection): string => `/api/v1/namespaces/${c.namespace}/secrets`;

/** APP-OR-SECRET: the Secret of the application of that name (`APP-secrets`), else the Secret itself. */
async function secretNameFor(c: Connection, appOrSecret: string): Promise<{ name: string; app?: Application }> {
  const app = await about({ verb: 'get', resource: 'application', name: appOrSecret, namespace: c.namespace }, () =>
    c.client.getOptional<Application>(`${paths.applications(c.namespace)}/${encodeURIComponent(appOrSecret)}`),
  );
  return app ? { name: appSecretName(appOrSecret), app } : { name: appOrSecret };
}

/** What a change of Secret `name` does to the application: which components roll out, or a hint to reference it. */
function effectOn(app: Application, name: string): string {
  const readers = app.spec.components
    .filter((x) => (x.secrets ?? []).some((r) => r.secret === name && (r.update ?? 'rollout') === 'rollout'))
    .map((x) => x.name);
  const appName = app.metadata?.name ?? '';
  return readers.length
    ? `component${readers.length > 1 ? 's' : ''} ${readers.join(', ')} of ${appName} read secret ${name}: a new revision rolls out (see "wharf app get ${appName}")\n`
    : `no component of ${appName} reads secret ${name} yet: reference it with secrets: [{secret: ${name}, as: env}] (or --secret ${name} on create)\n`;
}

const getSecret = (c: Connection, name: string): Promise<V1Secret | undefined> =>
  about({ verb: 'get', resource: 'secret', name, namespace: c.namespace }, () =>
    c.client.getOptional<V1Secret>(`${secretsPath(c)}/${encodeURIComponent(name)}`),
  );

export async function set(target: string, key: string, o: Common & { fromFile?: string }): Promise<void> {
  if (!KEY.test(key)) throw new CliError(`key ${key}: a Secret key consists of alphanumerics, '-', '_' or '.'`);
  const c = await connect(o);
  const { name, app } = await secretNameFor(c, target);
  const value = (await secretValue(key, o.fromFile)).toString('base64');
  const existing = await getSecret(c, name);
  const before = existing?.data?.[key];
  const what = { verb: existing ? 'patch' : 'create', resource: 'secret', name, namespace: c.namespace };
  if (existing)
    await about(what, () =>
      c.client.patch(`${secretsPath(c)}/${encodeURIComponent(name)}`, {
        metadata: { resourceVersion: existing.metadata?.resourceVersion },
        data: { [key]: value },
      }),
    );
  else {
    const labels = { [LABELS.managedBy]: 'wharf', ...(app ? { [LABELS.application]: app.metadata?.name ?? '' } : {}) };
    await about(what, () =>
      c.client.create(secretsPath(c), {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name, labels },
        data: { [key]: value },
      }),
    );
  }
  const change = before === undefined ? 'added' : before === value ? undefined : 'changed';
  process.stdout.write(
    change
      ? `secret ${name}: ${renderChange({ key, change }, { from: '', to: '', secret: true })}`
      : `secret ${name}: ${key} unchanged\n`,
  );
  if (app && change) process.stdout.write(effectOn(app, name));
}

/** Whether the caller may read secret values here, as the API server's authorizer decides. */
async function mayReveal(c: Connection, name: string | undefined): Promise<boolean> {
  const review = await about({ verb: 'create', resource: 'selfsubjectaccessreview', namespace: c.namespace }, () =>
    c.client.create<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { namespace: c.namespace, verb: 'get', resource: 'secrets', ...(name ? { name } : {}) },
      },
    }),
  );
  return review.status?.allowed === true;
}

const summary = (s: V1Secret, reveal: boolean): SecretSummary => ({
  name: s.metadata?.name ?? '',
  type: s.type ?? 'Opaque',
  keys: Object.keys(s.data ?? {}).sort(),
  ...(reveal
    ? {
        values: Object.fromEntries(
          Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        ),
      }
    : {}),
});

export async function ls(target: string | undefined, o: Common & { reveal?: boolean }): Promise<void> {
  const c = await connect(o);
  const name = target ? (await secretNameFor(c, target)).name : undefined;
  if (o.reveal && !(await mayReveal(c, name)))
    throw new CliError(`--reveal: you may not get secrets${name ? ` (${name})` : ''} in namespace ${c.namespace}`);
  let secrets: V1Secret[];
  if (name) {
    const s = await getSecret(c, name);
    if (!s) throw new CliError(`secret ${name} not found in namespace ${c.namespace}`);
    secrets = [s];
  } else {
    const list = await about({ verb: 'list', resource: 'secret', namespace: c.namespace }, () =>
      c.client.get<{ items: V1Secret[] }>(secretsPath(c)),
    );
    // The platform's immutable snapshots and service-account tokens are not the user's to manage.
    secrets = list.items.filter(
      (s) => !s.metadata?.labels?.[SNAPSHOT_OF] && s.type !== 'kubernetes.io/service-account-token',
    );
  }
  const rows = secrets.map((s) => summary(s, o.reveal === true));
  const format = outputFormat(o.output);
  process.stdout.write(format ? renderObject(rows, format) : renderSecrets(rows));
}

export async function rm(target: string, keys: string[], o: Common): Promise<void> {
  const c = await connect(o);
  const { name } = await secretNameFor(c, target);
  const what = { verb: keys.length ? 'patch' : 'delete', resource: 'secret', name, namespace: c.namespace };
  if (!keys.length) {
    await about(what, () => c.client.delete(`${secretsPath(c)}/${encodeURIComponent(name)}`));
    process.stdout.write(`secret ${name} deleted from namespace ${c.namespace}\n`);
    return;
  }
  const s = await getSecret(c, name);
  if (!s) throw new CliError(`secret ${name} not found in namespace ${c.namespace}`);
  const missing = keys.filter((k) => !(k in (s.data ?? {})));
  if (missing.length)
    throw new CliError(
      `secret ${name} has no key ${missing.join(', ')}; it has ${Object.keys(s.data ?? {}).join(', ') || 'none'}`,
    );
  try {
    await c.client.patch(`${secretsPath(c)}/${encodeURIComponent(name)}`, {
      metadata: { resourceVersion: s.metadata?.resourceVersion },
      data: Object.fromEntries(keys.map((k) => [k, null])),
    });
  } catch (e) {
    if (isStatus(e, 409)) throw new CliError(`secret ${name} changed meanwhile; run the command again`);
    throw explain(e, what);
  }
  process.stdout.write(
    `secret ${name}: ${keys.map((k) => renderChange({ key: k, change: 'removed' }, { from: '', to: '', secret: true }).trim()).join(', ')}\n`,
  );
}
