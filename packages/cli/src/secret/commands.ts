// `wharf secret`: keys of an application's Secret (or any Secret). Values come from stdin or a
// file, never from the command line, and are printed only with --reveal to users allowed to
// read secrets.
import type { Command } from 'commander';
import { example, withCluster, withOutput } from '../kube/options.js';

const actions = () => import('./actions.js');

export function addSecretCommands(program: Command): void {
  const secret = program.command('secret').description('secrets of applications: set, list (names and keys), remove');

  withCluster(secret.command('set <app-or-secret> <key>'))
    .description(
      'set KEY in the Secret of application APP (APP-secrets) or in the Secret of that name; the value comes from stdin or --from-file, never from the command line',
    )
    .option('--from-file <path>', "the value is this file's exact bytes")
    .addHelpText(
      'after',
      example(`
printf %s "$DB_PASSWORD" | wharf secret set shop DB_PASSWORD -n demo
wharf secret set shop TLS_KEY --from-file ./tls.key
wharf secret set shop API_TOKEN          # on a terminal: typed without echo`),
    )
    .action(async (target: string, key: string, o) => (await actions()).set(target, key, o));

  withOutput(withCluster(secret.command('ls [app-or-secret]')))
    .description('list Secrets and their keys (never values, unless --reveal)')
    .option('--reveal', 'also print the values, if you may get secrets in the namespace')
    .addHelpText('after', example('wharf secret ls -n demo\nwharf secret ls shop --reveal'))
    .action(async (target: string | undefined, o) => (await actions()).ls(target, o));

  withCluster(secret.command('rm <app-or-secret> [keys...]'))
    .description('remove keys from a Secret, or the whole Secret when no key is given')
    .addHelpText('after', example('wharf secret rm shop API_TOKEN\nwharf secret rm old-credentials'))
    .action(async (target: string, keys: string[], o) => (await actions()).rm(target, keys, o));
}
