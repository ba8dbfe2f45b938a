// The entry of `wharf agent` alone: bin/wharf.js starts it instead of main.ts, whose every command
// module is imported up front (client-node, the API server, the platform: ~100 MB that each
// node's agent process would carry for nothing).
import { Command } from 'commander';
import { addAgentCommands } from './commands.js';
import { failInOneLine } from '../fail.js';

const program = new Command();
program.name('wharf').enablePositionalOptions();
addAgentCommands(program);
program.parseAsync(process.argv).catch(failInOneLine);
