// The event printer for both core/v1 and events.k8s.io/v1 Events (the real server converts both
// to one internal type and prints LAST SEEN, TYPE, REASON, OBJECT, MESSAGE). Follows printEvent of
// k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import type { KubeObject } from '@wharf/api';
import { NAME_COLUMN, col, nameOf, wide } from './columns.js';
import type { PrintContext, Printer, TableColumn } from './columns.js';
import { DESC } from './descriptions.js';
import { get, num, since, str } from './format.js';

/** The fields the printer reads, under their core/v1 names. */
interface EventView {
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: unknown;
  involvedObject: unknown;
  component: string;
  host: string;
  type: string;
  reason: string;
  message: string;
}

function coreView(e: KubeObject): EventView {
  return {
    firstTimestamp: get(e, 'firstTimestamp'),
    lastTimestamp: get(e, 'lastTimestamp'),
    eventTime: get(e, 'eventTime'),
    count: num(get(e, 'count')),
    series: get(e, 'series'),
    involvedObject: get(e, 'involvedObject'),
    component: str(get(e, 'source', 'component')) || str(get(e, 'reportingComponent')),
    host: str(get(e, 'source', 'host')) || str(get(e, 'reportingInstance')),
    type: str(get(e, 'type')),
    reason: str(get(e, 'reason')),
    message: str(get(e, 'message')),
  };
}

function eventsV1View(e: KubeObject): EventView {
  return {
    firstTimestamp: get(e, 'deprecatedFirstTimestamp'),
    lastTimestamp: get(e, 'deprecatedLastTimestamp'),
    eventTime: get(e, 'eventTime'),
    count: num(get(e, 'deprecatedCount')),
    series: get(e, 'series'),
    involvedObject: get(e, 'regarding'),
    component: str(get(e, 'deprecatedSource', 'component')) || str(get(e, 'reportingController')),
    host: str(get(e, 'deprecatedSource', 'host')) || str(get(e, 'reportingInstance')),
    type: str(get(e, 'type')),
    reason: str(get(e, 'reason')),
    message: str(get(e, 'note')),
  };
}

function isSet(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

function eventCells(e: KubeObject, view: EventView, ctx: PrintContext): unknown[] {
  const first = isSet(view.firstTimestamp) ? since(view.firstTimestamp, ctx.now) : since(view.eventTime, ctx.now);
  let last = isSet(view.lastTimestamp) ? since(view.lastTimestamp, ctx.now) : first;
  let count = view.count;
  if (view.series !== undefined && view.series !== null) {
    last = since(get(view.series, 'lastObservedTime'), ctx.now);
    count = num(get(view.series, 'count'));
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the new API
  }
  const kind = str(get(view.involvedObject, 'kind')).toLowerCase();
  const name = str(get(view.involvedObject, 'name'));
  const source = view.host === '' ? view.component : `${view.component}, ${view.host}`;
  return [
    last,
    view.type,
    view.reason,
    name !== '' ? `${kind}/${name}` : kind,
    str(get(view.involvedObject, 'fieldPath')),
    source,
    view.message.trim(),
    first,
    count,
    nameOf(e),
  ];
}

const EVENT_COLUMNS: readonly TableColumn[] = [
  col('Last Seen', 'string', DESC.eventLastTimestamp),
  col('Type', 'string', DESC.eventType),
  col('Reason', 'string', DESC.eventReason),
  col('Object', 'string', DESC.eventInvolvedObject),
  wide('Subobject', 'string', DESC.fieldPath),
  wide('Source', 'string', DESC.eventSource),
  col('Message', 'string', DESC.eventMessage),
  wide('First Seen', 'string', DESC.eventFirstTimestamp),
  wide('Count', 'string', DESC.eventCount),
  { ...NAME_COLUMN, priority: 1 },
];

/** core/v1 Event. */
export const eventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  cells: (e, ctx) => eventCells(e, coreView(e), ctx),
};

/** events.k8s.io/v1 Event: same columns, fields read under their new names. */
export const eventsV1Printer: Printer = {
  columns: EVENT_COLUMNS,
  cells: (e, ctx) => eventCells(e, eventsV1View(e), ctx),
};
