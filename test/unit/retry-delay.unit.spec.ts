import { retryDelay } from '../../src/adapters/event-store/retry-delay.js';

describe('the wait before a retry of the event store', () => {
  it('doubles from 200 ms with each failure in a row', () => {
    expect([1, 2, 3, 4].map((failures) => retryDelay(failures))).toEqual([200, 400, 800, 1600]);
  });

  it('stops growing at the maximum, 5 s unless given', () => {
    expect(retryDelay(10)).toBe(5_000);
    expect(retryDelay(10, 500)).toBe(500);
  });
});
