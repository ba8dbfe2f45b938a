// The `wharf app` verbs against a cluster: each reads or writes the Application (and its
// revisions and pods) and, for long operations, waits for the controller to finish or fail.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ANNOTATIONS, type Application, type ConfigSet, paths } from '@wharf/platform-apps';
import { connect, type ConnectionOptions, type Connection } from '../kube/context.js';
import { about, CliError } from '../kube/errors.js';
import { outputFormat, renderObject } from '../kube/output.js';
import { appPath, getApp, latestRevision, listApps, listRevisions, updateApp } from './api.js';
import { renderApp, renderAppList, renderHistory } from './render.js';
import { applicationFromFlags, type CreateFlags, deploySpec, parseCount, pickComponent } from './spec.js';
import { execInApp, streamLogs } from './pods.js';
import { timeoutMs, waitFor } from './wait.js';
import type { Goal } from './progress.js';

export interface Common extends ConnectionOptions {
  output?: string;
  wait?: boolean;
  timeout?: string;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Prints `o` as `-o` asks; undefined when the human form should be printed instead. */
function printed(o: unknown, format: string | undefined): boolean {
  const f = outputFormat(format);
  if (f) process.stdout.write(renderObject(o, f));
  return f !== undefined;
}

async function finish(c: Connection, name: string, goal: Goal, o: Common): Promise<void> {
  if (o.wait === false) return;
  say(await waitFor(c, name, goal, { timeoutMs: timeoutMs(o.timeout) }));
}

/** The objects of `-f FILE` (`-` for stdin): Applications, and ConfigSets they use. */
function objectsOf(file: string): (Application | ConfigSet)[] {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const docs = parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new CliError(`${file}: ${d.errors[0]?.message}`);
      return d.toJS() as (Application | ConfigSet) | null;
    })
    .filter((d): d is Application | ConfigSet => d !== null);
  for (const d of docs) {
    if (d.kind !== 'Application' && d.kind !== 'ConfigSet')
      throw new CliError(`${file}: kind ${String(d.kind)} is not an Application or ConfigSet`);
  }
  if (!docs.some((d) => d.kind === 'Application')) throw new CliError(`${file}: no Application in it`);
  return docs;
}

export async function create(
  name: string | undefined,
  command: string[],
  o: Common & CreateFlags & { file?: string },
): Promise<void> {
  const c = await connect(o);
  const objects = o.file ? objectsOf(o.file) : [applicationFromFlags(name ?? '', c.namespace, o, command)];
  if (!o.file && !name) throw new CliError('the application needs a NAME');
  const created: (Application | ConfigSet)[] = [];
  for (const obj of objects) {
    const ns = obj.metadata?.namespace ?? c.namespace;
    const kind = obj.kind === 'Application' ? 'application' : 'configset';
    const path = kind === 'application' ? paths.applications(ns) : paths.configSets(ns);
    const body = {
      ...obj,
      apiVersion: obj.apiVersion ?? 'platform.wharf.dev/v1alpha1',
      metadata: { ...obj.metadata, namespace: ns, ...(name && kind === 'application' ? { name } : {}) },
    };
    created.push(
      await about({ verb: 'create', resource: kind, name: body.metadata.name ?? '', namespace: ns }, () =>
        c.client.create<Application | ConfigSet>(path, body),
      ),
    );
  }
  // -o prints what was created, one object or a List, and nothing else on stdout.
  if (!printed(created.length === 1 ? created[0] : { apiVersion: 'v1', kind: 'List', items: created }, o.output)) {
    for (const x of created)
      say(
        `${x.kind === 'Application' ? 'application' : 'configset'} ${x.metadata?.name} created in namespace ${x.metadata?.namespace}`,
      );
  }
  for (const app of created.filter((x) => x.kind === 'Application')) {
    await finish(
      { ...c, namespace: app.metadata?.namespace ?? c.namespace },
      app.metadata?.name ?? '',
      { kind: 'revision', after: 0, match: () => true, what: 'the first deploy' },
      o,
    );
  }
}

export async function ls(o: Common): Promise<void> {
  const c = await connect(o);
  const apps = await listApps(c);
  if (printed({ apiVersion: 'v1', kind: 'List', items: apps }, o.output)) return;
  if (!apps.length) process.stderr.write(`no applications in namespace ${c.namespace}\n`);
  process.stdout.write(renderAppList(apps, Date.now()));
}

export async function get(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const app = await getApp(c, name);
  if (!printed(app, o.output)) process.stdout.write(renderApp(app, Date.now()));
}

export async function deploy(
  name: string,
  o: Common & { component?: string; image?: string; artifact?: string[] },
): Promise<void> {
  const c = await connect(o);
  const after = await latestRevision(c, name);
  let before: number | undefined;
  const app = await updateApp(c, name, (a) => {
    before = a.metadata?.generation;
    return { ...a, spec: deploySpec(a, o) };
  });
  const component = pickComponent(app, o.component).name;
  if (app.metadata?.generation === before) {
    if (!printed(app, o.output)) say(`application ${name}: component ${component} already runs that version`);
    return;
  }
  if (!printed(app, o.output)) say(`application ${name}: new version of component ${component} submitted`);
  await finish(c, name, { kind: 'revision', after, match: (r) => r.spec.cause === 'spec', what: 'the new version' }, o);
}

export async function scale(name: string, o: Common & { component?: string; replicas: string }): Promise<void> {
  const c = await connect(o);
  const replicas = parseCount('--replicas', o.replicas);
  let component = '';
  const app = await updateApp(c, name, (a) => {
    component = pickComponent(a, o.component).name;
    return {
      ...a,
      spec: { ...a.spec, components: a.spec.components.map((x) => (x.name === component ? { ...x, replicas } : x)) },
    };
  });
  if (!printed(app, o.output)) say(`application ${name}: component ${component} scaled to ${replicas}`);
  await finish(c, name, { kind: 'scale', component, replicas }, o);
}

export async function history(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const [app, revs] = await Promise.all([getApp(c, name), listRevisions(c, name)]);
  if (printed({ apiVersion: 'v1', kind: 'List', items: revs }, o.output)) return;
  process.stdout.write(renderHistory(revs, app.status?.revision));
}

/**
 * The revision a build deployed (`wharf app rollback --to-build`), from the annotations the delivery controller wrote
 * on it.
 */
async function revisionOfBuild(c: Connection, app: string, build: string): Promise<number> {
  const { ANNOTATION } = await import('@wharf/platform-git');
  const { paths: tekton } = await import('@wharf/platform-pipelines');
  const run = await about({ verb: 'get', resource: 'pipelinerun', name: build, namespace: c.namespace }, () =>
    c.client.get<{ metadata?: { annotations?: Record<string, string> } }>(
      `${tekton.pipelineRuns(c.namespace)}/${build}`,
    ),
  );
  const notes = run.metadata?.annotations ?? {};
  const deployedTo = (notes[ANNOTATION.deployedTo] ?? '').split('/')[0];
  const revision = notes[ANNOTATION.deployedRevision];
  if (deployedTo !== app || !revision) {
    const state = notes[ANNOTATION.deployState];
    throw new CliError(
      `build ${build} deployed no revision of application ${app}${deployedTo && deployedTo !== app ? ` (it deployed to ${deployedTo})` : state ? ` (${state}: ${notes[ANNOTATION.deployMessage] ?? ''})` : ''}`,
    );
  }
  return Number(revision);
}

export async function rollback(name: string, o: Common & { to?: string; toBuild?: string }): Promise<void> {
  const c = await connect(o);
  if ((o.to === undefined) === (o.toBuild === undefined))
    throw new CliError('give one of --to N (a revision) and --to-build NAME (a build)');
  const to = o.toBuild !== undefined ? await revisionOfBuild(c, name, o.toBuild) : parseCount('--to', o.to!, 1);
  const revs = await listRevisions(c, name);
  if (!revs.some((r) => r.spec.revision === to))
    throw new CliError(
      `application ${name} has no revision ${to} in namespace ${c.namespace}; kept: ${revs.map((r) => r.spec.revision).join(', ') || 'none'}`,
    );
  const after = revs.at(-1)?.spec.revision ?? 0;
  // The controller copies revision N (spec, images, exact config and secret versions) into a new one.
  const app = await about({ verb: 'patch', resource: 'application', name, namespace: c.namespace }, () =>
    c.client.patch<Application>(appPath(c, name), {
      metadata: { annotations: { [ANNOTATIONS.rollbackTo]: String(to) } },
    }),
  );
  if (!printed(app, o.output)) say(`application ${name}: rollback to revision ${to} requested`);
  await finish(
    c,
    name,
    {
      kind: 'revision',
      after,
      match: (r) => r.spec.cause === `rollback to ${to}`,
      what: `the rollback to revision ${to}`,
    },
    o,
  );
}

export async function logs(
  name: string,
  o: Common & { component?: string; follow?: boolean; tail?: string },
): Promise<void> {
  const c = await connect(o);
  const app = await getApp(c, name);
  if (o.component) pickComponent(app, o.component);
  await streamLogs(c, name, {
    ...(o.component ? { component: o.component } : {}),
    follow: o.follow ?? false,
    ...(o.tail !== undefined ? { tail: parseCount('--tail', o.tail) } : {}),
  });
}

export async function exec(
  name: string,
  command: string[],
  o: Common & { component?: string; stdin?: boolean; tty?: boolean },
): Promise<void> {
  if (!command.length) throw new CliError('no command: wharf app exec NAME -- CMD [ARGS...]');
  const c = await connect(o);
  const component = pickComponent(await getApp(c, name), o.component).name;
  process.exitCode = await execInApp(c, name, component, command, { stdin: o.stdin ?? false, tty: o.tty ?? false });
}

export async function url(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const app = await getApp(c, name);
  const urls = (app.status?.components ?? []).filter((x) => x.url).map((x) => x.url ?? '');
  if (!urls.length) {
    throw new CliError(
      app.spec.components.some((x) => x.expose)
        ? `application ${name} has no URL yet: its first rollout is not done`
        : `application ${name} is not exposed: give a component expose.host (or --host on create)`,
    );
  }
  for (const u of new Set(urls)) say(u);
}

export async function remove(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  await about({ verb: 'delete', resource: 'application', name, namespace: c.namespace }, () =>
    c.client.delete(appPath(c, name)),
  );
  say(`application ${name} deleted from namespace ${c.namespace}`);
}
