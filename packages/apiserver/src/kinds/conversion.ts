// Built-in kinds served in more than one version (VERSION_ALIASES): objects are stored in one
// version and converted on the way in and out, as kube-apiserver's scheme conversions do. What
// the older version cannot say travels in annotations so a round trip loses nothing.
// HorizontalPodAutoscaler: stored as autoscaling/v2, served as v1 too (kubectl autoscale).
import { clone, isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import type { ResourceRegistry, Served } from '../registry.js';

type Obj = Record<string, unknown>;

interface Converter {
  /** The version objects are stored in. */
  readonly storage: string;
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: StoredObject): StoredObject;
}

const ANNOTATION = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
} as const;

const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const isCpuUtilization = (m: Obj, field: 'target' | 'current'): boolean => {
  const r = rec(m.resource);
  return m.type === 'Resource' && r.name === 'cpu' && (field === 'current' || rec(r.target).type === 'Utilization');
};
const parseList = (text: string | undefined): Obj[] => {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter(isRecord) : [];
  } catch {
    return [];
  }
};

/** v2 → v1: the CPU utilization target in its field, everything else in annotations. */
function hpaToV1(stored: StoredObject): StoredObject {
  const obj = clone(stored) as StoredObject & { spec?: Obj; status?: Obj };
  const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
  const spec = rec(obj.spec);
  const metrics = Array.isArray(spec.metrics) ? spec.metrics.filter(isRecord) : [];
  const cpu = metrics.find((m) => isCpuUtilization(m, 'target'));
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[ANNOTATION.metrics] = JSON.stringify(others);
  if (spec.behavior) annotations[ANNOTATION.behavior] = JSON.stringify(spec.behavior);
  const target = rec(rec(rec(cpu).resource).target).averageUtilization;
  obj.spec = {
    scaleTargetRef: spec.scaleTargetRef,
    ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
    maxReplicas: spec.maxReplicas,
    ...(typeof target === 'number' ? { targetCPUUtilizationPercentage: target } : {}),
  };
  if (obj.status) {
    const status = rec(obj.status);
    const current = Array.isArray(status.currentMetrics) ? status.currentMetrics.filter(isRecord) : [];
    const currentCpu = current.find((m) => isCpuUtilization(m, 'current'));
    const otherCurrent = current.filter((m) => m !== currentCpu);
    if (otherCurrent.length) annotations[ANNOTATION.currentMetrics] = JSON.stringify(otherCurrent);
    if (Array.isArray(status.conditions) && status.conditions.length)
      annotations[ANNOTATION.conditions] = JSON.stringify(status.conditions);
    const used = rec(rec(rec(currentCpu).resource).current).averageUtilization;
    obj.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime !== undefined ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(typeof used === 'number' ? { currentCPUUtilizationPercentage: used } : {}),
    };
  }
  if (Object.keys(annotations).length) obj.metadata.annotations = annotations;
  obj.apiVersion = 'autoscaling/v1';
  return obj;
}

/** v1 → v2: the CPU target becomes a Resource metric; the annotations give back the rest. */
function hpaToV2(input: KubeObject): KubeObject {
  const obj = clone(input) as KubeObject & { spec?: Obj; status?: Obj };
  const meta = rec(obj.metadata);
  const annotations: Record<string, string> = { ...(rec(meta.annotations) as Record<string, string>) };
  const spec = rec(obj.spec);
  const metrics = parseList(annotations[ANNOTATION.metrics]).filter((m) => !isCpuUtilization(m, 'target'));
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.unshift({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
      },
    });
  }
  let behavior: unknown;
  try {
    behavior = annotations[ANNOTATION.behavior] ? JSON.parse(annotations[ANNOTATION.behavior] ?? '') : undefined;
  } catch {
    behavior = undefined;
  }
  if (obj.spec !== undefined) {
    obj.spec = {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
      ...(behavior !== undefined ? { behavior } : {}),
    };
  }
  if (obj.status !== undefined) {
    const status = rec(obj.status);
    const current = parseList(annotations[ANNOTATION.currentMetrics]);
    if (typeof status.currentCPUUtilizationPercentage === 'number') {
      current.unshift({
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
      });
    }
    const conditions = parseList(annotations[ANNOTATION.conditions]);
    obj.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime !== undefined ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(current.length ? { currentMetrics: current } : {}),
      ...(conditions.length ? { conditions } : {}),
    };
  }
  for (const a of Object.values(ANNOTATION)) delete annotations[a];
  if (obj.metadata) {
    const m = obj.metadata as Obj;
    if (Object.keys(annotations).length) m.annotations = annotations;
    else delete m.annotations;
  }
  obj.apiVersion = 'autoscaling/v2';
  return obj;
}

const CONVERTERS: Record<string, Converter> = {
  'autoscaling/v1/horizontalpodautoscalers': { storage: 'v2', toStorage: hpaToV2, fromStorage: hpaToV1 },
};

function converterOf(served: Served): Converter | undefined {
  if (served.custom) return undefined;
  return CONVERTERS[`${served.info.group}/${served.info.version}/${served.info.resource}`];
}

/** The version a write is made in (the stored one) and the body converted to it; the same for other versions. */
export function toStorageVersion(
  registry: ResourceRegistry,
  served: Served,
  body: KubeObject,
): { served: Served; body: KubeObject } {
  const c = converterOf(served);
  const storage = c && registry.lookup(served.info.group, c.storage, served.info.resource);
  if (!c || !storage) return { served, body };
  // Already in the stored version: a reviewed dry run's result being committed.
  if (body.apiVersion === `${served.info.group}/${c.storage}`) return { served: storage, body };
  return { served: storage, body: c.toStorage(body) };
}

/** The stored-version `served` for work on stored objects (a patch applies to the served version first). */
export function storageServed(registry: ResourceRegistry, served: Served): Served {
  const c = converterOf(served);
  return (c && registry.lookup(served.info.group, c.storage, served.info.resource)) || served;
}

/** A stored object in the version it is asked for; undefined when no conversion applies. */
export function fromStorageVersion(served: Served, obj: StoredObject): StoredObject | undefined {
  return converterOf(served)?.fromStorage(obj);
}
