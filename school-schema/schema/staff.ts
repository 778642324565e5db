// Staff: employees, their departments (a department's head is a member of staff, so both live here) and
// qualifications.
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  type PgTableExtraConfigValue,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from './access.js';

export const staff = pgTable(
  'staff',
  {
    id: uuid().defaultRandom().primaryKey().notNull(),
    userId: uuid('user_id'),
    employeeNumber: text('employee_number').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text(),
    phone: text(),
    designation: text().notNull(),
    departmentId: integer('department_id'),
    joinedOn: date('joined_on').notNull(),
    leftOn: date('left_on'),
    status: text().default('active').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('staff_department_idx').using('btree', table.departmentId),
    index('staff_name_idx').using('btree', table.lastName, table.firstName),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'staff_user_id_fkey',
    }).onDelete('set null'),
    foreignKey({
      columns: [table.departmentId],
      foreignColumns: [departments.id],
      name: 'staff_department_id_fkey',
    }).onDelete('set null'),
    unique('staff_user_id_key').on(table.userId),
    unique('staff_employee_number_key').on(table.employeeNumber),
    check('staff_status_check', sql`status = ANY (ARRAY['active'::text, 'on_leave'::text, 'left'::text])`),
  ],
);

export const departments = pgTable(
  'departments',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    headStaffId: uuid('head_staff_id'),
  },
  // Typed, because staff and departments reference each other: without it TypeScript cannot infer either
  // table's type (TS7022) and both become `any` to the apps that import them.
  (table): PgTableExtraConfigValue[] => [
    index('departments_head_staff_idx').using('btree', table.headStaffId),
    foreignKey({
      columns: [table.headStaffId],
      foreignColumns: [staff.id],
      name: 'departments_head_fk',
    }).onDelete('set null'),
    unique('departments_name_key').on(table.name),
  ],
);

export const staffQualifications = pgTable(
  'staff_qualifications',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    staffId: uuid('staff_id').notNull(),
    degree: text().notNull(),
    institution: text().notNull(),
    yearAwarded: smallint('year_awarded'),
  },
  (table) => [
    index('staff_qualifications_staff_idx').using('btree', table.staffId),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'staff_qualifications_staff_id_fkey',
    }).onDelete('cascade'),
    check('staff_qualifications_year_awarded_check', sql`(year_awarded >= 1950) AND (year_awarded <= 2100)`),
  ],
);
