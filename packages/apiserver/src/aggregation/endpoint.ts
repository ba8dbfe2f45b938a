// Where an APIService's Service answers: the Service's port, then a ready address of its Endpoints
// carrying that port, as kube-aggregator's service resolver finds it. Failures carry the reason
// and message kube-aggregator writes into the Available condition.
import { isRecord } from '@wharf/api';
import { objectKey, type Store } from '../storage/index.js';

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** @default 443 */
  readonly port: number;
}

export type Resolved =
  | { readonly ok: true; readonly host: string; readonly port: number }
  | {
      readonly ok: false;
      readonly reason: 'ServiceNotFound' | 'ServicePortError' | 'MissingEndpoints';
      readonly message: string;
    };

const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export function resolveService(store: Store, ref: ServiceRef): Resolved {
  const svc = store.get(objectKey('', 'services', ref.namespace, ref.name));
  if (!svc)
    return {
      ok: false,
      reason: 'ServiceNotFound',
      message: `service/${ref.name} in "${ref.namespace}" is not present`,
    };
  const spec = isRecord(svc.spec) ? svc.spec : {};
  if (spec.type === 'ExternalName' && typeof spec.externalName === 'string')
    return { ok: true, host: spec.externalName, port: ref.port };
  const svcPort = records(spec.ports).find((p) => p.port === ref.port);
  if (!svcPort)
    return {
      ok: false,
      reason: 'ServicePortError',
      message: `service/${ref.name} in "${ref.namespace}" is not listening on port ${ref.port}`,
    };
  const portName = typeof svcPort.name === 'string' ? svcPort.name : '';
  const eps = store.get(objectKey('', 'endpoints', ref.namespace, ref.name));
  for (const subset of records(eps?.subsets)) {
    const port = records(subset.ports).find((p) => (typeof p.name === 'string' ? p.name : '') === portName);
    const address = records(subset.addresses).find((a) => typeof a.ip === 'string');
    if (port && typeof port.port === 'number' && address)
      return { ok: true, host: String(address.ip), port: port.port };
  }
  return {
    ok: false,
    reason: 'MissingEndpoints',
    message: `endpoints for service/${ref.name} in "${ref.namespace}" have no addresses with port name "${portName}"`,
  };
}
