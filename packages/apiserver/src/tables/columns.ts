// The building blocks every printer uses: the Table column/row shapes, the Printer contract, and
// the columns most kinds share (Name, Age, Containers, Images). Printers live one file per API
// group (the Pod's and the workloads' in kinds/); each kind's strategy (kinds/) names its own.

import type { KubeObject } from '@wharf/api';
import { DESC } from './descriptions.js';
import { since } from './format.js';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  /** OpenAPI type: string, integer, number, boolean or date. */
  type: string;
  /** OpenAPI format hint; "name" marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 = always shown; higher = shown only with `kubectl get -o wide`. */
  priority: number;
}

/** meta.k8s.io/v1 TableRowCondition (pods mark finished rows "Completed"). */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What a printer needs besides the object. */
export interface PrintContext {
  /** The clock for Age and other "time since" cells. */
  readonly now: Date;
}

/** Turns one object of a kind into the cells of its row, one cell per column. */
export interface Printer {
  readonly columns: readonly TableColumn[];
  cells(obj: KubeObject, ctx: PrintContext): unknown[];
  /** Row conditions, when the kind has any. */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}

/** A column definition; priority 0, no format unless given. */
export function col(
  name: string,
  type: string,
  description: string,
  extra: { priority?: number; format?: string } = {},
): TableColumn {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

/** A priority-1 column: shown only with `-o wide`. */
export function wide(name: string, type: string, description: string): TableColumn {
  return col(name, type, description, { priority: 1 });
}

export const NAME_COLUMN: TableColumn = col('Name', 'string', DESC.name, { format: 'name' });
export const AGE_COLUMN: TableColumn = col('Age', 'string', DESC.creationTimestamp);
export const CONTAINERS_COLUMN: TableColumn = wide('Containers', 'string', 'Names of each container in the template.');
export const IMAGES_COLUMN: TableColumn = wide(
  'Images',
  'string',
  'Images referenced by each container in the template.',
);

/** The object's name, "" when missing. */
export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

/** The Age cell: time since creationTimestamp, "<unknown>" when missing. */
export function ageOf(obj: KubeObject, ctx: PrintContext): string {
  return since(obj.metadata?.creationTimestamp, ctx.now);
}
