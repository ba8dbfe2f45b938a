// The HPA controller's runner: every sync period (15 s, as upstream) it reads each autoscaler's
// target scale, the target's pods and their metrics from metrics.k8s.io, lets reconcileHpa
// decide, writes the scale and the status, and keeps the short history (recommendations, scale
// changes) that stabilization windows and rate policies need. Targets are found through
// discovery, so any kind with a scale subresource (custom resources too) can be autoscaled.
import type { V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { type ControllerContext, EventRecorder, type Informer, isStatus, keyOf, QueueController } from '@wharf/client';
import type { Recommendation, ScaleEvent } from './behavior.js';
import { reconcileHpa, type PodMetrics } from './reconcile.js';

export const HPAS = '/apis/autoscaling/v2/horizontalpodautoscalers';

export interface HpaOptions {
  /** Upstream's --horizontal-pod-autoscaler-sync-period, in ms. @default 15000 */
  readonly syncPeriodMs?: number;
}

interface Scale {
  metadata?: { resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}
interface ApiResourceList {
  resources?: { name: string; kind: string }[];
}

/** How long history matters: the longest stabilization window or policy period there is. */
const HISTORY_MS = 30 * 60_000;

export class HpaController extends QueueController {
  private readonly hpas: Informer<V2HorizontalPodAutoscaler>;
  private readonly events: EventRecorder;
  private readonly syncPeriodMs: number;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  private readonly resources = new Map<string, Promise<Map<string, string>>>();

  constructor(ctx: ControllerContext, opts: Required<HpaOptions>) {
    super(ctx, 'horizontal-pod-autoscaler');
    this.syncPeriodMs = opts.syncPeriodMs;
    this.hpas = ctx.informers.for<V2HorizontalPodAutoscaler>(HPAS);
    this.events = new EventRecorder({
      client: ctx.client,
      component: 'horizontal-pod-autoscaler',
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.hpas.on((type, hpa, old) => {
      const key = keyOf(hpa);
      if (type === 'delete') {
        this.recommendations.delete(key);
        this.scaleEvents.delete(key);
        return;
      }
      // Status writes of our own come back as updates: the periodic resync covers them.
      if (type === 'update' && old && old.metadata?.generation === hpa.metadata?.generation) return;
      this.queue.add(key);
    });
  }

  /** The plural resource of `kind` in `apiVersion`, from discovery (cached per group version). */
  private async resourceOf(apiVersion: string, kind: string): Promise<string | undefined> {
    let kinds = this.resources.get(apiVersion);
    if (!kinds) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      kinds = this.ctx.client
        .get<ApiResourceList>(path)
        .then((l) => new Map((l.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => [r.kind, r.name])));
      kinds.catch(() => this.resources.delete(apiVersion));
      this.resources.set(apiVersion, kinds);
    }
    return (await kinds).get(kind);
  }

  protected async sync(key: string): Promise<void> {
    const hpa = this.hpas.getByKey(key);
    if (!hpa) return;
    const ns = hpa.metadata?.namespace ?? '';
    const ref = hpa.spec?.scaleTargetRef;
    const now = this.ctx.clock.now();
    let scalePath = '';
    let scale: Scale | undefined;
    let scaleError = '';
    try {
      const resource = ref ? await this.resourceOf(ref.apiVersion ?? 'v1', ref.kind) : undefined;
      if (!ref || !resource)
        throw new Error(`no scalable resource for ${ref?.kind ?? '(no scaleTargetRef)'} in ${ref?.apiVersion ?? 'v1'}`);
      const group = (ref.apiVersion ?? 'v1').includes('/')
        ? `/apis/${ref.apiVersion}`
        : `/api/${ref.apiVersion ?? 'v1'}`;
      scalePath = `${group}/namespaces/${ns}/${resource}/${ref.name}/scale`;
      scale = await this.ctx.client.get<Scale>(scalePath);
    } catch (e) {
      scaleError = isStatus(e, 404) ? `${ref?.kind}/${ref?.name} not found` : (e as Error).message;
    }
    const selector = scale?.status?.selector ?? '';
    let pods: V1Pod[] = [];
    let metrics: PodMetrics[] | { error: string } = { error: 'the target has no selector' };
    if (scale && selector) {
      const query = `?labelSelector=${encodeURIComponent(selector)}`;
      pods = (await this.ctx.client.get<{ items?: V1Pod[] }>(`/api/v1/namespaces/${ns}/pods${query}`)).items ?? [];
      metrics = await this.ctx.client
        .get<{ items?: PodMetrics[] }>(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods${query}`)
        .then(
          (l) => l.items ?? [],
          (e: unknown) => ({ error: (e as Error).message }),
        );
    }
    const recent = <T extends { atMs: number }>(list: readonly T[] | undefined): T[] =>
      (list ?? []).filter((r) => r.atMs > now - HISTORY_MS);
    const plan = reconcileHpa({
      hpa,
      now,
      pods,
      metrics,
      scale: scale ? { replicas: scale.spec?.replicas ?? 0 } : { error: scaleError },
      recommendations: recent(this.recommendations.get(key)),
      scaleEvents: recent(this.scaleEvents.get(key)),
    });
    if (plan.recommendation !== undefined)
      this.recommendations.set(key, [
        ...recent(this.recommendations.get(key)),
        { atMs: now, replicas: plan.recommendation },
      ]);
    for (const ev of plan.events)
      if (ev.reason !== 'SuccessfulRescale') this.events.emit(hpa, ev.type, ev.reason, ev.message);
    if (plan.rescale !== undefined && scale) {
      try {
        await this.ctx.client.patch(scalePath, { spec: { replicas: plan.rescale } });
        this.scaleEvents.set(key, [
          ...recent(this.scaleEvents.get(key)),
          { atMs: now, change: plan.rescale - (scale.spec?.replicas ?? 0) },
        ]);
        const ok = plan.events.find((ev) => ev.reason === 'SuccessfulRescale');
        if (ok) this.events.emit(hpa, ok.type, ok.reason, ok.message);
      } catch (e) {
        this.events.emit(hpa, 'Warning', 'FailedRescale', `New size: ${plan.rescale}; error: ${(e as Error).message}`);
        throw e;
      }
    }
    await this.ctx.client
      .replace(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${hpa.metadata?.name}/status`, {
        ...hpa,
        status: plan.status,
      })
      .catch((e: unknown) => {
        if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
      });
    this.queue.addAfter(key, this.syncPeriodMs);
  }
}
