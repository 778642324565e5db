// Tests are compiled by `tsc` (npm's `pretest`) and run as native ES modules from dist/,
// because NestJS 12 ships ESM only; the e2e suites also start dist/src/main.js as a child process.
/** @type {import('jest').Config} */
export default {
  rootDir: 'dist/test',
  testEnvironment: 'node',
  testMatch: ['**/*.spec.js'],
  globalSetup: '<rootDir>/support/global-setup.js',
  globalTeardown: '<rootDir>/support/global-teardown.js',
  testTimeout: 60_000,
  // One suite at a time: PostgreSQL's transaction horizon is server-wide, so a suite that holds a
  // transaction open (on purpose, in the event-store and template tests) would stall the others.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/support/summary-reporter.js'],
};
