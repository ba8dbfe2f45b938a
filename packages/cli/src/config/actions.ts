// The `wharf config` verbs: set (with the impact preview, before anything changes), get,
// history, diff and rollback of ConfigSets. A change publishes a new immutable version; the
// command then waits until every application reading it with `rollout` has rolled it out.
import { ANNOTATIONS, type ConfigSet, paths } from '@wharf/platform-apps';
import { listApps, latestRevision } from '../app/api.js';
import { parseCount, parseKeyValue } from '../app/spec.js';
import { timeoutMs, waitFor } from '../app/wait.js';
import { connect, type Connection } from '../kube/context.js';
import { about, CliError } from '../kube/errors.js';
import { outputFormat, renderObject, renderTable } from '../kube/output.js';
import type { Common } from '../app/actions.js';
import { configSetPath, findConfigSet, getConfigSet, getVersion } from './api.js';
import { editedContent, fileValue, patchOf } from './content.js';
import { changesBetween, renderChange, renderChanges, type Content, type KeyChange } from './diff.js';
import { impactOf, renderImpact } from './impact.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

export interface SetFlags extends Common {
  fromFile?: string[];
  unset?: string[];
  message?: string;
  dryRun?: boolean;
}

/** The preview, the write, and the wait shared by `config set` and `config rollback`. */
async function change(
  c: Connection,
  name: string,
  existing: ConfigSet | undefined,
  after: Content,
  o: SetFlags,
): Promise<void> {
  const before: Content = existing?.spec ?? {};
  const changes = changesBetween(before, after);
  const apps = await listApps(c);
  const impact = impactOf(name, changes, apps);
  const version = existing?.status?.version ?? 0;
  const format = outputFormat(o.output);
  if (format)
    process.stdout.write(
      renderObject(
        {
          configSet: name,
          namespace: c.namespace,
          dryRun: o.dryRun ?? false,
          fromVersion: version,
          changes: changes.map((x) => ({ ...x, diff: renderChange(x, { from: `version ${version}`, to: 'new' }) })),
          impact,
        },
        format,
      ),
    );
  else if (!changes.length) say(`configset ${name}: nothing changes (version ${version})`);
  else {
    say(
      `configset ${name} in namespace ${c.namespace}: ${changes.map((x) => `${x.key} ${x.change}`).join(', ')}${o.dryRun ? ' (dry run: nothing is changed)' : ''}\n`,
    );
    process.stdout.write(`${renderImpact(name, c.namespace, impact)}\n`);
    process.stdout.write(renderChanges(changes, { from: existing ? `version ${version}` : 'none', to: 'new' }));
  }
  if (o.dryRun || !changes.length) return;
  // Where each application reading it with `rollout` stands now, to wait for its next revision.
  const rolling = [...new Set(impact.filter((e) => e.effect === 'rollout').map((e) => e.application))];
  const baseline = new Map(await Promise.all(rolling.map(async (a) => [a, await latestRevision(c, a)] as const)));
  const annotations = { [ANNOTATIONS.changeMessage]: o.message ?? null };
  const written = await about(
    { verb: existing ? 'patch' : 'create', resource: 'configset', name, namespace: c.namespace },
    () =>
      existing
        ? c.client.patch<ConfigSet>(configSetPath(c, name), {
            metadata: { resourceVersion: existing.metadata?.resourceVersion, annotations },
            spec: patchOf(before, after),
          })
        : c.client.create<ConfigSet>(paths.configSets(c.namespace), {
            apiVersion: 'platform.wharf.dev/v1alpha1',
            kind: 'ConfigSet',
            metadata: { name, ...(o.message ? { annotations: { [ANNOTATIONS.changeMessage]: o.message } } : {}) },
            spec: after,
          }),
  );
  if (o.wait === false) {
    if (!format) say(`configset ${name} changed; its new version is published shortly`);
    return;
  }
  const limit = Date.now() + timeoutMs(o.timeout);
  const published = await publishedAfter(c, name, version, written.metadata?.generation ?? 0, limit);
  if (!format) say(`configset ${name}: published version ${published}`);
  for (const app of rolling) {
    const line = await waitFor(
      c,
      app,
      {
        kind: 'revision',
        after: baseline.get(app) ?? 0,
        match: (r) => r.spec.config.some((p) => p.configSet === name && p.version >= published),
        what: `${name} version ${published}`,
      },
      { timeoutMs: Math.max(1000, limit - Date.now()) },
    );
    if (!format) say(`application ${app}: ${line}`);
  }
  for (const e of impact.filter((x) => x.effect === 'inPlace')) {
    if (!format)
      say(
        `application ${e.application}: component ${e.component} gets the new files in place (the node refreshes mounted config within a minute)`,
      );
  }
}

/** Waits for the ConfigSet controller to publish the write as a version newer than `version`. */
async function publishedAfter(
  c: Connection,
  name: string,
  version: number,
  generation: number,
  deadline: number,
): Promise<number> {
  for (;;) {
    const cs = await getConfigSet(c, name);
    const v = cs.status?.version ?? 0;
    if (v > version && (cs.status?.observedGeneration ?? 0) >= generation) return v;
    if (Date.now() > deadline)
      throw new CliError(
        `configset ${name}: no new version published yet (still version ${v}); is the platform controller running?`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function set(name: string, pairs: string[], o: SetFlags): Promise<void> {
  if (!pairs.length && !o.fromFile?.length && !o.unset?.length)
    throw new CliError('nothing to set: give KEY=VALUE, --from-file KEY=PATH or --unset KEY');
  const files = (o.fromFile ?? []).map((f) => {
    const [k, p] = parseKeyValue('--from-file', f);
    return [k, fileValue(p)] as [string, { text?: string; base64?: string }];
  });
  const c = await connect(o);
  const existing = await findConfigSet(c, name);
  await change(c, name, existing, editedContent(existing?.spec ?? {}, pairs, files, o.unset ?? []), o);
}

export async function rollback(name: string, o: SetFlags & { to: string }): Promise<void> {
  const c = await connect(o);
  const to = parseCount('--to', o.to, 1);
  const [existing, cm] = await Promise.all([getConfigSet(c, name), getVersion(c, name, to)]);
  await change(
    c,
    name,
    existing,
    { data: cm.data ?? {}, ...(cm.binaryData ? { binaryData: cm.binaryData } : {}) },
    { ...o, message: o.message ?? `rollback to version ${to}` },
  );
}

export async function get(name: string, o: Common & { version?: string }): Promise<void> {
  const c = await connect(o);
  const format = outputFormat(o.output);
  if (o.version !== undefined) {
    const cm = await getVersion(c, name, parseCount('--version', o.version, 1));
    if (format) return void process.stdout.write(renderObject(cm, format));
    process.stdout.write(
      `# configset ${name} version ${o.version} (ConfigMap ${cm.metadata?.name})\n${renderObject({ ...(cm.data ? { data: cm.data } : {}), ...(cm.binaryData ? { binaryData: cm.binaryData } : {}) }, 'yaml')}`,
    );
    return;
  }
  const cs = await getConfigSet(c, name);
  if (format) return void process.stdout.write(renderObject(cs, format));
  const h = cs.status?.history?.[0];
  process.stdout.write(
    `# configset ${name}: version ${cs.status?.version ?? '(not published yet)'}${h ? `, ${h.time}${h.author ? ` by ${h.author}` : ''}${h.message ? `: ${h.message}` : ''}` : ''}\n${renderObject({ ...(cs.spec.data ? { data: cs.spec.data } : {}), ...(cs.spec.binaryData ? { binaryData: cs.spec.binaryData } : {}) }, 'yaml')}`,
  );
}

export async function history(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const cs = await getConfigSet(c, name);
  const list = cs.status?.history ?? [];
  const format = outputFormat(o.output);
  if (format) return void process.stdout.write(renderObject(list, format));
  process.stdout.write(
    renderTable(
      ['VERSION', 'TIME', 'AUTHOR', 'KEYS', 'MESSAGE'],
      list.map((h) => [String(h.version), h.time, h.author ?? '-', h.keys.join(','), h.message ?? '']),
    ),
  );
}

export async function diff(name: string, a: string, b: string, o: Common): Promise<void> {
  const c = await connect(o);
  const [va, vb] = [parseCount('version A', a, 1), parseCount('version B', b, 1)];
  const [ca, cb] = await Promise.all([getVersion(c, name, va), getVersion(c, name, vb)]);
  const changes: KeyChange[] = changesBetween(ca, cb);
  const labels = { from: `version ${va}`, to: `version ${vb}` };
  const format = outputFormat(o.output);
  if (format)
    return void process.stdout.write(
      renderObject(
        { configSet: name, from: va, to: vb, changes: changes.map((x) => ({ ...x, diff: renderChange(x, labels) })) },
        format,
      ),
    );
  process.stdout.write(
    changes.length
      ? renderChanges(changes, labels)
      : `configset ${name}: versions ${va} and ${vb} hold the same data\n`,
  );
}
