// `wharf up`: runs the embedded control plane in the foreground until SIGTERM or Ctrl-C, and
// writes DIR/kubeconfig once the API answers.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { ApiServer } from '@wharf/apiserver';
import { writeEndpoints } from './endpoints.js';
import { serveControl } from './control.js';
import { chooseRuntime, PROCESS_RUNTIME_WARNING } from './runtime-check.js';

export interface UpOptions {
  dataDir?: string;
  apiPort?: string;
  nodes?: string;
  runtime?: string;
  compactInterval?: string;
  compactKeep?: string;
  compactRetention?: string;
  watchTimeout?: string;
  registryPort?: string;
  ingressPort?: string;
  defaultTolerationSeconds?: string;
  nodeMonitorGracePeriod?: string;
  nodeEvictionRate?: string;
  ingressHttpsPort?: string;
  simulatedNodes?: string;
  registryAnonymousPull?: boolean;
  /** false with --no-platform. */
  platform?: boolean;
  artifactDelivery?: string;
}

function optionalNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

/** `--artifact-delivery auto|image-volume|init-copy` as the platform's option. */
export function artifactDeliveryOption(v: string | undefined): 'auto' | 'imageVolume' | 'initCopy' {
  const map = { auto: 'auto', 'image-volume': 'imageVolume', 'init-copy': 'initCopy' } as const;
  const got = map[(v ?? 'auto') as keyof typeof map];
  if (!got) throw new Error(`--artifact-delivery must be auto, image-volume or init-copy, got "${v}"`);
  return got;
}

export async function up(opts: UpOptions): Promise<void> {
  const started = performance.now();
  const log = pino({ name: 'wharf', base: undefined });
  const dataDir = resolve(opts.dataDir ?? join(homedir(), '.wharf'));
  const port = Number(opts.apiPort ?? 6443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--api-port must be a port number, got "${opts.apiPort}"`);
  const nodeCount = optionalNumber('--nodes', opts.nodes) ?? 0;
  const runtime = nodeCount > 0 ? chooseRuntime(opts.runtime) : chooseRuntime(opts.runtime, () => undefined);
  if (nodeCount > 0 && runtime.kind === 'process') log.warn({ runtime: 'process', reason: runtime.reason }, PROCESS_RUNTIME_WARNING);
  const compactEveryMs = optionalNumber('--compact-interval', opts.compactInterval);
  const compactKeepRevisions = optionalNumber('--compact-keep', opts.compactKeep);
  const compactRetentionMs = optionalNumber('--compact-retention', opts.compactRetention);
  const watchTimeoutSeconds = optionalNumber('--watch-timeout', opts.watchTimeout);
  const defaultTolerationSeconds = optionalNumber('--default-toleration-seconds', opts.defaultTolerationSeconds);
  // The agents run in this process: a fresh token per start is all the API server needs to show them.
  const agentToken = randomBytes(32).toString('hex');
  const server = new ApiServer({
    dataDir, port, log: (m) => log.error(m), agentToken,
    ...(compactEveryMs !== undefined ? { compactEveryMs } : {}),
    ...(compactKeepRevisions !== undefined ? { compactKeepRevisions } : {}),
    ...(compactRetentionMs !== undefined ? { compactRetentionMs } : {}),
    ...(watchTimeoutSeconds ? { watchTimeoutSeconds } : {}),
    ...(defaultTolerationSeconds !== undefined ? { defaultTolerationSeconds } : {}),
  });
  const bound = await server.start();
  // The API answers first; the registry, controllers and node agents load after it (their
  // modules, client-node among them, take longer to load than the API server takes to start).
  const [{ Registry }, { KubeConfig }, { SimulatedNodes, startControllers }, { NodeSet }, { IngressGateway }] = await Promise.all([
    import('@wharf/registry'), import('@kubernetes/client-node'), import('@wharf/controllers'), import('./nodes.js'), import('@wharf/node'),
  ]);
  const registryPort = Number(opts.registryPort ?? 5000);
  const registry = new Registry({
    root: join(dataDir, 'registry'), port: registryPort, host: '127.0.0.1',
    cert: server.pki.serverCert, key: server.pki.serverKey,
    // Any valid cluster token may pull and push, node agents only pull; anonymous pulls only when asked for.
    authenticate: (token, access) => {
      const user = server.tokens.authenticate(token);
      if (!user) return false;
      return user.groups.includes('system:nodes') && access.action !== 'pull' ? 'denied' : true;
    },
    anonymousPull: opts.registryAnonymousPull === true,
    onError: (e) => log.error({ err: e }, 'registry error'),
  });
  const regBound = await registry.start();
  writeEndpoints(dataDir, { apiServer: `https://127.0.0.1:${bound}`, registry: `https://127.0.0.1:${regBound}`, registryHost: `127.0.0.1:${regBound}` });
  const kubeconfig = server.writeKubeconfig(bound);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const graceSeconds = optionalNumber('--node-monitor-grace-period', opts.nodeMonitorGracePeriod);
  const evictionRate = opts.nodeEvictionRate !== undefined ? Number(opts.nodeEvictionRate) : undefined;
  if (evictionRate !== undefined && !(evictionRate >= 0)) throw new Error(`--node-eviction-rate must be a non-negative number, got "${opts.nodeEvictionRate}"`);
  const controllers = await startControllers({
    kubeConfig: kc, log: (m: string, e?: unknown) => log.error({ err: e }, m),
    nodeLifecycle: {
      ...(graceSeconds !== undefined ? { gracePeriodSeconds: graceSeconds } : {}),
      ...(evictionRate !== undefined ? { nodeEvictionRate: evictionRate } : {}),
    },
  });
  const simulated = optionalNumber('--simulated-nodes', opts.simulatedNodes) ?? 0;
  const sim = simulated > 0 ? new SimulatedNodes({ kubeConfig: kc, count: simulated, prefix: 'sim-', zones: ['a', 'b', 'c'] }) : undefined;
  await sim?.start();
  const nodes = nodeCount > 0
    ? new NodeSet({
      dataDir, count: nodeCount, runtime: runtime.kind, kubeConfig: kc, log: (m, e) => log.error({ err: e }, m),
      registry: { url: `https://127.0.0.1:${regBound}`, host: `127.0.0.1:${regBound}`, ca: server.pki.caCert },
      nodeKubeconfig: (name) => server.writeNodeKubeconfig(name, bound),
      apiServerToken: agentToken,
      // A grace period shorter than the kubelet's default must still see several renewals (the
      // kubelet renews every 10 s against a 40 s lease and 50 s grace).
      ...(graceSeconds !== undefined ? { heartbeatSeconds: Math.max(1, Math.min(10, Math.floor(graceSeconds / 4))) } : {}),
    })
    : undefined;
  await nodes?.start();
  const ingress = nodes
    ? new IngressGateway({
      kubeConfig: kc, httpPort: Number(opts.ingressPort ?? 8080), httpsPort: Number(opts.ingressHttpsPort ?? 8443),
      log: (m: string, e?: unknown) => log.error({ err: e }, m),
    })
    : undefined;
  await ingress?.start();
  // The platform layer (Applications, ConfigSets) speaks only the Kubernetes API, as it would
  // as a separate `wharf platform` process.
  const platform = opts.platform === false
    ? undefined
    : await (await import('@wharf/platform-apps')).startPlatform({
      kubeConfig: kc, logger: log, ingressPort: ingress?.httpPort ?? Number(opts.ingressPort ?? 8080), artifactDelivery: artifactDeliveryOption(opts.artifactDelivery),
      // The API server's own serving certificate (valid for 127.0.0.1) serves the author webhook.
      authorWebhook: { cert: server.pki.serverCert, key: server.pki.serverKey, caBundle: server.pki.caCert, host: '127.0.0.1' },
    });
  const control = await serveControl(dataDir, async (action, target) => {
    if (!nodes) throw new Error('this Wharf runs no node agents (start it with --nodes N)');
    if (action === 'fail') await nodes.fail(target);
    else await nodes.restore(target);
    log.info({ node: target, action }, 'node drill');
  });
  log.info({ dataDir, url: `https://127.0.0.1:${bound}`, registry: `127.0.0.1:${regBound}`, ...(ingress ? { ingress: `http://<app>.localhost:${ingress.httpPort}` } : {}), ...(nodes ? { runtime: runtime.kind } : {}), kubeconfig, startupMs: Math.round(performance.now() - started) }, 'wharf is ready');
  process.stdout.write(`\nWharf is up. Try:\n  kubectl --kubeconfig ${kubeconfig} get namespaces\n\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      log.error('stop took longer than 15 s: exiting anyway');
      process.exit(1);
    }, 15_000).unref();
    (async () => {
      control.close();
      await platform?.stop();
      await ingress?.stop();
      await nodes?.stop();
      await sim?.stop();
      await controllers.stop();
      await Promise.all([registry.stop(), server.stop()]);
    })().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
