// Hostel: hostels, their rooms and beds, and which student sleeps where.
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  smallint,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';

export const hostels = pgTable(
  'hostels',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    kind: text().notNull(),
    wardenId: uuid('warden_id'),
  },
  (table) => [
    index('hostels_warden_idx').using('btree', table.wardenId),
    foreignKey({
      columns: [table.wardenId],
      foreignColumns: [staff.id],
      name: 'hostels_warden_id_fkey',
    }).onDelete('set null'),
    unique('hostels_name_key').on(table.name),
    check('hostels_kind_check', sql`kind = ANY (ARRAY['boys'::text, 'girls'::text, 'mixed'::text, 'staff'::text])`),
  ],
);

export const hostelRooms = pgTable(
  'hostel_rooms',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    hostelId: integer('hostel_id').notNull(),
    roomNumber: text('room_number').notNull(),
    floor: smallint(),
  },
  (table) => [
    foreignKey({
      columns: [table.hostelId],
      foreignColumns: [hostels.id],
      name: 'hostel_rooms_hostel_id_fkey',
    }).onDelete('cascade'),
    unique('hostel_rooms_hostel_id_room_number_key').on(table.hostelId, table.roomNumber),
  ],
);

export const hostelBeds = pgTable(
  'hostel_beds',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    hostelRoomId: integer('hostel_room_id').notNull(),
    label: text().notNull(),
  },
  (table) => [
    foreignKey({
      columns: [table.hostelRoomId],
      foreignColumns: [hostelRooms.id],
      name: 'hostel_beds_hostel_room_id_fkey',
    }).onDelete('cascade'),
    unique('hostel_beds_hostel_room_id_label_key').on(table.hostelRoomId, table.label),
  ],
);

export const hostelAllocations = pgTable(
  'hostel_allocations',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    bedId: integer('bed_id').notNull(),
    studentId: uuid('student_id').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on'),
  },
  (table) => [
    uniqueIndex('hostel_allocations_one_per_bed_idx')
      .using('btree', table.bedId)
      .where(sql`(ends_on IS NULL)`),
    index('hostel_allocations_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.bedId],
      foreignColumns: [hostelBeds.id],
      name: 'hostel_allocations_bed_id_fkey',
    }),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'hostel_allocations_student_id_fkey',
    }).onDelete('cascade'),
    check('hostel_allocations_check', sql`(ends_on IS NULL) OR (ends_on >= starts_on)`),
  ],
);
