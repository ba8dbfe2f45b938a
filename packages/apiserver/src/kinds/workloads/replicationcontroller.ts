// core/v1 ReplicationController, the ReplicaSet's predecessor (pkg/registry/core/replicationcontroller).
import { defaultReplicationController } from '../../defaults/core.js';
import { replicationControllerPrinter } from '../../tables/core.js';
import type { KindStrategy } from '../strategy.js';
import { replicationControllerFieldLabels } from './fields.js';
import { validateReplicationController } from './validation.js';

export const replicationControllerStrategy: KindStrategy = {
  group: '',
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  defaults: defaultReplicationController,
  validate: validateReplicationController,
  printer: replicationControllerPrinter,
  fieldLabels: replicationControllerFieldLabels,
};
