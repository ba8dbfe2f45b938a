// `wharf cluster`: operating whole clusters (kops-style): create, get, update, delete, upgrade,
// restore (each previews, --yes does it), backup and validate.
import type { Command } from 'commander';
import { durationSeconds, example, withCluster, withOutput } from '../kube/options.js';

export function addClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('operate clusters of this machine: create, get, update, delete, upgrade, backup, restore, validate');
  const state = (c: Command): Command =>
    c.option('--state <dir>', "the state store listing this machine's clusters (default ~/.wharf/clusters)");
  const lib = () => import('./lifecycle.js');

  state(cluster.command('create'))
    .description('print what a Cluster spec file would create; with --yes, create it (a wharf up of its own, detached)')
    .requiredOption('-f, --file <file>', 'the Cluster spec (apiVersion wharf.dev/v1alpha1, kind Cluster)')
    .option('--yes', 'do it (without: only print the plan)')
    .option('--timeout <duration>', 'how long to wait for the cluster to be ready', '10m')
    .addHelpText('after', example('wharf cluster create -f dev.yaml\nwharf cluster create -f dev.yaml --yes'))
    .action(async (o: { file: string; yes?: boolean; timeout: string; state?: string }) =>
      (await lib()).createCommand({ ...o, timeout: durationSeconds('--timeout', o.timeout) }),
    );

  state(cluster.command('get'))
    .argument('[name]', 'one cluster (default: all)')
    .description("show each cluster's spec beside what runs")
    .action(async (name: string | undefined, o: { state?: string }) =>
      (await lib()).getCommand({ ...o, ...(name ? { name } : {}) }),
    );

  state(cluster.command('update'))
    .description(
      'print how a changed Cluster spec differs (nodes, zones, add-ons, ports); with --yes, apply it: removed nodes are drained first',
    )
    .requiredOption('-f, --file <file>', 'the Cluster spec')
    .option('--yes', 'do it (without: only print the changes)')
    .option('--timeout <duration>', 'how long to wait for the restarted cluster to be ready', '10m')
    .option(
      '--drain-timeout <duration>',
      'how long draining each removed node may take (PodDisruptionBudgets are honoured)',
      '5m',
    )
    .action(async (o: { file: string; yes?: boolean; timeout: string; drainTimeout: string; state?: string }) =>
      (await lib()).updateCommand({
        ...o,
        timeout: durationSeconds('--timeout', o.timeout),
        drainTimeout: durationSeconds('--drain-timeout', o.drainTimeout),
      }),
    );

  state(cluster.command('delete'))
    .argument('<name>', 'the cluster')
    .description(
      'print what deleting a cluster removes; with --yes, remove it all (its wharf up, containers, data dir, state)',
    )
    .option('--yes', 'do it (without: only print the plan)')
    .action(async (name: string, o: { yes?: boolean; state?: string }) => (await lib()).deleteCommand({ ...o, name }));

  const upg = () => import('./upgrade.js');
  state(cluster.command('upgrade'))
    .argument('<name>', 'the cluster')
    .description(
      'plan an upgrade to another Kubernetes version (any patch; one minor at a time), run its preflight and say go or no-go; with --yes, do it: snapshot, control plane, then each node. An interrupted upgrade resumes',
    )
    .requiredOption('--to <version>', 'the target version, X.Y.Z or X.Y (its latest patch)')
    .option('--yes', 'do it (without: only print the plan and the preflight)')
    .option('--timeout <duration>', 'how long the restarted control plane and each node may take to validate', '10m')
    .option(
      '--drain-timeout <duration>',
      'how long draining each node may take (PodDisruptionBudgets are honoured)',
      '5m',
    )
    .option('--backup-max-age <duration>', 'the preflight wants a backup at most this old', '1h')
    .addHelpText(
      'after',
      example(
        'wharf cluster backup dev\nwharf cluster upgrade dev --to 1.32\nwharf cluster upgrade dev --to 1.32 --yes',
      ),
    )
    .action(
      async (
        name: string,
        o: { to: string; yes?: boolean; timeout: string; drainTimeout: string; backupMaxAge: string; state?: string },
      ) =>
        (await upg()).upgradeCommand({
          ...o,
          name,
          timeout: durationSeconds('--timeout', o.timeout),
          drainTimeout: durationSeconds('--drain-timeout', o.drainTimeout),
          backupMaxAge: durationSeconds('--backup-max-age', o.backupMaxAge),
        }),
    );

  state(cluster.command('backup'))
    .argument('<name>', 'the cluster')
    .description(
      'write a consistent snapshot of the store, with the keys, PKI, registry blobs and local volumes, to one .tar.gz (the cluster may run)',
    )
    .option('--out <file>', "where to write it (default: the state store's backups dir)")
    .action(async (name: string, o: { out?: string; state?: string }) => (await upg()).backupCommand({ ...o, name }));

  state(cluster.command('restore'))
    .argument('<name>', 'the cluster')
    .description(
      "print what restoring a backup replaces; with --yes, stop the cluster's wharf up, put the backup back and start it again",
    )
    .option('--from <file>', 'the backup (default: the newest one listed for the cluster)')
    .option('--yes', 'do it (without: only print the plan)')
    .option('--timeout <duration>', 'how long to wait for the restored cluster to be ready', '10m')
    .action(async (name: string, o: { from?: string; yes?: boolean; timeout: string; state?: string }) =>
      (await upg()).restoreCommand({ ...o, name, timeout: durationSeconds('--timeout', o.timeout) }),
    );

  withOutput(withCluster(cluster.command('validate')))
    .description(
      'check that nodes, system pods and control-plane components are healthy; list what is not, and the pods a PodDisruptionBudget keeps from being evicted',
    )
    .option(
      '--wait <duration>',
      'keep checking until the cluster is valid or this much time passed, e.g. 5m (default: check once)',
    )
    .option('--timeout <duration>', 'give up reading the cluster after this long', '30s')
    .option(
      '--data-dir <dir>',
      "also check each control-plane member of this data dir: its API servers' /readyz, its etcd members' health (default: the dir of --kubeconfig when it runs three)",
    )
    .addHelpText('after', example('wharf cluster validate\nwharf cluster validate --wait 5m -o json'))
    .action(async (o) => (await import('./validate-command.js')).validateCommand(o));
}
