// Exams, grades and report cards: grade scales, exams and their schedules, invigilators, marks, report cards.
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
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';
import { classes, rooms, subjects, terms } from './academics.js';

export const gradeScales = pgTable(
  'grade_scales',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
  },
  (table) => [unique('grade_scales_name_key').on(table.name)],
);

export const gradeBands = pgTable(
  'grade_bands',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    gradeScaleId: smallint('grade_scale_id').notNull(),
    grade: text().notNull(),
    minPercent: numeric('min_percent', { precision: 5, scale: 2 }).notNull(),
    maxPercent: numeric('max_percent', { precision: 5, scale: 2 }).notNull(),
    gradePoint: numeric('grade_point', { precision: 4, scale: 2 }),
  },
  (table) => [
    foreignKey({
      columns: [table.gradeScaleId],
      foreignColumns: [gradeScales.id],
      name: 'grade_bands_grade_scale_id_fkey',
    }).onDelete('cascade'),
    unique('grade_bands_grade_scale_id_grade_key').on(table.gradeScaleId, table.grade),
    check('grade_bands_min_percent_check', sql`(min_percent >= (0)::numeric) AND (min_percent <= (100)::numeric)`),
    check('grade_bands_max_percent_check', sql`(max_percent >= (0)::numeric) AND (max_percent <= (100)::numeric)`),
    check('grade_bands_check', sql`max_percent >= min_percent`),
  ],
);

export const examTypes = pgTable(
  'exam_types',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    weightPercent: numeric('weight_percent', { precision: 5, scale: 2 })
      .default(sql`100`)
      .notNull(),
  },
  (table) => [
    unique('exam_types_name_key').on(table.name),
    check(
      'exam_types_weight_percent_check',
      sql`(weight_percent >= (0)::numeric) AND (weight_percent <= (100)::numeric)`,
    ),
  ],
);

export const exams = pgTable(
  'exams',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    termId: integer('term_id').notNull(),
    examTypeId: smallint('exam_type_id').notNull(),
    name: text().notNull(),
    gradeScaleId: smallint('grade_scale_id'),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    isPublished: boolean('is_published').default(false).notNull(),
  },
  (table) => [
    index('exams_grade_scale_idx').using('btree', table.gradeScaleId),
    index('exams_type_idx').using('btree', table.examTypeId),
    foreignKey({
      columns: [table.termId],
      foreignColumns: [terms.id],
      name: 'exams_term_id_fkey',
    }),
    foreignKey({
      columns: [table.examTypeId],
      foreignColumns: [examTypes.id],
      name: 'exams_exam_type_id_fkey',
    }),
    foreignKey({
      columns: [table.gradeScaleId],
      foreignColumns: [gradeScales.id],
      name: 'exams_grade_scale_id_fkey',
    }),
    unique('exams_term_id_name_key').on(table.termId, table.name),
    check('exams_check', sql`ends_on >= starts_on`),
  ],
);

export const examSchedules = pgTable(
  'exam_schedules',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    examId: integer('exam_id').notNull(),
    classId: integer('class_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    examDate: date('exam_date').notNull(),
    startsAt: time('starts_at').notNull(),
    durationMinutes: smallint('duration_minutes').notNull(),
    roomId: integer('room_id'),
    maxMarks: numeric('max_marks', { precision: 6, scale: 2 }).notNull(),
    passMarks: numeric('pass_marks', { precision: 6, scale: 2 }).notNull(),
  },
  (table) => [
    index('exam_schedules_class_idx').using('btree', table.classId),
    index('exam_schedules_date_idx').using('btree', table.examDate),
    index('exam_schedules_room_idx').using('btree', table.roomId),
    index('exam_schedules_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.classId],
      foreignColumns: [classes.id],
      name: 'exam_schedules_class_id_fkey',
    }),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'exam_schedules_subject_id_fkey',
    }),
    foreignKey({
      columns: [table.examId],
      foreignColumns: [exams.id],
      name: 'exam_schedules_exam_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.roomId],
      foreignColumns: [rooms.id],
      name: 'exam_schedules_room_id_fkey',
    }).onDelete('set null'),
    unique('exam_schedules_exam_id_class_id_subject_id_key').on(table.examId, table.classId, table.subjectId),
    check('exam_schedules_check', sql`pass_marks <= max_marks`),
    check('exam_schedules_duration_minutes_check', sql`duration_minutes > 0`),
    check('exam_schedules_max_marks_check', sql`max_marks > (0)::numeric`),
    check('exam_schedules_pass_marks_check', sql`pass_marks >= (0)::numeric`),
  ],
);

export const examInvigilators = pgTable(
  'exam_invigilators',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    examScheduleId: bigint('exam_schedule_id', { mode: 'number' }).notNull(),
    staffId: uuid('staff_id').notNull(),
  },
  (table) => [
    index('exam_invigilators_staff_idx').using('btree', table.staffId),
    foreignKey({
      columns: [table.examScheduleId],
      foreignColumns: [examSchedules.id],
      name: 'exam_invigilators_exam_schedule_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'exam_invigilators_staff_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.examScheduleId, table.staffId], name: 'exam_invigilators_pkey' }),
  ],
);

export const marks = pgTable(
  'marks',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    examScheduleId: bigint('exam_schedule_id', { mode: 'number' }).notNull(),
    studentId: uuid('student_id').notNull(),
    marksObtained: numeric('marks_obtained', { precision: 6, scale: 2 }),
    isAbsent: boolean('is_absent').default(false).notNull(),
    enteredBy: uuid('entered_by'),
    enteredAt: timestamp('entered_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('marks_entered_by_idx').using('btree', table.enteredBy),
    index('marks_student_idx').using('btree', table.studentId),
    foreignKey({
      columns: [table.examScheduleId],
      foreignColumns: [examSchedules.id],
      name: 'marks_exam_schedule_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'marks_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.enteredBy],
      foreignColumns: [staff.id],
      name: 'marks_entered_by_fkey',
    }).onDelete('set null'),
    primaryKey({ columns: [table.examScheduleId, table.studentId], name: 'marks_pkey' }),
    check('marks_marks_obtained_check', sql`marks_obtained >= (0)::numeric`),
    check('marks_check', sql`is_absent OR (marks_obtained IS NOT NULL)`),
  ],
);

export const reportCards = pgTable(
  'report_cards',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    studentId: uuid('student_id').notNull(),
    termId: integer('term_id').notNull(),
    overallPercent: numeric('overall_percent', { precision: 5, scale: 2 }),
    overallGrade: text('overall_grade'),
    rankInSection: smallint('rank_in_section'),
    teacherRemark: text('teacher_remark'),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'string' }),
  },
  (table) => [
    index('report_cards_term_idx').using('btree', table.termId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'report_cards_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.termId],
      foreignColumns: [terms.id],
      name: 'report_cards_term_id_fkey',
    }),
    unique('report_cards_student_id_term_id_key').on(table.studentId, table.termId),
  ],
);

export const reportCardLines = pgTable(
  'report_card_lines',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    reportCardId: bigint('report_card_id', { mode: 'number' }).notNull(),
    subjectId: integer('subject_id').notNull(),
    percent: numeric({ precision: 5, scale: 2 }),
    grade: text(),
    remark: text(),
  },
  (table) => [
    index('report_card_lines_subject_idx').using('btree', table.subjectId),
    foreignKey({
      columns: [table.reportCardId],
      foreignColumns: [reportCards.id],
      name: 'report_card_lines_report_card_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'report_card_lines_subject_id_fkey',
    }),
    primaryKey({ columns: [table.reportCardId, table.subjectId], name: 'report_card_lines_pkey' }),
  ],
);
