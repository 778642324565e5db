// Library: titles and their copies, members (students or staff), loans and fines (a fine is settled by a payment).
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';
import { subjects } from './academics.js';
import { payments } from './fees.js';

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
