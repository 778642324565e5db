// Academics: the school year and its terms, classes and their sections, rooms, subjects and who teaches them,
// enrollments, the timetable, holidays and homework.
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { departments, staff } from './staff.js';
import { students } from './students.js';

export const academicYears = pgTable(
  'academic_years',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    isCurrent: boolean('is_current').default(false).notNull(),
  },
  (table) => [
    uniqueIndex('academic_years_one_current_idx')
      .using('btree', table.isCurrent)
      .where(sql`is_current`),
    unique('academic_years_name_key').on(table.name),
    check('academic_years_check', sql`ends_on > starts_on`),
  ],
);

export const terms = pgTable(
  'terms',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id').notNull(),
    name: text().notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
  },
  (table) => [
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'terms_academic_year_id_fkey',
    }).onDelete('cascade'),
    unique('terms_academic_year_id_name_key').on(table.academicYearId, table.name),
    check('terms_check', sql`ends_on > starts_on`),
  ],
);

export const classes = pgTable(
  'classes',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    gradeLevel: smallint('grade_level').notNull(),
  },
  (table) => [
    unique('classes_name_key').on(table.name),
    check('classes_grade_level_check', sql`(grade_level >= 0) AND (grade_level <= 12)`),
  ],
);

export const rooms = pgTable(
  'rooms',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    building: text(),
    capacity: smallint().notNull(),
    kind: text().default('classroom').notNull(),
  },
  (table) => [
    unique('rooms_code_key').on(table.code),
    check('rooms_capacity_check', sql`capacity > 0`),
    check(
      'rooms_kind_check',
      sql`kind = ANY (ARRAY['classroom'::text, 'lab'::text, 'library'::text, 'hall'::text, 'office'::text, 'other'::text])`,
    ),
  ],
);

export const sections = pgTable(
  'sections',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    classId: integer('class_id').notNull(),
    academicYearId: integer('academic_year_id').notNull(),
    name: text().notNull(),
    classTeacherId: uuid('class_teacher_id'),
    roomId: integer('room_id'),
    capacity: smallint().default(40).notNull(),
  },
  (table) => [
    index('sections_room_idx').using('btree', table.roomId),
    index('sections_teacher_idx').using('btree', table.classTeacherId),
    index('sections_year_idx').using('btree', table.academicYearId),
    foreignKey({
      columns: [table.classId],
      foreignColumns: [classes.id],
      name: 'sections_class_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'sections_academic_year_id_fkey',
    }),
    foreignKey({
      columns: [table.classTeacherId],
      foreignColumns: [staff.id],
      name: 'sections_class_teacher_id_fkey',
    }).onDelete('set null'),
    foreignKey({
      columns: [table.roomId],
      foreignColumns: [rooms.id],
      name: 'sections_room_id_fkey',
    }).onDelete('set null'),
    unique('sections_class_id_academic_year_id_name_key').on(table.classId, table.academicYearId, table.name),
    check('sections_capacity_check', sql`capacity > 0`),
  ],
);

export const subjects = pgTable(
  'subjects',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
    departmentId: integer('department_id'),
    isElective: boolean('is_elective').default(false).notNull(),
  },
  (table) => [
    index('subjects_department_idx').using('btree', table.departmentId),
    foreignKey({
      columns: [table.departmentId],
      foreignColumns: [departments.id],
      name: 'subjects_department_id_fkey',
    }).onDelete('set null'),
    unique('subjects_code_key').on(table.code),
  ],
);

export const classSubjects = pgTable(
  'class_subjects',
  {
    classId: integer('class_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    periodsPerWeek: smallint('periods_per_week').default(5).notNull(),
  },
  (table) => [
    index('class_subjects_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.classId],
      foreignColumns: [classes.id],
      name: 'class_subjects_class_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'class_subjects_subject_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.classId, table.subjectId], name: 'class_subjects_pkey' }),
    check('class_subjects_periods_per_week_check', sql`(periods_per_week >= 0) AND (periods_per_week <= 60)`),
  ],
);

export const subjectTeachers = pgTable(
  'subject_teachers',
  {
    sectionId: integer('section_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    staffId: uuid('staff_id').notNull(),
  },
  (table) => [
    index('subject_teachers_staff_idx').using('btree', table.staffId),
    index('subject_teachers_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'subject_teachers_section_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'subject_teachers_subject_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'subject_teachers_staff_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.sectionId, table.subjectId], name: 'subject_teachers_pkey' }),
  ],
);

export const enrollments = pgTable(
  'enrollments',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    studentId: uuid('student_id').notNull(),
    sectionId: integer('section_id').notNull(),
    rollNumber: smallint('roll_number'),
    enrolledOn: date('enrolled_on')
      .default(sql`CURRENT_DATE`)
      .notNull(),
    leftOn: date('left_on'),
  },
  (table) => [
    index('enrollments_section_idx').using('btree', table.sectionId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'enrollments_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'enrollments_section_id_fkey',
    }),
    unique('enrollments_student_id_section_id_key').on(table.studentId, table.sectionId),
    unique('enrollments_section_id_roll_number_key').on(table.sectionId, table.rollNumber),
  ],
);

export const studentSubjectChoices = pgTable(
  'student_subject_choices',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    enrollmentId: bigint('enrollment_id', { mode: 'number' }).notNull(),
    subjectId: integer('subject_id').notNull(),
  },
  (table) => [
    index('student_subject_choices_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.enrollmentId],
      foreignColumns: [enrollments.id],
      name: 'student_subject_choices_enrollment_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'student_subject_choices_subject_id_fkey',
    }),
    primaryKey({ columns: [table.enrollmentId, table.subjectId], name: 'student_subject_choices_pkey' }),
  ],
);

export const periodDefinitions = pgTable(
  'period_definitions',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    startsAt: time('starts_at').notNull(),
    endsAt: time('ends_at').notNull(),
    isBreak: boolean('is_break').default(false).notNull(),
  },
  (table) => [
    unique('period_definitions_name_key').on(table.name),
    check('period_definitions_check', sql`ends_at > starts_at`),
  ],
);

export const timetableSlots = pgTable(
  'timetable_slots',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    sectionId: integer('section_id').notNull(),
    dayOfWeek: smallint('day_of_week').notNull(),
    periodId: smallint('period_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    staffId: uuid('staff_id'),
    roomId: integer('room_id'),
  },
  (table) => [
    index('timetable_slots_period_idx').using('btree', table.periodId),
    index('timetable_slots_room_idx').using('btree', table.roomId, table.dayOfWeek, table.periodId),
    index('timetable_slots_staff_idx').using('btree', table.staffId, table.dayOfWeek, table.periodId),
    index('timetable_slots_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'timetable_slots_section_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.periodId],
      foreignColumns: [periodDefinitions.id],
      name: 'timetable_slots_period_id_fkey',
    }),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'timetable_slots_subject_id_fkey',
    }),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'timetable_slots_staff_id_fkey',
    }).onDelete('set null'),
    foreignKey({
      columns: [table.roomId],
      foreignColumns: [rooms.id],
      name: 'timetable_slots_room_id_fkey',
    }).onDelete('set null'),
    unique('timetable_slots_section_id_day_of_week_period_id_key').on(table.sectionId, table.dayOfWeek, table.periodId),
    check('timetable_slots_day_of_week_check', sql`(day_of_week >= 1) AND (day_of_week <= 7)`),
  ],
);

export const holidays = pgTable(
  'holidays',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id').notNull(),
    name: text().notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
  },
  (table) => [
    index('holidays_year_idx').using('btree', table.academicYearId, table.startsOn),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'holidays_academic_year_id_fkey',
    }).onDelete('cascade'),
    check('holidays_check', sql`ends_on >= starts_on`),
  ],
);

export const homework = pgTable(
  'homework',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    sectionId: integer('section_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    assignedBy: uuid('assigned_by'),
    title: text().notNull(),
    description: text(),
    assignedOn: date('assigned_on')
      .default(sql`CURRENT_DATE`)
      .notNull(),
    dueOn: date('due_on').notNull(),
    maxScore: numeric('max_score', { precision: 6, scale: 2 }),
  },
  (table) => [
    index('homework_assigned_by_idx').using('btree', table.assignedBy),
    index('homework_section_idx').using('btree', table.sectionId, table.dueOn),
    index('homework_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'homework_section_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'homework_subject_id_fkey',
    }),
    foreignKey({
      columns: [table.assignedBy],
      foreignColumns: [staff.id],
      name: 'homework_assigned_by_fkey',
    }).onDelete('set null'),
    check('homework_max_score_check', sql`max_score > (0)::numeric`),
  ],
);

export const homeworkSubmissions = pgTable(
  'homework_submissions',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    homeworkId: bigint('homework_id', { mode: 'number' }).notNull(),
    studentId: uuid('student_id').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
    storageKey: text('storage_key'),
    score: numeric({ precision: 6, scale: 2 }),
    feedback: text(),
  },
  (table) => [
    index('homework_submissions_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.homeworkId],
      foreignColumns: [homework.id],
      name: 'homework_submissions_homework_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'homework_submissions_student_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.homeworkId, table.studentId], name: 'homework_submissions_pkey' }),
    check('homework_submissions_score_check', sql`score >= (0)::numeric`),
  ],
);
