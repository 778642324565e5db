// The layers (docs/ARCHITECTURE.md): domain ← application ← infrastructure / projections; cli and main on
// top. `npm run deps` checks them on every CI run; a violation names the file and the rule.
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
      name: 'application-has-no-adapters',
      comment: 'src/application talks to the world through its ports, never through an adapter or the CLI.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { path: '^src/(infrastructure|projections|cli|config)/|^src/(main|app\\.module)\\.ts$' },
    },
    {
      name: 'projections-have-no-adapters',
      comment: 'Projections read events through the application ports; they never reach an adapter or the CLI.',
      severity: 'error',
      from: { path: '^src/projections/' },
      to: { path: '^src/(infrastructure|cli)/|^src/(main|app\\.module)\\.ts$' },
    },
    {
      name: 'cli-and-main-are-on-top',
      comment: 'Nothing in the service imports the CLI or the entry point.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/|^src/main\\.ts$' },
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
      from: { path: '^src/application/ports/' },
      to: { path: '^src/application/', pathNot: '^src/application/ports/' },
    },
    {
      name: 'config-imports-no-application-code',
      comment: 'The configuration is read first and handed down typed; it depends on no use case or adapter.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(application|projections|cli)/' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment:
        'An adapter (src/infrastructure/<port>/<implementation>/) serves its port alone; what two share lives ' +
        'beside them in src/infrastructure/<port>/ or in a shared folder, and the composition wires them.',
      severity: 'error',
      from: { path: '^src/infrastructure/([^/]+)/([^/]+)/' },
      to: {
        path: '^src/infrastructure/[^/]+/[^/]+/',
        pathNot: [
          '^src/infrastructure/$1/$2/',
          '^src/infrastructure/(composition|postgres|http|aws)/',
          '^src/infrastructure/archives/load/',
        ],
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
