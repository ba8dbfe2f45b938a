// Builds the meta.k8s.io/v1 Table that `kubectl get` asks for
// (Accept: application/json;as=Table;v=v1;g=meta.k8s.io): picks the printer for the resource,
// renders one row per object and attaches the object as includeObject asks.

import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import type { Printer, TableColumn, TableRowCondition } from './columns.js';
import { customResourcePrinter, defaultPrinter } from './custom.js';
import type { PrinterColumn } from './custom.js';
import { strategyForResource } from '../kinds/registry.js';

/** meta.k8s.io/v1 TableRow. */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or absent, per includeObject. */
  object?: unknown;
}

/** meta.k8s.io/v1 Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface TableOptions {
  /** What each row carries in `object` (the includeObject query parameter). @default 'Metadata' */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** The clock for Age cells. @default new Date() */
  now?: Date;
  /**
   * The CRD's additionalPrinterColumns for a custom resource. Given (even empty), the resource is
   * printed as a custom resource; an empty list means Name and Age.
   */
  printerColumns?: PrinterColumn[];
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Leave columnDefinitions empty: watch events after the first, or kubectl repeats headers. */
  omitColumnDefinitions?: boolean;
}

function isBuiltin(info: ResourceInfo): boolean {
  return BUILTIN_RESOURCES.some((r) => r.group === info.group && r.resource === info.resource);
}

/**
 * The printer for a resource: its own for built-in kinds that have one, the CRD columns for
 * custom resources, and Name / Created At for built-in kinds without a printer (roles,
 * clusterroles, limitranges, customresourcedefinitions, ...).
 */
export function printerFor(info: ResourceInfo, printerColumns?: readonly PrinterColumn[]): Printer {
  if (printerColumns !== undefined) return customResourcePrinter(printerColumns);
  const printer = strategyForResource(info.group, info.resource)?.printer;
  if (printer !== undefined) return printer;
  return isBuiltin(info) ? defaultPrinter : customResourcePrinter([]);
}

function rowObject(item: KubeObject, include: TableOptions['includeObject']): unknown {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object':
      return item;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: item.metadata ?? {} };
  }
}

/** Renders `items` (a list, a single get, or one watch event's object) as a Table. */
export function toTable(info: ResourceInfo, items: KubeObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(info, opts.printerColumns);
  const ctx = { now: opts.now ?? new Date() };
  const rows = items.map((item): TableRow => {
    const row: TableRow = { cells: printer.cells(item, ctx) };
    const conditions = printer.conditions?.(item);
    if (conditions !== undefined) row.conditions = conditions;
    const object = rowObject(item, opts.includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined && opts.resourceVersion !== '')
    metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue !== undefined && opts.continue !== '') metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.omitColumnDefinitions === true ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
