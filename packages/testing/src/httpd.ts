// The e2e suites' web workload: busybox's httpd in each pod serving a page that names the pod (so
// a test sees which replica answered), ready once it answers, checked every second.
/** The port httpd listens on in the pod. */
export const HTTPD_PORT = 8080;

/**
 * Shell for busybox: writes `page` (shell words, e.g. `web-$(hostname)`) as /www/index.html, prints "serving", runs
 * httpd.
 */
export function httpdCommand(page: string): string {
  return `mkdir -p /www && echo ${page} > /www/index.html && echo serving && exec httpd -f -p ${HTTPD_PORT} -h /www`;
}

export interface HttpdDeploymentOptions {
  readonly name: string;
  /** @default the namespace kubectl is told, else its default */
  readonly namespace?: string;
  /** @default 2 */
  readonly replicas?: number;
  /** The page at / is this text followed by the pod's hostname. @default '' (the hostname alone) */
  readonly pagePrefix?: string;
  /** Spread the pods over the nodes (at most one more on any node than on another). @default false */
  readonly spreadOverNodes?: boolean;
}

/** A Deployment `name` of busybox:1 httpd pods labelled app=`name`, as YAML for `kubectl apply -f -`. */
export function httpdDeployment(o: HttpdDeploymentOptions): string {
  const metadata = o.namespace ? `{name: ${o.name}, namespace: ${o.namespace}}` : `{name: ${o.name}}`;
  const spread = o.spreadOverNodes
    ? `\n      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: ${o.name}}}}]`
    : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: ${metadata}
spec:
  replicas: ${o.replicas ?? 2}
  selector: {matchLabels: {app: ${o.name}}}
  template:
    metadata: {labels: {app: ${o.name}}}
    spec:${spread}
      containers:
      - name: httpd
        image: busybox:1
        command: ["sh", "-c", ${JSON.stringify(httpdCommand(`${o.pagePrefix ?? ''}$(hostname)`))}]
        readinessProbe: {httpGet: {path: /, port: ${HTTPD_PORT}}, periodSeconds: 1}
`;
}
