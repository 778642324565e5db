import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEGRATION_EVENT_TYPES } from '../../src/integration-events/integration-events.js';
import { SCHOOL_STATUSES } from '../../src/domain/school/state.js';
import { STEP_ORDER } from '../../src/domain/school/steps.js';
import { projectRoot } from '../../src/shared/project-root.js';

/**
 * The console is plain browser modules with no build step, so it restates a few of the API's lists; this
 * keeps them equal to the service's own (the restore work once added a status and two event types that the
 * console's chips and webhook form did not offer).
 */
describe('console: the lists it restates', () => {
  const source = (file: string) => readFileSync(join(projectRoot(), 'public', 'console', file), 'utf8');
  /** The string items of the array literal assigned to `name` in a console module. */
  const arrayOf = (file: string, name: string): string[] => {
    const literal = new RegExp(`const ${name} = \\[([^\\]]*)\\]`).exec(source(file));
    if (!literal) throw new Error(`${file} has no array ${name}`);
    return [...literal[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
  };

  it('offers every school status as a filter chip', () => {
    expect(arrayOf('schools.js', 'STATUSES')).toEqual([...SCHOOL_STATUSES]);
  });

  /** The object literal assigned to `name` in a console module (plain data: names and arrays of names). */
  const objectOf = (file: string, name: string): Record<string, unknown> => {
    const literal = new RegExp(`const ${name} = (\\{[^}]*\\});`).exec(source(file));
    if (!literal) throw new Error(`${file} has no object ${name}`);
    return new Function(`return ${literal[1]};`)() as Record<string, unknown>;
  };

  it("places every step's events, and every undo, on the timeline's lane of its step", () => {
    const lanes = objectOf('timeline.js', 'STEP_EVENTS');
    const undoOf = objectOf('timeline.js', 'UNDO_OF');
    for (const step of STEP_ORDER) {
      const events = [step.done, ...('undone' in step ? [step.undone] : [])];
      expect({ step: step.name, events: lanes[step.name] }).toEqual({
        step: step.name,
        events: expect.arrayContaining(events),
      });
      if ('undo' in step) expect(undoOf[step.undo]).toBe(step.name);
    }
    expect(Object.keys(lanes)).toEqual(STEP_ORDER.map((step) => step.name));
  });

  it('offers every integration event type when an endpoint is added', () => {
    expect(arrayOf('webhooks.js', 'TYPES')).toEqual([...INTEGRATION_EVENT_TYPES]);
  });
});
