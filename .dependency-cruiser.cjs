// The shape (docs/ARCHITECTURE.md): a pure domain; use cases sliced by what they do, each with its HTTP and CLI
// edges; ports between them and the adapters; composition, lifecycle, cli and main on top.
// `npm run lint:deps` checks it on every CI run; a violation names the file and the rule.

/** The use cases and read models: what SCS does, talking to the world only through its ports. */
const USE_CASES = '^src/(school|reports|reconcile|process-manager|webhooks|integration-events|audit|projections)/';
/** A use case's edges: its HTTP controller and request bodies, and its CLI command. */
const EDGE = '\\.(controller|dto|cli)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain is pure TypeScript: no framework, no I/O, nothing outside the domain.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'use-cases-have-no-adapters',
      comment:
        'A use case (its handler, its edges, its read model) talks to the world through src/ports, never through ' +
        'an adapter or the composition and lifecycle that wire them (their DI tokens in composition/tokens.ts aside).',
      severity: 'error',
      from: { path: [USE_CASES, '^src/(ports|shared)/'] },
      to: {
        path: '^src/(adapters|composition|lifecycle)/|^src/(main|serve|app\\.module)\\.ts$',
        pathNot: '^src/composition/tokens\\.ts$',
      },
    },
    {
      name: 'use-case-cores-have-no-edges',
      comment:
        "A use case's core (command, handler, view, projection) knows neither HTTP nor the shell nor the " +
        'configuration: its controller, DTO and CLI command (*.controller.ts, *.dto.ts, *.cli.ts) adapt it.',
      severity: 'error',
      from: { path: [USE_CASES, '^src/(ports|shared)/'], pathNot: EDGE },
      to: { path: ['^src/(http|cli|config)/', EDGE], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'cli-and-main-are-on-top',
      comment: "Nothing in the service imports the CLI or the entry point, but the CLI's own commands.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '\\.cli\\.ts$'] },
      to: { path: ['^src/cli/', '\\.cli\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'src-does-not-import-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes module load order matter (and ES modules see undefined bindings). school-schema/schema ' +
        'too: its modules import the tables they reference from the module owning them, one way only.',
      severity: 'error',
      from: { path: '^(src|school-schema)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'ports-import-no-use-case',
      comment: 'A port is the contract a use case talks through: it names domain types, never a use case.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^src/', pathNot: '^src/(ports|domain|shared)/' },
    },
    {
      name: 'config-imports-no-application-code',
      comment: 'The configuration is read first and handed down typed; it depends on no use case or adapter.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: [USE_CASES, '^src/(http|cli|adapters|composition|lifecycle)/'] },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment:
        'An adapter (src/adapters/<port>/<implementation>/) serves its port alone; what two share lives beside ' +
        'them in src/adapters/<port>/ or in a shared folder (postgres/, aws/), and the composition wires them.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/([^/]+)/' },
      to: {
        path: '^src/adapters/[^/]+/[^/]+/',
        pathNot: ['^src/adapters/$1/$2/', '^src/adapters/(postgres|aws)/', '^src/adapters/archives/load/'],
      },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code or a forgotten entry point.',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '^src/(main|serve)\\.ts$', '^src/cli/main\\.ts$', '(^|/)drizzle\\.config\\.ts$'],
      },
      to: {},
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'What the service runs must be in dependencies: npm ci --omit=dev (the Docker image) has no devDependencies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
