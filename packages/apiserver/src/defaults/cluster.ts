// Defaults of the cluster-level groups: rbac (roleRef and subject apiGroup), storage
// (StorageClass, CSIDriver), scheduling (PriorityClass), autoscaling (HPA v1 and v2).
import { ensureRec, hasItems, rec, recs, setDefault, setDefaultIfZero, type Obj } from './util.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** RoleBinding and ClusterRoleBinding: roleRef.apiGroup and each subject's apiGroup. */
export function defaultRoleBinding(binding: Obj): void {
  const roleRef = rec(binding, 'roleRef');
  if (roleRef) setDefaultIfZero(roleRef, 'apiGroup', RBAC_GROUP);
  for (const subject of recs(binding, 'subjects')) {
    if (subject.apiGroup !== undefined && subject.apiGroup !== null && subject.apiGroup !== '') continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
    // Subject.apiGroup is omitempty in the Go type: a ServiceAccount's "" never reads back.
    else if (subject.kind === 'ServiceAccount') delete subject.apiGroup;
  }
}

export function defaultStorageClass(sc: Obj): void {
  setDefault(sc, 'reclaimPolicy', 'Delete');
  setDefault(sc, 'volumeBindingMode', 'Immediate');
}

export function defaultCSIDriver(driver: Obj): void {
  const spec = ensureRec(driver, 'spec');
  if (!spec) return;
  setDefault(spec, 'attachRequired', true);
  setDefault(spec, 'podInfoOnMount', false);
  setDefault(spec, 'storageCapacity', false);
  setDefault(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (!hasItems(spec, 'volumeLifecycleModes')) spec.volumeLifecycleModes = ['Persistent'];
  setDefault(spec, 'requiresRepublish', false);
  setDefault(spec, 'seLinuxMount', false);
}

export function defaultPriorityClass(pc: Obj): void {
  setDefault(pc, 'preemptionPolicy', 'PreemptLowerPriority');
}

/** HPA scaling rules filled in when spec.behavior is given (autoscaling/v2). */
function scalingRules(given: Obj | undefined, up: boolean): Obj {
  const rules: Obj = up
    ? {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      }
    : { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) {
    if (given && given[key] !== undefined && given[key] !== null) rules[key] = given[key];
  }
  return rules;
}

export function defaultHorizontalPodAutoscalerV2(hpa: Obj): void {
  const spec = ensureRec(hpa, 'spec');
  if (!spec) return;
  setDefault(spec, 'minReplicas', 1);
  if (!hasItems(spec, 'metrics')) {
    spec.metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ];
  }
  const behavior = rec(spec, 'behavior');
  if (behavior) {
    behavior.scaleUp = scalingRules(rec(behavior, 'scaleUp'), true);
    behavior.scaleDown = scalingRules(rec(behavior, 'scaleDown'), false);
  }
}

export function defaultHorizontalPodAutoscalerV1(hpa: Obj): void {
  const spec = ensureRec(hpa, 'spec');
  if (spec) setDefault(spec, 'minReplicas', 1);
}
