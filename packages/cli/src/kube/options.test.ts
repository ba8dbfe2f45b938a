import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addAppCommands } from '../app/commands.js';
import { addConfigCommands } from '../config/commands.js';
import { addSecretCommands } from '../secret/commands.js';

/** The full --help text of a command, as a user sees it. */
function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

describe('wharf app|config|secret help', () => {
  const program = new Command('wharf');
  addAppCommands(program);
  addConfigCommands(program);
  addSecretCommands(program);
  const verbs = program.commands.flatMap((group) =>
    group.commands.map((v) => [`${group.name()} ${v.name()}`, v] as const),
  );

  it('has the verbs of the issue', () => {
    expect(verbs.map(([n]) => n)).toEqual([
      'app create',
      'app ls',
      'app get',
      'app deploy',
      'app scale',
      'app history',
      'app rollback',
      'app logs',
      'app exec',
      'app url',
      'app delete',
      'config set',
      'config get',
      'config history',
      'config diff',
      'config rollback',
      'secret set',
      'secret ls',
      'secret rm',
    ]);
  });

  it.each(verbs)('%s --help shows an example and takes --kubeconfig and -n', (name, verb) => {
    const help = helpOf(verb);
    expect(help).toMatch(/\nExample:\n {2}\S/);
    expect(help.slice(help.indexOf('Example:'))).toContain(`wharf ${name} `);
    expect(help).toContain('--kubeconfig <file>');
    expect(help).toContain('-n, --namespace <ns>');
  });

  it('offers no way to pass a secret value on the command line', () => {
    const set = verbs.find(([n]) => n === 'secret set')?.[1];
    expect(set?.registeredArguments.map((a) => a.name())).toEqual(['app-or-secret', 'key']);
    expect(set?.options.map((o) => o.long)).toEqual(['--kubeconfig', '--namespace', '--from-file']);
  });
});
