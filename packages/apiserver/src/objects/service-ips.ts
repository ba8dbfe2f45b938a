// Service address allocation, as the Service registry does it: a cluster IP from the service
// range for every non-headless, non-ExternalName Service, and node ports for NodePort and
// LoadBalancer Services. An update that leaves them out keeps the ones already allocated.
import { isRecord } from '@wharf/api';
import { invalid } from '../errors.js';
import { resourcePrefix, type Store } from '../storage/index.js';
import type { AdmissionPlugin } from './context.js';

/** kube-apiserver's default --service-cluster-ip-range. */
const RANGE_BASE = (10 << 24) | (96 << 16);
const RANGE_SIZE = 1 << 20;
const RANGE_TEXT = '10.96.0.0/12';
/** kube-apiserver's default --service-node-port-range. */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});

const ipText = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function ipNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inUse(store: Store, skipUid: string | undefined): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const { object } of store.list(resourcePrefix('', 'services'))) {
    if (skipUid && object.metadata.uid === skipUid) continue;
    const spec = rec(object.spec);
    if (typeof spec.clusterIP === 'string') ips.add(spec.clusterIP);
    for (const p of Array.isArray(spec.ports) ? spec.ports : [])
      if (typeof rec(p).nodePort === 'number') ports.add(rec(p).nodePort as number);
  }
  return { ips, ports };
}

function pick<T>(tries: () => T, taken: (v: T) => boolean, fallback: () => T | undefined): T | undefined {
  for (let i = 0; i < 64; i++) {
    const v = tries();
    if (!taken(v)) return v;
  }
  return fallback();
}

export function serviceAllocation(store: Store): AdmissionPlugin {
  return (req) => {
    const { info } = req.served;
    if (info.kind !== 'Service' || info.group !== '' || req.subresource !== '' || !req.object) return;
    if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
    const spec = rec(req.object.spec);
    if (!isRecord(req.object.spec)) return;
    const name = req.object.metadata?.name ?? '';
    const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
    const oldSpec = rec(req.old?.spec);
    const fail = (field: string, value: unknown, message: string): never => {
      throw invalid('Service', '', name, [
        { reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` },
      ]);
    };
    const used = inUse(store, req.old?.metadata.uid);

    const firstOfList = Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : undefined;
    if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof firstOfList === 'string' && firstOfList)
      spec.clusterIP = firstOfList;
    if (type !== 'ExternalName' && spec.clusterIP !== 'None') {
      if (
        (spec.clusterIP === undefined || spec.clusterIP === '') &&
        typeof oldSpec.clusterIP === 'string' &&
        oldSpec.clusterIP
      ) {
        spec.clusterIP = oldSpec.clusterIP;
      }
      if (spec.clusterIP === undefined || spec.clusterIP === '') {
        const ip = pick(
          () => ipText(RANGE_BASE + 2 + Math.floor(Math.random() * (RANGE_SIZE - 3))),
          (v) => used.ips.has(v),
          () => {
            for (let n = 2; n < RANGE_SIZE - 1; n++)
              if (!used.ips.has(ipText(RANGE_BASE + n))) return ipText(RANGE_BASE + n);
            return undefined;
          },
        );
        if (!ip) fail('spec.clusterIPs', [], `failed to allocate IP: range is full`);
        spec.clusterIP = ip;
      } else if (spec.clusterIP !== oldSpec.clusterIP) {
        const n = ipNumber(String(spec.clusterIP));
        if (n === undefined || n < RANGE_BASE || n >= RANGE_BASE + RANGE_SIZE) {
          fail(
            'spec.clusterIPs',
            [spec.clusterIP],
            `failed to allocate IP ${String(spec.clusterIP)}: the provided IP (${String(spec.clusterIP)}) is not in the valid range. The range of valid IPs is ${RANGE_TEXT}`,
          );
        }
        if (used.ips.has(String(spec.clusterIP)))
          fail(
            'spec.clusterIPs',
            [spec.clusterIP],
            `failed to allocate IP ${String(spec.clusterIP)}: provided IP is already allocated`,
          );
      }
      spec.clusterIPs = [spec.clusterIP];
    }

    if (type !== 'ExternalName' && spec.clusterIP === 'None') spec.clusterIPs = ['None'];

    if (type !== 'NodePort' && type !== 'LoadBalancer') return;
    const oldPorts = Array.isArray(oldSpec.ports) ? oldSpec.ports.map(rec) : [];
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    // Requested ports first, so that a random pick for another port of the same Service
    // cannot take one of them.
    ports.forEach((raw, i) => {
      const p = rec(raw);
      if (typeof p.nodePort !== 'number' || p.nodePort === 0) return;
      if (!oldPorts.some((o) => o.nodePort === p.nodePort)) {
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
          fail(
            `spec.ports[${i}].nodePort`,
            p.nodePort,
            `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
          );
        }
        if (used.ports.has(p.nodePort))
          fail(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated');
      }
      used.ports.add(p.nodePort);
    });
    ports.forEach((raw, i) => {
      const p = rec(raw);
      if (p.nodePort !== undefined && p.nodePort !== 0) return;
      const kept = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      if (typeof kept === 'number' && !used.ports.has(kept)) {
        p.nodePort = kept;
      } else {
        const port = pick(
          () => NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN + 1)),
          (v) => used.ports.has(v),
          () => {
            for (let n = NODE_PORT_MIN; n <= NODE_PORT_MAX; n++) if (!used.ports.has(n)) return n;
            return undefined;
          },
        );
        if (port === undefined) fail(`spec.ports[${i}].nodePort`, 0, 'failed to allocate port: range is full');
        p.nodePort = port;
      }
      used.ports.add(p.nodePort as number);
    });
  };
}
