// Cluster-administration kinds whose rules are defaults and table columns: autoscaling,
// policy, coordination, storage, scheduling, certificates. CSIDriver is not served yet; its
// rules are kept so that serving it is one line in BUILTIN_RESOURCES.
import {
  defaultCSIDriver,
  defaultHorizontalPodAutoscalerV1,
  defaultHorizontalPodAutoscalerV2,
  defaultPriorityClass,
  defaultStorageClass,
} from '../defaults/cluster.js';
import { identity, metaFields, notSupported, str } from '../selectors/field-values.js';
import { horizontalPodAutoscalerPrinter } from '../tables/autoscaling.js';
import { leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from '../tables/cluster.js';
import { csiStorageCapacityPrinter, storageClassPrinter } from '../tables/storage.js';
import { csrSubresourceUpdate, validateCsr, validateCsrUpdate } from '../certificates/csr.js';
import { csrPrinter } from '../tables/certificates.js';
import type { KindStrategy } from './strategy.js';

export const horizontalPodAutoscalerStrategy: KindStrategy = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  // v1 and v2 default different fields (v1 has only the CPU target).
  defaults: (hpa, _operation, version) => {
    if (version === 'v2') defaultHorizontalPodAutoscalerV2(hpa);
    else if (version === 'v1') defaultHorizontalPodAutoscalerV1(hpa);
  },
  printer: horizontalPodAutoscalerPrinter,
};

export const podDisruptionBudgetStrategy: KindStrategy = {
  group: 'policy',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  printer: podDisruptionBudgetPrinter,
};

export const leaseStrategy: KindStrategy = {
  group: 'coordination.k8s.io',
  kind: 'Lease',
  resource: 'leases',
  printer: leasePrinter,
};

export const storageClassStrategy: KindStrategy = {
  group: 'storage.k8s.io',
  kind: 'StorageClass',
  resource: 'storageclasses',
  defaults: defaultStorageClass,
  printer: storageClassPrinter,
};

export const csiStorageCapacityStrategy: KindStrategy = {
  group: 'storage.k8s.io',
  kind: 'CSIStorageCapacity',
  resource: 'csistoragecapacities',
  printer: csiStorageCapacityPrinter,
};

export const csiDriverStrategy: KindStrategy = {
  group: 'storage.k8s.io',
  kind: 'CSIDriver',
  resource: 'csidrivers',
  defaults: defaultCSIDriver,
};

export const priorityClassStrategy: KindStrategy = {
  group: 'scheduling.k8s.io',
  kind: 'PriorityClass',
  resource: 'priorityclasses',
  defaults: defaultPriorityClass,
  printer: priorityClassPrinter,
};

export const certificateSigningRequestStrategy: KindStrategy = {
  group: 'certificates.k8s.io',
  kind: 'CertificateSigningRequest',
  resource: 'certificatesigningrequests',
  validate: validateCsr,
  validateUpdate: validateCsrUpdate,
  subresourceUpdate: (sub, given, old) => csrSubresourceUpdate(sub, given, old),
  printer: csrPrinter,
  fieldLabels: {
    accepted: identity(['metadata.name', 'spec.signerName']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'spec.signerName': str(o, 'spec.signerName') }),
  },
};
