// The APIService controller (kube-aggregator's availability and discovery controllers in one):
// keeps a Local APIService for every built-in group/version, and for each APIService backed by a
// Service checks that the backend answers its discovery document, lists its resources in this
// server's discovery, and writes the Available condition. The dispatcher asks it where to proxy.
import { BUILTIN_RESOURCES, clone, isRecord, type ResourceInfo, type StoredObject } from '@wharf/api';
import type { ObjectApi } from '../objects/api.js';
import { internalContext } from '../objects/context.js';
import { nowRfc3339 } from '../objects/lifecycle.js';
import type { Watcher } from '../storage/index.js';
import { getFromBackend, type ApiServiceTarget, type ProxyIdentity } from './client.js';
import { resolveService } from './endpoint.js';

const PREFIX = '/registry/apiregistration.k8s.io/apiservices/';

export interface ApiServiceControllerOptions {
  readonly api: ObjectApi;
  /** The front proxy's client certificate, presented to backends. */
  readonly identity: ProxyIdentity;
  /** How often each aggregated APIService is checked again. @default 10000 */
  readonly probeEveryMs?: number;
  /** How long a backend may take to answer its discovery document. @default 5000 */
  readonly probeTimeoutMs?: number;
}

interface Condition {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** The APIService name of a group/version: `v1.apps`, and `v1.` for the core group. */
export const apiServiceName = (group: string, version: string): string => `${version}.${group}`;

export class ApiServiceController {
  private readonly targets = new Map<string, ApiServiceTarget>();
  private readonly probing = new Set<string>();
  private readonly watchers: Watcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly api: ObjectApi;
  private readonly identity: ProxyIdentity;
  private readonly probeEveryMs: number;
  private readonly probeTimeoutMs: number;

  constructor(opts: ApiServiceControllerOptions) {
    this.api = opts.api;
    this.identity = opts.identity;
    this.probeEveryMs = opts.probeEveryMs ?? 10_000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 5_000;
  }

  async start(): Promise<void> {
    await this.ensureLocal();
    for (const e of this.api.store.list(PREFIX)) this.observe(e.object);
    this.watchers.push(
      this.api.store.watch(PREFIX, this.api.store.revision, (ev) => {
        if (!ev) return;
        // Not inside the store's commit: observing may write the status.
        setImmediate(() => {
          if (ev.type === 'DELETED') this.forget(ev.object);
          else this.observe(ev.object);
        });
      }),
    );
    // A backend's Service or Endpoints changing is a reason to check it again now.
    for (const resource of ['services', 'endpoints']) {
      this.watchers.push(
        this.api.store.watch(`/registry/core/${resource}/`, this.api.store.revision, (ev) => {
          if (!ev) return;
          const { namespace, name } = ev.object.metadata;
          for (const t of this.targets.values()) {
            if (t.service.namespace === namespace && t.service.name === name)
              setImmediate(() => void this.probe(t.name));
          }
        }),
      );
    }
    this.timer = setInterval(() => {
      for (const name of this.targets.keys()) void this.probe(name);
    }, this.probeEveryMs);
    this.timer.unref();
  }

  stop(): void {
    for (const w of this.watchers) w.stop();
    if (this.timer) clearInterval(this.timer);
  }

  /** The backend serving group/version, when an APIService delegates it to a Service. */
  target(group: string, version: string): ApiServiceTarget | undefined {
    return this.targets.get(apiServiceName(group, version));
  }

  /** A Local APIService for each built-in group/version, as kube-apiserver registers them. */
  private async ensureLocal(): Promise<void> {
    const served = this.api.registry.lookup('apiregistration.k8s.io', 'v1', 'apiservices');
    if (!served) return;
    const seen = new Set<string>();
    for (const info of BUILTIN_RESOURCES) {
      const name = apiServiceName(info.group, info.version);
      if (seen.has(name)) continue;
      seen.add(name);
      if (this.api.store.get(`${PREFIX}${name}`)) continue;
      const body = {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
        spec: {
          ...(info.group ? { group: info.group } : {}),
          version: info.version,
          groupPriorityMinimum: info.group ? 1000 : 18000,
          versionPriority: 15,
        },
      };
      const created = await this.api.create(served, '', body, internalContext());
      await this.writeCondition(created, {
        status: 'True',
        reason: 'Local',
        message: 'Local APIServices are always available',
      });
    }
  }

  private observe(obj: StoredObject): void {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const name = obj.metadata.name;
    const service = isRecord(spec.service) ? spec.service : undefined;
    if (!service) {
      this.forget(obj);
      const available = conditionOf(obj);
      if (available?.reason !== 'Local')
        void this.writeCondition(obj, {
          status: 'True',
          reason: 'Local',
          message: 'Local APIServices are always available',
        });
      return;
    }
    const group = typeof spec.group === 'string' ? spec.group : '';
    const version = typeof spec.version === 'string' ? spec.version : '';
    const ca =
      typeof spec.caBundle === 'string' && spec.caBundle
        ? Buffer.from(spec.caBundle, 'base64').toString('utf8')
        : undefined;
    const target: ApiServiceTarget = {
      name,
      group,
      version,
      ca,
      insecureSkipTLSVerify: spec.insecureSkipTLSVerify === true,
      service: {
        namespace: String(service.namespace ?? ''),
        name: String(service.name ?? ''),
        port: typeof service.port === 'number' ? service.port : 443,
      },
    };
    // Our own status writes come back here too: only a changed spec means a new check.
    if (JSON.stringify(this.targets.get(name)) === JSON.stringify(target)) return;
    this.targets.set(name, target);
    void this.probe(name);
  }

  private forget(obj: StoredObject): void {
    const t = this.targets.get(obj.metadata.name);
    if (!t) return;
    this.targets.delete(obj.metadata.name);
    this.api.registry.syncAggregated(t.group, t.version, undefined);
  }

  /** Checks one aggregated APIService: discovery from its backend, then the Available condition. */
  private async probe(name: string): Promise<void> {
    const target = this.targets.get(name);
    if (!target || this.probing.has(name)) return;
    this.probing.add(name);
    try {
      const condition = await this.check(target);
      if (this.targets.get(name) !== target) return; // changed or deleted meanwhile
      const stored = this.api.store.get(`${PREFIX}${name}`);
      if (stored) await this.writeCondition(stored, condition);
    } finally {
      this.probing.delete(name);
      const now = this.targets.get(name);
      if (now && now !== target) void this.probe(name);
    }
  }

  private async check(target: ApiServiceTarget): Promise<Condition> {
    const where = resolveService(this.api.store, target.service);
    if (!where.ok) {
      this.api.registry.syncAggregated(target.group, target.version, undefined);
      return { status: 'False', reason: where.reason, message: where.message };
    }
    const path = `/apis/${target.group}/${target.version}`;
    const url = `https://${where.host}:${where.port}${path}`;
    try {
      const r = await getFromBackend(target, where.host, where.port, this.identity, path, this.probeTimeoutMs);
      if (r.status < 200 || r.status >= 300) throw new Error(`bad status from ${url}: ${r.status}`);
      this.api.registry.syncAggregated(target.group, target.version, resourcesOf(JSON.parse(r.body) as unknown));
      return { status: 'True', reason: 'Passed', message: 'all checks passed' };
    } catch (e) {
      this.api.registry.syncAggregated(target.group, target.version, undefined);
      return {
        status: 'False',
        reason: 'FailedDiscoveryCheck',
        message: `failing or missing response from ${url}: ${(e as Error).message}`,
      };
    }
  }

  private async writeCondition(obj: StoredObject, c: Condition): Promise<void> {
    const current = conditionOf(obj);
    if (current && current.status === c.status && current.reason === c.reason && current.message === c.message) return;
    const served = this.api.registry.lookup('apiregistration.k8s.io', 'v1', 'apiservices');
    if (!served) return;
    const next = clone(obj);
    const transition =
      current?.status === c.status && current.lastTransitionTime
        ? current.lastTransitionTime
        : nowRfc3339(this.api.clock);
    next.status = {
      conditions: [
        { type: 'Available', status: c.status, lastTransitionTime: transition, reason: c.reason, message: c.message },
      ],
    };
    try {
      await this.api.update(served, '', obj.metadata.name, next, internalContext(), 'status');
    } catch {
      // A newer write won; its watch event brings the next check.
    }
  }
}

function conditionOf(obj: StoredObject): (Condition & { lastTransitionTime?: string }) | undefined {
  const conds = isRecord(obj.status) && Array.isArray(obj.status.conditions) ? obj.status.conditions : [];
  const c = conds.find((x) => isRecord(x) && x.type === 'Available');
  return isRecord(c) ? (c as unknown as Condition & { lastTransitionTime?: string }) : undefined;
}

/** The resources of an APIResourceList, subresources folded into their parents. */
export function resourcesOf(list: unknown): ResourceInfo[] {
  const entries = isRecord(list) && Array.isArray(list.resources) ? list.resources.filter(isRecord) : [];
  const out = new Map<string, ResourceInfo & { subresources: string[] }>();
  for (const r of entries) {
    const name = typeof r.name === 'string' ? r.name : '';
    if (!name || name.includes('/')) continue;
    const strings = (v: unknown): string[] | undefined =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
    const shortNames = strings(r.shortNames);
    const categories = strings(r.categories);
    out.set(name, {
      group: '',
      version: '',
      resource: name,
      kind: String(r.kind ?? ''),
      singular:
        typeof r.singularName === 'string' && r.singularName ? r.singularName : String(r.kind ?? '').toLowerCase(),
      namespaced: r.namespaced === true,
      verbs: strings(r.verbs) ?? [],
      subresources: [],
      ...(shortNames ? { shortNames } : {}),
      ...(categories ? { categories } : {}),
    });
  }
  for (const r of entries) {
    const [parent, sub] = String(r.name ?? '').split('/');
    if (parent && sub) out.get(parent)?.subresources.push(sub);
  }
  return [...out.values()];
}
