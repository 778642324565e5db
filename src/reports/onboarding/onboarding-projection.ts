import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { Projection } from '../../projections/projection.js';
import { foldRowsBySchool } from '../../projections/rows.js';
import { evolveOnboarding } from './onboarding-view.js';

const TABLE = 'report_onboarding';

export const onboarding: Projection = {
  name: 'onboarding',
  tables: [TABLE],
  streamPrefix: SCHOOL_STREAM_PREFIX,
  apply: (db, tables, events, { writes }) => foldRowsBySchool(db, writes, tables[TABLE], events, evolveOnboarding),
};
