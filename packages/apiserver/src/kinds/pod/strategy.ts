// The Pod: every rule of the kind the API server applies, gathered here (pkg/registry/core/pod).
// The PodSpec parts (defaults.ts, validation.ts) also serve every kind with a pod template.
import { FieldPath } from '../../validation/issues.js';
import type { KindStrategy } from '../strategy.js';
import { defaultPod } from './defaults.js';
import { podFieldLabels } from './fields.js';
import { podGracePeriod, preparePodForCreate } from './lifecycle.js';
import { admitServiceAccount } from './serviceaccount.js';
import { podPrinter } from './table.js';
import { validatePodSpec, validatePodSpecUpdate } from './validation.js';
import { validateEphemeralContainersUpdate } from './ephemeral.js';

export const podStrategy: KindStrategy = {
  group: '',
  kind: 'Pod',
  resource: 'pods',
  defaults: (pod, operation) => {
    defaultPod(pod);
    // The ServiceAccount admission plugin runs on create only; the token volume is opt-in.
    if (operation === 'create') admitServiceAccount(pod);
  },
  validate: (pod) => validatePodSpec(pod.spec, FieldPath.root('spec')),
  validateUpdate: (pod, old) => [
    ...validatePodSpecUpdate(pod.spec, old.spec, FieldPath.root('spec')),
    ...validateEphemeralContainersUpdate(pod.spec, old.spec, FieldPath.root('spec').child('ephemeralContainers')),
  ],
  prepareForCreate: preparePodForCreate,
  subresourceFields: { ephemeralcontainers: ['ephemeralContainers'] },
  printer: podPrinter,
  fieldLabels: podFieldLabels,
  gracePeriod: podGracePeriod,
};
