// What the operator wants in force for the objects it sees: the rule files, prometheus.yml, a
// renderer of alertmanager.yml for any subset of AlertmanagerConfigs, and the status each object
// should carry given the verdicts. Pure: the runner (operator.ts) does the I/O.
import { ignoredFields } from './fields.js';
import { renderAlertmanagerConfig, type BaseAlertmanagerConfig } from './render-alertmanager.js';
import { renderPrometheusConfig, type PrometheusSettings } from './render-prometheus.js';
import { ruleFileName, ruleFileText } from './render-rules.js';
import type { RuleInput, Verdict } from './apply.js';
import type { AlertmanagerConfig, MonitoringObject, PodMonitor, PrometheusRule, ServiceMonitor } from './types.js';

export interface Observed {
  readonly serviceMonitors: readonly ServiceMonitor[];
  readonly podMonitors: readonly PodMonitor[];
  readonly prometheusRules: readonly PrometheusRule[];
  readonly alertmanagerConfigs: readonly AlertmanagerConfig[];
}

export const objectKey = (o: MonitoringObject<unknown>): string =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export interface Desired {
  readonly rules: RuleInput[];
  readonly prometheus: Record<string, unknown>;
  readonly alertmanagerKeys: string[];
  readonly renderAlertmanager: (keys: readonly string[]) => Record<string, unknown>;
}

export function desired(o: Observed, settings: PrometheusSettings, am: BaseAlertmanagerConfig): Desired {
  const byKey = new Map(o.alertmanagerConfigs.map((c) => [objectKey(c), c]));
  return {
    rules: o.prometheusRules.map((pr) => ({ key: objectKey(pr), file: ruleFileName(pr), text: ruleFileText(pr) })),
    prometheus: renderPrometheusConfig(settings, o),
    alertmanagerKeys: [...byKey.keys()].sort(),
    renderAlertmanager: (keys) =>
      renderAlertmanagerConfig(
        am,
        keys.map((k) => byKey.get(k)).filter((c): c is AlertmanagerConfig => c !== undefined),
      ),
  };
}

export interface Condition {
  type: 'Accepted';
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface MonitoringStatus {
  observedGeneration?: number;
  conditions: Condition[];
  /** Spec fields this operator does not read: kept on the object, not applied. */
  ignoredFields?: string[];
}

/** The status an object should carry; the old transition time is kept while the verdict holds. */
export function statusFor(
  obj: MonitoringObject<unknown>,
  kind: string,
  verdict: Verdict,
  now: string,
): MonitoringStatus {
  const prev = (obj.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Accepted');
  const status = verdict.accepted ? 'True' : 'False';
  const ignored = ignoredFields(kind, obj.spec);
  return {
    ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
    conditions: [
      {
        type: 'Accepted',
        status,
        reason: verdict.accepted ? 'Accepted' : 'InvalidConfiguration',
        message: verdict.accepted
          ? ignored.length
            ? `applied; fields not supported and ignored: ${ignored.join(', ')}`
            : 'applied'
          : verdict.message,
        ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
        lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now,
      },
    ],
    ...(ignored.length ? { ignoredFields: ignored } : {}),
  };
}

/** Whether `next` differs from what the object carries (the transition time aside). */
export function statusChanged(obj: MonitoringObject<unknown>, next: MonitoringStatus): boolean {
  return JSON.stringify(obj.status ?? {}) !== JSON.stringify(next);
}
