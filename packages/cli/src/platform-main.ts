// The entry of the platform image (wharf/platform, image-platform.ts): only the commands that run
// as workloads in the cluster — the node problem detector, the remediation controller and the
// notification gateway (with `wharf alerts`), kube-state-metrics, the Prometheus service discovery
// and the query proxy — so the image carries their packages, not the CLI's.
import { Command } from 'commander';
import { addMonitoringCommands } from './monitoring-components.js';
import { addNotifyCommands } from './notify.js';
import { addNpdCommands } from './npd.js';

const program = new Command('wharf').description("Wharf's in-cluster platform components");
addNpdCommands(program);
addNotifyCommands(program);
addMonitoringCommands(program);
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`wharf: ${((e as Error).message ?? String(e)).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
