// The gateway's routing table, built from the Ingresses of its class (networking.k8s.io/v1), and
// the endpoints of a backend from Services and EndpointSlices. Pure.
// Matching follows the Ingress spec: an exact host beats a `*.` wildcard (one label), which beats
// rules without a host; within a host the longest matching path wins, Exact before Prefix at equal
// length; Prefix matches whole path elements (`/foo` matches `/foo/bar`, not `/foobar`);
// ImplementationSpecific is treated as Prefix. No rule → the default backend, if any.
import type { V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';

export interface Backend {
  readonly namespace: string;
  readonly service: string;
  /** The service port, by number or by name. */
  readonly port: number | string;
  /** `<namespace>/<ingress>`, for logs and error pages. */
  readonly ingress: string;
}

export interface PathRule {
  readonly path: string;
  readonly type: 'Exact' | 'Prefix';
  readonly backend: Backend;
}

export interface TlsEntry {
  readonly namespace: string;
  readonly secretName: string;
  /** Hosts (exact or `*.` wildcards); empty: the certificate for names nothing else covers. */
  readonly hosts: readonly string[];
}

export interface RouteTable {
  readonly exact: ReadonlyMap<string, PathRule[]>;
  /** Keyed by the suffix after `*.` (e.g. `localhost` for `*.localhost`). */
  readonly wildcard: ReadonlyMap<string, PathRule[]>;
  readonly anyHost: readonly PathRule[];
  readonly defaultBackend?: Backend;
  readonly tls: readonly TlsEntry[];
}

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Whether an Ingress belongs to the gateway's class (no class at all: when the class is the default). */
export function isOurs(ing: V1Ingress, className: string, isDefault: boolean): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  return cls === undefined || cls === '' ? isDefault : cls === className;
}

/** The routing table of the given Ingresses, oldest first on conflicts (as ingress-nginx). */
export function buildRoutes(ingresses: readonly V1Ingress[]): RouteTable {
  const sorted = [...ingresses].sort(
    (a, b) =>
      String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')) ||
      key(a).localeCompare(key(b)),
  );
  const exact = new Map<string, PathRule[]>();
  const wildcard = new Map<string, PathRule[]>();
  const anyHost: PathRule[] = [];
  const tls: TlsEntry[] = [];
  let defaultBackend: Backend | undefined;
  for (const ing of sorted) {
    const ns = ing.metadata?.namespace ?? 'default';
    const id = key(ing);
    const toBackend = (
      b: { service?: { name: string; port?: { name?: string; number?: number } } } | undefined,
    ): Backend | undefined =>
      b?.service?.name
        ? {
            namespace: ns,
            service: b.service.name,
            port: b.service.port?.number ?? b.service.port?.name ?? 0,
            ingress: id,
          }
        : undefined;
    defaultBackend ??= toBackend(ing.spec?.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const target = !host ? anyHost : host.startsWith('*.') ? listIn(wildcard, host.slice(2)) : listIn(exact, host);
      for (const p of rule.http?.paths ?? []) {
        const backend = toBackend(p.backend);
        if (!backend) continue;
        const path = p.path || '/';
        const type = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
        // The first (oldest) rule for a host, path and type wins.
        if (!target.some((r) => r.path === path && r.type === type)) target.push({ path, type, backend });
      }
    }
    for (const t of ing.spec?.tls ?? [])
      if (t.secretName)
        tls.push({ namespace: ns, secretName: t.secretName, hosts: (t.hosts ?? []).map((h) => h.toLowerCase()) });
  }
  return { exact, wildcard, anyHost, ...(defaultBackend ? { defaultBackend } : {}), tls };
}

/** The backend for a request, or undefined (404). `host` may carry a port; `url` a query. */
export function matchRoute(table: RouteTable, host: string, url: string): Backend | undefined {
  const h = hostName(host);
  const path = url.split('?')[0] || '/';
  const dot = h.indexOf('.');
  const candidates = [table.exact.get(h), dot > 0 ? table.wildcard.get(h.slice(dot + 1)) : undefined, table.anyHost];
  for (const rules of candidates) {
    const m = rules && bestPath(rules, path);
    if (m) return m.backend;
  }
  return table.defaultBackend;
}

function bestPath(rules: readonly PathRule[], path: string): PathRule | undefined {
  let best: PathRule | undefined;
  let bestLen = -1;
  for (const r of rules) {
    if (!pathMatches(r, path)) continue;
    const len = r.type === 'Prefix' ? r.path.replace(/\/+$/, '').length : r.path.length;
    if (len > bestLen || (len === bestLen && r.type === 'Exact' && best?.type !== 'Exact')) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}

export function pathMatches(rule: Pick<PathRule, 'path' | 'type'>, path: string): boolean {
  if (rule.type === 'Exact') return path === rule.path;
  const prefix = rule.path.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** The host part of a Host header, lower case, without port or trailing dot. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const bare = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d*$/, '');
  return bare.replace(/\.$/, '');
}

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** Ready endpoints of a backend's service port, from the service's EndpointSlices. */
export function backendEndpoints(
  backend: Backend,
  services: (ns: string, name: string) => V1Service | undefined,
  slices: readonly V1EndpointSlice[],
): Endpoint[] {
  const svc = services(backend.namespace, backend.service);
  if (!svc || svc.spec?.type === 'ExternalName') return [];
  const svcPort = (svc.spec?.ports ?? []).find((p) =>
    typeof backend.port === 'number' ? p.port === backend.port : p.name === backend.port,
  );
  if (!svcPort) return [];
  const portName = svcPort.name ?? '';
  const out: Endpoint[] = [];
  for (const s of slices) {
    if (
      s.metadata?.namespace !== backend.namespace ||
      s.metadata.labels?.['kubernetes.io/service-name'] !== backend.service
    )
      continue;
    if (s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP')?.port;
    if (port === undefined) continue;
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses) if (!out.some((e) => e.ip === ip && e.port === port)) out.push({ ip, port });
    }
  }
  return out;
}

function listIn(m: Map<string, PathRule[]>, k: string): PathRule[] {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  return l;
}

function key(o: V1Ingress): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
