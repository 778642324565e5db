import { schoolIdFromStream, SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { Projection } from '../../projections/projection.js';
import { insertRows, toViewEvent } from '../../projections/rows.js';
import { stepRunOf, type StepRunRow } from './steps-view.js';

const TABLE = 'report_step_runs';

export const steps: Projection = {
  name: 'steps',
  tables: [TABLE],
  streamPrefix: SCHOOL_STREAM_PREFIX,
  apply: async (_db, tables, events, { writes }) => {
    const rows = events.flatMap((event) => {
      const schoolId = schoolIdFromStream(event.streamId);
      const row = schoolId ? stepRunOf(schoolId, toViewEvent(event)) : undefined;
      return row ? [row] : ([] as StepRunRow[]);
    });
    // A run is keyed by the event that recorded it: a redelivered event adds nothing.
    await insertRows(writes, tables[TABLE], rows, 'school_id, revision', false);
  },
};
