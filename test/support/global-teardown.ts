import { stopSecondTestPostgres, stopTestPostgres } from './test-postgres.js';

export default async function globalTeardown(): Promise<void> {
  await stopSecondTestPostgres();
  await stopTestPostgres();
}
