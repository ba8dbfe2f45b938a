// `wharf up`: runs the embedded control plane in the foreground until SIGTERM or Ctrl-C, and
// writes DIR/kubeconfig once the API answers.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ApiServer, type AuditOptions } from '@wharf/apiserver';
import { CONSOLE_HOST, defaultDataDir, writeEndpoints } from './endpoints.js';
import { serveControl } from './control.js';
import { cliLogger } from './log.js';
import { resolveUpOptions, type UpOptions } from './up-options.js';
import { chooseRuntime, PROCESS_RUNTIME_WARNING } from './runtime-check.js';
import { startUpGit } from './up-git.js';
import { registryDelete, upAlertmanager, startUpConsole } from './up-console.js';
import { claimPodRange } from './pod-range.js';
import { chooseStore, freePort, startEtcdMembers, type EtcdMember } from './etcd-member.js';
import { chooseMembers, planControlPlane, sharedSecret, startApiMembers, type ApiMembers } from './control-plane.js';

export type { UpOptions } from './up-options.js';

/** How long a member of three answers /readyz 503 before it stops accepting (four of the balancer's probes). */
const MEMBER_SHUTDOWN_DELAY_MS = 2_000;

/** Member i's audit options: those of `wharf up`, its log beside member 0's (`-`: none, as for member 0). */
function memberAudit(audit: AuditOptions, dataDir: string, i: number): AuditOptions {
  const log = audit.logPath ?? join(dataDir, 'audit.log');
  return { ...audit, logPath: log === '-' ? '-' : `${log}.member-${i}` };
}

export async function up(flags: UpOptions): Promise<void> {
  const started = performance.now();
  const tty = process.stdout.isTTY === true;
  const c = resolveUpOptions(flags, tty);
  const log = cliLogger({ format: c.logFormat, level: c.logLevel, colorize: tty });
  const { dataDir } = c;
  const runtime = c.nodes > 0 ? chooseRuntime(c.runtime) : chooseRuntime(c.runtime, () => undefined);
  if (c.nodes > 0 && runtime.kind === 'process')
    log.warn({ runtime: 'process', reason: runtime.reason }, PROCESS_RUNTIME_WARNING);
  // Without --store, a data dir that ran its own etcd member keeps it; etcd without servers runs one.
  const store = chooseStore(c.store, dataDir);
  const members = chooseMembers(c.controlPlaneMembers, store, dataDir);
  // What the API server shows the agents (logs, exec, metrics): agents in this process compare it,
  // agent processes check it with a TokenReview, so a fresh one per start is enough for one API
  // server. Three share one kept in the data dir: members 1 and 2 outlive this process.
  const agentToken = members === 3 ? sharedSecret(dataDir, 'agent-token') : randomBytes(32).toString('hex');
  // The console's word to the API server for which browser tries a directory password (shared by three as above).
  const ldapProof = !c.ldap
    ? undefined
    : members === 3
      ? sharedSecret(dataDir, 'console-ldap-proof')
      : randomBytes(32).toString('base64url');
  let etcdMember: EtcdMember | undefined;
  if (store.kind === 'etcd' && !store.servers.length)
    etcdMember = await startEtcdMembers(dataDir, members, log.child({ component: 'etcd' }));
  const etcdServers = store.kind === 'etcd' ? (etcdMember ? etcdMember.clientUrls : store.servers) : undefined;
  // With three API servers this process serves member 0 on a port of its own; clients use the balancer's.
  const plan = members === 3 ? await planControlPlane(dataDir, c.apiPort, freePort) : undefined;
  const apiTuning = {
    compactEveryMs: c.compactEveryMs,
    compactKeepRevisions: c.compactKeepRevisions,
    compactRetentionMs: c.compactRetentionMs,
    watchTimeoutSeconds: c.watchTimeoutSeconds,
    defaultTolerationSeconds: c.defaultTolerationSeconds,
    // Behind the balancer, a stopping member leaves its healthy set (it probes every 500 ms) before
    // it stops accepting, so a restart one member at a time fails no request.
    ...(plan ? { shutdownDelayMs: MEMBER_SHUTDOWN_DELAY_MS } : {}),
  };
  // Every API server of the data dir takes the same credentials.
  const apiCredentials = {
    ...(c.oidc ? { oidc: c.oidc } : {}),
    ...(c.ldap ? { ldap: { ...c.ldap, consoleProof: ldapProof } } : {}),
  };
  const server = await ApiServer.create({
    dataDir,
    port: plan ? plan.apiPorts[0] : c.apiPort,
    ...(plan ? { publicPort: plan.port } : {}),
    ...(etcdServers ? { etcdServers } : {}),
    logger: log.child({ component: 'apiserver' }),
    agentToken,
    ...apiTuning,
    ...apiCredentials,
    ...(c.audit ? { audit: c.audit } : {}),
  });
  const memberPort = await server.start();
  // The API's one address: the balancer in front of the three, else this server.
  if (plan) await (await import('./api-balancer.js')).ensureBalancer(dataDir, plan.port, plan.apiPorts, log);
  const bound = plan ? plan.port : memberPort;
  // The API answers first; the registry, controllers and node agents load after it (their
  // modules, client-node among them, take longer to load than the API server takes to start).
  const [
    { Registry },
    { KubeConfig },
    { SimulatedNodes, startControllers },
    { NodeSet, apiEndpointOf, dnsGateways },
    { dataplaneMetrics, ensureDataplane, superviseDataplane },
  ] = await Promise.all([
    import('@wharf/registry'),
    import('@kubernetes/client-node'),
    import('@wharf/controllers'),
    import('./nodes.js'),
    import('./dataplane.js'),
  ]);
  const registry = new Registry({
    root: join(dataDir, 'registry'),
    port: c.registryPort,
    host: '127.0.0.1',
    cert: server.pki.serverCert,
    key: server.pki.serverKey,
    // Any valid token of the cluster may pull and push, node agents only pull; anonymous pulls only when asked for.
    // Deleting needs RBAC: `delete` on registry.wharf.dev `repositories` (named by the repository),
    // the question the console's Images page asks before it offers Delete.
    authenticate: async (token, access) => {
      // Every token the API server takes: directory users' sign-in sessions too (the Images page).
      const user = await server.authenticateToken(token);
      // A bootstrap token only joins a node: it neither pulls nor pushes.
      if (!user || user.groups.includes('system:bootstrappers')) return false;
      if (user.groups.includes('system:nodes') && access.action !== 'pull') return 'denied';
      return (
        access.action !== 'delete' ||
        server.authz.authorize(user, registryDelete(access.repository)).allowed ||
        'denied'
      );
    },
    // Nodes joined with `wharf agent` show the client certificate the cluster CA issued them.
    clientCa: server.pki.caCert,
    authenticateCertificate: (subject, access) =>
      subject.groups.includes('system:nodes') && access.action !== 'pull' ? 'denied' : true,
    anonymousPull: c.registryAnonymousPull,
    logger: log.child({ component: 'registry' }),
  });
  const regBound = await registry.start();
  writeEndpoints(dataDir, {
    apiServer: `https://127.0.0.1:${bound}`,
    registry: `https://127.0.0.1:${regBound}`,
    registryHost: `127.0.0.1:${regBound}`,
  });
  const kubeconfig = server.writeKubeconfig(bound);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const graceSeconds = c.nodeMonitorGracePeriodSeconds;
  const controllerOptions = {
    nodeLifecycle: {
      gracePeriodSeconds: graceSeconds,
      monitorPeriodMs: c.nodeMonitorPeriodSeconds * 1000,
      nodeEvictionRate: c.nodeEvictionRate,
    },
    hpa: { syncPeriodMs: c.hpaSyncPeriodSeconds * 1000 },
    ...(c.podGcQuarantineSeconds === undefined ? {} : { podGc: { quarantineMs: c.podGcQuarantineSeconds * 1000 } }),
  };
  const controllers = await startControllers({
    kubeConfig: kc,
    logger: log.child({ component: 'controller-manager' }),
    ...controllerOptions,
  });
  // Before anything derives addresses from it: a pod range no other Wharf on this machine uses.
  if (c.nodes > 0 && runtime.kind !== 'process') claimPodRange(dataDir);
  // Where pods reach each member of three (the `kubernetes` Service lists them all), once the nodes set it up.
  const podAddress = plan && c.nodes > 0 && runtime.kind !== 'process' ? apiEndpointOf(dataDir).address : undefined;
  // Members 1 and 2 load while the rest starts; 'wharf is ready' waits for them.
  const apiMembersStarting: Promise<ApiMembers> | undefined = plan
    ? startApiMembers(
        dataDir,
        plan,
        (i) => ({
          port: plan.apiPorts[i] as number,
          publicPort: plan.port,
          etcdServers: etcdServers ?? [],
          agentToken,
          ...(podAddress ? { podAddress } : {}),
          // Each member writes its own audit log beside member 0's.
          apiServer: {
            ...apiTuning,
            ...apiCredentials,
            ...(c.audit ? { audit: memberAudit(c.audit, dataDir, i) } : {}),
          },
          controllers: controllerOptions,
        }),
        log.child({ component: 'control-plane' }),
      )
    : undefined;
  apiMembersStarting?.catch(() => undefined); // awaited below; not unhandled meanwhile
  const sim =
    c.simulatedNodes > 0
      ? new SimulatedNodes({ kubeConfig: kc, count: c.simulatedNodes, prefix: 'sim-', zones: ['a', 'b', 'c'] })
      : undefined;
  await sim?.start();
  // Cluster DNS and the Ingress gateway run in a process of their own that outlives this one
  // (dataplane.ts): started once, adopted by every later start, so they serve through restarts.
  const dataplaneSpec = {
    apiServer: `https://127.0.0.1:${bound}`,
    ingressPort: c.ingressPort,
    ingressHttpsPort: c.ingressHttpsPort,
    dnsGateways: dnsGateways(dataDir, c.nodes, runtime.kind),
    // The gateway's metrics for a Prometheus in a pod (runc nodes; the host reaches that address too).
    ...(runtime.kind === 'runc' ? { podHost: apiEndpointOf(dataDir) } : {}),
  };
  // It loads and syncs while the agents start (both take seconds on a busy machine).
  // The dataplane (this process's Service and policy rules too) signs in as system:wharf:dataplane.
  const dataplaneKc = new KubeConfig();
  if (c.nodes > 0) dataplaneKc.loadFromFile(server.writeDataplaneKubeconfig(bound));
  const dataplaneStarting = c.nodes > 0 ? ensureDataplane(dataDir, dataplaneSpec, log) : undefined;
  dataplaneStarting?.catch(() => undefined); // awaited below; not unhandled meanwhile
  const nodes =
    c.nodes > 0
      ? new NodeSet({
          dataDir,
          count: c.nodes,
          runtime: runtime.kind,
          kubeConfig: kc,
          logger: log,
          kubernetesVersion: server.kubernetesVersion.version,
          registry: { url: `https://127.0.0.1:${regBound}`, host: `127.0.0.1:${regBound}`, ca: server.pki.caCert },
          nodeKubeconfig: (name) => server.writeNodeKubeconfig(name, bound),
          dataplaneKubeConfig: dataplaneKc,
          apiServerToken: agentToken,
          // A grace period shorter than the kubelet's default must still see several renewals (the
          // kubelet renews every 10 s against a 40 s lease and 50 s grace).
          heartbeatSeconds:
            graceSeconds !== undefined ? Math.max(1, Math.min(10, Math.floor(graceSeconds / 4))) : undefined,
          ...(c.nodeProcesses ? { agentProcesses: { apiServer: `https://127.0.0.1:${bound}` } } : {}),
        })
      : undefined;
  await nodes?.start();
  // Pods reach the API through the `kubernetes` Service, which points at an address of this
  // host that the nodes set up for it; the API listens there too.
  if (nodes?.apiAddress && plan) {
    // As one of three: pods are sent to every member that serves. The balancer's port there too,
    // as with one member: pods given that address (Prometheus) still reach the API.
    await server.listenAlso(nodes.apiAddress, bound);
    await server.advertiseMember(nodes.apiAddress, plan.apiPorts[0] as number);
  } else if (nodes?.apiAddress) await server.advertise(nodes.apiAddress, bound);
  // Pipeline steps push images from pods: the registry also answers (plain HTTP) where pods reach this host.
  const registryForPods = nodes?.apiAddress
    ? await registry.listenAlso(nodes.apiAddress).then(
        () => `http://${nodes.apiAddress}:${regBound}`,
        (e: unknown) => {
          log.warn(
            { err: e },
            'the registry could not listen where pods reach this host: pipeline steps cannot push images',
          );
          return undefined;
        },
      )
    : undefined;
  const dataplane = await dataplaneStarting;
  // An adopted dataplane of an older build leaves the Service rules to this process.
  if (dataplane && !dataplane.serviceProxy) await nodes?.startServiceProxy();
  const stopSupervising = dataplane ? superviseDataplane(dataDir, dataplaneSpec, log) : undefined;
  // The platform layer (Applications, ConfigSets) speaks only the Kubernetes API, as it would
  // as a separate `wharf platform` process.
  // Pipelines (tekton.dev/v1) start with the platform, beside it: same switch, same client-only layer.
  const [platform, pipelines] = c.platform
    ? await Promise.all([
        (await import('@wharf/platform-apps')).startPlatform({
          kubeConfig: kc,
          logger: log.child({ component: 'platform' }),
          ingressPort: dataplane?.httpPort ?? c.ingressPort,
          artifactDelivery: c.artifactDelivery,
          // The API server's own serving certificate (valid for 127.0.0.1) serves the author webhook.
          authorWebhook: {
            cert: server.pki.serverCert,
            key: server.pki.serverKey,
            caBundle: server.pki.caCert,
            host: '127.0.0.1',
          },
        }),
        (await import('@wharf/platform-pipelines')).startPipelines({
          kubeConfig: kc,
          dataDir: join(dataDir, 'pipelines'),
          logger: log.child({ component: 'pipelines' }),
        }),
      ])
    : [undefined, undefined];
  // The git server (pushes and forge webhooks → PipelineRuns) speaks only the API, like the platform.
  const git = c.platform ? await startUpGit(kc, c, log, nodes?.apiAddress) : undefined;
  // The web console: the built app and a same-origin path to the API for the signed-in user.
  const consoleByName = dataplane ? `http://${CONSOLE_HOST}:${dataplane.httpPort}` : undefined;
  const consoleServer = await startUpConsole(
    c,
    {
      api: { host: '127.0.0.1', port: bound, ca: server.pki.caCert },
      registry: { host: '127.0.0.1', port: regBound, ca: server.pki.caCert, name: 'the registry' },
      alertmanager: upAlertmanager(c, kc, runtime.kind === 'runc' && nodes !== undefined),
      dataDir,
      oidc: c.oidc,
      ldapProof,
      servedAt: consoleByName ? [consoleByName] : [],
    },
    log,
  );
  writeEndpoints(dataDir, {
    apiServer: `https://127.0.0.1:${bound}`,
    registry: `https://127.0.0.1:${regBound}`,
    registryHost: `127.0.0.1:${regBound}`,
    ...(git ? { git: git.url } : {}),
    ...(registryForPods ? { registryForPods } : {}),
    console: consoleServer.url,
    ...(consoleByName ? { consoleByName } : {}),
    ...(consoleServer.httpsUrl ? { consoleHttps: consoleServer.httpsUrl } : {}),
  });
  // Monitoring speaks only the Kubernetes API too: kube-state-metrics, the operator that renders
  // ServiceMonitors/PrometheusRules for the Prometheus given, and the service discovery it polls.
  const monitoring = c.monitoring
    ? await (
        await import('./monitoring.js')
      ).startMonitoring({
        kubeConfig: kc,
        dataDir,
        apiPort: bound,
        config: c.monitoring,
        logger: log.child({ component: 'monitoring' }),
        // Prometheus and Alertmanager run as pods only where pods reach the API (runc nodes).
        podHostAddress: runtime.kind === 'runc' ? nodes?.apiAddress : undefined,
        node: nodes ? 'node-0' : undefined,
        gatewayMetrics: () => (dataplane ? dataplaneMetrics(dataDir) : undefined),
      })
    : undefined;
  const apiMembers = await apiMembersStarting;
  // Set by a handover (`wharf cluster upgrade` restarting member 0): the stop leaves the rest of the control plane.
  let handover = false;
  const control = await serveControl(dataDir, async (r) => {
    if (r.kind !== 'node') {
      if (!apiMembers) throw new Error('this Wharf runs one API server (--control-plane-members 1)');
      if (r.kind === 'handover') handover = true;
      else await apiMembers.restart(r.member);
      log.info(
        { ...r },
        r.kind === 'handover'
          ? 'the next stop leaves API server members 1 and 2 serving'
          : 'API server member restarted',
      );
      return;
    }
    if (!nodes) throw new Error('this Wharf runs no node agents (start it with --nodes N)');
    if (r.action === 'fail') await nodes.fail(r.node);
    else if (r.action === 'restore') await nodes.restore(r.node);
    else await nodes.upgradeAgent(r.node);
    log.info({ node: r.node, action: r.action }, 'node drill');
  });
  log.info(
    {
      dataDir,
      url: `https://127.0.0.1:${bound}`,
      registry: `127.0.0.1:${regBound}`,
      ...(dataplane
        ? {
            ingress: `http://<app>.localhost:${dataplane.httpPort}`,
            dataplane: dataplane.adopted ? 'adopted' : 'started',
          }
        : {}),
      ...(nodes ? { runtime: runtime.kind } : {}),
      ...(plan ? { apiServers: plan.apiPorts.map((p) => `https://127.0.0.1:${p}`) } : {}),
      ...(git ? { git: git.url } : {}),
      console: consoleServer.url,
      ...(consoleByName ? { consoleByName } : {}),
      ...(consoleServer.httpsUrl ? { consoleHttps: consoleServer.httpsUrl } : {}),
      ...(monitoring ? { prometheusConfig: join(dataDir, 'monitoring', 'prometheus', 'prometheus.yml') } : {}),
      kubeconfig,
      startupMs: Math.round(performance.now() - started),
    },
    'wharf is ready',
  );
  process.stdout.write(
    `\nWharf is up. Try:\n  kubectl --kubeconfig ${kubeconfig} get namespaces\n  open ${consoleServer.url}   (sign in: wharf console${c.dataDir === defaultDataDir(undefined) ? '' : ` --data-dir ${dataDir}`})\n${consoleByName ? `  or open ${consoleByName}   (the same console through the Ingress gateway)\n` : ''}${consoleServer.httpsUrl ? `  from other hosts: ${consoleServer.httpsUrl}   (TLS; the cluster CA is ${join(dataDir, 'pki', 'ca.crt')})\n` : ''}${git ? `  git clone ${git.url}/git/<namespace>/<repository>.git   (password: a cluster token)\n` : ''}\n`,
  );
  let stopping = false;
  // The part being stopped, named when a stop overruns so the hang can be found.
  let stoppingPart = '';
  const part = async (name: string, fn: () => unknown): Promise<void> => {
    stoppingPart = name;
    const t0 = performance.now();
    await fn();
    log.debug({ part: name, ms: Math.round(performance.now() - t0) }, 'stopped part');
  };
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      log.error({ part: stoppingPart }, `stop took longer than 15 s (still stopping ${stoppingPart}): exiting anyway`);
      process.exit(1);
    }, 15_000).unref();
    (async () => {
      await part('control socket', () => control.close());
      await part('console', () => consoleServer.close());
      await part('pipelines', () => pipelines?.stop());
      await part('git server', () => git?.stop());
      await part('platform', () => platform?.stop());
      await part('monitoring', () => monitoring?.stop());
      await part('dataplane supervision', () => stopSupervising?.());
      // The dataplane process, the containers and the Service rules stay: workloads keep serving.
      await part('node agents', () => nodes?.stop());
      await part('simulated nodes', () => sim?.stop());
      await part('controllers', () => controllers.stop());
      // A handover leaves members 1 and 2, the balancer and etcd serving: the next `wharf up` adopts them.
      if (!handover) await part('API server members', () => apiMembers?.stop());
      // Before member 0: the connections it passes through would hold member 0's server open.
      if (plan && !handover)
        await part('API balancer', async () => (await import('./api-balancer.js')).stopBalancer(dataDir));
      // Drained only for a handover: otherwise the balancer is gone and so are members 1 and 2.
      await part('registry and API server', () => Promise.all([registry.stop(), server.stop({ drain: handover })]));
      if (!handover) await part('etcd members', () => etcdMember?.stop());
    })().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e, part: stoppingPart }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
