// The layer map (docs/architecture.md) as rules: each package may import only the layers listed.
const layers = {
  api: [],
  images: ['api'],
  client: ['api'],
  apiserver: ['api'],
  registry: ['api', 'images'],
  node: ['api', 'images', 'client'],
  controllers: ['api', 'client'],
  testing: ['api', 'client'],
  cli: ['api', 'images', 'client', 'apiserver', 'registry', 'node', 'controllers'],
};
const forbidden = Object.entries(layers).map(([from, allowed]) => ({
  name: `layer-${from}`,
  comment: `packages/${from} may import only: ${allowed.join(', ') || 'nothing'}`,
  severity: 'error',
  from: { path: `^packages/${from}/src` },
  to: { path: `^packages/(?!${[from, ...allowed].join('|')}/)[^/]+/` },
}));
forbidden.push(
  { name: 'no-deep-imports', comment: 'import another package only through its public entry', severity: 'error',
    from: { path: '^packages/([^/]+)/src' }, to: { path: '^packages/([^/]+)/src/', pathNot: ['^packages/$1/src/', '^packages/[^/]+/src/index\\.ts$'] } },
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
