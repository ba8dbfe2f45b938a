// apps/v1 ControllerRevision: the history the StatefulSet and DaemonSet controllers keep.
import type { KindStrategy } from '../strategy.js';
import { controllerRevisionPrinter } from './table-apps.js';

export const controllerRevisionStrategy: KindStrategy = {
  group: 'apps',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  printer: controllerRevisionPrinter,
};
