// Server-side printing: meta.k8s.io/v1 Tables for `kubectl get`, with the columns the real API
// server prints for each built-in kind and the additionalPrinterColumns of custom resources.

export { toTable, printerFor } from './table.js';
export type { Table, TableRow, TableOptions } from './table.js';
export type { TableColumn, TableRowCondition, Printer, PrintContext } from './columns.js';
export type { PrinterColumn } from './custom.js';
export { compileJsonPath, JsonPathError } from './jsonpath.js';
export type { CompiledPath } from './jsonpath.js';
export { humanDuration } from './format.js';
