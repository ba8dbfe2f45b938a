// Events, in both API groups: core/v1 (involvedObject, source) and events.k8s.io/v1 (regarding,
// reportingController), the same stored shape read through two sets of field labels.
import { isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { identity, metaFields, notSupported, str } from '../selectors/field-values.js';
import { eventPrinter, eventsV1Printer } from '../tables/events.js';
import type { KindStrategy } from './strategy.js';

/** core/v1 Event fields; also reads events.k8s.io-shaped objects (regarding, reportingController). */
function coreEventFields(obj: KubeObject): Record<string, string> {
  const involved = isRecord(obj['involvedObject'])
    ? obj['involvedObject']
    : isRecord(obj['regarding'])
      ? obj['regarding']
      : {};
  const reporting = str(obj, 'reportingComponent') || str(obj, 'reportingController');
  const source = str(obj, 'source.component') || str(obj, 'deprecatedSource.component') || reporting;
  return {
    ...metaFields(obj, true),
    'involvedObject.kind': str(involved, 'kind'),
    'involvedObject.namespace': str(involved, 'namespace'),
    'involvedObject.name': str(involved, 'name'),
    'involvedObject.uid': str(involved, 'uid'),
    'involvedObject.apiVersion': str(involved, 'apiVersion'),
    'involvedObject.resourceVersion': str(involved, 'resourceVersion'),
    'involvedObject.fieldPath': str(involved, 'fieldPath'),
    reason: str(obj, 'reason'),
    reportingComponent: reporting,
    source,
    type: str(obj, 'type'),
  };
}

const CORE_EVENT_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];
const REGARDING = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

export const coreEventStrategy: KindStrategy = {
  group: '',
  kind: 'Event',
  resource: 'events',
  printer: eventPrinter,
  fieldLabels: { accepted: identity(CORE_EVENT_LABELS), unsupported: notSupported, get: coreEventFields },
};

export const eventStrategy: KindStrategy = {
  group: 'events.k8s.io',
  kind: 'Event',
  resource: 'events',
  printer: eventsV1Printer,
  fieldLabels: {
    accepted: {
      ...identity(['reason', 'reportingController', 'source', 'type', 'metadata.namespace', 'metadata.name']),
      ...Object.fromEntries(REGARDING.map((f) => [`regarding.${f}`, `regarding.${f}`])),
    },
    unsupported: notSupported,
    get: (o) => {
      const core = coreEventFields(o);
      const out: Record<string, string> = {
        ...metaFields(o, true),
        reason: core['reason'] ?? '',
        reportingController: core['reportingComponent'] ?? '',
        source: core['source'] ?? '',
        type: core['type'] ?? '',
      };
      for (const f of REGARDING) out[`regarding.${f}`] = core[`involvedObject.${f}`] ?? '';
      return out;
    },
  },
};
