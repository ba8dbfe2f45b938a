// A pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet builds it:
// ClusterFirst → the cluster DNS server, `search <ns>.svc.<domain> svc.<domain> <domain>` and
// `options ndots:5`; Default → the host's file; None → dnsConfig alone. dnsConfig's nameservers
// and searches are appended (deduplicated), its options override by name. Pure, except
// sandboxDnsConfig, which reads the host's /etc/resolv.conf.
import { readFile } from 'node:fs/promises';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { DnsConfig } from '../runtime/types.js';

export interface ClusterDnsSettings {
  /** The address pods send queries to (port 53). */
  readonly server: string;
  /** @default 'cluster.local' */
  readonly domain?: string;
}

/** The limits the kubelet applies (resolver limits of glibc ≥ 2.26). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export interface HostResolv {
  readonly servers: string[];
  readonly searches: string[];
  readonly options: string[];
}

export function parseResolvConf(text: string): HostResolv {
  const out: HostResolv = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const [key, ...values] = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (key === 'nameserver' && values[0]) out.servers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.searches.splice(0, out.searches.length, ...values);
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

/**
 * The DNS config of a pod's sandbox, or undefined for "the host's resolv.conf unchanged".
 * ClusterFirst without a cluster DNS falls back to Default, as the kubelet does without --cluster-dns.
 */
export function podDnsConfig(
  spec: V1PodSpec | undefined,
  namespace: string,
  cluster: ClusterDnsSettings | undefined,
  host: HostResolv,
): DnsConfig | undefined {
  let policy = spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec?.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if ((policy === 'ClusterFirst' && !cluster) || (policy !== 'ClusterFirst' && policy !== 'None')) policy = 'Default';
  const extra = spec?.dnsConfig;

  let base: { servers: string[]; searches: string[]; options: string[] };
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') {
    if (!extra) return undefined;
    base = { servers: [...host.servers], searches: [...host.searches], options: [...host.options] };
  } else {
    const domain = (cluster!.domain ?? 'cluster.local').replace(/\.$/, '');
    base = {
      servers: [cluster!.server],
      searches: [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...host.searches],
      options: ['ndots:5'],
    };
  }

  const servers = dedupe([...base.servers, ...(extra?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS);
  const searches = dedupe([...base.searches, ...(extra?.searches ?? [])]).slice(0, MAX_SEARCHES);
  const options = new Map<string, string>();
  for (const o of base.options) options.set(o.split(':')[0] ?? o, o);
  for (const o of extra?.options ?? [])
    if (o.name) options.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return { servers, searches, options: [...options.values()] };
}

/** podDnsConfig with the host's /etc/resolv.conf. */
export async function sandboxDnsConfig(
  spec: V1PodSpec | undefined,
  namespace: string,
  cluster: ClusterDnsSettings | undefined,
): Promise<DnsConfig | undefined> {
  return podDnsConfig(
    spec,
    namespace,
    cluster,
    parseResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => '')),
  );
}

/** The gateway (first host address) of a pod CIDR such as 10.64.0.0/24: where pods reach the host. */
export function podCidrGateway(podCIDR: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(podCIDR);
  if (!m) throw new Error(`'podCIDR' must be an IPv4 CIDR such as 10.64.0.0/24, not '${podCIDR}'`);
  const bits = Number(m[5]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const n = ((((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) & mask) >>> 0) + 1;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function dedupe(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
