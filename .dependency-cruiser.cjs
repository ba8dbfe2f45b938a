// The layer map (docs/architecture.md) as rules: each package may import only the layers listed.
// `npm run lint` also runs scripts/lint-layers-selftest.mjs, which proves these rules reject
// imports they must reject (a rule that cannot fail is no rule).
const layers = {
  api: [],
  images: ['api'],
  client: ['api'],
  apiserver: ['api'],
  registry: ['api', 'images'],
  node: ['api', 'images', 'client'],
  controllers: ['api', 'client'],
  testing: ['api', 'client'],
  cli: ['api', 'images', 'client', 'apiserver', 'registry', 'node', 'controllers', 'platform[-a-z0-9]*'],
  // Wharf's own controllers and services (packages/platform, packages/platform-*): they speak only
  // the Kubernetes API, through the client library, so they run unchanged against a real cluster.
  'platform[-a-z0-9]*': ['api', 'client'],
  // The browser app: nothing server-side.
  console: ['api'],
};
/** `^packages/(?!(?:a|b)/)`: the alternatives grouped, so `api` does not also admit `apiserver`. */
const notIn = (names) => `^packages/(?!(?:${names.join('|')})/)[^/]+/`;
const forbidden = Object.entries(layers).map(([from, allowed]) => ({
  name: `layer-${from.replace(/\[.*$/, '')}`,
  comment: `packages/${from} may import only: ${allowed.join(', ') || 'nothing'}`,
  severity: 'error',
  from: { path: `^packages/(${from})/src` },
  to: { path: notIn(['$1', ...allowed]) },
}));
forbidden.push(
  {
    name: 'no-deep-imports',
    comment: 'import another package only through its public entry',
    severity: 'error',
    from: { path: '^packages/([^/]+)/src' },
    to: { path: '^packages/([^/]+)/src/', pathNot: ['^packages/$1/src/', '^packages/[^/]+/src/index\\.m?[jt]s$'] },
  },
  { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
);
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(dist|\\.test\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
