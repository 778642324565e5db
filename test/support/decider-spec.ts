/**
 * Given/when/then for a decider ({ decide, evolve, initialState }), as Emmett's DeciderSpecification:
 * `given(...events).when(command).then(events)` or `.thenThrows(error)`. The state comes only from the
 * given events, folded by the decider's own evolve.
 */
export function deciderSpecification<Command, Event, State>(decider: {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}) {
  return (...given: Event[]) => ({
    when(command: Command) {
      const decided = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: Event[]) => expect(decided()).toEqual(expected),
        thenThrows: (error: RegExp | (new (...args: never[]) => Error)) => expect(decided).toThrow(error),
      };
    },
  });
}

/** Given/when/then for a view or a reaction: the state after the given events, then what one more event makes. */
export function foldSpecification<Event, State, Result>(
  evolve: (state: State, event: Event) => State,
  initialState: () => State,
  when: (state: State, event: Event) => Result,
) {
  return (...given: Event[]) => ({
    when(event: Event) {
      const result = () => when(given.reduce(evolve, initialState()), event);
      return {
        then: (expected: Result | ((result: Result) => void)) =>
          typeof expected === 'function'
            ? (expected as (r: Result) => void)(result())
            : expect(result()).toEqual(expected),
      };
    },
  });
}
