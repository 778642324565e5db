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
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/support/summary-reporter.js'],
};
