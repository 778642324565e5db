// Students and guardians: the pupils, the adults responsible for them, and the records kept on each pupil.
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from './access.js';

export const students = pgTable(
  'students',
  {
    id: uuid().defaultRandom().primaryKey().notNull(),
    admissionNumber: text('admission_number').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    dateOfBirth: date('date_of_birth').notNull(),
    gender: text(),
    bloodGroup: text('blood_group'),
    address: text(),
    admittedOn: date('admitted_on').notNull(),
    status: text().default('enrolled').notNull(),
    userId: uuid('user_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('students_name_idx').using('btree', table.lastName, table.firstName),
    index('students_status_idx').using('btree', table.status),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'students_user_id_fkey',
    }).onDelete('set null'),
    unique('students_admission_number_key').on(table.admissionNumber),
    unique('students_user_id_key').on(table.userId),
    check(
      'students_gender_check',
      sql`gender = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'undisclosed'::text])`,
    ),
    check(
      'students_status_check',
      sql`status = ANY (ARRAY['enrolled'::text, 'graduated'::text, 'withdrawn'::text, 'suspended'::text])`,
    ),
  ],
);

export const guardians = pgTable(
  'guardians',
  {
    id: uuid().defaultRandom().primaryKey().notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text(),
    phone: text().notNull(),
    occupation: text(),
    address: text(),
    userId: uuid('user_id'),
  },
  (table) => [
    index('guardians_phone_idx').using('btree', table.phone),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'guardians_user_id_fkey',
    }).onDelete('set null'),
    unique('guardians_user_id_key').on(table.userId),
  ],
);

export const studentGuardians = pgTable(
  'student_guardians',
  {
    studentId: uuid('student_id').notNull(),
    guardianId: uuid('guardian_id').notNull(),
    relationship: text().notNull(),
    isPrimary: boolean('is_primary').default(false).notNull(),
    canPickUp: boolean('can_pick_up').default(true).notNull(),
  },
  (table) => [
    index('student_guardians_guardian_idx').using('btree', table.guardianId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'student_guardians_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.guardianId],
      foreignColumns: [guardians.id],
      name: 'student_guardians_guardian_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.studentId, table.guardianId], name: 'student_guardians_pkey' }),
  ],
);

export const studentMedicalRecords = pgTable(
  'student_medical_records',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    studentId: uuid('student_id').notNull(),
    condition: text().notNull(),
    notes: text(),
    recordedOn: date('recorded_on')
      .default(sql`CURRENT_DATE`)
      .notNull(),
  },
  (table) => [
    index('student_medical_records_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'student_medical_records_student_id_fkey',
    }).onDelete('cascade'),
  ],
);

export const studentDocuments = pgTable(
  'student_documents',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    studentId: uuid('student_id').notNull(),
    kind: text().notNull(),
    storageKey: text('storage_key').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('student_documents_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'student_documents_student_id_fkey',
    }).onDelete('cascade'),
  ],
);
