import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { Projection } from '../projection.js';
import { foldRowsBySchool } from '../rows.js';
import { evolveFleet } from './fleet-view.js';

const TABLE = 'report_fleet';

export const fleet: Projection = {
  name: 'fleet',
  tables: [TABLE],
  streamPrefix: SCHOOL_STREAM_PREFIX,
  apply: (manager, tables, events, { writes }) => foldRowsBySchool(manager, writes, tables[TABLE], events, evolveFleet),
};
