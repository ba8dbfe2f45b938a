// @wharf/client: the one Kubernetes client library of Wharf. It speaks only the Kubernetes API over
// HTTPS with a kubeconfig, so whatever is built on it (controllers, node services, the platform)
// works unchanged against a real cluster.
export {
  KubeClient,
  ApiError,
  componentUserAgent,
  isStatus,
  type KubeClientOptions,
  type KubeCredentials,
  type PatchType,
  type WatchEvent,
  type WatchHandle,
} from './client.js';
export { realClock, timestamp, timeOf, type Clock } from './clock.js';
export {
  IndexedStore,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  ORPHAN_INDEX,
  OWNER_UID_INDEX,
  keyOf,
  nodeNameIndex,
  orphanIndex,
  ownerUidIndex,
  type IndexFunc,
  type ObjectCache,
} from './cache.js';
export { Informer, InformerFactory, type Handler, type InformerEvent, type InformerOptions } from './informer.js';
export { WorkQueue, runWorkers, type WorkQueueOptions } from './queue.js';
export { Expectations } from './expectations.js';
export { EventRecorder, eventTarget, type EventObject, type EventRecorderOptions, type EventTarget } from './events.js';
export { PodControl, slowStartBatch, type PodControlOptions } from './pod-control.js';
export { PeriodicPass, type PeriodicPassOptions } from './periodic-pass.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './log.js';
export { QueueController, type ControllerContext } from './controller.js';
export { installCrds } from './crds.js';
export {
  LeaderElector,
  defaultIdentity,
  resolveLeaderElectorOptions,
  type LeaderElectorOptions,
  type LeaderElectionOptions,
  type ResolvedLeaderElectorOptions,
} from './leaderelection/elector.js';
export {
  decideLeadership,
  leaseExpiry,
  microTime,
  releasedLease,
  type LeaseConfig,
  type LeaseDecision,
} from './leaderelection/decide.js';
export {
  InvalidQuantityError,
  bytes,
  isEmptySelector,
  matchesNodeRequirement,
  matchesSelector,
  milliCpu,
  parseQuantity,
  quantityValue,
  selectorString,
  type LabelSelectorLike,
  type Labels,
} from '@wharf/api';
export { ensureServingCert, type ServingCert } from './aggregation/serving-cert.js';
export { reviewAccess, reviewToken, type ResourceAttributes, type ReviewedUser } from './reviews.js';
export {
  RequestHeaderAuth,
  requestHeaderConfig,
  type RemoteUser,
  type RequestHeaderConfig,
} from './aggregation/request-header.js';
export { applyObject, registerAggregatedApi, type AggregatedApi } from './aggregation/register.js';
