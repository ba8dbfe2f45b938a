// `wharf node-problem-detector` and `wharf remediation-controller`: thin runners of
// @wharf/platform-npd for a DaemonSet / Deployment (in-cluster service account) or a host process
// (--kubeconfig). They run in the foreground until SIGTERM or Ctrl-C.
import type { KubeConfig } from '@kubernetes/client-node';
import { componentUserAgent, createLogger, KubeClient } from '@wharf/client';
import type { Command } from 'commander';

/**
 * The file's credentials, else the pod's service account. The Kubernetes client is loaded here, on
 * use: loaded with this module, it was most of every other command's start (0.6 of 1.2 s of CPU).
 */
export async function kubeConfigOf(kubeconfig: string | undefined): Promise<KubeConfig> {
  if (kubeconfig) {
    const kc = new (await import('@kubernetes/client-node')).KubeConfig();
    kc.loadFromFile(kubeconfig);
    return kc;
  }
  if (process.env.KUBERNETES_SERVICE_HOST) return (await import('./in-cluster.js')).inClusterConfig();
  throw new Error('no --kubeconfig, and not inside a cluster (KUBERNETES_SERVICE_HOST is unset)');
}

export async function kubeClient(kubeconfig: string | undefined, component: string): Promise<KubeClient> {
  return new KubeClient(await kubeConfigOf(kubeconfig), { userAgent: componentUserAgent(component) });
}

export async function untilSignal(stop: () => Promise<void>): Promise<void> {
  // The runners' timers are unref'd (realClock): this handle keeps the process up until a signal.
  const alive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(alive);
  await stop();
}

export function addNpdCommands(program: Command): void {
  program
    .command('node-problem-detector')
    .description(
      "detect node problems from kernel messages, log files and check scripts (node-problem-detector's config formats) and report them as Events and NodeConditions",
    )
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--node <name>', 'the node this runs on (default: $NODE_NAME)')
    .requiredOption('--config <dir>', 'directory of monitor configs (*.json: system-log and custom-plugin monitors)')
    .option('--state-file <file>', 'where read positions survive restarts', '/var/lib/wharf-npd/state.json')
    .option('--metrics-address <host:port>', 'serve problem_counter and problem_gauge at /metrics', '127.0.0.1:20257')
    .action(
      async (o: { kubeconfig?: string; node?: string; config: string; stateFile: string; metricsAddress: string }) => {
        const nodeName = o.node ?? process.env.NODE_NAME;
        if (!nodeName) throw new Error('--node is required (or set NODE_NAME)');
        // Loaded on use, so other commands start without this package.
        const { loadMonitorConfigs, NodeProblemDetector } = await import('@wharf/platform-npd');
        const monitors = loadMonitorConfigs(o.config);
        const client = await kubeClient(o.kubeconfig, 'node-problem-detector');
        const detector = new NodeProblemDetector({
          client,
          nodeName,
          monitors,
          stateFile: o.stateFile,
          metricsAddress: o.metricsAddress,
          logger: createLogger(),
        });
        await detector.start();
        await untilSignal(async () => {
          await detector.stop();
          client.close();
        });
      },
    );

  program
    .command('remediation-controller')
    .description(
      'drive RemediationPolicies: taint and cordon, drain within PodDisruptionBudgets, run the hook, uncordon when the condition clears',
    )
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--period <ms>', 'time between passes', '2000')
    .action(async (o: { kubeconfig?: string; period: string }) => {
      const periodMs = Number(o.period);
      if (!Number.isFinite(periodMs) || periodMs < 100)
        throw new Error(`--period: want milliseconds >= 100, got ${o.period}`);
      const { RemediationController } = await import('@wharf/platform-npd');
      const client = await kubeClient(o.kubeconfig, 'remediation-controller');
      const controller = new RemediationController({ client, periodMs, logger: createLogger() });
      controller.start();
      await untilSignal(async () => {
        await controller.stop();
        client.close();
      });
    });
}
