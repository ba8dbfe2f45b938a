// `wharf config`: the configuration center from the command line — ConfigSets with immutable
// versions, an impact preview before a change, history, per-key diffs and rollback.
import type { Command } from 'commander';
import { collect, example, withCluster, withOutput, withWait } from '../kube/options.js';

const actions = () => import('./actions.js');

export function addConfigCommands(program: Command): void {
  const config = program.command('config').description('configuration sets: versions, impact preview, diff, rollback');

  withWait(withOutput(withCluster(config.command('set <name> [pairs...]'))))
    .description(
      'change keys of a ConfigSet (created if missing): shows which applications read them and what happens, then publishes a new version and waits for the rollouts',
    )
    .option(
      '--from-file <KEY=PATH>',
      "a key whose value is a file's content (repeatable; binary files become binaryData)",
      collect,
    )
    .option('--unset <key>', 'remove a key (repeatable)', collect)
    .option('-m, --message <text>', 'why: recorded with the new version')
    .option('--dry-run', 'only show the impact preview and the diff; change nothing')
    .addHelpText(
      'after',
      example(`
wharf config set shop-settings GREETING=hi --dry-run -n demo
wharf config set shop-settings GREETING=hi -m "friendlier greeting" -n demo
wharf config set shop-files --from-file index.html=./site/index.html`),
    )
    .action(async (name: string, pairs: string[], o) => (await actions()).set(name, pairs, o));

  withOutput(withCluster(config.command('get <name>')))
    .description('the keys and values of a ConfigSet, now or at a version')
    .option('--version <n>', 'a published version')
    .addHelpText('after', example('wharf config get shop-settings\nwharf config get shop-settings --version 2 -o json'))
    .action(async (name: string, o) => (await actions()).get(name, o));

  withOutput(withCluster(config.command('history <name>')))
    .description('the published versions: number, time, author, keys, message')
    .addHelpText('after', example('wharf config history shop-settings -n demo'))
    .action(async (name: string, o) => (await actions()).history(name, o));

  withOutput(withCluster(config.command('diff <name> <a> <b>')))
    .description('what changed between versions A and B: a unified diff per key')
    .addHelpText('after', example('wharf config diff shop-settings 1 2'))
    .action(async (name: string, a: string, b: string, o) => (await actions()).diff(name, a, b, o));

  withWait(withOutput(withCluster(config.command('rollback <name>'))))
    .description(
      'publish the content of version N again as a new version (with the impact preview), and wait for the rollouts',
    )
    .requiredOption('--to <n>', 'the version whose content comes back')
    .option('-m, --message <text>', 'why (default: "rollback to version N")')
    .option('--dry-run', 'only show the impact preview and the diff; change nothing')
    .addHelpText(
      'after',
      example('wharf config rollback shop-settings --to 1 --dry-run\nwharf config rollback shop-settings --to 1'),
    )
    .action(async (name: string, o) => (await actions()).rollback(name, o));
}
