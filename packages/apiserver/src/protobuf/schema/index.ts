// The whole schema table and the kinds it can decode, keyed by the apiVersion and kind that arrive
// in the runtime.Unknown envelope.
import { apps } from './apps.js';
import { authentication } from './authentication.js';
import { autoscaling } from './autoscaling.js';
import { authorization } from './authorization.js';
import { batch } from './batch.js';
import { certificates } from './certificates.js';
import { core } from './core.js';
import { corePod } from './core-pod.js';
import { coreVolume } from './core-volume.js';
import { meta } from './meta.js';
import { networking } from './networking.js';
import { policy } from './policy.js';
import { rbac } from './rbac.js';
import { scheduling } from './scheduling.js';
import type { KindTable, SchemaTable } from './types.js';

export type { FieldSpec, KindTable, MessageSpec, SchemaTable } from './types.js';

export const SCHEMA: SchemaTable = {
  ...meta,
  ...core,
  ...corePod,
  ...coreVolume,
  ...apps,
  ...authentication,
  ...autoscaling,
  ...authorization,
  ...batch,
  ...certificates,
  ...rbac,
  ...policy,
  ...networking,
  ...scheduling,
};

export const KINDS: KindTable = {
  v1: {
    Namespace: 'core.Namespace',
    ConfigMap: 'core.ConfigMap',
    Secret: 'core.Secret',
    ServiceAccount: 'core.ServiceAccount',
    ResourceQuota: 'core.ResourceQuota',
    Service: 'core.Service',
    Pod: 'core.Pod',
    PersistentVolumeClaim: 'core.PersistentVolumeClaim',
  },
  'apps/v1': {
    Deployment: 'apps.Deployment',
    ReplicaSet: 'apps.ReplicaSet',
    DaemonSet: 'apps.DaemonSet',
    StatefulSet: 'apps.StatefulSet',
  },
  'batch/v1': { Job: 'batch.Job', CronJob: 'batch.CronJob' },
  'autoscaling/v1': { HorizontalPodAutoscaler: 'autoscaling.HorizontalPodAutoscaler' },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'certificates.CertificateSigningRequest' },
  'rbac.authorization.k8s.io/v1': {
    Role: 'rbac.Role',
    RoleBinding: 'rbac.RoleBinding',
    ClusterRole: 'rbac.ClusterRole',
    // ClusterRoleBinding has RoleBinding's fields and numbers.
    ClusterRoleBinding: 'rbac.RoleBinding',
  },
  'policy/v1': { PodDisruptionBudget: 'policy.PodDisruptionBudget', Eviction: 'policy.Eviction' },
  'networking.k8s.io/v1': { Ingress: 'networking.Ingress', IngressClass: 'networking.IngressClass' },
  'scheduling.k8s.io/v1': { PriorityClass: 'scheduling.PriorityClass' },
  'authentication.k8s.io/v1': {
    TokenRequest: 'authentication.TokenRequest',
    SelfSubjectReview: 'authentication.SelfSubjectReview',
  },
  'authorization.k8s.io/v1': {
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
  },
};
