// The runners of the Endpoints and EndpointSlice controllers: informers on Services, pods, nodes
// and the objects they write; a pod event queues the Services that select it (before or after
// the change), so a readiness change reaches the endpoints within one round trip.
import type { KubernetesObject, V1EndpointSlice, V1Endpoints, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { PODS } from '../replicaset/controller.js';
import {
  type ControllerContext,
  type Informer,
  isStatus,
  keyOf,
  NODE_NAME_INDEX,
  nodeNameIndex,
  QueueController,
} from '@wharf/client';
import { NODES } from '../scheduler/scheduler.js';
import { reconcileEndpoints } from './endpoints.js';
import { selectsPod, SERVICE_NAME_LABEL } from './pod-endpoints.js';
import { isManagedSliceOf, reconcileEndpointSlices } from './slices.js';

export const SERVICES = '/api/v1/services';
export const ENDPOINTS = '/api/v1/endpoints';
export const ENDPOINT_SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Queues a Service key whenever the Service, or a pod it selects, changes. */
abstract class ServiceKeyedController extends QueueController {
  protected readonly services: Informer<V1Service>;
  protected readonly pods: Informer<V1Pod>;

  constructor(ctx: ControllerContext, name: string) {
    super(ctx, name);
    this.services = ctx.informers.for<V1Service>(SERVICES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.services.on((_t, svc) => this.queue.add(keyOf(svc)));
    this.pods.on((_t, pod, old) => {
      for (const svc of this.services.list(pod.metadata?.namespace ?? '')) {
        if (selectsPod(svc, pod) || (old && selectsPod(svc, old))) this.queue.add(keyOf(svc));
      }
    });
  }

  protected podsOf(svc: V1Service): V1Pod[] {
    return this.pods
      .list(svc.metadata?.namespace ?? '', { matchLabels: svc.spec?.selector ?? {} })
      .filter((p) => selectsPod(svc, p));
  }
}

function ignore404(e: unknown): void {
  if (!isStatus(e, 404)) throw e;
}

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export class EndpointsController extends ServiceKeyedController {
  private readonly endpoints: Informer<V1Endpoints>;

  constructor(ctx: ControllerContext) {
    super(ctx, 'endpoints');
    this.endpoints = ctx.informers.for<V1Endpoints>(ENDPOINTS);
    // Someone else rewrote or deleted an Endpoints object: put it back.
    this.endpoints.on((_t, ep) => {
      if (this.services.getByKey(keyOf(ep))) this.queue.add(keyOf(ep));
    });
  }

  protected async sync(key: string): Promise<void> {
    const [ns, name] = split(key);
    const path = `/api/v1/namespaces/${ns}/endpoints`;
    const svc = this.services.getByKey(key);
    const existing = this.endpoints.getByKey(key);
    if (!svc) {
      if (existing) await this.ctx.client.delete(`${path}/${name}`).catch(ignore404);
      return;
    }
    if (!svc.spec?.selector || svc.spec.type === 'ExternalName') return;
    const action = reconcileEndpoints(svc, this.podsOf(svc), existing);
    if (action.type === 'create') await this.ctx.client.create(path, action.endpoints);
    else if (action.type === 'update') await this.ctx.client.replace(`${path}/${name}`, action.endpoints);
  }
}

export class EndpointSliceController extends ServiceKeyedController {
  private readonly slices: Informer<V1EndpointSlice>;
  private readonly nodes: Informer<V1Node>;

  constructor(ctx: ControllerContext) {
    super(ctx, 'endpointslice');
    this.slices = ctx.informers.for<V1EndpointSlice>(ENDPOINT_SLICES);
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods.addIndexer(NODE_NAME_INDEX, nodeNameIndex);
    this.slices.on((_t, slice) => {
      const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (svc && isManagedSliceOf(slice, svc)) this.queue.add(`${slice.metadata?.namespace}/${svc}`);
    });
    // A node's zone label feeds every endpoint on it.
    this.nodes.on((type, node, old) => {
      if (type !== 'update' || old?.metadata?.labels?.[ZONE_LABEL] === node.metadata?.labels?.[ZONE_LABEL]) return;
      const name = node.metadata?.name;
      const keys = new Set<string>();
      for (const pod of this.pods.byIndex(NODE_NAME_INDEX, name ?? '')) {
        for (const svc of this.services.list(pod.metadata?.namespace ?? ''))
          if (selectsPod(svc, pod)) keys.add(keyOf(svc));
      }
      for (const k of keys) this.queue.add(k);
    });
  }

  private managedSlices(ns: string, service: string): V1EndpointSlice[] {
    return this.slices.list(ns).filter((s) => isManagedSliceOf(s, service));
  }

  protected async sync(key: string): Promise<void> {
    const [ns, name] = split(key);
    const path = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
    const svc = this.services.getByKey(key);
    const existing = this.managedSlices(ns, name);
    if (!svc) {
      // The garbage collector would do this through ownerReferences; doing it here is faster.
      await Promise.all(existing.map((s) => this.ctx.client.delete(`${path}/${s.metadata?.name}`).catch(ignore404)));
      return;
    }
    if (!svc.spec?.selector || svc.spec.type === 'ExternalName') return;
    const zoneOf = (node: string): string | undefined => this.nodes.get('', node)?.metadata?.labels?.[ZONE_LABEL];
    const actions = reconcileEndpointSlices(svc, {
      pods: this.podsOf(svc),
      zoneOf,
      existing: existing.filter((s) => sameOwner(s, svc)),
    });
    for (const s of existing) if (!sameOwner(s, svc)) actions.push({ type: 'delete', name: s.metadata?.name ?? '' });
    for (const a of actions) {
      if (a.type === 'create') await this.ctx.client.create(path, a.slice);
      else if (a.type === 'update') await this.ctx.client.replace(`${path}/${a.slice.metadata?.name}`, a.slice);
      else await this.ctx.client.delete(`${path}/${a.name}`).catch(ignore404);
    }
  }
}

/** A slice left by an earlier Service of the same name (other uid) is replaced, not reused. */
function sameOwner(slice: KubernetesObject, svc: V1Service): boolean {
  const refs = slice.metadata?.ownerReferences ?? [];
  return refs.length === 0 || refs.some((r) => r.uid === svc.metadata?.uid);
}
