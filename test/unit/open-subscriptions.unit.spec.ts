import type { Subscription } from '../../src/ports/event-store.port.js';
import { OpenSubscriptions } from '../../src/adapters/event-store/open-subscriptions.js';

describe("a store's open subscriptions", () => {
  it('stops every running subscription when the store closes, and starts none after', async () => {
    const open = new OpenSubscriptions();
    const stopped: string[] = [];
    open.add(() => ({ stop: async () => void stopped.push('a') }));
    open.add(() => ({ stop: async () => void stopped.push('b') }));

    await open.stopAll();

    expect(stopped.sort()).toEqual(['a', 'b']);
    expect(() => open.add(() => ({ stop: async () => undefined }))).toThrow('the event store is closed');
  });

  it('forgets a subscription that ended by itself', async () => {
    const open = new OpenSubscriptions();
    let end: (ended: Subscription) => void = () => undefined;
    let stops = 0;
    const stop = async () => void stops++;
    const subscription = open.add((onEnd) => {
      end = onEnd;
      return { stop };
    });

    end(subscription);
    await open.stopAll();

    expect(stops).toBe(0);
  });
});
