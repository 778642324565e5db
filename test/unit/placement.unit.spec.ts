import { chooseServer, serverOf, type PlacementCandidate } from '../../src/domain/school/placement.js';

const server = (name: string, schools: number, more: Partial<PlacementCandidate> = {}): PlacementCandidate => ({
  name,
  state: 'open',
  schools,
  reachable: true,
  ...more,
});

describe('chooseServer: the open, reachable server with the most room', () => {
  it('takes the one with the fewest schools when none has a capacity, ties by name', () => {
    expect(chooseServer([server('a', 3), server('b', 2), server('c', 5)])).toBe('b');
    expect(chooseServer([server('b', 2), server('a', 2)])).toBe('a');
  });

  it('weighs schools by capacity: 30 of 100 has more room than 10 of 20', () => {
    expect(chooseServer([server('small', 10, { capacity: 20 }), server('big', 30, { capacity: 100 })])).toBe('big');
  });

  it('counts a server without a capacity as having the largest one declared', () => {
    expect(chooseServer([server('limited', 40, { capacity: 100 }), server('free', 60)])).toBe('limited');
    expect(chooseServer([server('limited', 70, { capacity: 100 }), server('free', 60)])).toBe('free');
  });

  it('never places on a draining, closed, unreachable or full server', () => {
    expect(chooseServer([server('a', 0, { state: 'draining' }), server('b', 9)])).toBe('b');
    expect(chooseServer([server('a', 0, { state: 'closed' }), server('b', 9)])).toBe('b');
    expect(chooseServer([server('a', 0, { reachable: false }), server('b', 9)])).toBe('b');
    expect(chooseServer([server('a', 5, { capacity: 5 }), server('b', 9)])).toBe('b');
  });

  it('answers undefined when no server can take a school', () => {
    expect(chooseServer([server('a', 0, { state: 'draining' }), server('b', 1, { capacity: 1 })])).toBeUndefined();
    expect(chooseServer([])).toBeUndefined();
  });

  it('reads DatabaseCreated events from before placement as the central server', () => {
    expect(serverOf({})).toBe('central');
    expect(serverOf({ server: 'eu-2' })).toBe('eu-2');
  });
});
