// The fields this operator understands, per kind, as a tree; everything else an object carries is
// listed (as JSON paths) in its status, so a chart's setting nobody reads is visible, not lost.

/** A field tree: true for a leaf (any value), an object for a nested object, [tree] for a list of them. */
type Tree = { readonly [field: string]: true | Tree | readonly [Tree] };

const selector: Tree = { matchLabels: true, matchExpressions: true };
const relabel: readonly [Tree] = [
  {
    sourceLabels: true,
    separator: true,
    targetLabel: true,
    regex: true,
    modulus: true,
    replacement: true,
    action: true,
  },
];
const endpoint: Tree = {
  port: true,
  targetPort: true,
  path: true,
  scheme: true,
  params: true,
  interval: true,
  scrapeTimeout: true,
  honorLabels: true,
  honorTimestamps: true,
  relabelings: relabel,
  metricRelabelings: relabel,
  bearerTokenFile: true,
  filterRunning: true,
  followRedirects: true,
  enableHttp2: true,
  tlsConfig: { insecureSkipVerify: true, serverName: true, caFile: true, certFile: true, keyFile: true },
};
const matcher: readonly [Tree] = [{ name: true, value: true, matchType: true, regex: true }];
const route: Tree = {
  receiver: true,
  groupBy: true,
  groupWait: true,
  groupInterval: true,
  repeatInterval: true,
  matchers: matcher,
  continue: true,
  muteTimeIntervals: true,
  activeTimeIntervals: true,
};
const routeTree: Tree = { ...route, routes: [route] };

export const SPEC_FIELDS: Readonly<Record<string, Tree>> = {
  ServiceMonitor: {
    jobLabel: true,
    targetLabels: true,
    podTargetLabels: true,
    endpoints: [endpoint],
    selector,
    namespaceSelector: { any: true, matchNames: true },
    sampleLimit: true,
    targetLimit: true,
  },
  PodMonitor: {
    jobLabel: true,
    podTargetLabels: true,
    podMetricsEndpoints: [endpoint],
    selector,
    namespaceSelector: { any: true, matchNames: true },
    sampleLimit: true,
    targetLimit: true,
  },
  PrometheusRule: {
    groups: [
      {
        name: true,
        interval: true,
        limit: true,
        partial_response_strategy: true,
        rules: [
          { record: true, alert: true, expr: true, for: true, keep_firing_for: true, labels: true, annotations: true },
        ],
      },
    ],
  },
  AlertmanagerConfig: {
    route: { ...route, routes: [routeTree] },
    receivers: [
      {
        name: true,
        webhookConfigs: [{ url: true, sendResolved: true, maxAlerts: true }],
        emailConfigs: [
          { to: true, from: true, smarthost: true, hello: true, requireTLS: true, sendResolved: true, headers: true },
        ],
      },
    ],
    inhibitRules: [{ sourceMatch: matcher, targetMatch: matcher, equal: true }],
    muteTimeIntervals: [{ name: true, timeIntervals: true }],
  },
};

/** The paths (`spec.endpoints[0].oauth2`) of fields under `value` that `tree` does not know. */
export function unknownFields(value: unknown, tree: Tree, at = 'spec'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const t = tree[k];
    const path = `${at}.${k}`;
    if (t === undefined) out.push(path);
    else if (Array.isArray(t)) {
      if (Array.isArray(v)) v.forEach((item, i) => out.push(...unknownFields(item, t[0] as Tree, `${path}[${i}]`)));
    } else if (t !== true) out.push(...unknownFields(v, t as Tree, path));
  }
  return out;
}

/** Unknown fields of a monitoring object's spec (its kind decides the tree). */
export function ignoredFields(kind: string, spec: unknown): string[] {
  const tree = SPEC_FIELDS[kind];
  return tree ? unknownFields(spec, tree) : [];
}
