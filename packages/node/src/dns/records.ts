// The cluster's DNS records, built from Services and EndpointSlices as the Kubernetes DNS
// specification lays them out: a ClusterIP service's A/AAAA record and SRV records for its named
// ports, a headless service's ready endpoints (and `<hostname>.<svc>` per endpoint), CNAMEs for
// ExternalName services, and PTR records for all of them. Pure: the server rebuilds this index
// after each change it watches.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** Fully qualified, lower case, no trailing dot. */
  readonly target: string;
}

/** Everything answered for one name. */
export interface NameRecords {
  readonly a: string[];
  readonly aaaa: string[];
  readonly srv: SrvRecord[];
  cname?: string;
}

export interface DnsRecords {
  readonly domain: string;
  /** Lower-case names without the trailing dot. */
  readonly names: ReadonlyMap<string, NameRecords>;
  /** Names that exist without records of their own (`svc.<domain>`, `<ns>.svc.<domain>`, `_tcp.<svc>…`). */
  readonly nonTerminals: ReadonlySet<string>;
  /** `<reversed ip>.in-addr.arpa` (or ip6.arpa) → names. */
  readonly ptr: ReadonlyMap<string, string[]>;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function buildRecords(
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
  domain = 'cluster.local',
): DnsRecords {
  const zone = normalizeName(domain);
  const names = new Map<string, NameRecords>();
  const ptr = new Map<string, string[]>();
  const entry = (name: string): NameRecords => {
    let e = names.get(name);
    if (!e) names.set(name, (e = { a: [], aaaa: [], srv: [] }));
    return e;
  };
  const addAddress = (name: string, ip: string): void => {
    const e = entry(name);
    const list = ip.includes(':') ? e.aaaa : e.a;
    if (!list.includes(ip)) list.push(ip);
  };
  const addPtr = (ip: string, name: string): void => {
    const r = reverseName(ip);
    if (!r) return;
    const list = ptr.get(r) ?? [];
    if (!list.includes(name)) list.push(name);
    ptr.set(r, list);
  };

  const slicesBySvc = new Map<string, V1EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = `${s.metadata?.namespace ?? ''}/${svc}`;
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), s]);
  }

  for (const svc of services) {
    const ns = svc.metadata?.namespace;
    const name = svc.metadata?.name;
    if (!ns || !name) continue;
    const base = `${name}.${ns}.svc.${zone}`.toLowerCase();
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      if (spec.externalName) entry(base).cname = normalizeName(spec.externalName);
      continue;
    }
    const headless = spec.clusterIP === 'None';
    if (!headless) {
      const ips = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]).filter(
        (ip): ip is string => !!ip && ip !== 'None',
      );
      if (ips.length === 0) continue; // not allocated yet
      for (const ip of ips) {
        addAddress(base, ip);
        addPtr(ip, base);
      }
      for (const p of spec.ports ?? []) {
        if (!p.name) continue;
        entry(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`.toLowerCase()).srv.push({
          priority: 0,
          weight: 100,
          port: p.port,
          target: base,
        });
      }
      continue;
    }
    entry(base); // a headless service without ready endpoints still exists (NODATA, not NXDOMAIN)
    const publishNotReady = spec.publishNotReadyAddresses === true;
    for (const slice of slicesBySvc.get(`${ns}/${name}`) ?? []) {
      for (const ep of slice.endpoints ?? []) {
        const ready = publishNotReady || ep.conditions?.ready !== false;
        if (!ready) continue;
        for (const ip of ep.addresses ?? []) {
          const target = `${ep.hostname ? ep.hostname.toLowerCase() : dashed(ip)}.${base}`;
          addAddress(base, ip);
          addAddress(target, ip);
          addPtr(ip, target);
          for (const p of slice.ports ?? []) {
            if (!p.name || p.port === undefined) continue;
            const srvName = `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`.toLowerCase();
            const e = entry(srvName);
            if (!e.srv.some((r) => r.target === target && r.port === p.port))
              e.srv.push({ priority: 0, weight: 100, port: p.port, target });
          }
        }
      }
    }
  }

  const nonTerminals = new Set<string>([zone, `svc.${zone}`, `pod.${zone}`]);
  for (const name of names.keys()) {
    let n = name;
    while (n.length > zone.length) {
      const dot = n.indexOf('.');
      if (dot < 0) break;
      n = n.slice(dot + 1);
      if (!names.has(n)) nonTerminals.add(n);
    }
  }
  return { domain: zone, names, nonTerminals, ptr };
}

/** Lower case, no trailing dot. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** 10.1.2.3 → 10-1-2-3; IPv6 colons become dashes too, as CoreDNS does. */
export function dashed(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The reverse-lookup name of an address (without the trailing dot). */
export function reverseName(ip: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (!ip.includes(':')) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups =
    halves.length === 2 ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const nibbles = groups
    .map((g) => g.toLowerCase().padStart(4, '0'))
    .join('')
    .split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}
