// Attendance and leave: registers taken per section and period, staff attendance, and leave requests.
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';
import { periodDefinitions, sections } from './academics.js';

export const attendanceSessions = pgTable(
  'attendance_sessions',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    sectionId: integer('section_id').notNull(),
    sessionDate: date('session_date').notNull(),
    periodId: smallint('period_id'),
    takenBy: uuid('taken_by'),
    takenAt: timestamp('taken_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('attendance_sessions_date_idx').using('btree', table.sessionDate),
    index('attendance_sessions_period_idx').using('btree', table.periodId),
    index('attendance_sessions_taken_by_idx').using('btree', table.takenBy),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'attendance_sessions_section_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.periodId],
      foreignColumns: [periodDefinitions.id],
      name: 'attendance_sessions_period_id_fkey',
    }),
    foreignKey({
      columns: [table.takenBy],
      foreignColumns: [staff.id],
      name: 'attendance_sessions_taken_by_fkey',
    }).onDelete('set null'),
    unique('attendance_sessions_section_id_session_date_period_id_key').on(
      table.sectionId,
      table.sessionDate,
      table.periodId,
    ),
  ],
);

export const studentAttendance = pgTable(
  'student_attendance',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    sessionId: bigint('session_id', { mode: 'number' }).notNull(),
    studentId: uuid('student_id').notNull(),
    status: text().notNull(),
    remark: text(),
  },
  (table) => [
    index('student_attendance_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.sessionId],
      foreignColumns: [attendanceSessions.id],
      name: 'student_attendance_session_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'student_attendance_student_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.sessionId, table.studentId], name: 'student_attendance_pkey' }),
    check(
      'student_attendance_status_check',
      sql`status = ANY (ARRAY['present'::text, 'absent'::text, 'late'::text, 'excused'::text])`,
    ),
  ],
);

export const staffAttendance = pgTable(
  'staff_attendance',
  {
    staffId: uuid('staff_id').notNull(),
    attendanceDate: date('attendance_date').notNull(),
    status: text().notNull(),
    checkIn: time('check_in'),
    checkOut: time('check_out'),
  },
  (table) => [
    index('staff_attendance_date_idx').using('btree', table.attendanceDate),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'staff_attendance_staff_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.staffId, table.attendanceDate], name: 'staff_attendance_pkey' }),
    check(
      'staff_attendance_status_check',
      sql`status = ANY (ARRAY['present'::text, 'absent'::text, 'half_day'::text, 'on_leave'::text])`,
    ),
  ],
);

export const leaveTypes = pgTable(
  'leave_types',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
    daysPerYear: smallint('days_per_year').default(0).notNull(),
  },
  (table) => [
    unique('leave_types_code_key').on(table.code),
    check('leave_types_days_per_year_check', sql`days_per_year >= 0`),
  ],
);

export const leaveRequests = pgTable(
  'leave_requests',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    staffId: uuid('staff_id'),
    studentId: uuid('student_id'),
    leaveTypeId: smallint('leave_type_id'),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    reason: text(),
    status: text().default('pending').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'string' }),
  },
  (table) => [
    index('leave_requests_decided_by_idx').using('btree', table.decidedBy),
    index('leave_requests_leave_type_idx').using('btree', table.leaveTypeId),
    index('leave_requests_pending_idx')
      .using('btree', table.startsOn)
      .where(sql`(status = 'pending'::text)`),
    index('leave_requests_staff_idx').using('btree', table.staffId),
    index('leave_requests_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'leave_requests_staff_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'leave_requests_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.leaveTypeId],
      foreignColumns: [leaveTypes.id],
      name: 'leave_requests_leave_type_id_fkey',
    }),
    foreignKey({
      columns: [table.decidedBy],
      foreignColumns: [staff.id],
      name: 'leave_requests_decided_by_fkey',
    }).onDelete('set null'),
    check(
      'leave_requests_status_check',
      sql`status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text, 'cancelled'::text])`,
    ),
    check('leave_requests_check', sql`ends_on >= starts_on`),
    check('leave_requests_check1', sql`(staff_id IS NULL) <> (student_id IS NULL)`),
  ],
);
