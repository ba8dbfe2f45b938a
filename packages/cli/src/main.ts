// The wharf command line.
import { Command, Option } from 'commander';
import type { UpOptions } from './up.js';
import type { PlatformCommandOptions } from './platform.js';
import { addImageCommands } from './image.js';
import { addAppCommands } from './app/commands.js';
import { addConfigCommands } from './config/commands.js';
import { addSecretCommands } from './secret/commands.js';
import { addProjectCommands } from './project/commands.js';
import { addNotifyCommands } from './notify.js';
import { addMonitoringCommands } from './monitoring-components.js';
import { addNpdCommands } from './npd.js';
import { addBuildCommands } from './build/commands.js';
import { addGitCommands } from './git.js';
import { addLoginCommands } from './login/commands.js';
import { addTokenCommands } from './token/commands.js';
import { addClusterCommands } from './cluster/commands.js';
import { addAgentCommands } from './agent/commands.js';
import { defaultDataDir } from './endpoints.js';
import { failInOneLine } from './fail.js';

const program = new Command();
// Positional: the program's own --version comes before a verb, so `wharf config get --version N` is the verb's.
program
  .name('wharf')
  .description('Wharf: a private container cloud platform on the Kubernetes API')
  .version('0.1.0')
  .enablePositionalOptions();

program
  .command('up')
  .description('start the embedded control plane in the foreground')
  .option('--data-dir <dir>', 'where Wharf keeps its state', undefined)
  .option('--api-port <port>', 'HTTPS port of the Kubernetes API', '6443')
  .option('--nodes <n>', 'node agents that run pods on this machine', '0')
  .option(
    '--node-processes',
    'run each node agent as a `wharf agent` process of its own, supervised, that outlives wharf up (the default)',
  )
  .option('--no-node-processes', 'run the node agents inside this process instead (about 80 MB less per node)')
  .option(
    '--kubernetes-version <version>',
    'the Kubernetes minor (1.31, 1.32, 1.33) or X.Y.Z the API server serves; the data dir remembers it (default: what it ran last, else 1.32)',
  )
  .option(
    '--runtime <kind>',
    'how nodes run containers: runc (needs root, runc and the CNI plugins), process (host processes, no isolation) or auto (runc where possible)',
    'auto',
  )
  .option('--registry-port <port>', 'port of the built-in OCI registry', '5000')
  .option(
    '--store <kind>',
    'where the API server keeps objects: sqlite (DATA_DIR/wharf.db) or etcd (default: as the data dir last ran, else sqlite)',
  )
  .option(
    '--etcd-servers <urls>',
    'comma-separated etcd client URLs for --store etcd (default: Wharf runs one member on loopback in DATA_DIR/etcd)',
  )
  .option(
    '--control-plane-members <n>',
    '1, or 3 (with --store etcd): three etcd members (DATA_DIR/etcd-0..2, without --etcd-servers) and three API servers behind one address, --api-port (default: as the data dir last ran, else 1)',
  )
  .option('--registry-anonymous-pull', 'let clients without a token pull images')
  .option(
    '--default-toleration-seconds <s>',
    'how long pods stay on a not-ready or unreachable node before eviction',
    '300',
  )
  .option('--node-monitor-grace-period <s>', 'a node whose agent is silent this long is marked unreachable', '50')
  .option('--node-monitor-period <s>', "how often the nodes' heartbeats are checked", '5')
  .option('--horizontal-pod-autoscaler-sync-period <s>', 'how often HorizontalPodAutoscalers are synced', '15')
  .option('--node-eviction-rate <per-second>', 'nodes per second whose pods may be evicted, per zone', '0.1')
  .option('--pod-gc-quarantine <s>', "how long a deleted node's pods wait before PodGC force-deletes them", '40')
  .option('--ingress-port <port>', 'HTTP port of the Ingress gateway (with --nodes)', '8080')
  .option('--ingress-https-port <port>', 'HTTPS port of the Ingress gateway (with --nodes)', '8443')
  .option(
    '--log-format <format>',
    'json (one JSON object a line) or text (for people); default: text on a terminal, json otherwise',
  )
  .option('--log-level <level>', 'least level logged: trace, debug, info, warn, error, fatal or silent', 'info')
  .option(
    '--no-platform',
    'do not install the platform CRDs nor run the platform controllers (run them with `wharf platform`)',
  )
  .option(
    '--artifact-delivery <how>',
    'how artifact images reach application pods: image-volume, init-copy, or auto (image volumes if the API server keeps them)',
    'auto',
  )
  .option(
    '--console-port <port>',
    'loopback HTTP port of the web console (if the default is taken, another free port)',
    '8070',
  )
  .option(
    '--console-address <ip>',
    'also serve the console over HTTPS on this address (0.0.0.0: every interface) for browsers on other hosts, with a certificate of the cluster CA',
  )
  .option('--console-https-port <port>', 'HTTPS port of the console on --console-address', '8071')
  .option(
    '--git-port <port>',
    'HTTP port of the built-in git server and webhook endpoint (with the platform; if taken, another free port)',
    '8090',
  )
  .option('--max-concurrent-builds <n>', 'cluster-wide limit of PipelineRuns that pushes start at once', '2')
  .option(
    '--no-monitoring',
    'do not deploy Prometheus and Alertmanager (wharf-monitoring, with --nodes) nor run kube-state-metrics, the monitoring operator (ServiceMonitor, PodMonitor, PrometheusRule, AlertmanagerConfig) and its service discovery',
  )
  .option(
    '--prometheus-url <url>',
    'the Prometheus the operator configures and reloads (it reads DATA_DIR/monitoring/prometheus/prometheus.yml; run it with --web.enable-lifecycle)',
  )
  .option('--alertmanager-url <url>', 'the Alertmanager Prometheus sends alerts to and the operator reloads')
  .option('--alertmanager-config <file>', 'the alertmanager.yml the operator writes from AlertmanagerConfigs')
  .option('--scrape-interval <duration>', 'Prometheus scrape and rule evaluation interval', '30s')
  .option('--retention <duration>', 'how long the Prometheus of wharf-monitoring keeps samples', '15d')
  .option('--alert-for <duration>', 'use this `for` for every default alert instead of its own (demos and tests)')
  .option(
    '--simulated-nodes <n>',
    'register N simulated nodes (KWOK-style: pods bound to them report Running without containers)',
  )
  .option('--oidc-issuer-url <url>', 'accept OpenID Connect ID tokens of this issuer (https; as kube-apiserver)')
  .option('--oidc-client-id <id>', 'the audience ID tokens must carry (with --oidc-issuer-url)')
  .option('--oidc-username-claim <claim>', 'the claim that names the user (default sub)')
  .option(
    '--oidc-username-prefix <prefix>',
    'prefix of user names; - for none (default "<issuer>#" unless the claim is email)',
  )
  .option('--oidc-groups-claim <claim>', "the claim that lists the user's groups")
  .option('--oidc-groups-prefix <prefix>', 'prefix of group names')
  .option('--oidc-ca-file <file>', "CA bundle that signs the issuer's certificate (default: the system's)")
  .option(
    '--ldap-url <url>',
    'sign users in at POST /login/ldap against this directory (ldaps://, or ldap:// with --ldap-start-tls); answers a Wharf token',
  )
  .option('--ldap-user-dn-template <dn>', 'the DN a user binds as, e.g. uid={username},ou=people,dc=example,dc=org')
  .option('--ldap-group-search-base <dn>', "where the user's groups are searched, e.g. ou=groups,dc=example,dc=org")
  .option(
    '--ldap-group-filter <filter>',
    'groups of the user ({dn} and {username} are replaced; default (|(member={dn})(uniqueMember={dn})))',
  )
  .option('--ldap-group-name-attribute <attr>', 'the attribute that names a group (default cn)')
  .option('--ldap-start-tls', 'upgrade ldap:// with StartTLS before sending the password')
  .option('--ldap-ca-file <file>', "CA bundle of the directory's certificate (default: the system's)")
  .option('--ldap-groups-prefix <prefix>', 'prefix of group names from the directory (default ldap:)')
  .option('--ldap-token-ttl <seconds>', 'lifetime of the token a sign-in answers (default 28800)')
  .option(
    '--audit-policy-file <file>',
    'audit requests by this audit.k8s.io/v1 Policy (default: writes at Metadata, one flat line each, in DATA_DIR/audit.log)',
  )
  .option(
    '--audit-log-path <file>',
    'where the audit log backend writes Events, - for none (with --audit-policy-file; default DATA_DIR/audit.log)',
  )
  .option('--audit-log-maxsize <MB>', 'rotate the audit log at this size; 0: never (default 100)')
  .option('--audit-log-maxbackup <n>', 'rotated audit logs kept (default 10)')
  .option('--audit-webhook-config-file <file>', 'a kubeconfig naming a webhook that receives audit EventLists')
  .option('--audit-webhook-batch-max-size <n>', 'events per webhook request at most (default 400)')
  .option('--audit-webhook-batch-max-wait <s>', 'seconds a webhook batch waits to fill (default 30)')
  .addOption(new Option('--compact-interval <ms>', 'how often history is compacted (tests and drills)').hideHelp())
  .addOption(new Option('--compact-keep <revisions>', 'revisions compaction always keeps').hideHelp())
  .addOption(new Option('--compact-retention <ms>', 'history compaction always keeps, in ms').hideHelp())
  .addOption(new Option('--watch-timeout <seconds>', 'end watches without timeoutSeconds after this long').hideHelp())
  .addHelpText(
    'after',
    `
Tuning for tests and drills (defaults suit normal use):
  --compact-interval <ms>     how often history is compacted (default 60000)
  --compact-keep <revisions>  revisions compaction always keeps (default 10000)
  --compact-retention <ms>    history compaction always keeps, in ms (default 300000)
  --watch-timeout <seconds>   a watch without timeoutSeconds ends after this long and the
                              client resumes from its last resourceVersion (default 1800)`,
  )
  .action(async (opts: UpOptions & { kubernetesVersion?: string }) => {
    // The version is pinned in the data dir before up() starts its API server, which reads the pin
    // (a downgrade or a skipped minor is refused here, in one line).
    if (opts.kubernetesVersion)
      (await import('./cluster/version-flag.js')).pinVersionFlag(defaultDataDir(opts.dataDir), opts.kubernetesVersion);
    // Each command loads only the modules it needs, so `wharf up` starts fast.
    const { up } = await import('./up.js');
    await up(opts);
  });

program
  .command('reset')
  .description('stop and remove every container, network namespace, bridge and mount Wharf created for a data dir')
  .option('--data-dir <dir>', 'the Wharf data dir')
  .option(
    '--remove-guard',
    'also remove the egress guard shared by every Wharf on this machine (packets to the service range may then leave it)',
  )
  .action(async (o: { dataDir?: string; removeGuard?: boolean }) => {
    const dataDir = defaultDataDir(o.dataDir);
    // A running Wharf would start its dataplane again and adopt what is being removed.
    const { isRunning } = await import('./control.js');
    if (await isRunning(dataDir))
      throw new Error(`Wharf is running in ${dataDir}: stop it (Ctrl-C or SIGTERM) before resetting`);
    const { resetNodes } = await import('./nodes.js');
    const nodes = await resetNodes(dataDir, { removeGuard: o.removeGuard === true });
    await (await import('./control-plane.js')).resetControlPlane(dataDir);
    process.stdout.write(`reset ${nodes.length} node(s) of ${dataDir}${nodes.length ? `: ${nodes.join(', ')}` : ''}\n`);
  });

program
  .command('apiserver', { hidden: true })
  .description(
    'serve API server member 1 or 2 of a data dir (started and supervised by wharf up --control-plane-members 3)',
  )
  .requiredOption('--data-dir <dir>', 'the Wharf data dir')
  .requiredOption('--member <i>', 'which member: 1 or 2')
  .action(async (o: { dataDir: string; member: string }) => {
    const { runApiMember } = await import('./api-member.js');
    const { cliLogger } = await import('./log.js');
    await runApiMember(defaultDataDir(o.dataDir), Number(o.member), cliLogger({ format: 'json', level: 'info' }));
  });

program
  .command('api-balancer', { hidden: true })
  .description('the one API address of a control plane of three: TLS passed through to the members that are ready')
  .requiredOption('--data-dir <dir>', 'the Wharf data dir')
  .requiredOption('--port <port>', 'the loopback port it listens on (--api-port)')
  .requiredOption('--backends <ports>', 'comma-separated loopback ports of the API servers')
  .action(async (o: { dataDir: string; port: string; backends: string }) => {
    const { runBalancer } = await import('./api-balancer.js');
    await runBalancer(defaultDataDir(o.dataDir), Number(o.port), o.backends.split(',').map(Number));
  });

program
  .command('dataplane', { hidden: true })
  .description('serve cluster DNS and the Ingress gateway of a data dir (started and adopted by wharf up)')
  .requiredOption('--data-dir <dir>', 'the Wharf data dir')
  .requiredOption('--api-server <url>', 'the API server, as DIR/kubeconfig names it')
  .option('--ingress-port <port>', 'HTTP port of the Ingress gateway', '8080')
  .option('--ingress-https-port <port>', 'HTTPS port of the Ingress gateway', '8443')
  .option('--dns-gateways <list>', 'comma-separated bridge gateways whose port 53 is redirected to cluster DNS', '')
  .option(
    '--pod-host-address <ip>',
    "where pods reach this host: the gateway's /metrics listens there, not on 127.0.0.1",
  )
  .option('--pod-host-device <name>', 'the link holding that address (set up when missing)')
  .action(
    async (o: {
      dataDir: string;
      apiServer: string;
      ingressPort: string;
      ingressHttpsPort: string;
      dnsGateways: string;
      podHostAddress?: string;
      podHostDevice?: string;
    }) => {
      const { runDataplane } = await import('./dataplane.js');
      await runDataplane(defaultDataDir(o.dataDir), {
        apiServer: o.apiServer,
        ingressPort: Number(o.ingressPort),
        ingressHttpsPort: Number(o.ingressHttpsPort),
        dnsGateways: o.dnsGateways.split(',').filter(Boolean),
        ...(o.podHostAddress && o.podHostDevice
          ? { podHost: { device: o.podHostDevice, address: o.podHostAddress } }
          : {}),
      });
    },
  );

program
  .command('console')
  .description('print a sign-in link to the web console for the current kubeconfig user (one use, valid two minutes)')
  .option('--data-dir <dir>', 'the Wharf data dir (its console, and its kubeconfig unless --kubeconfig)')
  .option(
    '--kubeconfig <file>',
    'whose token signs in (default: $KUBECONFIG, else the Wharf kubeconfig, else ~/.kube/config)',
  )
  .option('--gateway', 'a link to http://console.localhost:<ingress port>, the console through the Ingress gateway')
  .option('--https', 'a link to the console over HTTPS for other hosts (wharf up --console-address)')
  .action(async (o: { dataDir?: string; kubeconfig?: string; gateway?: boolean; https?: boolean }) => {
    const { consoleLink } = await import('./console/command.js');
    process.stdout.write(`${await consoleLink(o)}\n`);
  });

const node = program
  .command('node')
  .description("rehearse node failures on the embedded cluster, or upgrade a node's agent");
const nodeActions = [
  ['fail', 'make a node fail abruptly: its agent and all its containers stop, as on power loss', 'failed'],
  ['restore', 'bring a failed node back', 'restored'],
  [
    'upgrade',
    "restart a node's agent process for the control plane's Kubernetes version (an upgrade's node step; containers keep running)",
    'upgraded',
  ],
] as const;
for (const [action, what, done] of nodeActions) {
  node
    .command(`${action} <name>`)
    .description(what)
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (name: string, o: { dataDir?: string }) => {
      const { sendControl } = await import('./control.js');
      await sendControl(defaultDataDir(o.dataDir), `/nodes/${encodeURIComponent(name)}/${action}`);
      process.stdout.write(`node/${name} ${done}\n`);
    });
}

program
  .command('platform')
  .description(
    'run the platform controllers (Applications, ConfigSets; pipelines with --pipelines-dir) against a cluster, in the foreground',
  )
  .option(
    '--kubeconfig <file>',
    'the cluster (default: the in-cluster account in a pod, else $KUBECONFIG or ~/.kube/config)',
  )
  .option('--no-install-crds', 'do not install or upgrade the platform CRDs (apply deploy/platform/crds.yaml yourself)')
  .option('--ingress-port <port>', "HTTP port of the cluster's Ingress gateway, for the URLs in status (default 80)")
  .option(
    '--artifact-delivery <how>',
    'image-volume, init-copy, or auto (image volumes if the API server keeps them)',
    'auto',
  )
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .option(
    '--webhook-cert <file>',
    'serve the webhook that records config version authors with this PEM certificate (with --webhook-key, --webhook-ca)',
  )
  .option('--webhook-key <file>', 'its PEM key')
  .option('--webhook-ca <file>', 'the PEM CA the API server trusts it by')
  .option('--webhook-host <address>', 'the address the API server reaches the webhook at (default 127.0.0.1)')
  .option('--pipelines-dir <dir>', 'also run the pipeline controllers (tekton.dev/v1), archiving step logs in DIR')
  .addHelpText(
    'after',
    `
Example:
  wharf up --no-platform --nodes 1 &
  wharf platform --kubeconfig ~/.wharf/kubeconfig --ingress-port 8080`,
  )
  .action(async (o: PlatformCommandOptions) => {
    const { platform } = await import('./platform.js');
    await platform(o);
  });

addImageCommands(program);
addAppCommands(program);
addConfigCommands(program);
addSecretCommands(program);
addProjectCommands(program);
addNotifyCommands(program);
addNpdCommands(program);
addMonitoringCommands(program);
addBuildCommands(program);
addGitCommands(program);
addLoginCommands(program);
addTokenCommands(program);
addClusterCommands(program);
addAgentCommands(program);

program.parseAsync(process.argv).catch(failInOneLine);
