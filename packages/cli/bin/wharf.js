#!/usr/bin/env node
// `wharf agent` runs once per node as a long-lived process: it loads its own small entry, not
// every command's modules.
await import(process.argv[2] === 'agent' ? '../dist/agent/main.js' : '../dist/main.js');
