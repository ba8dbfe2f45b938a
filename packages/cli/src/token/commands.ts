// `wharf token`: bootstrap tokens a node joins the cluster with, as `kubeadm token`.
import type { Command } from 'commander';
import { example, withCluster, withOutput } from '../kube/options.js';

const actions = () => import('./actions.js');

export function addTokenCommands(program: Command): void {
  const token = program.command('token').description('bootstrap tokens for joining nodes: create, list, delete');

  withCluster(token.command('create'))
    .description(
      'create a bootstrap token (printed once, as ID.SECRET) that may ask for a node client certificate until it expires',
    )
    .option('--ttl <duration>', 'how long it stays valid, e.g. 30m, 24h (0: never expires)', '24h')
    .option('--description <text>', 'what the token is for')
    .option('--groups <groups>', 'extra groups, comma-separated, each starting with system:bootstrappers:')
    .addHelpText('after', example('wharf token create --ttl 1h --description "edge node in zone b"'))
    .action(async (o) => (await actions()).create(o));

  withOutput(withCluster(token.command('list')))
    .description('list bootstrap tokens (IDs, never secrets), their expiry and groups')
    .addHelpText('after', example('wharf token list'))
    .action(async (o) => (await actions()).list(o));

  withCluster(token.command('delete <ids...>'))
    .description('revoke bootstrap tokens: ID or ID.SECRET')
    .addHelpText('after', example('wharf token delete abcdef'))
    .action(async (ids: string[], o) => (await actions()).remove(ids, o));
}
