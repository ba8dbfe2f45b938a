// Proves the layer rules can fail: dependency-cruiser runs the project's rules over a fixture tree
// (scripts/lint-fixtures) whose imports are known to be allowed or forbidden, and every expected
// violation, and no other, must be reported. Run by `npm run lint`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('./lint-fixtures/', import.meta.url));
const bin = fileURLToPath(new URL('../node_modules/.bin/depcruise', import.meta.url));

/** rule → "from → to" that must be reported; every other import in the fixtures is allowed. */
const expected = [
  'layer-node: packages/node/src/imports-apiserver.mjs → packages/apiserver/src/index.mjs',
  'layer-registry: packages/registry/src/imports-apiserver.mjs → packages/apiserver/src/index.mjs',
  'layer-platform: packages/platform-apps/src/imports-controllers.mjs → packages/controllers/src/index.mjs',
  'layer-console: packages/console/src/imports-node.mjs → packages/node/src/index.mjs',
  'no-deep-imports: packages/node/src/imports-api-internals.mjs → packages/api/src/object.mjs',
].sort();

let out;
try {
  out = execFileSync(bin, ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'packages'], {
    cwd: fixtures,
    encoding: 'utf8',
  });
} catch (e) {
  // depcruise exits non-zero when it finds violations, which is what the fixtures are for.
  out = e.stdout;
}
const violations = JSON.parse(out)
  .summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
  .sort();
const missing = expected.filter((v) => !violations.includes(v));
const extra = violations.filter((v) => !expected.includes(v));
if (missing.length || extra.length) {
  for (const v of missing) console.error(`lint self-test: the layer rules did not reject ${v}`);
  for (const v of extra) console.error(`lint self-test: the layer rules rejected an allowed import: ${v}`);
  process.exit(1);
}
console.log(
  `lint self-test: the layer rules reject all ${expected.length} forbidden fixture imports and allow the rest`,
);
