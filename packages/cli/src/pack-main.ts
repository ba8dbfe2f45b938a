// `wharf image pack` alone: the entry a pipeline step image runs as `wharf` (the templates'
// wharf-pack Task), carrying @wharf/images and a few small packages instead of the whole CLI.
import { Command } from 'commander';
import { addPackCommand } from './image-pack.js';

const program = new Command('wharf').description('the thin-image step of Wharf pipelines');
addPackCommand(program.command('image').description('images in the built-in registry'));
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`wharf: ${((e as Error).message ?? String(e)).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
