// The module graph, checked by `npm test` (npm run lint:graph). DESIGN.md "Shape" is the picture;
// these rules are its enforcement. A violation names its rule and the import that broke it.
//
// Libraries in layers, top to bottom. A library imports only libraries below it, or libraries to
// its right in its own layer: one total order, so no two libraries can ever reach each other
// (no cycles between libraries) and nothing points up.
const LAYERS = [
  { name: 'use cases', libs: ['onboarding', 'admin', 'statements', 'schedules', 'requests'] },
  { name: 'core features', libs: ['health', 'realtime', 'ledger', 'payees', 'accounts', 'security', 'notifications'] },
  { name: 'identity and plumbing', libs: ['metrics', 'auth', 'users', 'idempotency', 'outbox', 'redis', 'logging', 'db', 'problems', 'config'] },
  { name: 'contracts', libs: ['contracts'] },
];

// Tests compose the whole system (an integration test boots the api): the layers bind production code.
const TESTS = '\\.spec\\.ts$';

const ORDER = LAYERS.flatMap((layer) => layer.libs.map((lib) => ({ lib, layer: layer.name })));

/** One rule per library: it may not import any library at or before its own place in the order. */
const layeringRules = ORDER.map(({ lib, layer }, index) => {
  const notBelow = ORDER.slice(0, index).map((entry) => entry.lib);
  return {
    name: `layers: ${lib} (${layer}) imports only libraries below it`,
    comment: `libs/${lib} may import only: ${ORDER.slice(index + 1).map((entry) => entry.lib).join(', ') || 'nothing'} (see .dependency-cruiser.cjs LAYERS)`,
    severity: 'error',
    from: { path: `^libs/${lib}/`, pathNot: TESTS },
    to: { path: `^libs/(${notBelow.join('|') || '$^'})/` },
  };
}).filter((rule) => !rule.to.path.includes('$^'));

const knownLibs = ORDER.map((entry) => entry.lib).join('|');

module.exports = {
  forbidden: [
    ...layeringRules,
    {
      name: 'layers: every library has a place',
      comment: 'a new library under libs/ gets a place in LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { path: `^libs/(?!(${knownLibs})/)[^/]+/` },
    },
    {
      name: 'libraries never import an app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps never import each other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'the browser imports contracts only',
      comment: 'apps/web runs in the browser: server libraries (NestJS, the ORM, Node built-ins) never reach it',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { path: '^libs/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'the browser imports no Node built-in',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'contracts is a leaf',
      comment: 'libs/contracts is shared with the browser: it imports no other library and no server package',
      severity: 'error',
      from: { path: '^libs/contracts/', pathNot: TESTS },
      to: { path: '^(libs/(?!contracts/)|node_modules/(@nestjs|@mikro-orm|pg|ioredis|bullmq|fastify)/)' },
    },
    {
      name: 'no import cycles between files',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
    {
      name: 'production code never imports tests',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '(\\.spec\\.ts$|^test/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
