// The school database: every table a school app uses, kept by the school apps (Drizzle). Edit a table here,
// then `npm run school-schema:generate -- --name <what_changed>` writes its migration into ./migrations
// (never edit a migration once it has been deployed). First written by `drizzle-kit pull` from the schema
// SCS shipped as SQL files (migrations 0000-0003 are those files, one for one, in Drizzle's form).
import {
  pgTable,
  unique,
  smallint,
  text,
  uuid,
  boolean,
  timestamp,
  jsonb,
  uniqueIndex,
  check,
  integer,
  date,
  foreignKey,
  index,
  bigint,
  time,
  numeric,
  primaryKey,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

export const roles = pgTable(
  'roles',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
  },
  (table) => [unique('roles_code_key').on(table.code)],
);

export const permissions = pgTable(
  'permissions',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    description: text().notNull(),
  },
  (table) => [unique('permissions_code_key').on(table.code)],
);

export const users = pgTable(
  'users',
  {
    id: uuid().defaultRandom().primaryKey().notNull(),
    email: text().notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    isActive: boolean('is_active').default(true).notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [unique('users_email_key').on(table.email)],
);

export const schoolSettings = pgTable('school_settings', {
  key: text().primaryKey().notNull(),
  value: jsonb().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
});

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
  (table) => [
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

export const invoices = pgTable(
  'invoices',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    invoiceNumber: text('invoice_number').notNull(),
    studentId: uuid('student_id').notNull(),
    academicYearId: integer('academic_year_id').notNull(),
    issuedOn: date('issued_on')
      .default(sql`CURRENT_DATE`)
      .notNull(),
    dueOn: date('due_on').notNull(),
    total: numeric({ precision: 12, scale: 2 }).notNull(),
    status: text().default('open').notNull(),
  },
  (table) => [
    index('invoices_due_idx')
      .using('btree', table.dueOn)
      .where(sql`(status = ANY (ARRAY['open'::text, 'partially_paid'::text]))`),
    index('invoices_student_idx').using('btree', table.studentId, table.status),
    index('invoices_year_idx').using('btree', table.academicYearId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'invoices_student_id_fkey',
    }),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'invoices_academic_year_id_fkey',
    }),
    unique('invoices_invoice_number_key').on(table.invoiceNumber),
    check('invoices_total_check', sql`total >= (0)::numeric`),
    check(
      'invoices_status_check',
      sql`status = ANY (ARRAY['draft'::text, 'open'::text, 'partially_paid'::text, 'paid'::text, 'void'::text])`,
    ),
    check('invoices_check', sql`due_on >= issued_on`),
  ],
);

export const feeStructures = pgTable(
  'fee_structures',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id').notNull(),
    classId: integer('class_id').notNull(),
    feeCategoryId: smallint('fee_category_id').notNull(),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
    frequency: text().notNull(),
    dueDay: smallint('due_day'),
  },
  (table) => [
    index('fee_structures_category_idx').using('btree', table.feeCategoryId),
    index('fee_structures_class_idx').using('btree', table.classId),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'fee_structures_academic_year_id_fkey',
    }),
    foreignKey({
      columns: [table.classId],
      foreignColumns: [classes.id],
      name: 'fee_structures_class_id_fkey',
    }),
    foreignKey({
      columns: [table.feeCategoryId],
      foreignColumns: [feeCategories.id],
      name: 'fee_structures_fee_category_id_fkey',
    }),
    unique('fee_structures_academic_year_id_class_id_fee_category_id_key').on(
      table.academicYearId,
      table.classId,
      table.feeCategoryId,
    ),
    check('fee_structures_amount_check', sql`amount >= (0)::numeric`),
    check(
      'fee_structures_frequency_check',
      sql`frequency = ANY (ARRAY['once'::text, 'monthly'::text, 'quarterly'::text, 'termly'::text, 'yearly'::text])`,
    ),
    check('fee_structures_due_day_check', sql`(due_day >= 1) AND (due_day <= 28)`),
  ],
);

export const feeCategories = pgTable(
  'fee_categories',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
    isRefundable: boolean('is_refundable').default(false).notNull(),
  },
  (table) => [unique('fee_categories_code_key').on(table.code)],
);

export const feeDiscounts = pgTable(
  'fee_discounts',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    kind: text().notNull(),
    value: numeric({ precision: 12, scale: 2 }).notNull(),
  },
  (table) => [
    unique('fee_discounts_name_key').on(table.name),
    check('fee_discounts_kind_check', sql`kind = ANY (ARRAY['percent'::text, 'amount'::text])`),
    check('fee_discounts_value_check', sql`value >= (0)::numeric`),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    invoiceId: bigint('invoice_id', { mode: 'number' }).notNull(),
    feeStructureId: integer('fee_structure_id'),
    description: text().notNull(),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
    discount: numeric({ precision: 12, scale: 2 })
      .default(sql`0`)
      .notNull(),
  },
  (table) => [
    index('invoice_lines_invoice_idx').using('btree', table.invoiceId),
    index('invoice_lines_structure_idx').using('btree', table.feeStructureId),
    foreignKey({
      columns: [table.invoiceId],
      foreignColumns: [invoices.id],
      name: 'invoice_lines_invoice_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.feeStructureId],
      foreignColumns: [feeStructures.id],
      name: 'invoice_lines_fee_structure_id_fkey',
    }),
    check('invoice_lines_discount_check', sql`discount >= (0)::numeric`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    receiptNumber: text('receipt_number').notNull(),
    studentId: uuid('student_id').notNull(),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
    method: text().notNull(),
    providerReference: text('provider_reference'),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
    receivedBy: uuid('received_by'),
  },
  (table) => [
    index('payments_received_by_idx').using('btree', table.receivedBy),
    index('payments_student_idx').using('btree', table.studentId, table.paidAt),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'payments_student_id_fkey',
    }),
    foreignKey({
      columns: [table.receivedBy],
      foreignColumns: [staff.id],
      name: 'payments_received_by_fkey',
    }).onDelete('set null'),
    unique('payments_receipt_number_key').on(table.receiptNumber),
    check('payments_amount_check', sql`amount > (0)::numeric`),
    check(
      'payments_method_check',
      sql`method = ANY (ARRAY['cash'::text, 'card'::text, 'upi'::text, 'bank_transfer'::text, 'cheque'::text, 'online'::text])`,
    ),
  ],
);

export const vehicles = pgTable(
  'vehicles',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    registrationNumber: text('registration_number').notNull(),
    capacity: smallint().notNull(),
    insuranceExpiresOn: date('insurance_expires_on'),
    fitnessExpiresOn: date('fitness_expires_on'),
  },
  (table) => [
    unique('vehicles_registration_number_key').on(table.registrationNumber),
    check('vehicles_capacity_check', sql`capacity > 0`),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    paymentId: bigint('payment_id', { mode: 'number' }).notNull(),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
    reason: text().notNull(),
    refundedAt: timestamp('refunded_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
    approvedBy: uuid('approved_by'),
  },
  (table) => [
    index('refunds_approved_by_idx').using('btree', table.approvedBy),
    index('refunds_payment_idx').using('btree', table.paymentId),
    foreignKey({
      columns: [table.paymentId],
      foreignColumns: [payments.id],
      name: 'refunds_payment_id_fkey',
    }),
    foreignKey({
      columns: [table.approvedBy],
      foreignColumns: [staff.id],
      name: 'refunds_approved_by_fkey',
    }).onDelete('set null'),
    check('refunds_amount_check', sql`amount > (0)::numeric`),
  ],
);

export const transportRoutes = pgTable(
  'transport_routes',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
    vehicleId: integer('vehicle_id'),
    driverId: integer('driver_id'),
    monthlyFee: numeric('monthly_fee', { precision: 10, scale: 2 })
      .default(sql`0`)
      .notNull(),
  },
  (table) => [
    index('transport_routes_driver_idx').using('btree', table.driverId),
    index('transport_routes_vehicle_idx').using('btree', table.vehicleId),
    foreignKey({
      columns: [table.vehicleId],
      foreignColumns: [vehicles.id],
      name: 'transport_routes_vehicle_id_fkey',
    }).onDelete('set null'),
    foreignKey({
      columns: [table.driverId],
      foreignColumns: [drivers.id],
      name: 'transport_routes_driver_id_fkey',
    }).onDelete('set null'),
    unique('transport_routes_code_key').on(table.code),
    check('transport_routes_monthly_fee_check', sql`monthly_fee >= (0)::numeric`),
  ],
);

export const drivers = pgTable(
  'drivers',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    staffId: uuid('staff_id'),
    name: text().notNull(),
    licenceNumber: text('licence_number').notNull(),
    licenceExpiresOn: date('licence_expires_on').notNull(),
    phone: text().notNull(),
  },
  (table) => [
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'drivers_staff_id_fkey',
    }).onDelete('set null'),
    unique('drivers_staff_id_key').on(table.staffId),
    unique('drivers_licence_number_key').on(table.licenceNumber),
  ],
);

export const routeStops = pgTable(
  'route_stops',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    routeId: integer('route_id').notNull(),
    name: text().notNull(),
    sequence: smallint().notNull(),
    pickupTime: time('pickup_time'),
    dropTime: time('drop_time'),
    latitude: numeric({ precision: 9, scale: 6 }),
    longitude: numeric({ precision: 9, scale: 6 }),
  },
  (table) => [
    foreignKey({
      columns: [table.routeId],
      foreignColumns: [transportRoutes.id],
      name: 'route_stops_route_id_fkey',
    }).onDelete('cascade'),
    unique('route_stops_route_id_sequence_key').on(table.routeId, table.sequence),
    check('route_stops_sequence_check', sql`sequence > 0`),
  ],
);

export const bookTitles = pgTable(
  'book_titles',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    isbn: text(),
    title: text().notNull(),
    authors: text().notNull(),
    publisher: text(),
    publishedYear: smallint('published_year'),
    subjectId: integer('subject_id'),
  },
  (table) => [
    index('book_titles_subject_idx').using('btree', table.subjectId),
    index('book_titles_title_idx').using('btree', table.title),
    foreignKey({
      columns: [table.subjectId],
      foreignColumns: [subjects.id],
      name: 'book_titles_subject_id_fkey',
    }).onDelete('set null'),
    unique('book_titles_isbn_key').on(table.isbn),
  ],
);

export const bookCopies = pgTable(
  'book_copies',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    bookTitleId: bigint('book_title_id', { mode: 'number' }).notNull(),
    accessionNumber: text('accession_number').notNull(),
    shelf: text(),
    condition: text().default('good').notNull(),
    acquiredOn: date('acquired_on'),
  },
  (table) => [
    index('book_copies_title_idx').using('btree', table.bookTitleId),
    foreignKey({
      columns: [table.bookTitleId],
      foreignColumns: [bookTitles.id],
      name: 'book_copies_book_title_id_fkey',
    }).onDelete('cascade'),
    unique('book_copies_accession_number_key').on(table.accessionNumber),
    check(
      'book_copies_condition_check',
      sql`condition = ANY (ARRAY['new'::text, 'good'::text, 'worn'::text, 'damaged'::text, 'lost'::text])`,
    ),
  ],
);

export const libraryMembers = pgTable(
  'library_members',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    studentId: uuid('student_id'),
    staffId: uuid('staff_id'),
    cardNumber: text('card_number').notNull(),
    maxLoans: smallint('max_loans').default(3).notNull(),
  },
  (table) => [
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'library_members_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'library_members_staff_id_fkey',
    }).onDelete('cascade'),
    unique('library_members_student_id_key').on(table.studentId),
    unique('library_members_staff_id_key').on(table.staffId),
    unique('library_members_card_number_key').on(table.cardNumber),
    check('library_members_max_loans_check', sql`max_loans > 0`),
    check('library_members_check', sql`(student_id IS NULL) <> (staff_id IS NULL)`),
  ],
);

export const libraryLoans = pgTable(
  'library_loans',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    bookCopyId: bigint('book_copy_id', { mode: 'number' }).notNull(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    borrowedOn: date('borrowed_on')
      .default(sql`CURRENT_DATE`)
      .notNull(),
    dueOn: date('due_on').notNull(),
    returnedOn: date('returned_on'),
  },
  (table) => [
    index('library_loans_member_idx').using('btree', table.memberId),
    uniqueIndex('library_loans_one_open_per_copy_idx')
      .using('btree', table.bookCopyId)
      .where(sql`(returned_on IS NULL)`),
    foreignKey({
      columns: [table.bookCopyId],
      foreignColumns: [bookCopies.id],
      name: 'library_loans_book_copy_id_fkey',
    }),
    foreignKey({
      columns: [table.memberId],
      foreignColumns: [libraryMembers.id],
      name: 'library_loans_member_id_fkey',
    }),
    check('library_loans_check', sql`due_on >= borrowed_on`),
  ],
);

export const libraryFines = pgTable(
  'library_fines',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    loanId: bigint('loan_id', { mode: 'number' }).notNull(),
    amount: numeric({ precision: 8, scale: 2 }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'string' }),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    paymentId: bigint('payment_id', { mode: 'number' }),
  },
  (table) => [
    index('library_fines_loan_idx').using('btree', table.loanId),
    index('library_fines_payment_idx').using('btree', table.paymentId),
    index('library_fines_unpaid_idx')
      .using('btree', table.loanId)
      .where(sql`(paid_at IS NULL)`),
    foreignKey({
      columns: [table.loanId],
      foreignColumns: [libraryLoans.id],
      name: 'library_fines_loan_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.paymentId],
      foreignColumns: [payments.id],
      name: 'library_fines_payment_id_fkey',
    }),
    check('library_fines_amount_check', sql`amount > (0)::numeric`),
  ],
);

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

export const notices = pgTable(
  'notices',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    title: text().notNull(),
    body: text().notNull(),
    publishedBy: uuid('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }),
    isPinned: boolean('is_pinned').default(false).notNull(),
  },
  (table) => [
    index('notices_published_by_idx').using('btree', table.publishedBy),
    index('notices_published_idx').using('btree', table.publishedAt.desc().nullsFirst()),
    foreignKey({
      columns: [table.publishedBy],
      foreignColumns: [staff.id],
      name: 'notices_published_by_fkey',
    }).onDelete('set null'),
  ],
);

export const calendarEvents = pgTable(
  'calendar_events',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id'),
    title: text().notNull(),
    description: text(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'string' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'string' }).notNull(),
    location: text(),
  },
  (table) => [
    index('calendar_events_starts_idx').using('btree', table.startsAt),
    index('calendar_events_year_idx').using('btree', table.academicYearId, table.startsAt),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'calendar_events_academic_year_id_fkey',
    }).onDelete('cascade'),
    check('calendar_events_check', sql`ends_at >= starts_at`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    senderUserId: uuid('sender_user_id').notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('messages_sender_idx').using('btree', table.senderUserId, table.sentAt),
    foreignKey({
      columns: [table.senderUserId],
      foreignColumns: [users.id],
      name: 'messages_sender_user_id_fkey',
    }),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id'),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text('entity_id'),
    details: jsonb(),
    at: timestamp({ withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('audit_log_at_idx').using('btree', table.at),
    index('audit_log_entity_idx').using('btree', table.entity, table.entityId),
    index('audit_log_user_idx').using('btree', table.userId, table.at),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'audit_log_user_id_fkey',
    }).onDelete('set null'),
  ],
);

export const noticeAudiences = pgTable(
  'notice_audiences',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    noticeId: bigint('notice_id', { mode: 'number' }).notNull(),
    roleId: smallint('role_id'),
    sectionId: integer('section_id'),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  },
  (table) => [
    index('notice_audiences_notice_idx').using('btree', table.noticeId),
    index('notice_audiences_role_idx').using('btree', table.roleId),
    index('notice_audiences_section_idx').using('btree', table.sectionId),
    foreignKey({
      columns: [table.noticeId],
      foreignColumns: [notices.id],
      name: 'notice_audiences_notice_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'notice_audiences_role_id_fkey',
    }),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'notice_audiences_section_id_fkey',
    }).onDelete('cascade'),
    check('notice_audiences_check', sql`(role_id IS NOT NULL) OR (section_id IS NOT NULL)`),
  ],
);

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleId: smallint('role_id').notNull(),
    permissionId: smallint('permission_id').notNull(),
  },
  (table) => [
    index('role_permissions_permission_idx').using('btree', table.permissionId),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'role_permissions_role_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.permissionId],
      foreignColumns: [permissions.id],
      name: 'role_permissions_permission_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.roleId, table.permissionId], name: 'role_permissions_pkey' }),
  ],
);

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id').notNull(),
    roleId: smallint('role_id').notNull(),
  },
  (table) => [
    index('user_roles_role_idx').using('btree', table.roleId),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'user_roles_user_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'user_roles_role_id_fkey',
    }),
    primaryKey({ columns: [table.userId, table.roleId], name: 'user_roles_pkey' }),
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

export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    paymentId: bigint('payment_id', { mode: 'number' }).notNull(),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    invoiceId: bigint('invoice_id', { mode: 'number' }).notNull(),
    amount: numeric({ precision: 12, scale: 2 }).notNull(),
  },
  (table) => [
    index('payment_allocations_invoice_idx').using('btree', table.invoiceId),
    foreignKey({
      columns: [table.paymentId],
      foreignColumns: [payments.id],
      name: 'payment_allocations_payment_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.invoiceId],
      foreignColumns: [invoices.id],
      name: 'payment_allocations_invoice_id_fkey',
    }),
    primaryKey({ columns: [table.paymentId, table.invoiceId], name: 'payment_allocations_pkey' }),
    check('payment_allocations_amount_check', sql`amount > (0)::numeric`),
  ],
);

export const messageRecipients = pgTable(
  'message_recipients',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    messageId: bigint('message_id', { mode: 'number' }).notNull(),
    recipientUserId: uuid('recipient_user_id').notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'string' }),
  },
  (table) => [
    index('message_recipients_recipient_idx').using('btree', table.recipientUserId, table.readAt),
    foreignKey({
      columns: [table.messageId],
      foreignColumns: [messages.id],
      name: 'message_recipients_message_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.recipientUserId],
      foreignColumns: [users.id],
      name: 'message_recipients_recipient_user_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.messageId, table.recipientUserId], name: 'message_recipients_pkey' }),
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

export const studentFeeDiscounts = pgTable(
  'student_fee_discounts',
  {
    studentId: uuid('student_id').notNull(),
    feeDiscountId: smallint('fee_discount_id').notNull(),
    academicYearId: integer('academic_year_id').notNull(),
    approvedBy: uuid('approved_by'),
  },
  (table) => [
    index('student_fee_discounts_approved_by_idx').using('btree', table.approvedBy),
    index('student_fee_discounts_discount_idx').using('btree', table.feeDiscountId),
    index('student_fee_discounts_year_idx').using('btree', table.academicYearId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'student_fee_discounts_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.feeDiscountId],
      foreignColumns: [feeDiscounts.id],
      name: 'student_fee_discounts_fee_discount_id_fkey',
    }),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'student_fee_discounts_academic_year_id_fkey',
    }),
    foreignKey({
      columns: [table.approvedBy],
      foreignColumns: [staff.id],
      name: 'student_fee_discounts_approved_by_fkey',
    }).onDelete('set null'),
    primaryKey({
      columns: [table.studentId, table.feeDiscountId, table.academicYearId],
      name: 'student_fee_discounts_pkey',
    }),
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

export const transportAssignments = pgTable(
  'transport_assignments',
  {
    studentId: uuid('student_id').notNull(),
    academicYearId: integer('academic_year_id').notNull(),
    stopId: integer('stop_id').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on'),
  },
  (table) => [
    index('transport_assignments_stop_idx').using('btree', table.stopId),
    index('transport_assignments_year_idx').using('btree', table.academicYearId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'transport_assignments_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'transport_assignments_academic_year_id_fkey',
    }),
    foreignKey({
      columns: [table.stopId],
      foreignColumns: [routeStops.id],
      name: 'transport_assignments_stop_id_fkey',
    }),
    primaryKey({ columns: [table.studentId, table.academicYearId], name: 'transport_assignments_pkey' }),
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
