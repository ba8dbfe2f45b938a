// The wharf command line.
import { Command, Option } from 'commander';
import type { UpOptions } from './up.js';
import { addImageCommands } from './image.js';
import { addNpdCommands } from './npd.js';
import { defaultDataDir } from './endpoints.js';

const program = new Command();
program.name('wharf').description('Wharf: a private container cloud platform on the Kubernetes API').version('0.1.0');

program
  .command('up')
  .description('start the embedded control plane in the foreground')
  .option('--data-dir <dir>', 'where Wharf keeps its state', undefined)
  .option('--api-port <port>', 'HTTPS port of the Kubernetes API', '6443')
  .option('--nodes <n>', 'node agents that run pods on this machine', '0')
  .option('--runtime <kind>', 'how nodes run containers: runc (needs root, runc and the CNI plugins), process (host processes, no isolation) or auto (runc where possible)', 'auto')
  .option('--registry-port <port>', 'port of the built-in OCI registry', '5000')
  .option('--registry-anonymous-pull', 'let clients without a token pull images')
  .option('--default-toleration-seconds <s>', 'how long pods stay on a not-ready or unreachable node before eviction', '300')
  .option('--node-monitor-grace-period <s>', 'a node whose agent is silent this long is marked unreachable', '50')
  .option('--node-eviction-rate <per-second>', 'nodes per second whose pods may be evicted, per zone', '0.1')
  .option('--ingress-port <port>', 'HTTP port of the Ingress gateway (with --nodes)', '8080')
  .option('--ingress-https-port <port>', 'HTTPS port of the Ingress gateway (with --nodes)', '8443')
  .option('--simulated-nodes <n>', 'register N simulated nodes (KWOK-style: pods bound to them report Running without containers)')
  .addOption(new Option('--compact-interval <ms>', 'how often history is compacted (tests and drills)').hideHelp())
  .addOption(new Option('--compact-keep <revisions>', 'revisions compaction always keeps').hideHelp())
  .addOption(new Option('--compact-retention <ms>', 'history compaction always keeps, in ms').hideHelp())
  .addOption(new Option('--watch-timeout <seconds>', 'end watches without timeoutSeconds after this long').hideHelp())
  .addHelpText('after', `
Tuning for tests and drills (defaults suit normal use):
  --compact-interval <ms>     how often history is compacted (default 60000)
  --compact-keep <revisions>  revisions compaction always keeps (default 10000)
  --compact-retention <ms>    history compaction always keeps, in ms (default 300000)
  --watch-timeout <seconds>   a watch without timeoutSeconds ends after this long and the
                              client resumes from its last resourceVersion (default 1800)`)
  .action(async (opts: UpOptions) => {
    // Each command loads only the modules it needs, so `wharf up` starts fast.
    const { up } = await import('./up.js');
    await up(opts);
  });

program
  .command('reset')
  .description('stop and remove every container, network namespace, bridge and mount Wharf created for a data dir')
  .option('--data-dir <dir>', 'the Wharf data dir')
  .action(async (o: { dataDir?: string }) => {
    const dataDir = defaultDataDir(o.dataDir);
    const { resetNodes } = await import('./nodes.js');
    const nodes = await resetNodes(dataDir);
    process.stdout.write(`reset ${nodes.length} node(s) of ${dataDir}${nodes.length ? `: ${nodes.join(', ')}` : ''}\n`);
  });

const node = program.command('node').description('rehearse node failures on the embedded cluster');
for (const [action, what] of [['fail', 'make a node fail abruptly: its agent and all its containers stop, as on power loss'], ['restore', 'bring a failed node back']] as const) {
  node
    .command(`${action} <name>`)
    .description(what)
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (name: string, o: { dataDir?: string }) => {
      const { sendControl } = await import('./control.js');
      await sendControl(defaultDataDir(o.dataDir), `/nodes/${encodeURIComponent(name)}/${action}`);
      process.stdout.write(`node/${name} ${action === 'fail' ? 'failed' : 'restored'}\n`);
    });
}

addImageCommands(program);
addNpdCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`wharf: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
});
