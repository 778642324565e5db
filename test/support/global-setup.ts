import { startSecondTestPostgres, startTestPostgres } from './test-postgres.js';

/**
 * Gives every test worker a real PostgreSQL server: the one at SCS_TEST_DATABASE_URL (CI points it at
 * the machine's server), or else an embedded one started here, so `npm test` works with only Node.
 */
export default async function globalSetup(): Promise<void> {
  const url = await startTestPostgres();
  process.env.SCS_TEST_DATABASE_URL = url;
  // A second server for the tenant-server suites (schools placed across two servers).
  await startSecondTestPostgres();
}
