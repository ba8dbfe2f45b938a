// core/v1 Events about pods, as the kubelet writes them. A repeat of the same reason and message
// for the same object bumps count and lastTimestamp of the event already written.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from './kube-client.js';

export interface EventTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** e.g. `spec.containers{web}` */
  readonly fieldPath?: string;
}

interface Written {
  name: string;
  count: number;
}

export class EventRecorder {
  private readonly written = new Map<string, Written>();

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Fire and forget: an event that cannot be written is logged, never fails the caller. */
  emit(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.write(target, type, reason, message).catch(this.onError);
  }

  /** Forgets the pod's events (after the pod is gone). */
  forget(uid: string): void {
    for (const k of this.written.keys()) if (k.startsWith(`${uid}/`)) this.written.delete(k);
  }

  private async write(target: EventTarget, type: string, reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const key = `${target.uid}/${target.fieldPath ?? ''}/${reason}/${message}`;
    const base = `/api/v1/namespaces/${target.namespace}/events`;
    const seen = this.written.get(key);
    if (seen) {
      seen.count += 1;
      try {
        await this.client.mergePatch(`${base}/${seen.name}`, { count: seen.count, lastTimestamp: now });
        return;
      } catch {
        this.written.delete(key); // gone (TTL, namespace): write a new one
      }
    }
    const name = `${target.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
    this.written.set(key, { name, count: 1 });
    await this.client.create(base, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: target.namespace },
      involvedObject: {
        kind: 'Pod',
        apiVersion: 'v1',
        namespace: target.namespace,
        name: target.name,
        uid: target.uid,
        ...(target.fieldPath ? { fieldPath: target.fieldPath } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kubelet', host: this.nodeName },
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
    });
  }
}
