// `wharf cluster`: operating whole clusters (kops-style). Today: validate.
import type { Command } from 'commander';
import { example, withCluster, withOutput } from '../kube/options.js';

export function addClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('operate clusters: validate');

  withOutput(withCluster(cluster.command('validate')))
    .description('check that nodes, system pods and control-plane components are healthy; list what is not, and the pods a PodDisruptionBudget keeps from being evicted')
    .option('--wait <duration>', 'keep checking until the cluster is valid or this much time passed, e.g. 5m (default: check once)')
    .option('--timeout <duration>', 'give up reading the cluster after this long', '30s')
    .addHelpText('after', example('wharf cluster validate\nwharf cluster validate --wait 5m -o json'))
    .action(async (o) => (await import('./validate-command.js')).validateCommand(o));
}
