/**
 * The connection string as the KurrentDB client takes it: `esdb://` and `esdb+discover://` (the
 * EventStoreDB client's schemes, which this client still accepts but warns about on the console at every
 * connection) become `kurrentdb://` and `kurrentdb+discover://`; the rest is left as given.
 */
export function kurrentConnectionString(connectionString: string): string {
  return connectionString.replace(/^esdb(\+discover)?:\/\//, 'kurrentdb$1://');
}
