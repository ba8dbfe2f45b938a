// AlertmanagerConfigs merged into alertmanager.yml as prometheus-operator does: each object's route
// becomes a child of the top route, matching only its namespace (`namespace="<ns>"`) and with
// `continue: true` so several objects can see one alert; its receivers, time intervals and
// inhibit rules are renamed `<ns>/<name>/<original>` so objects cannot collide. Pure.
import type { AlertmanagerConfig, AmRoute, Matcher, Receiver } from './types.js';

export interface BaseAlertmanagerConfig {
  /** The top route's receiver, for alerts no object routes. @default 'null' (an empty receiver) */
  readonly defaultReceiver?: Receiver;
  readonly groupBy?: readonly string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
}

const matcherText = (m: Matcher): string =>
  `${m.name}${m.matchType ?? (m.regex ? '=~' : '=')}${JSON.stringify(m.value ?? '')}`;

function receiver(r: Receiver, rename: (n: string) => string): Record<string, unknown> {
  return {
    name: rename(r.name),
    ...(r.webhookConfigs?.length
      ? {
          webhook_configs: r.webhookConfigs.map((w) => ({
            url: w.url,
            send_resolved: w.sendResolved ?? true,
            ...(w.maxAlerts !== undefined ? { max_alerts: w.maxAlerts } : {}),
          })),
        }
      : {}),
    ...(r.emailConfigs?.length
      ? {
          email_configs: r.emailConfigs.map((e) => ({
            to: e.to,
            ...(e.from ? { from: e.from } : {}),
            ...(e.smarthost ? { smarthost: e.smarthost } : {}),
            ...(e.hello ? { hello: e.hello } : {}),
            ...(e.requireTLS !== undefined ? { require_tls: e.requireTLS } : {}),
            send_resolved: e.sendResolved ?? false,
            ...(e.headers?.length ? { headers: Object.fromEntries(e.headers.map((h) => [h.key, h.value])) } : {}),
          })),
        }
      : {}),
  };
}

function route(r: AmRoute, rename: (n: string) => string, extra: string[] = []): Record<string, unknown> {
  const matchers = [...extra, ...(r.matchers ?? []).map(matcherText)];
  return {
    ...(r.receiver ? { receiver: rename(r.receiver) } : {}),
    ...(r.groupBy ? { group_by: r.groupBy } : {}),
    ...(r.groupWait ? { group_wait: r.groupWait } : {}),
    ...(r.groupInterval ? { group_interval: r.groupInterval } : {}),
    ...(r.repeatInterval ? { repeat_interval: r.repeatInterval } : {}),
    ...(matchers.length ? { matchers } : {}),
    ...(r.muteTimeIntervals?.length ? { mute_time_intervals: r.muteTimeIntervals.map(rename) } : {}),
    ...(r.activeTimeIntervals?.length ? { active_time_intervals: r.activeTimeIntervals.map(rename) } : {}),
    ...(r.continue !== undefined ? { continue: r.continue } : {}),
    ...(r.routes?.length ? { routes: r.routes.map((c) => route(c, rename)) } : {}),
  };
}

/** The whole alertmanager.yml (as an object) for the base settings and the objects, oldest first. */
export function renderAlertmanagerConfig(
  base: BaseAlertmanagerConfig,
  objects: readonly AlertmanagerConfig[],
): Record<string, unknown> {
  const sorted = [...objects].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  const receivers: Record<string, unknown>[] = [receiver(base.defaultReceiver ?? { name: 'null' }, (n) => n)];
  const routes: Record<string, unknown>[] = [];
  const timeIntervals: Record<string, unknown>[] = [];
  const inhibit: Record<string, unknown>[] = [];
  for (const o of sorted) {
    const ns = o.metadata.namespace ?? 'default';
    const rename = (n: string): string => `${ns}/${o.metadata.name ?? ''}/${n}`;
    for (const r of o.spec.receivers ?? []) receivers.push(receiver(r, rename));
    if (o.spec.route)
      routes.push({ ...route(o.spec.route, rename, [`namespace=${JSON.stringify(ns)}`]), continue: true });
    for (const t of o.spec.muteTimeIntervals ?? []) {
      timeIntervals.push({
        name: rename(t.name),
        time_intervals: (t.timeIntervals ?? []).map((ti) => ({
          ...(ti.times ? { times: ti.times.map((x) => ({ start_time: x.startTime, end_time: x.endTime })) } : {}),
          ...(ti.weekdays ? { weekdays: ti.weekdays } : {}),
          ...(ti.daysOfMonth ? { days_of_month: ti.daysOfMonth.map((d) => `${d.start ?? ''}:${d.end ?? ''}`) } : {}),
          ...(ti.months ? { months: ti.months } : {}),
          ...(ti.years ? { years: ti.years } : {}),
        })),
      });
    }
    // Inhibition stays inside the namespace, as the operator enforces.
    for (const i of o.spec.inhibitRules ?? []) {
      inhibit.push({
        source_matchers: [`namespace=${JSON.stringify(ns)}`, ...(i.sourceMatch ?? []).map(matcherText)],
        target_matchers: [`namespace=${JSON.stringify(ns)}`, ...(i.targetMatch ?? []).map(matcherText)],
        ...(i.equal ? { equal: i.equal } : {}),
      });
    }
  }
  return {
    route: {
      receiver: base.defaultReceiver?.name ?? 'null',
      group_by: base.groupBy ?? ['namespace'],
      group_wait: base.groupWait ?? '30s',
      group_interval: base.groupInterval ?? '5m',
      repeat_interval: base.repeatInterval ?? '12h',
      ...(routes.length ? { routes } : {}),
    },
    receivers,
    ...(inhibit.length ? { inhibit_rules: inhibit } : {}),
    ...(timeIntervals.length ? { time_intervals: timeIntervals } : {}),
  };
}
