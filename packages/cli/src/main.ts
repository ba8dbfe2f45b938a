// The wharf command line.
import { Command } from 'commander';
import { up } from './up.js';

const program = new Command();
program.name('wharf').description('Wharf: a private container cloud platform on the Kubernetes API').version('0.1.0');

program
  .command('up')
  .description('start the embedded control plane in the foreground')
  .option('--data-dir <dir>', 'where Wharf keeps its state', undefined)
  .option('--api-port <port>', 'HTTPS port of the Kubernetes API', '6443')
  .option('--nodes <n>', 'number of node agents to start (not yet available)')
  .action(async (opts: { dataDir?: string; apiPort?: string; nodes?: string }) => {
    await up(opts);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`wharf: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
});
