// The field labels of the workload kinds that have their own conversion in Kubernetes 1.32; the
// others (Deployment, DaemonSet, CronJob) select on metadata.name and metadata.namespace only.
import {
  count,
  defaultMessage,
  identity,
  metaFields,
  notSupported,
  type KindFields,
} from '../../selectors/field-values.js';

export const jobFieldLabels: KindFields = {
  accepted: identity(['metadata.name', 'metadata.namespace', 'status.successful']),
  unsupported: (l) => `field label "${l}" not supported for batchv1.Job`,
  get: (o) => ({ ...metaFields(o, true), 'status.successful': count(o, 'status.succeeded') }),
};

export const statefulSetFieldLabels: KindFields = {
  // Accepted by the conversion, but StatefulSets expose no such field: it always reads "".
  accepted: identity(['metadata.name', 'metadata.namespace', 'status.successful']),
  unsupported: (l) => `field label not supported for appsv1.StatefulSet: ${l}`,
  get: (o) => metaFields(o, true),
};

export const replicaSetFieldLabels: KindFields = {
  // The storage offers status.replicas but apps/v1 registers no conversion for it, so a
  // selector on it is refused with the default message, as on a real cluster.
  accepted: identity(['metadata.name', 'metadata.namespace']),
  unsupported: defaultMessage,
  get: (o) => ({ ...metaFields(o, true), 'status.replicas': count(o, 'status.replicas') }),
};

export const replicationControllerFieldLabels: KindFields = {
  accepted: identity(['metadata.name', 'metadata.namespace', 'status.replicas']),
  unsupported: notSupported,
  get: (o) => ({ ...metaFields(o, true), 'status.replicas': count(o, 'status.replicas') }),
};
