// The `wharf project` verbs over the Project resource (platform.wharf.dev/v1alpha1, cluster-scoped).
import { isStatus } from '@wharf/client';
import { PROJECT_ROLES, PROJECTS_PATH, type Project, type ProjectMember, type ProjectRole } from '@wharf/platform-apps';
import { connect, type Connection, type ConnectionOptions } from '../kube/context.js';
import { CliError, explain } from '../kube/errors.js';
import { outputFormat, renderObject, renderTable } from '../kube/output.js';

type Common = ConnectionOptions & { output?: string };
type MemberFlags = { user?: string; group?: string; serviceAccount?: string };

const path = (name: string): string => `${PROJECTS_PATH}/${encodeURIComponent(name)}`;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

async function call<T>(verb: string, name: string | undefined, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    if (isStatus(e, 404) && name) throw new CliError(`project ${name} not found`);
    if (isStatus(e, 409) && name && verb === 'create') throw new CliError(`project ${name} already exists`);
    throw explain(e, { verb, resource: 'project', ...(name ? { name } : {}), namespace: '(cluster)' });
  }
}

/** `k=v,k=v` (or several `k=v` words) as a map; a malformed pair is a one-line error. */
export function pairs(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items.flatMap((s) => s.split(',')).filter(Boolean)) {
    const i = item.indexOf('=');
    if (i <= 0 || i === item.length - 1) throw new CliError(`${flag}: "${item}" is not KEY=VALUE`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function member(o: MemberFlags, role?: string): ProjectMember {
  const given = [o.user, o.group, o.serviceAccount].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new CliError('name exactly one member: --user NAME, --group NAME or --service-account NS/NAME');
  if (role !== undefined && !PROJECT_ROLES.includes(role as ProjectRole))
    throw new CliError(`--role must be one of ${PROJECT_ROLES.join(', ')}, got "${role}"`);
  const r = (role ?? 'viewer') as ProjectRole;
  if (o.serviceAccount !== undefined) {
    const [ns, name, extra] = o.serviceAccount.split('/');
    if (!ns || !name || extra !== undefined)
      throw new CliError(`--service-account must be NAMESPACE/NAME, got "${o.serviceAccount}"`);
    return { kind: 'ServiceAccount', namespace: ns, name, role: r };
  }
  return o.user !== undefined
    ? { kind: 'User', name: o.user, role: r }
    : { kind: 'Group', name: o.group ?? '', role: r };
}

const sameMember = (a: ProjectMember, b: ProjectMember): boolean =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

async function update(c: Connection, name: string, change: (p: Project) => Project): Promise<Project> {
  for (let attempt = 0; ; attempt++) {
    const current = await call('get', name, () => c.client.get<Project>(path(name)));
    try {
      return await c.client.replace<Project>(path(name), change(current));
    } catch (e) {
      if (!isStatus(e, 409) || attempt >= 4)
        throw explain(e, { verb: 'update', resource: 'project', name, namespace: '(cluster)' });
    }
  }
}

export async function create(
  name: string,
  o: Common & {
    namespace: string[];
    displayName?: string;
    quota?: string;
    defaultLimits?: string;
    defaultRequests?: string;
    quotaExisting?: boolean;
    isolate?: boolean;
  },
): Promise<void> {
  if (!DNS_LABEL.test(name))
    throw new CliError(`project name "${name}" must be a DNS label (lower-case letters, digits, '-')`);
  for (const ns of o.namespace)
    if (!DNS_LABEL.test(ns))
      throw new CliError(`--namespace "${ns}" must be a DNS label (lower-case letters, digits, '-')`);
  const c = await connect({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}) });
  const hard = o.quota ? pairs('--quota', [o.quota]) : undefined;
  const limits = o.defaultLimits ? pairs('--default-limits', [o.defaultLimits]) : undefined;
  const requests = o.defaultRequests ? pairs('--default-requests', [o.defaultRequests]) : undefined;
  const project: Project = {
    apiVersion: 'platform.wharf.dev/v1alpha1',
    kind: 'Project',
    metadata: { name },
    spec: {
      namespaces: [...new Set(o.namespace)],
      ...(o.displayName ? { displayName: o.displayName } : {}),
      ...(hard ? { resourceQuota: { hard } } : {}),
      ...(limits || requests
        ? { limitRange: { ...(limits ? { default: limits } : {}), ...(requests ? { defaultRequest: requests } : {}) } }
        : {}),
      ...(o.quotaExisting ? { quotaPolicy: 'AllNamespaces' as const } : {}),
      ...(o.isolate ? { networkIsolation: 'DenyFromOtherProjects' as const } : {}),
    },
  };
  await call('create', name, () => c.client.create(PROJECTS_PATH, project));
  process.stdout.write(`project ${name} created: namespaces ${project.spec.namespaces.join(', ')}\n`);
}

const ready = (p: Project): string => p.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? 'Unknown';

export async function ls(o: Common): Promise<void> {
  const c = await connect(o);
  const list = await call('list', undefined, () => c.client.get<{ items: Project[] }>(PROJECTS_PATH));
  const format = outputFormat(o.output);
  if (format) return void process.stdout.write(renderObject(list.items, format));
  if (list.items.length === 0) return void process.stdout.write('No projects.\n');
  process.stdout.write(
    renderTable(
      ['NAME', 'NAMESPACES', 'MEMBERS', 'READY'],
      list.items.map((p) => [
        p.metadata?.name ?? '',
        p.spec.namespaces.join(','),
        String(p.spec.members?.length ?? 0),
        ready(p),
      ]),
    ),
  );
}

export async function get(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const p = await call('get', name, () => c.client.get<Project>(path(name)));
  const format = outputFormat(o.output);
  if (format) return void process.stdout.write(renderObject(p, format));
  const lines = [
    `Project:     ${name}${p.spec.displayName ? ` (${p.spec.displayName})` : ''}`,
    `Ready:       ${ready(p)}${ready(p) === 'False' ? ` (${p.status?.conditions?.find((x) => x.type === 'Ready')?.message ?? ''})` : ''}`,
    '',
  ];
  lines.push(
    renderTable(
      ['NAMESPACE', 'STATE', 'USED', 'HARD'],
      (p.status?.namespaces ?? p.spec.namespaces.map((n) => ({ name: n, state: 'Pending' }))).map((n) => [
        n.name,
        n.state,
        fmt('used' in n ? n.used : undefined),
        fmt('hard' in n ? n.hard : undefined),
      ]),
    ).trimEnd(),
  );
  if (p.status?.total) lines.push(`Total:       used ${fmt(p.status.total.used)} of ${fmt(p.status.total.hard)}`);
  lines.push(
    '',
    renderTable(
      ['MEMBER', 'KIND', 'ROLE'],
      (p.spec.members ?? []).map((m) => [
        m.kind === 'ServiceAccount' ? `${m.namespace}/${m.name}` : m.name,
        m.kind,
        m.role,
      ]),
    ).trimEnd(),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmt(m: Record<string, string> | undefined): string {
  return m && Object.keys(m).length
    ? Object.entries(m)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '-';
}

export async function addMember(name: string, o: Common & MemberFlags & { role: string }): Promise<void> {
  const m = member(o, o.role);
  const c = await connect(o);
  await update(c, name, (p) => ({
    ...p,
    spec: { ...p.spec, members: [...(p.spec.members ?? []).filter((x) => !sameMember(x, m)), m] },
  }));
  process.stdout.write(
    `${m.kind.toLowerCase()} ${m.kind === 'ServiceAccount' ? `${m.namespace}/` : ''}${m.name} is ${m.role} of project ${name}\n`,
  );
}

export async function removeMember(name: string, o: Common & MemberFlags): Promise<void> {
  const m = member(o);
  const c = await connect(o);
  let found = false;
  await update(c, name, (p) => {
    const members = p.spec.members ?? [];
    found = members.some((x) => sameMember(x, m));
    return { ...p, spec: { ...p.spec, members: members.filter((x) => !sameMember(x, m)) } };
  });
  if (!found) throw new CliError(`${m.kind.toLowerCase()} ${m.name} is not a member of project ${name}`);
  process.stdout.write(`${m.kind.toLowerCase()} ${m.name} removed from project ${name}\n`);
}

export async function quota(name: string, limits: string[], o: Common & { quotaExisting?: boolean }): Promise<void> {
  const c = await connect(o);
  if (limits.length === 0) return get(name, o);
  const hard = pairs('quota', limits);
  await update(c, name, (p) => ({
    ...p,
    spec: { ...p.spec, resourceQuota: { hard }, ...(o.quotaExisting ? { quotaPolicy: 'AllNamespaces' as const } : {}) },
  }));
  process.stdout.write(`project ${name}: each namespace's quota is ${fmt(hard)}\n`);
}
