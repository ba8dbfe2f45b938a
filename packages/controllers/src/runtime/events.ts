// Records core/v1 Events (what `kubectl describe` shows) without blocking the caller: an event
// that cannot be written is logged and dropped, as client-go's broadcaster does.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { timestamp, type Clock } from './clock.js';

export interface EventTarget extends KubernetesObject {
  apiVersion?: string;
  kind?: string;
}

export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly clock: Clock,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ns = target.metadata?.namespace || 'default';
    const now = timestamp(this.clock.now());
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${target.metadata?.name ?? 'unknown'}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name: target.metadata?.name,
        namespace: target.metadata?.namespace,
        uid: target.metadata?.uid,
        resourceVersion: target.metadata?.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.client.create(`/api/v1/namespaces/${ns}/events`, event).catch(this.onError);
  }
}
