// Fees and payments: what is charged (fee structures, discounts), invoices, payments, how payments settle invoices,
// refunds.
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
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';
import { academicYears, classes } from './academics.js';

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
