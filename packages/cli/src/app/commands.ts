// `wharf app`: Applications (M runtime + N artifact images) from the command line. Only the
// command tree lives here; each verb loads its implementation (and the client) when it runs.
import type { Command } from 'commander';
import { collect, example, withCluster, withOutput, withWait } from '../kube/options.js';

const actions = () => import('./actions.js');

export function addAppCommands(program: Command): void {
  const app = program.command('app').description('applications: create, deploy, scale, roll back, logs, exec');

  withWait(withOutput(withCluster(app.command('create [name] [command...]'))))
    .description(
      'create an application (one component from flags, or anything from -f app.yaml) and wait for its first rollout',
    )
    .option('-f, --file <file>', 'Application (and ConfigSet) YAML; - for stdin')
    .option('--image <image>', 'the runtime image (M)')
    .option('--component <name>', "the component's name", 'web')
    .option(
      '--artifact <IMAGE:PATH:MOUNT>',
      'an artifact image (N): the files at PATH in IMAGE appear at MOUNT (repeatable)',
      collect,
    )
    .option('--replicas <n>', 'pods of the component', '1')
    .option('--port <[name:]port>', 'a port the component serves (repeatable)', collect)
    .option('--host <host>', 'serve the first port at http://HOST:<ingress port>/ on the gateway')
    .option('--path <path>', 'with --host: the path prefix served')
    .option('--env <KEY=VALUE>', 'an environment variable (repeatable)', collect)
    .option(
      '--config <CONFIGSET[:env|args|file[:MOUNT[:UPDATE]]]>',
      'read a ConfigSet as env vars (default), args or files (repeatable)',
      collect,
    )
    .option(
      '--secret <SECRET[:env|file[:MOUNT]]>',
      'read a Secret as env vars (default) or files (repeatable)',
      collect,
    )
    .option('--analysis-seconds <s>', 'how long new pods must stay Ready before a rollout goes on (default 30)')
    .option('--batch-seconds <s>', 'how long config edits gather into one new revision before it rolls out (default 5)')
    .addHelpText(
      'after',
      example(`
wharf app create shop --image busybox:1 --artifact shop-site:1:/site:/www \\
  --port 8080 --host shop.localhost --replicas 2 --config shop-settings -- httpd -f -p 8080 -h /www
wharf app create -f app.yaml -n demo`),
    )
    .action(async (name: string | undefined, command: string[], o) => (await actions()).create(name, command, o));

  withOutput(withCluster(app.command('ls')))
    .description('list the applications of the namespace: revision, pods ready/desired, state, URL')
    .addHelpText('after', example('wharf app ls -n demo'))
    .action(async (o) => (await actions()).ls(o));

  withOutput(withCluster(app.command('get <name>')))
    .description('show an application: components ready/desired, revision, images, URL, conditions')
    .addHelpText('after', example('wharf app get shop -n demo\nwharf app get shop -o yaml'))
    .action(async (name: string, o) => (await actions()).get(name, o));

  withWait(withOutput(withCluster(app.command('deploy <name>'))))
    .description(
      'release a new version of a component: a new runtime image and/or artifact images, rolled out under health gates',
    )
    .option('--component <name>', 'the component (default: the only one)')
    .option('--image <image>', 'the new runtime image')
    .option(
      '--artifact <IMAGE|NAME=IMAGE|IMAGE:PATH:MOUNT>',
      'the new image of an artifact: the only one, the one named, or the one at MOUNT (repeatable)',
      collect,
    )
    .addHelpText(
      'after',
      example(
        'wharf app deploy shop --artifact shop-site:2\nwharf app deploy shop --component api --image shop-api:1.4',
      ),
    )
    .action(async (name: string, o) => (await actions()).deploy(name, o));

  withWait(withOutput(withCluster(app.command('scale <name>'))))
    .description('change the replicas of a component (no new revision)')
    .option('--component <name>', 'the component (default: the only one)')
    .requiredOption('--replicas <n>', 'the number of pods')
    .addHelpText('after', example('wharf app scale shop --component web --replicas 3'))
    .action(async (name: string, o) => (await actions()).scale(name, o));

  withOutput(withCluster(app.command('history <name>')))
    .description('the kept revisions: number, time, phase, cause, config versions, images and digests')
    .addHelpText('after', example('wharf app history shop -n demo'))
    .action(async (name: string, o) => (await actions()).history(name, o));

  withWait(withOutput(withCluster(app.command('rollback <name>'))))
    .description('restore revision N: its images, artifacts and exact config and secret versions')
    .option('--to <n>', 'the revision to restore (see "wharf app history")')
    .option('--to-build <build>', 'the revision that build deployed (see "wharf build ls")')
    .addHelpText('after', example('wharf app rollback shop --to 1\nwharf app rollback shop --to-build shop-x7k2p'))
    .action(async (name: string, o) => (await actions()).rollback(name, o));

  withCluster(app.command('logs <name>'))
    .description('the logs of all pods of the application (or of one component), each line prefixed with its pod')
    .option('--component <name>', "only this component's pods")
    .option('-f, --follow', 'keep streaming new lines')
    .option('--tail <lines>', 'only the last lines of each pod')
    .addHelpText('after', example('wharf app logs shop --component web -f'))
    .action(async (name: string, o) => (await actions()).logs(name, o));

  withCluster(app.command('exec <name> [command...]'))
    .description('run a command in the first Ready pod of a component; exits with its exit code')
    .option('--component <name>', 'the component (default: the only one)')
    .option('-i, --stdin', 'pass stdin to the command')
    .option('-t, --tty', 'run the command on a terminal')
    .addHelpText('after', example('wharf app exec shop -- cat /www/conf/GREETING\nwharf app exec shop -it -- sh'))
    .action(async (name: string, command: string[], o) => (await actions()).exec(name, command, o));

  withCluster(app.command('url <name>'))
    .description('the URL the application is served at')
    .addHelpText('after', example('curl "$(wharf app url shop)"'))
    .action(async (name: string, o) => (await actions()).url(name, o));

  withCluster(app.command('delete <name>'))
    .description('delete an application and everything it created (revisions, Deployments, Services, Ingresses)')
    .addHelpText('after', example('wharf app delete shop -n demo'))
    .action(async (name: string, o) => (await actions()).remove(name, o));
}
