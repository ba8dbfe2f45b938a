// The probes of one pod (the kubelet's prober manager, per pod): a ProbeWorker per running
// container and probe kind, and what they found. Startup first; liveness and readiness once the
// container started. A result that changes something asks the pod worker for a sync.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { PodSandbox } from '../runtime/types.js';
import type { EventRecorder } from '@wharf/client';
import { eventTarget } from './pod-actions.js';
import type { ObservedContainer, ProbeResults } from './pod-status.js';
import { ProbeWorker, type ProbeKind, type ProbeTarget } from './probes.js';

export interface PodProbesOptions {
  readonly runtime: ContainerRuntime;
  readonly events: EventRecorder;
  /** A probe result changed: the pod needs a sync. */
  readonly onChange: () => void;
}

/** How probes and hooks reach a container: HTTP and TCP to the pod IP, exec through the runtime. */
export function probeTarget(
  runtime: ContainerRuntime,
  sandbox: PodSandbox,
  c: V1Container,
  containerId: string,
): ProbeTarget {
  return { podIP: sandbox.ip, container: c, exec: (cmd, timeout) => runtime.execSync(containerId, cmd, timeout) };
}

export class PodProbes implements ProbeResults {
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly readiness = new Map<string, boolean>();
  private readonly startupPassed = new Set<string>();
  private readonly failed = new Map<string, ProbeKind>();
  /** Container ids whose last reported state was already looked at by resume(). */
  private readonly resumed = new Set<string>();

  constructor(private readonly options: PodProbesOptions) {}

  /** Running containers whose liveness or startup probe failed, by container id: they are to be killed. */
  get unhealthy(): ReadonlyMap<string, ProbeKind> {
    return this.failed;
  }

  started(containerId: string): boolean {
    return this.startupPassed.has(containerId);
  }

  ready(containerId: string): boolean {
    return this.readiness.get(containerId) === true;
  }

  /**
   * Takes over what the pod's status last reported for containers that were running before this
   * agent started (an agent restart, or an upgrade of Wharf): a container reported started and
   * ready stays so until its probes say otherwise, instead of starting unready and leaving its
   * Services for the first probe period, as it would with a fresh prober.
   */
  resume(pod: V1Pod, containers: readonly { readonly id: string; readonly state: string }[]): void {
    const running = new Set(containers.filter((c) => c.state === 'running').map((c) => c.id));
    for (const s of pod.status?.containerStatuses ?? []) {
      const id = s.containerID?.replace(/^[a-z]+:\/\//, '');
      if (!id || this.resumed.has(id)) continue;
      this.resumed.add(id);
      if (!running.has(id) || !s.state?.running) continue;
      if (s.started) this.startupPassed.add(id);
      if (s.ready && !this.readiness.has(id)) this.readiness.set(id, true);
    }
  }

  /** Starts the probe workers the running containers need and stops the others. */
  reconcile(pod: V1Pod, sandbox: PodSandbox, containers: readonly ObservedContainer[]): void {
    const want = new Set<string>();
    for (const o of containers) {
      const l = o.latest;
      if (l?.state !== 'running') continue;
      const c = o.spec;
      const kinds: [ProbeKind, NonNullable<V1Container['livenessProbe']> | undefined][] = [
        ['startup', this.startupPassed.has(l.id) ? undefined : c.startupProbe],
      ];
      if (o.started) kinds.push(['liveness', c.livenessProbe], ['readiness', c.readinessProbe]);
      for (const [kind, probe] of kinds) {
        if (!probe) continue;
        const key = `${l.id}/${kind}`;
        want.add(key);
        if (this.workers.has(key)) continue;
        const id = l.id;
        const label = kind[0]!.toUpperCase() + kind.slice(1);
        const w = new ProbeWorker({
          kind,
          probe,
          target: probeTarget(this.options.runtime, sandbox, c, id),
          startedAt: Date.parse(l.startedAt ?? l.createdAt),
          onFailure: (message) =>
            this.options.events.emit(eventTarget(pod, c), 'Warning', 'Unhealthy', `${label} probe failed: ${message}`),
          onResult: (ok) => {
            if (kind === 'readiness') this.readiness.set(id, ok);
            else if (kind === 'startup' && ok) this.startupPassed.add(id);
            else if (!ok) this.failed.set(id, kind);
            this.options.onChange();
          },
        });
        this.workers.set(key, w);
        w.start();
      }
    }
    for (const [key, w] of this.workers) {
      if (!want.has(key)) {
        w.stop();
        this.workers.delete(key);
      }
    }
  }

  /** The container is being killed: its probes stop and its failure is handled. */
  forget(containerId: string): void {
    this.failed.delete(containerId);
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${containerId}/`)) {
        w.stop();
        this.workers.delete(key);
      }
    }
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }
}
