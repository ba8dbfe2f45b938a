// `wharf build`: the runs of pipelines (tekton.dev/v1 PipelineRuns) from the command line. Only
// the command tree lives here; each verb loads its implementation (and the client) when it runs.
import type { Command } from 'commander';
import { example, withCluster, withOutput } from '../kube/options.js';

const actions = () => import('./actions.js');

export function addBuildCommands(program: Command): void {
  const build = program
    .command('build')
    .description('pipeline runs (builds): list, inspect, read logs, cancel, run again');

  withOutput(withCluster(build.command('ls')))
    .description('list the builds of the namespace, newest first: pipeline, outcome, commit, trigger, duration')
    .option('--pipeline <name>', 'only the builds of this pipeline')
    .addHelpText('after', example('wharf build ls -n shop --pipeline ci'))
    .action(async (o) => (await actions()).ls(o));

  withOutput(withCluster(build.command('get <name>')))
    .description('show a build: outcome, commit, author, each task and step with its outcome and duration, results')
    .addHelpText('after', example('wharf build get ci-run-7 -n shop\nwharf build get ci-run-7 -o yaml'))
    .action(async (name: string, o) => (await actions()).get(name, o));

  withCluster(build.command('logs <name>'))
    .description('the archived step logs of a build, each line prefixed with [task:step]; secrets show as ***')
    .option('-f, --follow', 'keep streaming until the build ends')
    .addHelpText('after', example('wharf build logs ci-run-7 -f'))
    .action(async (name: string, o) => (await actions()).logs(name, o));

  withCluster(build.command('cancel <name>'))
    .description('stop a running build: its running tasks are cancelled and finally tasks do not run')
    .option('--run-finally', "cancel, but run the pipeline's finally tasks (Tekton's CancelledRunFinally)")
    .addHelpText('after', example('wharf build cancel ci-run-7'))
    .action(async (name: string, o) => (await actions()).cancel(name, o));

  withCluster(build.command('rerun <name>'))
    .description('start a new build with the same pipeline, params and workspaces as NAME')
    .addHelpText('after', example('wharf build rerun ci-run-7'))
    .action(async (name: string, o) => (await actions()).rerun(name, o));
}
