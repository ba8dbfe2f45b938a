// `wharf project`: a team's namespaces, members (users, groups, service accounts with a role),
// quota and container defaults, as the cluster-scoped Project resource the platform reconciles.
import type { Command } from 'commander';
import { collect, example, withCluster, withOutput } from '../kube/options.js';

const actions = () => import('./actions.js');
const memberOptions = (cmd: Command): Command =>
  cmd
    .option('--user <name>', 'a user (as the API server names them, e.g. an OIDC email)')
    .option('--group <name>', 'a group (e.g. from the OIDC groups claim)')
    .option('--service-account <ns/name>', 'a service account');

export function addProjectCommands(program: Command): void {
  const project = program.command('project').description("projects: a team's namespaces, members, quota and defaults");

  // Projects are cluster-wide: no -n; --namespace names the project's namespaces.
  project
    .command('create <name>')
    .option(
      '--kubeconfig <file>',
      'the cluster (default: $KUBECONFIG, else the kubeconfig of "wharf up" in ~/.wharf, else ~/.kube/config)',
    )
    .description('create a project; its namespaces are created (or adopted if they exist) and labelled')
    .requiredOption('--namespace <ns>', 'a namespace of the project (repeatable)', collect)
    .option('--display-name <text>', 'a human name')
    .option(
      '--quota <k=v,...>',
      'the ResourceQuota each namespace of the project gets, e.g. requests.cpu=4,requests.memory=8Gi,pods=50',
    )
    .option('--default-limits <k=v,...>', 'container limits where a pod sets none, e.g. cpu=500m,memory=256Mi')
    .option('--default-requests <k=v,...>', 'container requests where a pod sets none')
    .option(
      '--quota-existing',
      'also put the quota and defaults into namespaces that existed before (default: only into namespaces the project creates)',
    )
    .option('--isolate', "refuse network traffic from other projects' pods (a NetworkPolicy in each namespace)")
    .addHelpText(
      'after',
      example('wharf project create shop --namespace shop-dev --namespace shop-prod --quota requests.cpu=4,pods=50'),
    )
    .action(async (name: string, o) => (await actions()).create(name, o));

  withOutput(withCluster(project.command('ls')))
    .description('list projects with their namespaces and readiness')
    .action(async (o) => (await actions()).ls(o));

  withOutput(withCluster(project.command('get <name>')))
    .description('a project: namespaces, members, and quota used/hard per namespace and in total')
    .action(async (name: string, o) => (await actions()).get(name, o));

  memberOptions(withCluster(project.command('add-member <name>')))
    .description('give a user, group or service account a role in every namespace of the project')
    .requiredOption('--role <role>', 'admin, developer or viewer')
    .addHelpText(
      'after',
      example(
        'wharf project add-member shop --group shop-devs --role developer\nwharf project add-member shop --user ana@example.com --role admin',
      ),
    )
    .action(async (name: string, o) => (await actions()).addMember(name, o));

  memberOptions(withCluster(project.command('remove-member <name>')))
    .description('take a user, group or service account out of the project')
    .action(async (name: string, o) => (await actions()).removeMember(name, o));

  withCluster(project.command('quota <name> [limits...]'))
    .description('set the quota each namespace of the project gets (k=v ...); no limits: print used/hard')
    .option('--quota-existing', 'also apply it to namespaces that existed before the project')
    .addHelpText('after', example('wharf project quota shop requests.cpu=8 pods=100\nwharf project quota shop'))
    .action(async (name: string, limits: string[], o) => (await actions()).quota(name, limits, o));
}
