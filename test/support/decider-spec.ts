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

/**
 * Given/when/then for a view or a reaction: the state after the given events, then what one more event makes.
 * `then` takes the expected result, or a check of the result that is also given the state before the event
 * (to say, for instance, that an event changes nothing).
 */
export function foldSpecification<Event, State, Result>(
  evolve: (state: State, event: Event) => State,
  initialState: () => State,
  when: (state: State, event: Event) => Result,
) {
  return (...given: Event[]) => ({
    when(event: Event) {
      const before = () => given.reduce(evolve, initialState());
      return {
        then: (expected: Result | ((result: Result, before: State) => void)) => {
          const state = before();
          const result = when(state, event);
          if (typeof expected === 'function') (expected as (r: Result, s: State) => void)(result, state);
          else expect(result).toEqual(expected);
        },
      };
    },
  });
}
