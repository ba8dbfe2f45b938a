// Printers built at request time rather than per kind: the one for custom resources (columns from
// the CRD's additionalPrinterColumns, evaluated with JSONPath) and the default one for kinds
// without a printer (Name and Created At, as the real server's default table convertor).

import { NAME_COLUMN, col, nameOf } from './columns.js';
import type { Printer, TableColumn } from './columns.js';
import { DESC } from './descriptions.js';
import { humanDuration, parseTime } from './format.js';
import { compileJsonPath } from './jsonpath.js';
import type { CompiledPath } from './jsonpath.js';

import type { PrinterColumn } from '../registry.js';

export type { PrinterColumn };

/** The default table convertor: Name and the creation time as an RFC 3339 date cell. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', DESC.creationTimestamp)],
  cells(obj) {
    const created = parseTime(obj.metadata?.creationTimestamp) ?? Date.parse('0001-01-01T00:00:00Z');
    return [nameOf(obj), formatRFC3339(created)];
  },
};

/** Go's time.RFC3339 in UTC: whole seconds, "Z". */
function formatRFC3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the API server serves when a CRD version declares no printer columns. */
const DEFAULT_CRD_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Age', type: 'date', description: DESC.creationTimestamp, jsonPath: '.metadata.creationTimestamp' },
];

/** Go's json.Marshal for a result printed as text: map keys sorted, no spaces. */
function marshalSorted(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** A string column's cell: how kubectl's JSONPath printer writes the first result. */
function stringCell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return marshalSorted(value);
}

/** A typed column's cell; null when the value does not have the column's type. */
function typedCell(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return stringCell(value);
    case 'date': {
      // Since Kubernetes 1.21 the server renders dates as an age, as kubectl expects.
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const t = parseTime(value);
      return t === undefined ? '<invalid>' : humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/**
 * The printer for a custom resource. Columns come from `printerColumns` (the CRD's
 * additionalPrinterColumns); with none, Name and Age. A JSONPath that does not parse makes the
 * whole table fall back to the default columns, as the real server does.
 */
export function customResourcePrinter(printerColumns: readonly PrinterColumn[]): Printer {
  const defs = printerColumns.length > 0 ? printerColumns : DEFAULT_CRD_COLUMNS;
  const paths: CompiledPath[] = [];
  try {
    for (const def of defs) paths.push(compileJsonPath(def.jsonPath));
  } catch {
    return defaultPrinter;
  }
  const columns: TableColumn[] = [
    NAME_COLUMN,
    ...defs.map((def) => ({
      name: def.name,
      type: def.type,
      format: def.format ?? '',
      description: def.description || `Custom resource definition column (in JSONPath format): ${def.jsonPath}`,
      priority: def.priority ?? 0,
    })),
  ];
  return {
    columns,
    cells(obj, ctx) {
      const cells: unknown[] = [nameOf(obj)];
      defs.forEach((def, i) => {
        const results = paths[i]?.evaluate(obj) ?? [];
        cells.push(results.length === 0 ? null : typedCell(def.type, results[0], ctx.now));
      });
      return cells;
    },
  };
}
