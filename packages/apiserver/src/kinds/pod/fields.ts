// The Pod's field labels (pkg/registry/core/pod's PodToSelectableFields and the v1 conversion):
// what `kubectl get pods --field-selector` and the node agents' watches select on.
import { isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { at, bool, identity, metaFields, notSupported, str, type KindFields } from '../../selectors/field-values.js';

const POD_LABELS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];

function podFields(obj: KubeObject): Record<string, string> {
  const firstIp = at(obj, 'status.podIPs');
  const ip =
    Array.isArray(firstIp) && isRecord(firstIp[0]) && typeof firstIp[0]['ip'] === 'string'
      ? firstIp[0]['ip']
      : str(obj, 'status.podIP');
  return {
    ...metaFields(obj, true),
    'spec.nodeName': str(obj, 'spec.nodeName'),
    'spec.restartPolicy': str(obj, 'spec.restartPolicy'),
    'spec.schedulerName': str(obj, 'spec.schedulerName'),
    'spec.serviceAccountName': str(obj, 'spec.serviceAccountName'),
    'spec.hostNetwork': bool(obj, 'spec.hostNetwork'),
    'status.phase': str(obj, 'status.phase'),
    'status.podIP': ip,
    'status.nominatedNodeName': str(obj, 'status.nominatedNodeName'),
  };
}

export const podFieldLabels: KindFields = {
  // spec.host is what v1 clients of old sent for spec.nodeName.
  accepted: { ...identity(POD_LABELS), 'spec.host': 'spec.nodeName' },
  unsupported: notSupported,
  get: podFields,
};
