// `npm run lint`: every check, in two lanes run side by side (each check is one single-threaded
// process, and CI has two cores). ESLint alone takes as long as all the others, so it has a lane of
// its own. A lane stops at its first failure; the lint fails if either lane did. A check's output
// is printed when it ends, so the two lanes' lines never interleave.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

// As under `npm run`: the project's own tools first on the PATH.
const bin = fileURLToPath(new URL('../node_modules/.bin', import.meta.url));
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };

const lanes = [
  [['eslint', 'eslint', '.']],
  [
    // --cache: files unchanged since the last check (same Prettier, same options) are not read again.
    ['prettier', 'prettier', '--check', '--log-level', 'warn', '--cache', '--cache-strategy', 'content', '.'],
    ['typecheck', 'npm', 'run', 'typecheck', '--silent'],
    ['depcruise', 'depcruise', '--config', '.dependency-cruiser.cjs', 'packages'],
    ['layer rule self-test', 'node', 'scripts/lint-layers-selftest.mjs'],
    ['gen:check', 'npm', 'run', 'gen:check', '--silent'],
  ],
];

/** Runs one check; answers whether it passed, after printing what it wrote. */
function check([name, command, ...args]) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => out.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code) => {
      process.stdout.write(Buffer.concat(out));
      const s = ((Date.now() - started) / 1000).toFixed(1);
      console.log(code === 0 ? `lint: ${name} passed (${s} s)` : `lint: ${name} FAILED (exit ${code}, ${s} s)`);
      resolve(code === 0);
    });
  });
}

async function lane(checks) {
  for (const c of checks) if (!(await check(c))) return false;
  return true;
}

const results = await Promise.all(lanes.map(lane));
process.exitCode = results.every(Boolean) ? 0 : 1;
