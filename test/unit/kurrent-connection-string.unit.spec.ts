import { kurrentConnectionString } from '../../src/adapters/event-store/eventstoredb/kurrent-connection-string.js';

describe('the connection string handed to the KurrentDB client', () => {
  it.each([
    ['esdb://eventstore:2113?tls=false', 'kurrentdb://eventstore:2113?tls=false'],
    ['esdb+discover://scs:pw@cluster:2113?tls=true', 'kurrentdb+discover://scs:pw@cluster:2113?tls=true'],
    ['kurrentdb://eventstore:2113?tls=false', 'kurrentdb://eventstore:2113?tls=false'],
    ['kurrentdb+discover://cluster:2113', 'kurrentdb+discover://cluster:2113'],
    ['kdb://eventstore:2113?tls=false&esdb://x', 'kdb://eventstore:2113?tls=false&esdb://x'],
  ])('takes %s as %s', (given, handed) => {
    expect(kurrentConnectionString(given)).toBe(handed);
  });
});
